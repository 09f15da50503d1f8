"""Payments under races, each reproduced with threads against localstripe: an order
fulfilled by two paths at once, a webhook landing while a retried charge is under way,
a subscription's first invoice arriving before its plan is committed; and the periodic
sync that repairs what a missed webhook left."""

import threading
import time

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage
from marketplace.payments import gateway, services
from marketplace.payments.models import InvoiceCounter, Order, OrderStatus, PlanSubscription
from marketplace.payments.services import apply_intent
from tests.payments.conftest import card, order_of, token
from tests.payments.test_fair_tickets import signed


def invoices_numbered(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.sum(InvoiceCounter.last_number))) or 0


def receipts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.category == "payments.receipt"))


def test_an_order_fulfilled_by_two_paths_at_once_is_numbered_and_granted_once(app, paid_fair):
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def fulfil_in_its_own_session():
        with app.app_context():
            try:
                order = db.session.get(Order, paid_fair["order"])  # both read it pending
                barrier.wait(timeout=10)
                outcomes.append(services.fulfil(order))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=fulfil_in_its_own_session) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sorted(outcomes) == [False, True]
    paid = order_of(app, paid_fair["order"])
    assert paid.status == OrderStatus.PAID and paid.invoice_number.endswith("-000001")
    assert invoices_numbered(app) == 1 and receipts(app) == 1


def test_a_webhook_during_a_retried_charge_does_not_set_the_paid_order_back(app, client, paid_fair, monkeypatch):
    # The first card is declined; the buyer retries with a good one.
    declined = client.post(f"/paiements/commandes/{paid_fair['order']}/payer",
                           json={"card": card(app, "4000000000000341")})
    assert declined.status_code == 422
    create = gateway.create_payment_intent

    def charge_while_the_webhook_lands(order, card_id):
        intent = create(order, card_id)
        landed = threading.Thread(target=_webhook_fulfils, args=(app, intent))  # another worker, another session
        landed.start()
        landed.join(timeout=30)
        return intent

    monkeypatch.setattr(gateway, "create_payment_intent", charge_while_the_webhook_lands)
    retried = client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    assert retried.status_code == 200 and retried.get_json()["status"] == "succeeded"
    order = order_of(app, paid_fair["order"])
    assert order.status == OrderStatus.PAID and order.invoice_number.endswith("-000001")
    # The periodic sync then finds nothing to repair, and numbers nothing twice.
    with app.app_context():
        from marketplace.jobs import sync_payments

        assert not any("commande" in line for line in sync_payments.call_local())
    assert order_of(app, paid_fair["order"]).invoice_number == order.invoice_number
    assert invoices_numbered(app) == 1 and receipts(app) == 1


def _webhook_fulfils(app, intent):
    with app.app_context():
        apply_intent(intent)
        db.session.commit()
        db.session.remove()


def test_the_periodic_sync_repairs_a_missed_webhook(app, client, paid_fair):
    from marketplace.jobs import sync_payments

    client.post(f"/paiements/commandes/{paid_fair['order']}/payer", json={"card": card(app)})
    assert order_of(app, paid_fair["order"]).status == OrderStatus.PENDING  # no webhook endpoint registered
    time.sleep(1.5)  # localstripe settles the charge a moment later
    with app.app_context():  # the worker's job, on this application
        repaired = sync_payments.call_local()
    assert f"commande {paid_fair['order']} : payée" in " ".join(repaired)
    assert order_of(app, paid_fair["order"]).status == OrderStatus.PAID
    with app.app_context():
        assert sync_payments.call_local() == []


def test_a_first_invoice_before_its_plan_is_committed_is_refused_then_applied(app, client, login, buyer):
    """The subscription's first invoice event is posted while the request that subscribes
    has not committed the plan: refused (409, nothing recorded), then applied when
    delivered again, as Stripe does."""
    from marketplace.accounts.models import User
    from marketplace.organisations.services import organisation_of
    from marketplace.payments import plans

    with app.app_context():
        user = db.session.get(User, buyer)
        plan = plans.subscribe(organisation_of(user), next(iter(plans.PLANS)), token(app).id, user)
        subscription_id = plan.stripe_subscription_id
        db.session.rollback()  # as if not committed yet when the event arrives
    event = {"id": "evt_first_invoice", "object": "event", "type": "invoice.payment_succeeded",
             "data": {"object": {"id": "in_first", "object": "invoice", "subscription": subscription_id,
                                 "payment_intent": "pi_first_invoice", "status": "paid",
                                 "lines": {"data": [{"period": {"end": 1893456000}}]}}}}
    body, header = signed(event)
    early = client.post("/paiements/webhook", data=body, headers={"Stripe-Signature": header,
                                                                   "Content-Type": "application/json"})
    assert early.status_code == 409 and early.headers["Retry-After"]
    with app.app_context():  # the plan is committed now
        user = db.session.get(User, buyer)
        db.session.add(PlanSubscription(organisation_id=organisation_of(user).id, product=plan.product,
                                        stripe_subscription_id=subscription_id, stripe_customer_id="cus_x",
                                        status=plan.status, created_by_id=user.id,
                                        current_period_end=plan.current_period_end))
        db.session.commit()
    again = client.post("/paiements/webhook", data=body, headers={"Stripe-Signature": header,
                                                                   "Content-Type": "application/json"})
    assert again.status_code == 200 and again.get_json()["outcome"].startswith("plan ")
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.stripe_payment_intent_id == "pi_first_invoice"))
        assert order is not None and order.status == OrderStatus.PAID and order.invoice_number
