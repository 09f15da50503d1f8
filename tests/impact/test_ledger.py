"""The purchase ledger: a 5,000-line file with listed suppliers of several kinds,
unknown SIRETs, malformed rows, duplicates and accents; matched by SIRET then SIREN,
errors reported per row, a dry run changing nothing, a second import adding nothing."""

import io
import random

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.demo import demo_siret
from marketplace.extensions import db
from marketplace.impact.models import MatchKind, PurchaseLine
from tests.conftest import visible_text

JSON = {"Accept": "application/json"}
HEADER = "Fournisseur;N° SIRET;Montant HT;Date facture;Famille d'achat"


@pytest.fixture
def directory(app, make_supplier):
    """Listed suppliers of several kinds (SIRET series 6), and one whose other
    establishment (same SIREN, another NIC) is what the ledger names."""
    from marketplace.suppliers.models import Supplier

    kinds = {"EI": "Les Jardins d'Azur", "ESAT": "ESAT de la Siagne", "EA": "Entreprise adaptée Côte d'Azur",
             "ACI": "Chantier Éco-Pôle", "CONSORTIUM": "Groupement Inclusif Sud"}
    ids = {kind: make_supplier(name=name, kind=kind) for kind, name in kinds.items()}
    with app.app_context():
        sirets = {kind: db.session.get(Supplier, sid).siret for kind, sid in ids.items()}
    return {"ids": ids, "sirets": sirets}


def other_establishment(siret: str) -> str:
    """Another valid SIRET of the same company (a different NIC)."""
    from stdnum import luhn

    body = siret[:9] + "0002"
    return body + luhn.calc_check_digit(body)


def ledger_csv(directory, lines: int = 5000, seed: int = 1) -> tuple[str, dict]:
    """A big ledger and what a person counting by hand finds in it."""
    rng = random.Random(seed)
    rows, expected = [HEADER], {"siret": 0, "siren": 0, "not_listed": 0, "unknown": 0, "errors": []}
    kinds = list(directory["sirets"])
    for number in range(2, lines + 2):
        pick = rng.random()
        amount = f"{rng.randint(100, 900_000) / 100:.2f}".replace(".", ",")
        when = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026"
        if pick < 0.30:
            siret = directory["sirets"][rng.choice(kinds)]
            rows.append(f"{siret} SA;{siret};{amount};{when};Entretien des espaces verts")
            expected["siret"] += 1
        elif pick < 0.35:
            siret = other_establishment(directory["sirets"]["ESAT"])
            rows.append(f"ESAT de la Siagne — site 2;{siret};{amount};{when};Blanchisserie")
            expected["siren"] += 1
        elif pick < 0.80:
            siret = demo_siret(number, series=8)  # valid, but in nobody's directory
            rows.append(f"Société Générale d'Équipement n° {number};{siret};{amount};{when};Fournitures de bureau")
            expected["not_listed"] += 1
        elif pick < 0.90:
            rows.append(f"Boulangerie Pâtissière Élodie;;{amount};{when};Réceptions")
            expected["unknown"] += 1
        else:
            bad = rng.choice([
                ("Clé fausse", "12345678901234", amount, when, "SIRET"),
                ("Montant illisible", "", "douze euros", when, "montant"),
                ("Date illisible", "", amount, "32/13/2026", "date"),
                ("", "", amount, when, "ni nom ni SIRET"),
            ])
            rows.append(";".join(bad[:4]) + ";Divers")
            expected["errors"].append((number, bad[4]))
    return "\n".join(rows) + "\n", expected


