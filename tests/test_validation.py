"""The shared input mechanisms, as a class: bounded numbers (query strings, URLs,
fields), dates within 1900-2200, bounded JSON, bodies that must be objects, e-mail
length, and RFC 3339 output."""

from datetime import datetime

import pytest
from marshmallow import ValidationError

from marketplace.request_input import BoundedArgs
from marketplace.validation import (
    DATABASE_INT_MAX,
    BaseSchema,
    Count,
    Day,
    Email,
    Identifier,
    ParisDateTime,
    Text,
    UtcDateTime,
)


class Sample(BaseSchema):
    count = Count(maximum=10**12, load_default=None)
    ident = Identifier(load_default=None)
    day = Day(load_default=None)
    moment = ParisDateTime(load_default=None)
    email = Email(load_default=None)
    name = Text(max_length=20, load_default=None)


def errors(data) -> dict:
    with pytest.raises(ValidationError) as caught:
        Sample().load(data)
    return caught.value.messages


def test_query_string_numbers_past_the_database_mean_none():
    args = BoundedArgs([("page", "99999999999999999999"), ("annee", "2026"), ("neg", "-99999999999"),
                        ("float", "12.5")])
    assert args.get("page", 1, type=int) == 1
    assert args.get("annee", type=int) == 2026
    assert args.get("neg", type=int) is None and args.get("float", type=int) is None
    assert args.get("annee") == "2026"


def test_whole_numbers_are_whole_and_within_the_database():
    assert Sample().load({"count": "12"})["count"] == 12 and Sample().load({"count": 12.0})["count"] == 12
    assert "count" in errors({"count": 12.999})  # never cut to 12
    assert "count" in errors({"count": True})
    assert "count" in errors({"count": DATABASE_INT_MAX + 1})  # the field's maximum is capped to the column's
    assert "count" in errors({"count": 1e30}) and "count" in errors({"count": "1e400"})
    assert "ident" in errors({"ident": 0}) and "ident" in errors({"ident": 2**63})


@pytest.mark.parametrize("field, value", [("day", "0001-01-01"), ("day", "9999-12-31"), ("day", "1899-12-31"),
                                          ("moment", "0001-01-01T00:00"), ("moment", "9999-12-31T23:59")])
def test_dates_outside_1900_2200_are_refused_with_a_message(field, value):
    assert errors({field: value})[field] == ["Date entre 1900 et 2200 attendue."]


def test_dates_people_mean_are_read():
    loaded = Sample().load({"day": "2027-03-18", "moment": "2027-03-18T09:30"})
    assert loaded["moment"] == datetime(2027, 3, 18, 8, 30)  # Paris winter time is UTC+1


def test_text_and_email_are_bounded():
    assert errors({"email": "a" * 1_000_000 + "@example.org"})["email"] == ["254 caractères au plus."]
    assert "name" in errors({"name": "x" * 21}) and "name" in errors({"name": "a\x00b"})
    assert Sample().load({"email": ""})["email"] is None


@pytest.mark.parametrize("body", [None, 0, "x", [], [{"count": 1}]])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(body):
    with pytest.raises(ValidationError) as caught:
        Sample().load(body)
    assert caught.value.messages == {"_schema": ["Le corps de la requête doit être un objet JSON."]}


def test_json_nested_too_deep_is_a_bad_request(app):
    client = app.test_client()
    for body in ("[" * 100 + "]" * 100, "[" * 100_000 + "]" * 100_000):
        response = client.post("/connexion", data=body, content_type="application/json")
        assert response.status_code in (400, 422)
    with app.app_context():
        assert app.json.loads("[" * 30 + "]" * 30) is not None
        with pytest.raises(ValueError):
            app.json.loads("[" * 40 + "]" * 40)


def test_date_times_are_written_in_rfc_3339_with_their_offset():
    field = UtcDateTime()
    assert field.serialize("at", {"at": datetime(2026, 12, 16, 6, 16)}) == "2026-12-16T06:16:00Z"
    assert field.serialize("at", {"at": None}) is None


def test_an_api_date_time_with_its_offset_is_understood():
    loaded = Sample().load({"moment": "2027-03-18T09:30:00Z"})
    assert loaded["moment"] == datetime(2027, 3, 18, 9, 30)
    assert Sample().load({"moment": "2027-03-18T10:30:00+01:00"})["moment"] == datetime(2027, 3, 18, 9, 30)


def test_a_nul_in_a_query_string_is_no_database_error(client):
    """PostgreSQL refuses NUL in any text: a query-string value carries none."""
    assert client.get("/annuaire/recherche.json?q=a%00b").status_code == 200
    assert client.get("/organisations/rejoindre?q=a%00b").status_code in (200, 302)


def test_a_rate_is_typed_as_a_percentage_and_stored_in_basis_points():
    import pytest
    from marshmallow import ValidationError

    from marketplace.validation import BaseSchema, Percent

    class Rate(BaseSchema):
        vat_rate = Percent(required=True)

    assert [Rate().load({"vat_rate": typed})["vat_rate"] for typed in ("20", "5,5", "2.1 %", "0", 10)] == \
        [2000, 550, 210, 0, 1000]
    for wrong in ("2000", "-1", "abc", "20,001", "NaN", True):
        with pytest.raises(ValidationError) as refused:
            Rate().load({"vat_rate": wrong})
        assert "vat_rate" in refused.value.messages
    assert Rate().dump({"vat_rate": 550}) == {"vat_rate": "5,5"}


def test_json_nesting_is_measured_before_parsing():
    from marketplace.request_input import JSON_MAX_DEPTH, nesting_depth

    assert nesting_depth('{"a": [1, {"b": 2}]}') == 3
    assert nesting_depth("[" * 5000 + "]" * 5000) > JSON_MAX_DEPTH
    assert nesting_depth(b'{"a":' * 3000 + b"1" + b"}" * 3000) > JSON_MAX_DEPTH
    brackets_in_strings = '{"text": "' + "[" * 100 + '"}'
    assert nesting_depth(brackets_in_strings) <= JSON_MAX_DEPTH  # brackets inside strings don't nest
    wide = "[" + ",".join(["[1]"] * 1000) + "]"
    assert nesting_depth(wide) == 2  # many lists side by side are not deep
    assert nesting_depth('"x"') == 0
