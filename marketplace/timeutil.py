"""Time in one place: the database stores naive UTC datetimes; people read Paris time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """The current time as naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def paris_to_utc(moment: datetime) -> datetime:
    """A wall-clock time in Paris (naive, or aware) as naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC).replace(tzinfo=None)


def utc_to_paris(moment: datetime) -> datetime:
    """A stored naive UTC time as naive Paris wall-clock time."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)
