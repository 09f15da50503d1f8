"""The programme: computed by the real scheduler in a background job, changed by hand
with conflicts refused (by the code and by the database), re-run around locked and
published meetings, published to every participant, and read as ICS and PDF."""

import io
import threading
from datetime import UTC, date

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from events.fairs.models import Fair, FairTable, Participant, Slot
from events.meetings.models import Meeting, MeetingSeat, MeetingStatus
from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError
from marketplace.extensions import db
from marketplace.french import clock
from marketplace.timeutil import utc_to_paris
from tests.conftest import visible_text


def live_meetings(app, fair_id) -> list[dict]:
    with app.app_context():
        return [{"id": m.id, "pair": frozenset((m.a_id, m.b_id)), "slot": m.slot_id, "table": m.table_id,
                 "published": m.published_at is not None, "locked": m.locked}
                for m in db.session.scalars(select(Meeting).where(Meeting.fair_id == fair_id,
                                                                  Meeting.status != MeetingStatus.CANCELLED))]


def slot_ids(app, fair_id) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Slot.id).where(Slot.fair_id == fair_id).order_by(Slot.starts_at)))


def meeting_id_of(event) -> int:
    """The meeting an ICS event stands for: its UID is meeting-<id>@<host>."""
    return int(str(event["UID"]).removeprefix("meeting-").split("@")[0])


def run_scheduler(client, fair_id):
    response = client.post(f"/salons/{fair_id}/programme/calculer", headers={"Accept": "application/json"})
    assert response.status_code == 202, response.get_data(as_text=True)
    status = client.get(f"/salons/{fair_id}/programme/calculs/{response.get_json()['id']}",
                        headers={"Accept": "application/json"}).get_json()
    assert status["status"] == "done" and status["progress"] == 100, status
    return status


def test_the_scheduler_places_every_accepted_request_without_double_booking(app, client, login, small_fair):
    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    status = run_scheduler(client, fair_id)
    meetings = live_meetings(app, fair_id)
    pairs = {m["pair"] for m in meetings}
    assert pairs == {frozenset((small_fair["p_grasse"], small_fair["p_jardins"])),
                     frozenset((small_fair["p_grasse"], small_fair["p_proprete"])),
                     frozenset((small_fair["p_atelier"], small_fair["p_nice"]))}
    seats = [(person, m["slot"]) for m in meetings for person in m["pair"]]
    assert len(seats) == len(set(seats))
    assert status["stats"]["meetings"] == 3
    page = client.get(f"/salons/{fair_id}/programme").get_data(as_text=True)
    assert "Structure Jardins" in page and "Publier le programme" in page


def test_the_run_page_shows_progress_until_the_job_is_done(app, client, login, small_fair):
    from events.meetings.models import ScheduleRun
    from events.meetings.runs import execute_run, start_run

    with app.app_context():
        run = start_run(db.session.get(Fair, small_fair["fair"]), db.session.get(User, small_fair["organiser"]))
        db.session.commit()
        run_id = run.id
    login(client, small_fair["organiser"])
    page = client.get(f"/salons/{small_fair['fair']}/programme/calculs/{run_id}").get_data(as_text=True)
    assert "En file d'attente" in page and 'aria-valuenow="0"' in page
    # A second run while one is queued is refused.
    again = client.post(f"/salons/{small_fair['fair']}/programme/calculer", follow_redirects=True)
    assert "déjà en cours" in again.get_data(as_text=True)
    with app.app_context():
        execute_run(run_id)
        assert db.session.get(ScheduleRun, run_id).progress == 100
    assert client.get(f"/salons/{small_fair['fair']}/programme/calculs/{run_id}").status_code == 302


def test_locked_and_published_meetings_stay_in_place_when_re_run(app, client, login, small_fair, make_user,
                                                                 make_supplier, register, ask):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    run_scheduler(client, fair_id)
    first = {m["pair"]: m for m in live_meetings(app, fair_id)}
    jardins = first[frozenset((small_fair["p_grasse"], small_fair["p_jardins"]))]
    last_slot = slot_ids(app, fair_id)[-1]
    # Moving a meeting by hand locks it.
    assert client.post(f"/salons/{fair_id}/rendez-vous/{jardins['id']}/deplacer",
                       data={"slot": str(last_slot)}).status_code == 302
    client.post(f"/salons/{fair_id}/programme/publier")
    # Late registrations and requests, then a re-run.
    late_user = make_user(role="supplier", email="tardif@example.org")
    late = register(late_user, fair_id, f"supplier:{make_supplier(name='Inscrit tardif', member_id=late_user)}")
    ask(small_fair["buyer_grasse"], small_fair["p_grasse"], late, accept_as=late_user)
    run_scheduler(client, fair_id)
    after = {m["pair"]: m for m in live_meetings(app, fair_id)}
    for pair, meeting in first.items():
        kept = after[pair]
        assert kept["id"] == meeting["id"] and kept["table"] == meeting["table"]
        assert kept["slot"] == (last_slot if pair == jardins["pair"] else meeting["slot"])
    new = after[frozenset((small_fair["p_grasse"], late))]
    assert not new["published"]


