"""A fair, its organisers, sessions, slots, tables, stands, talks and participants."""

import enum
from datetime import date, datetime, time

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import Sector
from marketplace.timeutil import utcnow


class FairMode(enum.StrEnum):
    REQUESTS = "requests"  # the recipient accepts or declines each request
    WISHES = "wishes"  # both sides rank wishes; the scheduler decides

    @property
    def label(self) -> str:
        return {"requests": "Demandes acceptées ou refusées par le destinataire",
                "wishes": "Souhaits classés, arbitrés par le planificateur"}[self.value]


class ParticipantRole(enum.StrEnum):
    BUYER = "buyer"
    SUPPLIER = "supplier"
    CONSORTIUM = "consortium"
    PARTNER = "partner"  # clause facilitators, networks, institutions

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    ParticipantRole.BUYER: "Acheteur",
    ParticipantRole.SUPPLIER: "Structure inclusive",
    ParticipantRole.CONSORTIUM: "Groupement",
    ParticipantRole.PARTNER: "Partenaire (facilitateur, réseau…)",
}


class ParticipantStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    AWAITING_PAYMENT = "awaiting_payment"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"confirmed": "Inscription confirmée", "awaiting_payment": "En attente de paiement",
                "cancelled": "Inscription annulée"}[self.value]


class Fair(db.Model):
    __tablename__ = "fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    registration_opens_at: Mapped[datetime]  # naive UTC, like every datetime here
    registration_closes_at: Mapped[datetime]
    cancellation_deadline: Mapped[datetime | None]  # until then, a cancelled paid registration is refunded
    mode: Mapped[FairMode] = mapped_column(enum_column(FairMode), default=FairMode.REQUESTS)
    roles: Mapped[str] = mapped_column(String(80), default="buyer,supplier,consortium,partner")
    max_participants: Mapped[int | None]
    max_requests: Mapped[int] = mapped_column(default=15)  # requests a participant may send
    max_meetings: Mapped[int] = mapped_column(default=10)  # the most a participant may ask for
    max_in_a_row: Mapped[int | None]  # the most meetings in a row before a free slot (none: no rule)
    hold_accepted: Mapped[bool] = mapped_column(default=False)  # every accepted request must be held
    reminder_minutes: Mapped[int | None] = mapped_column(default=30)  # mail before each meeting (none: no reminder)
    # Participants who sent fewer requests than this get wishes from their suggestions,
    # when the organiser adds them (until the programme is computed, they can be taken back).
    auto_wishes_below: Mapped[int | None]
    auto_wishes_at: Mapped[datetime | None]
    suggestions_mailed_at: Mapped[datetime | None]  # "whom to meet", mailed before registration closes
    is_visible: Mapped[bool] = mapped_column(default=True)
    programme_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisers: Mapped[list["FairOrganiser"]] = relationship(back_populates="fair", cascade="all, delete-orphan")
    sessions: Mapped[list["FairSession"]] = relationship(
        back_populates="fair", cascade="all, delete-orphan", order_by="(FairSession.day, FairSession.starts)")
    tables: Mapped[list["FairTable"]] = relationship(
        back_populates="fair", cascade="all, delete-orphan", order_by="FairTable.number")
    fees: Mapped[list["FairFee"]] = relationship(cascade="all, delete-orphan")
    stands: Mapped[list["Stand"]] = relationship(cascade="all, delete-orphan", order_by="Stand.name")
    talks: Mapped[list["Talk"]] = relationship(cascade="all, delete-orphan", order_by="Talk.starts_at")

    @property
    def allowed_roles(self) -> list[ParticipantRole]:
        return [ParticipantRole(code) for code in self.roles.split(",") if code]

    def fee_cents(self, role: ParticipantRole) -> int:
        return next((fee.amount_cents for fee in self.fees if fee.role == role), 0)

    def __repr__(self) -> str:
        return f"<Fair {self.id} {self.name}>"


