"""Inactive accounts (the CNIL's recommended practice): warned by mail after
INACTIVE_WARNING_DAYS without a log-in (23 months by default), closed after
INACTIVE_CLOSE_DAYS (24 months) if still unused and warned at least a month before.
Administrators are left alone. A daily job runs it."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.outbox.services import external_url, queue_email
from marketplace.privacy.closure import close_account

MIN_NOTICE = timedelta(days=28)


def run_inactivity(now: datetime) -> dict[str, int]:
    warn_after = timedelta(days=current_app.config["INACTIVE_WARNING_DAYS"])
    close_after = timedelta(days=current_app.config["INACTIVE_CLOSE_DAYS"])
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    candidates = select(User).where(User.closed_at.is_(None), User.role != Role.ADMIN)
    warned = closed = 0
    for user in db.session.scalars(candidates.where(last_seen <= now - close_after,
                                                    User.inactivity_warned_at <= now - MIN_NOTICE)):
        close_account(user, None, "inactif depuis plus de 24 mois")
        closed += 1
    for user in db.session.scalars(candidates.where(last_seen <= now - warn_after,
                                                    User.inactivity_warned_at.is_(None))):
        user.inactivity_warned_at = now
        queue_email(user.email, "account_inactive", "privacy.inactive", user=user,
                    closes_on=now + (close_after - warn_after), link=external_url("accounts.login"))
        warned += 1
    db.session.commit()
    return {"warned": warned, "closed": closed}
