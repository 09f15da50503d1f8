"""The home page."""

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html")


@bp.route("/healthz")
def healthz():
    """The process is up (readiness checks come with the production profile)."""
    return {"status": "ok"}
