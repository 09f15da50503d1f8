"""The Stripe webhook: signature checked, each event recorded once, fulfilment in the
same transaction as the order's change."""

import logging

import stripe
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.payments import gateway, plans, services
from marketplace.payments.models import StripeEvent

log = logging.getLogger(__name__)


class BadSignature(Exception):
    pass


class NotYetKnown(Exception):
    """An event about something not committed here yet (a subscription's first invoice
    can arrive before the request that subscribed has committed its plan): refused, so
    that Stripe delivers it again later, instead of recorded as handled and lost."""


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
        order = services.apply_intent(obj)
        record.order_id = order.id if order else None
        return f"order {order.id} {order.status.value}" if order else "no change"
    if invoice_event:
        plan = plans.apply_invoice(obj, paid=event["type"] != "invoice.payment_failed")
        return f"plan {plan.id} {plan.status.value}" if plan else "no change"
    if event["type"].startswith("customer.subscription."):
        plan = plans.apply_subscription(obj)
        return f"plan {plan.id} {plan.status.value}" if plan else "no change"
    return "ignored"
