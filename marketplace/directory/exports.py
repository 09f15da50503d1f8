"""CSV and XLSX exports of a result set."""

import csv
import io

from openpyxl import Workbook

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


def rows(suppliers: list[Supplier], with_contacts: bool = True) -> list[list]:
    chosen = columns(with_contacts)
    return [[value(s) for _, value in chosen] for s in suppliers]


def to_csv(suppliers: list[Supplier], with_contacts: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what French spreadsheets expect
    writer.writerow([title for title, _ in columns(with_contacts)])
    writer.writerows(rows(suppliers, with_contacts))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def to_xlsx(suppliers: list[Supplier], with_contacts: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Structures inclusives"
    sheet.append([title for title, _ in columns(with_contacts)])
    for row in rows(suppliers, with_contacts):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
