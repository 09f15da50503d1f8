"""Meeting requests, meetings (with the seats that keep anyone from being in two
places at once), scheduler runs and feedback."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.fairs.models import Fair, FairTable, Participant, Slot
from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.timeutil import utcnow


class RequestStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the recipient (or a wish, in wishes mode)
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"pending": "En attente", "accepted": "Acceptée", "declined": "Refusée",
                "withdrawn": "Retirée"}[self.value]


PRIORITY_LABELS = {1: "Prioritaire", 2: "Souhaitée", 3: "Si possible"}


class MeetingRequest(db.Model):
    __tablename__ = "meeting_requests"
    __table_args__ = (
        UniqueConstraint("requester_id", "recipient_id"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority"),
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(default=2)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.PENDING)
    must_meet: Mapped[bool] = mapped_column(default=False)  # added by an organiser
    auto: Mapped[bool] = mapped_column(default=False)  # a wish added from the suggestions, for one who sent few
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    requester: Mapped[Participant] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[recipient_id])

    @property
    def priority_label(self) -> str:
        return PRIORITY_LABELS[self.priority]


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"scheduled": "Prévu", "held": "Tenu", "no_show": "Absence",
                "cancelled": "Annulé"}[self.value]


class MeetingOrigin(enum.StrEnum):
    SCHEDULER = "scheduler"
    MANUAL = "manual"
    LAST_MINUTE = "last_minute"  # placed on the day in a slot freed by a no-show


# A cancelled meeting, or one missed by a no-show, frees its table.
TABLE_HOLDING = "status IN ('scheduled', 'held')"


class Meeting(db.Model):
    """One business meeting between two participants, in a slot, at a table.

    A scheduled or held meeting holds its table for its slot (partial unique index) and
    each of its two participants' seat in that slot (MeetingSeat), so concurrent edits
    cannot double-book either.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        Index("uq_meetings_table_per_slot", "slot_id", "table_id", unique=True,
              sqlite_where=text(TABLE_HOLDING), postgresql_where=text(TABLE_HOLDING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("fair_slots.id"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("fair_tables.id"))  # none: online
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.SCHEDULED)
    origin: Mapped[MeetingOrigin] = mapped_column(enum_column(MeetingOrigin), default=MeetingOrigin.SCHEDULER)
    locked: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]  # when its participants were told
    absent_id: Mapped[int | None] = mapped_column(ForeignKey("fair_participants.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)  # raised at each change its calendars must follow
    reminded_at: Mapped[datetime | None]  # when both parties were reminded of it
    video_url: Mapped[str | None] = mapped_column(String(300))  # an online meeting's room (it takes no table)

    fair: Mapped[Fair] = relationship()
    a: Mapped[Participant] = relationship(foreign_keys=[a_id])
    b: Mapped[Participant] = relationship(foreign_keys=[b_id])
    slot: Mapped[Slot] = relationship()
    table: Mapped[FairTable | None] = relationship()
    seats: Mapped[list["MeetingSeat"]] = relationship(cascade="all, delete-orphan")
    feedback: Mapped[list["MeetingFeedback"]] = relationship(cascade="all, delete-orphan")

    @property
    def is_live(self) -> bool:
        return self.status != MeetingStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        return self.video_url is not None

    @property
    def place(self) -> str:
        """Where it happens, as agendas say it: « Table 3 — table de Veolia », « En visio »."""
        return "En visio" if self.is_online else self.table.label

    def other(self, participant: Participant) -> Participant:
        return self.b if participant.id == self.a_id else self.a

    def involves(self, participant_id: int) -> bool:
        return participant_id in (self.a_id, self.b_id)


class MeetingSeat(db.Model):
    """A participant's seat in a slot: at most one per participant and slot."""

    __tablename__ = "meeting_seats"
    __table_args__ = (UniqueConstraint("participant_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("fair_slots.id"))


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "En file d'attente", "running": "En cours", "done": "Terminé",
                "failed": "Échec"}[self.value]


class ScheduleRun(db.Model):
    """One run of the scheduler for a fair, with its progress and what it left out."""

    __tablename__ = "schedule_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    step: Mapped[str] = mapped_column(String(120), default="En file d'attente")
    stats: Mapped[str | None] = mapped_column(Text)  # JSON
    # JSON: [{"request_id", "reason"}], up to a megabyte: read only when asked for.
    left_out: Mapped[str | None] = mapped_column(Text, deferred=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]  # when a worker took it (again, if the first one died)
    stop_requested_at: Mapped[datetime | None]  # the organiser asked to stop and keep the best so far
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()


class MeetingFeedback(db.Model):
    __tablename__ = "meeting_feedback"
    __table_args__ = (
        UniqueConstraint("meeting_id", "participant_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id"))
    rating: Mapped[int]
    follow_up: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"))  # the quote request it led to
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[Need | None] = relationship()
