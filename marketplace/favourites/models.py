"""Favourite lists and their suppliers."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


class FavouriteList(db.Model):
    __tablename__ = "favourite_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Shared lists are seen and filled by every member of the organisation.
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    items: Mapped[list["FavouriteItem"]] = relationship(
        back_populates="favourite_list", cascade="all, delete-orphan", order_by="FavouriteItem.added_at")


class FavouriteItem(db.Model):
    __tablename__ = "favourite_items"

    list_id: Mapped[int] = mapped_column(ForeignKey("favourite_lists.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True, index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    favourite_list: Mapped[FavouriteList] = relationship(back_populates="items")
    supplier: Mapped[Supplier] = relationship()
