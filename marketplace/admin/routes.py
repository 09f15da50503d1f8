"""Administration pages: list accounts, deactivate and reactivate them."""


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from marketplace.accounts import services as account_services
from marketplace.accounts.current import acting_user, admin_required
from marketplace.accounts.models import Role, User
from marketplace.audit.models import AuditAction
from marketplace.audit.services import events, record
from marketplace.errors import NotFound
from marketplace.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Ce compte n'existe pas.")
    return user


@bp.route("/utilisateurs")
@admin_required
def users():
    query = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    page = max(request.args.get("page", 1, type=int), 1)
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            or_(User.email.ilike(pattern), User.last_name.ilike(pattern), User.first_name.ilike(pattern))
        )
    if role in {r.value for r in Role}:
        statement = statement.where(User.role == Role(role))
    pagination = db.paginate(statement, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", pagination=pagination, query=query, role=role)


@bp.route("/utilisateurs/<int:user_id>/<any(desactiver, reactiver):action>", methods=["POST"])
@admin_required
def set_active(user_id: int, action: str):
    target = _get_user(user_id)
    actor = acting_user()
    if action == "desactiver":
        account_services.deactivate_account(target, actor)
        message = f"Le compte de {target.full_name} est désactivé. Ses données sont conservées."
    else:
        account_services.reactivate_account(target, actor)
        message = f"Le compte de {target.full_name} est réactivé."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@bp.route("/journal")
@admin_required
def journal():
    """The audit log: sensitive actions, latest first, filtered by kind."""
    action = request.args.get("action", "")
    chosen = AuditAction(action) if action in {a.value for a in AuditAction} else None
    pagination = db.paginate(events(chosen), page=max(request.args.get("page", 1, type=int), 1),
                             per_page=PAGE_SIZE, error_out=False)
    actors = {user.id: user for user in db.session.scalars(select(User).where(
        User.id.in_({event.actor_id for event in pagination.items if event.actor_id})))}
    return render_template("admin/journal.html", pagination=pagination, actors=actors, action=action,
                           actions=list(AuditAction))


@bp.route("/utilisateurs/<int:user_id>/<any(partenaire, retirer):action>", methods=["POST"])
@admin_required
def set_partner(user_id: int, action: str):
    """Make an account a regional directory partner (it may import its directory)."""
    target = _get_user(user_id)
    target.is_directory_partner = action == "partenaire"
    record(AuditAction.ROLE_CHANGED, acting_user().id, f"user:{target.id}",
           "partenaire d'annuaire" if target.is_directory_partner else "n'est plus partenaire d'annuaire")
    db.session.commit()
    flash(f"{target.full_name} {'peut' if target.is_directory_partner else 'ne peut plus'} importer son annuaire.",
          "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))


@bp.route("/import-annuaire", methods=["GET", "POST"])
@login_required
def import_directory():
    """Import a regional directory's CSV or XLSX file, with a dry run first (admins and
    directory partners)."""
    if not (current_user.is_admin or current_user.is_directory_partner):
        abort(403)
    from marketplace.errors import DomainError, problem, wants_json
    from marketplace.suppliers.imports import COLUMNS, DATE_COLUMN
    from marketplace.suppliers.imports import import_directory as run_import

    report, error = None, None
    dry_run = bool(request.form.get("dry_run"))
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise DomainError("Choisissez un fichier CSV ou XLSX.", "file")
            report = run_import(upload.filename, upload.read(), acting_user(), dry_run=dry_run)
            db.session.commit()
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
        if wants_json():
            if error:
                return problem(422, error, {"file": [error]})
            return {"dry_run": dry_run, "lines": [line.__dict__ for line in report]}
    return render_template("admin/import.html", report=report, error=error, dry_run=dry_run,
                           columns=[*COLUMNS, DATE_COLUMN]), 422 if error else 200
