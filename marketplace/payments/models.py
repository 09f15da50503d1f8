"""The catalogue, orders with their lines and invoice numbers, and the Stripe events
already handled."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class ProductCode(enum.StrEnum):
    FAIR_TICKET = "fair_ticket"  # the amount is the fair's fee for the participant's role
    BOOST = "boost_30_days"
    PLAN_MONTHLY = "plan_monthly"
    PLAN_YEARLY = "plan_yearly"


class Product(db.Model):
    """A line of the catalogue: its price excluding VAT and its VAT rate, both editable
    by platform admins."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[ProductCode] = mapped_column(enum_column(ProductCode, length=30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(default=0)
    vat_rate: Mapped[int] = mapped_column(default=2000)  # basis points: 2000 = 20 %
    stripe_plan_id: Mapped[str | None] = mapped_column(String(100))  # the recurring price at Stripe, at this price
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTLY_REFUNDED = "partly_refunded"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"pending": "En attente de paiement", "paid": "Payée", "failed": "Paiement refusé",
                "refunded": "Remboursée", "partly_refunded": "Partiellement remboursée",
                "cancelled": "Annulée"}[self.value]


class Order(db.Model):
    """A purchase: what is bought (lines), by whom (billing details frozen at the time),
    its Stripe PaymentIntent (one per order, reused on retry) and its invoice number."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product: Mapped[ProductCode] = mapped_column(enum_column(ProductCode, length=30))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus), default=OrderStatus.PENDING)
    billing_name: Mapped[str] = mapped_column(String(200))
    billing_address: Mapped[str | None] = mapped_column(String(255))
    billing_siret: Mapped[str | None] = mapped_column(String(14))
    total_excl_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_incl_cents: Mapped[int]
    refunded_cents: Mapped[int] = mapped_column(default=0)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("fair_participants.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("buyer_organisations.id"))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    charging_since: Mapped[datetime | None]  # a charge is under way: a second one waits
    invoice_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(cascade="all, delete-orphan", order_by="OrderLine.id")

    @property
    def is_settled(self) -> bool:
        return self.status in (OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.PARTLY_REFUNDED)

    @property
    def refundable_cents(self) -> int:
        return self.total_incl_cents - self.refunded_cents if self.is_settled else 0


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    description: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_excl_cents: Mapped[int]
    vat_rate: Mapped[int]
    total_excl_cents: Mapped[int]
    vat_cents: Mapped[int]
    total_incl_cents: Mapped[int]


class InvoiceCounter(db.Model):
    """The last invoice number given in a year. Taken and incremented in the transaction
    that marks the order paid: a rolled-back payment gives its number back, so numbers
    have no gaps."""

    __tablename__ = "invoice_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class StripeEvent(db.Model):
    """A webhook event already handled: a replay or a duplicate is acknowledged, not redone."""

    __tablename__ = "stripe_events"
    __table_args__ = (UniqueConstraint("stripe_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Boost(db.Model):
    """A supplier's paid visibility: featured first in the directory results it matches,
    told first about the needs it matches. Boosts bought back to back follow each other."""

    __tablename__ = "supplier_boosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal failed: the tools stay on during the grace period
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"active": "Active", "past_due": "Paiement en échec", "cancelled": "Terminée"}[self.value]


class PlanSubscription(db.Model):
    """A buyer organisation's plan: a Stripe subscription, kept in step by the webhooks."""

    __tablename__ = "plan_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), index=True)
    product: Mapped[ProductCode] = mapped_column(enum_column(ProductCode, length=30))
    stripe_subscription_id: Mapped[str] = mapped_column(String(100), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), default=PlanStatus.ACTIVE)
    current_period_end: Mapped[datetime]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    grace_until: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
