"""Visibility boosts: bought for 30 days, stacked in time (a new boost starts when the
last one ends), never in rank: a boosted supplier is featured only among the results
it matches anyway."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.payments import gateway, hooks, services
from marketplace.payments.models import Boost, Order, ProductCode
from marketplace.suppliers import hooks as suppliers_hooks
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow

BOOST_DAYS = 30


@suppliers_hooks.boosted_ids.answer
def boosted_ids(now: datetime | None = None) -> set[int]:
    """The suppliers featured right now."""
    now = now or utcnow()
    return set(db.session.scalars(select(Boost.supplier_id).where(Boost.starts_at <= now, Boost.ends_at > now)))


def boosted_until(supplier: Supplier) -> datetime | None:
    end = db.session.scalar(select(func.max(Boost.ends_at)).where(Boost.supplier_id == supplier.id))
    return end if end is not None and end > utcnow() else None


@suppliers_hooks.boost_panel.answer
def boost_panel(supplier: Supplier) -> dict:
    """Until when the supplier is boosted, and the price of a boost when payments are on."""
    return {"boosted_until": boosted_until(supplier),
            "price": services.product(ProductCode.BOOST) if gateway.payments_enabled() else None}


def buy_boost(supplier: Supplier, actor: User) -> Order:
    from marketplace.suppliers.services import ensure_can_edit

    ensure_can_edit(supplier, actor)
    if not gateway.payments_enabled():
        raise DomainError("La mise en avant n'est pas proposée sur cette plateforme.")
    price = services.product(ProductCode.BOOST)
    return services.create_order(ProductCode.BOOST, f"{price.name} — {supplier.display_name}", price.amount_cents,
                                 actor, services.billing_of(supplier), supplier_id=supplier.id)


@hooks.order_paid.connect
def grant_boost(order: Order) -> Boost | None:
    """30 days from now, or from the end of the boost already bought."""
    if order.product != ProductCode.BOOST or not order.supplier_id:
        return None
    start = max(utcnow(), db.session.scalar(select(func.max(Boost.ends_at)).where(
        Boost.supplier_id == order.supplier_id)) or utcnow())
    boost = Boost(supplier_id=order.supplier_id, order_id=order.id, starts_at=start,
                  ends_at=start + timedelta(days=BOOST_DAYS))
    db.session.add(boost)
    return boost
