"""Suppliers, their activities (what, which kinds of service, where), references,
labels, networks, member accounts and consortium memberships."""

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.columns import enum_column
from marketplace.extensions import db
from marketplace.suppliers.taxonomy import Sector, ServiceKind, SupplierKind, service_kinds_of
from marketplace.timeutil import utcnow

FRANCE_WIDE = "*"  # the department code of a France-wide activity's reach


class GeoRange(enum.StrEnum):
    FRANCE = "france"
    RADIUS = "radius"
    ZONES = "zones"

    @property
    def label(self) -> str:
        return {"france": "Toute la France", "radius": "Autour de la structure", "zones": "Zones choisies"}[self.value]


class ZoneType(enum.StrEnum):
    REGION = "region"
    DEPARTMENT = "department"
    COMMUNE = "commune"


class MemberStatus(enum.StrEnum):
    PENDING = "pending"  # a claim or an invitation waiting for an answer
    ACTIVE = "active"
    REFUSED = "refused"


class Supplier(db.Model):
    __tablename__ = "suppliers"
    __table_args__ = (
        Index("ix_suppliers_location", "latitude", "longitude"),
        # Orders of the directory (completion, last update), read backwards with LIMIT.
        Index("ix_suppliers_completion", "completion", "id"),
        Index("ix_suppliers_updated", "updated_at", "id"),
        Index("ix_suppliers_listed", "is_listed"),  # counts the directory from the index alone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    kind: Mapped[SupplierKind] = mapped_column(enum_column(SupplierKind), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(120))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.insee_code"))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    website: Mapped[str | None] = mapped_column(String(255))
    logo_url: Mapped[str | None] = mapped_column(String(255))
    permanent_staff: Mapped[int | None] = mapped_column(Integer)
    insertion_staff: Mapped[int | None] = mapped_column(Integer)  # people in insertion or disability employment
    turnover_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Delisted suppliers disappear from the directory; nothing of theirs is deleted.
    is_listed: Mapped[bool] = mapped_column(default=True)
    completion: Mapped[int] = mapped_column(Integer, default=0)  # percent, see services
    # The weekly digest of matching needs; one click in any digest turns it off.
    digest_opt_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activities: Mapped[list["SupplierActivity"]] = relationship(
        back_populates="supplier", cascade="all, delete-orphan", order_by="SupplierActivity.id"
    )
    references: Mapped[list["SupplierReference"]] = relationship(
        back_populates="supplier", cascade="all, delete-orphan", order_by="SupplierReference.year.desc()"
    )
    label_rows: Mapped[list["SupplierLabel"]] = relationship(cascade="all, delete-orphan")
    network_rows: Mapped[list["SupplierNetwork"]] = relationship(cascade="all, delete-orphan")

    @property
    def labels(self) -> list[str]:
        return sorted(row.label for row in self.label_rows)

    @property
    def networks(self) -> list[str]:
        return sorted(row.network for row in self.network_rows)

    @property
    def display_name(self) -> str:
        return self.brand or self.name

    @property
    def is_consortium(self) -> bool:
        return self.kind == SupplierKind.CONSORTIUM

    def __repr__(self) -> str:
        return f"<Supplier {self.id} {self.name}>"


class SupplierLabel(db.Model):
    __tablename__ = "supplier_labels"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class SupplierNetwork(db.Model):
    __tablename__ = "supplier_networks"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    network: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class SupplierReference(db.Model):
    """A client reference: who the client was, what was done, when."""

    __tablename__ = "supplier_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    client: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[Supplier] = relationship(back_populates="references")


class MatchingCopy:
    """What matching and search by place need to know of the supplier, copied onto its
    activity rows by `reach.refresh_reach` whenever the supplier changes, so that they
    read one index and no supplier row: whether it is listed, whether it can be told
    (listed, with a contact email), its kind, its profile's completion (the order of
    France-wide needs and of the directory), and where it is (the order around a
    commune; "within N km" by sector)."""

    supplier_listed: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    supplier_contactable: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    supplier_kind: Mapped[SupplierKind | None] = mapped_column(enum_column(SupplierKind))
    supplier_completion: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


MATCHING_COPY = ("supplier_contactable", "supplier_kind", "supplier_completion", "supplier_listed")


class SupplierActivity(MatchingCopy, db.Model):
    """One sector, the kinds of service in it, and where the supplier does it."""

    __tablename__ = "supplier_activities"
    __table_args__ = (
        # Matching a France-wide need, and a search by sector alone, read this index alone.
        Index("ix_supplier_activities_matching", "sector_id", "supplier_id", "service_kinds", *MATCHING_COPY),
        # "Within N km of a commune" by sector: the sector's suppliers in the box, from the index alone.
        Index("ix_supplier_activities_place", "sector_id", "latitude", "longitude", "supplier_id", "service_kinds",
              *MATCHING_COPY),
        # A sector's suppliers, most complete first: walked in order, stopping at the page's end.
        Index("ix_supplier_activities_order", "sector_id", "supplier_completion", "supplier_id", "supplier_listed",
              "supplier_kind", "service_kinds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    service_kinds: Mapped[int] = mapped_column(Integer)  # ServiceKind bits
    geo_range: Mapped[GeoRange] = mapped_column(enum_column(GeoRange))
    radius_km: Mapped[int | None] = mapped_column(Integer)

    supplier: Mapped[Supplier] = relationship(back_populates="activities")
    sector: Mapped[Sector] = relationship()
    zones: Mapped[list["ActivityZone"]] = relationship(cascade="all, delete-orphan", order_by="ActivityZone.id")

    @property
    def kinds_of_service(self) -> list[ServiceKind]:
        return service_kinds_of(self.service_kinds)


class ActivityZone(db.Model):
    __tablename__ = "activity_zones"
    __table_args__ = (
        Index("ix_activity_zones_place", "zone_type", "code"),
        # Covering: "does this activity have a zone there?" reads the index alone.
        Index("ix_activity_zones_activity", "activity_id", "zone_type", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("supplier_activities.id"))
    zone_type: Mapped[ZoneType] = mapped_column(enum_column(ZoneType))
    code: Mapped[str] = mapped_column(String(5))


class ActivityReach(MatchingCopy, db.Model):
    """The departments an activity reaches ('*' for France-wide), derived from its
    range by the services whenever the activity or the supplier's place changes. It
    lets a search by place and sector read one index instead of computing ranges."""

    __tablename__ = "activity_reach"
    __table_args__ = (
        # Covering: matching and search by place test the range from the index alone.
        Index("ix_activity_reach_lookup", "department_code", "sector_id", "supplier_id", "geo_range", "service_kinds",
              "radius_km", "latitude", "longitude", "activity_id", "whole_department", *MATCHING_COPY),
        # For "has this (text-matched) supplier an activity reaching there?".
        Index("ix_activity_reach_supplier", "supplier_id", "department_code", "sector_id"),
    )

    activity_id: Mapped[int] = mapped_column(ForeignKey("supplier_activities.id"), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    # It serves all of the department (France-wide, a department or region zone), not
    # just part of it (a radius, a commune zone): no finer check against a place.
    whole_department: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"))
    service_kinds: Mapped[int] = mapped_column(Integer)
    # The activity's range (and, from MatchingCopy, the supplier's place), copied here
    # so that "does it serve this commune?" reads these rows alone.
    geo_range: Mapped[GeoRange] = mapped_column(enum_column(GeoRange))
    radius_km: Mapped[int | None] = mapped_column(Integer)


class SupplierMember(db.Model):
    """A user acting for a supplier: its creator, an approved claim, or a pending claim."""

    __tablename__ = "supplier_members"
    __table_args__ = (UniqueConstraint("supplier_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    supplier: Mapped[Supplier] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ConsortiumMembership(db.Model):
    """A supplier's membership of a consortium (groupement), by invitation and acceptance."""

    __tablename__ = "consortium_memberships"
    __table_args__ = (
        UniqueConstraint("consortium_id", "member_id"),
        # One lead member, the single point of contact.
        Index("uq_consortium_memberships_one_lead", "consortium_id", unique=True,
              sqlite_where=text("is_lead"), postgresql_where=text("is_lead")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus))
    is_lead: Mapped[bool] = mapped_column(default=False)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    consortium: Mapped[Supplier] = relationship(foreign_keys=[consortium_id])
    member: Mapped[Supplier] = relationship(foreign_keys=[member_id])


class SupplierSearchDocument(db.Model):
    """The text a listed supplier is found by, folded and stemmed (see suppliers.search_text),
    and its facets: one token per department its activities reach (`d13`, `dall` for
    France-wide), so that words and place are matched together by the index.

    SQLite indexes it in the FTS5 table `supplier_fts`; PostgreSQL in GIN indexes on its
    tsvectors, plus a trigram index on the name for typos (migration 0002)."""

    __tablename__ = "supplier_search_documents"

    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    # Relevance order among equal matches (search_index.sort_key); the FTS5 rowid on SQLite.
    sort_key: Mapped[int] = mapped_column(BigInteger, unique=True)
    name_text: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    facets: Mapped[str] = mapped_column(Text, default="")
    # PostgreSQL keeps the tsvectors stored (ranking must not re-parse every matching
    # document); on SQLite these stay empty, FTS5 holds its own index.
    text_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    facets_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    name_vector: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
