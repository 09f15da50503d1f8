"""The receipt mail, with a link to the PDF invoice."""

from marketplace.outbox.services import external_url, queue_email


def receipt(order) -> None:
    queue_email(order.user.email, "payment_receipt", "payments.receipt", order=order,
                link=external_url("payments.receipt", order_id=order.id))
