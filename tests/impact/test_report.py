"""The yearly report against a ledger counted by hand: shares by kind, region and
category, the change from the year before, awards made on the platform counted once;
read back from the PDF (pypdf) and the XLSX (openpyxl); the OETH rule on worked
examples from the law's text, and an EA/ESAT attestation read back."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from marketplace.accounts.models import Role, User
from marketplace.demo import demo_siret
from marketplace.extensions import db
from marketplace.impact import oeth
from tests.impact.test_ledger import upload

JSON = {"Accept": "application/json"}
MAPPING = {"identifier": "SIRET", "name": "Fournisseur", "amount": "Montant HT", "date": "Date",
           "category": "Catégorie"}


@pytest.fixture
def suppliers(app, make_supplier, make_user):
    """An EI in Grasse (06, green spaces), an ESAT in Marseille (13, cleaning), an EA in
    Lyon (69); the ESAT's director has an account."""
    from marketplace.suppliers.models import Supplier

    esat_user = make_user(role=Role.SUPPLIER, email="direction@esat-siagne.fr")
    ids = {
        "EI": make_supplier(name="Les Jardins d'Azur", kind="EI", activities=[{"sector": "espaces-verts"}]),
        "ESAT": make_supplier(name="ESAT de la Siagne", kind="ESAT", postcode="13001", city="Marseille",
                              member_id=esat_user, activities=[{"sector": "nettoyage"}]),
        "EA": make_supplier(name="Atelier Rhône Adapté", kind="EA", postcode="69001", city="Lyon"),
    }
    with app.app_context():
        return {**ids, "esat_user": esat_user,
                "sirets": {kind: db.session.get(Supplier, sid).siret for kind, sid in ids.items()}}


def ledger(suppliers) -> bytes:
    s = suppliers["sirets"]
    rows = [
        "Fournisseur;SIRET;Montant HT;Date;Catégorie",
        f"Les Jardins d'Azur;{s['EI']};10 000,00;15/03/2026;Espaces verts",
        f"ESAT de la Siagne;{s['ESAT']};4 000,00;02/04/2026;Nettoyage",
        f"Atelier Rhône Adapté;{s['EA']};6 000,00;20/05/2026;Blanchisserie",
        f"Bureau Plus;{demo_siret(1, series=8)};30 000,00;11/06/2026;Fournitures de bureau",
        "Propreté Express;;50 000,00;30/06/2026;Nettoyage",
        f"Les Jardins d'Azur;{s['EI']};5 000,00;10/10/2025;Espaces verts",
        f"Bureau Plus;{demo_siret(1, series=8)};45 000,00;12/10/2025;Fournitures de bureau",
    ]
    return ("\n".join(rows) + "\n").encode()


def award(app, buyer_id: int, supplier_id: int, cents: int, hours: int) -> None:
    """An offer awarded on the platform in 2026."""
    from marketplace.needs import services
    from marketplace.offers.models import Offer, OfferStatus
    from tests.needs.conftest import need_data

    with app.app_context():
        need = services.create_need(need_data(title=f"Besoin {supplier_id}"), db.session.get(User, buyer_id))
        db.session.flush()
        db.session.add(Offer(need_id=need.id, lot_id=need.lots[0].id, supplier_id=supplier_id, amount_cents=cents,
                             vat_rate=2000, lead_time_days=10, description="Offre", insertion_hours=hours,
                             valid_until=date(2026, 12, 31), submitted_by_id=buyer_id, status=OfferStatus.AWARDED,
                             decided_at=datetime(2026, 9, 1)))
        db.session.commit()


