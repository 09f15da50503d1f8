"""The Stripe webhook: signature checked, each event recorded once, fulfilment in the
same transaction as the order's change."""

import logging

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.payments import gateway, plans, services
from marketplace.payments.models import Order, StripeEvent

log = logging.getLogger(__name__)


class BadSignature(Exception):
    pass


class NotYetKnown(Exception):
    """An event about something not committed here yet (a subscription's first invoice
    can arrive before the request that subscribed has committed its plan): refused, so
    that Stripe delivers it again later, instead of recorded as handled and lost."""


def order_of_intent(intent) -> Order | None:
    order = db.session.scalar(select(Order).where(Order.stripe_payment_intent_id == intent["id"]))
    if order is None and (intent.get("metadata") or {}).get("order_id", "").isdigit():
        order = db.session.get(Order, int(intent["metadata"]["order_id"]))
        if order is not None and order.stripe_payment_intent_id in (None, intent["id"]):
            order.stripe_payment_intent_id = intent["id"]
        else:
            order = None
    return order


def apply_intent(intent) -> Order | None:
    """Bring an order in line with its PaymentIntent; returns the order if it changed."""
    intent = intent.to_dict() if hasattr(intent, "to_dict") else intent
    order = order_of_intent(intent)
    if order is None:
        return None
    if intent["status"] == "succeeded" and intent["amount"] == order.total_incl_cents:
        return order if services.fulfil(order) else None
    if intent["status"] in ("requires_payment_method", "canceled") and (intent.get("last_payment_error") or {}):
        services.fail(order, None)
        return order
    return None


def handle(payload: bytes, signature: str | None) -> str:
    """Handle one webhook call; returns what was done, for the log and the answer."""
    try:
        event = gateway.verify_event(payload, signature)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from None
    obj = event["data"]["object"]
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    invoice_event = event["type"] in ("invoice.payment_succeeded", "invoice.paid", "invoice.payment_failed")
    if invoice_event and obj.get("subscription") and plans.plan_of(obj["subscription"]) is None:
        raise NotYetKnown(f"subscription {obj['subscription']} of invoice {obj.get('id')}")  # before it is recorded
    record = StripeEvent(stripe_id=event["id"], type=event["type"])
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return "duplicate"
    if event["type"] in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        if obj.get("invoice"):
            return "subscription payment (handled with its invoice)"
        order = apply_intent(obj)
        record.order_id = order.id if order else None
        return f"order {order.id} {order.status.value}" if order else "no change"
    if invoice_event:
        plan = plans.apply_invoice(obj, paid=event["type"] != "invoice.payment_failed")
        return f"plan {plan.id} {plan.status.value}" if plan else "no change"
    if event["type"].startswith("customer.subscription."):
        plan = plans.apply_subscription(obj)
        return f"plan {plan.id} {plan.status.value}" if plan else "no change"
    return "ignored"
