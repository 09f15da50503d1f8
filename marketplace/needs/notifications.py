"""Emails about needs: to moderators, to the buyer, and to the suppliers told."""

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.needs import hooks
from marketplace.needs.digest import opt_out_token
from marketplace.needs.models import Need, NeedSupplier
from marketplace.organisations.services import active_members
from marketplace.outbox.services import external_url, queue_email


def buyers_of(need: Need) -> list[User]:
    """Who hears about a need on the buyer side: its author, or the organisation if the author left."""
    members = active_members(need.organisation)
    author = [member for member in members if member.id == need.author_id]
    return author or members


def _told(need: Need) -> list[NeedSupplier]:
    return list(db.session.scalars(select(NeedSupplier).where(
        NeedSupplier.need_id == need.id, NeedSupplier.told_at.is_not(None))))


def supplier_link(link: NeedSupplier) -> str:
    return external_url("needs.follow", token=link.token)


def tell_supplier(need: Need, link: NeedSupplier, reasons: list[str]) -> None:
    queue_email(link.supplier.email, "need_opportunity", "needs.opportunity", need=need, supplier=link.supplier,
                reasons=reasons, link=supplier_link(link),
                pixel=external_url("needs.pixel", token=link.token),
                unsubscribe=external_url("needs.unsubscribe_digest", token=opt_out_token(link.supplier_id)))


def remind_supplier(need: Need, link: NeedSupplier) -> None:
    queue_email(link.supplier.email, "need_reminder", "needs.reminder", need=need, supplier=link.supplier,
                link=supplier_link(link))


def notify_need_changed(need: Need, previous_deadline=None) -> None:
    """Tell the suppliers already told that the need changed (and how its deadline moved)."""
    moved = previous_deadline if previous_deadline != need.deadline else None
    for link in _told(need):
        queue_email(link.supplier.email, "need_changed", "needs.changed", need=need, supplier=link.supplier,
                    link=supplier_link(link), previous_deadline=moved)


def notify_cancelled(need: Need, reason: str | None) -> None:
    for link in _told(need):
        queue_email(link.supplier.email, "need_cancelled", "needs.cancelled", need=need, supplier=link.supplier,
                    reason=reason)


def notify_moderators(need: Need) -> None:
    link = external_url("needs.moderation")
    for admin in db.session.scalars(select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))):
        queue_email(admin.email, "need_submitted", "needs.submitted", need=need, recipient=admin, link=link)


def notify_published(need: Need) -> None:
    told = len(_told(need))
    for buyer in buyers_of(need):
        queue_email(buyer.email, "need_published", "needs.published", need=need, recipient=buyer, told=told,
                    link=external_url("needs.show", need_id=need.id))


def notify_rejected(need: Need) -> None:
    for buyer in buyers_of(need):
        queue_email(buyer.email, "need_rejected", "needs.rejected", need=need, recipient=buyer,
                    link=external_url("needs.edit", need_id=need.id))


def notify_closed(need: Need) -> None:
    for buyer in buyers_of(need):
        queue_email(buyer.email, "need_closed", "needs.closed", need=need, recipient=buyer,
                    offers=hooks.offers_count(need), link=external_url("offers.compare", need_id=need.id))
