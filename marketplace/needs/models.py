"""Needs (calls for tenders, consultations, quote requests, sourcing), their lots and
questions, and the suppliers each need was matched to, with every step they took."""

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.geography.models import Commune
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import Sector, SupplierKind, service_kinds_of
from marketplace.timeutil import utcnow


class NeedKind(enum.StrEnum):
    TENDER = "tender"
    CONSULTATION = "consultation"
    QUOTE = "quote"
    SOURCING = "sourcing"

    @property
    def label(self) -> str:
        return {"tender": "Appel d'offres", "consultation": "Consultation", "quote": "Demande de devis",
                "sourcing": "Sourcing"}[self.value]

    @property
    def takes_offers(self) -> bool:
        """Sourcing asks "who could do this?": suppliers say they are interested, nothing more."""
        return self != NeedKind.SOURCING


class NeedStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for moderation
    PUBLISHED = "published"
    CLOSED = "closed"  # the deadline passed: offers are frozen, the buyer decides
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # by moderation, with a reason

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    NeedStatus.DRAFT: "Brouillon",
    NeedStatus.SUBMITTED: "En attente de validation",
    NeedStatus.PUBLISHED: "Publié",
    NeedStatus.CLOSED: "Clos, en cours de décision",
    NeedStatus.AWARDED: "Attribué",
    NeedStatus.UNSUCCESSFUL: "Sans suite",
    NeedStatus.CANCELLED: "Annulé",
    NeedStatus.REJECTED: "Refusé par la modération",
}
# Needs that suppliers may see (once told): published, then the decision.
VISIBLE_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.AWARDED, NeedStatus.UNSUCCESSFUL,
                    NeedStatus.CANCELLED)


class NeedArea(enum.StrEnum):
    FRANCE = "france"
    COMMUNE = "commune"  # a commune and a radius around it
    ZONES = "zones"  # departments and regions

    @property
    def label(self) -> str:
        return {"france": "Toute la France", "commune": "Autour d'une commune",
                "zones": "Départements ou régions"}[self.value]


class AnswerMode(enum.StrEnum):
    PLATFORM = "platform"
    EXTERNAL = "external"  # by email, phone or a link the buyer gives

    @property
    def label(self) -> str:
        return {"platform": "Sur la plateforme", "external": "Par e-mail, téléphone ou lien"}[self.value]


