"""Message threads: one per (need, supplier), between the buyer's organisation and the
supplier's people. Each message is mailed to the other side."""

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.messaging import notifications
from marketplace.messaging.models import Message
from marketplace.needs import hooks as needs_hooks
from marketplace.needs.models import Need
from marketplace.needs.outreach import told_link
from marketplace.needs.services import is_buyer_of
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.services import is_member


def side_of(need: Need, supplier: Supplier, actor: User) -> str:
    """'buyer' or 'supplier': the side the actor writes from; NotFound if neither."""
    if told_link(need, supplier) is not None:
        if is_buyer_of(need, actor):
            return "buyer"
        if actor.is_authenticated and is_member(actor, supplier):
            return "supplier"
    raise NotFound("Cette conversation n'existe pas.")


def thread(need: Need, supplier: Supplier, actor: User) -> list[Message]:
    side_of(need, supplier, actor)
    return list(db.session.scalars(select(Message).where(Message.need_id == need.id,
                                                         Message.supplier_id == supplier.id)
                                   .order_by(Message.created_at, Message.id)))


def post_message(need: Need, supplier: Supplier, body: str, actor: User) -> Message:
    side = side_of(need, supplier, actor)
    message = Message(need_id=need.id, supplier_id=supplier.id, author_id=actor.id, author=actor,
                      from_buyer=side == "buyer", body=body)
    db.session.add(message)
    db.session.flush()
    notifications.notify_message(need, supplier, message)
    return message


@needs_hooks.threads_of_need.answer
def threads_of_need(need: Need) -> dict[int, int]:
    """Message counts per supplier on a need (for the buyer's overview)."""
    return dict(db.session.execute(select(Message.supplier_id, func.count()).where(Message.need_id == need.id)
                                   .group_by(Message.supplier_id)).all())
