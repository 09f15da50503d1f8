"""An email to the other side for every message."""

from marketplace.messaging.models import Message
from marketplace.needs.notifications import buyers_of
from marketplace.offers.notifications import supplier_addresses
from marketplace.outbox.services import external_url, queue_email


def notify_message(need, supplier, message: Message) -> None:
    link = external_url("messaging.thread", need_id=need.id, supplier_id=supplier.id)
    if message.from_buyer:
        recipients = supplier_addresses(supplier)
    else:
        recipients = [buyer.email for buyer in buyers_of(need)]
    for address in recipients:
        queue_email(address, "new_message", "messaging.message", need=need, supplier=supplier, message=message,
                    link=link)
