"""Meeting requests: asking, accepting or declining, withdrawing; wishes and must-meet
pairs; the weight each pair carries into the scheduler."""

from sqlalchemy import and_, func, or_, select

from events.fairs.models import Fair, FairMode, Participant
from events.fairs.registration import manages
from events.fairs.services import ensure_organiser
from events.meetings import notifications
from events.meetings.models import Meeting, MeetingRequest, MeetingStatus, RequestStatus
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound, flush_or_conflict
from marketplace.extensions import db
from marketplace.timeutil import utcnow

PRIORITY_WEIGHT = {1: 3, 2: 2, 3: 1}
MUTUAL_BONUS = 2
MUST_MEET_WEIGHT = 20
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


def get_request(fair: Fair, request_id: int) -> MeetingRequest:
    request = db.session.get(MeetingRequest, request_id)
    if request is None or request.fair_id != fair.id:
        raise NotFound("Cette demande n'existe pas.")
    return request


def counts_for_scheduling(request: MeetingRequest, fair: Fair) -> bool:
    """Whether the scheduler should try to place this request."""
    if request.must_meet and request.status != RequestStatus.WITHDRAWN:
        return True
    if request.auto and request.status == RequestStatus.PENDING:  # a wish added from the suggestions
        return True
    if fair.mode == FairMode.WISHES:
        return request.status in OPEN_STATUSES
    return request.status == RequestStatus.ACCEPTED


def wanted_count(fair: Fair) -> int:
    """How many requests the scheduler tries to place (as counts_for_scheduling, in SQL)."""
    statuses = OPEN_STATUSES if fair.mode == FairMode.WISHES else (RequestStatus.ACCEPTED,)
    return db.session.scalar(select(func.count(MeetingRequest.id)).where(
        MeetingRequest.fair_id == fair.id, or_(MeetingRequest.status.in_(statuses), and_(
            MeetingRequest.must_meet.is_(True), MeetingRequest.status != RequestStatus.WITHDRAWN), and_(
            MeetingRequest.auto.is_(True), MeetingRequest.status == RequestStatus.PENDING))))


def _open_count(participant: Participant, sent_only: bool) -> int:
    ends = MeetingRequest.requester_id == participant.id if sent_only else or_(
        MeetingRequest.requester_id == participant.id, MeetingRequest.recipient_id == participant.id)
    statuses = OPEN_STATUSES if sent_only else (RequestStatus.ACCEPTED,)
    return db.session.scalar(select(func.count(MeetingRequest.id)).where(
        ends, MeetingRequest.status.in_(statuses), MeetingRequest.must_meet.is_(False)))


def between(a: Participant, b: Participant) -> list[MeetingRequest]:
    return list(db.session.scalars(select(MeetingRequest).where(or_(
        and_(MeetingRequest.requester_id == a.id, MeetingRequest.recipient_id == b.id),
        and_(MeetingRequest.requester_id == b.id, MeetingRequest.recipient_id == a.id)))))


def ask_meeting(requester: Participant, recipient: Participant, data: dict, actor: User) -> MeetingRequest:
    """A participant asks another for a meeting (or, in wishes mode, ranks a wish)."""
    fair = requester.fair
    if not manages(requester, actor):
        raise NotAllowed("Vous n'agissez pas pour ce participant.")
    if recipient.fair_id != fair.id or not recipient.is_confirmed:
        raise NotFound("Ce participant n'est pas inscrit à ce salon.")
    if requester.id == recipient.id:
        raise DomainError("Vous ne pouvez pas vous demander un rendez-vous à vous-même.", "recipient")
    if not requester.is_confirmed:
        raise DomainError("Votre inscription doit être confirmée pour demander des rendez-vous.")
    if fair.ends_on < utcnow().date():
        raise DomainError("Ce salon est terminé.")
    existing = between(requester, recipient)
    if any(r.requester_id == requester.id and r.status != RequestStatus.WITHDRAWN for r in existing):
        raise Conflict(f"Vous avez déjà demandé un rendez-vous à {recipient.name}.")
    if fair.mode == FairMode.REQUESTS and any(r.status in OPEN_STATUSES for r in existing):
        raise Conflict(f"{recipient.name} vous a déjà demandé un rendez-vous : acceptez sa demande.")
    if _open_count(requester, sent_only=True) >= fair.max_requests:
        raise DomainError(f"Vous avez atteint la limite de {fair.max_requests} demandes pour ce salon.")
    withdrawn = next((r for r in existing if r.requester_id == requester.id), None)
    request = withdrawn or MeetingRequest(fair_id=fair.id, requester_id=requester.id, recipient_id=recipient.id)
    request.message, request.priority = data.get("message"), data["priority"]
    request.status, request.created_by_id, request.created_at = RequestStatus.PENDING, actor.id, utcnow()
    request.requester, request.recipient = requester, recipient
    db.session.add(request)
    flush_or_conflict(f"Vous avez déjà demandé un rendez-vous à {recipient.name}.")
    notifications.request_received(request)
    return request


