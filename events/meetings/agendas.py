"""Agendas as iCalendar files and printable PDFs: a participant's, the whole fair's
(the organiser's calendar) and a booklet of every agenda, one participant a page.

Calendars follow RFC 5545 as calendar programs read it: times in Europe/Paris with
its VTIMEZONE (always present, so an empty agenda is still a valid calendar), one UID
per meeting that never changes, a SEQUENCE raised each time the meeting moves or is
cancelled, STATUS:CANCELLED for a cancelled or missed meeting, and METHOD:CANCEL in
the calendar part of the mail that tells of a cancellation."""

from datetime import UTC, date, datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, Timezone

from events.fairs.models import Fair, Participant
from events.meetings.models import Meeting, MeetingStatus
from marketplace import french
from marketplace.pdf import Document
from marketplace.timeutil import utc_to_paris, utcnow

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Marché de l'achat inclusif//Agenda de salon//FR"
NOT_TAKING_PLACE = (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW)


def contact_line(participant: Participant) -> str:
    parts = [participant.name, participant.contact_email]
    if participant.contact_phone:
        parts.append(participant.contact_phone)
    return " · ".join(parts)


def calendar_host() -> str:
    """The host in every UID: the platform's public address, so that a downloaded agenda
    and a mail's calendar part name the same event."""
    return urlparse(current_app.config["PUBLIC_URL"]).hostname or "localhost"


def meeting_uid(meeting: Meeting, host: str) -> str:
    """The same for both parties and the organiser, for the meeting's whole life."""
    return f"meeting-{meeting.id}@{host}"


def _paris(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(PARIS)


def _calendar(fair: Fair, name: str, method: str = "PUBLISH") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    # The fair's time zone, over the fair's years: present even when no event is.
    calendar.add_component(Timezone.from_tzinfo(PARIS, first_date=date(fair.starts_on.year - 1, 1, 1),
                                                last_date=date(fair.ends_on.year + 1, 12, 31)))
    return calendar


def _where(meeting: Meeting) -> str:
    """The table, or the video room's address for an online meeting."""
    return f"En visio : {meeting.video_url}" if meeting.is_online else meeting.table.label


def _event(meeting: Meeting, host: str, summary: str, description: str) -> Event:
    fair = meeting.fair
    event = Event()
    event.add("uid", meeting_uid(meeting, host))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", _paris(meeting.slot.starts_at))
    event.add("dtend", _paris(meeting.slot.ends_at))
    cancelled = meeting.status in NOT_TAKING_PLACE
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    label = {MeetingStatus.CANCELLED: " (annulé)", MeetingStatus.NO_SHOW: " (absence)"}.get(meeting.status, "")
    event.add("summary", summary + label)
    if meeting.is_online:
        event.add("location", meeting.video_url)
        event.add("url", meeting.video_url)
    else:
        event.add("location", f"{meeting.table.label} — {fair.venue}, {fair.city}")
    event.add("description", description)
    return event


def _participant_event(meeting: Meeting, participant: Participant, host: str) -> Event:
    other = meeting.other(participant)
    return _event(meeting, host, f"Rendez-vous avec {other.name}",
                  f"{meeting.fair.name}\n{_where(meeting)}\nContact : {contact_line(other)}\n\n{other.pitch}")


def agenda_ics(participant: Participant, meetings: list[Meeting], host: str) -> bytes:
    """A participant's calendar: their meetings, cancelled or missed ones marked so."""
    calendar = _calendar(participant.fair, f"{participant.fair.name} — {participant.name}")
    for meeting in meetings:
        calendar.add_component(_participant_event(meeting, participant, host))
    return calendar.to_ical()


def fair_ics(fair: Fair, meetings: list[Meeting], host: str) -> bytes:
    """The organiser's calendar of the whole fair: every meeting, who meets whom where."""
    calendar = _calendar(fair, f"{fair.name} — tous les rendez-vous")
    for meeting in meetings:
        calendar.add_component(_event(meeting, host, f"{meeting.a.name} — {meeting.b.name}",
                                      f"{fair.name}\n{_where(meeting)}\n{contact_line(meeting.a)}\n"
                                      f"{contact_line(meeting.b)}"))
    return calendar.to_ical()


def change_ics(meeting: Meeting, participant: Participant, host: str) -> str:
    """The calendar part of a mail telling a participant that a published meeting moved
    (REQUEST, with its new time) or was cancelled (CANCEL): their calendar updates the
    event of the same UID, as its SEQUENCE is higher."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    calendar = _calendar(meeting.fair, f"{meeting.fair.name} — {participant.name}", method=method)
    event = _participant_event(meeting, participant, host)
    event.add("organizer", f"mailto:{participant.contact_email}")
    event.add("attendee", f"mailto:{participant.contact_email}")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _write_agenda(pdf: Document, participant: Participant, meetings: list[Meeting]) -> None:
    fair = participant.fair
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.paragraph(8, f"{fair.name} — agenda de {participant.name}")
    pdf.set_font(pdf.family_name, "", 10)
    pdf.paragraph(6, f"{fair.venue}, {fair.city} · {french.days(fair.starts_on, fair.ends_on)}")
    if participant.table is not None:
        pdf.paragraph(6, f"Votre table attitrée : {participant.table.name}. Vos interlocuteurs viennent à vous.")
    pdf.ln(4)
    if not meetings:
        pdf.paragraph(6, "Aucun rendez-vous pour l'instant.")
    for meeting in meetings:
        other = meeting.other(participant)
        start, end = utc_to_paris(meeting.slot.starts_at), utc_to_paris(meeting.slot.ends_at)
        status = f" · {meeting.status.label.upper()}" if meeting.status in NOT_TAKING_PLACE else ""
        pdf.set_font(pdf.family_name, "B", 11)
        pdf.paragraph(6, f"{french.hours(start, end)} ({french.day(start.date())}) · {_where(meeting)} · "
                         f"{other.name}{status}")
        pdf.set_font(pdf.family_name, "", 9)
        pdf.paragraph(5, f"Contact : {contact_line(other)}")
        pdf.paragraph(5, other.pitch[:400])
        pdf.ln(2)


def agenda_pdf(participant: Participant, meetings: list[Meeting]) -> bytes:
    """A one-column printable agenda: time, table, who, their contact, and the meeting's
    status when it will not take place."""
    pdf = Document()
    pdf.set_title(f"Agenda {participant.fair.name} — {participant.name}")
    _write_agenda(pdf, participant, meetings)
    return bytes(pdf.output())


def booklet_pdf(fair: Fair, agendas: list[tuple[Participant, list[Meeting]]]) -> bytes:
    """Every participant's agenda in one PDF, one participant a page (or more), for the
    check-in desk to print."""
    pdf = Document()
    pdf.set_title(f"Agendas — {fair.name}")
    for participant, meetings in agendas:
        _write_agenda(pdf, participant, meetings)
    if not agendas:
        pdf.add_page()
        pdf.paragraph(6, "Aucun participant confirmé.")
    return bytes(pdf.output())

