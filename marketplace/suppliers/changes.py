"""The supplier change log behind the API's change feed: one row per creation, update,
delisting or relisting, in commit order as far as ids go (the feed waits a moment
before serving the newest rows, so that a transaction still committing is not skipped)."""

import enum
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


class ChangeKind(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELISTED = "delisted"
    RELISTED = "relisted"


class SupplierChange(db.Model):
    __tablename__ = "supplier_changes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    supplier: Mapped[Supplier] = relationship()


def record_change(supplier: Supplier, kind: ChangeKind) -> None:
    from marketplace.webhooks.services import supplier_changed

    db.session.add(SupplierChange(supplier_id=supplier.id, kind=kind.value))
    supplier_changed(supplier, kind.value)


def record_created(supplier_ids: list[int]) -> None:
    """Bulk loads (demo data) log their suppliers too."""
    now = utcnow()
    db.session.execute(SupplierChange.__table__.insert(), [
        {"supplier_id": i, "kind": ChangeKind.CREATED.value, "changed_at": now} for i in supplier_ids])


def changes_after(last_id: int, limit: int) -> list[SupplierChange]:
    lag = timedelta(seconds=current_app.config.get("API_FEED_LAG_SECONDS", 2))
    return list(db.session.scalars(select(SupplierChange).where(
        SupplierChange.id > last_id, SupplierChange.changed_at <= utcnow() - lag)
        .order_by(SupplierChange.id).limit(limit)))


class SupplierFieldEdit(db.Model):
    """When the supplier itself last edited a profile field: an import from another
    directory never overwrites a field the supplier edited more recently."""

    __tablename__ = "supplier_field_edits"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_own_edits(supplier: Supplier, fields: list[str]) -> None:
    now = utcnow()
    for field in fields:
        edit = db.session.get(SupplierFieldEdit, (supplier.id, field))
        if edit is None:
            db.session.add(SupplierFieldEdit(supplier_id=supplier.id, field=field, edited_at=now))
        else:
            edit.edited_at = now


def own_edits(supplier: Supplier) -> dict[str, datetime]:
    return {e.field: e.edited_at for e in db.session.scalars(select(SupplierFieldEdit).where(
        SupplierFieldEdit.supplier_id == supplier.id))}
