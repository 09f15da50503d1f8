"""Looking up places, and distances between them."""

import math

from sqlalchemy import or_, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.geography.models import Commune, Department, Region
from marketplace.geography.text import fold

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = 111.195


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def squared_km(lat1, lon1, lat2: float, lon2: float):
    """Squared distance in km² from (lat1, lon1), numbers or SQL columns, to the point
    (lat2, lon2), equirectangular around it: exact enough for a few hundred km, cheap
    in SQL, and the same in Python and in SQL (matching holds the two to one answer)."""
    dy = (lat1 - lat2) * KM_PER_DEGREE
    dx = (lon1 - lon2) * (KM_PER_DEGREE * math.cos(math.radians(lat2)))
    return dy * dy + dx * dx


def get_commune(insee_code: str) -> Commune:
    commune = db.session.get(Commune, insee_code)
    if commune is None:
        raise DomainError("Commune inconnue.", "commune")
    return commune


def get_department(code: str) -> Department:
    department = db.session.get(Department, code)
    if department is None:
        raise DomainError("Département inconnu.", "department")
    return department


def get_region(code: str) -> Region:
    region = db.session.get(Region, code)
    if region is None:
        raise DomainError("Région inconnue.", "region")
    return region


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


def find_communes(query: str, limit: int = 10) -> list[Commune]:
    """Communes by postcode, INSEE code or name (most populated first)."""
    query = (query or "").strip()
    if not query:
        return []
    if query.isdigit() or query[:2].upper() in ("2A", "2B"):
        statement = select(Commune).where(
            or_(Commune.postcodes.contains(query), Commune.insee_code == query.upper())
        )
    else:
        folded = fold(query)
        if len(folded) < 2:
            return []
        statement = select(Commune).where(Commune.search_name.startswith(folded))
    return list(db.session.scalars(statement.order_by(Commune.population.desc()).limit(limit)))


def resolve_commune(text: str | None) -> Commune | None:
    """The commune meant by an INSEE code, a postcode or a name (the most populated match)."""
    if not text:
        return None
    exact = db.session.get(Commune, text.strip().upper())
    if exact is not None:
        return exact
    matches = find_communes(text, limit=1)
    return matches[0] if matches else None


def commune_for(postcode: str, city: str) -> Commune | None:
    """The commune an address is in, from its postcode and city name."""
    candidates = list(db.session.scalars(select(Commune).where(Commune.postcodes.contains(postcode or "-"))))
    if not candidates:
        return None
    folded = fold(city)
    for commune in candidates:
        if commune.search_name == folded:
            return commune
    for commune in candidates:
        if folded and (commune.search_name.startswith(folded) or folded.startswith(commune.search_name)):
            return commune
    return max(candidates, key=lambda c: c.population) if len(candidates) == 1 else None
