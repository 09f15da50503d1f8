"""The API's human-readable documentation (rendered here from the OpenAPI document, no
CDN) and the API keys on the profile page."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import login_required

from marketplace.accounts.current import acting_user
from marketplace.api import keys
from marketplace.api.models import SCOPES
from marketplace.api.schemas import ApiKeySchema
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.forms import Form, perform

bp = Blueprint("api_pages", __name__)


@bp.route("/api/v1/docs")
def docs():
    spec = current_app.extensions["marketplace_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec)


@bp.route("/profil/cles-api", methods=["GET", "POST"])
@login_required
def api_keys():
    user = acting_user()
    created = None
    form = Form(ApiKeySchema())
    if form.validate_on_submit():
        try:
            _key, created = keys.create_key(user, form.data["name"] or "Clé sans nom", form.data["scopes"])
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("api_pages.api_keys"))
    elif form.errors:
        flash(" ".join(form.error(field) for field in form.errors), "danger")
        return redirect(url_for("api_pages.api_keys"))
    return render_template("api/keys.html", keys=keys.keys_of(user), created=created, scopes=SCOPES)


@bp.route("/profil/cles-api/<int:key_id>/revoquer", methods=["POST"])
@login_required
def revoke(key_id: int):
    return perform(lambda: keys.revoke_key(acting_user(), key_id), url_for("api_pages.api_keys"),
                   "Clé révoquée : elle ne fonctionne plus.")
