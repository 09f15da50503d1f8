"""Mails that come at their time: reminders before each meeting, and whom to meet
before registration closes.

Reminders: both parties are mailed a set time before a meeting starts (the fair's
`reminder_minutes`; none: no reminder), once, for published meetings still planned. A
periodic job runs it every minute; a meeting is marked reminded in the same
transaction as its mails, so a second run, or a second worker, sends nothing more.

Suggestions: SUGGESTIONS_BEFORE registration closes, each confirmed participant with
suggestions is mailed the best of them, each with a link to ask in one click; once a
fair (marked in the same transaction)."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from events.fairs.models import Fair, Participant, Slot
from events.meetings.models import Meeting, MeetingStatus
from events.meetings.suggestions import FairSuggestions
from marketplace.extensions import db
from marketplace.outbox.services import external_url, queue_email


def send_reminders(now: datetime) -> int:
    """Mail the reminders due at `now` (naive UTC). Returns how many meetings were reminded."""
    longest = db.session.scalar(select(Fair.reminder_minutes).order_by(Fair.reminder_minutes.desc()).limit(1))
    if not longest:
        return 0
    due = db.session.scalars(
        select(Meeting).join(Slot, Slot.id == Meeting.slot_id).join(Fair, Fair.id == Meeting.fair_id)
        .where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.published_at.is_not(None),
               Meeting.reminded_at.is_(None), Fair.reminder_minutes.is_not(None),
               Slot.starts_at > now, Slot.starts_at <= now + timedelta(minutes=longest))
        .options(selectinload(Meeting.a), selectinload(Meeting.b), selectinload(Meeting.slot),
                 selectinload(Meeting.table), selectinload(Meeting.fair)))
    reminded = 0
    for meeting in due:
        if meeting.slot.starts_at > now + timedelta(minutes=meeting.fair.reminder_minutes):
            continue
        # Claimed first: only the run that marks it sends its mails.
        claimed = db.session.execute(update(Meeting).where(Meeting.id == meeting.id, Meeting.reminded_at.is_(None))
                                     .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        for participant in (meeting.a, meeting.b):
            queue_email(participant.contact_email, "meeting_reminder", "meetings.reminder", participant=participant,
                        other=meeting.other(participant), meeting=meeting, fair=meeting.fair,
                        link=external_url("meetings.agenda", fair_id=meeting.fair_id))
        reminded += 1
    db.session.commit()
    return reminded


SUGGESTIONS_BEFORE = timedelta(days=3)


def mail_suggestions(now: datetime) -> int:
    """Mail each participant of the fairs whose registration closes within
    SUGGESTIONS_BEFORE their suggestions. Returns how many mails were queued."""
    mailed = 0
    for fair in db.session.scalars(select(Fair).where(
            Fair.suggestions_mailed_at.is_(None), Fair.registration_closes_at > now,
            Fair.registration_closes_at <= now + SUGGESTIONS_BEFORE)):
        claimed = db.session.execute(update(Fair).where(Fair.id == fair.id, Fair.suggestions_mailed_at.is_(None))
                                     .values(suggestions_mailed_at=now)
                                     .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        suggestions = FairSuggestions(fair)
        for participant in db.session.scalars(select(Participant).where(Participant.id.in_(suggestions.profiles))
                                              .order_by(Participant.id)):
            participant_id = participant.id
            best = suggestions.for_participant(participant_id)
            if not best:
                continue
            links = {s.participant.id: external_url("meetings.ask", fair_id=fair.id, participant_id=s.participant.id,
                                                    participant=participant_id) for s in best}
            queue_email(participant.contact_email, "fair_suggestions", "meetings.suggestions", fair=fair,
                        participant=participant, suggestions=best, links=links,
                        catalogue=external_url("fairs.catalogue", fair_id=fair.id))
            mailed += 1
        db.session.commit()
    return mailed
