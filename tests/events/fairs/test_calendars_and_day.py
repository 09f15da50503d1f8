"""Calendars done right (Europe/Paris with its VTIMEZONE, stable UIDs, SEQUENCE raised
when a meeting moves, CANCEL mailed when it is cancelled, no-shows marked, an empty
agenda still valid), the organiser's view of the day (any participant's agenda, the
fair's calendar, a booklet of every agenda, the grid, the check-in desk's late
participants and free tables), reminders before meetings, and feedback only after."""

import io
from datetime import timedelta

from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from events.fairs import hooks as fairs_hooks
from events.fairs.models import Fair, Participant, Slot
from events.meetings.models import Meeting
from marketplace.extensions import db
from marketplace.timeutil import utcnow
from tests.conftest import visible_text
from tests.events.fairs.test_programme import live_meetings, meeting_id_of, run_scheduler, slot_ids

JSON = {"Accept": "application/json"}


def published(app, client, login, small_fair):
    login(client, small_fair["organiser"])
    run_scheduler(client, small_fair["fair"])
    client.post(f"/salons/{small_fair['fair']}/programme/publier")


def participant_client(app, login, user_id):
    other = app.test_client()
    login(other, user_id)
    return other


def calendar_of(response) -> Calendar:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_calendars_carry_paris_time_with_its_zone_and_follow_moves_and_cancellations(app, client, login,
                                                                                   small_fair, mailbox):
    fair_id = small_fair["fair"]
    published(app, client, login, small_fair)
    nice = participant_client(app, login, small_fair["buyer_nice"])
    calendar = calendar_of(nice.get(f"/salons/{fair_id}/mon-agenda.ics"))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris" and int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    uid, meeting_id = str(event["UID"]), meeting_id_of(event)
    # Moved by the organiser: the same UID, a higher SEQUENCE, the new time; both told with a REQUEST part.
    mailbox.clear()
    last_slot = slot_ids(app, fair_id)[-1]
    client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/deplacer", data={"slot": str(last_slot)})
    (moved,) = calendar_of(nice.get(f"/salons/{fair_id}/mon-agenda.ics")).walk("VEVENT")
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    with app.app_context():
        assert moved.decoded("DTSTART").replace(tzinfo=None) != event.decoded("DTSTART").replace(tzinfo=None)
        assert moved.decoded("DTSTART").timestamp() == db.session.get(Slot, last_slot).starts_at.replace(
            tzinfo=__import__("datetime").UTC).timestamp()
    mails = mailbox.wait_for(2)
    parts = [part for mail in mails for part in mail.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 2 and all(part.get_param("method") == "REQUEST" for part in parts)
    # Cancelled: the mail's calendar part is a CANCEL of the same UID, and the agenda file marks it.
    mailbox.clear()
    client.post(f"/salons/{fair_id}/rendez-vous/{meeting_id}/annuler")
    mails = mailbox.wait_for(2)
    parts = [part for mail in mails for part in mail.walk() if part.get_content_type() == "text/calendar"]
    assert all(part.get_param("method") == "CANCEL" for part in parts) and len(parts) == 2
    cancel = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert str(cancel["METHOD"]) == "CANCEL"
    (sent,) = cancel.walk("VEVENT")
    assert str(sent["UID"]) == uid and int(sent["SEQUENCE"]) == 2 and str(sent["STATUS"]) == "CANCELLED"
    (kept,) = calendar_of(nice.get(f"/salons/{fair_id}/mon-agenda.ics")).walk("VEVENT")
    assert str(kept["STATUS"]) == "CANCELLED"


def test_an_agenda_with_no_meeting_is_still_a_valid_calendar(app, client, login, small_fair):
    partner = participant_client(app, login, small_fair["buyer_nice"])
    calendar = calendar_of(partner.get(f"/salons/{small_fair['fair']}/mon-agenda.ics"))
    assert calendar.walk("VEVENT") == [] and len(calendar.walk("VTIMEZONE")) == 1
    assert calendar.to_ical().count(b"BEGIN:VTIMEZONE") == 1


def test_a_no_show_is_marked_in_the_calendar_the_pdf_and_the_results(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    published(app, client, login, small_fair)
    meeting = next(m for m in live_meetings(app, fair_id)
                   if m["pair"] == frozenset((small_fair["p_atelier"], small_fair["p_nice"])))
    client.post(f"/salons/{fair_id}/rendez-vous/{meeting['id']}/absence", data={"absent": small_fair["p_atelier"]})
    nice = participant_client(app, login, small_fair["buyer_nice"])
    (event,) = calendar_of(nice.get(f"/salons/{fair_id}/mon-agenda.ics")).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and "(absence)" in str(event["SUMMARY"])
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(nice.get(
        f"/salons/{fair_id}/mon-agenda.pdf").data)).pages)
    assert "ABSENCE" in text
    csv = client.get(f"/salons/{fair_id}/resultats?format=csv").get_data(as_text=True)
    atelier = next(line for line in csv.splitlines() if line.startswith("Structure Atelier"))
    assert atelier.split(";")[-3:] == ["0", "0", "1"]  # no meeting taking place, none held, one absence


