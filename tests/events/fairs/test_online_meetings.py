"""Online and hybrid meetings: a session held by video takes no table, each of its
meetings gets a room of its own under VIDEO_ROOM_BASE, carried on the agenda, the
calendar and the reminder; any meeting can be moved online (its table freed) or back."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from events.fairs.models import Fair
from events.meetings.models import Meeting
from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests.conftest import visible_text
from tests.events.fairs.test_programme import live_meetings, run_scheduler

JSON = {"Accept": "application/json"}


@pytest.fixture
def hybrid_fair(app, organiser, make_fair, make_user, make_organisation, make_supplier, register, ask):
    """One table on site in the morning; an afternoon session by video. Three buyers
    (both sessions) and three suppliers (the video one; the first, both), each pair with an
    accepted request."""
    day = date.today() + timedelta(days=30)
    app.config["VIDEO_ROOM_BASE"] = "https://visio.example.org/salons/"
    ids = {"fair": make_fair(organiser, table_count=1, day=day, sessions=[
        {"name": "Matin", "day": day.isoformat(), "starts": "09:00", "ends": "10:00", "slot_minutes": 20},
        {"name": "Visio", "day": day.isoformat(), "starts": "14:00", "ends": "14:20", "slot_minutes": 20,
         "online": True}])}
    with app.app_context():
        fair = db.session.get(Fair, ids["fair"])
        video = next(s.id for s in fair.sessions if s.online)
        morning = next(s.id for s in fair.sessions if not s.online)
    ids["morning"] = morning
    for n in range(3):
        buyer = make_user(email=f"achats{n}@ville.fr")
        organisation = make_organisation(buyer, name=f"Ville {n}")
        supplier_user = make_user(role=Role.SUPPLIER, email=f"contact{n}@esat.fr")
        supplier = make_supplier(name=f"ESAT {n}", member_id=supplier_user, email=f"devis{n}@esat.fr")
        ids[f"b{n}"] = register(buyer, ids["fair"], f"buyer:{organisation}", sessions=[video, morning],
                                contact_email=f"salon{n}@ville.fr")
        ids[f"s{n}"] = register(supplier_user, ids["fair"], f"supplier:{supplier}",
                                sessions=[video, morning] if n == 0 else [video],
                                contact_email=f"salon{n}@esat.fr")
        ask(buyer, ids[f"b{n}"], ids[f"s{n}"], 1, accept_as=supplier_user)
        ids[f"buyer{n}"] = buyer
    return ids


def test_a_video_session_takes_no_table_and_gives_each_meeting_its_own_room(app, client, login, organiser,
                                                                           hybrid_fair):
    fair_id = hybrid_fair["fair"]
    login(client, organiser)
    assert run_scheduler(client, fair_id)["stats"]["meetings"] == 3  # three at once, with one table in the fair
    with app.app_context():
        meetings = db.session.scalars(select(Meeting).where(Meeting.fair_id == fair_id)).all()
        online = [m for m in meetings if m.slot.session.online]
        assert len(online) >= 2 and all(m.table_id is None for m in online)  # at least two at once: no table
        assert all(m.table_id is not None and m.video_url is None for m in meetings if m not in online)
        rooms = [m.video_url for m in online]
        prefix = "https://visio.example.org/salons/so-eko-2027-"
        assert all(url.startswith(prefix) and len(url.removeprefix(prefix)) >= 12 for url in rooms)
        assert len(set(rooms)) == len(online)  # a room each, nobody can guess another's
    page = visible_text(client.get(f"/salons/{fair_id}/programme"))
    assert page.count("En visio") >= len(online)
    client.post(f"/salons/{fair_id}/programme/publier")
    buyer = app.test_client()
    login(buyer, hybrid_fair["buyer1"])
    agenda = buyer.get(f"/salons/{fair_id}/mon-agenda?participant={hybrid_fair['b1']}").get_data(as_text=True)
    assert "En visio" in agenda and "https://visio.example.org/salons/" in agenda
    (event,) = Calendar.from_ical(buyer.get(f"/salons/{fair_id}/mon-agenda.ics").data).walk("VEVENT")  # Ville 1
    assert str(event["LOCATION"]).startswith("https://visio.example.org/salons/") and str(event["URL"]) == str(
        event["LOCATION"])


def test_the_reminder_carries_the_room(app, client, login, organiser, hybrid_fair, mailbox):
    from events.meetings.reminders import send_reminders
    from marketplace.outbox.services import deliver_pending

    fair_id = hybrid_fair["fair"]
    login(client, organiser)
    run_scheduler(client, fair_id)
    client.post(f"/salons/{fair_id}/programme/publier")
    with app.app_context():
        db.session.get(Fair, fair_id).reminder_minutes = 30
        db.session.commit()
        meeting = db.session.scalar(select(Meeting).where(Meeting.fair_id == fair_id).limit(1))
        room, start, told = meeting.video_url, meeting.slot.starts_at, meeting.a.contact_email
        mailbox.clear()
        send_reminders(start - timedelta(minutes=10))
        deliver_pending()
    mailbox.wait_for(6)
    assert room in mailbox.text(next(m for m in mailbox.messages if m["To"] == told and "Rendez-vous" in m["Subject"]))


def test_any_meeting_moves_online_freeing_its_table_and_back(app, client, login, organiser, hybrid_fair):
    fair_id = hybrid_fair["fair"]
    login(client, organiser)
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        morning = next(s for s in fair.sessions if not s.online).slots[0].id
    client.post(f"/salons/{fair_id}/rendez-vous", data={"a": hybrid_fair["b0"], "b": hybrid_fair["b1"],
                                                         "slot": morning})
    (placed,) = live_meetings(app, fair_id)
    assert placed["table"] is not None
    moved = client.post(f"/salons/{fair_id}/rendez-vous/{placed['id']}/visio", data={"online": "1"}, headers=JSON)
    assert moved.status_code == 200 and moved.get_json()["table"] is None
    assert moved.get_json()["video_url"].startswith("https://visio.example.org/salons/")
    # Its table is free again: another meeting takes it in the same slot.
    client.post(f"/salons/{fair_id}/rendez-vous", data={"a": hybrid_fair["b2"], "b": hybrid_fair["s0"],
                                                         "slot": morning}, headers=JSON)
    assert len(live_meetings(app, fair_id)) == 2
    back = client.post(f"/salons/{fair_id}/rendez-vous/{placed['id']}/visio", data={"online": "0"}, headers=JSON)
    assert back.status_code == 409 and "Aucune table libre" in back.get_data(as_text=True)  # the only one is taken
    with app.app_context():
        assert db.session.get(Meeting, placed["id"]).video_url is not None  # nothing changed


def test_a_video_session_has_no_table_to_go_back_to(app, client, login, organiser, hybrid_fair):
    fair_id = hybrid_fair["fair"]
    login(client, organiser)
    run_scheduler(client, fair_id)
    meeting = live_meetings(app, fair_id)[0]
    refused = client.post(f"/salons/{fair_id}/rendez-vous/{meeting['id']}/visio", data={"online": "0"},
                          follow_redirects=True)
    assert "se tient en visio : pas de table" in visible_text(refused)


def test_the_fair_form_sets_a_session_online(app, client, login, organiser, hybrid_fair):
    fair_id = hybrid_fair["fair"]
    login(client, organiser)
    form = client.get(f"/salons/{fair_id}/modifier").get_data(as_text=True)
    assert form.count('<option value="1" selected>En visio</option>') == 1
