"""Emails about meeting requests, agendas, changes to a published programme and
last-minute meetings. Each goes to the participant's contact address."""

from marketplace.outbox.services import external_url, queue_email


def _agenda_link(fair) -> str:
    return external_url("meetings.agenda", fair_id=fair.id)


def request_received(request) -> None:
    queue_email(request.recipient.contact_email, "meeting_request", "meetings.request", request=request,
                fair=request.recipient.fair, link=external_url("meetings.requests", fair_id=request.fair_id))


def request_answered(request) -> None:
    queue_email(request.requester.contact_email, "meeting_request_answer", "meetings.request_answer",
                request=request, fair=request.requester.fair,
                link=external_url("meetings.requests", fair_id=request.fair_id))


def agenda_published(participant, meetings: list, first_time: bool) -> None:
    queue_email(participant.contact_email, "fair_agenda", "meetings.agenda", participant=participant,
                fair=participant.fair, meetings=meetings, first_time=first_time, link=_agenda_link(participant.fair),
                ics=external_url("meetings.agenda_ics", fair_id=participant.fair_id))


def meeting_changed(meeting, change: str, before: str | None = None) -> None:
    """Tell both parties of a published meeting that it was moved or cancelled, with a
    calendar part (REQUEST or CANCEL) that updates the event in their calendar."""
    from events.meetings.agendas import calendar_host, change_ics

    for participant in (meeting.a, meeting.b):
        queue_email(participant.contact_email, "meeting_changed", "meetings.changed", participant=participant,
                    other=meeting.other(participant), meeting=meeting, change=change, before=before,
                    fair=meeting.fair, link=_agenda_link(meeting.fair),
                    calendar_part=change_ics(meeting, participant, calendar_host()))


def last_minute_meeting(meeting) -> None:
    for participant in (meeting.a, meeting.b):
        queue_email(participant.contact_email, "meeting_last_minute", "meetings.last_minute",
                    participant=participant, other=meeting.other(participant), meeting=meeting, fair=meeting.fair,
                    link=_agenda_link(meeting.fair))
