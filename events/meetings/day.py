"""The day itself: check-in at the entrance, meetings held or missed, last-minute
meetings in the slots no-shows free, and feedback that can turn into a quote request."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, Participant, ParticipantRole
from events.fairs.registration import manages
from events.fairs.services import ensure_organiser, slots_of
from events.meetings import notifications
from events.meetings.models import (
    Meeting,
    MeetingFeedback,
    MeetingOrigin,
    MeetingSeat,
    MeetingStatus,
    RequestStatus,
)
from events.meetings.programme import HOLDS_TABLE, live_meetings_between, seat, settle, unseat
from events.meetings.requests import PRIORITY_WEIGHT, counts_for_scheduling
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed, flush_or_conflict
from marketplace.extensions import db
from marketplace.timeutil import utcnow

DESK_LOOKAHEAD = timedelta(hours=2)  # the desk shows the next slot when it starts within this


@fairs_hooks.day_at_the_desk.answer
def day_at_the_desk(fair: Fair, now: datetime) -> dict:
    """The slot under way (or the next one, if it starts soon): who has a meeting in it
    and has not arrived (with whom, at which table), and the tables free in it for a
    last-minute meeting."""
    slots = slots_of(fair)
    current = next((s for s in slots if s.starts_at <= now < s.ends_at), None)
    slot = current or next((s for s in slots if now < s.starts_at <= now + DESK_LOOKAHEAD), None)
    if slot is None:
        return {"slot": None}
    meetings = list(db.session.scalars(select(Meeting).where(
        Meeting.slot_id == slot.id, Meeting.status.in_(HOLDS_TABLE)).options(
        selectinload(Meeting.a), selectinload(Meeting.b), selectinload(Meeting.table))))
    late = [(person, meeting.other(person), meeting.place) for meeting in meetings
            if meeting.status == MeetingStatus.SCHEDULED
            for person in (meeting.a, meeting.b) if person.checked_in_at is None]
    used = {meeting.table_id for meeting in meetings}
    return {"slot": slot, "started": current is not None, "late": sorted(late, key=lambda row: row[0].name),
            "free_tables": [] if slot.session.online else [table for table in fair.tables if table.id not in used]}


def mark_held(meeting: Meeting, actor: User) -> Meeting:
    ensure_organiser(meeting.fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut être marqué comme tenu.")
    meeting.status = MeetingStatus.HELD
    db.session.flush()
    return meeting


def _waiting_partner(fair: Fair, present: Participant, meeting: Meeting) -> Participant | None:
    """The best waiting request of `present` that fits the freed slot: the other party
    is here (checked in), free in that slot, available in its session, and they have no
    meeting yet."""
    from events.meetings.models import MeetingRequest

    candidates = []
    for request in db.session.scalars(select(MeetingRequest).where(
            MeetingRequest.fair_id == fair.id,
            (MeetingRequest.requester_id == present.id) | (MeetingRequest.recipient_id == present.id))):
        if not (counts_for_scheduling(request, fair) or request.status == RequestStatus.PENDING):
            continue
        other = request.recipient if request.requester_id == present.id else request.requester
        if other.id in (meeting.a_id, meeting.b_id) or other.checked_in_at is None or not other.is_confirmed:
            continue
        if meeting.slot.session_id not in {s.id for s in other.sessions}:
            continue
        if db.session.scalar(select(MeetingSeat.id).where(MeetingSeat.participant_id == other.id,
                                                          MeetingSeat.slot_id == meeting.slot_id)):
            continue
        if live_meetings_between(present, other):
            continue
        accepted = counts_for_scheduling(request, fair)
        candidates.append((not accepted, -PRIORITY_WEIGHT[request.priority], request.created_at, other))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def mark_no_show(meeting: Meeting, absent: Participant, actor: User) -> Meeting | None:
    """`absent` did not come: the meeting is missed, and the slot is offered to a waiting
    request of the other party that fits. Returns the last-minute meeting, if any."""
    fair = meeting.fair
    ensure_organiser(fair, actor)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DomainError("Seul un rendez-vous prévu peut être marqué comme manqué.")
    if not meeting.involves(absent.id):
        raise DomainError("Ce participant n'a pas ce rendez-vous.", "absent")
    present = meeting.other(absent)
    meeting.status, meeting.absent_id = MeetingStatus.NO_SHOW, absent.id
    meeting.sequence += 1
    unseat(meeting)
    db.session.flush()
    partner = _waiting_partner(fair, present, meeting)
    if partner is None:
        return None
    last_minute = Meeting(fair_id=fair.id, a=present, b=partner, a_id=present.id, b_id=partner.id,
                          slot=meeting.slot, slot_id=meeting.slot_id, origin=MeetingOrigin.LAST_MINUTE, locked=True,
                          published_at=utcnow())
    settle(last_minute, meeting.slot, meeting.table, online=meeting.is_online)
    db.session.add(last_minute)
    seat(last_minute)
    flush_or_conflict("Ce créneau vient d'être repris : rechargez la page.")
    notifications.last_minute_meeting(last_minute)
    return last_minute


def feedback_of(meeting: Meeting, participant: Participant) -> MeetingFeedback | None:
    return next((f for f in meeting.feedback if f.participant_id == participant.id), None)


def give_feedback(meeting: Meeting, participant: Participant, data: dict, actor: User) -> MeetingFeedback:
    """One side's feedback after a meeting: rating, follow-up, and for a buyer meeting a
    supplier, optionally a quote request sent to that supplier."""
    if not manages(participant, actor) or not meeting.involves(participant.id):
        raise NotAllowed("Vous ne pouvez donner votre avis que sur vos rendez-vous.")
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD):
        raise DomainError("Ce rendez-vous n'a pas eu lieu.")
    if meeting.slot.starts_at > utcnow():
        raise DomainError("Vous pourrez donner votre avis une fois le rendez-vous commencé.")
    if feedback_of(meeting, participant) is not None:
        raise Conflict("Vous avez déjà donné votre avis sur ce rendez-vous.")
    feedback = MeetingFeedback(meeting_id=meeting.id, participant_id=participant.id, rating=data["rating"],
                               follow_up=data["follow_up"], comment=data.get("comment"))
    if data.get("quote_request"):
        feedback.need = _quote_request_from(meeting, participant, data, actor)
        feedback.follow_up = True
    meeting.feedback.append(feedback)
    meeting.status = MeetingStatus.HELD
    db.session.flush()
    return feedback


def _quote_request_from(meeting: Meeting, participant: Participant, data: dict, actor: User):
    from marketplace.needs.services import request_quotes

    other = meeting.other(participant)
    if participant.role != ParticipantRole.BUYER or other.supplier is None:
        raise DomainError("Une demande de devis part d'un acheteur vers une structure rencontrée.", "ask_quote")
    quote = data["quote_request"]
    try:
        return request_quotes({**quote, "budget_min_cents": None, "budget_max_cents": None, "budget_visible": False,
                               "start_date": None, "show_contact": True, "questions": []}, [other.supplier], actor)
    except DomainError as error:
        raise DomainError(f"Demande de devis impossible : {error.message}", "ask_quote") from None
