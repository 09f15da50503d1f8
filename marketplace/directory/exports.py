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


def rows(suppliers: list[Supplier]) -> list[list]:
    return [[value(s) for _, value in COLUMNS] for s in suppliers]


def to_csv(suppliers: list[Supplier]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what French spreadsheets expect
    writer.writerow([title for title, _ in COLUMNS])
    writer.writerows(rows(suppliers))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def to_xlsx(suppliers: list[Supplier]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Structures inclusives"
    sheet.append([title for title, _ in COLUMNS])
    for row in rows(suppliers):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
