"""A fair ticket paid through Stripe (localstripe): charged once, fulfilled once from the
signed webhook, invoiced without gaps, refunded; bad signatures and declined cards
change nothing; `flask payments sync` repairs a missed webhook."""

import io
import json
import threading
import time

import stripe
from pypdf import PdfReader
from sqlalchemy import func, select

from events.fairs.models import Fair, Participant, ParticipantStatus
from marketplace.extensions import db
from marketplace.payments.models import Order, OrderStatus, StripeEvent
from marketplace.timeutil import utcnow
from tests.payments.conftest import WEBHOOK_SECRET, card, order_of, wait_for


def participant_status(app, participant_id):
    with app.app_context():
        return db.session.get(Participant, participant_id).status


def succeeded_amounts(app) -> list[int]:
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": app.config["STRIPE_API_BASE"]})
    return [i.amount for i in client.v1.payment_intents.list(params={"limit": 100}).data if i.status == "succeeded"]


def test_a_ticket_is_priced_on_the_server_paid_and_confirmed_by_the_signed_webhook(app, client, paid_fair,
                                                                                    webhooks_to, mailbox):
    order = order_of(app, paid_fair["order"])
    assert (order.total_excl_cents, order.vat_cents, order.total_incl_cents) == (6000, 1200, 7200)
    assert order.billing_name == "Les Jardins de Provence" and order.billing_siret == "73282932000074"
    assert participant_status(app, paid_fair["participant"]) == ParticipantStatus.AWAITING_PAYMENT
    page = client.get(f"/paiements/commandes/{paid_fair['order']}").get_data(as_text=True)
    assert "Payer 72\u00a0€" in page and "/js.stripe.com/v3/" in page

    response = client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    assert response.status_code == 200 and response.get_json()["status"] == "succeeded"
    paid = wait_for(app, paid_fair["order"], "paid")  # localstripe posts the webhook about a second later
    assert paid.invoice_number == f"F{paid.paid_at.year}-000001"
    assert participant_status(app, paid_fair["participant"]) == ParticipantStatus.CONFIRMED
    with app.app_context():
        assert db.session.scalar(select(func.count(StripeEvent.id))) >= 1
    receipt = [m for m in mailbox.wait_for(2) if "Paiement reçu" in m["Subject"]]
    assert receipt and receipt[0]["To"] == "direction@jardins.fr"
    pdf = client.get(f"/paiements/commandes/{paid_fair['order']}/facture.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for printed in (f"Facture {paid.invoice_number}", "Les Jardins de Provence", "73282932000074",
                    "60,00", "12,00", "72,00"):  # the buyer, its SIRET, excl. VAT, VAT, incl. VAT
        assert printed in text.replace("\u202f", " "), printed
    # Paying again charges nothing more.
    again = client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    assert again.get_json()["status"] == "succeeded"
    assert succeeded_amounts(app) == [7200]


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{body.decode()}", secret)
    return body, f"t={timestamp},v1={signature}"


def intent_event(event_id: str, intent_id: str, order: Order, status: str = "succeeded") -> dict:
    return {"id": event_id, "object": "event", "type": f"payment_intent.{status}", "data": {"object": {
        "id": intent_id, "object": "payment_intent", "status": status, "amount": order.total_incl_cents,
        "metadata": {"order_id": str(order.id)}}}}


def post_event(client, body, header):
    return client.post("/paiements/webhook", data=body, headers={"Stripe-Signature": header,
                                                                   "Content-Type": "application/json"})


def test_a_replayed_webhook_fulfils_once_and_a_forged_one_changes_nothing(app, client, paid_fair, mailbox):
    order = order_of(app, paid_fair["order"])
    body, header = signed(intent_event("evt_forged", "pi_forged", order), secret="whsec_not_ours")
    assert post_event(client, body, header).status_code == 400
    assert client.post("/paiements/webhook", data=body, headers={"Content-Type": "application/json"}
                       ).status_code == 400
    assert order_of(app, order.id).status == OrderStatus.PENDING
    assert participant_status(app, paid_fair["participant"]) == ParticipantStatus.AWAITING_PAYMENT

    body, header = signed(intent_event("evt_1", "pi_genuine", order))
    outcomes = [post_event(client, body, header).get_json()["outcome"] for _ in range(2)]
    assert outcomes == [f"order {order.id} paid", "duplicate"]
    body, header = signed(intent_event("evt_2", "pi_genuine", order))  # the same payment, told again
    assert post_event(client, body, header).get_json()["outcome"] == "no change"
    paid = order_of(app, order.id)
    assert paid.status == OrderStatus.PAID and paid.invoice_number.endswith("-000001")
    assert len([m for m in mailbox.wait_for(2) if "Paiement reçu" in m["Subject"]]) == 1


