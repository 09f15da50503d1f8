"""Orders: priced on the server from the catalogue, charged once, fulfilled once (from
the webhook, or the recovery sync), invoiced with gapless numbers, refunded."""

import logging
from datetime import timedelta

import stripe
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.audit.models import AuditAction
from marketplace.audit.services import record
from marketplace.errors import Conflict, DomainError, NotAllowed, NotFound
from marketplace.extensions import db
from marketplace.payments import gateway, hooks
from marketplace.payments.models import InvoiceCounter, Order, OrderLine, OrderStatus, Product, ProductCode
from marketplace.timeutil import utcnow

log = logging.getLogger(__name__)

CHARGE_TIMEOUT = timedelta(minutes=2)  # a charge still "under way" after this was interrupted
DECLINE_MESSAGES = {
    "card_declined": "Votre carte a été refusée. Aucun montant n'a été débité : essayez une autre carte.",
    "expired_card": "Votre carte a expiré. Aucun montant n'a été débité.",
    "incorrect_cvc": "Le cryptogramme de votre carte est incorrect. Aucun montant n'a été débité.",
    "insufficient_funds": "Provision insuffisante. Aucun montant n'a été débité.",
}
DEFAULT_DECLINE = "Le paiement n'a pas abouti. Aucun montant n'a été débité : réessayez ou utilisez une autre carte."


def product(code: ProductCode) -> Product:
    found = db.session.scalar(select(Product).where(Product.code == code))
    if found is None:
        raise NotFound("Produit inconnu.")
    return found


def update_product(found: Product, data: dict, actor: User) -> Product:
    if not actor.is_admin:
        raise NotAllowed("Seuls les administrateurs modifient le catalogue.")
    if (found.amount_cents, found.vat_rate) != (data["amount_cents"], data["vat_rate"]):
        found.stripe_plan_id = None  # a new price: new subscriptions get a new Stripe plan
    found.name, found.amount_cents, found.vat_rate = data["name"], data["amount_cents"], data["vat_rate"]
    found.updated_at = utcnow()
    db.session.flush()
    return found


def vat_of(excl_cents: int, rate: int) -> int:
    """VAT in cents, rounded half up (rate in basis points)."""
    return (excl_cents * rate + 5000) // 10000


def get_order(order_id: int, actor: User) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or not (order.user_id == actor.id or actor.is_admin):
        raise NotFound("Cette commande n'existe pas.")
    return order


def orders_of(user: User) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.user_id == user.id).order_by(Order.id.desc())))


def billing_of(party, fallback_name: str = "") -> dict:
    """The billing details of a buyer organisation or a supplier, as frozen on an order."""
    if party is None:
        return {"billing_name": fallback_name, "billing_address": None, "billing_siret": None}
    address = ", ".join(part for part in (party.address, f"{party.postcode} {party.city}") if part)
    return {"billing_name": party.name, "billing_address": address, "billing_siret": party.siret}


def create_order(code: ProductCode, description: str, excl_cents: int, actor: User, billing: dict,
                 **targets) -> Order:
    """An order of one line, its amounts computed here from the catalogue's VAT rate."""
    rate = product(code).vat_rate
    vat = vat_of(excl_cents, rate)
    order = Order(user_id=actor.id, product=code, total_excl_cents=excl_cents, vat_cents=vat,
                  total_incl_cents=excl_cents + vat, **billing, **targets)
    order.lines.append(OrderLine(description=description, quantity=1, unit_excl_cents=excl_cents, vat_rate=rate,
                                 total_excl_cents=excl_cents, vat_cents=vat, total_incl_cents=excl_cents + vat))
    db.session.add(order)
    db.session.flush()
    return order


def _claim_for_charge(order: Order) -> None:
    """Only one charge at a time per order: a double click or a concurrent request waits."""
    now = utcnow()
    claimed = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status.in_((OrderStatus.PENDING, OrderStatus.FAILED)),
                            or_(Order.charging_since.is_(None), Order.charging_since < now - CHARGE_TIMEOUT))
        .values(charging_since=now).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(order)
    if not claimed:
        if order.is_settled:
            raise Conflict("Cette commande est déjà payée.")
        raise Conflict("Un paiement est déjà en cours pour cette commande : patientez quelques secondes.")


