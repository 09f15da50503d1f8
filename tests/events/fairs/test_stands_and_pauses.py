"""What an organiser and participants set beyond requests, through the app: tables of
one's own (stands), pauses between meetings, slots a participant blocks, "hold every
accepted request" with its conflict explained, and a run stopped early."""

import io

import pytest
from sqlalchemy import select

from events.fairs.models import Fair, FairTable, Participant, Slot
from events.fairs.schemas import FairSchema
from events.meetings.models import Meeting, MeetingStatus, RunStatus, ScheduleRun
from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db
from tests.conftest import visible_text
from tests.events.fairs.conftest import fair_form
from tests.events.fairs.test_programme import live_meetings, run_scheduler, slot_ids

JSON = {"Accept": "application/json"}


def table_id(app, fair_id, number):
    with app.app_context():
        return db.session.scalar(select(FairTable.id).where(FairTable.fair_id == fair_id, FairTable.number == number))


def test_a_buyer_s_own_table_holds_all_their_meetings_and_shows_on_agenda_plan_and_signs(
        app, client, login, small_fair):
    fair_id, grasse = small_fair["fair"], small_fair["p_grasse"]
    login(client, small_fair["organiser"])
    page = client.post(f"/salons/{fair_id}/tables-attitrees/attribuer", data={"participant": grasse, "table": 3},
                       follow_redirects=True)
    assert "Table attitrée enregistrée" in visible_text(page)
    # One table, one holder: the same table for Nice is refused, with who has it.
    refused = client.post(f"/salons/{fair_id}/tables-attitrees/attribuer",
                          data={"participant": small_fair["p_nice"], "table": 3}, headers=JSON)
    assert refused.status_code == 422 and "Ville de Grasse" in refused.get_data(as_text=True)
    run_scheduler(client, fair_id)
    theirs = [m for m in live_meetings(app, fair_id) if grasse in m["pair"]]
    assert len(theirs) == 2 and {m["table"] for m in theirs} == {table_id(app, fair_id, 3)}
    others = [m for m in live_meetings(app, fair_id) if grasse not in m["pair"]]
    assert all(m["table"] != table_id(app, fair_id, 3) for m in others)
    assert "Table 3 — table de Ville de Grasse" in visible_text(client.get(f"/salons/{fair_id}/plan-de-tables"))
    assert "Ville de Grasse" in visible_text(client.get(f"/salons/{fair_id}/panneaux"))
    client.post(f"/salons/{fair_id}/programme/publier")
    buyer, supplier = app.test_client(), app.test_client()
    login(buyer, small_fair["buyer_grasse"])
    assert "Votre table attitrée : Table 3" in visible_text(buyer.get(f"/salons/{fair_id}/mon-agenda"))
    login(supplier, small_fair["supplier_jardins"])
    assert "Table 3 — table de Ville de Grasse" in visible_text(supplier.get(f"/salons/{fair_id}/mon-agenda"))
    assert "Table 3 — table de Ville de Grasse" in supplier.get(f"/salons/{fair_id}/mon-agenda.ics").get_data(
        as_text=True).replace("\r\n ", "")


def test_own_tables_are_the_organiser_s_to_give_and_a_held_table_cannot_be_deleted(app, client, login, small_fair):
    fair_id = small_fair["fair"]
    login(client, small_fair["buyer_grasse"])
    response = client.post(f"/salons/{fair_id}/tables-attitrees/attribuer",
                           data={"participant": small_fair["p_grasse"], "table": 1}, headers=JSON)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Participant, small_fair["p_grasse"]).table_id is None
        from events.fairs import services
        from events.meetings import stands

        fair = db.session.get(Fair, fair_id)
        organiser = db.session.get(User, small_fair["organiser"])
        stands.assign_stand(fair, db.session.get(Participant, small_fair["p_grasse"]),
                            stands.table_by_number(fair, 4), organiser)
        db.session.commit()
        with pytest.raises(DomainError, match="table attitrée de Ville de Grasse"):
            services.update_fair(fair, FairSchema().load(fair_form(table_count=3)), organiser)
        db.session.rollback()
        assert len(db.session.get(Fair, fair_id).tables) == 4


