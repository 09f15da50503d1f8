"""Buyer organisations and the membership of users in them."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class OrganisationKind(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return {"public": "Acheteur public", "private": "Entreprise privée"}[self.value]


class SizeClass(enum.StrEnum):
    """INSEE company size categories."""

    MICRO = "micro"
    SME = "sme"
    MID = "mid"
    LARGE = "large"

    @property
    def label(self) -> str:
        return SIZE_LABELS[self]


SIZE_LABELS = {
    SizeClass.MICRO: "TPE (moins de 10 salariés)",
    SizeClass.SME: "PME (10 à 249 salariés)",
    SizeClass.MID: "ETI (250 à 4 999 salariés)",
    SizeClass.LARGE: "Grande entreprise ou administration (5 000 salariés et plus)",
}


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"pending": "En attente", "active": "Membre", "refused": "Refusée"}[self.value]


class BuyerOrganisation(db.Model):
    __tablename__ = "buyer_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    size_class: Mapped[SizeClass] = mapped_column(enum_column(SizeClass))
    sector: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255))
    postcode: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", order_by="Membership.requested_at"
    )

    def __repr__(self) -> str:
        return f"<BuyerOrganisation {self.id} {self.name}>"


class Membership(db.Model):
    """A user's membership of a buyer organisation, from the request to the decision."""

    __tablename__ = "organisation_memberships"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id"),
        # A user belongs to at most one buyer organisation at a time.
        Index(
            "uq_organisation_memberships_one_active_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus))
    message: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[BuyerOrganisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
