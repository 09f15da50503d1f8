"""Creating, finding and revoking API keys. A key reads `mi_<prefix>_<secret>`; only its
SHA-256 is stored, compared in constant time."""

import hashlib
import hmac
import secrets

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.api.models import SCOPES, ApiKey
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.timeutil import utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(user: User, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """The new key and its full text, to show once."""
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise DomainError("Choisissez les droits de la clé : lecture, et écriture si besoin.", "scopes")
    if "write" in scopes and "read" not in scopes:
        scopes = ["read", *scopes]
    prefix = secrets.token_hex(6)
    full = f"mi_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, secret_hash=_digest(full),
                 scopes=",".join(scope for scope in SCOPES if scope in scopes))
    db.session.add(key)
    db.session.flush()
    record(AuditAction.API_KEY_CREATED, user.id, f"api_key:{key.id}", f"droits : {key.scopes}")
    return key, full


def keys_of(user: User) -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id.desc())))


def revoke_key(user: User, key_id: int) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound("Cette clé n'existe pas.")
    key.revoked_at = key.revoked_at or utcnow()
    db.session.flush()
    return key


def authenticate(text: str | None) -> ApiKey | None:
    """The active key `text` is, if any (its user active too)."""
    if not text or not text.startswith("mi_") or text.count("_") < 2:
        return None
    prefix = text.split("_", 2)[1]
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not key.is_active or not key.user.is_active:
        return None
    if not hmac.compare_digest(key.secret_hash, _digest(text)):
        return None
    return key
