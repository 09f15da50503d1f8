"""Supplier accounts: creating a listing, claiming one by SIRET, editing, activities,
permissions, and consortiums."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.suppliers.models import (
    ActivityReach,
    ConsortiumMembership,
    MemberStatus,
    Supplier,
    SupplierActivity,
    SupplierMember,
)
from tests.conftest import visible_text

LISTING = {
    "name": "Envie Côte d'Azur", "siret": "732 829 320 00074", "kind": "EI", "postcode": "06130", "city": "Grasse",
    "description": "Collecte, réparation et revente d'électroménager.", "email": "contact@envie.example.org",
    "labels": ["iso-9001", "afaq-ei-etti"], "networks": "envie", "permanent_staff": "12", "insertion_staff": "35",
    "turnover_euros": "1200000", "logo_url": "",
}


def supplier_named(app, name):
    with app.app_context():
        supplier = db.session.scalar(select(Supplier).where(Supplier.name == name))
        if supplier is not None:
            db.session.expunge(supplier)
        return supplier


def test_a_supplier_user_lists_its_structure_which_is_placed_and_scored(app, client, make_user, login):
    login(client, make_user(role="supplier"))
    response = client.post("/structures/nouvelle", data=dict(LISTING))
    assert response.status_code == 302
    supplier = supplier_named(app, "Envie Côte d'Azur")
    assert (supplier.siren, supplier.commune_code, supplier.department_code, supplier.region_code) == (
        "732829320", "06069", "06", "93")
    assert supplier.turnover_cents == 120_000_000
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Fiche complétée à {supplier.completion} %" in page
    assert "Au moins une activité" in page and "Au moins une référence client" in page


def test_bad_listings_are_refused_with_field_errors(app, client, make_user, login, make_supplier):
    login(client, make_user(role="supplier"))
    response = client.post("/structures/nouvelle", data={**LISTING, "siret": "73282932000075", "kind": "SARL",
                                                         "email": "pas-un-email", "permanent_staff": "-4",
                                                         "logo_url": "javascript:alert(1)"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Numéro SIRET invalide", "Choisissez une valeur dans la liste.", "Adresse e-mail invalide.",
                    "Nombre entre 0 et 100000 attendu.", "Adresse https:// attendue."):
        assert message in page
    make_supplier(name="Déjà là", siret="73282932000074")
    duplicate = client.post("/structures/nouvelle", json=dict(LISTING, labels=[], networks=[]))
    assert duplicate.status_code == 422
    assert "revendiquez-la" in duplicate.get_json()["errors"]["siret"][0]
    assert supplier_named(app, "Envie Côte d'Azur") is None


def test_a_listing_is_claimed_by_siret_and_approved_by_its_member(app, make_user, login, make_supplier, mailbox):
    owner_id = make_user(role="supplier", email="owner@example.org")
    supplier_id = make_supplier(name="ESAT des Collines", member_id=owner_id, siret="73282932000074")
    claimant_id = make_user(role="supplier", email="claimant@example.org", first_name="Paul")
    owner, claimant = app.test_client(), app.test_client()
    login(owner, owner_id)
    login(claimant, claimant_id)

    assert claimant.get(f"/structures/{supplier_id}/modifier").status_code == 403
    found = claimant.post("/structures/revendiquer", data={"siret": "73282932000074"}).get_data(as_text=True)
    assert "ESAT des Collines" in found
    claimant.post("/structures/revendiquer", data={"siret": "73282932000074", "confirm": "1"})
    [request_mail] = mailbox.wait_for(1)
    assert request_mail["To"] == "owner@example.org" and "demande à gérer la fiche" in request_mail["Subject"]

    with app.app_context():
        claim = db.session.scalar(select(SupplierMember).where(SupplierMember.user_id == claimant_id))
        claim_id = claim.id
    owner.post(f"/structures/{supplier_id}/revendications/{claim_id}/accepter")
    assert mailbox.wait_for(2)[1]["To"] == "claimant@example.org"
    assert claimant.get(f"/structures/{supplier_id}/modifier").status_code == 200


def test_a_claim_on_a_listing_without_members_goes_to_the_admins(app, make_user, login, make_supplier, mailbox):
    admin_id = make_user(role="admin", email="admin@example.org")
    make_supplier(name="Orpheline", siret="73282932000074")
    claimant = app.test_client()
    login(claimant, make_user(role="supplier"))
    claimant.post("/structures/revendiquer", data={"siret": "73282932000074", "confirm": "1"})
    recipients = {m["To"] for m in mailbox.wait_for(2)}
    assert "admin@example.org" in recipients
    admin = app.test_client()
    login(admin, admin_id)
    with app.app_context():
        claim = db.session.scalar(select(SupplierMember))
        supplier_id, claim_id = claim.supplier_id, claim.id
    assert admin.post(f"/structures/{supplier_id}/revendications/{claim_id}/accepter").status_code == 302


def test_a_supplier_member_cannot_edit_another_supplier(app, client, make_user, login, make_supplier):
    mine = make_user(role="supplier")
    make_supplier(name="La mienne", member_id=mine)
    other_id = make_supplier(name="La concurrente", activities=[{"sector": "nettoyage"}])
    login(client, mine)
    assert client.get(f"/structures/{other_id}").status_code == 403
    assert client.post(f"/structures/{other_id}/modifier", data={**LISTING, "name": "Piratée"}).status_code == 403
    assert client.post(f"/structures/{other_id}/modifier", json={"name": "Piratée"}).status_code == 403
    with app.app_context():
        activity_id = db.session.scalar(select(SupplierActivity.id).where(SupplierActivity.supplier_id == other_id))
    assert client.post(f"/structures/{other_id}/activites/{activity_id}/supprimer").status_code == 403
    assert client.post(f"/structures/{other_id}/references", data={"client": "X", "description": "Y",
                                                                    "year": "2024"}).status_code == 403
    assert supplier_named(app, "La concurrente").name == "La concurrente"
    with app.app_context():
        assert db.session.get(SupplierActivity, activity_id) is not None


def test_members_delist_and_relist_their_supplier_without_losing_it(app, client, make_user, login, make_supplier):
    owner_id = make_user(role="supplier")
    supplier_id = make_supplier(name="Retirée", member_id=owner_id, activities=[{"sector": "nettoyage"}])
    login(client, owner_id)
    client.post(f"/structures/{supplier_id}/retirer")
    assert client.get("/annuaire/recherche.json?q=retiree").get_json()["total"] == 0
    assert "Remettre la structure" in client.get(f"/structures/{supplier_id}").get_data(as_text=True)
    client.post(f"/structures/{supplier_id}/remettre")
    assert client.get("/annuaire/recherche.json?q=retiree").get_json()["total"] == 1


def test_buyers_cannot_list_suppliers(client, make_user, login):
    login(client, make_user(role="buyer"))
    assert client.post("/structures/nouvelle", data=dict(LISTING)).status_code == 403


def test_activities_set_where_the_supplier_is_found(app, client, make_user, login, make_supplier):
    owner_id = make_user(role="supplier")
    supplier_id = make_supplier(name="Multi-sites", member_id=owner_id)
    login(client, owner_id)
    with app.app_context():
        from marketplace.suppliers.taxonomy import Sector

        sector_id = db.session.scalar(select(Sector.id).where(Sector.slug == "nettoyage"))
    bad = client.post(f"/structures/{supplier_id}/activites", data={"sector_id": sector_id, "service_kinds": "service",
                                                                   "geo_range": "radius"})
    assert bad.status_code == 422 and "Indiquez le rayon" in bad.get_data(as_text=True)
    unknown_commune = client.post(f"/structures/{supplier_id}/activites", data={
        "sector_id": sector_id, "service_kinds": "service", "geo_range": "zones", "communes": "99999"})
    assert unknown_commune.status_code == 422 and "Commune inconnue" in unknown_commune.get_data(as_text=True)
    ok = client.post(f"/structures/{supplier_id}/activites", data={
        "sector_id": sector_id, "service_kinds": ["service", "staff"], "geo_range": "zones",
        "zones": ["region:84", "department:13"], "communes": "06069"})
    assert ok.status_code == 302
    with app.app_context():
        reach = set(db.session.scalars(select(ActivityReach.department_code)
                                       .where(ActivityReach.supplier_id == supplier_id)))
    assert {"13", "06", "69", "38"} <= reach and "75" not in reach
    assert "Multi-sites" in [i["name"] for i in client.get(
        "/annuaire/recherche.json?department=69&sector=nettoyage&service=staff").get_json()["items"]]


def test_a_consortium_invites_members_who_accept_and_shows_their_combined_capacity(
        app, make_user, login, make_supplier, mailbox):
    lead_user, member_user = make_user(role="supplier", email="lead@example.org"), make_user(
        role="supplier", email="member@example.org")
    lead_id = make_supplier(name="EI Menuiserie", member_id=lead_user, siret="73282932000074", permanent_staff=10,
                            insertion_staff=20, activities=[{"sector": "second-oeuvre", "services": ["works"]}])
    member_id = make_supplier(name="ACI Peinture", member_id=member_user, kind="ACI", permanent_staff=3,
                              insertion_staff=15, activities=[{"sector": "renovation-energetique"}])
    lead, member = app.test_client(), app.test_client()
    login(lead, lead_user)
    login(member, member_user)

    created = lead.post(f"/structures/{lead_id}/groupement", data={
        "name": "Groupement Bâtir Ensemble", "siret": "35600000000048", "postcode": "06130", "city": "Grasse"})
    assert created.status_code == 302
    consortium = supplier_named(app, "Groupement Bâtir Ensemble")
    assert consortium.kind.value == "CONSORTIUM"

    with app.app_context():
        member_siret = db.session.get(Supplier, member_id).siret
    lead.post(f"/structures/{consortium.id}/groupement/inviter", data={"siret": member_siret})
    invitation = [m for m in mailbox.wait_for(1) if m["To"] == "member@example.org"][0]
    assert "invite ACI Peinture" in invitation["Subject"]

    with app.app_context():
        membership_id = db.session.scalar(select(ConsortiumMembership.id).where(
            ConsortiumMembership.member_id == member_id))
    # Only the invited supplier's members can answer.
    assert lead.post(f"/structures/{member_id}/invitations/{membership_id}/accepter").status_code == 403
    member.post(f"/structures/{member_id}/invitations/{membership_id}/accepter")
    with app.app_context():
        assert db.session.get(ConsortiumMembership, membership_id).status == MemberStatus.ACTIVE

    page = visible_text(member.get(f"/annuaire/structures/{consortium.id}"))
    assert "2 structures membres, chef de file : EI Menuiserie" in page
    assert "13 salariés permanents, 35 personnes en insertion" in page
    assert "Rénovation énergétique — ACI Peinture" in page
    assert "Groupement Bâtir Ensemble" in member.get(f"/annuaire/structures/{member_id}").get_data(as_text=True)
    names = [i["name"] for i in member.get("/annuaire/recherche.json?in_consortium=1").get_json()["items"]]
    assert sorted(names) == ["ACI Peinture", "EI Menuiserie"]


def test_a_supplier_deletes_one_of_its_activities_and_is_no_longer_found_for_it(app, client, make_user, login,
                                                                                  make_supplier):
    from marketplace.suppliers.models import ActivityReach

    mine = make_user(role="supplier")
    supplier_id = make_supplier(name="Propreté des Iris", member_id=mine, activities=[
        {"sector": "nettoyage", "range": "zones", "zones": ["department:06"]},
        {"sector": "espaces-verts", "range": "zones", "zones": ["department:06"]}])
    with app.app_context():
        cleaning = db.session.scalar(select(SupplierActivity.id).where(
            SupplierActivity.supplier_id == supplier_id).order_by(SupplierActivity.id))
    login(client, mine)
    assert client.post(f"/structures/{supplier_id}/activites/{cleaning}/supprimer").status_code == 302
    with app.app_context():
        assert db.session.get(SupplierActivity, cleaning) is None
        assert db.session.scalar(select(ActivityReach.activity_id).where(ActivityReach.activity_id == cleaning)) is None
    def names(**params):
        return [i["name"] for i in client.get("/annuaire/recherche.json", query_string=params).get_json()["items"]]

    assert names(sector="nettoyage", department="06") == []
    assert names(sector="espaces-verts", department="06") == ["Propreté des Iris"]


def test_communes_of_an_activity_are_typed_by_name_and_shown_by_name(app, client, make_user, login, make_supplier):
    owner_id = make_user(role="supplier")
    supplier_id = make_supplier(name="Jardins de la Siagne", member_id=owner_id)
    login(client, owner_id)
    with app.app_context():
        from marketplace.suppliers.taxonomy import Sector

        sector_id = db.session.scalar(select(Sector.id).where(Sector.slug == "nettoyage"))
    ambiguous = client.post(f"/structures/{supplier_id}/activites", data={
        "sector_id": sector_id, "service_kinds": "service", "geo_range": "zones", "communes": "Sainte-Colombe"})
    assert ambiguous.status_code == 422 and "précisez le département" in ambiguous.get_data(as_text=True)
    saved = client.post(f"/structures/{supplier_id}/activites", data={
        "sector_id": sector_id, "service_kinds": "service", "geo_range": "zones",
        "communes": "Grasse (06), Mougins, 83400", "zones": ["department:04"]})
    assert saved.status_code == 302
    page = client.get(f"/structures/{supplier_id}").get_data(as_text=True)
    assert "Grasse (06)" in page and "Mougins (06)" in page and "Hyères (83)" in page
    assert "Alpes-de-Haute-Provence (04)" in page and "06069" not in page
    public = client.get(f"/annuaire/structures/{supplier_id}").get_data(as_text=True)
    assert "Grasse (06)" in public and "Alpes-de-Haute-Provence (04)" in public
