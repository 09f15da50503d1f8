"""Record an action, and read the log."""

from sqlalchemy import select

from marketplace.audit.models import AuditAction, AuditEvent
from marketplace.extensions import db


def record(action: AuditAction, actor_id: int | None, target: str, details: str = "") -> AuditEvent:
    """In the current transaction: the record exists if and only if the action is committed."""
    event = AuditEvent(action=action, actor_id=actor_id, target=target[:80], details=details)
    db.session.add(event)
    return event


def events(action: AuditAction | None = None):
    """The log, latest first (a statement, for paging)."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return statement.where(AuditEvent.action == action) if action else statement
