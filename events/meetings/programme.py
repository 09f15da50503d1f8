"""The meeting programme: scheduler runs, manual changes, publication.

Every change goes through `seat` / `unseat`, which keep a MeetingSeat per
participant and slot: together with the one-meeting-per-table-and-slot index, the
database refuses a double booking even when two edits race.
"""

import json
import logging
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from events.fairs.models import Fair, FairTable, Participant, ParticipantStatus, Slot
from events.fairs.services import ensure_organiser, slots_of
from events.meetings import notifications
from events.meetings.models import (
    Meeting,
    MeetingOrigin,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    RunStatus,
    ScheduleRun,
)
from events.meetings.requests import (
    add_must_meet,
    between,
    counts_for_scheduling,
    live_meetings_between,
    scheduling_requests,
)
from events.scheduling import InstanceError, load_problem, solve
from events.scheduling.solver import REASONS_FR
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
    return list(db.session.scalars(
        select(Meeting).join(Slot, Slot.id == Meeting.slot_id).join(FairTable, FairTable.id == Meeting.table_id)
        .where(Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED)
        .options(selectinload(Meeting.a), selectinload(Meeting.b), selectinload(Meeting.slot),
                 selectinload(Meeting.table))
        .order_by(Slot.starts_at, FairTable.number)))


def meeting_rows(fair: Fair, slot_ids: list[int]) -> list[SimpleNamespace]:
    """The meetings of some slots as the programme page shows them (by slot, then
    table): plain rows read in one query, with their table's and participants' names,
    not objects with their relations (a 250-table fair fills 250 rows a slot)."""
    a, b = aliased(Participant), aliased(Participant)
    rows = db.session.execute(
        select(Meeting.id, Meeting.slot_id, Meeting.status, Meeting.origin, Meeting.locked, Meeting.published_at,
               FairTable.name.label("table_name"), a.id.label("a_id"), a.name.label("a_name"), b.id.label("b_id"),
               b.name.label("b_name"))
        .join(Slot, Slot.id == Meeting.slot_id).join(FairTable, FairTable.id == Meeting.table_id)
        .join(a, a.id == Meeting.a_id).join(b, b.id == Meeting.b_id)
        .where(Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED, Meeting.slot_id.in_(slot_ids))
        .order_by(Slot.starts_at, FairTable.number))
    return [SimpleNamespace(id=r.id, slot_id=r.slot_id, status=r.status, origin=r.origin, locked=r.locked,
                            published_at=r.published_at, table=SimpleNamespace(name=r.table_name),
                            a=SimpleNamespace(id=r.a_id, name=r.a_name), b=SimpleNamespace(id=r.b_id, name=r.b_name))
            for r in rows]


def programme_counts(fair: Fair) -> tuple[int, int, dict[int, int]]:
    """(meetings, of which unpublished, meetings per participant), counted in SQL: a big
    fair's programme holds thousands of meetings that its page does not all show."""
    live = [Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED]
    total, unpublished = db.session.execute(select(
        func.count(), func.count().filter(Meeting.published_at.is_(None))).where(*live)).one()
    per_participant: dict[int, int] = {}
    for column in (Meeting.a_id, Meeting.b_id):
        for participant_id, count in db.session.execute(select(column, func.count()).where(*live).group_by(column)):
            per_participant[participant_id] = per_participant.get(participant_id, 0) + count
    return total, unpublished, per_participant


def meetings_of(participant: Participant, published_only: bool = False) -> list[Meeting]:
    query = (select(Meeting).join(Slot, Slot.id == Meeting.slot_id)
             .where((Meeting.a_id == participant.id) | (Meeting.b_id == participant.id),
                    Meeting.status != MeetingStatus.CANCELLED).order_by(Slot.starts_at))
    if published_only:
        query = query.where(Meeting.published_at.is_not(None))
    return list(db.session.scalars(query))


