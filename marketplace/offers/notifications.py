"""Emails about offers: to the buyer when one arrives, to each supplier with the outcome."""

from marketplace.needs.notifications import buyers_of
from marketplace.offers.models import Offer
from marketplace.outbox.services import external_url, queue_email
from marketplace.suppliers.services import active_members


def supplier_addresses(supplier) -> list[str]:
    """Where a supplier hears from the platform: its people, else its contact address."""
    addresses = [user.email for user in active_members(supplier)]
    return addresses or ([supplier.email] if supplier.email else [])


def notify_offer_received(offer: Offer, first_time: bool) -> None:
    link = external_url("offers.compare", need_id=offer.need_id)
    for buyer in buyers_of(offer.need):
        queue_email(buyer.email, "offer_received", "offers.received", offer=offer, recipient=buyer,
                    first_time=first_time, link=link)


def notify_outcome(need, offers: list[Offer]) -> None:
    supplier = offers[0].supplier
    link = external_url("needs.show", need_id=need.id)
    for address in supplier_addresses(supplier):
        queue_email(address, "offer_outcome", "offers.outcome", need=need, supplier=supplier, offers=offers,
                    link=link)