class FairOrganiser(db.Model):
    """Several organisers can co-manage one fair."""

    __tablename__ = "fair_organisers"
    __table_args__ = (UniqueConstraint("fair_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    fair: Mapped[Fair] = relationship(back_populates="organisers")
    user: Mapped[User] = relationship()


class FairFee(db.Model):
    """The registration fee of one participant role, excluding VAT, in cents."""

    __tablename__ = "fair_fees"
    __table_args__ = (UniqueConstraint("fair_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"))
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    amount_cents: Mapped[int] = mapped_column(default=0)


class FairSession(db.Model):
    """A meeting session on one day, in Paris local time: slots of a fixed length with a
    pause between them, none overlapping a break."""

    __tablename__ = "fair_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date]
    starts: Mapped[time]
    ends: Mapped[time]
    slot_minutes: Mapped[int]
    pause_minutes: Mapped[int] = mapped_column(default=0)
    online: Mapped[bool] = mapped_column(default=False)  # its meetings are held by video, at no table

    fair: Mapped[Fair] = relationship(back_populates="sessions")
    breaks: Mapped[list["SessionBreak"]] = relationship(
        cascade="all, delete-orphan", order_by="SessionBreak.starts")
    slots: Mapped[list["Slot"]] = relationship(back_populates="session", order_by="Slot.starts_at")


class SessionBreak(db.Model):
    __tablename__ = "fair_session_breaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("fair_sessions.id"), index=True)
    starts: Mapped[time]
    ends: Mapped[time]
    label: Mapped[str] = mapped_column(String(120), default="Pause")


class Slot(db.Model):
    """One meeting slot (créneau), computed from its session."""

    __tablename__ = "fair_slots"
    __table_args__ = (UniqueConstraint("session_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("fair_sessions.id"))
    starts_at: Mapped[datetime]  # naive UTC
    ends_at: Mapped[datetime]

    session: Mapped[FairSession] = relationship(back_populates="slots")


class FairTable(db.Model):
    __tablename__ = "fair_tables"
    __table_args__ = (UniqueConstraint("fair_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))

    fair: Mapped[Fair] = relationship(back_populates="tables")
    holders: Mapped[list["Participant"]] = relationship(
        primaryjoin="FairTable.id == foreign(Participant.table_id)", viewonly=True)

    @property
    def holder(self) -> "Participant | None":
        """The confirmed participant whose stand this table is, if any."""
        return next((p for p in self.holders if p.is_confirmed), None)

    @property
    def label(self) -> str:
        """The table's name, and whose own table it is: « Table 4 — table de Veolia »."""
        holder = self.holder
        return f"{self.name} — table de {holder.name}" if holder else self.name


class Stand(db.Model):
    __tablename__ = "fair_stands"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    holder: Mapped[str | None] = mapped_column(String(200))


class Talk(db.Model):
    """A talk or round table in the fair's programme."""

    __tablename__ = "fair_talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    speakers: Mapped[str | None] = mapped_column(String(255))
    room: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


participant_sectors = Table(
    "fair_participant_sectors",
    db.metadata,
    Column("participant_id", Integer, ForeignKey("fair_participants.id"), primary_key=True),
    Column("sector_id", Integer, ForeignKey("sectors.id"), primary_key=True),
)

participant_unavailable = Table(  # slots a participant blocked (arriving late, leaving early, ...)
    "fair_participant_unavailable_slots",
    db.metadata,
    Column("participant_id", Integer, ForeignKey("fair_participants.id"), primary_key=True),
    Column("slot_id", Integer, ForeignKey("fair_slots.id"), primary_key=True),
)

participant_sessions = Table(
    "fair_participant_sessions",
    db.metadata,
    Column("participant_id", Integer, ForeignKey("fair_participants.id"), primary_key=True),
    Column("session_id", Integer, ForeignKey("fair_sessions.id"), primary_key=True),
)


class Participant(db.Model):
    """An organisation registered at a fair: a buyer organisation, a supplier or
    consortium, or a partner. Its members manage the registration."""

    __tablename__ = "fair_participants"
    __table_args__ = (
        UniqueConstraint("fair_id", "buyer_organisation_id", name="uq_fair_participants_buyer_organisation"),
        UniqueConstraint("fair_id", "supplier_id", name="uq_fair_participants_supplier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    buyer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("buyer_organisations.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the partner's account, or who registered
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(3))
    supplier_kind: Mapped[str | None] = mapped_column(String(20))
    pitch: Mapped[str] = mapped_column(Text)  # what they buy or offer at this fair
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    max_meetings: Mapped[int]
    max_in_a_row: Mapped[int | None]  # overrides the fair's rule for this participant
    table_id: Mapped[int | None] = mapped_column(ForeignKey("fair_tables.id"))  # their stand: a table all day
    status: Mapped[ParticipantStatus] = mapped_column(
        enum_column(ParticipantStatus), default=ParticipantStatus.CONFIRMED)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_in_at: Mapped[datetime | None]

    fair: Mapped[Fair] = relationship()
    buyer_organisation: Mapped[BuyerOrganisation | None] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    sectors: Mapped[list[Sector]] = relationship(secondary=participant_sectors, order_by="Sector.name")
    sessions: Mapped[list[FairSession]] = relationship(secondary=participant_sessions)
    attendees: Mapped[list["Attendee"]] = relationship(cascade="all, delete-orphan", order_by="Attendee.id")
    table: Mapped[FairTable | None] = relationship()
    unavailable: Mapped[list[Slot]] = relationship(secondary=participant_unavailable, order_by="Slot.starts_at")

    @property
    def pause_rule(self) -> int | None:
        """The most meetings in a row this participant will be given (their own rule, else the fair's)."""
        return self.max_in_a_row or self.fair.max_in_a_row

    @property
    def is_confirmed(self) -> bool:
        return self.status == ParticipantStatus.CONFIRMED

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.name} ({self.role})>"


class Attendee(db.Model):
    """A person who comes to the fair for a participant."""

    __tablename__ = "fair_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    job_title: Mapped[str | None] = mapped_column(String(120))
