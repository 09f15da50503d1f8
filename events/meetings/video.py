"""Online meetings: each gets a video room of its own, a Jitsi Meet room by default
(VIDEO_ROOM_BASE): the fair's name and a random part nobody can guess, so that only the
two parties (who find it in their agenda, calendar and reminder) come in."""

import secrets

from flask import current_app

from events.fairs.models import Fair
from marketplace.geography.text import fold


def room_url(fair: Fair) -> str:
    base = current_app.config["VIDEO_ROOM_BASE"].rstrip("/")
    name = "-".join(fold(fair.name).split())[:40] or "salon"
    return f"{base}/{name}-{secrets.token_urlsafe(9)}"
