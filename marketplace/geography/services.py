"""Looking up places, and distances between them."""

import math
import re

from sqlalchemy import or_, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.geography.models import Commune, Department, Region
from marketplace.geography.text import fold
from marketplace.reference import read_once

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


def department_names() -> dict[str, str]:
    """Each department's name by its code, read once per process."""
    return read_once("department names", lambda: {d.code: d.name for d in all_departments()})


def region_names() -> dict[str, str]:
    """Each region's name by its code, read once per process."""
    return read_once("region names", lambda: {r.code: r.name for r in all_regions()})


def find_communes(query: str, limit: int = 10) -> list[Commune]:
    """Communes by postcode, INSEE code or name (most populated first)."""
    query = (query or "").strip()
    if not query:
        return []
    if POSTCODE.match(query) and communes_with_postcode(query):
        return communes_with_postcode(query)[:limit]
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


POSTCODE = re.compile(r"^\d{5}$")
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
NAMED_WITH_DEPARTMENT = re.compile(r"^(?P<name>.+?)\s*\((?P<department>\d[0-9AB]|\d{3})\)$")


def communes_with_postcode(postcode: str) -> list[Commune]:
    """The communes a postcode serves, most populated first (13100: Aix-en-Provence,
    then Le Tholonet, Saint-Marc-Jaumegarde, Beaurecueil...)."""
    if not POSTCODE.match(postcode or ""):
        return []
    candidates = db.session.scalars(select(Commune).where(Commune.postcodes.contains(postcode))
                                    .order_by(Commune.population.desc(), Commune.insee_code))
    return [commune for commune in candidates if postcode in commune.postcodes.split()]


def resolve_commune(text: str | None) -> Commune | None:
    """The commune a person means by what they typed in a field labelled "commune or
    postcode": five digits are a postcode (the most populated commune it serves; an
    INSEE code only when no postcode has these digits), anything else a name."""
    text = (text or "").strip()
    if not text:
        return None
    if POSTCODE.match(text):
        served = communes_with_postcode(text)
        return served[0] if served else db.session.get(Commune, text)
    if INSEE_CODE.match(text.upper()):
        return db.session.get(Commune, text.upper())  # Corsica's 2A004 is no postcode
    named = NAMED_WITH_DEPARTMENT.match(text)  # as suggestions write it: Grasse (06)
    if named:
        return db.session.scalar(select(Commune).where(
            Commune.search_name == fold(named["name"]), Commune.department_code == named["department"])
            .order_by(Commune.population.desc()).limit(1))
    matches = find_communes(text, limit=1)
    return matches[0] if matches else None


def place_of(commune_text: str | None, insee: str | None = None) -> Commune | None:
    """The commune of a search: the one picked by INSEE code (the API's parameter, or a
    choice among the communes of a postcode) while what is typed still designates it;
    otherwise the commune as typed."""
    typed = (commune_text or "").strip()
    chosen = commune_by_insee(insee)
    if chosen is not None and (not typed or typed in chosen.postcodes.split() or fold(typed) == chosen.search_name):
        return chosen
    return resolve_commune(typed)


def commune_by_insee(code: str | None) -> Commune | None:
    """A commune by its INSEE code (the API's `insee` parameter, a choice among the
    communes of a postcode)."""
    return db.session.get(Commune, code.strip().upper()) if code and INSEE_CODE.match(code.strip().upper()) else None


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


def communes_from_text(text: str, field: str) -> list[Commune]:
    """The communes a person listed by name, separated by commas or semicolons, as the
    suggestions write them (*Grasse (06)*), or by postcode or INSEE code. A name shared
    by communes of several departments must say which one (DomainError on `field`)."""
    found: list[Commune] = []
    for entry in (part.strip() for part in re.split(r"[,;\n]+", text or "")):
        if not entry:
            continue
        if INSEE_CODE.match(entry.upper()) or POSTCODE.match(entry):
            commune = resolve_commune(entry)
            if commune is None:
                raise DomainError(f"Commune inconnue : aucune commune n'a le code « {entry} ».", field)
            found.append(commune)
            continue
        named = NAMED_WITH_DEPARTMENT.match(entry)
        name, department = (named["name"], named["department"]) if named else (entry, None)
        statement = select(Commune).where(Commune.search_name == fold(name))
        if department:
            statement = statement.where(Commune.department_code == department)
        candidates = list(db.session.scalars(statement.order_by(Commune.population.desc())))
        if not candidates:
            close = communes_named_like(name)
            hint = " Vouliez-vous dire : " + ", ".join(f"{c.name} ({c.department_code})" for c in close) + " ?" \
                if close else ""
            raise DomainError(f"Commune inconnue : « {entry} ».{hint}", field)
        if len({commune.department_code for commune in candidates}) > 1:
            listed = ", ".join(f"{c.name} ({c.department_code})" for c in candidates[:6])
            raise DomainError(f"Plusieurs communes s'appellent « {name} » : précisez le département, par exemple "
                              f"{listed}.", field)
        found.append(candidates[0])
    return list({commune.insee_code: commune for commune in found}.values())


def communes_named_like(name: str, limit: int = 3) -> list[Commune]:
    """Communes whose name is a typo away from `name` (same first two letters, edit
    distance of 2 at most), most populated first: what "did you mean" offers."""
    from rapidfuzz.distance import Levenshtein

    folded = fold(name)
    if len(folded) < 3:
        return []
    candidates = db.session.scalars(select(Commune).where(Commune.search_name.startswith(folded[:2]))
                                    .order_by(Commune.population.desc()).limit(5000))
    close = [(Levenshtein.distance(folded, commune.search_name, score_cutoff=2), -commune.population, commune)
             for commune in candidates]
    return [commune for distance, _, commune in sorted(close, key=lambda row: row[:2]) if distance <= 2][:limit]
