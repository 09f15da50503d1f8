"""A person's data rights from their profile: download everything, close the account."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required, logout_user

from marketplace.accounts.current import acting_user
from marketplace.errors import DomainError, wants_json
from marketplace.exports import download
from marketplace.extensions import db
from marketplace.forms import Form, form_response
from marketplace.privacy import closure, schemas
from marketplace.privacy.export import export_zip
from marketplace.timeutil import utcnow

bp = Blueprint("privacy", __name__, url_prefix="/compte")


@bp.route("/mes-donnees.zip", endpoint="download")
@login_required
def download_data():
    user = acting_user()
    return download(export_zip(user), f"mes-donnees-{utcnow():%Y-%m-%d}.zip", "application/zip")


@bp.route("/cloture", methods=["GET", "POST"])
@login_required
def close():
    user = acting_user()
    form = Form(schemas.ClosureSchema())
    if form.validate_on_submit():
        try:
            if not user.check_password(form.data["password"]):
                raise DomainError("Mot de passe incorrect.", "password")
            closure.close_account(user, user, "à la demande de la personne")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.fail(error)
        else:
            logout_user()
            if wants_json():
                return {"closed": True}
            flash("Votre compte est clôturé : vos données personnelles sont effacées.", "success")
            return redirect(url_for("main.home"))
    return form_response(form, "privacy/close.html", user=user)

