"""Offers: a supplier's answer to one lot of a need, and the buyer's decision on it."""

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.needs.models import Need, NeedLot, NeedQuestion
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


class OfferStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    AWARDED = "awarded"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {"submitted": "Déposée", "withdrawn": "Retirée", "awarded": "Retenue",
                "declined": "Non retenue"}[self.value]


# Offers still in the running or decided: what the buyer sees and the figures count.
LIVE_STATUSES = (OfferStatus.SUBMITTED, OfferStatus.AWARDED, OfferStatus.DECLINED)

# VAT rates in France, in basis points (2000 = 20 %).
VAT_RATES = {2000: "20 %", 1000: "10 %", 550: "5,5 %", 210: "2,1 %", 0: "Non assujetti (0 %)"}


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        # One offer per supplier per lot: a second one edits the first.
        UniqueConstraint("lot_id", "supplier_id"),
        # One awarded offer per lot.
        Index("uq_offers_one_award_per_lot", "lot_id", unique=True,
              sqlite_where=text("status = 'awarded'"), postgresql_where=text("status = 'awarded'")),
        Index("ix_offers_supplier", "supplier_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("need_lots.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus), default=OfferStatus.SUBMITTED)
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # excluding tax
    vat_rate: Mapped[int] = mapped_column(Integer)  # basis points
    lead_time_days: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    insertion_hours: Mapped[int] = mapped_column(Integer, default=0)
    valid_until: Mapped[date]
    shortlisted: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    need: Mapped[Need] = relationship()
    lot: Mapped[NeedLot] = relationship()
    supplier: Mapped[Supplier] = relationship()
    submitted_by: Mapped[User] = relationship()
    answers: Mapped[list["OfferAnswer"]] = relationship(cascade="all, delete-orphan")
    participants: Mapped[list["OfferParticipant"]] = relationship(cascade="all, delete-orphan")

    @property
    def amount_with_vat_cents(self) -> int:
        return self.amount_cents + self.amount_cents * self.vat_rate // 10_000

    @property
    def vat_label(self) -> str:
        return VAT_RATES.get(self.vat_rate, f"{self.vat_rate / 100:g} %")

    def answer_to(self, question: NeedQuestion) -> str:
        return next((a.text for a in self.answers if a.question_id == question.id), "")


class OfferAnswer(db.Model):
    __tablename__ = "offer_answers"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("need_questions.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class OfferParticipant(db.Model):
    """A member of a consortium taking part in the consortium's offer."""

    __tablename__ = "offer_participants"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True, index=True)
    member: Mapped[Supplier] = relationship()

