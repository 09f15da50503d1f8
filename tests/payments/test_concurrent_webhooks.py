"""The same Stripe event delivered twice at once (two workers): fulfilled once."""

import threading

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.outbox.models import OutboxMessage
from marketplace.payments.models import OrderStatus, StripeEvent
from tests.payments.conftest import order_of
from tests.payments.test_fair_tickets import intent_event, signed


def test_the_same_event_delivered_twice_at_once_fulfils_once(app, paid_fair):
    order = order_of(app, paid_fair["order"])
    body, header = signed(intent_event("evt_twice", "pi_twice", order))
    barrier = threading.Barrier(2)
    answers = []

    def deliver():
        worker = app.test_client()
        barrier.wait(timeout=10)
        response = worker.post("/paiements/webhook", data=body, headers={"Stripe-Signature": header,
                                                                          "Content-Type": "application/json"})
        answers.append((response.status_code, response.get_json()["outcome"]))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(code for code, _ in answers) == [200, 200]
    assert sorted(outcome for _, outcome in answers) == ["duplicate", f"order {order.id} paid"], answers
    paid = order_of(app, order.id)
    assert paid.status == OrderStatus.PAID and paid.invoice_number.endswith("-000001")
    with app.app_context():
        assert db.session.scalar(select(func.count(StripeEvent.id))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.category == "payments.receipt")) == 1
