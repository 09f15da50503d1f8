"""A common word at national scale: the page counts up to a bound ("more than"), pages on
in relevance order all the same, and the exact count comes apart."""

import pytest

from marketplace.suppliers import search_pages


@pytest.fixture
def bound(monkeypatch):
    """A bound of 3 matches, so that a handful of suppliers is 'many'."""
    monkeypatch.setattr(search_pages, "COUNT_AT_MOST", 3)
    return 3


@pytest.fixture
def laundries(make_supplier):
    """Three named 'Tremplin ...' (the named tier) and four that only mention it, in the Alpes-Maritimes."""
    named = [make_supplier(name=f"Tremplin {c}", email=f"{c}@example.org" if c == "B" else None)
             for c in "ABC"]
    others = [make_supplier(name=f"Atelier {c}", description="Tremplin vers l emploi industriel", activities=[
        {"sector": "nettoyage", "range": "zones", "zones": ["department:06"]}]) for c in "DEFG"]
    return named, others


def pages_of(client, **params) -> list[dict]:
    pages, page = [], 1
    while True:
        body = client.get("/annuaire/recherche.json", query_string={**params, "page": page}).get_json()
        pages.append(body)
        if not body["has_next"]:
            return pages
        page += 1


def test_past_the_bound_the_count_says_more_than_and_every_match_is_paged_once_in_order(
        client, bound, laundries):
    exact = [page["items"][0]["name"] for page in pages_of(client, q="tremplin", per_page=1)]
    assert exact[:3] == ["Tremplin B", "Tremplin A", "Tremplin C"]  # named first, complete first
    assert sorted(exact[3:]) == ["Atelier D", "Atelier E", "Atelier F", "Atelier G"] and len(exact) == 7

    for per_page in (2, 3):  # pages that straddle the named tier's end
        pages = pages_of(client, q="tremplin", per_page=per_page)
        assert [item["name"] for page in pages for item in page["items"]] == exact
        assert {(page["total"], page["total_is_exact"], page["pages"]) for page in pages} == {(3, False, None)}


def test_within_the_bound_the_count_is_exact(client, monkeypatch, laundries):
    monkeypatch.setattr(search_pages, "COUNT_AT_MOST", 7)
    pages = pages_of(client, q="tremplin", per_page=2)
    assert [(page["total"], page["total_is_exact"], page["pages"]) for page in pages] == [(7, True, 4)] * 4
    assert [len(page["items"]) for page in pages] == [2, 2, 2, 1]


def test_the_exact_count_comes_apart_and_the_page_says_more_than(client, bound, laundries):
    assert client.get("/annuaire/nombre.json", query_string={"q": "tremplin"}).get_json() == {"total": 7}
    assert client.get("/annuaire/nombre.json", query_string={"q": "tremplin", "department": "06"}
                      ).get_json() == {"total": 4}
    assert client.get("/annuaire/nombre.json", query_string={"q": "tremplin", "department": "75"}
                      ).get_json() == {"total": 0}
    page = client.get("/annuaire", query_string={"q": "tremplin", "per_page": 2}).get_data(as_text=True)
    assert "Plus de 3" in page and 'data-count-url="/annuaire/nombre.json?q=tremplin' in page
    assert "Page 1<" in page and "Suivante" in page


def test_the_count_endpoint_rejects_bad_criteria_with_the_field(client):
    response = client.get("/annuaire/nombre.json", query_string={"within_km": "loin"})
    assert response.status_code == 422 and "within_km" in response.get_json()["errors"]


def test_a_sector_nationwide_is_paged_most_complete_first_each_supplier_once_past_the_bound(client, bound,
                                                                                               make_supplier):
    cleaning = {"sector": "nettoyage", "range": "france"}
    twice = make_supplier(name="Deux fois", activities=[cleaning, {"sector": "nettoyage", "range": "radius",
                                                                   "radius": 30}])
    for i in range(5):
        make_supplier(name=f"Propreté {i}", activities=[cleaning], email=f"p{i}@example.org" if i % 2 else None,
                      website="https://example.org" if i == 4 else None)
    make_supplier(name="Autre secteur", activities=[{"sector": "stockage", "range": "france"}])

    pages = pages_of(client, sector="nettoyage", per_page=2)
    items = [item for page in pages for item in page["items"]]
    assert len(items) == 6 and len({item["id"] for item in items}) == 6 and twice in {item["id"] for item in items}
    order = [(item["completion"], item["id"]) for item in items]
    assert order == sorted(order, reverse=True)  # most complete first, then the newest
    assert {(page["total"], page["total_is_exact"]) for page in pages} == {(3, False)}
    assert client.get("/annuaire/nombre.json", query_string={"sector": "nettoyage"}).get_json() == {"total": 6}

    page = client.get("/annuaire", query_string={"sector": "nettoyage"}).get_data(as_text=True)
    assert "Plus de 3" in page
    kinds = client.get("/annuaire/recherche.json", query_string={"sector": "nettoyage", "kind": "ESAT"}).get_json()
    assert (kinds["total"], kinds["total_is_exact"], kinds["items"]) == (0, True, [])
