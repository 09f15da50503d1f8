"""Account rules: sign-up, confirmation, authentication, passwords, deactivation."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts import notifications, passwords, tokens
from marketplace.accounts.models import Role, User
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class EmailNotConfirmed(DomainError):
    """The password was right but the address has not been confirmed yet."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def sign_up(data: dict) -> User:
    """Create an account and send the confirmation link."""
    if find_user_by_email(data["email"]):
        raise DomainError("Un compte existe déjà avec cette adresse e-mail.", "email")
    user = User(
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        role=data["role"],
    )
    user.set_password(data["password"])
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:  # the same address signed up at the same moment
        raise DomainError("Un compte existe déjà avec cette adresse e-mail.", "email") from error
    notifications.send_confirmation_email(user)
    return user


def confirm_email(token: str) -> User:
    user = tokens.user_from_confirmation_token(token)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    return user


def resend_confirmation(email: str) -> None:
    """Send a new confirmation link; says nothing about whether the address exists."""
    user = find_user_by_email(email)
    if user is not None and user.is_active and not user.email_confirmed:
        notifications.send_confirmation_email(user)


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, allowed to log in; raises otherwise."""
    user = find_user_by_email(email)
    if not passwords.verify(user.password_hash if user else None, password):
        raise DomainError("Adresse e-mail ou mot de passe incorrect.", "password")
    if not user.is_active:
        raise NotAllowed(
            "Ce compte a été désactivé. Contactez l'équipe de la plateforme pour le réactiver."
        )
    if not user.email_confirmed:
        raise EmailNotConfirmed(
            "Confirmez d'abord votre adresse e-mail grâce au lien que nous vous avons envoyé.",
            "email",
        )
    if passwords.needs_rehash(user.password_hash):
        user.set_password(password)
    user.last_login_at = utcnow()
    user.inactivity_warned_at = None  # back: the inactivity warning no longer holds
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; says nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        notifications.send_password_reset_email(user)


def reset_password(token: str, new_password: str) -> User:
    user = tokens.user_from_reset_token(token)
    if not user.is_active:
        raise NotAllowed("Ce compte a été désactivé.")
    user.set_password(new_password)
    # Following the emailed link proves the address too.
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    return user


def update_profile(user: User, data: dict) -> User:
    for field in ("first_name", "last_name", "phone", "job_title"):
        setattr(user, field, data.get(field))
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise DomainError("Mot de passe actuel incorrect.", "current_password")
    user.set_password(new_password)
    db.session.flush()


def deactivate_account(target: User, actor: User) -> User:
    """Stop a user from logging in; nothing of theirs is deleted."""
    if not actor.is_admin:
        raise NotAllowed("Seul un administrateur peut désactiver un compte.")
    if target.id == actor.id:
        raise DomainError("Vous ne pouvez pas désactiver votre propre compte.")
    if target.is_active:
        target.is_active = False
        target.deactivated_at = utcnow()
        notifications.send_account_deactivated_email(target)
        record(AuditAction.ACCOUNT_DEACTIVATED, actor.id, f"user:{target.id}")
        db.session.flush()
    return target


def reactivate_account(target: User, actor: User) -> User:
    if not actor.is_admin:
        raise NotAllowed("Seul un administrateur peut réactiver un compte.")
    target.is_active = True
    target.deactivated_at = None
    record(AuditAction.ACCOUNT_REACTIVATED, actor.id, f"user:{target.id}")
    db.session.flush()
    return target


def create_admin(email: str, password: str, first_name: str, last_name: str) -> User:
    """An administrator, confirmed at once (for the CLI)."""
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email.lower(), first_name=first_name, last_name=last_name, role=Role.ADMIN)
        db.session.add(user)
    if user.role != Role.ADMIN:
        record(AuditAction.ROLE_CHANGED, None, f"user:{user.id or 'new'}", "administrateur (ligne de commande)")
    user.role = Role.ADMIN
    user.set_password(password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.flush()
    return user
