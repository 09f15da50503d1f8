"""The directory's columns for a CSV or XLSX export of a result set (written by
marketplace.exports, which makes every cell inert)."""

from marketplace.suppliers.models import Supplier
from marketplace.suppliers.taxonomy import LABELS, NETWORKS, ServiceKind

MAX_EXPORT_ROWS = 5000
COLUMNS = [
    ("Raison sociale", lambda s: s.name),
    ("Enseigne", lambda s: s.brand or ""),
    ("SIRET", lambda s: s.siret),
    ("Type de structure", lambda s: s.kind.value),
    ("Commune", lambda s: s.city or ""),
    ("Code postal", lambda s: s.postcode or ""),
    ("Département", lambda s: s.department_code or ""),
    ("Secteurs", lambda s: " ; ".join(sorted({a.sector.name for a in s.activities}))),
    ("Prestations", lambda s: " ; ".join(k.label for k in ServiceKind
                                          if any(a.service_kinds & k for a in s.activities))),
    ("Labels", lambda s: " ; ".join(LABELS.get(x, x) for x in s.labels)),
    ("Réseaux", lambda s: " ; ".join(NETWORKS.get(x, x) for x in s.networks)),
    ("E-mail", lambda s: s.email or ""),
    ("Téléphone", lambda s: s.phone or ""),
    ("Site internet", lambda s: s.website or ""),
    ("Salariés permanents", lambda s: s.permanent_staff if s.permanent_staff is not None else ""),
    ("Salariés en insertion ou en situation de handicap", lambda s: s.insertion_staff
     if s.insertion_staff is not None else ""),
]


# The contact columns come with the buyer plan (when payments are on).
CONTACT_COLUMNS = {"E-mail", "Téléphone", "Site internet"}


def columns(with_contacts: bool = True) -> list:
    return [column for column in COLUMNS if with_contacts or column[0] not in CONTACT_COLUMNS]


def table(suppliers: list[Supplier], with_contacts: bool = True) -> list[list]:
    """The header, then one row per supplier."""
    chosen = columns(with_contacts)
    return [[title for title, _ in chosen], *([value(s) for _, value in chosen] for s in suppliers)]
