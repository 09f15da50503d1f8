"""Hostile input drawn by hypothesis strategies (beside the fixed matrix of
test_hostile_input.py): huge and negative integers, floats with NaN and infinities,
extreme dates, text with NUL and control characters, long strings, spreadsheet
formulas, and nested JSON of any shape, posted to the demo's forms (as a form and as
the pages' JSON) and to every POST/PUT endpoint, as a buyer. No answer is a server
error, and a refused JSON body names its fields."""

import json
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_hostile_input import SKIPPED_PATHS, Forms, client_for, ids_for, urls

SCALARS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),  # NUL and controls included
    st.integers(0, 300_000).map(lambda length: "x" * length),
    st.sampled_from(["=1+1", "+33 6", "-1", "@SUM(A1)", "\t=x", "\r=x", "a\x00b", "0", "1e309", " "]),
)
JSON_VALUES = st.recursive(SCALARS | st.booleans() | st.none(), lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@pytest.fixture
def targets(app):
    """The buyer's client, its CSRF header, the forms of the pages it sees and the
    POST/PUT endpoints, on the demo data."""
    result = app.test_cli_runner().invoke(args=["demo-data", "--size", "40", "--organisations", "20"])
    assert result.exit_code == 0, result.output
    client = client_for(app, "acheteur@demo.marche-inclusif.fr")
    page = client.get("/mot-de-passe-oublie").get_data(as_text=True)
    token = {"X-CSRFToken": page.split('name="csrf_token" value="')[1].split('"')[0]}
    ids = ids_for(app)
    forms = {}
    for _method, url in urls(app, ids, {"GET"}):
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                action = form["action"] or url
                if action.startswith("/") and not action.startswith(SKIPPED_PATHS):
                    forms[(action.split("?")[0], tuple(sorted(form["fields"])))] = (action, form["fields"])
    endpoints = urls(app, ids, {"POST", "PUT"})
    assert len(forms) >= 20 and len(endpoints) >= 50
    return client, token, sorted(forms.values()), endpoints


def refused_cleanly(response) -> bool:
    if response.status_code >= 500:
        return False
    if response.status_code == 422 and response.mimetype == "application/problem+json":
        body = response.get_json()
        return not (body.get("detail") == "Certains champs sont invalides." and not body.get("errors"))
    return True


FUZZ = settings(max_examples=250, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@FUZZ
@given(data=st.data())
def test_forms_never_give_a_server_error_whatever_a_field_holds(targets, data):
    client, token, forms, _endpoints = targets
    action, fields = data.draw(st.sampled_from(forms))
    baseline = {name: value for name, value in fields.items() if value is not None}
    name = data.draw(st.sampled_from([f for f in fields if f != "csrf_token"] or ["x"]))
    value = data.draw(SCALARS)
    as_form = client.post(action, data={**baseline, name: str(value)}, csrf=False)
    assert refused_cleanly(as_form), f"{as_form.status_code} POST {action} with {name}={str(value)[:60]!r}"
    as_json = client.post(action, json={**baseline, name: data.draw(JSON_VALUES)}, headers=token, csrf=False)
    assert refused_cleanly(as_json), f"{as_json.status_code} POST {action} as JSON with {name}"


@FUZZ
@given(data=st.data())
def test_json_endpoints_never_give_a_server_error_whatever_the_body(targets, data):
    client, token, _forms, endpoints = targets
    method, url = data.draw(st.sampled_from(endpoints))
    body = data.draw(st.one_of(JSON_VALUES, st.dictionaries(
        st.sampled_from(["title", "name", "amount", "deadline", "sectors", "lots", "answers", "to", "zones", "email",
                         "siret", "vat_rate", "kind", "area", "commune", "departments", "slot", "table", "weight"]),
        JSON_VALUES, max_size=6)))
    response = client.open(url, method=method, data=json.dumps(body), content_type="application/json",
                           headers=token)
    assert refused_cleanly(response), f"{response.status_code} {method} {url} with {json.dumps(body)[:120]}"