need_sectors = Table(
    "need_sectors", db.metadata,
    Column("need_id", ForeignKey("needs.id"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id"), primary_key=True),
)

lot_sectors = Table(
    "need_lot_sectors", db.metadata,
    Column("lot_id", ForeignKey("need_lots.id"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id"), primary_key=True),
)


class Need(db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        Index("ix_needs_status_deadline", "status", "deadline"),
        Index("ix_needs_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[NeedKind] = mapped_column(enum_column(NeedKind))
    status: Mapped[NeedStatus] = mapped_column(enum_column(NeedStatus), default=NeedStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    service_kinds: Mapped[int] = mapped_column(Integer, default=0)  # ServiceKind bits; 0: any kind
    wanted_kinds: Mapped[str] = mapped_column(String(120), default="")  # SupplierKind values, comma-separated
    # Where
    area: Mapped[NeedArea] = mapped_column(enum_column(NeedArea))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    radius_km: Mapped[int | None] = mapped_column(Integer)
    department_codes: Mapped[str] = mapped_column(String(400), default="")  # comma-separated
    region_codes: Mapped[str] = mapped_column(String(100), default="")
    # Money and dates
    budget_min_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_max_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_visible: Mapped[bool] = mapped_column(default=False)
    deadline: Mapped[datetime | None]  # naive UTC
    start_date: Mapped[date | None]
    social_clause: Mapped[bool] = mapped_column(default=False)
    insertion_hours: Mapped[int | None] = mapped_column(Integer)
    # How suppliers answer, and what they see of the buyer
    answer_mode: Mapped[AnswerMode] = mapped_column(enum_column(AnswerMode), default=AnswerMode.PLATFORM)
    answer_instructions: Mapped[str | None] = mapped_column(Text)
    show_contact: Mapped[bool] = mapped_column(default=True)
    is_public: Mapped[bool] = mapped_column(default=False)  # any supplier may read and answer it
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # Life
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    last_batch_at: Mapped[datetime | None]

    organisation: Mapped[BuyerOrganisation] = relationship()
    author: Mapped[User] = relationship()
    commune: Mapped[Commune | None] = relationship()
    sectors: Mapped[list[Sector]] = relationship(secondary=need_sectors, order_by=Sector.name)
    lots: Mapped[list["NeedLot"]] = relationship(back_populates="need", cascade="all, delete-orphan",
                                                 order_by="NeedLot.position")
    questions: Mapped[list["NeedQuestion"]] = relationship(cascade="all, delete-orphan",
                                                           order_by="NeedQuestion.position")
    deadline_changes: Mapped[list["NeedDeadlineChange"]] = relationship(order_by="NeedDeadlineChange.id",
                                                                        viewonly=True)

    @property
    def kinds_of_service(self):
        return service_kinds_of(self.service_kinds)

    @property
    def supplier_kinds(self) -> list[SupplierKind]:
        return [SupplierKind(value) for value in self.wanted_kinds.split(",") if value]

    @property
    def departments(self) -> list[str]:
        return [code for code in self.department_codes.split(",") if code]

    @property
    def regions(self) -> list[str]:
        return [code for code in self.region_codes.split(",") if code]

    @property
    def all_sectors(self) -> list[Sector]:
        """The need's sectors and its lots' sectors: what suppliers are matched on."""
        found = {sector.id: sector for sector in self.sectors}
        for lot in self.lots:
            found.update((sector.id, sector) for sector in lot.sectors)
        return sorted(found.values(), key=lambda sector: sector.name)

    @property
    def takes_offers_here(self) -> bool:
        return self.kind.takes_offers and self.answer_mode == AnswerMode.PLATFORM

    def __repr__(self) -> str:
        return f"<Need {self.id} {self.status} {self.title!r}>"


class NeedLot(db.Model):
    """A part of a need that suppliers answer on its own. A need has at least one."""

    __tablename__ = "need_lots"
    __table_args__ = (UniqueConstraint("need_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    budget_min_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_max_cents: Mapped[int | None] = mapped_column(BigInteger)

    need: Mapped[Need] = relationship(back_populates="lots")
    sectors: Mapped[list[Sector]] = relationship(secondary=lot_sectors, order_by=Sector.name)


class NeedQuestion(db.Model):
    __tablename__ = "need_questions"
    __table_args__ = (UniqueConstraint("need_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class NeedDeadlineChange(db.Model):
    """A published need's deadline moved: when, by whom, from what to what. Once offers
    are in, a deadline only moves later (fairness to those who answered)."""

    __tablename__ = "need_deadline_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    previous: Mapped[datetime | None]  # naive UTC
    deadline: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class NeedSource(enum.StrEnum):
    MATCHED = "matched"  # the matching rule found it
    DIRECT = "direct"  # the buyer asked it directly (quote request)
    PUBLIC = "public"  # it found a public need by itself
    CONSORTIUM = "consortium"  # a consortium answering a need one of its members was told

    @property
    def label(self) -> str:
        return {"matched": "Correspondance", "direct": "Sollicitée directement", "public": "Besoin public",
                "consortium": "Groupement"}[self.value]


class NeedSupplier(db.Model):
    """A supplier a need concerns, and each step it took: told, email opened, page viewed,
    interested or not (with a reason), offer submitted."""

    __tablename__ = "need_suppliers"
    __table_args__ = (
        UniqueConstraint("need_id", "supplier_id"),
        Index("ix_need_suppliers_supplier", "supplier_id", "need_id"),
        Index("ix_need_suppliers_batches", "need_id", "told_at", "rank"),
        # The weekly digest reads the matches nobody answered yet, grouped by supplier,
        # from this index alone (millions of rows: no table lookup per row).
        Index("ix_need_suppliers_unanswered", "supplier_id", "need_id", "told_at",
              sqlite_where=text("not_interested_at IS NULL AND offer_submitted_at IS NULL"),
              postgresql_where=text("not_interested_at IS NULL AND offer_submitted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    source: Mapped[NeedSource] = mapped_column(enum_column(NeedSource))
    rank: Mapped[int] = mapped_column(Integer, default=0)  # order of the notification batches (lower first)
    token: Mapped[str] = mapped_column(String(43), unique=True)  # the tracking link's key
    batch: Mapped[int | None] = mapped_column(Integer)
    told_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    email_opened_at: Mapped[datetime | None]
    viewed_at: Mapped[datetime | None]
    interested_at: Mapped[datetime | None]
    not_interested_at: Mapped[datetime | None]
    not_interested_reason: Mapped[str | None] = mapped_column(Text)
    offer_submitted_at: Mapped[datetime | None]

    need: Mapped[Need] = relationship()
    supplier: Mapped[Supplier] = relationship()

    @property
    def step(self) -> str:
        """The furthest step reached, in French."""
        if self.offer_submitted_at:
            return "Offre déposée"
        if self.not_interested_at:
            return "Pas intéressée"
        if self.interested_at:
            return "Intéressée"
        if self.viewed_at:
            return "A consulté le besoin"
        if self.email_opened_at:
            return "A ouvert l'e-mail"
        if self.told_at:
            return "Prévenue"
        return "Pas encore prévenue"
