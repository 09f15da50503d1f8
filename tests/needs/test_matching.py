"""The matching rule, case by case, and the SQL version held to the Python one."""

import random

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.needs import matching
from marketplace.needs.models import Need, NeedArea
from marketplace.suppliers import services
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import SupplierKind
from tests.needs.conftest import need_data


def build_need(app, **fields) -> Need:
    """An unsaved need (the rule needs no database row for it)."""
    from marketplace.needs.services import _apply

    need = Need(kind=need_data()["kind"], organisation_id=0, author_id=0)
    _apply(need, need_data(**fields))
    return need


def outcome(app, supplier_id: int, **fields) -> tuple[bool, bool, list[str]]:
    """(Python says it matches, SQL says it matches, reasons) for one supplier and one need."""
    with app.app_context():
        need = build_need(app, **fields)
        supplier = db.session.get(Supplier, supplier_id)
        explanation = matching.explain(need, supplier)
        in_sql = supplier_id in {row[0] for row in matching.matching_suppliers(need)}
        db.session.rollback()
        return explanation.matched, in_sql, explanation.reasons + explanation.obstacles


CLEANER_GRASSE = {"name": "Propreté Grasse", "email": "contact@proprete-grasse.fr",
                  "activities": [{"sector": "nettoyage", "services": ["service"], "range": "radius", "radius": 30}]}


