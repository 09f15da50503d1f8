"""Sign-up, confirmation, login, logout, password reset and the profile page."""


from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import schemas, services
from marketplace.accounts.current import acting_user
from marketplace.accounts.hooks import membership_of
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.forms import Form, safe_next

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower() or request.remote_addr or "-"


@bp.route("/inscription", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = Form(schemas.SignupSchema(), initial={"role": request.args.get("role", "")})
    if form.validate_on_submit():
        try:
            user = services.sign_up(form.data)
        except DomainError as error:
            form.fail(error)
        else:
            db.session.commit()
            return render_template("accounts/check_email.html", email=user.email)
    return render_template("accounts/signup.html", form=form), form.status


@bp.route("/confirmer/<token>")
def confirm_email(token: str):
    user = services.confirm_email(token)
    db.session.commit()
    flash("Votre adresse e-mail est confirmée. Vous pouvez vous connecter.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("main.home"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirmer", methods=["GET", "POST"])
def resend_confirmation():
    form = Form(schemas.EmailSchema(), initial={"email": request.args.get("email", "")})
    if form.validate_on_submit():
        services.resend_confirmation(form.data["email"])
        db.session.commit()
        flash("Si un compte non confirmé existe pour cette adresse, un nouveau lien vient d'être envoyé.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/resend_confirmation.html", form=form), form.status


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email, scope="login-by-email")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = Form(schemas.LoginSchema())
    unconfirmed = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.data["email"], form.data["password"])
        except services.EmailNotConfirmed as error:
            form.fail(error)
            unconfirmed = True
        except DomainError as error:
            form.fail(error)
        else:
            login_user(user, remember=form.data["remember"])
            db.session.commit()
            flash(f"Bienvenue, {user.first_name} !", "success")
            return redirect(safe_next(url_for("main.my_space")))
    return (
        render_template("accounts/login.html", form=form, unconfirmed=unconfirmed, next=safe_next("")),
        form.status,
    )


@bp.route("/deconnexion", methods=["POST"])
def logout():
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("main.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = Form(schemas.EmailSchema())
    if form.validate_on_submit():
        services.request_password_reset(form.data["email"])
        db.session.commit()
        flash(
            "Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot de passe "
            "vient d'être envoyé. Il est valable une heure.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), form.status


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = Form(schemas.ResetPasswordSchema())
    if form.validate_on_submit():
        services.reset_password(token, form.data["password"])
        db.session.commit()
        flash("Votre mot de passe a été changé. Vous pouvez vous connecter.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, token=token), form.status


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    user = acting_user()
    form = Form(
        schemas.ProfileSchema(),
        initial={f: getattr(user, f) for f in ("first_name", "last_name", "phone", "job_title")},
    )
    if form.validate_on_submit():
        services.update_profile(user, form.data)
        db.session.commit()
        flash("Profil mis à jour.", "success")
        return redirect(url_for("accounts.profile"))
    return (
        render_template(
            "accounts/profile.html",
            form=form,
            password_form=Form(schemas.ChangePasswordSchema()),
            membership=membership_of(user),
        ),
        form.status,
    )


@bp.route("/profil/mot-de-passe", methods=["POST"])
@login_required
def change_password():
    user = acting_user()
    password_form = Form(schemas.ChangePasswordSchema())
    if password_form.validate_on_submit():
        try:
            services.change_password(
                user, password_form.data["current_password"], password_form.data["new_password"]
            )
        except DomainError as error:
            password_form.fail(error)
        else:
            db.session.commit()
            flash("Mot de passe changé.", "success")
            return redirect(url_for("accounts.profile"))
    form = Form(
        schemas.ProfileSchema(),
        initial={f: getattr(user, f) for f in ("first_name", "last_name", "phone", "job_title")},
    )
    return (
        render_template(
            "accounts/profile.html", form=form, password_form=password_form, membership=membership_of(user)
        ),
        422,
    )
