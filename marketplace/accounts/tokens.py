"""Signed, expiring links for email confirmation and password reset."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db

CONFIRM_SALT = "accounts.confirm-email"
RESET_SALT = "accounts.reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    # Changes with the password, so that a reset link works only once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    return _serializer(CONFIRM_SALT).dumps({"user": user.id, "email": user.email})


def reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"user": user.id, "pw": _password_fingerprint(user)})


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise DomainError("Ce lien a expiré. Demandez-en un nouveau.") from error
    except BadSignature as error:
        raise DomainError("Ce lien n'est pas valide.") from error


def user_from_confirmation_token(token: str) -> User:
    payload = _load(CONFIRM_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email != payload.get("email"):
        raise DomainError("Ce lien n'est pas valide.")
    return user


def user_from_reset_token(token: str) -> User:
    payload = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload.get("user"))
    if user is None or payload.get("pw") != _password_fingerprint(user):
        raise DomainError("Ce lien n'est plus valable : le mot de passe a déjà été changé.")
    return user
