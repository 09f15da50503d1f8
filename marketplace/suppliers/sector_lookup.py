"""Sectors by slug, as searches name them (`nettoyage`, or a family `group:<slug>`), read
once per process (marketplace.reference)."""

from sqlalchemy import select

from marketplace import reference
from marketplace.extensions import db
from marketplace.suppliers.taxonomy import Sector, SectorGroup


def sector_ids(criteria: dict) -> list[int] | None:
    """The sectors asked for (by slug, or by group), or None when any sector will do."""
    if not (criteria.get("sectors") or criteria.get("sector_groups")):
        return None
    known = reference.read_once("sector ids by slug", _sector_ids_by_slug)
    wanted = [*(criteria.get("sectors") or []), *(f"group:{g}" for g in criteria.get("sector_groups") or [])]
    return sorted({sector_id for key in wanted for sector_id in known.get(key, [])}) or [-1]


def sector_slug_known(slug: str, group: bool = False) -> bool:
    """Whether a sector (or a group of sectors) has this slug."""
    return (f"group:{slug}" if group else slug) in reference.read_once("sector ids by slug", _sector_ids_by_slug)


def _sector_ids_by_slug() -> dict[str, list[int]]:
    """Each sector's slug, and each group's as "group:<slug>", with their sectors' ids."""
    known: dict[str, list[int]] = {}
    for sector_id, slug, group_slug in db.session.execute(
            select(Sector.id, Sector.slug, SectorGroup.slug).join(SectorGroup)):
        known.setdefault(slug, []).append(sector_id)
        known.setdefault(f"group:{group_slug}", []).append(sector_id)
    return known
