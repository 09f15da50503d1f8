"""Places in words. Codes are stored; people read names: *Morbihan (56)*,
*Provence-Alpes-Côte d'Azur*, *Aix-en-Provence (13)*. Every page, mail and
explanation shows a place through these (template filters `department`, `region`,
`commune`, `zone`)."""

from marketplace.extensions import db
from marketplace.geography.models import Commune
from marketplace.geography.services import department_names, region_names


def department(code: str) -> str:
    """Morbihan (56); an unknown code as it is."""
    name = department_names().get(code)
    return f"{name} ({code})" if name else code


def region(code: str) -> str:
    return region_names().get(code, code)


def commune(insee_code: str | Commune | None) -> str:
    """Aix-en-Provence (13); Paris 15e Arrondissement (75)."""
    found = insee_code if isinstance(insee_code, Commune) else (
        db.session.get(Commune, insee_code) if insee_code else None)
    if found is None:
        return insee_code or ""
    return f"{found.name} ({found.department_code})"


def zone(zone_type: str, code: str) -> str:
    """A supplier's zone of intervention, by its type's value (region, department, commune)."""
    return {"region": region, "department": department}.get(str(zone_type), commune)(code)


def departments(codes) -> str:
    """Morbihan (56), Finistère (29)."""
    return ", ".join(department(code) for code in codes)


def regions(codes) -> str:
    return ", ".join(region(code) for code in codes)
