"""The directory's relevance set (data/relevance.json): for each query on a fixed
directory, the suppliers that come first, those that appear and those that do not.
The same expectations hold on SQLite and PostgreSQL."""

import json
from pathlib import Path

import pytest

CASES = json.loads((Path(__file__).parent / "data" / "relevance.json").read_text(encoding="utf-8"))


@pytest.fixture
def directory(make_supplier):
    for supplier in CASES["suppliers"]:
        make_supplier(**supplier)


@pytest.mark.parametrize("case", CASES["queries"], ids=[case["about"] for case in CASES["queries"]])
def test_the_search_answers_the_question_asked(client, directory, case):
    response = client.get("/annuaire/recherche.json", query_string={**case["params"], "per_page": 50})
    assert response.status_code == 200, response.get_data(as_text=True)
    names = [item["name"] for item in response.get_json()["items"]]
    first = case.get("first", [])
    assert set(names[:len(first)]) == set(first), names
    assert set(case.get("appear", [])) <= set(names), names
    assert not set(case.get("absent", [])) & set(names), names
