"""Outgoing webhooks: signed deliveries checked by a receiver on loopback, a retry after
the receiver fails once, region filtering, and private addresses refused by default."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.timeutil import utcnow
from marketplace.webhooks.models import WebhookDelivery
from marketplace.webhooks.services import deliver_due
from tests.api.test_api import auth, new_key


@pytest.fixture
def receiver():
    """An HTTP receiver on loopback that fails its first call, then accepts."""
    received, state = [], {"calls": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            state["calls"] += 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = 500 if state["calls"] == 1 else 200
            if status == 200:
                received.append((dict(self.headers), body))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()


def verified(secret: str, headers: dict, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in headers["X-Marche-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_deliveries_are_signed_retried_and_logged(make_app, make_user, make_organisation, login, make_supplier,
                                                  receiver):
    url, received, state = receiver
    app = make_app(WEBHOOKS_ALLOW_PRIVATE=True)
    client = app.test_client()
    partner = make_user(email="partenaire@reseau-siae.fr")
    key = new_key(app, client, login, partner)
    api = app.test_client()
    created = api.post("/api/v1/webhooks", json={"url": url, "events": ["supplier.changed"]}, headers=auth(key))
    assert created.status_code == 201
    subscription = created.get_json()
    assert subscription["secret"].startswith("whk_")
    assert "secret" not in api.get("/api/v1/webhooks", headers=auth(key)).get_json()[0]

    make_supplier(name="Propreté Azur", siret="73282932000074")
    with app.app_context():
        assert deliver_due() == {"delivered": 0, "failed": 1}  # the receiver fails once
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.attempts == 1 and delivery.last_status == 500
        assert timedelta(seconds=50) < delivery.next_attempt_at - utcnow() <= timedelta(minutes=1)
        assert deliver_due() == {"delivered": 0, "failed": 0}  # not due yet
        db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert deliver_due() == {"delivered": 1, "failed": 0}
    [(headers, body)] = received
    assert verified(subscription["secret"], headers, body)
    assert not verified("whk_another", headers, body)
    event = json.loads(body)
    assert event["event"] == "supplier.changed" and event["data"]["siret"] == "73282932000074"
    log = api.get(f"/api/v1/webhooks/{subscription['id']}/deliveries", headers=auth(key)).get_json()
    assert log[0]["attempts"] == 2 and log[0]["delivered_at"]


def test_public_needs_reach_the_partners_of_their_region_only(make_app, make_user, make_organisation, login,
                                                              buyer, make_need, receiver):
    url, received, state = receiver
    state["calls"] = 1  # accept at once
    app = make_app(WEBHOOKS_ALLOW_PRIVATE=True)
    client = app.test_client()
    key = new_key(app, client, login, make_user(email="facilitateur@paca.fr"))
    app.test_client().post("/api/v1/webhooks", json={"url": url, "events": ["need.published"], "region": "93"},
                           headers=auth(key))
    from marketplace.needs.models import NeedArea

    make_need(buyer, title="Nettoyage à Grasse", is_public=True, area=NeedArea.COMMUNE, commune="06069", radius_km=10)
    make_need(buyer, title="Nettoyage à Paris", is_public=True, area=NeedArea.ZONES, departments=["75"])
    make_need(buyer, title="Besoin privé", is_public=False)
    with app.app_context():
        deliver_due()
    titles = [json.loads(body)["data"]["title"] for _, body in received]
    assert titles == ["Nettoyage à Grasse"]


def test_private_and_loopback_addresses_are_refused_by_default(app, client, login, make_user):
    key = new_key(app, client, login, make_user(email="partenaire@example.org"))
    api = app.test_client()
    for url in ("http://127.0.0.1:9/hook", "http://10.0.0.8/hook", "ftp://exemple.fr/hook"):
        response = api.post("/api/v1/webhooks", json={"url": url, "events": ["supplier.changed"]}, headers=auth(key))
        assert response.status_code == 422 and "url" in response.get_json()["errors"], url
    bad = api.post("/api/v1/webhooks", json={"url": "https://exemple.fr", "events": ["tout"]}, headers=auth(key))
    assert bad.status_code == 422 and "events.0" in bad.get_json()["errors"]  # the path of the bad value


def test_a_redirect_is_not_followed(make_app, make_user, login, make_supplier):
    """A receiver that answers 302 to another address: the delivery fails with the 302,
    and the other address hears nothing (it could be a private one)."""
    hits = {"target": 0}

    class Target(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            hits["target"] += 1
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    target = HTTPServer(("127.0.0.1", 0), Target)

    class Redirecting(Target):
        def do_POST(self):  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{target.server_port}/internal")
            self.end_headers()

    redirecting = HTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (target, redirecting):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = make_app(WEBHOOKS_ALLOW_PRIVATE=True)
        key = new_key(app, app.test_client(), login, make_user(email="partenaire@reseau-siae.fr"))
        url = f"http://127.0.0.1:{redirecting.server_port}/hook"
        assert app.test_client().post("/api/v1/webhooks", json={"url": url, "events": ["supplier.changed"]},
                                      headers=auth(key)).status_code == 201
        make_supplier(name="Les Ateliers du Littoral")
        with app.app_context():
            counts = deliver_due()
            delivery = db.session.scalar(select(WebhookDelivery))
            assert counts == {"delivered": 0, "failed": 1}
            assert delivery.last_status == 302 and delivery.delivered_at is None
        assert hits["target"] == 0
    finally:
        target.shutdown()
        redirecting.shutdown()
