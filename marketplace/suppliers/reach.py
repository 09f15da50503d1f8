"""Where an activity reaches, as departments ('*' for France-wide), the supplier's
state copied for matching, and the search document of a supplier. All are derived
data, refreshed by the services."""

import threading
from functools import lru_cache

from sqlalchemy import delete, select, update

from marketplace.extensions import db
from marketplace.geography.models import Commune, Department
from marketplace.geography.services import distance_km
from marketplace.suppliers import search_index
from marketplace.suppliers.models import (
    FRANCE_WIDE,
    ActivityReach,
    GeoRange,
    Supplier,
    SupplierActivity,
    ZoneType,
)
from marketplace.suppliers.search_text import document
from marketplace.suppliers.taxonomy import LABELS, NETWORKS

CELL_LAT, CELL_LON = 0.2, 0.3  # degrees: about 22 km x 23 km in metropolitan France
CELL_SLACK_KM = 16  # from a cell's centre to its corners

_geometry: dict | None = None
_geometry_lock = threading.Lock()


def department_geometry() -> dict[str, tuple[float, float, float, list[tuple[float, float]]]]:
    """Per department: centre, distance to its farthest commune, and the centres of the
    grid cells holding its communes (a cheap, slightly generous outline)."""
    global _geometry
    with _geometry_lock:
        if _geometry is None:
            points: dict[str, list[tuple[float, float]]] = {}
            for code, lat, lon in db.session.execute(
                select(Commune.department_code, Commune.latitude, Commune.longitude)
            ):
                points.setdefault(code, []).append((lat, lon))
            geometry = {}
            for code, coords in points.items():
                lat = sum(p[0] for p in coords) / len(coords)
                lon = sum(p[1] for p in coords) / len(coords)
                cells = {(round(a / CELL_LAT), round(b / CELL_LON)) for a, b in coords}
                geometry[code] = (lat, lon, max(distance_km(lat, lon, a, b) for a, b in coords),
                                  [(i * CELL_LAT, j * CELL_LON) for i, j in cells])
            _geometry = geometry
        return _geometry


@lru_cache(maxsize=100_000)
def departments_within(latitude: float, longitude: float, radius_km: int) -> frozenset[str]:
    """Departments with a commune (to within a grid cell) less than `radius_km` away."""
    reached = set()
    for code, (lat, lon, extent, cells) in department_geometry().items():
        if distance_km(latitude, longitude, lat, lon) - extent > radius_km:
            continue
        if any(distance_km(latitude, longitude, a, b) <= radius_km + CELL_SLACK_KM for a, b in cells):
            reached.add(code)
    return frozenset(reached)


def department_reach(activity: SupplierActivity, supplier: Supplier) -> dict[str, bool]:
    """The departments an activity reaches ('*' for France-wide), each with whether it
    serves the whole of it (France-wide, a department or a region zone) or only part of
    it (a radius, a commune zone): only a part calls for a finer check against a place."""
    if activity.geo_range == GeoRange.FRANCE:
        return {FRANCE_WIDE: True}
    if activity.geo_range == GeoRange.RADIUS:
        reached = {supplier.department_code} if supplier.department_code else set()
        if supplier.latitude is not None:
            reached |= departments_within(supplier.latitude, supplier.longitude, activity.radius_km or 0)
        return dict.fromkeys(reached, False)
    reach: dict[str, bool] = {}
    for zone in activity.zones:
        if zone.zone_type == ZoneType.DEPARTMENT:
            reach[zone.code] = True
        elif zone.zone_type == ZoneType.REGION:
            reach.update(dict.fromkeys(db.session.scalars(
                select(Department.code).where(Department.region_code == zone.code)), True))
        else:
            commune = db.session.get(Commune, zone.code)
            if commune is not None:
                reach.setdefault(commune.department_code, False)
    return reach


def reached_departments(activity: SupplierActivity, supplier: Supplier) -> set[str]:
    return set(department_reach(activity, supplier))


def matching_copy(supplier: Supplier) -> dict:
    """The supplier's state that matching and search read from its activity rows (models.MatchingCopy)."""
    return {"supplier_listed": bool(supplier.is_listed),
            "supplier_contactable": bool(supplier.is_listed and supplier.email), "supplier_kind": supplier.kind,
            "supplier_completion": supplier.completion or 0, "latitude": supplier.latitude,
            "longitude": supplier.longitude}


def refresh_reach(supplier: Supplier) -> None:
    """Rewrite the reach rows of every activity of the supplier, and the supplier's
    state copied on its activities; after any change to the supplier or its activities."""
    db.session.flush()
    copy = matching_copy(supplier)
    db.session.execute(update(SupplierActivity).where(SupplierActivity.supplier_id == supplier.id).values(**copy))
    db.session.execute(delete(ActivityReach).where(ActivityReach.supplier_id == supplier.id))
    rows = [
        {"activity_id": activity.id, "department_code": code, "whole_department": whole, "supplier_id": supplier.id,
         "sector_id": activity.sector_id, "service_kinds": activity.service_kinds, "geo_range": activity.geo_range,
         "radius_km": activity.radius_km, **copy}
        for activity in supplier.activities
        for code, whole in sorted(department_reach(activity, supplier).items())
    ]
    if rows:
        db.session.execute(ActivityReach.__table__.insert(), rows)


def search_texts_of(name: str, brand: str | None, description: str | None, city: str | None,
                    legal_form: str | None, sector_names: list[str], references: list[tuple[str, str]],
                    labels: list[str], networks: list[str]) -> tuple[str, str]:
    """The (name, body) texts of a search document: what a supplier is found by."""
    body = [description, city, legal_form, *sector_names]
    body += [f"{client} {what}" for client, what in references]
    body += [LABELS.get(label, label) for label in labels] + [NETWORKS.get(n, n) for n in networks]
    return document(name, brand), document(*body)


def search_texts(supplier: Supplier) -> tuple[str, str]:
    return search_texts_of(
        supplier.name, supplier.brand, supplier.description, supplier.city, supplier.legal_form,
        [a.sector.name for a in supplier.activities if a.sector is not None],
        [(r.client, r.description) for r in supplier.references], supplier.labels, supplier.networks)


def refresh_search_document(supplier: Supplier) -> None:
    """Index a listed supplier; a delisted one leaves the index (so text search needs no join)."""
    db.session.flush()
    if not supplier.is_listed:
        search_index.delete_document(supplier.id)
        return
    name_text, body_text = search_texts(supplier)
    departments = db.session.scalars(select(ActivityReach.department_code).distinct()
                                     .where(ActivityReach.supplier_id == supplier.id))
    facets = " ".join(sorted(search_index.department_token(code) for code in departments))
    search_index.write_document(supplier.id, supplier.completion, name_text, body_text, facets)
