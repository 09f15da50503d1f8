"""The public API: its OpenAPI document and docs page, keys (shown once, hashed, scoped,
revoked at once), problem+json errors, cursor pages, ETags, rate-limit headers, and
nobody reading or changing what is not theirs."""

import hashlib
import re

from sqlalchemy import select

from marketplace.api.models import ApiKey
from marketplace.extensions import db
from tests.needs.conftest import sector_id


def new_key(app, client, login, user_id, scopes=("read", "write")) -> str:
    login(client, user_id)
    page = client.post("/profil/cles-api", data={"name": "Outil achats", "scopes": list(scopes)})
    text = page.get_data(as_text=True)
    key = re.search(r'id="new-key">([^<]+)<', text).group(1)
    assert key not in client.get("/profil/cles-api").get_data(as_text=True)  # shown once
    return key


def cleaning(app) -> int:
    with app.app_context():
        return sector_id("nettoyage")


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_the_openapi_document_and_its_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/suppliers", "/api/v1/suppliers/{supplier_id}", "/api/v1/needs", "/api/v1/fairs",
                 "/api/v1/fairs/{fair_id}/agenda", "/api/v1/orders", "/api/v1/sectors"):
        assert path in spec["paths"], path
    assert "SupplierOut" in spec["components"]["schemas"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/suppliers" in page and "cdn" not in page.lower()


def test_keys_are_stored_hashed_and_a_revoked_key_is_refused_at_once(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    with app.app_context():
        stored = db.session.scalar(select(ApiKey))
        assert stored.secret_hash == hashlib.sha256(key.encode()).hexdigest() and key not in stored.secret_hash
        key_id = stored.id
    api = app.test_client()
    assert api.get("/api/v1/needs", headers=auth(key)).status_code == 200
    client.post(f"/profil/cles-api/{key_id}/revoquer")
    refused = api.get("/api/v1/needs", headers=auth(key))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert api.get("/api/v1/needs", headers=auth(key[:-1] + "x")).status_code == 401


def test_a_read_key_cannot_write_and_anonymous_callers_read_only_public_data(app, client, login, buyer):
    read_only = new_key(app, client, login, buyer, scopes=("read",))
    api = app.test_client()
    body = {"kind": "consultation", "title": "Nettoyage du gymnase", "description": "Deux fois par semaine.",
            "sectors": [cleaning(app)], "area": "france", "answer_mode": "platform"}
    refused = api.post("/api/v1/needs", json=body, headers=auth(read_only))
    assert refused.status_code == 403 and "lecture" in refused.get_json()["detail"]
    assert api.post("/api/v1/needs", json=body).status_code == 401
    assert api.get("/api/v1/needs").status_code == 403
    assert api.get("/api/v1/orders").status_code == 403
    assert api.get("/api/v1/sectors").status_code == 200 and api.get("/api/v1/fairs").status_code == 200
    # A logged-in browser session does not open the API: keys do.
    assert client.get("/api/v1/needs").status_code == 403
    with app.app_context():
        from marketplace.needs.models import Need
        assert db.session.scalar(select(Need.id)) is None


def test_a_buyer_creates_updates_and_publishes_a_need_and_bad_input_names_the_field(app, client, login, buyer):
    key = new_key(app, client, login, buyer)
    api = app.test_client()
    bad = api.post("/api/v1/needs", json={"kind": "consultation", "title": "x"}, headers=auth(key))
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert {"title", "description"} <= set(bad.get_json()["errors"])
    body = {"kind": "consultation", "title": "Nettoyage du gymnase", "description": "Deux fois par semaine.",
            "sectors": [cleaning(app)], "area": "france", "answer_mode": "platform",
            "deadline": "2099-01-01T12:00"}
    created = api.post("/api/v1/needs", json=body, headers=auth(key))
    assert created.status_code == 201
    need_id = created.get_json()["id"]
    updated = api.put(f"/api/v1/needs/{need_id}", json={**body, "title": "Nettoyage du gymnase Fragonard"},
                      headers=auth(key))
    assert updated.get_json()["title"] == "Nettoyage du gymnase Fragonard"
    published = api.post(f"/api/v1/needs/{need_id}/publish", headers=auth(key))
    assert published.status_code == 200 and published.get_json()["status"] == "submitted"  # moderation is on
    listed = api.get("/api/v1/needs", headers=auth(key)).get_json()
    assert [n["id"] for n in listed["items"]] == [need_id] and listed["next"] is None


def test_a_buyer_s_key_cannot_read_another_organisation_s_needs_or_offers(app, client, login, buyer, make_need,
                                                                           make_user, make_organisation):
    need_id = make_need(buyer)
    rival = make_user(email="rival@ville-nice.fr")
    make_organisation(rival, name="Ville de Nice")
    key = new_key(app, client, login, rival)
    api = app.test_client()
    assert api.get(f"/api/v1/needs/{need_id}", headers=auth(key)).status_code == 404
    assert api.get(f"/api/v1/needs/{need_id}/offers", headers=auth(key)).status_code in (403, 404)
    assert api.get("/api/v1/needs", headers=auth(key)).get_json()["items"] == []


def test_supplier_pages_come_with_stable_cursors_and_etags(app, client, make_supplier):
    ids = [make_supplier(name=f"Propreté {i}", activities=[{"sector": "nettoyage"}]) for i in range(5)]
    make_supplier(name="Jardins", activities=[{"sector": "espaces-verts"}])
    seen, cursor = [], None
    while True:
        page = client.get("/api/v1/suppliers", query_string={"sector": "nettoyage", "limit": 2,
                                                             **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(ids)
    bad = client.get("/api/v1/suppliers", query_string={"cursor": "n'importe quoi"})
    assert bad.status_code == 422 and "cursor" in bad.get_json()["errors"]
    assert client.get("/api/v1/suppliers", query_string={"limit": 500}).status_code == 422
    first = client.get(f"/api/v1/suppliers/{ids[0]}")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(f"/api/v1/suppliers/{ids[0]}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    with app.app_context():
        from marketplace.suppliers.models import Supplier
        siret = db.session.get(Supplier, ids[0]).siret
    assert client.get(f"/api/v1/suppliers/siret/{siret}").get_json()["id"] == ids[0]
    assert client.get("/api/v1/suppliers/siret/00000000000000").status_code == 404


def test_rate_limit_headers_per_key(make_app, make_user, make_organisation, login):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    user = make_user(email="outil@ville.fr")
    make_organisation(user, name="Ville")
    key = new_key(app, client, login, user)
    response = app.test_client().get("/api/v1/needs", headers=auth(key))
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "300" and int(response.headers["X-RateLimit-Remaining"]) < 300


def test_past_the_limit_the_api_answers_429_per_key_and_per_address(make_app, make_user, make_organisation, login):
    app = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    client = app.test_client()
    first, second = make_user(email="outil@ville.fr"), make_user(email="outil@metropole.fr")
    make_organisation(first, name="Ville")
    make_organisation(second, name="Métropole")
    keys = [new_key(app, client, login, first), new_key(app, client, login, second)]
    api = app.test_client()
    answers = [api.get("/api/v1/needs", headers=auth(keys[0])).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = api.get("/api/v1/needs", headers=auth(keys[0]))
    assert refused.mimetype == "application/problem+json" and "Retry-After" in refused.headers
    assert api.get("/api/v1/needs", headers=auth(keys[1])).status_code == 200  # another key counts apart
    # Without a key, per address: another address still gets through.
    here = [api.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for _ in range(4)]
    assert here == [200, 200, 200, 429]
    assert api.get("/api/v1/sectors", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200
