"""Re-read recent PaymentIntents, the open subscriptions and their latest invoices from
Stripe, and repair the orders and plans whose webhook was missed. Run every 15 minutes
by the job worker (marketplace.jobs.sync_payments) and by `flask payments sync`."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import gateway, plans
from marketplace.payments.models import Order, OrderStatus, PlanStatus, PlanSubscription
from marketplace.payments.services import apply_intent


def sync_recent(limit: int = 100) -> list[str]:
    """Returns one line per repaired order."""
    repaired = []
    open_orders = set(db.session.scalars(select(Order.id).where(Order.status.in_(
        (OrderStatus.PENDING, OrderStatus.FAILED)))))
    for intent in gateway.recent_payment_intents(limit):
        order = apply_intent(intent)
        if order is not None and order.id in open_orders:
            repaired.append(f"commande {order.id} : {order.status.label.lower()} ({intent['id']})")
    open_plans = select(PlanSubscription).where(PlanSubscription.status != PlanStatus.CANCELLED)
    for plan in list(db.session.scalars(open_plans)):
        before = (plan.status, plan.current_period_end, plan.cancel_at_period_end)
        remote = gateway.client().v1.subscriptions.retrieve(plan.stripe_subscription_id).to_dict()
        plans.apply_subscription(remote)
        if (plan.status, plan.current_period_end, plan.cancel_at_period_end) != before:
            repaired.append(f"offre {plan.id} : {plan.status.label.lower()} ({plan.stripe_subscription_id})")
        repaired += _paid_invoices(plan)
    db.session.flush()
    return repaired


def _paid_invoices(plan: PlanSubscription) -> list[str]:
    """The plan's latest paid invoices that have no order here yet (their webhook was
    missed, or refused while the plan was not committed): ordered and numbered now."""
    invoices = gateway.client().v1.invoices.list(params={"subscription": plan.stripe_subscription_id, "limit": 3})
    repaired = []
    for invoice in invoices.data:
        invoice = invoice.to_dict()
        if invoice.get("status") != "paid":
            continue
        intent = invoice.get("payment_intent") or f"invoice:{invoice.get('id')}"
        if db.session.scalar(select(Order.id).where(Order.stripe_payment_intent_id == intent)) is None:
            plans.apply_invoice(invoice, paid=True)
            repaired.append(f"facture de l'offre {plan.id} ({invoice.get('id')})")
    return repaired
