"""Where an activity reaches, as departments ('*' for France-wide), and the search
document of a supplier. Both are derived data, refreshed by the services."""

import math
import threading

from sqlalchemy import delete, select

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

_extents: dict[str, tuple[float, float, float]] | None = None
_extents_lock = threading.Lock()


def department_extents() -> dict[str, tuple[float, float, float]]:
    """Per department: centre latitude, longitude, and the distance to its farthest commune."""
    global _extents
    with _extents_lock:
        if _extents is None:
            points: dict[str, list[tuple[float, float]]] = {}
            for code, lat, lon in db.session.execute(
                select(Commune.department_code, Commune.latitude, Commune.longitude)
            ):
                points.setdefault(code, []).append((lat, lon))
            extents = {}
            for code, coords in points.items():
                lat = sum(p[0] for p in coords) / len(coords)
                lon = sum(p[1] for p in coords) / len(coords)
                extents[code] = (lat, lon, max(distance_km(lat, lon, a, b) for a, b in coords))
            _extents = extents
        return _extents


def reached_departments(activity: SupplierActivity, supplier: Supplier) -> set[str]:
    if activity.geo_range == GeoRange.FRANCE:
        return {FRANCE_WIDE}
    if activity.geo_range == GeoRange.RADIUS:
        if supplier.latitude is None:
            return {supplier.department_code} if supplier.department_code else set()
        reached = {supplier.department_code} if supplier.department_code else set()
        radius = activity.radius_km or 0
        for code, (lat, lon, extent) in department_extents().items():
            if distance_km(supplier.latitude, supplier.longitude, lat, lon) - extent <= radius:
                reached.add(code)
        return reached
    reached = set()
    for zone in activity.zones:
        if zone.zone_type == ZoneType.DEPARTMENT:
            reached.add(zone.code)
        elif zone.zone_type == ZoneType.REGION:
            reached.update(db.session.scalars(select(Department.code).where(Department.region_code == zone.code)))
        else:
            commune = db.session.get(Commune, zone.code)
            if commune is not None:
                reached.add(commune.department_code)
    return reached


def refresh_reach(supplier: Supplier) -> None:
    """Rewrite the reach rows of every activity of the supplier."""
    db.session.flush()
    db.session.execute(delete(ActivityReach).where(ActivityReach.supplier_id == supplier.id))
    rows = [
        {"activity_id": activity.id, "department_code": code, "supplier_id": supplier.id,
         "sector_id": activity.sector_id, "service_kinds": activity.service_kinds}
        for activity in supplier.activities
        for code in sorted(reached_departments(activity, supplier))
    ]
    if rows:
        db.session.execute(ActivityReach.__table__.insert(), rows)


def search_texts(supplier: Supplier) -> tuple[str, str]:
    """The (name, body) texts of a supplier's search document."""
    body = [supplier.description, supplier.city, supplier.legal_form]
    body += [a.sector.name for a in supplier.activities if a.sector is not None]
    body += [f"{r.client} {r.description}" for r in supplier.references]
    body += [LABELS.get(label, label) for label in supplier.labels]
    body += [NETWORKS.get(network, network) for network in supplier.networks]
    return document(supplier.name, supplier.brand), document(*body)


def refresh_search_document(supplier: Supplier) -> None:
    db.session.flush()
    name_text, body_text = search_texts(supplier)
    search_index.write_document(supplier.id, name_text, body_text)


def approximate_km_per_degree(latitude: float) -> tuple[float, float]:
    """Kilometres per degree of latitude and of longitude around `latitude`."""
    return 111.195, 111.195 * math.cos(math.radians(latitude))
