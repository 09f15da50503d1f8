"""Searching at the level of the activity when the words name what suppliers do.

*nettoyage* with the Bouches-du-Rhône asks for suppliers whose cleaning activity serves
the Bouches-du-Rhône: the words become a sector criterion, and the sector, the kind of
service and the place are then met by one and the same activity (search._activity_filter
reads activity rows). Words that name no sector stay full-text words. Each result then
says which of its activities answered, with its reach in words.
"""

from marketplace.french import of
from marketplace.geography import names as place_names
from marketplace.geography.models import Commune
from marketplace.geography.services import distance_km
from marketplace.suppliers import vocabulary
from marketplace.suppliers.models import GeoRange, Supplier, SupplierActivity
from marketplace.suppliers.vocabulary import Understood


def activity_criteria(criteria: dict, known_sector) -> tuple[dict, Understood | None]:
    """The criteria with the words that name sectors turned into a sector criterion (the
    other words stay the text), and what was understood; unchanged (None) when the words
    name no sector, or only sectors outside the sector filter the person chose.
    `known_sector(slug)` says which sectors exist (the data file may name more)."""
    understood = vocabulary.understand(criteria.get("q"))
    named = [slug for slug in understood.sectors if known_sector(slug)]
    if not named:
        return criteria, None
    chosen = criteria.get("sectors") or []
    if chosen:
        named = [slug for slug in named if slug in chosen]
        if not named:
            return criteria, None
    if criteria.get("sector_groups"):
        return criteria, None  # a family of sectors and words: kept as words within the family
    return {**criteria, "q": understood.rest or None, "sectors": named}, understood


def answering_activity(supplier: Supplier, sector_slugs: list[str], commune: Commune | None,
                       departments: list[str] | None) -> SupplierActivity | None:
    """The supplier's activity that answered a search for these sectors at this place:
    one that serves the place if any does, else the first of these sectors."""
    fitting = [a for a in supplier.activities if a.sector.slug in sector_slugs]
    for activity in fitting:
        if _serves(activity, supplier, commune, departments):
            return activity
    return fitting[0] if fitting else None


def _serves(activity: SupplierActivity, supplier: Supplier, commune: Commune | None,
            departments: list[str] | None) -> bool:
    if activity.geo_range == GeoRange.FRANCE or (commune is None and not departments):
        return True
    if activity.geo_range == GeoRange.RADIUS:
        if commune is None or supplier.latitude is None:
            return supplier.department_code in (departments or [])
        return distance_km(commune.latitude, commune.longitude, supplier.latitude, supplier.longitude) \
            <= (activity.radius_km or 0)
    wanted = set(departments or []) | ({commune.department_code, commune.insee_code, commune.region_code}
                                        if commune else set())
    return any(zone.code in wanted for zone in activity.zones)


def reach_text(activity: SupplierActivity, supplier: Supplier) -> str:
    """Where an activity is carried out, in words: *partout en France*, *dans un rayon
    de 50 km autour de Mougins*, *zone d'intervention : Bouches-du-Rhône (13), Var (83)*."""
    if activity.geo_range == GeoRange.FRANCE:
        return "partout en France"
    if activity.geo_range == GeoRange.RADIUS:
        return f"dans un rayon de {activity.radius_km or 0} km autour {of(supplier.city or 'sa commune')}"
    zones = [place_names.zone(zone.zone_type.value, zone.code) for zone in activity.zones]
    return "zone d'intervention : " + ", ".join(zones) if zones else "zones à préciser"


def answer_labels(suppliers: list[Supplier], sector_slugs: list[str], commune: Commune | None,
                  departments: list[str] | None) -> dict[int, str]:
    """For each result, which activity answered: *Nettoyage et propreté des locaux —
    dans un rayon de 50 km autour de Mougins*."""
    labels = {}
    for supplier in suppliers:
        activity = answering_activity(supplier, sector_slugs, commune, departments)
        if activity is not None:
            labels[supplier.id] = f"{activity.sector.name} — {reach_text(activity, supplier)}"
    return labels
