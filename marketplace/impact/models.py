"""The purchase ledger (a buyer's purchases, imported from its accounting, each matched
to the directory), the buyer's OETH inputs, and the contracts EA and ESAT declare for
their clients' attestations."""

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow


class MatchKind(enum.StrEnum):
    SIRET = "siret"  # the establishment itself is in the directory
    SIREN = "siren"  # another establishment of the same company is
    NOT_LISTED = "not_listed"  # a valid identifier the directory does not hold
    UNKNOWN = "unknown"  # no identifier: nothing to match on


class ImportStatus(enum.StrEnum):
    DRAFT = "draft"  # uploaded, columns being mapped
    DONE = "done"


class PurchaseImport(db.Model):
    """One file of purchases, from its upload (kept while its columns are mapped) to its import."""

    __tablename__ = "purchase_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # dropped once imported
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus), default=ImportStatus.DRAFT)
    mapping: Mapped[str | None] = mapped_column(Text)  # JSON: field -> column header
    lines_added: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime | None]


class PurchaseLine(db.Model):
    """One purchase: who was paid, how much before VAT, when, for what."""

    __tablename__ = "purchase_lines"
    __table_args__ = (
        UniqueConstraint("organisation_id", "fingerprint"),
        Index("ix_purchase_lines_organisation_year", "organisation_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_imports.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    purchased_on: Mapped[date]
    supplier_siret: Mapped[str | None] = mapped_column(String(14))
    supplier_siren: Mapped[str | None] = mapped_column(String(9))
    supplier_name: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # before VAT; a credit note is negative
    category: Mapped[str] = mapped_column(String(120), default="")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    match: Mapped[MatchKind] = mapped_column(enum_column(MatchKind))
    # The same purchase imported again (the same file, or an overlapping export) adds nothing.
    fingerprint: Mapped[str] = mapped_column(String(64))

    supplier: Mapped[Supplier | None] = relationship()


class OethInputs(db.Model):
    """What the OETH estimate needs from the buyer for a year: its gross contribution
    (before deductions) and its direct employment rate of disabled workers."""

    __tablename__ = "oeth_inputs"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("buyer_organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    gross_contribution_cents: Mapped[int | None] = mapped_column(BigInteger)
    direct_rate: Mapped[int | None]  # basis points: 320 = 3,2 %
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContractDeclaration(db.Model):
    """A contract an EA or ESAT declares for a client and a year: its price before VAT
    and the costs the law takes out (materials, products, subcontracting, intermediate
    consumption, sales costs). The client's yearly attestation is drawn from them."""

    __tablename__ = "oeth_declarations"
    __table_args__ = (UniqueConstraint("supplier_id", "year", "client_siret", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    client_siret: Mapped[str] = mapped_column(String(14), index=True)
    client_name: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(120))  # the contract's or order's reference
    price_cents: Mapped[int] = mapped_column(BigInteger)
    excluded_costs_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    supplier: Mapped[Supplier] = relationship()