def test_manual_changes_are_refused_with_a_clear_reason(app, organiser, make_fair, make_user, make_supplier,
                                                        register, ask):
    from events.meetings import programme

    sessions = [{"name": "Matin", "day": "2027-01-14", "starts": "09:00", "ends": "10:00", "slot_minutes": 30,
                 "pause_minutes": 0, "breaks": ""},
                {"name": "Après-midi", "day": "2027-01-14", "starts": "14:00", "ends": "15:00", "slot_minutes": 30,
                 "pause_minutes": 0, "breaks": ""}]
    fair_id = make_fair(organiser, day=date(2027, 1, 14), sessions=sessions, table_count="1")
    people = []
    for i in range(4):
        user = make_user(role="supplier")
        people.append(register(user, fair_id, f"supplier:{make_supplier(name=f'P{i}', member_id=user)}"))
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        morning = [s for s in fair.sessions if s.name == "Matin"][0]
        db.session.get(Participant, people[3]).sessions = [morning]
        db.session.commit()
    slots = slot_ids(app, fair_id)  # 2 in the morning, 2 in the afternoon
    with app.app_context():
        actor = db.session.get(User, organiser)

        def add(a, b, slot):
            fair = db.session.get(Fair, fair_id)
            return programme.add_meeting(fair, db.session.get(Participant, people[a]),
                                         db.session.get(Participant, people[b]), slots[slot], None, actor)

        add(0, 1, 0)
        db.session.commit()
        with pytest.raises(Conflict, match="Double réservation : P0 a déjà un rendez-vous"):
            add(0, 2, 0)
        db.session.rollback()
        with pytest.raises(Conflict, match="Aucune table libre"):
            add(2, 3, 0)
        db.session.rollback()
        unavailable = r"P3 n'est pas disponible le 14 janvier 2027 à 14 h \(session « Après-midi » non choisie\)"
        with pytest.raises(DomainError, match=unavailable):
            add(2, 3, 2)
        db.session.rollback()
        with pytest.raises(Conflict, match="ont déjà un rendez-vous"):
            add(1, 0, 3)
        db.session.rollback()
    assert len(live_meetings(app, fair_id)) == 1


