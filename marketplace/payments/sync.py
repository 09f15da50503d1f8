"""`flask payments sync`: re-read recent PaymentIntents from Stripe and repair the orders
whose webhook was missed."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Order, OrderStatus
from marketplace.payments.webhooks import apply_intent


def sync_recent(limit: int = 100) -> list[str]:
    """Returns one line per repaired order."""
    repaired = []
    open_orders = set(db.session.scalars(select(Order.id).where(Order.status.in_(
        (OrderStatus.PENDING, OrderStatus.FAILED)))))
    for intent in gateway.recent_payment_intents(limit):
        order = apply_intent(intent)
        if order is not None and order.id in open_orders:
            repaired.append(f"commande {order.id} : {order.status.label.lower()} ({intent['id']})")
    db.session.flush()
    return repaired
