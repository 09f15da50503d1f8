"""Telling suppliers about a need: the stored matches, batches, reminders, direct
requests, and the tracking of each step (email opened, page viewed).

On publication every matching supplier gets a NeedSupplier row; the first batch (the
best placed first) is told at once. Later batches go out every
NEED_BATCH_INTERVAL_HOURS while fewer than NEED_INTEREST_TARGET suppliers are
interested, so that a need with plenty of answers does not flood the directory.
"""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select

from marketplace.extensions import db
from marketplace.needs import matching, notifications
from marketplace.needs.models import Need, NeedSource, NeedStatus, NeedSupplier
from marketplace.suppliers import hooks as suppliers_hooks
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


def new_token() -> str:
    return secrets.token_urlsafe(32)


def store_matches(need: Need, among: list[int] | None = None) -> int:
    """Add a row for every matching supplier (of `among`, if given) the need does not
    concern yet; returns how many."""
    known_query = select(NeedSupplier.supplier_id).where(NeedSupplier.need_id == need.id)
    if among is not None:
        known_query = known_query.where(NeedSupplier.supplier_id.in_(among))
    known = set(db.session.scalars(known_query))
    featured = suppliers_hooks.boosted_ids()  # boosted suppliers are told in the first batch
    rows = [{"need_id": need.id, "supplier_id": supplier_id, "source": NeedSource.MATCHED,
             "rank": -1 if supplier_id in featured else rank, "token": new_token()}
            for supplier_id, rank in matching.matching_suppliers(need, among) if supplier_id not in known]
    for start in range(0, len(rows), 5000):
        db.session.execute(NeedSupplier.__table__.insert(), rows[start:start + 5000])
    return len(rows)


CHANGES_PER_RUN = 2000


def match_changed_suppliers() -> int:
    """Suppliers listed or changed since a need was published take their place in its
    queue like the others (and are told with its next batch): each open need is matched
    against the suppliers changed since the last run. Returns how many rows were added."""
    from marketplace.suppliers.changes import mark_matched, unmatched_changes

    changes = unmatched_changes(CHANGES_PER_RUN)
    if not changes:
        return 0
    supplier_ids = sorted({supplier_id for _, supplier_id in changes})
    added = 0
    open_needs = list(db.session.scalars(
        select(Need).where(Need.status == NeedStatus.PUBLISHED, Need.deadline > utcnow())))
    for need in open_needs:
        added += store_matches(need, among=supplier_ids)
    mark_matched([change_id for change_id, _ in changes])
    db.session.flush()
    return added


def tell_next_batch(need: Need, size: int | None = None) -> int:
    """Tell the next batch of matched suppliers (the lowest ranks); returns how many."""
    size = size or current_app.config["NEED_BATCH_SIZE"]
    waiting = list(db.session.scalars(
        select(NeedSupplier).where(NeedSupplier.need_id == need.id, NeedSupplier.told_at.is_(None))
        .order_by(NeedSupplier.rank, NeedSupplier.id).limit(size)))
    now = utcnow()
    need.last_batch_at = now
    if not waiting:
        return 0
    batch = (db.session.scalar(select(func.max(NeedSupplier.batch)).where(NeedSupplier.need_id == need.id)) or 0) + 1
    place = matching.place_of(need)
    for link in waiting:
        link.told_at, link.batch = now, batch
        notifications.tell_supplier(need, link, matching.explain(need, link.supplier, place).reasons)
    db.session.flush()
    return len(waiting)


def interested_count(need: Need) -> int:
    return db.session.scalar(select(func.count()).select_from(NeedSupplier).where(
        NeedSupplier.need_id == need.id,
        or_(NeedSupplier.interested_at.is_not(None), NeedSupplier.offer_submitted_at.is_not(None)))) or 0


def send_due_batches() -> int:
    """Tell another batch for every open need that is due one and has too few interested
    suppliers; returns how many suppliers were told."""
    config = current_app.config
    now = utcnow()
    due = db.session.scalars(select(Need).where(
        Need.status == NeedStatus.PUBLISHED, Need.deadline > now,
        Need.last_batch_at <= now - timedelta(hours=config["NEED_BATCH_INTERVAL_HOURS"]),
        select(NeedSupplier.id).where(NeedSupplier.need_id == Need.id, NeedSupplier.told_at.is_(None)).exists()))
    told = 0
    for need in due:
        if interested_count(need) < config["NEED_INTEREST_TARGET"]:
            told += tell_next_batch(need)
        else:
            need.last_batch_at = now
    db.session.flush()
    return told


def send_reminders() -> int:
    """Remind told suppliers who have not looked at a need whose deadline is near."""
    now = utcnow()
    horizon = now + timedelta(days=current_app.config["NEED_REMINDER_DAYS"])
    links = list(db.session.scalars(
        select(NeedSupplier).join(Need, Need.id == NeedSupplier.need_id).where(
            Need.status == NeedStatus.PUBLISHED, Need.deadline > now, Need.deadline <= horizon,
            NeedSupplier.told_at.is_not(None), NeedSupplier.viewed_at.is_(None),
            NeedSupplier.reminded_at.is_(None), NeedSupplier.not_interested_at.is_(None))))
    for link in links:
        link.reminded_at = now
        notifications.remind_supplier(link.need, link)
    db.session.flush()
    return len(links)


def link_between(need: Need, supplier: Supplier) -> NeedSupplier | None:
    """The supplier's link to the need, told or not yet."""
    return db.session.scalar(select(NeedSupplier).where(NeedSupplier.need_id == need.id,
                                                        NeedSupplier.supplier_id == supplier.id))


def told_link(need: Need, supplier: Supplier) -> NeedSupplier | None:
    """The supplier's link to the need, if it was told."""
    link = link_between(need, supplier)
    return link if link is not None and link.told_at is not None else None


def _link(need: Need, supplier: Supplier, source: NeedSource) -> NeedSupplier:
    link = link_between(need, supplier)
    if link is None:
        link = NeedSupplier(need_id=need.id, supplier_id=supplier.id, supplier=supplier, source=source, rank=0,
                            token=new_token())
        db.session.add(link)
    return link


def tell_directly(need: Need, suppliers: list[Supplier]) -> int:
    """Tell chosen suppliers at once (a direct quote request), whatever the matching says."""
    now = utcnow()
    told = 0
    for supplier in suppliers:
        link = _link(need, supplier, NeedSource.DIRECT)
        if link.told_at is None and supplier.email:
            link.told_at, link.batch = now, 0
            notifications.tell_supplier(need, link, ["sollicitée directement par l'acheteur"])
            told += 1
    need.last_batch_at = now
    db.session.flush()
    return told


def link_for(need: Need, supplier: Supplier, source: NeedSource) -> NeedSupplier:
    """The supplier's link to the need, created (as told) when it comes by itself:
    a public need, or a consortium answering for a member that was told."""
    link = _link(need, supplier, source)
    link.told_at = link.told_at or utcnow()
    db.session.flush()
    return link


def record_email_opened(token: str) -> None:
    link = link_by_token(token)
    if link is not None and link.email_opened_at is None:
        link.email_opened_at = utcnow()


def record_view(link: NeedSupplier, from_email: bool = False) -> None:
    now = utcnow()
    link.viewed_at = link.viewed_at or now
    if from_email:  # a click in the mail proves it was read, images shown or not
        link.email_opened_at = link.email_opened_at or now


def link_by_token(token: str) -> NeedSupplier | None:
    return db.session.scalar(select(NeedSupplier).where(NeedSupplier.token == token))
