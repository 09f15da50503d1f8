"""The supplier change log behind the API's change feed: one row per creation, update,
delisting or relisting, in commit order as far as ids go (the feed waits a moment
before serving the newest rows, so that a transaction still committing is not skipped)."""

import enum
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import BigInteger, ForeignKey, Index, String, select, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.suppliers import hooks
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


class ChangeKind(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELISTED = "delisted"
    RELISTED = "relisted"


class SupplierChange(db.Model):
    __tablename__ = "supplier_changes"
    __table_args__ = (Index("ix_supplier_changes_unmatched", "id", postgresql_where=text("matched_at IS NULL"),
                            sqlite_where=text("matched_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When open needs were matched against the supplier as it now is (needs.outreach).
    matched_at: Mapped[datetime | None]

    supplier: Mapped[Supplier] = relationship()


def record_change(supplier: Supplier, kind: ChangeKind) -> None:
    db.session.add(SupplierChange(supplier_id=supplier.id, kind=kind.value))
    hooks.supplier_changed.send(supplier, change=kind.value)


def record_created(supplier_ids: list[int], matched: bool = True) -> None:
    """Bulk loads (demo data) log their suppliers too; `matched`: the loader matches its
    needs itself, so the open needs need not be matched against these again."""
    now = utcnow()
    db.session.execute(SupplierChange.__table__.insert(), [
        {"supplier_id": i, "kind": ChangeKind.CREATED.value, "changed_at": now, "matched_at": now if matched else None}
        for i in supplier_ids])


def unmatched_changes(limit: int) -> list[tuple[int, int]]:
    """(change id, supplier id) of the oldest changes that open needs were not yet
    matched against."""
    return list(db.session.execute(select(SupplierChange.id, SupplierChange.supplier_id).where(
        SupplierChange.matched_at.is_(None)).order_by(SupplierChange.id).limit(limit)).all())


def mark_matched(change_ids: list[int]) -> None:
    db.session.execute(update(SupplierChange).where(SupplierChange.id.in_(change_ids)).values(matched_at=utcnow()))


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
