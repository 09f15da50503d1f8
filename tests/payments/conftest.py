"""Payments against a real, stateful Stripe test server: `localstripe` on loopback, used
through the official `stripe` library. Webhooks are delivered by localstripe to the
application's live server, signed with the test secret."""

import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import stripe
from sqlalchemy import select, update

from events.fairs.models import Fair, Participant
from marketplace.extensions import db
from marketplace.payments.models import Order, Product
from tests.conftest import free_port
from tests.events.fairs.conftest import make_fair  # noqa: F401 - the fair factory, shared

WEBHOOK_SECRET = "whsec_test_marche_inclusif"


@pytest.fixture(scope="session")
def localstripe():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "localstripe", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def call(base: str, method: str, path: str, fields: dict | None = None) -> None:
    data = urllib.parse.urlencode(fields or {}).encode() if fields is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    urllib.request.urlopen(request, timeout=5).read()  # noqa: S310 - loopback test server


@pytest.fixture
def app(make_app, localstripe):
    """The application with payments on, against an empty localstripe."""
    call(localstripe, "DELETE", "/_config/data")
    app = make_app(STRIPE_SECRET_KEY="sk_test_localstripe", STRIPE_PUBLISHABLE_KEY="pk_test_localstripe",
                   STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=localstripe,
                   STRIPE_JS_URL=f"{localstripe}/js.stripe.com/v3/")
    with app.app_context():  # the catalogue outlives a test; the Stripe plans made for it do not
        db.session.execute(update(Product).values(stripe_plan_id=None))
        db.session.commit()
    return app


@pytest.fixture
def webhooks_to(localstripe, live_server):
    """localstripe posts its signed events to the live server's webhook endpoint."""
    call(localstripe, "POST", "/_config/webhooks/marche_inclusif",
         {"url": f"{live_server}/paiements/webhook", "secret": WEBHOOK_SECRET})
    return live_server


def token(app, number: str = "4242424242424242"):
    """A card token, as Stripe.js makes it in the page."""
    stripe_client = stripe.StripeClient("sk_test_localstripe", base_addresses={"api": app.config["STRIPE_API_BASE"]})
    return stripe_client.v1.tokens.create(params={"card": {"number": number, "exp_month": "12", "exp_year": "2031",
                                                           "cvc": "123"}})


def card(app, number: str = "4242424242424242") -> str:
    """A card as the payment page hands it to the server: a token's card id."""
    return token(app, number).card.id


def order_of(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def wait_for(app, order_id: int, status: str, timeout: float = 10) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = order_of(app, order_id)
        if order.status.value == status:
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} is {order_of(app, order_id).status}, not {status}")


@pytest.fixture
def paid_fair(app, make_user, make_fair, make_supplier, client, login):  # noqa: F811 - the shared fixture
    """A fair whose suppliers pay 60 € excluding VAT, refunded if cancelled in the next
    week; a supplier user registered, with its order waiting for payment."""
    from tests.events.fairs.conftest import fair_form

    organiser = make_user(role="organiser", email="orga@so-eko.fr")
    fair_id = make_fair(organiser, fee_supplier="60", cancellation_deadline=fair_form()["registration_closes_at"])
    user = make_user(role="supplier", email="direction@jardins.fr", first_name="Léa")
    supplier = make_supplier(name="Les Jardins de Provence", member_id=user, siret="73282932000074")
    login(client, user)
    with app.app_context():
        sessions = [str(s.id) for s in db.session.get(Fair, fair_id).sessions]
    response = client.post(f"/salons/{fair_id}/inscription", data={
        "identity": f"supplier:{supplier}", "pitch": "Entretien des espaces verts", "sessions": sessions,
        "max_meetings": "4", "contact_email": "salon@jardins.fr"})
    assert response.status_code == 302 and "/paiements/commandes/" in response.headers["Location"]
    order_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        participant_id = db.session.scalar(select(Participant.id).where(Participant.fair_id == fair_id))
    return {"fair": fair_id, "organiser": organiser, "user": user, "supplier": supplier, "order": order_id,
            "participant": participant_id}


