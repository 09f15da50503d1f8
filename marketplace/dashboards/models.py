"""What a buyer organisation bought in a year, all suppliers included: the base of its
inclusive purchasing share."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.timeutil import utcnow


class PurchaseTotal(db.Model):
    __tablename__ = "purchase_totals"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
