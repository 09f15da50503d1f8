"""Directory search: French-aware text, every filter, geography of activities, sorting, paging."""

import pytest
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.suppliers import services
from marketplace.suppliers.models import Supplier

CLEANING_06 = {"sector": "nettoyage", "services": ["service"], "range": "zones", "zones": ["department:06"]}


def found(client, **params) -> list[str]:
    response = client.get("/annuaire/recherche.json", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.get_json()["items"]]


def test_text_search_ignores_accents_and_case_and_matches_plurals(client, make_supplier):
    make_supplier(name="Éco-Propreté Provençale", description="Nettoyage de bureaux et de vitres.")
    make_supplier(name="Cuisine Solidaire", description="Traiteur pour vos événements.")
    for query in ("eco proprete", "ÉCO-PROPRETÉ", "provencale", "nettoyages", "bureau", "Vitre", "netto"):
        assert found(client, q=query) == ["Éco-Propreté Provençale"], query
    assert found(client, q="traiteurs") == ["Cuisine Solidaire"]
    assert found(client, q="plomberie") == []


def test_text_search_reads_activities_and_references(client, make_supplier):
    make_supplier(name="Atelier Arc-en-Ciel", activities=[{"sector": "conditionnement"}],
                  references=[{"client": "Parfumerie Fragonard", "description": "Mise sous pli", "year": 2025}])
    assert found(client, q="emballage") == ["Atelier Arc-en-Ciel"]
    assert found(client, q="fragonard") == ["Atelier Arc-en-Ciel"]


def test_siret_and_siren_prefixes_find_the_supplier(client, make_supplier):
    make_supplier(name="Envie Provence", siret="73282932000074")
    make_supplier(name="Autre structure")
    assert found(client, q="732 829 320") == ["Envie Provence"]
    assert found(client, q="73282932000074") == ["Envie Provence"]
    assert found(client, q="7328") == ["Envie Provence"]


def test_a_name_match_ranks_before_a_description_match(client, make_supplier):
    make_supplier(name="Recyclerie du Pays", description="Nous vendons des objets.")
    make_supplier(name="Atelier du Pays", description="Atelier de réparation et recyclerie solidaire.")
    assert found(client, q="recyclerie") == ["Recyclerie du Pays", "Atelier du Pays"]


def test_relevance_is_name_first_then_the_most_complete_profile_on_every_page_and_path(app, client, make_supplier):
    sparse = make_supplier(name="Recyclerie Alpha", activities=[{"sector": "nettoyage"}])
    make_supplier(name="Recyclerie Beta", activities=[{"sector": "nettoyage"}], email="beta@example.org",
                  phone="0493000000", website="https://beta.example.org")
    make_supplier(name="Atelier Gamma", description="Recyclerie et réparation.", activities=[{"sector": "nettoyage"}],
                  email="gamma@example.org", phone="0493000001", website="https://gamma.example.org")
    expected = ["Recyclerie Beta", "Recyclerie Alpha", "Atelier Gamma"]
    assert found(client, q="recyclerie") == expected
    assert found(client, q="recyclerie", sector="nettoyage") == expected  # filtered: ranked in SQL, same order
    pages = [client.get("/annuaire/recherche.json", query_string={"q": "recyclerie", "per_page": 1, "page": page})
             .get_json() for page in (1, 2, 3, 4)]
    assert [p["items"][0]["name"] for p in pages[:3]] == expected and pages[3]["items"] == []
    assert {p["total"] for p in pages} == {3}

    with app.app_context():  # Alpha completes its profile: it moves up, and is indexed once
        supplier = db.session.get(Supplier, sparse)
        services.update_supplier(supplier, {"email": "alpha@example.org", "phone": "0493000002",
                                            "website": "https://alpha.example.org"}, supplier_admin(), imported=True)
        db.session.commit()
    assert found(client, q="recyclerie") == ["Recyclerie Alpha", "Recyclerie Beta", "Atelier Gamma"]


def supplier_admin():
    return db.session.scalar(select(User).where(User.email == "factory-admin@example.org"))


