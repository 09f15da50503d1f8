"""Reminders before each meeting: both parties are mailed a set time before it starts
(the fair's `reminder_minutes`; none: no reminder), once, for published meetings still
planned. A periodic job runs it every minute; a meeting is marked reminded in the same
transaction as its mails, so a second run, or a second worker, sends nothing more."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from events.fairs.models import Fair, Slot
from events.meetings.models import Meeting, MeetingStatus
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
