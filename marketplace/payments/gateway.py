"""Our only door to Stripe, through the official library. Tests point it at a local
`localstripe` server with STRIPE_API_BASE."""

import stripe
from flask import current_app


def payments_enabled() -> bool:
    """Without a secret key, every paid feature is free."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE") or stripe.DEFAULT_API_BASE
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses={"api": base}, max_network_retries=2)


def create_payment_intent(order, payment_method: str):
    """Charge an order's card: one PaymentIntent per order, created with an idempotency
    key so that a double click or a retried request cannot charge twice."""
    return client().v1.payment_intents.create(params={
        "amount": order.total_incl_cents, "currency": "eur", "payment_method": payment_method, "confirm": True,
        "metadata": {"order_id": str(order.id), "label": order.lines[0].description[:400] if order.lines else ""},
    }, options={"idempotency_key": f"order-{order.id}-{payment_method}"})  # a new card is a new attempt


def retrieve_payment_intent(intent_id: str):
    return client().v1.payment_intents.retrieve(intent_id)


def recent_payment_intents(limit: int = 100) -> list:
    return list(client().v1.payment_intents.list(params={"limit": limit}).data)


def refund(intent_id: str, cents: int, key: str):
    return client().v1.refunds.create(params={"payment_intent": intent_id, "amount": cents},
                                   options={"idempotency_key": key})


def verify_event(payload: bytes, signature: str | None):
    """The event, if its signature is right; raises ValueError or SignatureVerificationError."""
    return stripe.Webhook.construct_event(payload, signature or "", current_app.config["STRIPE_WEBHOOK_SECRET"])