def test_own_tables_from_a_csv_dry_run_first_errors_per_line_and_twice_changes_nothing(app, client, login,
                                                                                        small_fair):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    content = ("participant;table\n"
               f"{small_fair['p_grasse']};2\n"
               "AGENDA@NICE.FR;4\n"
               "Personne inconnue;1\n"
               "Ville de Grasse;99\n").encode()

    def upload(dry_run):
        data = {"file": (io.BytesIO(content), "tables.csv")}
        if dry_run:
            data["dry_run"] = "1"
        return client.post(f"/salons/{fair_id}/tables-attitrees", data=data, headers=JSON,
                           content_type="multipart/form-data").get_json()["lines"]

    lines = upload(dry_run=True)
    assert [line["outcome"] for line in lines] == ["attribuée", "attribuée", "erreur", "erreur"]
    assert "aucun participant confirmé" in lines[2]["message"] and "table '99' inconnue" in lines[3]["message"]
    with app.app_context():
        assert db.session.scalar(select(Participant.id).where(Participant.table_id.is_not(None))) is None
    upload(dry_run=False)
    with app.app_context():
        assert db.session.get(Participant, small_fair["p_grasse"]).table.number == 2
        assert db.session.get(Participant, small_fair["p_nice"]).table.number == 4
    assert [line["outcome"] for line in upload(dry_run=False)][:2] == ["inchangée", "inchangée"]


def test_the_fair_s_pause_rule_and_a_participant_s_blocked_slots_shape_the_programme(app, client, login,
                                                                                     small_fair):
    fair_id, grasse = small_fair["fair"], small_fair["p_grasse"]
    slots = slot_ids(app, fair_id)
    with app.app_context():
        db.session.get(Fair, fair_id).max_in_a_row = 1
        db.session.commit()
    # Grasse arrives late: blocks the first two slots, from their registration page.
    organiser, client = client, app.test_client()
    login(client, small_fair["buyer_grasse"])
    form = client.get(f"/salons/{fair_id}/inscription?participant={grasse}")
    assert "Indisponibilités" in visible_text(form)
    with app.app_context():
        participant = db.session.get(Participant, grasse)
        data = {"pitch": participant.pitch, "sessions": [s.id for s in participant.sessions], "max_meetings": 5,
                "contact_email": participant.contact_email, "unavailable": slots[:2], "participant": grasse}
    saved = client.post(f"/salons/{fair_id}/inscription?participant={grasse}", data=data, follow_redirects=True)
    assert saved.status_code == 200
    with app.app_context():
        assert [s.id for s in db.session.get(Participant, grasse).unavailable] == slots[:2]
    # Blocking every slot is refused, with the field named.
    refused = client.post(f"/salons/{fair_id}/inscription?participant={grasse}", data={**data, "unavailable": slots},
                          headers=JSON)
    assert refused.status_code == 422 and "unavailable" in refused.get_json()["errors"]
    login(organiser, small_fair["organiser"])
    run_scheduler(organiser, fair_id)
    theirs = sorted(slots.index(m["slot"]) for m in live_meetings(app, fair_id) if grasse in m["pair"])
    assert len(theirs) == 2 and theirs[0] >= 2 and theirs[1] - theirs[0] >= 2  # late, and a pause between


