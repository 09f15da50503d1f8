"""Registering at a fair: from one's own organisation, within the window and the limits;
organisers register on behalf and import lists; the catalogue filters."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from events.fairs.models import Fair, Participant, ParticipantStatus
from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage
from marketplace.timeutil import utcnow


def registration_form(fair_id, app, **fields) -> dict:
    with app.app_context():
        sessions = [str(s.id) for s in db.session.get(Fair, fair_id).sessions]
    form = {"pitch": "Nous achetons du nettoyage et de l'entretien d'espaces verts.", "sessions": sessions,
            "max_meetings": "5", "contact_email": "achats@ville-grasse.fr", "attendee_name": ["Inès Martin", ""],
            "attendee_email": ["ines@ville-grasse.fr", ""], "attendee_job_title": ["Acheteuse", ""]}
    form.update(fields)
    return form


def participants(app, fair_id) -> list[Participant]:
    with app.app_context():
        return list(db.session.scalars(select(Participant).where(Participant.fair_id == fair_id)))


def test_a_buyer_registers_from_their_organisation_and_gets_a_mail(app, client, login, buyer, organiser, make_fair,
                                                                   mailbox):
    fair_id = make_fair(organiser)
    login(client, buyer)
    page = client.get(f"/salons/{fair_id}/inscription").get_data(as_text=True)
    assert "Ville de Grasse" in page
    with app.app_context():
        from marketplace.organisations.models import BuyerOrganisation
        organisation_id = db.session.scalar(select(BuyerOrganisation.id))
    response = client.post(f"/salons/{fair_id}/inscription", data=registration_form(
        fair_id, app, identity=f"buyer:{organisation_id}"))
    assert response.status_code == 302
    [participant] = participants(app, fair_id)
    assert participant.name == "Ville de Grasse" and participant.status == ParticipantStatus.CONFIRMED
    assert participant.region_code == "93"  # Grasse is in Provence-Alpes-Côte d'Azur
    [message] = mailbox.wait_for(1)
    assert message["To"] == "achats@ville-grasse.fr" and "SO EKO 2027" in message["Subject"]
    with app.app_context():
        assert [a.name for a in db.session.get(Participant, participant.id).attendees] == ["Inès Martin"]


def test_nobody_registers_an_organisation_they_do_not_belong_to(app, client, login, organiser, make_fair, make_user,
                                                                make_supplier):
    fair_id = make_fair(organiser)
    supplier = make_supplier(name="Structure d'autrui")
    login(client, make_user(role="supplier"))
    response = client.post(f"/salons/{fair_id}/inscription", data=registration_form(
        fair_id, app, identity=f"supplier:{supplier}"))
    assert response.status_code == 403
    assert participants(app, fair_id) == []


@pytest.mark.parametrize("window, message", [
    ((1, 5), "Les inscriptions ne sont pas encore ouvertes."),
    ((-5, -1), "Les inscriptions sont closes."),
])
def test_registration_respects_its_window(app, client, login, make_user, make_supplier, organiser, make_fair,
                                          window, message):
    now = utcnow()
    fair_id = make_fair(organiser, registration_opens_at=(now + timedelta(days=window[0])).strftime("%Y-%m-%dT%H:%M"),
                        registration_closes_at=(now + timedelta(days=window[1])).strftime("%Y-%m-%dT%H:%M"))
    user = make_user(role="supplier")
    supplier = make_supplier(member_id=user)
    login(client, user)
    response = client.post(f"/salons/{fair_id}/inscription", json={
        "pitch": "Entretien des espaces verts", "sessions": [1], "max_meetings": 3,
        "contact_email": "a@b.fr"} | {}, query_string={"identity": f"supplier:{supplier}"})
    assert response.status_code == 422
    assert message in response.get_json()["detail"]
    assert participants(app, fair_id) == []


def test_roles_capacity_duplicates_and_meeting_cap_are_enforced(app, organiser, make_fair, make_user, make_supplier,
                                                                register):
    from marketplace.errors import Conflict, DomainError

    fair_id = make_fair(organiser, roles=["buyer", "supplier"], max_participants="2", max_meetings="6")
    users = [make_user(role="supplier") for _ in range(3)]
    suppliers = [make_supplier(name=f"Structure {i}", member_id=u) for i, u in enumerate(users)]
    with pytest.raises(DomainError, match="6 rendez-vous au plus"):
        register(users[0], fair_id, f"supplier:{suppliers[0]}", max_meetings=7)
    register(users[0], fair_id, f"supplier:{suppliers[0]}")
    with pytest.raises(Conflict, match="déjà inscrit"):
        register(users[0], fair_id, f"supplier:{suppliers[0]}")
    with pytest.raises(DomainError, match="n'accueille pas le profil « Partenaire"):
        register(make_user(role="supplier"), fair_id, "partner")
    register(users[1], fair_id, f"supplier:{suppliers[1]}")
    with pytest.raises(DomainError, match="complet"):
        register(users[2], fair_id, f"supplier:{suppliers[2]}")
    assert len(participants(app, fair_id)) == 2


def test_organisers_register_on_behalf_even_when_closed(app, client, login, organiser, make_fair, make_supplier):
    now = utcnow()
    fair_id = make_fair(organiser, registration_opens_at=(now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
                        registration_closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    make_supplier(name="Atelier du Moulin", siret="73282932000074")
    login(client, organiser)
    form = registration_form(fair_id, app, role="structure", siret="732 829 320 00074",
                             contact_email="contact@moulin.fr")
    assert client.post(f"/salons/{fair_id}/participants/inscrire", data=form).status_code == 302
    response = client.post(f"/salons/{fair_id}/participants/inscrire", data={**form, "siret": "12345678900000"})
    assert response.status_code == 422
    assert "aucune structure de l'annuaire avec le SIRET" in response.get_data(as_text=True)
    assert [p.name for p in participants(app, fair_id)] == ["Atelier du Moulin"]


CSV = """role;siret;nom;email;telephone;rendez_vous_max;presentation
structure;73282932000074;;contact@moulin.fr;0493000000;6;Sous-traitance industrielle
acheteur;{buyer_siret};;achats@grasse.fr;;4;
partenaire;;Facilitateurs 06;clauses@facilitateurs06.fr;;3;Clauses sociales
groupement;99999999999999;;x@y.fr;;3;
structure;73282932000074;;pas-un-email;;3;
"""


def test_a_participant_list_is_imported_once_with_a_dry_run_first(app, client, login, organiser, make_fair, buyer,
                                                                   make_supplier):
    from marketplace.organisations.models import BuyerOrganisation

    fair_id = make_fair(organiser)
    make_supplier(name="Atelier du Moulin", siret="73282932000074")
    with app.app_context():
        buyer_siret = db.session.scalar(select(BuyerOrganisation.siret))
    content = CSV.format(buyer_siret=buyer_siret).encode()
    login(client, organiser)

    def send(dry_run):
        from io import BytesIO
        data = {"file": (BytesIO(content), "participants.csv")}
        if dry_run:
            data["dry_run"] = "1"
        return client.post(f"/salons/{fair_id}/participants/import", data=data, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})

    report = send(dry_run=True).get_json()
    assert [line["outcome"] for line in report["lines"]] == ["inscrit", "inscrit", "inscrit", "erreur", "erreur"]
    assert "99999999999999" in report["lines"][3]["message"]
    assert "contact_email" in report["lines"][4]["message"]
    assert participants(app, fair_id) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    send(dry_run=False)
    assert sorted(p.name for p in participants(app, fair_id)) == ["Atelier du Moulin", "Facilitateurs 06",
                                                                  "Ville de Grasse"]
    again = send(dry_run=False).get_json()
    assert [line["outcome"] for line in again["lines"]][:3] == ["déjà inscrit"] * 3
    assert len(participants(app, fair_id)) == 3


def test_the_catalogue_filters_by_role_sector_region_and_text(app, client, login, small_fair):
    login(client, small_fair["buyer_grasse"])
    fair_id = small_fair["fair"]

    def names(**query):
        data = client.get(f"/salons/{fair_id}/participants", query_string=query,
                          headers={"Accept": "application/json"}).get_json()
        return sorted(item["name"] for item in data["items"])

    assert names(role="buyer") == ["Ville de Grasse", "Ville de Nice"]
    assert names(kind="ESAT") == ["Structure Atelier"]
    assert names(q="proprete") == ["Structure Proprete"]
    assert len(names(region="93")) == 5 and names(region="11") == []
    assert "Structure Jardins" in names(sector=small_fair_sector(app))
    assert client.get(f"/salons/{fair_id}/participants?page=abc").status_code == 200


def small_fair_sector(app) -> int:
    from tests.events.fairs.conftest import sector_ids

    with app.app_context():
        return sector_ids("nettoyage")[0]


def test_the_catalogue_is_for_participants_and_organisers(client, login, small_fair, make_user):
    login(client, make_user(role="buyer"))
    response = client.get(f"/salons/{small_fair['fair']}/participants")
    assert response.status_code == 302


def test_cancelling_a_registration_frees_its_meetings(app, client, login, small_fair):
    login(client, small_fair["organiser"])
    fair_id = small_fair["fair"]
    client.post(f"/salons/{fair_id}/programme/calculer")
    supplier_client = app.test_client()
    login(supplier_client, small_fair["supplier_jardins"])
    response = supplier_client.post(f"/salons/{fair_id}/participants/{small_fair['p_jardins']}/annuler")
    assert response.status_code == 302
    with app.app_context():
        from events.meetings.models import Meeting, MeetingStatus
        statuses = {m.status for m in db.session.scalars(select(Meeting).where(
            (Meeting.a_id == small_fair["p_jardins"]) | (Meeting.b_id == small_fair["p_jardins"])))}
        assert statuses == {MeetingStatus.CANCELLED}


def test_a_fee_is_shown_but_free_when_payments_are_off(app, client, login, organiser, make_fair, make_user,
                                                       make_supplier):
    from marketplace.payments.models import Order

    fair_id = make_fair(organiser, fee_supplier="60")
    user = make_user(role="supplier")
    supplier = make_supplier(member_id=user)
    login(client, user)
    assert "Structure inclusive : 60\u00a0€ HT" not in client.get(f"/salons/{fair_id}").get_data(as_text=True)
    response = client.post(f"/salons/{fair_id}/inscription", data=registration_form(
        fair_id, app, identity=f"supplier:{supplier}"))
    assert response.headers["Location"].endswith(f"/salons/{fair_id}")
    [participant] = participants(app, fair_id)
    assert participant.status == ParticipantStatus.CONFIRMED
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0
