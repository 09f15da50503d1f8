"""The matching rule: which suppliers a need concerns, and why.

A supplier matches a need when one of its activities fits:
- its sector is among the need's sectors (the need's own and its lots');
- it covers one of the need's kinds of service, when the need names any;
- its geography fits the need's place (below);
and the supplier's kind is among those wanted (when the need names any), the supplier
is listed, and it has a contact email.

Geography. A France-wide need fits every activity, wherever it is done. Otherwise the
need's place stands for a set of departments: the ones it names (a region names all of
its own), or, for a commune and a radius, the departments that disc touches. An
activity's reach is the set of departments it serves (`reach.reached_departments`,
'*' for France-wide). The activity fits when its reach meets the need's departments
and, for a commune need, the activity really reaches the disc:
- France-wide activity: always;
- radius activity: supplier-to-commune distance <= activity radius + need radius;
- zones: a commune zone inside the disc, a department zone among the disc's
  departments, or a region zone holding one of them.

`explain` applies the rule in Python to one supplier and says why, activity by
activity; `matching_suppliers` applies the same rule in SQL to the whole directory,
reading only activity rows (or their reach rows), where the supplier's state is
copied (suppliers.models.MatchingCopy) and each reach row says whether it covers its
whole department. Tests hold the two to the same answers.
"""

import math
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, and_, exists, func, literal, or_, select

from marketplace.extensions import db
from marketplace.geography import names
from marketplace.geography.models import Commune, Department
from marketplace.geography.services import squared_km
from marketplace.needs.models import Need, NeedArea
from marketplace.suppliers.models import (
    FRANCE_WIDE,
    ActivityReach,
    ActivityZone,
    GeoRange,
    Supplier,
    SupplierActivity,
    ZoneType,
)
from marketplace.suppliers.reach import departments_within, reached_departments

FAR = 10**9  # the rank of a supplier with no known place


@dataclass(frozen=True)
class NeedPlace:
    """A need's geography, resolved once: its departments and, for a commune, the disc."""

    area: NeedArea
    departments: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    commune: Commune | None = None
    radius_km: int = 0

    @property
    def reach_codes(self) -> list[str]:
        return sorted(self.departments | {FRANCE_WIDE})


@lru_cache(maxsize=1)
def _department_regions() -> dict[str, str]:
    return dict(db.session.execute(select(Department.code, Department.region_code)).all())


def place_of(need: Need) -> NeedPlace:
    if need.area == NeedArea.FRANCE:
        return NeedPlace(NeedArea.FRANCE)
    regions_of = _department_regions()
    if need.area == NeedArea.COMMUNE:
        commune = need.commune
        radius = need.radius_km or 0
        departments = {commune.department_code} | departments_within(commune.latitude, commune.longitude, radius)
        return NeedPlace(NeedArea.COMMUNE, frozenset(departments), frozenset(regions_of[d] for d in departments),
                         commune, radius)
    departments = set(need.departments)
    departments |= {code for code, region in regions_of.items() if region in need.regions}
    return NeedPlace(NeedArea.ZONES, frozenset(departments), frozenset(regions_of[d] for d in departments))


# --- One supplier, in Python, with reasons ------------------------------------------------

@dataclass
class Explanation:
    matched: bool
    reasons: list[str] = field(default_factory=list)  # why it matched, one per fitting activity
    obstacles: list[str] = field(default_factory=list)  # why not, when it did not


def _geography_reason(place: NeedPlace, activity: SupplierActivity, supplier: Supplier) -> str | None:
    if place.area == NeedArea.FRANCE:
        return "le besoin concerne toute la France"
    reach = reached_departments(activity, supplier)
    if not (reach & (place.departments | {FRANCE_WIDE})):
        return None
    if activity.geo_range == GeoRange.FRANCE:
        return "intervient dans toute la France"
    if place.area == NeedArea.ZONES:
        return "zone d'intervention : " + names.departments(sorted(reach & place.departments))
    commune = place.commune
    if activity.geo_range == GeoRange.RADIUS:
        if supplier.latitude is None:
            return None
        reach_km = (activity.radius_km or 0) + place.radius_km
        squared = squared_km(supplier.latitude, supplier.longitude, commune.latitude, commune.longitude)
        if squared > reach_km * reach_km:
            return None
        return (f"à {math.sqrt(squared):.0f} km de {commune.name}, "
                f"intervient dans un rayon de {activity.radius_km} km")
    for zone in activity.zones:
        if zone.zone_type == ZoneType.DEPARTMENT and zone.code in place.departments:
            return f"zone d'intervention : {names.department(zone.code)}"
        if zone.zone_type == ZoneType.REGION and zone.code in place.regions:
            return f"zone d'intervention : {names.region(zone.code)}"
        if zone.zone_type == ZoneType.COMMUNE:
            zone_commune = db.session.get(Commune, zone.code)
            if zone_commune is not None and squared_km(zone_commune.latitude, zone_commune.longitude,
                                                       commune.latitude, commune.longitude) <= place.radius_km ** 2:
                return f"intervient à {zone_commune.name}"
    return None