def test_the_report_s_figures_match_a_ledger_counted_by_hand(app, client, login, buyer, suppliers):
    login(client, buyer)
    client.post(upload(client, ledger(suppliers)), data=MAPPING)
    award(app, buyer, suppliers["ESAT"], 400_000, 120)  # the ledger's ESAT line: counted once
    award(app, buyer, suppliers["EI"], 250_000, 300)  # not in the ledger: added
    report = client.get("/achats-inclusifs?annee=2026", headers=JSON).get_json()
    # 2026: 100,000 in the ledger + 2,500 awarded elsewhere; inclusive 10,000 + 4,000 + 6,000 + 2,500.
    assert report["total_cents"] == 10_250_000 and report["inclusive_cents"] == 2_250_000
    assert round(report["share"], 2) == 21.95
    assert report["change_points"] == pytest.approx(100 * 22_500 / 102_500 - 10.0)  # 2025: 5,000 of 50,000
    assert report["suppliers_used"] == 3 and report["insertion_hours"] == 420
    kinds = {row["label"]: (row["total_cents"], row["inclusive_cents"]) for row in report["by"]["kind"]}
    assert kinds["Entreprise d'insertion (EI)"] == (1_250_000, 1_250_000)
    assert kinds["Établissement et service d'accompagnement par le travail (ESAT)"] == (400_000, 400_000)
    assert kinds["Entreprise adaptée (EA)"] == (600_000, 600_000)
    assert kinds["Fournisseurs non inclusifs"] == (8_000_000, 0)
    regions = {row["label"]: row["inclusive_cents"] for row in report["by"]["region"]}
    assert regions["Provence-Alpes-Côte d'Azur"] == 1_650_000 and regions["Auvergne-Rhône-Alpes"] == 600_000
    categories = {row["label"]: (row["total_cents"], row["inclusive_cents"]) for row in report["by"]["category"]}
    assert categories["Nettoyage"] == (5_400_000, 400_000)
    assert categories["Fournitures de bureau"] == (3_000_000, 0)
    with app.app_context():
        from sqlalchemy import select

        from marketplace.suppliers.taxonomy import Sector

        cleaning, green = (db.session.scalar(select(Sector.name).where(Sector.slug == slug))
                           for slug in ("nettoyage", "espaces-verts"))
    sectors = {row["label"]: row["inclusive_cents"] for row in report["by"]["sector"]}
    assert sectors[cleaning] == 400_000 and sectors[green] == 1_250_000
    assert sectors["Secteur non renseigné"] == 600_000  # the EA lists no activity

    pdf = client.get("/achats-inclusifs/rapport.pdf?annee=2026")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert pdf.mimetype == "application/pdf"
    for figure in ("102 500", "22 500", "22,0 %", "Ville de Grasse"):
        assert figure in text.replace("\u202f", " ").replace("\xa0", " "), figure
    workbook = load_workbook(io.BytesIO(client.get("/achats-inclusifs/rapport.xlsx?annee=2026").data))
    cells = {row[0]: row[1] for row in workbook.active.iter_rows(values_only=True) if row and row[0]}
    assert cells["Achats de l'année HT (€)"] == 102_500 and cells["Part inclusive (%)"] == 21.95
    csv = client.get("/achats-inclusifs/rapport.csv?annee=2026").get_data(as_text=True)
    assert "Part inclusive (%);21.95" in csv


def test_a_year_without_purchases_says_so_and_never_shows_a_share_over_100(app, client, login, buyer):
    login(client, buyer)
    report = client.get("/achats-inclusifs?annee=2024", headers=JSON).get_json()
    assert report["share"] is None and report["total_cents"] == 0
    page = client.get("/achats-inclusifs?annee=2024").get_data(as_text=True)
    assert "Aucun achat pour 2024" in page


def test_the_oeth_rule_on_worked_examples():
    # D5212-22: 30 % of the price before VAT less the excluded costs.
    assert oeth.deduction_cents(10_000_00, 2_000_00) == 2_400_00
    assert oeth.deduction_cents(1_00, 0) == 30  # 0,30 €
    assert oeth.deduction_cents(3_33, 0) == 1_00  # 0,999 rounds to 1,00 €
    assert oeth.deduction_cents(5_000_00, 6_000_00) == 0  # costs above the price: nothing, never negative
    # D5212-23: at most 50 % of the gross contribution, 75 % from a 3 % direct employment rate.
    assert oeth.cap(10_000_00, None) == (5_000_00, 50)
    assert oeth.cap(10_000_00, 299) == (5_000_00, 50)
    assert oeth.cap(10_000_00, 300) == (7_500_00, 75)


