"""Buyer organisations: creation with a checked SIRET, join requests and their approval."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.organisations.models import BuyerOrganisation, Membership, MembershipStatus

ORGANISATION = {
    "name": "Communauté d'agglomération du Pays de Grasse",
    "siret": "732 829 320 00074",
    "kind": "public",
    "size_class": "mid",
    "sector": "Collectivité territoriale",
    "address": "57 avenue Pierre Sémard",
    "postcode": "06130",
    "city": "Grasse",
}


def count_organisations(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BuyerOrganisation))


def membership(app, user_id: int) -> Membership | None:
    with app.app_context():
        found = db.session.scalar(select(Membership).where(Membership.user_id == user_id))
        if found is not None:
            db.session.expunge(found)
        return found


def test_a_buyer_registers_its_organisation_and_becomes_its_first_member(app, client, make_user, login):
    user_id = make_user()
    login(client, user_id)
    response = client.post("/organisations/nouvelle", data=dict(ORGANISATION), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Communauté d'agglomération du Pays de Grasse" in page and "73282932000074" in page
    with app.app_context():
        organisation = db.session.scalar(select(BuyerOrganisation))
        assert (organisation.siret, organisation.siren) == ("73282932000074", "732829320")
    assert membership(app, user_id).status == MembershipStatus.ACTIVE


def test_a_bad_siret_is_refused_with_a_field_error_and_nothing_is_created(app, client, make_user, login):
    login(client, make_user())
    response = client.post("/organisations/nouvelle", data={**ORGANISATION, "siret": "732 829 320 00075"})
    assert response.status_code == 422
    assert "Numéro SIRET invalide" in response.get_data(as_text=True)

    as_json = client.post("/organisations/nouvelle", json={**ORGANISATION, "siret": "12345", "postcode": "6130"})
    assert as_json.status_code == 422
    assert as_json.mimetype == "application/problem+json"
    errors = as_json.get_json()["errors"]
    assert "Numéro SIRET invalide" in errors["siret"][0]
    assert errors["postcode"] == ["Code postal à 5 chiffres attendu."]
    assert count_organisations(app) == 0


def test_a_json_client_creates_an_organisation(client, make_user, login):
    login(client, make_user())
    response = client.post("/organisations/nouvelle", json=dict(ORGANISATION))
    assert response.status_code == 201
    assert response.get_json()["siret"] == "73282932000074"


def test_an_organisation_already_registered_points_to_the_join_request(
        app, client, make_user, login, make_organisation):
    make_organisation(make_user(), siret="73282932000074")
    login(client, make_user())
    response = client.post("/organisations/nouvelle", data=dict(ORGANISATION))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "déjà inscrite : demandez plutôt à la rejoindre" in page
    assert "/organisations/rejoindre?q=" in page
    assert count_organisations(app) == 1


def test_a_join_request_is_approved_by_a_member_and_both_are_told_by_email(
        app, make_user, login, make_organisation, mailbox):
    member_id = make_user(email="claire@example.org", first_name="Claire")
    newcomer_id = make_user(email="julien@example.org", first_name="Julien", last_name="Roux")
    organisation_id = make_organisation(member_id, name="Ville de Grasse")
    member, newcomer = app.test_client(), app.test_client()
    login(member, member_id)
    login(newcomer, newcomer_id)

    found = newcomer.get("/organisations/rejoindre?q=grasse").get_data(as_text=True)
    assert "Ville de Grasse" in found
    newcomer.post(f"/organisations/{organisation_id}/rejoindre", data={"message": "Je rejoins le service achats."})
    [request_mail] = mailbox.wait_for(1)
    assert request_mail["To"] == "claire@example.org"
    assert "Julien Roux demande à rejoindre Ville de Grasse" == request_mail["Subject"]
    assert "Je rejoins le service achats." in mailbox.text(request_mail)
    assert membership(app, newcomer_id).status == MembershipStatus.PENDING

    # The newcomer is not a member yet: no member list for them.
    assert "claire@example.org" not in newcomer.get(f"/organisations/{organisation_id}").get_data(as_text=True)

    page = member.get(f"/organisations/{organisation_id}").get_data(as_text=True)
    assert "Demandes en attente" in page and "julien@example.org" in page
    pending = membership(app, newcomer_id)
    response = member.post(f"/organisations/{organisation_id}/demandes/{pending.id}/accepter", follow_redirects=True)
    assert "Julien Roux fait maintenant partie de l'organisation." in response.get_data(as_text=True)
    assert membership(app, newcomer_id).status == MembershipStatus.ACTIVE

    decision = mailbox.wait_for(2)[1]
    assert decision["To"] == "julien@example.org"
    assert decision["Subject"] == "Bienvenue dans Ville de Grasse"
    assert "claire@example.org" in newcomer.get(f"/organisations/{organisation_id}").get_data(as_text=True)


def test_a_join_request_can_be_refused(app, client, make_user, login, make_organisation, mailbox):
    member_id = make_user()
    newcomer_id = make_user(email="julien@example.org")
    organisation_id = make_organisation(member_id)
    newcomer = app.test_client()
    login(newcomer, newcomer_id)
    newcomer.post(f"/organisations/{organisation_id}/rejoindre", data={})
    login(client, member_id)
    pending = membership(app, newcomer_id)
    client.post(f"/organisations/{organisation_id}/demandes/{pending.id}/refuser")
    assert membership(app, newcomer_id).status == MembershipStatus.REFUSED
    refusal = mailbox.to("julien@example.org")[-1]
    assert "n'a pas été acceptée" in mailbox.text(refusal)
    # Deciding twice is refused.
    again = client.post(f"/organisations/{organisation_id}/demandes/{pending.id}/accepter")
    assert again.status_code == 409


def test_only_members_decide_on_join_requests(app, client, make_user, login, make_organisation):
    organisation_id = make_organisation(make_user())
    other_org_member = make_user()
    make_organisation(other_org_member, name="CHU de Nice")
    newcomer_id = make_user()
    newcomer = app.test_client()
    login(newcomer, newcomer_id)
    newcomer.post(f"/organisations/{organisation_id}/rejoindre", data={})
    pending = membership(app, newcomer_id)

    login(client, other_org_member)
    response = client.post(f"/organisations/{organisation_id}/demandes/{pending.id}/accepter")
    assert response.status_code == 403
    # The requester cannot approve their own request either.
    assert newcomer.post(f"/organisations/{organisation_id}/demandes/{pending.id}/accepter").status_code == 403
    assert membership(app, newcomer_id).status == MembershipStatus.PENDING


def test_a_buyer_belongs_to_one_organisation_at_a_time(app, client, make_user, login, make_organisation):
    user_id = make_user()
    make_organisation(user_id)
    other_id = make_organisation(make_user(), name="CHU de Nice")
    login(client, user_id)
    response = client.post(f"/organisations/{other_id}/rejoindre", data={})
    assert response.status_code == 409
    assert "Vous êtes déjà membre" in response.get_data(as_text=True)
    created = client.post("/organisations/nouvelle", data={**ORGANISATION})
    assert created.status_code == 409
    assert count_organisations(app) == 2


def test_suppliers_and_organisers_cannot_create_buyer_organisations(app, client, make_user, login):
    login(client, make_user(role="supplier"))
    response = client.post("/organisations/nouvelle", data=dict(ORGANISATION))
    assert response.status_code == 403
    assert count_organisations(app) == 0


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/organisations/rejoindre")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