def explain(need: Need, supplier: Supplier, place: NeedPlace | None = None) -> Explanation:
    """Whether the supplier matches the need, and why (or why not), activity by activity."""
    place = place or place_of(need)
    obstacles = []
    if not supplier.is_listed:
        obstacles.append("la structure n'est plus référencée")
    if not supplier.email:
        obstacles.append("la structure n'a pas d'adresse e-mail de contact")
    wanted = need.supplier_kinds
    if wanted and supplier.kind not in wanted:
        obstacles.append(f"le besoin s'adresse aux {', '.join(k.value for k in wanted)}")
    sector_ids = {sector.id for sector in need.all_sectors}
    reasons = []
    for activity in supplier.activities:
        if activity.sector_id not in sector_ids:
            continue
        if need.service_kinds and not activity.service_kinds & need.service_kinds:
            continue
        where = _geography_reason(place, activity, supplier)
        if where is not None:
            reasons.append(f"{activity.sector.name} : {where}")
    if not reasons:
        obstacles.append("aucune de ses activités ne correspond au secteur, au type de prestation et au lieu")
    return Explanation(matched=not obstacles, reasons=reasons, obstacles=obstacles)


# --- The whole directory, in SQL -----------------------------------------------------------

def _commune_zone_in_disc(activity_id_column, place: NeedPlace):
    zone = ActivityZone
    return exists().where(
        zone.activity_id == activity_id_column, zone.zone_type == ZoneType.COMMUNE,
        Commune.insee_code == zone.code,
        squared_km(Commune.latitude, Commune.longitude, place.commune.latitude, place.commune.longitude)
        <= place.radius_km ** 2)


def _fitting_activities(need: Need, place: NeedPlace):
    """The activity rows (or reach rows, for a place) that fit the need, with the
    supplier's state copied on them (models.MatchingCopy): no supplier row is read."""
    sector_ids = sorted(sector.id for sector in need.all_sectors) or [-1]
    if place.area == NeedArea.FRANCE:
        table = SupplierActivity
        conditions = [table.sector_id.in_(sector_ids)]
    else:
        table = ActivityReach
        conditions = [table.sector_id.in_(sector_ids), table.department_code.in_(place.reach_codes)]
        if place.area == NeedArea.COMMUNE:
            reach_km = table.radius_km + place.radius_km
            conditions.append(or_(
                table.whole_department.is_(True),  # France-wide, or a department or region zone
                and_(table.geo_range == GeoRange.RADIUS,
                     squared_km(table.latitude, table.longitude, place.commune.latitude, place.commune.longitude)
                     <= reach_km * reach_km),
                and_(table.geo_range == GeoRange.ZONES, _commune_zone_in_disc(table.activity_id, place)),
            ))
    conditions.append(table.supplier_contactable.is_(True))
    if need.service_kinds:
        conditions.append(table.service_kinds.op("&")(need.service_kinds) != 0)
    if need.supplier_kinds:
        conditions.append(table.supplier_kind.in_(need.supplier_kinds))
    return table, conditions


def _rank(table, place: NeedPlace):
    """The order suppliers are told in: nearest first around a commune, else the most complete profiles."""
    if place.commune is None:
        return 100 - table.supplier_completion
    squared = squared_km(table.latitude, table.longitude, place.commune.latitude, place.commune.longitude)
    return func.coalesce(func.cast(squared, db.Integer), literal(FAR))


def matching_statement(need: Need, place: NeedPlace | None = None, among: list[int] | Select | None = None):
    """SELECT (supplier id, rank) of every supplier (of `among`, ids or a SELECT of them,
    if given) that matches the need, once each."""
    place = place or place_of(need)
    table, conditions = _fitting_activities(need, place)
    if among is not None:
        conditions.append(table.supplier_id.in_(among))
    return select(table.supplier_id, func.min(_rank(table, place)).label("rank")).where(*conditions) \
        .group_by(table.supplier_id)


def matching_suppliers(need: Need, among: list[int] | Select | None = None) -> list[tuple[int, int]]:
    """(supplier id, rank) of every supplier (of `among`, if given) the need concerns, best first."""
    statement = matching_statement(need, among=among)
    ordered = statement.order_by(statement.selected_columns.rank, statement.selected_columns.supplier_id)
    # Core rows, not the ORM's: tens of thousands of them for a France-wide need.
    return db.session.connection().execute(ordered).all()
