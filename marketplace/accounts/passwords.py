"""Password hashing: Argon2id (argon2-cffi) with OWASP's recommended parameters (19 MiB
of memory, 2 passes, 1 lane: about 20 ms of CPU here, where Werkzeug's default scrypt
took 85 ms for less: N=2^15, under OWASP's minimum for scrypt).

Hashes made before (Werkzeug's "scrypt:..." and "pbkdf2:...") still verify, and are
replaced by an Argon2id hash at the user's next log-in."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was made from. With no stored hash (no such
    account), the same work is done against a dummy, so that the answer's delay does not
    tell which addresses have an account."""
    if stored is not None and not stored.startswith("$argon2"):
        return check_password_hash(stored, password)
    try:
        matches = HASHER.verify(stored or _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and stored is not None


def needs_rehash(stored: str) -> bool:
    """An older algorithm, or Argon2 with other parameters than today's."""
    return not stored.startswith("$argon2") or HASHER.check_needs_rehash(stored)


@cache
def _unknown_user_hash() -> str:
    return HASHER.hash("the password of no account")