def test_a_declined_card_grants_nothing_and_says_why_in_french(app, client, paid_fair):
    response = client.post(f"/paiements/commandes/{paid_fair['order']}/payer",
                           json={"card": card(app, "4000000000000341")})
    assert response.status_code == 422
    assert "Votre carte a été refusée" in response.get_json()["errors"]["card"][0]
    order = order_of(app, paid_fair["order"])
    assert order.status == OrderStatus.FAILED and order.invoice_number is None
    assert participant_status(app, paid_fair["participant"]) == ParticipantStatus.AWAITING_PAYMENT
    assert "Votre carte a été refusée" in client.get(f"/paiements/commandes/{order.id}").get_data(as_text=True)
    # Another card then works.
    assert client.post(f"/paiements/commandes/{order.id}/payer", json={"card": card(app)}).status_code == 200


def register_and_pay(app, login, make_user, make_supplier, fair_id, email, name) -> tuple:
    user = make_user(role="supplier", email=email)
    supplier = make_supplier(name=name, member_id=user)
    client = app.test_client()
    login(client, user)
    with app.app_context():
        sessions = [str(s.id) for s in db.session.get(Fair, fair_id).sessions]
    response = client.post(f"/salons/{fair_id}/inscription", data={
        "identity": f"supplier:{supplier}", "pitch": "Conditionnement et logistique", "sessions": sessions,
        "max_meetings": "3", "contact_email": f"salon.{email}"})
    order_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/paiements/commandes/{order_id}/payer", json={"card": card(app)})
    wait_for(app, order_id, "paid")
    with app.app_context():
        participant_id = db.session.scalar(select(Order.participant_id).where(Order.id == order_id))
    return client, order_id, participant_id


def test_cancelling_before_the_deadline_refunds_and_the_organiser_refunds_part_later(app, client, login, paid_fair,
                                                                                    webhooks_to, make_user,
                                                                                    make_supplier):
    client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    wait_for(app, paid_fair["order"], "paid")
    client.post(f"/salons/{paid_fair['fair']}/participants/{paid_fair['participant']}/annuler")
    refunded = order_of(app, paid_fair["order"])
    assert refunded.status == OrderStatus.REFUNDED and refunded.refunded_cents == 7200

    # Past the deadline, cancelling refunds nothing; the organiser can refund part of it.
    with app.app_context():
        db.session.get(Fair, paid_fair["fair"]).cancellation_deadline = utcnow()
        db.session.commit()
    other, order_id, participant_id = register_and_pay(app, login, make_user, make_supplier, paid_fair["fair"],
                                                       "atelier@esat.fr", "ESAT du Moulin")
    other.post(f"/salons/{paid_fair['fair']}/participants/{participant_id}/annuler")
    assert order_of(app, order_id).status == OrderStatus.PAID
    organiser = app.test_client()
    login(organiser, paid_fair["organiser"])
    assert "ESAT du Moulin" in organiser.get(f"/salons/{paid_fair['fair']}/accueil").get_data(as_text=True)
    too_much = organiser.post(f"/salons/{paid_fair['fair']}/participants/{participant_id}/rembourser",
                              data={"amount": "100"}, follow_redirects=True)
    assert "Le remboursement doit être compris entre 0,01 € et 72,00 €" in too_much.get_data(as_text=True)
    organiser.post(f"/salons/{paid_fair['fair']}/participants/{participant_id}/rembourser", data={"amount": "36"})
    partly = order_of(app, order_id)
    assert partly.status == OrderStatus.PARTLY_REFUNDED and partly.refunded_cents == 3600
    # Only the fair's organisers refund.
    assert other.post(f"/salons/{paid_fair['fair']}/participants/{participant_id}/rembourser",
                      data={"amount": "1"}).status_code == 403
    assert order_of(app, order_id).refunded_cents == 3600


def test_payments_sync_repairs_a_missed_webhook(app, client, paid_fair):
    # No webhook endpoint is registered: the payment succeeds at Stripe, the order waits.
    client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    time.sleep(1.5)
    assert order_of(app, paid_fair["order"]).status == OrderStatus.PENDING
    result = app.test_cli_runner().invoke(args=["payments", "sync"])
    assert result.exit_code == 0, result.output
    assert f"Réparé : commande {paid_fair['order']} : payée" in result.output
    assert order_of(app, paid_fair["order"]).status == OrderStatus.PAID
    assert participant_status(app, paid_fair["participant"]) == ParticipantStatus.CONFIRMED
    assert "0 order(s) repaired." in app.test_cli_runner().invoke(args=["payments", "sync"]).output


def test_invoice_numbers_have_no_gaps_under_concurrent_payments(app, paid_fair):
    from marketplace.accounts.models import User
    from marketplace.payments import services
    from marketplace.payments.models import ProductCode

    with app.app_context():
        user = db.session.get(User, paid_fair["user"])
        ids = [services.create_order(ProductCode.BOOST, f"Commande {i}", 1000, user, {"billing_name": "X"}).id
               for i in range(8)]
        db.session.commit()
    barrier = threading.Barrier(len(ids))
    errors = []

    def pay(order_id):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                services.fulfil(db.session.get(Order, order_id))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay, args=(order_id,)) for order_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        numbers = sorted(int(n.split("-")[1]) for n in db.session.scalars(select(Order.invoice_number).where(
            Order.id.in_(ids))))
    assert numbers == list(range(1, len(ids) + 1))
