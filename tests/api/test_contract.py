"""The API keeps its documented contract: date-times in RFC 3339 with their offset,
errors as problem+json (and documented so), 415 for a body that is not JSON, French
messages, the permission checked before the body is read, a stopped webhook gone, and
the cursors it issues accepted back to the last page."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from tests.api.test_api import auth, cleaning, new_key

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
ENGLISH = ("Not a valid", "Invalid", "Missing data", "Unknown field", "Must be", "Length must", "Shorter than",
           "Longer than", "Number too large", "may not be null")


def need_body(app, **changes) -> dict:
    return {"kind": "consultation", "title": "Nettoyage du gymnase", "description": "Deux fois par semaine.",
            "sectors": [cleaning(app)], "area": "france", "answer_mode": "platform",
            "deadline": "2099-01-01T12:00", **changes}


def test_date_times_are_written_with_their_offset(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    created = api.post("/api/v1/needs", json=need_body(app), headers=auth(key)).get_json()
    # 12:00 in Paris on 1 January is 11:00 UTC.
    assert created["deadline"] == "2099-01-01T11:00:00Z"
    spec = api.get("/api/v1/openapi.json").get_json()
    date_times = [name for name, prop in spec["components"]["schemas"]["NeedOut"]["properties"].items()
                  if prop.get("format") == "date-time"]
    assert "deadline" in date_times
    for name in date_times:
        assert created[name] is None or RFC3339.match(created[name]), (name, created[name])


def test_every_error_is_documented_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["components"]["responses"]
    errors = {name: response for name, response in responses.items() if "content" in response}
    assert {"DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"} <= set(errors)
    for response in errors.values():
        assert list(response["content"]) == ["application/problem+json"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert "default" in operation["responses"], (method, path)


def test_a_body_sent_as_text_gets_415_not_missing_fields(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    import json

    response = api.post("/api/v1/needs", data=json.dumps(need_body(app)), content_type="text/plain",
                        headers=auth(key))
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert "JSON" in response.get_json()["detail"]
    assert api.get("/api/v1/needs", headers=auth(key)).get_json()["items"] == []


def test_bad_bodies_are_refused_in_french_with_their_field(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    for body in (None, 0, "x", [], [need_body(app)]):
        response = api.post("/api/v1/needs", json=body, headers=auth(key))
        assert response.status_code == 422, body
        assert response.get_json()["errors"], body
    deep = "[" * 5000 + "]" * 5000
    assert api.post("/api/v1/needs", data=deep, content_type="application/json", headers=auth(key)).status_code == 400
    response = api.post("/api/v1/needs", json=need_body(app, lots={"a": 1}, sectors=[12.999], radius_km=10**30,
                                                        deadline="0001-01-01T00:00"), headers=auth(key))
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and {"lots", "sectors.0", "deadline"} <= set(errors), errors
    assert errors["lots"] == ["Une liste est attendue."]
    assert errors["deadline"] == ["Date entre 1900 et 2200 attendue."]
    assert not any(word in response.get_data(as_text=True) for word in ENGLISH)
    assert api.get("/api/v1/needs", headers=auth(key)).get_json()["items"] == []


def test_a_supplier_key_cannot_post_a_need_whatever_the_body(app, client, login, make_user, make_supplier):
    supplier_user = make_user(role="supplier", email="gerante@jardins.fr")
    make_supplier(member_id=supplier_user)
    key = new_key(app, client, login, supplier_user)
    api = app.test_client()
    for body in (need_body(app), {}, {"kind": "x"}):
        response = api.post("/api/v1/needs", json=body, headers=auth(key))
        assert response.status_code in (403, 422), response.get_data(as_text=True)
    assert api.post("/api/v1/needs", json=need_body(app), headers=auth(key)).status_code == 403


def test_a_stopped_webhook_subscription_is_gone(app, client, login, buyer):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    created = api.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["need.published"]},
                       headers=auth(key))
    assert created.status_code == 201
    subscription_id = created.get_json()["id"]
    assert api.delete(f"/api/v1/webhooks/{subscription_id}", headers=auth(key)).status_code == 204
    assert api.get("/api/v1/webhooks", headers=auth(key)).get_json() == []
    assert api.delete(f"/api/v1/webhooks/{subscription_id}", headers=auth(key)).status_code == 404
    assert api.get(f"/api/v1/webhooks/{subscription_id}/deliveries", headers=auth(key)).status_code == 404


def test_webhooks_go_to_public_https_addresses_only(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    for url in ("http://example.org/hook", "ftp://example.org/hook", "https://127.0.0.1/hook", "https://10.0.0.1/x"):
        response = api.post("/api/v1/webhooks", json={"url": url, "events": ["need.published"]}, headers=auth(key))
        assert response.status_code == 422 and "url" in response.get_json()["errors"], url
    assert api.get("/api/v1/webhooks", headers=auth(key)).get_json() == []


def test_the_cursors_the_api_issues_lead_to_the_last_page(app, client, login, buyer, make_supplier):
    app.config["API_FEED_LAG_SECONDS"] = 0
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    for number in range(5):
        assert api.post("/api/v1/needs", json=need_body(app, title=f"Nettoyage du site {number}"),
                        headers=auth(key)).status_code == 201
    for number in range(4):
        make_supplier(name=f"Propreté {number}", activities=[{"sector": "nettoyage"}])
    for path, extra in (("/api/v1/needs", {}), ("/api/v1/suppliers", {"sector": "nettoyage"}),
                        ("/api/v1/suppliers/changes", {})):
        seen, cursor_name = [], "since" if path.endswith("changes") else "cursor"
        query = {"limit": 2, **extra}
        for _ in range(10):
            response = api.get(path, query_string=query, headers=auth(key))
            assert response.status_code == 200, (path, query, response.get_data(as_text=True))
            page = response.get_json()
            seen += page["items"]
            if not page["items"] or page["next"] is None:
                break
            query = {**query, cursor_name: page["next"]}
        ids = [item.get("id", item.get("cursor")) for item in seen]
        assert len(ids) == len(set(ids)) and len(ids) >= 4, (path, ids)


def test_a_purchase_total_below_the_awards_is_refused_and_json_says_so(app, client, login, buyer):
    from marketplace.dashboards.models import PurchaseTotal

    login(client, buyer)
    bad = client.post("/tableau-de-bord/achats", json={"year": 2026, "amount": "beaucoup"},
                      headers={"X-CSRFToken": client.csrf_token()})
    assert bad.status_code == 422 and "amount" in bad.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(select(PurchaseTotal)) is None