@pytest.mark.parametrize("params, expected", [
    ({"sector": "nettoyage"}, {"Propre 06"}),
    ({"group": "logistique"}, {"Vélo Cargo Lyon"}),
    ({"kind": "ESAT"}, {"Vélo Cargo Lyon"}),
    ({"kind": ["ESAT", "EI"]}, {"Vélo Cargo Lyon", "Propre 06"}),
    ({"service": "goods"}, {"Vélo Cargo Lyon"}),
    ({"label": "iso-14001"}, {"Propre 06"}),
    ({"network": "unea"}, {"Vélo Cargo Lyon"}),
    ({"headcount": "10-49"}, {"Propre 06"}),
    ({"headcount": "1-9"}, {"Vélo Cargo Lyon"}),
    ({"turnover": "500k-2m"}, {"Propre 06"}),
    ({"turnover": "0-100k"}, set()),
    # Activity criteria with the supplier's own: each is met, together.
    ({"sector": "nettoyage", "kind": "EI"}, {"Propre 06"}),
    ({"sector": "nettoyage", "kind": "ESAT"}, set()),
    ({"sector": "nettoyage", "label": "iso-14001", "department": "06"}, {"Propre 06"}),
    ({"group": "logistique", "network": "unea", "department": "69"}, {"Vélo Cargo Lyon"}),
    ({"group": "logistique", "network": "unea", "department": "06"}, set()),
    ({"service": "goods", "headcount": "1-9"}, {"Vélo Cargo Lyon"}),
    ({"sector": "nettoyage", "turnover": "0-100k"}, set()),
])
def test_each_filter(client, make_supplier, params, expected):
    make_supplier(name="Propre 06", kind="EI", activities=[CLEANING_06], labels=["iso-14001"],
                  permanent_staff=8, insertion_staff=30, turnover_cents=90_000_000)
    make_supplier(name="Vélo Cargo Lyon", kind="ESAT", postcode="69003", city="Lyon",
                  activities=[{"sector": "livraison-velo-cargo", "services": ["goods", "service"], "range": "radius",
                               "radius": 15}], networks=["unea"], permanent_staff=4, insertion_staff=3,
                  turnover_cents=30_000_000)
    assert set(found(client, **params)) == expected


def test_radius_zones_and_france_wide_activities_serve_the_right_places(client, make_supplier):
    make_supplier(name="National", activities=[{"sector": "nettoyage", "range": "france"}])
    make_supplier(name="Rayon Grasse", activities=[{"sector": "nettoyage", "range": "radius", "radius": 30}])
    make_supplier(name="Zone 13", postcode="13002", city="Marseille",
                  activities=[{"sector": "nettoyage", "range": "zones", "zones": ["department:13"]}])
    make_supplier(name="Zone Antibes", activities=[{"sector": "nettoyage", "range": "zones",
                                                    "zones": ["commune:06004"]}])
    make_supplier(name="Région Sud", postcode="83000", city="Toulon",
                  activities=[{"sector": "nettoyage", "range": "zones", "zones": ["region:93"]}])
    south = {"National", "Région Sud"}
    assert set(found(client, commune="06029")) == south | {"Rayon Grasse"}  # Cannes, 15 km from Grasse
    assert set(found(client, commune="06004")) == south | {"Rayon Grasse", "Zone Antibes"}  # Antibes
    assert set(found(client, commune="13055")) == south | {"Zone 13"}  # Marseille
    assert set(found(client, commune="06088")) == south | {"Rayon Grasse"}  # Nice, 30 km
    assert set(found(client, commune="06163")) == south  # Villefranche-sur-Mer, beyond Nice
    assert set(found(client, commune="69123")) == {"National"}  # Lyon
    # Names and postcodes work as well as INSEE codes.
    assert set(found(client, commune="cannes")) == set(found(client, commune="06400")) == south | {"Rayon Grasse"}
    assert set(found(client, department="06")) == south | {"Rayon Grasse", "Zone Antibes"}
    assert set(found(client, department="13")) == south | {"Zone 13"}
    assert set(found(client, region="93")) == south | {"Rayon Grasse", "Zone 13", "Zone Antibes"}
    assert set(found(client, region="11")) == {"National"}


def test_sector_and_place_must_be_met_by_the_same_activity(client, make_supplier):
    make_supplier(name="Deux métiers", activities=[CLEANING_06, {"sector": "stockage", "range": "france"}])
    assert found(client, sector="nettoyage", department="75") == []
    assert found(client, sector="stockage", department="75") == ["Deux métiers"]
    assert found(client, sector="nettoyage", department="06") == ["Deux métiers"]


def test_suppliers_located_within_a_distance_sorted_by_distance(client, make_supplier):
    make_supplier(name="À Grasse", postcode="06130", city="Grasse")
    make_supplier(name="À Cannes", postcode="06400", city="Cannes")
    make_supplier(name="À Lyon", postcode="69003", city="Lyon")
    response = client.get("/annuaire/recherche.json", query_string={"commune": "06029", "within_km": 25,
                                                                  "sort": "distance"})
    items = response.get_json()["items"]
    assert [i["name"] for i in items] == ["À Cannes", "À Grasse"]
    assert items[0]["distance_km"] < 3 < items[1]["distance_km"] < 25