def test_the_buyer_sees_the_oeth_estimate_with_the_attestations_in(app, client, login, buyer, suppliers):
    login(client, buyer)
    client.post(upload(client, ledger(suppliers)), data=MAPPING)
    esat = app.test_client()
    login(esat, suppliers["esat_user"])
    with app.app_context():
        from marketplace.organisations.models import BuyerOrganisation

        siret = db.session.query(BuyerOrganisation).one().siret
    declared = esat.post("/achats-inclusifs/attestations", data={
        "year": "2026", "client_siret": siret, "client_name": "Ville de Grasse", "reference": "BC-2026-114",
        "price": "4 000", "excluded_costs": "1 000"}, headers=JSON)
    assert declared.status_code == 201
    # Excluded costs above the price, or a bad SIRET: refused, nothing recorded.
    refused = esat.post("/achats-inclusifs/attestations", data={
        "year": "2026", "client_siret": "12345678901234", "client_name": "X", "reference": "R",
        "price": "10", "excluded_costs": "5"}, headers=JSON)
    assert refused.status_code == 422 and "client_siret" in refused.get_json()["errors"]
    pdf = esat.get(f"/achats-inclusifs/attestations/{suppliers['ESAT']}/2026/{siret}.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).replace("\u202f", " ")
    assert "Ville de Grasse" in text and "BC-2026-114" in text and "900 €" in text and "D5212-22" in text
    client.post("/achats-inclusifs/oeth", data={"year": "2026", "gross_contribution": "10 000", "direct_rate": "2,5"})
    estimate = client.get("/achats-inclusifs?annee=2026", headers=JSON).get_json()["oeth"]
    # Attested: 30 % x (4,000 - 1,000) = 900; at most: 900 + 30 % x 6,000 (the EA, no attestation yet).
    assert estimate == {"attested_cents": 90_000, "at_most_cents": 270_000, "deductible_cents": 90_000}
    page = client.get("/achats-inclusifs?annee=2026").get_data(as_text=True)
    assert "reçue" in page and "à demander" in page and "plafond de 50 %" in page
    # Only an EA or ESAT member attests, and only for its own structure.
    assert client.get(f"/achats-inclusifs/attestations/{suppliers['ESAT']}/2026/{siret}.pdf").status_code == 403


def test_the_inclusive_potential_counts_suppliers_near_by_for_spend_that_went_elsewhere(app, client, login, buyer,
                                                                                         suppliers, make_supplier):
    login(client, buyer)
    make_supplier(name="Propreté Solidaire 06", kind="EI", email="contact@proprete06.fr", activities=[
        {"sector": "nettoyage", "range": "zones", "zones": ["department:06"]}])
    client.post(upload(client, ledger(suppliers)), data=MAPPING)
    page = client.get("/achats-inclusifs?annee=2026").get_data(as_text=True)
    assert "Potentiel inclusif" in page and "Publier un besoin" in page
    with app.app_context():
        from marketplace.impact.potential import inclusive_potential
        from marketplace.impact.report import year_report
        from marketplace.organisations.models import BuyerOrganisation

        found = {p.category: p for p in inclusive_potential(year_report(db.session.query(BuyerOrganisation).one(),
                                                                        2026))}
    # 50,000 of cleaning went to a supplier outside the directory: an EI cleans in the 06, unused so far.
    assert found["Nettoyage"].spend_cents == 5_000_000 and found["Nettoyage"].suppliers >= 1
    assert found["Fournitures de bureau"].spend_cents == 3_000_000
    assert "Espaces verts" not in found  # all of it already went to an inclusive supplier


@pytest.mark.browser
def test_in_a_browser_a_buyer_imports_a_ledger_maps_its_columns_reads_the_report_and_downloads_the_pdf(
        app, live_server, page, buyer, suppliers, tmp_path):
    from tests.browser.test_need_journey import log_in
    from tests.conftest import email_of

    path = tmp_path / "grand-livre-2026.csv"
    path.write_bytes(ledger(suppliers).replace(b"Fournisseur;SIRET", b"Tiers;N SIRET"))
    log_in(page, live_server, email_of(app, buyer))
    page.locator("#nav-principale").get_by_role("button", name="Mon espace").click()
    page.locator("#nav-principale").get_by_role("link", name="Achats inclusifs").click()
    page.locator("#contenu").get_by_role("link", name="Importer mes achats").click()
    page.get_by_label("Fichier CSV ou Excel").set_input_files(str(path))
    page.get_by_role("button", name="Continuer").click()
    # The columns are guessed; the buyer checks them and runs the dry run first.
    assert page.get_by_label("Nom du fournisseur").input_value() == "Tiers"
    assert page.get_by_label("SIRET ou SIREN du fournisseur").input_value() == "N SIRET"
    page.get_by_role("button", name="Lancer").click()
    page.get_by_text("Simulation : 7 achats à ajouter").wait_for()
    page.get_by_label("Simulation : montrer ce que donnerait l'import").uncheck()
    page.get_by_role("button", name="Relancer").click()
    page.get_by_text("Import terminé : 7 achats ajoutés").wait_for()
    page.get_by_role("link", name="Voir le rapport").click()
    page.get_by_label("Année").fill("2026")
    page.get_by_role("button", name="Afficher").click()
    assert page.locator("#part-inclusive").inner_text() == "20,0 %"
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport PDF").click()
    saved = tmp_path / "rapport.pdf"
    download.value.save_as(saved)
    text = " ".join(p.extract_text() for p in PdfReader(saved).pages).replace("\u202f", " ")
    assert "Rapport d'achats inclusifs 2026" in text and "20,0 %" in text


def test_a_yearly_total_below_the_ledger_is_refused_with_a_message(app, client, login, buyer, suppliers):
    login(client, buyer)
    client.post(upload(client, ledger(suppliers)), data=MAPPING)
    refused = client.post("/tableau-de-bord/achats", data={"year": "2026", "amount": "50 000"}, headers=JSON)
    message = refused.get_json()["errors"]["amount"][0].replace("\u202f", " ").replace("\xa0", " ")
    assert refused.status_code == 422 and "totalisent déjà 100 000 € HT" in message
    assert client.post("/tableau-de-bord/achats", data={"year": "2026", "amount": "150 000"}).status_code == 302