@pytest.mark.parametrize("fields, expected, because", [
    ({}, True, "le besoin concerne toute la France"),
    ({"sectors": ["restauration"]}, False, "aucune de ses activités"),
    ({"service_kinds": ["goods"]}, False, "aucune de ses activités"),
    ({"service_kinds": ["service", "goods"]}, True, "toute la France"),
    ({"wanted_kinds": ["ESAT"]}, False, "le besoin s'adresse aux ESAT"),
    ({"wanted_kinds": ["EI", "ESAT"]}, True, "toute la France"),
    ({"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 0}, True, "à 0 km de Grasse"),  # Grasse
    ({"area": NeedArea.COMMUNE, "commune": "06088", "radius_km": 0}, True, "intervient dans un rayon de 30 km"),
    ({"area": NeedArea.COMMUNE, "commune": "13055", "radius_km": 0}, False, "aucune de ses activités"),  # Marseille
    ({"area": NeedArea.COMMUNE, "commune": "13055", "radius_km": 120}, True, "rayon de 30 km"),
    ({"area": NeedArea.ZONES, "departments": ["06"]}, True, "zone d'intervention : Alpes-Maritimes (06)"),
    ({"area": NeedArea.ZONES, "departments": ["75"]}, False, "aucune de ses activités"),
    ({"area": NeedArea.ZONES, "regions": ["93"]}, True, "06"),  # PACA
    ({"area": NeedArea.ZONES, "sectors": ["restauration"], "lots": [{"title": "Lot ménage", "sectors": ["nettoyage"]}],
      "departments": ["06"]}, True, "Nettoyage"),
])
def test_a_radius_supplier_matches_needs_by_sector_service_kind_and_place(app, make_supplier, fields, expected,
                                                                          because):
    supplier_id = make_supplier(**CLEANER_GRASSE)
    python_says, sql_says, reasons = outcome(app, supplier_id, **fields)
    assert python_says is expected and sql_says is expected
    assert any(because in reason for reason in reasons), reasons


@pytest.mark.parametrize("zones, fields, expected", [
    (["department:06"], {"area": NeedArea.COMMUNE, "commune": "06088", "radius_km": 0}, True),  # Nice
    (["department:06"], {"area": NeedArea.COMMUNE, "commune": "13055", "radius_km": 0}, False),
    (["region:93"], {"area": NeedArea.COMMUNE, "commune": "13055", "radius_km": 0}, True),
    (["region:93"], {"area": NeedArea.ZONES, "departments": ["83"]}, True),
    (["region:93"], {"area": NeedArea.ZONES, "departments": ["69"]}, False),
    (["commune:06088"], {"area": NeedArea.COMMUNE, "commune": "06088", "radius_km": 0}, True),
    (["commune:06088"], {"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 0}, False),
    (["commune:06088"], {"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 40}, True),
    # A commune zone covers part of its department, a region zone all of it, whatever the order.
    (["commune:06088", "department:83"], {"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 0}, False),
    (["commune:06088", "region:93"], {"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 0}, True),
    (["commune:06088"], {"area": NeedArea.ZONES, "departments": ["06"]}, True),
])
def test_zone_activities_cover_their_communes_departments_and_regions(app, make_supplier, zones, fields, expected):
    supplier_id = make_supplier(name="ESAT des Collines", kind="ESAT", email="contact@esat-collines.fr",
                                activities=[{"sector": "nettoyage", "range": "zones", "zones": zones}])
    python_says, sql_says, _ = outcome(app, supplier_id, **fields)
    assert (python_says, sql_says) == (expected, expected)


def test_a_france_wide_activity_fits_every_place(app, make_supplier):
    supplier_id = make_supplier(email="contact@national.fr", postcode="59000", city="Lille",
                                activities=[{"sector": "nettoyage", "range": "france"}])
    python_says, sql_says, reasons = outcome(app, supplier_id, area=NeedArea.COMMUNE, commune="06069", radius_km=0)
    assert python_says and sql_says
    assert reasons == ["Nettoyage et propreté des locaux : intervient dans toute la France"]


def test_delisted_suppliers_and_suppliers_without_email_are_never_told(app, make_supplier):
    silent = make_supplier(name="Sans e-mail", activities=[{"sector": "nettoyage"}])
    delisted = make_supplier(name="Retirée", email="retiree@example.org", activities=[{"sector": "nettoyage"}])
    set_listed(app, delisted, False)
    for supplier_id, obstacle in ((silent, "pas d'adresse e-mail"), (delisted, "plus référencée")):
        python_says, sql_says, reasons = outcome(app, supplier_id)
        assert not python_says and not sql_says
        assert any(obstacle in reason for reason in reasons)


def set_listed(app, supplier_id: int, listed: bool):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        services.set_listed(db.session.get(Supplier, supplier_id), listed, admin)
        db.session.commit()


def edit_profile(app, supplier_id: int, **changes):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        supplier = db.session.get(Supplier, supplier_id)
        services.update_supplier(supplier, changes, admin)
        db.session.commit()


def test_matching_follows_the_supplier_at_once_when_it_is_delisted_loses_its_email_or_changes_kind(
        app, make_supplier):
    supplier_id = make_supplier(email="contact@jardins.fr", kind="EI", activities=[{"sector": "nettoyage"}])
    wanted_ei = {"wanted_kinds": ["EI"]}
    assert outcome(app, supplier_id, **wanted_ei)[:2] == (True, True)
    set_listed(app, supplier_id, False)
    assert outcome(app, supplier_id)[:2] == (False, False)
    set_listed(app, supplier_id, True)
    assert outcome(app, supplier_id, **wanted_ei)[:2] == (True, True)
    edit_profile(app, supplier_id, kind=SupplierKind.ESAT)
    assert outcome(app, supplier_id, **wanted_ei)[:2] == (False, False)
    assert outcome(app, supplier_id, wanted_kinds=["ESAT"])[:2] == (True, True)
    edit_profile(app, supplier_id, email=None)
    assert outcome(app, supplier_id, wanted_kinds=["ESAT"])[:2] == (False, False)


def test_the_sql_rule_and_the_python_rule_agree_on_a_random_directory(app, make_supplier):
    """Random suppliers and needs around Provence: SQL finds exactly whom `explain` accepts."""
    rng = random.Random(7)
    places = [("06130", "Grasse"), ("06000", "Nice"), ("13001", "Marseille"), ("83000", "Toulon"),
              ("84000", "Avignon"), ("04000", "Digne-les-Bains"), ("69001", "Lyon")]
    sectors = ["nettoyage", "restauration", "espaces-verts"]
    zones = ["department:06", "department:13", "region:93", "region:84", "commune:06088", "commune:13055"]
    for number in range(40):
        postcode, city = rng.choice(places)
        activities = []
        for _ in range(rng.randint(1, 2)):
            geo = rng.choice(["france", "radius", "zones"])
            activities.append({"sector": rng.choice(sectors), "services": rng.sample(["service", "goods", "staff"], 1),
                               "range": geo, "radius": rng.choice([5, 20, 60, 150]),
                               "zones": rng.sample(zones, rng.randint(1, 2))})
        make_supplier(name=f"Structure {number}", kind=rng.choice(["EI", "ESAT", "ACI"]), postcode=postcode, city=city,
                      email=f"s{number}@example.org", activities=activities)
    shapes = [
        {}, {"sectors": ["restauration"]}, {"service_kinds": ["goods"]}, {"wanted_kinds": ["ESAT", "ACI"]},
        {"area": NeedArea.COMMUNE, "commune": "06069", "radius_km": 0},
        {"area": NeedArea.COMMUNE, "commune": "13055", "radius_km": 25},
        {"area": NeedArea.COMMUNE, "commune": "84007", "radius_km": 80, "sectors": ["espaces-verts", "nettoyage"]},
        {"area": NeedArea.ZONES, "departments": ["83"]}, {"area": NeedArea.ZONES, "regions": ["84"]},
    ]
    with app.app_context():
        suppliers = list(db.session.scalars(select(Supplier)))
        seen_matches = 0
        for fields in shapes:
            need = build_need(app, **fields)
            place = matching.place_of(need)
            by_python = {s.id for s in suppliers if matching.explain(need, s, place).matched}
            by_sql = {row[0] for row in matching.matching_suppliers(need)}
            assert by_sql == by_python, fields
            seen_matches += len(by_sql)
            db.session.rollback()
        assert 0 < seen_matches < 40 * len(shapes)  # the shapes do discriminate
