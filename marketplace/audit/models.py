"""One recorded action."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class AuditAction(enum.StrEnum):
    ROLE_CHANGED = "role_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    ACCOUNT_CLOSED = "account_closed"
    OFFER_AWARDED = "offer_awarded"
    ORDER_REFUNDED = "order_refunded"
    CONTACTS_EXPORTED = "contacts_exported"
    API_KEY_CREATED = "api_key_created"

    @property
    def label(self) -> str:
        return {
            "role_changed": "Rôle ou droits changés", "account_deactivated": "Compte désactivé",
            "account_reactivated": "Compte réactivé", "account_closed": "Compte clôturé",
            "offer_awarded": "Offre attribuée", "order_refunded": "Commande remboursée",
            "contacts_exported": "Export de contacts", "api_key_created": "Clé d'API créée",
        }[self.value]


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, length=30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # none: the platform itself
    target: Mapped[str] = mapped_column(String(80))  # "user:12", "offer:40", "order:7", ...
    details: Mapped[str] = mapped_column(Text, default="")  # what a reader needs, no personal data