def confirmed_participant_rows(fair: Fair) -> list:
    """(id, name, role, max_meetings) of the confirmed participants, by name: plain rows,
    for the programme page's lists of thousands."""
    return list(db.session.execute(
        select(Participant.id, Participant.name, Participant.role, Participant.max_meetings)
        .where(Participant.fair_id == fair.id, Participant.status == ParticipantStatus.CONFIRMED)
        .order_by(Participant.name)))


def confirmed_participants(fair: Fair, with_sessions: bool = False) -> list[Participant]:
    query = select(Participant).where(Participant.fair_id == fair.id,
                                      Participant.status == ParticipantStatus.CONFIRMED).order_by(Participant.name)
    if with_sessions:
        query = query.options(selectinload(Participant.sessions))
    return list(db.session.scalars(query))


# --- seats ------------------------------------------------------------------

def seat(meeting: Meeting) -> None:
    for participant_id in (meeting.a_id, meeting.b_id):
        meeting.seats.append(MeetingSeat(participant_id=participant_id, slot_id=meeting.slot_id))


def unseat(meeting: Meeting) -> None:
    meeting.seats.clear()


# --- checks for manual changes ----------------------------------------------

def slot_label(slot: Slot) -> str:
    return utc_to_paris(slot.starts_at).strftime("%d/%m à %H:%M")


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
    table = free_table(fair, slot, table)
    if not any(counts_for_scheduling(r, fair) for r in between(a, b)):
        add_must_meet(fair, a, b, actor)
    meeting = Meeting(fair_id=fair.id, a=a, b=b, a_id=a.id, b_id=b.id, slot=slot, slot_id=slot.id, table=table,
                      table_id=table.id, origin=MeetingOrigin.MANUAL, locked=True)
    db.session.add(meeting)
    seat(meeting)
    flush_or_conflict(f"Ce créneau vient d'être pris ({slot_label(slot)}) : rechargez le programme.")
    return meeting


