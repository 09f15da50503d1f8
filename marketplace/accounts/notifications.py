"""Emails about a user's own account."""

from marketplace.accounts import tokens
from marketplace.accounts.models import User
from marketplace.outbox.services import external_url, queue_email


def send_confirmation_email(user: User) -> None:
    link = external_url("accounts.confirm_email", token=tokens.confirmation_token(user))
    queue_email(user.email, "confirm_email", "accounts.confirm", user=user, link=link)


def send_password_reset_email(user: User) -> None:
    link = external_url("accounts.reset_password", token=tokens.reset_token(user))
    queue_email(user.email, "reset_password", "accounts.reset", user=user, link=link)


def send_account_deactivated_email(user: User) -> None:
    queue_email(user.email, "account_deactivated", "accounts.deactivated", user=user)
