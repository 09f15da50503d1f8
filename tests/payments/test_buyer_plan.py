"""The buyer plan: a Stripe subscription (localstripe) that unlocks contact-rich exports
and more favourite lists; renewals, failed renewals (grace, then downgrade) and the
end of a cancelled plan come from signed webhooks."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payments.models import Order, OrderStatus, PlanStatus, PlanSubscription, ProductCode
from marketplace.timeutil import utcnow
from tests.payments.conftest import token
from tests.payments.test_fair_tickets import post_event, signed


def plan_of(app) -> PlanSubscription:
    with app.app_context():
        plan = db.session.scalar(select(PlanSubscription))
        db.session.expunge(plan)
        return plan


def subscribe(app, client, number="4242424242424242", plan="plan_monthly"):
    return client.post("/organisations/offre", json={"plan": plan, "token": token(app, number).id})


def export_header(client) -> str:
    return client.get("/annuaire/export.csv").get_data(as_text=True).splitlines()[0]


def wait_for_orders(app, count, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            orders = list(db.session.scalars(select(Order).where(Order.product == ProductCode.PLAN_MONTHLY)
                                             .order_by(Order.id)))
            if len(orders) >= count:
                for order in orders:
                    db.session.expunge(order)
                return orders
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} plan orders")


def test_subscribe_renew_and_cancel_at_period_end(app, client, login, buyer, webhooks_to):
    login(client, buyer)
    assert "E-mail" not in export_header(client)  # no plan: no contacts in exports
    assert "Offre Acheteur, mensuelle : 99\u00a0€ HT" in client.get("/organisations/offre").get_data(as_text=True)
    assert subscribe(app, client).status_code == 201
    plan = plan_of(app)
    assert plan.status == PlanStatus.ACTIVE and plan.current_period_end > utcnow() + timedelta(days=27)
    [first] = wait_for_orders(app, 1)  # the first invoice, paid: an order with its invoice number
    assert first.status == OrderStatus.PAID and first.total_incl_cents == 11880 and first.invoice_number
    assert "E-mail" in export_header(client)
    assert subscribe(app, client).status_code == 409  # one plan at a time

    # A renewal, a month later.
    period_end = int((plan.current_period_end + timedelta(days=30)).timestamp())
    body, header = signed({"id": "evt_renewal", "object": "event", "type": "invoice.payment_succeeded",
                           "data": {"object": {"id": "in_renewal", "object": "invoice",
                                               "subscription": plan.stripe_subscription_id,
                                               "payment_intent": "pi_renewal", "lines": {"data": [
                                                   {"period": {"end": period_end}}]}}}})
    assert post_event(client, body, header).status_code == 200
    assert post_event(client, body, header).get_json()["outcome"] == "duplicate"
    renewed = plan_of(app)
    assert renewed.current_period_end > plan.current_period_end + timedelta(days=29)
    orders = wait_for_orders(app, 2)
    assert [int(o.invoice_number.split("-")[1]) for o in orders] == [1, 2]

    # Cancelled at period end: still active until the end, then over.
    response = client.post("/organisations/offre/resilier", follow_redirects=True)
    assert "Résiliation enregistrée" in response.get_data(as_text=True)
    assert plan_of(app).cancel_at_period_end
    body, header = signed({"id": "evt_end", "object": "event", "type": "customer.subscription.deleted",
                           "data": {"object": {"id": plan.stripe_subscription_id, "object": "subscription",
                                               "status": "canceled", "cancel_at_period_end": True}}})
    post_event(client, body, header)
    assert plan_of(app).status == PlanStatus.CANCELLED
    assert "E-mail" not in export_header(client)


def test_a_failed_renewal_keeps_the_tools_for_the_grace_period_then_downgrades(app, client, login, buyer):
    login(client, buyer)
    subscribe(app, client)
    plan = plan_of(app)
    body, header = signed({"id": "evt_failed", "object": "event", "type": "invoice.payment_failed",
                           "data": {"object": {"id": "in_failed", "object": "invoice",
                                               "subscription": plan.stripe_subscription_id}}})
    post_event(client, body, header)
    failed = plan_of(app)
    assert failed.status == PlanStatus.PAST_DUE
    assert timedelta(days=6) < failed.grace_until - utcnow() <= timedelta(days=7)
    assert "E-mail" in export_header(client)
    assert "Le dernier paiement a échoué" in client.get("/organisations/offre").get_data(as_text=True)
    with app.app_context():
        db.session.get(PlanSubscription, plan.id).grace_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "E-mail" not in export_header(client)


def test_a_declined_card_subscribes_nothing(app, client, login, buyer):
    login(client, buyer)
    response = subscribe(app, client, number="4000000000000341")
    assert response.status_code == 422
    assert "refusée" in response.get_json()["errors"]["card"][0] or "n'a pas abouti" in response.get_json()["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(PlanSubscription.id))) == 0
    assert client.post("/organisations/offre", json={"plan": "gratuit", "token": "x"}).status_code == 422


def test_more_favourite_lists_come_with_the_plan(app, client, login, buyer):
    login(client, buyer)
    for i in range(3):
        assert client.post("/favoris", data={"name": f"Liste {i}"}).status_code in (200, 302)
    refused = client.post("/favoris", data={"name": "Liste 4"})
    assert refused.status_code == 422 and "L'abonnement acheteur en permet davantage" in refused.get_data(as_text=True)
    subscribe(app, client)
    assert client.post("/favoris", data={"name": "Liste 4"}).status_code == 302


def test_payments_sync_repairs_a_missed_subscription_change(app, client, login, buyer):
    login(client, buyer)
    subscribe(app, client)
    plan = plan_of(app)
    # Cancelled at Stripe (say, from Stripe's dashboard), with no webhook to tell us.
    import stripe

    stripe.StripeClient("sk_test_x", base_addresses={"api": app.config["STRIPE_API_BASE"]}).v1.subscriptions.update(
        plan.stripe_subscription_id, params={"cancel_at_period_end": True})
    result = app.test_cli_runner().invoke(args=["payments", "sync"])
    assert f"Réparé : offre {plan.id} : active" in result.output, result.output
    assert plan_of(app).cancel_at_period_end


def test_the_inclusive_purchasing_report_comes_with_the_plan(app, client, login, buyer):
    login(client, buyer)
    response = client.get("/tableau-de-bord/rapport.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisations/offre")
    subscribe(app, client)
    report = client.get("/tableau-de-bord/rapport.csv")
    assert report.mimetype == "text/csv" and "Rapport d'achats inclusifs" in report.get_data(as_text=True)
