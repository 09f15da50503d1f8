"""Several choices in a list are picked with plain clicks (no Ctrl), and a long list is
filtered as one types."""

import pytest

from tests.browser.test_need_journey import log_in
from tests.conftest import email_of

pytestmark = pytest.mark.browser


def test_sectors_are_chosen_with_plain_clicks_and_filtered_by_typing(app, live_server, page, buyer):
    log_in(page, live_server, email_of(app, buyer))
    page.goto(f"{live_server}/besoins/nouveau")
    sectors = page.locator("select#sectors")
    search = page.locator("input[type=search][aria-controls=sectors]")
    assert search.get_attribute("aria-label") == "Filtrer la liste suivante"
    search.fill("nettoy")
    visible = sectors.locator("option:not([hidden])")
    assert 1 <= visible.count() <= 5
    assert all("ettoy" in text for text in visible.all_inner_texts())
    visible.first.click()
    search.fill("espaces verts")
    sectors.locator("option:not([hidden])").first.click()  # a plain click: the first choice stays
    chosen = sectors.evaluate("select => Array.from(select.selectedOptions).map(option => option.text)")
    assert len(chosen) == 2 and any("ettoy" in text for text in chosen)
    assert any("spaces verts" in text for text in chosen)
    assert page.locator("#sectors-choisis").inner_text().startswith("Choisis : ")
    sectors.locator("option:not([hidden])").first.click()  # clicked again: removed
    assert sectors.evaluate("select => select.selectedOptions.length") == 1


def test_communes_are_suggested_by_name_as_one_types(app, live_server, page, make_user, make_supplier):
    owner = make_user(role="supplier")
    supplier_id = make_supplier(name="Jardins de la Siagne", member_id=owner)
    log_in(page, live_server, email_of(app, owner))
    page.goto(f"{live_server}/structures/{supplier_id}")
    field = page.get_by_label("Communes", exact=True)
    field.fill("Grasse (06), Mou")
    list_id = field.get_attribute("list")
    page.locator(f"#{list_id} option").first.wait_for(state="attached")
    values = page.locator(f"#{list_id} option").evaluate_all("options => options.map(option => option.value)")
    assert "Grasse (06), Mougins (06)" in values  # the earlier commune kept, the new one completed