def test_the_organiser_opens_any_participant_s_agenda_and_nobody_else_does(app, client, login, small_fair,
                                                                        make_user):
    from marketplace.accounts.models import Role

    fair_id, grasse = small_fair["fair"], small_fair["p_grasse"]
    published(app, client, login, small_fair)
    page = client.get(f"/salons/{fair_id}/mon-agenda?participant={grasse}")
    assert page.status_code == 200 and "Agenda de Ville de Grasse" in visible_text(page)
    assert "Structure Jardins" in visible_text(page)
    pdf = client.get(f"/salons/{fair_id}/mon-agenda.pdf?participant={grasse}")
    assert "Ville de Grasse" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert len(calendar_of(client.get(f"/salons/{fair_id}/mon-agenda.ics?participant={grasse}")).walk("VEVENT")) == 2
    checkin = visible_text(client.get(f"/salons/{fair_id}/accueil?q=grasse"))
    assert "Voir · PDF" in checkin
    # A participant asking for another's agenda is told they are not that participant; an
    # outsider organiser gets nothing either.
    atelier = participant_client(app, login, small_fair["supplier_atelier"])
    assert atelier.get(f"/salons/{fair_id}/mon-agenda?participant={grasse}", headers=JSON).status_code == 404
    assert atelier.get(f"/salons/{fair_id}/mon-agenda.pdf?participant={grasse}").status_code == 404
    stranger = participant_client(app, login, make_user(role=Role.ORGANISER, email="autre@salon.fr"))
    assert stranger.get(f"/salons/{fair_id}/mon-agenda.pdf?participant={grasse}").status_code == 404
    assert stranger.get(f"/salons/{fair_id}/agendas.pdf").status_code == 403
    assert stranger.get(f"/salons/{fair_id}/programme.ics").status_code == 403
    assert stranger.get(f"/salons/{fair_id}/programme/grille").status_code == 403


def test_the_fair_s_calendar_the_booklet_and_the_grid_show_every_meeting(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    published(app, client, login, small_fair)
    events = calendar_of(client.get(f"/salons/{fair_id}/programme.ics")).walk("VEVENT")
    assert {frozenset(str(e["SUMMARY"]).split(" — ")) for e in events} == {
        frozenset(("Structure Atelier", "Ville de Nice")), frozenset(("Ville de Grasse", "Structure Jardins")),
        frozenset(("Ville de Grasse", "Structure Proprete"))}
    booklet = PdfReader(io.BytesIO(client.get(f"/salons/{fair_id}/agendas.pdf").data))
    firsts = [page.extract_text().splitlines()[0] for page in booklet.pages]
    assert len(booklet.pages) == 5 and all("agenda de" in line for line in firsts)
    assert sorted(line.split("agenda de ")[1] for line in firsts) == sorted(
        ["Structure Atelier", "Structure Jardins", "Structure Proprete", "Ville de Grasse", "Ville de Nice"])
    grid = visible_text(client.get(f"/salons/{fair_id}/programme/grille?participant={small_fair['p_grasse']}"))
    assert "Ville de Grasse : 2 rendez-vous" in grid and "Structure Atelier" in grid
    assert "Aucun participant" in visible_text(client.get(f"/salons/{fair_id}/programme/grille?participant=99999"))


def test_the_desk_sees_who_is_late_for_the_slot_under_way_and_the_free_tables(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    published(app, client, login, small_fair)
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.fair_id == fair_id).limit(1))
        slot = meeting.slot
        same_slot = db.session.scalars(select(Meeting).where(Meeting.slot_id == slot.id)).all()
        meeting.a.checked_in_at = utcnow()
        db.session.commit()
        desk = fairs_hooks.day_at_the_desk(db.session.get(Fair, fair_id), slot.starts_at + timedelta(minutes=1))
        assert desk["slot"].id == slot.id and desk["started"]
        late = {person.name for person, _, _ in desk["late"]}
        expected = {p.name for m in same_slot for p in (m.a, m.b) if p.checked_in_at is None}
        assert late == expected and meeting.a.name not in late
        assert len(desk["free_tables"]) == 4 - len(same_slot)
        # The next slot shows only when it starts soon; days before, nothing.
        assert fairs_hooks.day_at_the_desk(db.session.get(Fair, fair_id), slot.starts_at - timedelta(days=3)) == {
            "slot": None}


def test_reminders_go_to_both_parties_once_before_published_meetings(app, client, login, small_fair, mailbox):
    from events.meetings.reminders import send_reminders
    from marketplace.outbox.services import deliver_pending

    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    run_scheduler(client, fair_id)
    with app.app_context():
        db.session.get(Fair, fair_id).reminder_minutes = 30
        db.session.commit()
        meeting = db.session.scalar(select(Meeting).where(Meeting.fair_id == fair_id).limit(1))
        start, meeting_id = meeting.slot.starts_at, meeting.id
        assert send_reminders(start - timedelta(minutes=20)) == 0  # not published yet
    client.post(f"/salons/{fair_id}/programme/publier")
    mailbox.clear()
    with app.app_context():
        assert send_reminders(start - timedelta(minutes=40)) == 0  # too early
        reminded = send_reminders(start - timedelta(minutes=20))
        assert reminded >= 1 and send_reminders(start - timedelta(minutes=19)) == 0  # once
        deliver_pending()
        meeting = db.session.get(Meeting, meeting_id)
        told = {meeting.a.contact_email, meeting.b.contact_email}
    mails = mailbox.wait_for(2 * reminded)
    assert told <= {m["To"] for m in mails}
    assert any("Rendez-vous à" in m["Subject"] for m in mails)


def test_feedback_is_offered_only_once_the_meeting_has_started(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    published(app, client, login, small_fair)
    nice = participant_client(app, login, small_fair["buyer_nice"])
    assert "Donner mon avis" not in visible_text(nice.get(f"/salons/{fair_id}/mon-agenda"))
    with app.app_context():
        participant = db.session.get(Participant, small_fair["p_nice"])
        meeting = db.session.scalar(select(Meeting).where((Meeting.a_id == participant.id)
                                                          | (Meeting.b_id == participant.id)))
        meeting.slot.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    assert "Donner mon avis" in visible_text(nice.get(f"/salons/{fair_id}/mon-agenda"))