def upload(client, content: bytes, filename: str = "achats-2026.csv"):
    response = client.post("/achats-inclusifs/import", data={"file": (io.BytesIO(content), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


MAPPING = {"identifier": "N° SIRET", "name": "Fournisseur", "amount": "Montant HT", "date": "Date facture",
           "category": "Famille d'achat"}


def test_a_5000_line_ledger_is_matched_reported_per_row_and_imported_once(app, client, login, buyer, directory):
    content, expected = ledger_csv(directory)
    login(client, buyer)
    mapping_page = upload(client, content.encode())
    # The columns are guessed from the header; the dry run counts without writing.
    page = client.get(mapping_page)
    assert 'value="N° SIRET" selected' in page.get_data(as_text=True)
    dry = client.post(mapping_page, data={**MAPPING, "dry_run": "1"}, headers=JSON).get_json()
    errors = len(expected["errors"])
    assert dry["dry_run"] and dry["errors"] == errors and dry["added"] == 5000 - errors
    with app.app_context():
        assert db.session.scalar(select(func.count(PurchaseLine.id))) == 0
    shown = {line["line"]: line for line in dry["lines"] if line["outcome"] == "erreur"}
    for number, why in expected["errors"][:20]:
        assert why.split()[0].lower() in shown[number]["message"].lower() or why in shown[number]["message"]
    done = client.post(mapping_page, data=MAPPING, headers=JSON).get_json()
    assert done["added"] == 5000 - errors and not done["dry_run"]
    with app.app_context():
        counts = dict(db.session.execute(select(PurchaseLine.match, func.count()).group_by(PurchaseLine.match)).all())
        assert counts.get(MatchKind.SIRET, 0) == expected["siret"]
        assert counts.get(MatchKind.SIREN, 0) == expected["siren"]
        assert counts.get(MatchKind.NOT_LISTED, 0) == expected["not_listed"]
        assert counts.get(MatchKind.UNKNOWN, 0) == expected["unknown"]
        accents = db.session.scalar(select(PurchaseLine.supplier_name).where(
            PurchaseLine.match == MatchKind.UNKNOWN).limit(1))
        assert accents == "Boulangerie Pâtissière Élodie"
    # The same file again: nothing added, every line recognised.
    again = client.post(upload(client, content.encode()), data=MAPPING, headers=JSON).get_json()
    assert again["added"] == 0 and again["duplicates"] == 5000 - errors
    with app.app_context():
        assert db.session.scalar(select(func.count(PurchaseLine.id))) == 5000 - errors


def test_identical_purchases_in_one_file_both_count_and_an_xlsx_reads_the_same(app, client, login, buyer,
                                                                              directory):
    login(client, buyer)
    siret = directory["sirets"]["EI"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Fournisseur", "SIRET", "Montant HT", "Date", "Catégorie"])
    from datetime import datetime

    for _ in range(2):  # two identical deliveries the same day
        sheet.append(["Les Jardins d'Azur", siret, 1250.5, datetime(2026, 3, 2), "Espaces verts"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(client, buffer.getvalue(), "export.xlsx")
    result = client.post(page, data={"identifier": "SIRET", "name": "Fournisseur", "amount": "Montant HT",
                                      "date": "Date", "category": "Catégorie"}, headers=JSON).get_json()
    assert result["added"] == 2
    with app.app_context():
        amounts = db.session.scalars(select(PurchaseLine.amount_cents)).all()
        assert amounts == [125050, 125050]


def test_bad_files_and_bad_mappings_are_refused_with_a_message_and_change_nothing(app, client, login, buyer):
    login(client, buyer)
    for content, filename, message in ((b"", "vide.csv", "ne contient pas"),
                                       (b"Fournisseur;Montant\n", "entete.csv", "ne contient pas"),
                                       (b"PK\x03\x04garbage", "faux.xlsx", "ne peut pas être lu")):
        response = client.post("/achats-inclusifs/import", data={"file": (io.BytesIO(content), filename)},
                               content_type="multipart/form-data", headers=JSON)
        assert response.status_code == 422 and message in response.get_json()["detail"], filename
    page = upload(client, b"Fournisseur;Montant\nX;12\n")
    refused = client.post(page, data={"name": "Fournisseur", "amount": "Montant"})
    assert refused.status_code == 422 and "Date" in visible_text(refused)
    unknown = client.post(page, data={"name": "Fournisseur", "amount": "Montant", "date": "Nulle part"},
                          headers=JSON)
    assert unknown.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(PurchaseLine.id))) == 0


def test_nobody_sees_or_imports_into_another_organisation_s_ledger(app, client, login, buyer, make_user,
                                                                     make_organisation):
    login(client, buyer)
    page = upload(client, b"Fournisseur;Montant;Date\nX;12;01/02/2026\n")
    other = app.test_client()
    rival = make_user(email="achats@antibes.fr")
    make_organisation(rival, name="Ville d'Antibes")
    login(other, rival)
    assert other.get(page).status_code == 404
    assert other.post(page, data={"name": "Fournisseur", "amount": "Montant", "date": "Date"}).status_code == 404
    supplier_user = make_user(role="supplier", email="contact@esat.fr")
    outsider = app.test_client()
    login(outsider, supplier_user)
    assert outsider.get("/achats-inclusifs").status_code == 403
