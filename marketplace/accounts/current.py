"""The user acting in the current request, as the services expect it."""

from flask_login import current_user

from marketplace.accounts.models import User


def acting_user() -> User:
    """The logged-in user (the real object, not Flask-Login's proxy), to pass to services."""
    return current_user._get_current_object()