def test_hold_every_accepted_request_names_the_smallest_conflict_when_they_cannot_all_be_held(
        app, client, login, small_fair):
    fair_id, grasse = small_fair["fair"], small_fair["p_grasse"]
    slots = slot_ids(app, fair_id)
    with app.app_context():
        db.session.get(Fair, fair_id).hold_accepted = True
        participant = db.session.get(Participant, grasse)  # Grasse, with 2 accepted meetings, stays one slot
        participant.unavailable = list(db.session.scalars(select(Slot).where(Slot.id.in_(slots[1:]))))
        db.session.commit()
    login(client, small_fair["organiser"])
    started = client.post(f"/salons/{fair_id}/programme/calculer", headers=JSON).get_json()
    status = client.get(f"/salons/{fair_id}/programme/calculs/{started['id']}", headers=JSON).get_json()
    assert status["status"] == "failed"
    error = status["error"]
    assert "Ville de Grasse et Structure Jardins" in error and "Ville de Grasse et Structure Proprete" in error
    assert "Ville de Grasse a 2 rendez-vous acceptés pour 1 créneau disponible" in error
    assert "Nice" not in error  # the third accepted request is not part of the conflict
    assert live_meetings(app, fair_id) == []  # nothing placed
    page = visible_text(client.get(f"/salons/{fair_id}/programme"))
    assert "Pourquoi" in page and "Tenir tous les rendez-vous acceptés" in page
    # Unblocked, the same setting holds all three.
    with app.app_context():
        db.session.get(Participant, grasse).unavailable = []
        db.session.commit()
    assert run_scheduler(client, fair_id)["stats"]["meetings"] == 3


def test_the_fair_form_takes_the_pause_rule_and_the_hold_setting_and_refuses_nonsense(app, client, login,
                                                                                      small_fair):
    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    form = fair_form(max_in_a_row="0", hold_accepted="1")
    form["sessions"] = None
    fields = {k: v for k, v in form.items() if k != "sessions"}
    session = fair_form()["sessions"][0]
    fields.update({f"session_{k}": v for k, v in session.items()})
    refused = client.post(f"/salons/{fair_id}/modifier", data=fields)
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(Fair, fair_id).max_in_a_row is None
    fields["max_in_a_row"] = "3"
    assert client.post(f"/salons/{fair_id}/modifier", data=fields).status_code == 302
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        assert fair.max_in_a_row == 3 and fair.hold_accepted


def test_a_run_stopped_by_the_organiser_keeps_its_best_programme(app, client, login, small_fair):
    from events.meetings.runs import execute_run

    fair_id = small_fair["fair"]
    login(client, small_fair["organiser"])
    with app.app_context():
        from events.meetings.runs import start_run

        run = start_run(db.session.get(Fair, fair_id), db.session.get(User, small_fair["organiser"]))
        db.session.commit()
        run_id = run.id
    page = client.get(f"/salons/{fair_id}/programme/calculs/{run_id}")
    assert "Arrêter et garder le meilleur programme" in visible_text(page)
    stopped = client.post(f"/salons/{fair_id}/programme/calculs/{run_id}/arreter", follow_redirects=True)
    assert "Arrêt demandé" in visible_text(stopped)
    with app.app_context():
        run = execute_run(run_id)
        assert run.status == RunStatus.DONE and run.step.startswith("Arrêté")
        assert db.session.scalar(select(Meeting.id).where(Meeting.fair_id == fair_id,
                                                          Meeting.status == MeetingStatus.SCHEDULED))
    # A finished run cannot be stopped; another fair's organiser cannot stop anything.
    again = client.post(f"/salons/{fair_id}/programme/calculs/{run_id}/arreter", headers=JSON)
    assert again.status_code == 409
    with app.app_context():
        assert db.session.get(ScheduleRun, run_id).status == RunStatus.DONE


def test_progress_says_what_the_solve_has_found():
    from events.meetings.runs import progress_step

    state = {"phase": "waiting", "value": 1234, "upper_bound": 1250.0, "breaks": 41, "worst_breaks": 2}
    assert progress_step(state) == ("Réduction des attentes : valeur 1\u202f234 sur 1\u202f250 au plus, "
                                    "41 attentes entre deux rendez-vous")
    assert progress_step({**state, "breaks": 1}, stopping=True).startswith("Arrêt demandé")
