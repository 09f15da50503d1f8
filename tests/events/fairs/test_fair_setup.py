"""Creating a fair: sessions and breaks give the right slots, in Paris time across the
clock change; bad input is refused with field messages; only organisers manage."""

from datetime import date, datetime, time

from sqlalchemy import func, select

from events.fairs.models import Fair, FairSession, SessionBreak, Slot
from events.fairs.slots import session_slots
from marketplace.extensions import db


def starts(app, fair_id) -> list[datetime]:
    with app.app_context():
        return list(db.session.scalars(select(Slot.starts_at).where(Slot.fair_id == fair_id).order_by(Slot.starts_at)))


def test_a_morning_session_yields_slots_around_the_break(app, organiser, make_fair):
    # 09:00 Paris in winter is 08:00 UTC. 20-minute slots every 25 minutes; the 10:15 slot
    # would overlap the 10:30-10:45 coffee break, so the grid resumes at 10:45; the last
    # slot, 11:35-11:55, ends before noon.
    fair_id = make_fair(organiser, day=date(2027, 1, 14))
    expected = ["08:00", "08:25", "08:50", "09:45", "10:10", "10:35"]
    assert [moment.strftime("%H:%M") for moment in starts(app, fair_id)] == expected
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        assert [t.name for t in fair.tables] == ["Table 1", "Table 2", "Table 3", "Table 4"]


def test_slots_follow_paris_time_across_the_daylight_saving_change(app, organiser, make_fair):
    # Clocks go back on Sunday 25 October 2026 at 03:00. A session at 09:00 on both sides of
    # the change starts at 07:00 UTC on Saturday and at 08:00 UTC on Monday.
    sessions = [{"name": day, "day": f"2026-10-{day}", "starts": "09:00", "ends": "09:40", "slot_minutes": 20,
                 "pause_minutes": 0, "breaks": ""} for day in ("24", "26")]
    fair_id = make_fair(organiser, day=date(2026, 10, 24), ends_on="2026-10-26", sessions=sessions)
    assert starts(app, fair_id) == [datetime(2026, 10, 24, 7, 0), datetime(2026, 10, 24, 7, 20),
                                    datetime(2026, 10, 26, 8, 0), datetime(2026, 10, 26, 8, 20)]


def test_a_session_over_the_night_of_the_change_lasts_its_real_duration():
    # 01:30 CEST to 03:30 CET is three hours of elapsed time: six 30-minute slots, not four.
    session = FairSession(day=date(2026, 10, 25), starts=time(1, 30), ends=time(3, 30), slot_minutes=30,
                          pause_minutes=0)
    session.breaks = []
    slots = session_slots(session)
    assert len(slots) == 6
    assert slots[0].starts_at == datetime(2026, 10, 24, 23, 30)
    assert slots[-1].ends_at == datetime(2026, 10, 25, 2, 30)
    session.breaks = [SessionBreak(starts=time(2, 0), ends=time(2, 30))]
    assert len(session_slots(session)) < 6


def test_the_form_creates_a_fair_and_bad_input_is_refused_field_by_field(app, client, login, organiser):
    from tests.events.fairs.conftest import fair_form

    login(client, organiser)
    form = fair_form()
    session = form.pop("sessions")[0]
    fields = {**form, **{f"session_{key}": value for key, value in session.items()}}
    bad = {**fields, "ends_on": "2000-01-01", "session_ends": "08:00", "table_count": "0", "fee_supplier": "abc"}
    response = client.post("/salons/nouveau", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le salon finit après avoir commencé." in page or "La session doit finir après son début." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Fair.id))) == 0

    response = client.post("/salons/nouveau", data={**fields, "fee_supplier": "60"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "SO EKO 2027" in page and "Café 10 h 30 – 10 h 45" in page and "6 créneaux" in page


def test_json_errors_name_the_field(client, login, organiser):
    from tests.events.fairs.conftest import fair_form

    login(client, organiser)
    response = client.post("/salons/nouveau", json={**fair_form(), "sessions": [], "roles": []})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "sessions" in errors and "roles" in errors


def test_only_organiser_accounts_create_fairs(client, login, make_user):
    login(client, make_user(role="buyer"))
    assert client.get("/salons/nouveau").status_code == 403


def test_a_co_organiser_manages_the_fair_and_other_organisers_do_not(app, client, login, organiser, make_fair,
                                                                    make_user):
    fair_id = make_fair(organiser)
    colleague = make_user(role="organiser", email="collegue@so-eko.fr")
    stranger = make_user(role="organiser", email="autre@salon.fr")
    outsider = app.test_client()
    login(outsider, stranger)
    assert outsider.get(f"/salons/{fair_id}/programme").status_code == 403
    assert outsider.get(f"/salons/{fair_id}/modifier").status_code == 403
    login(client, organiser)
    assert client.post(f"/salons/{fair_id}/organisateurs", data={"email": "collegue@so-eko.fr"}).status_code == 302
    co_organiser = app.test_client()
    login(co_organiser, colleague)
    assert co_organiser.get(f"/salons/{fair_id}/programme").status_code == 200
    assert co_organiser.get(f"/salons/{fair_id}/resultats").status_code == 200
    assert outsider.get(f"/salons/{fair_id}/resultats").status_code == 403


def test_sessions_are_frozen_once_meetings_are_placed(app, small_fair, client, login):
    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    assert client.post(f"/salons/{fair_id}/programme/calculer").status_code == 302
    from tests.events.fairs.conftest import fair_form

    form = fair_form()
    session = {**form.pop("sessions")[0], "slot_minutes": 30}
    response = client.post(f"/salons/{fair_id}/modifier", data={
        **form, **{f"session_{key}": value for key, value in session.items()}})
    assert response.status_code == 422
    assert "Des rendez-vous sont déjà placés" in response.get_data(as_text=True)
    assert len(starts(app, fair_id)) == 6


def test_talks_and_stands_appear_on_the_fair_page(client, login, organiser, make_fair):
    fair_id = make_fair(organiser, day=date(2027, 1, 14))
    login(client, organiser)
    client.post(f"/salons/{fair_id}/interventions", data={
        "title": "Les clauses sociales en pratique", "room": "Salle Fragonard", "starts_at": "2027-01-14T14:00",
        "ends_at": "2027-01-14T15:00", "speakers": "Facilitateurs 06"})
    client.post(f"/salons/{fair_id}/stands", data={"name": "Stand A1", "holder": "Réseau des SIAE"})
    bad = client.post(f"/salons/{fair_id}/interventions", data={"title": "", "room": "X", "starts_at": "n'importe"})
    assert bad.status_code == 302
    page = client.get(f"/salons/{fair_id}").get_data(as_text=True)
    assert "Les clauses sociales en pratique" in page and "14 janvier 2027 à 14 h" in page
    assert "Stand A1 — Réseau des SIAE" in page
