"""Scheduler runs: a fair turned into the scheduler's instance, computed in a background
job (the heavy queue), its proposal replacing the previous unpublished one; the requests
it left out; runs whose job was lost, run again."""

import json
import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from events.fairs.models import Fair, Participant
from events.fairs.registration import confirmed_participants
from events.fairs.services import ensure_organiser, slots_of
from events.meetings.conflicts import explain
from events.meetings.models import (
    Meeting,
    MeetingOrigin,
    MeetingRequest,
    MeetingSeat,
    MeetingStatus,
    RunStatus,
    ScheduleRun,
)
from events.meetings.programme import HOLDS_TABLE, meetings_of_fair, seat
from events.meetings.requests import scheduling_requests
from events.meetings.video import room_url
from events.scheduling import InstanceError, load_problem, solve
from events.scheduling.required import Unholdable
from events.scheduling.solver import REASONS_FR
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotFound
from marketplace.extensions import db
from marketplace.french import count, thousands
from marketplace.timeutil import utcnow

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between two writes of a run's progress


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
            requests.append({"id": None, "from": meeting.a_id, "to": meeting.b_id, "weight": 1, "accepted": False})
            asked.add(frozenset((meeting.a_id, meeting.b_id)))
    instance = {
        "name": fair.name,
        # An online session's slots take no table: as many meetings as participants can hold.
        "slots": [{"id": f"s{slot.id}", "tables": max(len(fair.tables), len(participants) // 2)
                   if slot.session.online else len(fair.tables)} for slot in slots],
        "participants": [_participant(p, slots_by_session) for p in participants],
        "requests": [{"from": f"p{r['from']}", "to": f"p{r['to']}", "weight": r["weight"], "request_id": r["id"],
                      "required": fair.hold_accepted and r["accepted"]} for r in requests],
    }
    locked = []
    online_numbers: dict[int, int] = {}  # an online meeting holds a number of its slot's, for the scheduler
    for m in kept:
        if {m.a_id, m.b_id} <= confirmed and m.status in HOLDS_TABLE:
            if m.table is None:
                online_numbers[m.slot_id] = number = online_numbers.get(m.slot_id, len(fair.tables)) + 1
            locked.append({"a": f"p{m.a_id}", "b": f"p{m.b_id}", "slot": f"s{m.slot_id}",
                           "table": m.table.number if m.table is not None else number})
    return instance, locked


def _participant(participant: Participant, slots_by_session: dict[int, list[str]]) -> dict:
    """A participant as the scheduler sees them: the slots of their sessions but those
    they blocked, their limit, their pause rule and their stand."""
    blocked = {f"s{slot.id}" for slot in participant.unavailable}
    person = {"id": f"p{participant.id}", "max_meetings": participant.max_meetings,
              "available": [sid for session in participant.sessions for sid in slots_by_session.get(session.id, [])
                            if sid not in blocked]}
    if participant.pause_rule:
        person["max_in_a_row"] = participant.pause_rule
    if participant.table is not None:
        person["table"] = participant.table.number
    return person


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


def _solve_watched(run: ScheduleRun, problem, locked: list[dict], time_limit: float):
    """Solve in a thread while this one writes the run's progress as the solver tells it
    (value, bound, breaks) and passes on the organiser's request to stop."""
    heard: dict = {}
    stop = threading.Event()
    if run.stop_requested_at is not None:  # asked before a worker took the run
        stop.set()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(solve, problem, locked, time_limit, heard.update, stop)
        while True:
            try:
                return future.result(timeout=PROGRESS_EVERY)
            except TimeoutError:
                pass
            db.session.refresh(run)
            if run.stop_requested_at is not None:
                stop.set()
            if heard:
                state = dict(heard)
                run.progress = min(95, 25 + int(70 * state["elapsed"] / max(time_limit, 1)))
                run.step = progress_step(state, stopping=stop.is_set())
                run.stats = json.dumps({"live": state})
                db.session.commit()


def progress_step(state: dict, stopping: bool = False) -> str:
    """What the solve has found so far, as the programme page shows it."""
    bound = state.get("upper_bound")
    found = (f"valeur {thousands(state['value'])}" + (f" sur {thousands(round(bound))} au plus" if bound else "")
             + f", {count(state['breaks'], 'attente')} entre deux rendez-vous")
    if stopping:
        return f"Arrêt demandé : le meilleur programme trouvé est conservé ({found})"[:120]
    phase = "Recherche de la valeur" if state["phase"] == "value" else "Réduction des attentes"
    return f"{phase} : {found}"[:120]


def stop_run(fair: Fair, run: ScheduleRun, actor: User) -> None:
    """The organiser stops a run: it ends within a second or two, keeping its best programme."""
    ensure_organiser(fair, actor)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        raise Conflict("Ce calcul est déjà terminé.")
    run.stop_requested_at = utcnow()


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
        schedule = _solve_watched(run, problem, locked, current_app.config.get("FAIR_SCHEDULER_SECONDS", 20))
        _progress(run, 96, "Enregistrement du programme")
        _replace_proposal(fair, schedule, locked)
        request_ids = {(r["from"], r["to"]): r["request_id"] for r in instance["requests"]}
        left_out = [{"request_id": request_ids.get((item["from"], item["to"])), "reason": item["reason"]}
                    for item in schedule.left_out]
        run.left_out = json.dumps(left_out)
        # Counted as listed: only those with a request (not a kept meeting's stand-in).
        run.stats = json.dumps({**schedule.stats, "left_out": sum(1 for item in left_out if item["request_id"])})
        run.status, run.progress, run.finished_at = RunStatus.DONE, 100, utcnow()
        run.step = "Arrêté : meilleur programme trouvé conservé" if schedule.stats["stopped_early"] else "Terminé"
        db.session.commit()
    except (InstanceError, IntegrityError, DomainError) as error:
        db.session.rollback()
        log.warning("Schedule run %s failed: %s", run_id, error)
        run = db.session.get(ScheduleRun, run_id)
        run.status, run.finished_at = RunStatus.FAILED, utcnow()
        if isinstance(error, Unholdable):
            run.error = explain(error.conflict)
        elif isinstance(error, IntegrityError):
            run.error = "Le programme a changé pendant le calcul : relancez-le."
        else:
            run.error = str(error)
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
    online = {slot.id for slot in slots_of(fair) if slot.session.online}
    for item in schedule.meetings:
        if (item["a"], item["b"], item["slot"]) in kept:
            continue
        slot_id = int(item["slot"][1:])
        meeting = Meeting(fair_id=fair.id, a_id=int(item["a"][1:]), b_id=int(item["b"][1:]), slot_id=slot_id,
                          origin=MeetingOrigin.SCHEDULER)
        if slot_id in online:
            meeting.video_url = room_url(fair)
        else:
            meeting.table_id = tables[item["table"]]
        db.session.add(meeting)
        seat(meeting)
    db.session.flush()


def get_run(fair: Fair, run_id: int) -> ScheduleRun:
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.fair_id != fair.id:
        raise NotFound("Ce calcul n'existe pas.")
    return run


def latest_run(fair: Fair) -> ScheduleRun | None:
    return db.session.scalar(select(ScheduleRun).where(ScheduleRun.fair_id == fair.id)
                             .order_by(ScheduleRun.id.desc()).limit(1))


def left_out_items(run: ScheduleRun | None, participant_id: int | None = None) -> list[dict]:
    """The run's left-out requests as stored ({"request_id", "reason"}), or those of one
    participant: a 3,000-participant fair leaves tens of thousands of wishes out (a
    megabyte of JSON, a deferred column read only here)."""
    if run is None or run.status != RunStatus.DONE or not run.left_out:
        return []
    items = [item for item in json.loads(run.left_out) if item["request_id"]]
    if participant_id is not None:
        theirs = set(db.session.scalars(select(MeetingRequest.id).where(
            MeetingRequest.fair_id == run.fair_id, or_(MeetingRequest.requester_id == participant_id,
                                                       MeetingRequest.recipient_id == participant_id))))
        items = [item for item in items if item["request_id"] in theirs]
    return items


def left_out_count(run: ScheduleRun | None) -> int:
    """How many requests a finished run left out (0 for a run not finished)."""
    if run is None or run.status != RunStatus.DONE:
        return 0
    stats = json.loads(run.stats) if run.stats else {}
    return stats["left_out"] if "left_out" in stats else len(left_out_items(run))


def left_out_reasons(items: list[dict]) -> list[tuple[str, int]]:
    """(reason in French, how many), the most frequent first."""
    return [(REASONS_FR.get(reason, reason), count) for reason, count in
            Counter(item["reason"] for item in items).most_common()]


def left_out_requests(items: list[dict]) -> list:
    """Left-out items as rows (request_id, requester_id, requester_name, recipient_id,
    recipient_name, reason in French), read in one query."""
    if not items:
        return []
    requester, recipient = aliased(Participant), aliased(Participant)
    found = {row.request_id: row for row in db.session.execute(
        select(MeetingRequest.id.label("request_id"), requester.id.label("requester_id"),
               requester.name.label("requester_name"), recipient.id.label("recipient_id"),
               recipient.name.label("recipient_name"))
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(recipient, recipient.id == MeetingRequest.recipient_id)
        .where(MeetingRequest.id.in_({item["request_id"] for item in items})))}
    return [SimpleNamespace(**found[item["request_id"]]._asdict(),
                            reason=REASONS_FR.get(item["reason"], item["reason"]))
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