def move_meeting(meeting: Meeting, slot_id: int, table_id: int | None, actor: User) -> Meeting:
    fair = meeting.fair
    ensure_organiser(fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut être déplacé.")
    before = f"{slot_label(meeting.slot)}, {meeting.table.name}"
    slot, table = _slot_and_table(fair, slot_id, table_id)
    for participant in (meeting.a, meeting.b):
        _check_can_sit(fair, participant, slot, ignoring=meeting)
    table = free_table(fair, slot, table, ignoring=meeting)
    unseat(meeting)
    db.session.flush()
    meeting.slot, meeting.slot_id, meeting.table, meeting.table_id = slot, slot.id, table, table.id
    meeting.locked = True  # moved by hand: a re-run keeps it
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
    unseat(meeting)
    db.session.flush()
    if meeting.published_at is not None:
        notifications.meeting_changed(meeting, "cancelled")
    return meeting


def cancel_meetings_of(participant: Participant) -> int:
    """When a registration is cancelled: its upcoming meetings are cancelled."""
    count = 0
    for meeting in meetings_of(participant):
        if meeting.status == MeetingStatus.SCHEDULED:
            cancel_meeting(meeting, None, check=False)
            count += 1
    return count


# --- scheduler runs -------------------------------------------------------------

def _kept(fair: Fair) -> list[Meeting]:
    """Meetings a run leaves in place: locked, published, or already under way."""
    return [m for m in meetings_of_fair(fair)
            if m.locked or m.published_at is not None or m.status != MeetingStatus.SCHEDULED]


def build_instance(fair: Fair) -> tuple[dict, list[dict]]:
    """The fair as a scheduler instance (FORMAT.md), and the locked meetings."""
    slots = slots_of(fair)
    participants = confirmed_participants(fair, with_sessions=True)
    slots_by_session: dict[int, list[str]] = {}
    for slot in slots:
        slots_by_session.setdefault(slot.session_id, []).append(f"s{slot.id}")
    confirmed = {p.id for p in participants}
    requests = [r for r in scheduling_requests(fair) if r["from"] in confirmed and r["to"] in confirmed]
    kept = _kept(fair)
    asked = {frozenset((r["from"], r["to"])) for r in requests}
    for meeting in kept:  # a kept meeting whose request was since withdrawn still holds its place
        if frozenset((meeting.a_id, meeting.b_id)) not in asked and {meeting.a_id, meeting.b_id} <= confirmed:
            requests.append({"id": None, "from": meeting.a_id, "to": meeting.b_id, "weight": 1})
            asked.add(frozenset((meeting.a_id, meeting.b_id)))
    instance = {
        "name": fair.name,
        "slots": [{"id": f"s{slot.id}", "tables": len(fair.tables)} for slot in slots],
        "participants": [{"id": f"p{p.id}", "available": [sid for s in p.sessions for sid in
                                                          slots_by_session.get(s.id, [])],
                          "max_meetings": p.max_meetings} for p in participants],
        "requests": [{"from": f"p{r['from']}", "to": f"p{r['to']}", "weight": r["weight"], "request_id": r["id"]}
                     for r in requests],
    }
    locked = [{"a": f"p{m.a_id}", "b": f"p{m.b_id}", "slot": f"s{m.slot_id}", "table": m.table.number}
              for m in kept if {m.a_id, m.b_id} <= confirmed and m.status in HOLDS_TABLE]
    return instance, locked


def start_run(fair: Fair, actor: User) -> ScheduleRun:
    ensure_organiser(fair, actor)
    if not fair.tables or not slots_of(fair):
        raise DomainError("Le salon n'a ni tables ni créneaux : complétez sa configuration.")
    busy = db.session.scalar(select(ScheduleRun).where(
        ScheduleRun.fair_id == fair.id, ScheduleRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING))))
    if busy is not None:
        raise Conflict("Un calcul du programme est déjà en cours pour ce salon.")
    run = ScheduleRun(fair_id=fair.id, created_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    return run


def _progress(run: ScheduleRun, percent: int, step: str) -> None:
    run.progress, run.step = percent, step
    db.session.commit()


def execute_run(run_id: int) -> ScheduleRun:
    """Compute the programme (background job): the scheduler places the wanted meetings
    around the kept ones; the previous unpublished, unlocked proposal is replaced."""
    # Claimed with a conditional update: a run queued twice (a retried job, the sweep)
    # is computed by one worker only.
    claimed = db.session.execute(update(ScheduleRun).where(
        ScheduleRun.id == run_id, ScheduleRun.status == RunStatus.QUEUED)
        .values(status=RunStatus.RUNNING, started_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    run = db.session.get(ScheduleRun, run_id)
    if not claimed:
        return run
    fair = db.session.get(Fair, run.fair_id)
    try:
        _progress(run, 10, "Préparation des demandes et des disponibilités")
        instance, locked = build_instance(fair)
        _progress(run, 25, f"Calcul du programme ({len(instance['requests'])} demandes, "
                           f"{len(instance['participants'])} participants)")
        problem = load_problem(instance)
        schedule = solve(problem, locked=locked, time_limit=current_app.config.get("FAIR_SCHEDULER_SECONDS", 20))
        _progress(run, 80, "Enregistrement du programme")
        _replace_proposal(fair, schedule, locked)
        request_ids = {(r["from"], r["to"]): r["request_id"] for r in instance["requests"]}
        run.left_out = json.dumps([{"request_id": request_ids.get((item["from"], item["to"])),
                                    "reason": item["reason"]} for item in schedule.left_out])
        run.stats = json.dumps({**schedule.stats, "left_out": len(schedule.left_out)})
        run.status, run.progress, run.step, run.finished_at = RunStatus.DONE, 100, "Terminé", utcnow()
        db.session.commit()
    except (InstanceError, IntegrityError, DomainError) as error:
        db.session.rollback()
        log.warning("Schedule run %s failed: %s", run_id, error)
        run = db.session.get(ScheduleRun, run_id)
        run.status, run.finished_at = RunStatus.FAILED, utcnow()
        run.error = ("Le programme a changé pendant le calcul : relancez-le." if isinstance(error, IntegrityError)
                     else str(error))
        db.session.commit()
    return run


def _replace_proposal(fair: Fair, schedule, locked: list[dict]) -> None:
    kept = {(m["a"], m["b"], m["slot"]) for m in locked}
    replaced = [m for m in meetings_of_fair(fair) if m.status == MeetingStatus.SCHEDULED and not m.locked
                and m.published_at is None]
    for meeting in replaced:
        db.session.execute(delete(MeetingSeat).where(MeetingSeat.meeting_id == meeting.id))
        db.session.delete(meeting)
    db.session.flush()
    tables = {table.number: table.id for table in fair.tables}
    for item in schedule.meetings:
        if (item["a"], item["b"], item["slot"]) in kept:
            continue
        meeting = Meeting(fair_id=fair.id, a_id=int(item["a"][1:]), b_id=int(item["b"][1:]),
                          slot_id=int(item["slot"][1:]), table_id=tables[item["table"]],
                          origin=MeetingOrigin.SCHEDULER)
        db.session.add(meeting)
        seat(meeting)
    db.session.flush()


def latest_run(fair: Fair) -> ScheduleRun | None:
    return db.session.scalar(select(ScheduleRun).where(ScheduleRun.fair_id == fair.id)
                             .order_by(ScheduleRun.id.desc()).limit(1))


def _left_out_items(run: ScheduleRun | None, count: int | None = None) -> list[dict]:
    """The run's left-out requests, or the first `count` with a request: read one by one
    from the stored JSON array, since a 3,000-participant fair leaves tens of thousands
    of wishes out (a megabyte of JSON) and its page lists the first 200."""
    if run is None or not run.left_out:
        return []
    if count is None:
        return json.loads(run.left_out)
    decoder, text, items = json.JSONDecoder(), run.left_out, []
    index = text.index("[") + 1
    while len(items) < count:
        while text[index] in " ,\n":
            index += 1
        if text[index] == "]":
            break
        item, index = decoder.raw_decode(text, index)
        if item["request_id"]:
            items.append(item)
    return items


def left_out_count(run: ScheduleRun | None) -> int:
    stats = json.loads(run.stats) if run is not None and run.stats else {}
    return stats["left_out"] if "left_out" in stats else len(_left_out_items(run))


def left_out_requests(run: ScheduleRun | None, limit: int | None = None) -> list[tuple[MeetingRequest, str]]:
    """The requests a run could not place (the first `limit`), with the reason in French."""
    items = [item for item in _left_out_items(run, limit) if item["request_id"]]
    wanted = {item["request_id"] for item in items}
    found = {r.id: r for r in db.session.scalars(select(MeetingRequest).where(MeetingRequest.id.in_(wanted)).options(
        selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient)))} if wanted else {}
    return [(found[item["request_id"]], REASONS_FR.get(item["reason"], item["reason"]))
            for item in items if item["request_id"] in found]


def resume_stale_runs(older_than_seconds: int = 120) -> int:
    """Runs whose job was lost (still queued after a while) or whose worker died (still
    running well past the scheduler's time limit): run them again. A run's effects are
    idempotent: it replaces the unpublished proposal as a whole."""
    from datetime import timedelta

    now = utcnow()
    dead_after = 3 * current_app.config.get("FAIR_SCHEDULER_SECONDS", 20) + older_than_seconds
    db.session.execute(update(ScheduleRun).where(
        ScheduleRun.status == RunStatus.RUNNING, ScheduleRun.started_at < now - timedelta(seconds=dead_after))
        .values(status=RunStatus.QUEUED, step="Relancé après l'arrêt d'un worker")
        .execution_options(synchronize_session=False))
    db.session.commit()
    stale = list(db.session.scalars(select(ScheduleRun.id).where(
        ScheduleRun.status == RunStatus.QUEUED, or_(
            ScheduleRun.created_at < now - timedelta(seconds=older_than_seconds),
            ScheduleRun.started_at.is_not(None)))))
    for run_id in stale:
        execute_run(run_id)
    return len(stale)


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