def answer_request(request: MeetingRequest, accept: bool, actor: User) -> MeetingRequest:
    """The recipient accepts or declines (requests mode)."""
    fair = request.recipient.fair
    if not manages(request.recipient, actor):
        raise NotAllowed("Seul le destinataire répond à cette demande.")
    if fair.mode == FairMode.WISHES:
        raise DomainError("Sur ce salon, les souhaits sont arbitrés par l'organisateur : classez les vôtres.")
    if request.status != RequestStatus.PENDING:
        raise Conflict(f"Cette demande est déjà {request.status.label.lower()}.")
    if accept:
        for participant in (request.recipient, request.requester):
            if _open_count(participant, sent_only=False) >= participant.max_meetings:
                raise DomainError(f"{participant.name} a déjà accepté autant de rendez-vous qu'il en souhaite "
                                  f"({participant.max_meetings}).")
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.decided_at = utcnow()
    db.session.flush()
    notifications.request_answered(request)
    return request


def add_must_meet(fair: Fair, a: Participant, b: Participant, actor: User) -> MeetingRequest:
    """The organiser makes a pair meet: it outweighs every wish."""
    ensure_organiser(fair, actor)
    if a.id == b.id or a.fair_id != fair.id or b.fair_id != fair.id:
        raise DomainError("Choisissez deux participants différents de ce salon.", "b")
    existing = between(a, b)
    request = existing[0] if existing else MeetingRequest(fair_id=fair.id, requester_id=a.id, recipient_id=b.id,
                                                          priority=1, created_by_id=actor.id)
    request.must_meet, request.status, request.decided_at = True, RequestStatus.ACCEPTED, utcnow()
    db.session.add(request)
    db.session.flush()
    return request


def live_meetings_between(a: Participant, b: Participant) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(
        Meeting.status != MeetingStatus.CANCELLED,
        or_(and_(Meeting.a_id == a.id, Meeting.b_id == b.id), and_(Meeting.a_id == b.id, Meeting.b_id == a.id)))))


def requests_of(participant: Participant) -> tuple[list[MeetingRequest], list[MeetingRequest]]:
    """What a participant sent and received."""
    sent = db.session.scalars(select(MeetingRequest).where(MeetingRequest.requester_id == participant.id)
                              .order_by(MeetingRequest.priority, MeetingRequest.created_at))
    received = db.session.scalars(select(MeetingRequest).where(MeetingRequest.recipient_id == participant.id)
                                  .order_by(MeetingRequest.created_at.desc()))
    return list(sent), list(received)


def scheduling_requests(fair: Fair) -> list[dict]:
    """The fair's requests the scheduler should place, weighed: priority 1 weighs 3,
    2 weighs 2, 3 weighs 1; a mutual wish adds a bonus; a must-meet pair outweighs all."""
    requests = [r for r in db.session.scalars(select(MeetingRequest).where(MeetingRequest.fair_id == fair.id)
                                              .order_by(MeetingRequest.id)) if counts_for_scheduling(r, fair)]
    directions = {(r.requester_id, r.recipient_id) for r in requests}
    weighed = []
    for r in requests:
        weight = MUST_MEET_WEIGHT if r.must_meet else PRIORITY_WEIGHT[r.priority]
        if (r.recipient_id, r.requester_id) in directions:
            weight += MUTUAL_BONUS
        weighed.append({"id": r.id, "from": r.requester_id, "to": r.recipient_id, "weight": weight,
                        "mutual": (r.recipient_id, r.requester_id) in directions,
                        "accepted": r.must_meet or r.status == RequestStatus.ACCEPTED})
    return weighed
