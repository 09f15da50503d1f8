"""A buyer searches the demo directory, filters by department and sector, and opens a supplier page."""

import pytest
from sqlalchemy import select

from marketplace.demo import load_demo_data
from marketplace.extensions import db
from marketplace.suppliers import search_pages
from marketplace.suppliers.models import ActivityReach, Supplier
from marketplace.suppliers.search import count_suppliers
from marketplace.suppliers.taxonomy import Sector

pytestmark = pytest.mark.browser


def test_search_filter_and_open_a_supplier(app, live_server, page, tmp_path, monkeypatch):
    monkeypatch.setattr(search_pages, "COUNT_AT_MOST", 10)  # so that "nettoyage" finds "more than" that
    with app.app_context():
        load_demo_data(5, 700)  # more cleaners than a page holds: the first page cannot know them all
        cleaners = count_suppliers({"q": "nettoyage"})
        # A supplier of the demo directory that cleans offices somewhere, and where.
        supplier_id, department = db.session.execute(
            select(ActivityReach.supplier_id, ActivityReach.department_code)
            .join(Sector, Sector.id == ActivityReach.sector_id)
            .where(Sector.slug == "nettoyage", ActivityReach.department_code != "*")
            .order_by(ActivityReach.supplier_id).limit(1)).one()
        name = db.session.get(Supplier, supplier_id).name

    page.goto(f"{live_server}/annuaire")
    page.get_by_placeholder("Nettoyage, traiteur, nom de structure, SIRET…").fill("nettoyage")
    page.get_by_role("button", name="Rechercher").click()
    # The page says "more than 10", then its script puts the exact count in its place.
    page.wait_for_selector("#nombre-resultats[data-exact='true']")
    everywhere = int(page.locator("#nombre-resultats strong").inner_text().replace("\u202f", "").replace(" ", ""))
    assert everywhere == cleaners > 10

    page.get_by_label("Secteur").select_option("nettoyage")
    page.get_by_label("Intervient dans le département").select_option(department)
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(f"**department={department}**")
    filtered = int(page.locator("#nombre-resultats strong").inner_text().replace("\u202f", "").replace(" ", ""))
    page.screenshot(path=str(tmp_path / "results.png"), full_page=False)
    assert 0 < filtered <= everywhere

    # Walk the result pages until the supplier shows, then open its page.
    while page.get_by_role("link", name=name, exact=True).count() == 0:
        page.get_by_role("link", name="Suivante").click()
    page.get_by_role("link", name=name, exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.get_by_text("Nettoyage et propreté des locaux").first.is_visible()
    page.screenshot(path=str(tmp_path / "supplier.png"), full_page=True)
