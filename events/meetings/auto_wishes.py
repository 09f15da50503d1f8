"""Meetings for those who don't act: the organiser turns suggestions into wishes for
the participants who sent fewer requests than the fair's threshold, before the
programme is computed. The wishes are marked as added (`auto`), count for the
scheduler at the lowest priority, and can all be taken back until a programme is
computed with them."""

from sqlalchemy import delete, func, select

from events.fairs.models import Fair
from events.fairs.services import ensure_organiser
from events.meetings.models import MeetingRequest, RequestStatus, RunStatus, ScheduleRun
from events.meetings.suggestions import FairSuggestions, requests_sent
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError
from marketplace.extensions import db
from marketplace.timeutil import utcnow

AUTO_PRIORITY = 3  # "si possible": they never outweigh what participants asked for themselves


def plan(fair: Fair, suggestions: FairSuggestions | None = None) -> list[tuple[int, int]]:
    """(requester, recipient) of the wishes to add: for each participant under the
    threshold, their best suggestions until they reach it (or the fair's request limit).
    `suggestions`: the page's (cached) ones, to show how many; adding reads the fair afresh."""
    if not fair.auto_wishes_below:
        return []
    suggestions = suggestions or FairSuggestions(fair)
    sent = requests_sent(fair)
    wanted = min(fair.auto_wishes_below, fair.max_requests)
    added: list[tuple[int, int]] = []
    for participant_id in sorted(suggestions.present):
        missing = wanted - sent.get(participant_id, 0)
        if missing <= 0:
            continue
        for _score, other in suggestions.ranked(participant_id, limit=missing):
            added.append((participant_id, other))
            suggestions.asked.setdefault(participant_id, set()).add(other)  # not the other way round too
            suggestions.asked.setdefault(other, set()).add(participant_id)
    return added


def planned_count(fair: Fair) -> int:
    """How many wishes adding them would add now, for the programme page (from the
    suggestions its pages share; adding reads the fair afresh)."""
    return len(plan(fair, FairSuggestions.cached(fair))) if fair.auto_wishes_below else 0


def add_auto_wishes(fair: Fair, actor: User) -> int:
    """Add the planned wishes; returns how many. Nothing is mailed."""
    ensure_organiser(fair, actor)
    if not fair.auto_wishes_below:
        raise DomainError("Fixez d'abord le seuil dans la configuration du salon (souhaits suggérés).",
                          "auto_wishes_below")
    pairs = plan(fair)
    db.session.add_all(MeetingRequest(fair_id=fair.id, requester_id=a, recipient_id=b, priority=AUTO_PRIORITY,
                                      status=RequestStatus.PENDING, auto=True, created_by_id=actor.id)
                       for a, b in pairs)
    fair.auto_wishes_at = utcnow()
    db.session.flush()
    return len(pairs)


def added_count(fair: Fair) -> int:
    return db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.fair_id == fair.id, MeetingRequest.auto.is_(True)))


def can_take_back(fair: Fair) -> bool:
    """Until a programme is computed with them."""
    if fair.auto_wishes_at is None:
        return False
    return db.session.scalar(select(ScheduleRun.id).where(
        ScheduleRun.fair_id == fair.id, ScheduleRun.status == RunStatus.DONE,
        ScheduleRun.created_at >= fair.auto_wishes_at).limit(1)) is None


def remove_auto_wishes(fair: Fair, actor: User) -> int:
    ensure_organiser(fair, actor)
    if not can_take_back(fair):
        raise Conflict("Le programme a été calculé avec ces souhaits : ils ne peuvent plus être retirés ensemble.")
    removed = db.session.execute(delete(MeetingRequest).where(
        MeetingRequest.fair_id == fair.id, MeetingRequest.auto.is_(True))
        .execution_options(synchronize_session=False)).rowcount
    fair.auto_wishes_at = None
    return removed
