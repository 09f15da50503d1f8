"""Every spreadsheet the application lets out, with records named like formulas: each
cell comes back as text (CSV behind an apostrophe, XLSX as a string cell, never a
formula), every CSV opens with a BOM and says its charset once."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from events.fairs.models import Fair, Participant
from marketplace.accounts.models import User
from marketplace.demo import DEMO_PASSWORD
from marketplace.exports import csv_text, inert, xlsx_bytes
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer, OfferStatus
from marketplace.offers.services import award_offer
from marketplace.organisations.services import organisation_of
from marketplace.payments.models import Order, OrderStatus, ProductCode
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow

FORMULAS = ['=HYPERLINK("http://x","y")', "+33 1 23", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_the_writer_neutralises_every_formula_trigger_and_keeps_numbers():
    assert [inert(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]
    assert inert("Les Ateliers du Littoral") == "Les Ateliers du Littoral"
    assert inert(-12) == -12 and inert(None) == ""
    text = csv_text([["Nom", "Montant"], [FORMULAS[0], 1250]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1] == ["'" + FORMULAS[0], "1250"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([["Nom"], [FORMULAS[0]], [42]]))).active
    assert sheet["A2"].value == FORMULAS[0] and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 42 and sheet["A3"].data_type == "n"


@pytest.fixture
def hostile_demo(app):
    """The demo, with a supplier, a need, fair participants and an order named like
    formulas, and one of the buyer's offers awarded (for the purchasing report)."""
    assert app.test_cli_runner().invoke(args=["demo-data", "--size", "40", "--organisations", "20"]).exit_code == 0
    with app.app_context():
        buyer = db.session.scalar(select(User).where(User.email == "acheteur@demo.marche-inclusif.fr"))
        offer = db.session.scalar(select(Offer).join(Need).where(
            Need.organisation_id == organisation_of(buyer).id,
            Offer.status == OfferStatus.SUBMITTED).order_by(Offer.id))
        award_offer(offer, buyer)
        for text_, supplier_id in zip(FORMULAS, db.session.scalars(select(Supplier.id).order_by(Supplier.id)),
                                      strict=False):
            db.session.execute(update(Supplier).where(Supplier.id == supplier_id).values(name=text_))
        db.session.execute(update(Supplier).where(Supplier.id == offer.supplier_id).values(name=FORMULAS[0]))
        db.session.execute(update(Need).where(Need.id == offer.need_id).values(title=FORMULAS[3]))
        fair = db.session.scalar(select(Fair).where(Fair.name == "SO EKO 2026"))
        participant_ids = list(db.session.scalars(select(Participant.id).where(Participant.fair_id == fair.id)))[:6]
        for text_, participant_id in zip(FORMULAS, participant_ids, strict=True):
            db.session.execute(update(Participant).where(Participant.id == participant_id).values(name=text_))
        db.session.add(Order(user_id=buyer.id, product=ProductCode(next(iter(ProductCode)).value),
                             status=OrderStatus.PAID, billing_name=FORMULAS[0], total_excl_cents=1000, vat_cents=200,
                             total_incl_cents=1200, paid_at=utcnow(), invoice_number="F-2026-99999"))
        db.session.commit()
        return {"fair": fair.id}


def logged_in(app, email):
    client = app.test_client()
    assert client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "a CSV opens with a BOM so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def assert_inert(cells: list[str], expected: set[str]) -> None:
    found = {cell for cell in cells if cell.lstrip("'") in FORMULAS}
    assert found, "the hostile names are in the export"
    assert {cell.lstrip("'") for cell in found} <= set(FORMULAS)
    assert all(cell.startswith("'") for cell in found), found
    assert {cell[1:] for cell in found} >= expected


def test_every_export_writes_formula_like_names_as_text(app, hostile_demo):
    buyer = logged_in(app, "acheteur@demo.marche-inclusif.fr")
    directory = csv_rows(buyer.get("/annuaire/export.csv"))
    assert_inert([row[0] for row in directory[1:]], set(FORMULAS))

    workbook = buyer.get("/annuaire/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.get_data())).active
    def same(text):  # XML reads a carriage return back as a line feed
        return text.replace("\r", "\n")

    names = [cell for cell in sheet["A"][1:] if same(cell.value) in {same(text) for text in FORMULAS}]
    assert {same(cell.value) for cell in names} == {same(text) for text in FORMULAS}
    assert all(cell.data_type == "s" for cell in names), "a string cell, never a formula"

    report = csv_rows(buyer.get("/tableau-de-bord/rapport.csv"))
    assert_inert([cell for row in report for cell in row], {FORMULAS[0], FORMULAS[3]})

    organiser = logged_in(app, "organisateur@demo.marche-inclusif.fr")
    results = csv_rows(organiser.get(f"/salons/{hostile_demo['fair']}/resultats?format=csv"))
    assert results[0] == ["Indicateur", "Valeur"]
    assert_inert([row[0] for row in results if row], set(FORMULAS))

    admin = logged_in(app, "admin@demo.marche-inclusif.fr")
    orders = csv_rows(admin.get("/admin/paiements?format=csv"))
    assert_inert([row[3] for row in orders[1:]], {FORMULAS[0]})


def test_no_csv_or_xlsx_is_written_outside_the_one_writer():
    """A new export must go through marketplace.exports (so it is made inert)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.glob("marketplace/**/*.py"), *root.glob("events/**/*.py")]:
        source = path.read_text()
        if path.name == "exports.py" and path.parent.name == "marketplace":
            continue
        if "geography/build.py" in str(path):  # builds the shipped reference data, not a user export
            continue
        if "csv.writer(" in source or "Workbook(" in source or "text/csv" in source:
            offenders.append(str(path.relative_to(root)))
    assert not offenders
