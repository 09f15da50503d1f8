"""The user acting in the current request, as the services expect it, and the guard of
the administrators' pages."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.accounts.models import User


def acting_user() -> User:
    """The logged-in user (the real object, not Flask-Login's proxy), to pass to services."""
    return current_user._get_current_object()


def admin_required(view):
    """A view for administrators only (403 for anyone else, log-in first)."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