def test_a_sector_search_lists_the_most_complete_first_and_the_nearest_first_around_a_commune(client, make_supplier):
    cleaning = [{"sector": "nettoyage", "range": "radius", "radius": 40}]
    make_supplier(name="Grasse, fiche minimale", activities=cleaning)
    make_supplier(name="Cannes, fiche complète", postcode="06400", city="Cannes", email="contact@cannes.example.org",
                  phone="04 93 00 00 00", description="Une description largement assez longue pour compter " * 2,
                  activities=cleaning)
    make_supplier(name="Lyon, toute la France", postcode="69003", city="Lyon",
                  activities=[{"sector": "nettoyage", "range": "france"}])
    make_supplier(name="Antibes, espaces verts", postcode="06600", city="Antibes",
                  activities=[{"sector": "espaces-verts", "range": "radius", "radius": 40}])
    everywhere = found(client, sector="nettoyage")
    assert everywhere[0] == "Cannes, fiche complète" and set(everywhere[1:]) == {"Grasse, fiche minimale",
                                                                                 "Lyon, toute la France"}
    assert found(client, sector="nettoyage", commune="06029", within_km=25, sort="distance") == [
        "Cannes, fiche complète", "Grasse, fiche minimale"]  # from Cannes; Lyon is located too far
    assert found(client, sector="nettoyage", commune="06029", sort="distance") == [
        "Cannes, fiche complète", "Grasse, fiche minimale", "Lyon, toute la France"]  # who serves Cannes


def test_results_are_paginated_with_a_total_count(client, make_supplier):
    for i in range(7):
        make_supplier(name=f"Structure {i}", description="Blanchisserie industrielle")
    first = client.get("/annuaire/recherche.json", query_string={"q": "blanchisserie", "per_page": 3}).get_json()
    last = client.get("/annuaire/recherche.json", query_string={"q": "blanchisserie", "per_page": 3,
                                                                "page": 3}).get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(last["items"])) == (7, 3, 3, 1)
    pages = [client.get("/annuaire/recherche.json", query_string={"q": "blanchisserie", "per_page": 3, "page": page})
             for page in (1, 2, 3)]
    seen = {item["name"] for page in pages for item in page.get_json()["items"]}
    assert len(seen) == 7


def test_sorting_by_completion_and_last_update(app, client, make_supplier):
    # The complete profile is the older one: each sort puts another supplier first.
    complete = make_supplier(name="Fiche complète", description="Une description largement assez longue " * 3,
                             email="contact@example.org", phone="04 93 00 00 00", activities=[CLEANING_06])
    make_supplier(name="Fiche minimale")
    assert found(client, sort="completion") == ["Fiche complète", "Fiche minimale"]
    assert found(client, sort="updated") == ["Fiche minimale", "Fiche complète"]
    with app.app_context():
        from marketplace.accounts.models import User

        supplier = db.session.get(Supplier, complete)
        admin = db.session.scalar(select(User).where(User.email == "factory-admin@example.org"))
        services.update_supplier(supplier, {"phone": "04 93 11 11 11"}, admin)
        db.session.commit()
    assert found(client, sort="updated") == ["Fiche complète", "Fiche minimale"]


def test_delisted_suppliers_leave_the_directory(app, client, make_supplier, make_user):
    supplier_id = make_supplier(name="Partie", activities=[CLEANING_06])
    admin_id = make_user(role="admin")
    with app.app_context():
        from marketplace.accounts.models import User
        from marketplace.suppliers.services import set_listed

        set_listed(db.session.get(Supplier, supplier_id), False, db.session.get(User, admin_id))
        db.session.commit()
    assert found(client, sector="nettoyage") == []
    assert found(client, q="partie") == []
    assert client.get(f"/annuaire/structures/{supplier_id}").status_code == 404


def test_empty_form_fields_are_no_criteria(client, make_supplier):
    make_supplier(name="Propre 06", activities=[CLEANING_06])
    assert found(client, q="", sector="", department="", region="", commune="", within_km="", headcount="",
                 turnover="", sort="") == ["Propre 06"]


def test_bad_search_input_gives_field_errors(client):
    response = client.get("/annuaire/recherche.json", query_string={"kind": "PIRATE", "page": "zero", "within_km": -3})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"kind.0", "page", "within_km"}  # the path of the bad value, dotted
    page = client.get("/annuaire", query_string={"page": "zero"})
    assert page.status_code == 422 and "Certains critères sont invalides" in page.get_data(as_text=True)


def test_the_search_page_shows_results_and_the_supplier_page_its_profile(client, make_supplier):
    supplier_id = make_supplier(name="Les Jardins de Cocagne", description="Maraîchage biologique et paniers.",
                                activities=[{"sector": "espaces-verts", "range": "radius", "radius": 40}],
                                references=[{"client": "Mairie de Grasse", "description": "Entretien", "year": 2024}],
                                networks=["cocagne"], email="contact@cocagne.example.org",
                                turnover_cents=123_456_700)
    page = client.get("/annuaire?q=jardins").get_data(as_text=True)
    assert "Les Jardins de Cocagne" in page and "1</strong> structure" in page
    profile = client.get(f"/annuaire/structures/{supplier_id}").get_data(as_text=True)
    for text in ("Espaces verts et entretien paysager", "dans un rayon de 40 km autour de Grasse", "Mairie de Grasse",
                 "Réseau Cocagne", "contact@cocagne.example.org", "Demander un devis",
                 "1\u202f234\u202f567\u00a0€ de chiffre d'affaires"):
        assert text in profile
