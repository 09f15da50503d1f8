"""The legal pages, linked from every page's footer and from sign-up."""

from flask import Blueprint, current_app, render_template

from marketplace.legal.processors import PROCESSORS, RETENTION

bp = Blueprint("legal", __name__, url_prefix="/informations")


def _page(template: str, **context):
    return render_template(f"legal/{template}.html", config=current_app.config, **context)


@bp.route("/mentions-legales")
def notice():
    return _page("notice")


@bp.route("/conditions-generales")
def terms():
    return _page("terms")


@bp.route("/confidentialite")
def privacy():
    return _page("privacy", processors=PROCESSORS, retention=RETENTION,
                 payments=bool(current_app.config.get("STRIPE_SECRET_KEY")))


@bp.route("/cookies")
def cookies():
    return _page("cookies", session_cookie=current_app.config.get("SESSION_COOKIE_NAME", "session"))


@bp.route("/accessibilite")
def accessibility():
    return _page("accessibility")
