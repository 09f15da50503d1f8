"""The meeting programme: what it holds, manual changes, publication (scheduler runs:
events/meetings/runs.py).

Every change goes through `seat` / `unseat`, which keep a MeetingSeat per
participant and slot: together with the one-meeting-per-table-and-slot index, the
database refuses a double booking even when two edits race.
"""

import logging
from types import SimpleNamespace

from sqlalchemy import func, select, union_all, update
from sqlalchemy.orm import aliased, selectinload

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, FairTable, Participant, ParticipantStatus, Slot
from events.fairs.registration import confirmed_only, confirmed_participants, ensure_manages
from events.fairs.services import ensure_organiser
from events.meetings import notifications
from events.meetings.models import (
    Meeting,
    MeetingOrigin,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    RequestStatus,
)
from events.meetings.requests import (
    OPEN_STATUSES,
    add_must_meet,
    between,
    counts_for_scheduling,
    live_meetings_between,
)
from events.meetings.video import room_url
from marketplace import french
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotFound, flush_or_conflict
from marketplace.extensions import db
from marketplace.timeutil import utc_to_paris, utcnow

log = logging.getLogger(__name__)

HOLDS_TABLE = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)


def get_meeting(fair: Fair, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.fair_id != fair.id:
        raise NotFound("Ce rendez-vous n'existe pas.")
    return meeting


def meetings_of_fair(fair: Fair) -> list[Meeting]:
    """The fair's live meetings, by slot then table, with their participants, slot and table."""
    return list(db.session.scalars(_in_programme_order(select(Meeting), fair).options(
        selectinload(Meeting.a), selectinload(Meeting.b), selectinload(Meeting.slot), selectinload(Meeting.table))))


def _live(fair: Fair) -> list:
    """The conditions of the fair's meetings that count (not cancelled)."""
    return [Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED]


def _in_programme_order(statement, fair: Fair):
    """The fair's live meetings, by slot then table (online ones, at no table, last)."""
    return (statement.join(Slot, Slot.id == Meeting.slot_id).outerjoin(FairTable, FairTable.id == Meeting.table_id)
            .where(*_live(fair)).order_by(Slot.starts_at, FairTable.number.is_(None), FairTable.number, Meeting.id))


def meeting_rows(fair: Fair, slot_ids: list[int]) -> list[SimpleNamespace]:
    """The meetings of some slots as the programme page shows them (by slot, then
    table): plain rows read in one query, with their table's and participants' names,
    not objects with their relations (a 250-table fair fills 250 rows a slot)."""
    a, b = aliased(Participant), aliased(Participant)
    rows = db.session.execute(_in_programme_order(
        select(Meeting.id, Meeting.slot_id, Meeting.status, Meeting.origin, Meeting.locked, Meeting.published_at,
               Meeting.video_url,
               FairTable.id.label("table_id"), FairTable.name.label("table_name"), a.id.label("a_id"),
               a.name.label("a_name"), b.id.label("b_id"),
               b.name.label("b_name")), fair)
        .join(a, a.id == Meeting.a_id).join(b, b.id == Meeting.b_id).where(Meeting.slot_id.in_(slot_ids)))
    return [SimpleNamespace(id=r.id, slot_id=r.slot_id, status=r.status, origin=r.origin, locked=r.locked,
                            published_at=r.published_at, video_url=r.video_url,
                            table=SimpleNamespace(id=r.table_id, name=r.table_name or "En visio"),
                            a=SimpleNamespace(id=r.a_id, name=r.a_name), b=SimpleNamespace(id=r.b_id, name=r.b_name))
            for r in rows]


def programme_counts(fair: Fair) -> tuple[int, int]:
    """(meetings, of which unpublished), counted in SQL: a big fair's programme holds
    thousands of meetings that its page does not all show."""
    return tuple(db.session.execute(select(
        func.count(), func.count().filter(Meeting.published_at.is_(None))).where(*_live(fair))).one())


def participants_served(fair: Fair, listed: int) -> tuple[int, int, list]:
    """(confirmed participants, of whom without a meeting, the `listed` least served):
    the least served are rows (id, name, role, max_meetings, meetings), fewest meetings
    first, counted in SQL rather than by loading a 3,000-participant fair."""
    ends = union_all(select(Meeting.a_id.label("participant_id")).where(*_live(fair)),
                     select(Meeting.b_id.label("participant_id")).where(*_live(fair))).subquery()
    per = (select(ends.c.participant_id, func.count().label("meetings"))
           .group_by(ends.c.participant_id).subquery())
    meetings = func.coalesce(per.c.meetings, 0)
    # The counts over every confirmed participant ride along the listed rows (window
    # functions run before the limit; at least one row is read, for them): one pass.
    least_served = db.session.execute(confirmed_only(
        select(Participant.id, Participant.name, Participant.role, Participant.max_meetings,
               meetings.label("meetings"), func.count().over().label("confirmed"),
               func.count().filter(per.c.participant_id.is_(None)).over().label("without"))
        .select_from(Participant).outerjoin(per, per.c.participant_id == Participant.id), fair, ordered=False)
        .order_by(meetings, Participant.name, Participant.id).limit(max(1, listed))).all()
    confirmed, without = (least_served[0].confirmed, least_served[0].without) if least_served else (0, 0)
    least_served = least_served[:listed]
    return confirmed, without, least_served


def meetings_of(participant: Participant, published_only: bool = False, with_cancelled: bool = False) -> list[Meeting]:
    """A participant's meetings by time: live ones (missed included), and with
    `with_cancelled` the published ones since cancelled (a calendar must drop them)."""
    query = (select(Meeting).join(Slot, Slot.id == Meeting.slot_id)
             .where((Meeting.a_id == participant.id) | (Meeting.b_id == participant.id)).order_by(Slot.starts_at))
    if with_cancelled:
        query = query.where((Meeting.status != MeetingStatus.CANCELLED) | Meeting.published_at.is_not(None))
    else:
        query = query.where(Meeting.status != MeetingStatus.CANCELLED)
    if published_only:
        query = query.where(Meeting.published_at.is_not(None))
    return list(db.session.scalars(query))


def agendas_of_fair(fair: Fair) -> list[tuple[Participant, list[Meeting]]]:
    """Each confirmed participant (by name) with their live meetings by time, read in
    two queries: the booklet of every agenda."""
    by_participant: dict[int, list[Meeting]] = {}
    for meeting in meetings_of_fair(fair):
        for participant_id in (meeting.a_id, meeting.b_id):
            by_participant.setdefault(participant_id, []).append(meeting)
    participants = db.session.scalars(confirmed_only(select(Participant), fair).options(
        selectinload(Participant.table)))
    return [(p, by_participant.get(p.id, [])) for p in participants]


def confirmed_participant_rows(fair: Fair) -> list:
    """(id, name, role, max_meetings) of the confirmed participants, by name: plain rows,
    for a small fair's participant lists on the programme page."""
    return list(db.session.execute(confirmed_only(
        select(Participant.id, Participant.name, Participant.role, Participant.max_meetings), fair)))


# --- seats ------------------------------------------------------------------

def seat(meeting: Meeting) -> None:
    for participant_id in (meeting.a_id, meeting.b_id):
        meeting.seats.append(MeetingSeat(participant_id=participant_id, slot_id=meeting.slot_id))


def unseat(meeting: Meeting) -> None:
    meeting.seats.clear()


# --- checks for manual changes ----------------------------------------------

def slot_label(slot: Slot) -> str:
    """18 mars 2027 à 10 h 40, as read in Paris."""
    return french.day_and_time(utc_to_paris(slot.starts_at))


def _check_can_sit(fair: Fair, participant: Participant, slot: Slot, ignoring: Meeting | None = None) -> None:
    if participant.status != ParticipantStatus.CONFIRMED:
        raise DomainError(f"{participant.name} n'a pas d'inscription confirmée.", "slot")
    if slot.session_id not in {s.id for s in participant.sessions}:
        raise DomainError(f"{participant.name} n'est pas disponible le {slot_label(slot)} "
                          f"(session « {slot.session.name} » non choisie).", "slot")
    taken = db.session.scalar(select(MeetingSeat).where(
        MeetingSeat.participant_id == participant.id, MeetingSeat.slot_id == slot.id,
        MeetingSeat.meeting_id != (ignoring.id if ignoring else -1)))
    if taken is not None:
        raise Conflict(f"Double réservation : {participant.name} a déjà un rendez-vous le {slot_label(slot)}.")


def free_table(fair: Fair, slot: Slot, wanted: FairTable | None, ignoring: Meeting | None = None) -> FairTable:
    used = set(db.session.scalars(select(Meeting.table_id).where(
        Meeting.slot_id == slot.id, Meeting.status.in_(HOLDS_TABLE), Meeting.id != (ignoring.id if ignoring else -1))))
    if wanted is not None:
        if wanted.id in used:
            raise Conflict(f"La table « {wanted.name} » est déjà occupée le {slot_label(slot)}.")
        return wanted
    free = next((table for table in fair.tables if table.id not in used), None)
    if free is None:
        raise Conflict(f"Aucune table libre le {slot_label(slot)}.")
    return free


def settle(meeting: Meeting, slot: Slot, wanted: FairTable | None = None, online: bool = False,
           ignoring: Meeting | None = None) -> None:
    """Where the meeting sits in `slot`: online (a session held by video, or asked for),
    at no table with a video room of its own; else at a free table, the one wanted if
    given."""
    if online or slot.session.online:
        meeting.table, meeting.table_id = None, None
        meeting.video_url = meeting.video_url or room_url(slot.session.fair)
        return
    table = free_table(slot.session.fair, slot, wanted, ignoring=ignoring)
    meeting.table, meeting.table_id, meeting.video_url = table, table.id, None


def set_online(meeting: Meeting, online: bool, actor: User) -> Meeting:
    """The organiser holds a meeting by video (its table is freed) or back at a table."""
    ensure_organiser(meeting.fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut changer de lieu.")
    if not online and meeting.slot.session.online:
        raise DomainError(f"La session « {meeting.slot.session.name} » se tient en visio : pas de table.")
    if online == meeting.is_online:
        return meeting
    before = meeting.place
    settle(meeting, meeting.slot, online=online, ignoring=meeting)
    meeting.sequence += 1
    flush_or_conflict(f"Cette table vient d'être prise ({slot_label(meeting.slot)}) : rechargez le programme.")
    if meeting.published_at is not None:
        notifications.meeting_changed(meeting, "moved", before=f"{slot_label(meeting.slot)}, {before}")
    return meeting


def _slot_and_table(fair: Fair, slot_id: int, table_id: int | None) -> tuple[Slot, FairTable | None]:
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.fair_id != fair.id:
        raise DomainError("Créneau inconnu pour ce salon.", "slot")
    table = None
    if table_id:
        table = db.session.get(FairTable, table_id)
        if table is None or table.fair_id != fair.id:
            raise DomainError("Table inconnue pour ce salon.", "table")
    return slot, table


# --- manual changes -----------------------------------------------------------

def add_meeting(fair: Fair, a: Participant, b: Participant, slot_id: int, table_id: int | None,
                actor: User) -> Meeting:
    """The organiser places a meeting by hand: it is locked, and a must-meet request
    records the pair if nobody had asked."""
    ensure_organiser(fair, actor)
    if a.id == b.id:
        raise DomainError("Choisissez deux participants différents.", "b")
    if live_meetings_between(a, b):
        raise Conflict(f"{a.name} et {b.name} ont déjà un rendez-vous.")
    slot, table = _slot_and_table(fair, slot_id, table_id)
    for participant in (a, b):
        _check_can_sit(fair, participant, slot)
    meeting = Meeting(fair_id=fair.id, a=a, b=b, a_id=a.id, b_id=b.id, slot=slot, slot_id=slot.id,
                      origin=MeetingOrigin.MANUAL, locked=True)
    settle(meeting, slot, table)
    if not any(counts_for_scheduling(r, fair) for r in between(a, b)):
        add_must_meet(fair, a, b, actor)
    db.session.add(meeting)
    seat(meeting)
    flush_or_conflict(f"Ce créneau vient d'être pris ({slot_label(slot)}) : rechargez le programme.")
    return meeting


def move_meeting(meeting: Meeting, slot_id: int, table_id: int | None, actor: User) -> Meeting:
    fair = meeting.fair
    ensure_organiser(fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut être déplacé.")
    before = f"{slot_label(meeting.slot)}, {meeting.place}"
    slot, table = _slot_and_table(fair, slot_id, table_id)
    for participant in (meeting.a, meeting.b):
        _check_can_sit(fair, participant, slot, ignoring=meeting)
    stays_online = meeting.is_online and table is None
    if not (slot.session.online or stays_online):
        free_table(fair, slot, table, ignoring=meeting)  # refused here, before anything moves
    unseat(meeting)
    db.session.flush()
    meeting.slot, meeting.slot_id = slot, slot.id
    settle(meeting, slot, table, online=stays_online, ignoring=meeting)
    meeting.locked = True  # moved by hand: a re-run keeps it
    meeting.sequence += 1  # calendars replace the old time
    seat(meeting)
    flush_or_conflict(f"Ce créneau vient d'être pris ({slot_label(slot)}) : rechargez le programme.")
    if meeting.published_at is not None:
        notifications.meeting_changed(meeting, "moved", before=before)
    return meeting


def set_locked(meeting: Meeting, locked: bool, actor: User) -> Meeting:
    ensure_organiser(meeting.fair, actor)
    meeting.locked = locked
    db.session.flush()
    return meeting


def cancel_meeting(meeting: Meeting, actor: User | None, check: bool = True) -> Meeting:
    if check:
        ensure_organiser(meeting.fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut être annulé.")
    meeting.status, meeting.cancelled_at = MeetingStatus.CANCELLED, utcnow()
    meeting.sequence += 1
    unseat(meeting)
    db.session.flush()
    if meeting.published_at is not None:
        notifications.meeting_changed(meeting, "cancelled")
    return meeting


@fairs_hooks.participant_cancelled.connect
def cancel_meetings_of(participant: Participant) -> int:
    """When a registration is cancelled: its upcoming meetings are cancelled."""
    count = 0
    for meeting in meetings_of(participant):
        if meeting.status == MeetingStatus.SCHEDULED:
            cancel_meeting(meeting, None, check=False)
            count += 1
    return count


def withdraw_request(request: MeetingRequest, actor: User) -> MeetingRequest:
    """The requester withdraws; a meeting already placed for the pair is cancelled."""
    ensure_manages(request.requester, actor)
    if request.status not in OPEN_STATUSES:
        raise Conflict("Cette demande n'est plus en cours.")
    request.status = RequestStatus.WITHDRAWN
    request.decided_at = utcnow()
    for meeting in live_meetings_between(request.requester, request.recipient):
        if meeting.status == MeetingStatus.SCHEDULED:
            cancel_meeting(meeting, actor, check=False)
    db.session.flush()
    return request


# --- publication ------------------------------------------------------------------

def publish_programme(fair: Fair, actor: User) -> int:
    """Send the agendas: the first time to every participant; afterwards only to those
    with meetings not yet published. Returns how many participants were told.

    The meetings are marked published with a conditional update, so that two organisers
    publishing at once cannot both send them: the second finds nothing new."""
    ensure_organiser(fair, actor)
    meetings = meetings_of_fair(fair)
    if not meetings:
        raise DomainError("Le programme ne contient aucun rendez-vous.")
    now = utcnow()
    first_time = db.session.execute(
        update(Fair).where(Fair.id == fair.id, Fair.programme_published_at.is_(None))
        .values(programme_published_at=now).execution_options(synchronize_session=False)).rowcount == 1
    claimed = db.session.execute(
        update(Meeting).where(Meeting.id.in_([m.id for m in meetings]), Meeting.published_at.is_(None))
        .values(published_at=now).returning(Meeting.id).execution_options(synchronize_session=False)).scalars().all()
    if not first_time and not claimed:
        raise DomainError("Rien de nouveau à publier : les participants ont déjà leur agenda à jour.")
    db.session.expire_all()
    touched = {p for m in meetings if m.id in set(claimed) for p in (m.a_id, m.b_id)}
    told = 0
    for participant in confirmed_participants(fair):
        if first_time or participant.id in touched:
            notifications.agenda_published(participant, meetings_of(participant, published_only=True), first_time)
            told += 1
    return told


@fairs_hooks.fair_has_meetings.answer
def fair_has_meetings(fair: Fair) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.fair_id == fair.id).limit(1)) is not None


@fairs_hooks.table_holds_meetings.answer
def table_holds_meetings(table_id: int) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.table_id == table_id).limit(1)) is not None
