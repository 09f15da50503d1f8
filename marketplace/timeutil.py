"""Time in one place: the database stores naive UTC datetimes."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)
