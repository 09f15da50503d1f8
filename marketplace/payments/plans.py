"""The buyer plan: a monthly or yearly Stripe subscription of a buyer organisation. It
unlocks the advanced buyer tools (contact-rich exports, more favourite lists). Renewals,
cancellation at period end and failed renewals (a grace period, then the plan ends)
come from the webhooks. Without Stripe keys, every organisation has the tools."""

from datetime import UTC, datetime, timedelta

import stripe
from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.errors import Conflict, DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.organisations import hooks as organisations_hooks
from marketplace.organisations.models import BuyerOrganisation
from marketplace.organisations.services import is_member
from marketplace.payments import gateway, services
from marketplace.payments.models import Order, PlanStatus, PlanSubscription, ProductCode
from marketplace.timeutil import utcnow

PLANS = {ProductCode.PLAN_MONTHLY: "month", ProductCode.PLAN_YEARLY: "year"}


def _moment(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None) if timestamp else None


def current_plan(organisation: BuyerOrganisation | None) -> PlanSubscription | None:
    if organisation is None:
        return None
    return db.session.scalar(select(PlanSubscription).where(
        PlanSubscription.organisation_id == organisation.id, PlanSubscription.status != PlanStatus.CANCELLED)
        .order_by(PlanSubscription.id.desc()).limit(1))


@organisations_hooks.has_plan.answer
def has_plan(organisation: BuyerOrganisation | None) -> bool:
    """Whether the organisation has the advanced tools now."""
    if not gateway.payments_enabled():
        return True
    plan = current_plan(organisation)
    if plan is None:
        return False
    if plan.status == PlanStatus.PAST_DUE:
        return plan.grace_until is not None and plan.grace_until > utcnow()
    return True


def _stripe_plan(code: ProductCode) -> str:
    """The Stripe recurring price of a catalogue plan (created once per price)."""
    product = services.product(code)
    if product.stripe_plan_id is None:
        client = gateway.client()
        remote = client.v1.products.create(params={"name": product.name, "type": "service"})
        amount = product.amount_cents + services.vat_of(product.amount_cents, product.vat_rate)
        plan = client.v1.plans.create(params={"product": remote.id, "amount": amount, "currency": "eur",
                                              "interval": PLANS[code]})
        product.stripe_plan_id = plan.id
        db.session.flush()
    return product.stripe_plan_id


def subscribe(organisation: BuyerOrganisation, code: ProductCode, token: str, actor: User) -> PlanSubscription:
    """Subscribe with the card of a Stripe.js token; the first invoice is paid at once."""
    if not is_member(actor, organisation):
        raise NotAllowed("Seuls les membres de l'organisation la font souscrire.")
    if not gateway.payments_enabled():
        raise DomainError("Les outils avancés sont inclus : il n'y a rien à souscrire.")
    if code not in PLANS:
        raise DomainError("Offre inconnue.", "plan")
    if current_plan(organisation) is not None:
        raise Conflict("Votre organisation a déjà une offre en cours.")
    if not (isinstance(token, str) and token.startswith("tok_")):
        raise DomainError("Carte invalide : saisissez-la à nouveau.", "card")
    client = gateway.client()
    try:
        customer = client.v1.customers.create(params={"email": actor.email, "name": organisation.name,
                                                      "source": token, "metadata": {
                                                          "organisation_id": str(organisation.id)}})
        remote = client.v1.subscriptions.create(params={
            "customer": customer.id, "items": [{"plan": _stripe_plan(code)}],
            "metadata": {"organisation_id": str(organisation.id), "product": code.value}},
            options={"idempotency_key": f"plan-{organisation.id}-{token}"}).to_dict()
    except stripe.CardError as error:
        raise DomainError(services.DECLINE_MESSAGES.get(error.code or "", services.DEFAULT_DECLINE), "card") from None
    if remote["status"] not in ("active", "trialing"):
        client.v1.subscriptions.cancel(remote["id"])
        raise DomainError(services.DEFAULT_DECLINE, "card")
    plan = PlanSubscription(organisation_id=organisation.id, product=code, stripe_subscription_id=remote["id"],
                            stripe_customer_id=customer.id, status=PlanStatus.ACTIVE, created_by_id=actor.id,
                            current_period_end=_moment(remote.get("current_period_end")) or utcnow())
    db.session.add(plan)
    db.session.flush()
    return plan


def cancel_at_period_end(plan: PlanSubscription, actor: User) -> PlanSubscription:
    organisation = db.session.get(BuyerOrganisation, plan.organisation_id)
    if not is_member(actor, organisation):
        raise NotAllowed("Seuls les membres de l'organisation peuvent résilier son offre.")
    if plan.cancel_at_period_end:
        raise Conflict("La résiliation est déjà programmée.")
    gateway.client().v1.subscriptions.update(plan.stripe_subscription_id, params={"cancel_at_period_end": True})
    plan.cancel_at_period_end = True
    db.session.flush()
    return plan


def plan_of(subscription_id: str | None) -> PlanSubscription | None:
    if not subscription_id:
        return None
    return db.session.scalar(select(PlanSubscription).where(PlanSubscription.stripe_subscription_id == subscription_id))


def apply_subscription(remote: dict) -> PlanSubscription | None:
    """customer.subscription.updated / deleted: status, period end, cancellation."""
    plan = plan_of(remote.get("id"))
    if plan is None:
        return None
    plan.cancel_at_period_end = bool(remote.get("cancel_at_period_end"))
    plan.current_period_end = _moment(remote.get("current_period_end")) or plan.current_period_end
    if remote.get("status") in ("canceled", "incomplete_expired", "unpaid"):
        plan.status, plan.ended_at = PlanStatus.CANCELLED, utcnow()
    elif remote.get("status") == "past_due" and plan.status == PlanStatus.ACTIVE:
        _start_grace(plan)
    elif remote.get("status") == "active":
        plan.status, plan.grace_until = PlanStatus.ACTIVE, None
    return plan


def _start_grace(plan: PlanSubscription) -> None:
    plan.status = PlanStatus.PAST_DUE
    plan.grace_until = utcnow() + timedelta(days=current_app.config.get("PLAN_GRACE_DAYS", 7))


def apply_invoice(invoice: dict, paid: bool) -> PlanSubscription | None:
    """invoice.payment_succeeded (the first payment or a renewal: an order with its
    invoice number) or invoice.payment_failed (a grace period starts)."""
    plan = plan_of(invoice.get("subscription"))
    if plan is None:
        return None
    if not paid:
        if plan.status == PlanStatus.ACTIVE:
            _start_grace(plan)
        return plan
    plan.status, plan.grace_until = PlanStatus.ACTIVE, None
    lines = (invoice.get("lines") or {}).get("data") or []
    period_end = _moment(((lines[0] if lines else {}).get("period") or {}).get("end"))
    if period_end:
        plan.current_period_end = max(plan.current_period_end, period_end)
    intent = invoice.get("payment_intent") or f"invoice:{invoice.get('id')}"
    if db.session.scalar(select(Order.id).where(Order.stripe_payment_intent_id == intent)) is None:
        organisation = db.session.get(BuyerOrganisation, plan.organisation_id)
        product = services.product(plan.product)
        order = services.create_order(
            plan.product, f"{product.name} — {organisation.name}", product.amount_cents,
            db.session.get(User, plan.created_by_id), services.billing_of(organisation),
            organisation_id=organisation.id)
        order.stripe_payment_intent_id = intent
        services.fulfil(order)
    return plan
