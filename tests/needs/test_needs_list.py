"""The buyer's list of its organisation's needs: by status, a page at a time."""

import re

from marketplace.needs.services import NEEDS_PER_PAGE


def titles(page_html: str) -> list[str]:
    return re.findall(r'<a href="/besoins/\d+">([^<]+)</a>', page_html)


def test_the_needs_list_is_paged_and_filtered_by_status_with_counts(client, login, buyer, make_need):
    drafts = [make_need(buyer, publish=False, title=f"Brouillon {i:02d}") for i in range(NEEDS_PER_PAGE + 3)]
    make_need(buyer, title="Entretien des espaces verts")
    login(client, buyer)

    first = client.get("/besoins").get_data(as_text=True)
    assert len(titles(first)) == NEEDS_PER_PAGE
    assert "Page 1 / 2" in first
    assert re.search(rf"Tous <span[^>]*>{len(drafts) + 1}</span>", first)
    assert re.search(rf"Brouillon <span[^>]*>{len(drafts)}</span>", first)
    second = client.get("/besoins?page=2").get_data(as_text=True)
    assert len(titles(second)) == 4 and not set(titles(first)) & set(titles(second))

    published = client.get("/besoins?statut=published").get_data(as_text=True)
    assert titles(published) == ["Entretien des espaces verts"]
    assert "Aucun besoin dans ce statut." in client.get("/besoins?statut=awarded").get_data(as_text=True)


def test_an_unknown_status_or_page_shows_every_need_with_a_message(client, login, buyer, make_need):
    make_need(buyer, title="Entretien des espaces verts")
    login(client, buyer)
    response = client.get("/besoins?statut=inexistant&page=abc")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ce statut n'existe pas" in page and titles(page) == ["Entretien des espaces verts"]
    assert titles(client.get("/besoins?page=99").get_data(as_text=True)) == []