def test_the_database_itself_refuses_a_double_booking(app, small_fair, client, login):
    login(client, small_fair["organiser"])
    run_scheduler(client, small_fair["fair"])
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.fair_id == small_fair["fair"]))
        db.session.add(MeetingSeat(meeting_id=meeting.id, participant_id=meeting.a_id, slot_id=meeting.slot_id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        meeting = db.session.scalar(select(Meeting).where(Meeting.fair_id == small_fair["fair"]))
        other_pair = (small_fair["p_nice"], small_fair["p_proprete"])
        db.session.add(Meeting(fair_id=meeting.fair_id, a_id=other_pair[0], b_id=other_pair[1],
                               slot_id=meeting.slot_id, table_id=meeting.table_id))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_two_bookings_of_the_same_seat_at_once_one_wins_one_is_told(app, small_fair):
    from events.meetings import programme

    fair_id = small_fair["fair"]
    with app.app_context():
        slot_id = db.session.scalar(select(Slot.id).where(Slot.fair_id == fair_id).order_by(Slot.starts_at))
    barrier = threading.Barrier(2)
    outcomes = []

    def book(other_key):
        with app.app_context():
            try:
                fair = db.session.get(Fair, fair_id)
                a = db.session.get(Participant, small_fair["p_nice"])
                b = db.session.get(Participant, small_fair[other_key])
                actor = db.session.get(User, small_fair["organiser"])
                barrier.wait(timeout=10)
                programme.add_meeting(fair, a, b, slot_id, None, actor)
                db.session.commit()
                outcomes.append("booked")
            except (Conflict, DomainError) as error:
                db.session.rollback()
                outcomes.append(error.message)
            except Exception as error:  # noqa: BLE001 - a lock timeout would be a bug worth seeing
                db.session.rollback()
                outcomes.append(f"unexpected {type(error).__name__}: {error}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(key,)) for key in ("p_jardins", "p_proprete")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "booked")[0] == "booked"
    refused = [o for o in outcomes if o != "booked"]
    assert len(refused) == 1 and ("Ville de Nice a déjà un rendez-vous" in refused[0]
                                  or "vient d'être pris" in refused[0]), outcomes
    with app.app_context():
        seats = db.session.scalars(select(MeetingSeat).where(MeetingSeat.participant_id == small_fair["p_nice"],
                                                             MeetingSeat.slot_id == slot_id)).all()
        assert len(seats) == 1


def test_publishing_mails_every_agenda_and_later_changes_only_those_affected(app, client, login, small_fair,
                                                                             mailbox):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    run_scheduler(client, fair_id)
    participant = app.test_client()
    login(participant, small_fair["supplier_jardins"])
    assert participant.get(f"/salons/{fair_id}/mon-agenda", headers={"Accept": "application/json"}).get_json()[
        "meetings"] == []  # nothing shows before publication
    mailbox.clear()
    client.post(f"/salons/{fair_id}/programme/publier")
    mails = mailbox.wait_for(5)
    assert sorted(m["To"] for m in mails) == sorted(f"agenda@{n}.fr" for n in (
        "grasse", "nice", "jardins", "proprete", "atelier"))
    grasse = mailbox.text(mailbox.to("agenda@grasse.fr")[0])
    assert "Structure Jardins" in grasse and "Structure Proprete" in grasse and "Table" in grasse

    meeting = next(m for m in live_meetings(app, fair_id)
                   if m["pair"] == frozenset((small_fair["p_atelier"], small_fair["p_nice"])))
    mailbox.clear()
    last_slot = slot_ids(app, fair_id)[-1]
    client.post(f"/salons/{fair_id}/rendez-vous/{meeting['id']}/deplacer", data={"slot": str(last_slot)})
    moved = mailbox.wait_for(2)
    assert sorted(m["To"] for m in moved) == ["agenda@atelier.fr", "agenda@nice.fr"]
    assert "déplacé" in moved[0]["Subject"]
    assert client.post(f"/salons/{fair_id}/programme/publier", follow_redirects=True).status_code == 200


def test_the_agenda_downloads_as_ics_and_pdf_with_only_one_s_own_meetings(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    run_scheduler(client, fair_id)
    client.post(f"/salons/{fair_id}/programme/publier")
    participant = app.test_client()
    login(participant, small_fair["buyer_grasse"])
    response = participant.get(f"/salons/{fair_id}/mon-agenda.ics")
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Rendez-vous avec Structure Jardins",
                                                         "Rendez-vous avec Structure Proprete"]
    with app.app_context():
        for event in events:
            meeting = db.session.get(Meeting, meeting_id_of(event))
            assert event.decoded("DTSTART").astimezone(UTC).replace(tzinfo=None) == meeting.slot.starts_at
            assert meeting.table.name in str(event["LOCATION"])
            assert meeting.other(db.session.get(Participant, small_fair["p_grasse"])).contact_email in str(
                event["DESCRIPTION"])
    pdf = participant.get(f"/salons/{fair_id}/mon-agenda.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Structure Jardins" in text and "Structure Proprete" in text and "Structure Atelier" not in text
    with app.app_context():
        for event in events:  # each meeting's time (Paris) and table are printed
            meeting = db.session.get(Meeting, meeting_id_of(event))
            assert clock(utc_to_paris(meeting.slot.starts_at)) in text
            assert meeting.table.name in text
    other = app.test_client()
    login(other, small_fair["supplier_atelier"])
    data = other.get(f"/salons/{fair_id}/mon-agenda", headers={"Accept": "application/json"}).get_json()
    assert len(data["meetings"]) == 1
    assert other.get(f"/salons/{fair_id}/programme").status_code == 403
    assert other.get(f"/salons/{fair_id}/plan-de-tables").status_code == 403
    plan = client.get(f"/salons/{fair_id}/plan-de-tables").get_data(as_text=True)
    assert "Structure Atelier" in plan
    signs = client.get(f"/salons/{fair_id}/panneaux").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(FairTable.name).where(FairTable.fair_id == fair_id)) in signs


def test_requests_left_out_are_listed_with_their_reason(app, client, login, organiser, make_fair, make_user,
                                                        make_supplier, register, ask):
    sessions = [{"name": "Matin", "day": "2027-01-14", "starts": "09:00", "ends": "10:00", "slot_minutes": 30,
                 "pause_minutes": 0, "breaks": ""},
                {"name": "Après-midi", "day": "2027-01-14", "starts": "14:00", "ends": "15:00", "slot_minutes": 30,
                 "pause_minutes": 0, "breaks": ""}]
    fair_id = make_fair(organiser, day=date(2027, 1, 14), sessions=sessions)
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        morning, afternoon = fair.sessions[0].id, fair.sessions[1].id
    early_user, late_user = make_user(role="supplier"), make_user(role="supplier")
    early = register(early_user, fair_id, f"supplier:{make_supplier(name='Du matin', member_id=early_user)}",
                     sessions=[morning])
    late = register(late_user, fair_id, f"supplier:{make_supplier(name='Du soir', member_id=late_user)}",
                    sessions=[afternoon])
    ask(early_user, early, late, accept_as=late_user)
    login(client, organiser)
    run_scheduler(client, fair_id)
    page = client.get(f"/salons/{fair_id}/programme").get_data(as_text=True)
    assert f'<a href="/salons/{fair_id}/programme/non-places">1 demande non placée</a>' in page
    listed = visible_text(client.get(f"/salons/{fair_id}/programme/non-places"))
    assert f"Du matin n° {early} Du soir n° {late} aucun créneau commun" in listed


def test_a_run_that_left_thousands_out_lists_them_a_page_at_a_time(app, client, login, small_fair, make_user):
    """The programme page counts them; their list is paged (the JSON too), for the
    fair's organisers only."""
    import json

    from events.meetings.models import MeetingRequest, RunStatus, ScheduleRun
    from events.scheduling.solver import LOWER_VALUE

    fair_id = small_fair["fair"]
    with app.app_context():
        request_id = db.session.scalar(select(MeetingRequest.id).where(MeetingRequest.fair_id == fair_id))
        items = [{"request_id": request_id, "reason": LOWER_VALUE}] * 1234
        db.session.add(ScheduleRun(fair_id=fair_id, status=RunStatus.DONE, progress=100, left_out=json.dumps(items),
                                   stats=json.dumps({"meetings": 0, "value": 0, "upper_bound": 0, "seconds": 1,
                                                     "left_out": len(items)})))
        db.session.commit()
    rival = app.test_client()
    login(rival, make_user(role="organiser"))  # another fair's organiser
    assert rival.get(f"/salons/{fair_id}/programme/non-places").status_code == 403
    login(client, small_fair["organiser"])
    page = client.get(f"/salons/{fair_id}/programme").get_data(as_text=True)
    assert "1\u202f234 demandes non placées</a>" in page
    first = client.get(f"/salons/{fair_id}/programme/non-places").get_data(as_text=True)
    assert first.count("<td>écarté au profit de rendez-vous plus demandés</td>") == 100 and "Page 1 / 13" in first
    last = client.get(f"/salons/{fair_id}/programme/non-places", query_string={"page": 99}).get_data(as_text=True)
    assert last.count("<td>écarté au profit de rendez-vous plus demandés</td>") == 34 and "Page 13 / 13" in last
    listed = client.get(f"/salons/{fair_id}/programme/non-places", query_string={"page": 2},
                        headers={"Accept": "application/json"}).get_json()
    assert (listed["total"], listed["pages"], len(listed["items"])) == (1234, 13, 100)
    assert listed["items"][0]["request_id"] == request_id
    full = client.get(f"/salons/{fair_id}/programme", headers={"Accept": "application/json"}).get_json()
    assert len(full["left_out"]) == 1234
    assert "Écarté au profit de rendez-vous plus demandés : <strong>1\u202f234</strong>" in first

    with app.app_context():
        made = db.session.get(MeetingRequest, request_id)
        involved, other = made.requester_id, next(
            small_fair[key] for key in ("p_grasse", "p_nice", "p_jardins", "p_proprete", "p_atelier")
            if small_fair[key] not in (made.requester_id, made.recipient_id))
    theirs = client.get(f"/salons/{fair_id}/programme/non-places", query_string={"participant": involved},
                        headers={"Accept": "application/json"}).get_json()
    assert theirs["total"] == 1234
    assert client.get(f"/salons/{fair_id}/programme/non-places", query_string={"participant": other},
                      headers={"Accept": "application/json"}).get_json()["total"] == 0
    unknown = client.get(f"/salons/{fair_id}/programme/non-places", query_string={"participant": 987654})
    assert unknown.status_code == 200
    assert "Aucun participant de ce salon ne porte ce numéro" in unknown.get_data(as_text=True)


def test_a_big_programme_pages_by_slot_and_counts_everything(app, client, login, small_fair, monkeypatch):
    """A fair of hundreds of tables: the page shows one slot's meetings at a time, and
    the counts (placed, per participant) are those of the whole programme."""
    from events.meetings import organiser_routes as routes

    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    before = visible_text(client.get(f"/salons/{fair_id}/programme"))
    assert "Aucun rendez-vous placé : les participants les moins servis s'afficheront ici" in before
    assert "moins servis ;" not in before and "sans rendez-vous" not in before  # no table of zeros yet
    run_scheduler(client, fair_id)
    with app.app_context():
        tables = db.session.scalar(select(db.func.count(FairTable.id)).where(FairTable.fair_id == fair_id))
    monkeypatch.setattr(routes, "MEETING_ROWS_PER_PAGE", tables)  # as many rows as one slot holds
    monkeypatch.setattr(routes, "PARTICIPANTS_LISTED", 2)
    meetings = live_meetings(app, fair_id)
    slots = slot_ids(app, fair_id)
    shown = []
    for number in range(1, len(slots) + 1):
        page = client.get(f"/salons/{fair_id}/programme", query_string={"creneaux": number}).get_data(as_text=True)
        assert "3 rendez-vous placés" in page and "ci-dessous les 2 les moins servis" in page
        shown.append({m["id"] for m in meetings if f'id="rdv-{m["id"]}"' in page})
        assert all(m["slot"] == slots[number - 1] for m in meetings if m["id"] in shown[-1])
    assert set().union(*shown) == {m["id"] for m in meetings}  # every meeting on the page of its slot
    assert "0 participant sans rendez-vous" in page


def test_a_big_fair_s_participant_fields_share_one_list_and_take_a_number(app, client, login, small_fair,
                                                                           monkeypatch):
    from events.meetings import organiser_routes as routes

    monkeypatch.setattr(routes, "PARTICIPANT_SELECT_MAX", 2)  # "big": more than 2 participants
    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    page = client.get(f"/salons/{fair_id}/programme").get_data(as_text=True)
    assert page.count('<datalist id="participants-list">') == 1 and page.count('list="participants-list"') == 4
    assert "Ville de Grasse" not in page.split("<h2 class=\"h5\">Rendez-vous par participant")[0]  # no list of them all
    suggestions = page.count(f'data-participant-suggestions="/salons/{fair_id}/participants"')
    assert suggestions == 4
    found = client.get(f"/salons/{fair_id}/participants", query_string={"q": "grasse"},
                       headers={"Accept": "application/json"}).get_json()["items"]
    assert [(p["id"], p["name"], p["role_label"]) for p in found] == [
        (small_fair["p_grasse"], "Ville de Grasse", "Acheteur")]
    slot = slot_ids(app, fair_id)[0]

    refused = client.post(f"/salons/{fair_id}/rendez-vous", data={"a": "Ville de Grasse", "b": "x", "slot": slot},
                          follow_redirects=True).get_data(as_text=True)
    assert "Choisissez un participant de la liste (son numéro)." in refused and live_meetings(app, fair_id) == []
    client.post(f"/salons/{fair_id}/rendez-vous", data={"a": small_fair["p_grasse"], "b": small_fair["p_jardins"],
                                                         "slot": slot})
    assert [m["pair"] for m in live_meetings(app, fair_id)] == [
        frozenset((small_fair["p_grasse"], small_fair["p_jardins"]))]


@pytest.mark.browser
def test_a_big_fair_s_participant_fields_suggest_participants_as_the_organiser_types(
        app, live_server, page, small_fair, monkeypatch):
    """Past a few hundred participants the fields are typed into: the browser asks the
    catalogue for the names typed and offers them; the meeting is then added."""
    from events.meetings import organiser_routes as routes
    from tests.browser.test_need_journey import log_in
    from tests.conftest import email_of

    monkeypatch.setattr(routes, "PARTICIPANT_SELECT_MAX", 2)
    fair_id = small_fair["fair"]
    log_in(page, live_server, email_of(app, small_fair["organiser"]))
    page.goto(f"{live_server}/salons/{fair_id}/programme")
    for label, typed, name, participant in (("Participant A", "grasse", "Ville de Grasse", "p_grasse"),
                                            ("Participant B", "atelier", "Structure Atelier", "p_atelier")):
        page.get_by_label(label).press_sequentially(typed)
        suggestion = page.locator("#participants-list option", has_text=name)
        suggestion.wait_for(state="attached")
        assert suggestion.get_attribute("value") == str(small_fair[participant])
        assert page.locator("#participants-list option").count() == 1
        page.get_by_label(label).fill(suggestion.get_attribute("value"))  # what choosing it in the list does
    page.get_by_role("button", name="Ajouter", exact=True).first.click()
    page.get_by_text("Rendez-vous ajouté.").wait_for()
    assert [m["pair"] for m in live_meetings(app, fair_id)] == [
        frozenset((small_fair["p_grasse"], small_fair["p_atelier"]))]
