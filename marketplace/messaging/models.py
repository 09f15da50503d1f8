"""Messages between a buyer organisation and a supplier about one need."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.timeutil import utcnow


class Message(db.Model):
    """One message of the thread (need, supplier)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "need_id", "supplier_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_buyer: Mapped[bool]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
