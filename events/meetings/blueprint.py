"""The meetings blueprint, shared by the participants' pages (routes.py) and the
organiser's (organiser_routes.py)."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
