"""A participant's agenda as an iCalendar file and as a printable PDF."""

from datetime import UTC

from icalendar import Calendar, Event

from events.fairs.models import Participant
from events.meetings.models import Meeting
from marketplace import french
from marketplace.pdf import Document
from marketplace.timeutil import utc_to_paris, utcnow


def contact_line(participant: Participant) -> str:
    parts = [participant.name, participant.contact_email]
    if participant.contact_phone:
        parts.append(participant.contact_phone)
    return " · ".join(parts)


def agenda_ics(participant: Participant, meetings: list[Meeting], host: str) -> bytes:
    fair = participant.fair
    calendar = Calendar()
    calendar.add("prodid", "-//Marché de l'achat inclusif//Agenda de salon//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{fair.name} — {participant.name}")
    for meeting in meetings:
        other = meeting.other(participant)
        event = Event()
        event.add("uid", f"meeting-{meeting.id}-{participant.id}@{host}")
        event.add("dtstamp", utcnow().replace(tzinfo=UTC))
        event.add("dtstart", meeting.slot.starts_at.replace(tzinfo=UTC))
        event.add("dtend", meeting.slot.ends_at.replace(tzinfo=UTC))
        event.add("summary", f"Rendez-vous avec {other.name}")
        event.add("location", f"{meeting.table.label} — {fair.venue}, {fair.city}")
        event.add("description",
                  f"{fair.name}\n{meeting.table.label}\nContact : {contact_line(other)}\n\n{other.pitch}")
        calendar.add_component(event)
    return calendar.to_ical()


def agenda_pdf(participant: Participant, meetings: list[Meeting]) -> bytes:
    """A one-column printable agenda: time, table, who, their contact."""
    fair = participant.fair
    pdf = Document()
    pdf.set_title(f"Agenda {fair.name} — {participant.name}")
    pdf.add_page()
    pdf.set_font(pdf.family_name, "B", 16)
    pdf.paragraph(8, f"{fair.name} — agenda de {participant.name}")
    pdf.set_font(pdf.family_name, "", 10)
    pdf.paragraph(6, f"{fair.venue}, {fair.city} · {french.days(fair.starts_on, fair.ends_on)}")
    pdf.ln(4)
    if not meetings:
        pdf.paragraph(6, "Aucun rendez-vous pour l'instant.")
    for meeting in meetings:
        other = meeting.other(participant)
        start, end = utc_to_paris(meeting.slot.starts_at), utc_to_paris(meeting.slot.ends_at)
        pdf.set_font(pdf.family_name, "B", 11)
        pdf.paragraph(6, f"{start:%d/%m %H:%M}–{end:%H:%M} · {meeting.table.label} · {other.name}")
        pdf.set_font(pdf.family_name, "", 9)
        pdf.paragraph(5, f"Contact : {contact_line(other)}")
        pdf.paragraph(5, other.pitch[:400])
        pdf.ln(2)
    return bytes(pdf.output())