def pay_order(order: Order, card: str, actor: User) -> dict:
    """Charge the card (a card id from Stripe.js) for the order. Returns what the page
    needs: {"status": "succeeded" | "requires_action", "client_secret": ...}. Nothing is
    granted here: the webhook fulfils the order."""
    if order.user_id != actor.id:
        raise NotAllowed("Cette commande n'est pas la vôtre.")
    if not (isinstance(card, str) and card.startswith(("card_", "pm_", "src_"))):
        raise DomainError("Carte invalide : saisissez-la à nouveau.", "card")
    if order.stripe_payment_intent_id:  # charged already: never charge twice
        intent = gateway.retrieve_payment_intent(order.stripe_payment_intent_id)
        if intent.status in ("succeeded", "processing", "requires_action"):
            if intent.status == "succeeded":
                apply_intent(intent)
                db.session.commit()
            return {"status": intent.status, "client_secret": intent.client_secret}
    _claim_for_charge(order)
    try:
        intent = gateway.create_payment_intent(order, card)
    except stripe.CardError as error:
        order.status, order.charging_since = OrderStatus.FAILED, None
        order.failure_message = DECLINE_MESSAGES.get(error.code or "", DEFAULT_DECLINE)
        db.session.commit()
        raise DomainError(order.failure_message, "card") from None
    except stripe.StripeError:
        log.exception("Stripe refused or failed the charge of order %s", order.id)
        order.charging_since = None
        db.session.commit()
        raise DomainError("Le service de paiement ne répond pas. Aucun montant n'a été débité : réessayez dans "
                          "un instant.", "card") from None
    # The webhook may have fulfilled the order while Stripe answered: never set a paid
    # order back to pending (a later sync would then number it a second time).
    db.session.execute(update(Order).where(Order.id == order.id).values(
        stripe_payment_intent_id=intent.id, charging_since=None).execution_options(synchronize_session=False))
    db.session.execute(update(Order).where(Order.id == order.id, Order.status.in_(OPEN_STATUSES)).values(
        status=OrderStatus.PENDING, failure_message=None).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(order)
    return {"status": intent.status, "client_secret": intent.client_secret}


def next_invoice_number(year: int) -> str:
    """The next number of the year, taken in the current transaction (gapless)."""
    if db.session.get(InvoiceCounter, year) is None:
        try:
            with db.session.begin_nested():
                db.session.add(InvoiceCounter(year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction created the year's row first
    number = db.session.execute(
        update(InvoiceCounter).where(InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + 1).returning(InvoiceCounter.last_number)).scalar_one()
    return f"F{year}-{number:06d}"


OPEN_STATUSES = (OrderStatus.PENDING, OrderStatus.FAILED)


def fulfil(order: Order) -> bool:
    """Mark an order paid, number its invoice and grant what it buys; once only, even
    when the webhook, the payment page and the periodic sync get there at the same time:
    the order is claimed by one conditional UPDATE (the row is locked until commit, so a
    second path finds it paid and does nothing)."""
    if order.is_settled:
        return False
    now = utcnow()
    claimed = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status.in_(OPEN_STATUSES))
        .values(status=OrderStatus.PAID, paid_at=now, failure_message=None)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.refresh(order)
        return False
    order.status, order.paid_at, order.failure_message = OrderStatus.PAID, now, None
    order.invoice_number = next_invoice_number(now.year)
    _grant(order)
    db.session.flush()
    from marketplace.payments import notifications

    notifications.receipt(order)
    return True


def _grant(order: Order) -> None:
    """What the order bought: a boost (payments.boosts), a fair ticket (events.fairs), each
    granted by its own area listening to order_paid."""
    hooks.order_paid.send(order)


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
        return order if fulfil(order) else None
    if intent["status"] in ("requires_payment_method", "canceled") and (intent.get("last_payment_error") or {}):
        fail(order, None)
        return order
    return None


def fail(order: Order, message: str | None) -> None:
    if order.status == OrderStatus.PENDING:
        order.status = OrderStatus.FAILED
        order.failure_message = message or DEFAULT_DECLINE


def refund_order(order: Order, cents: int | None, actor: User | None) -> Order:
    """Refund all of what is left (cents None) or part of it."""
    amount = order.refundable_cents if cents is None else cents
    if not order.is_settled or order.refundable_cents == 0:
        raise DomainError("Cette commande n'a rien à rembourser.")
    if not 0 < amount <= order.refundable_cents:
        raise DomainError(f"Le remboursement doit être compris entre 0,01 € et "
                          f"{order.refundable_cents / 100:.2f} €.".replace(".", ","), "amount")
    try:
        gateway.refund(order.stripe_payment_intent_id, amount, key=f"order-{order.id}-refund-{order.refunded_cents}")
    except stripe.StripeError:
        log.exception("Refund of order %s failed", order.id)
        raise DomainError("Le service de paiement a refusé le remboursement : réessayez plus tard.") from None
    order.refunded_cents += amount
    order.refunded_at = utcnow()
    record(AuditAction.ORDER_REFUNDED, actor.id if actor else None, f"order:{order.id}", f"{amount} centimes")
    order.status = OrderStatus.REFUNDED if order.refunded_cents == order.total_incl_cents \
        else OrderStatus.PARTLY_REFUNDED
    db.session.flush()
    return order


def ticket_order_of(participant) -> Order | None:
    """The latest order of a participant's fair ticket, whatever its status."""
    return db.session.scalar(select(Order).where(Order.participant_id == participant.id,
                                                 Order.product == ProductCode.FAIR_TICKET)
                             .order_by(Order.id.desc()).limit(1))
