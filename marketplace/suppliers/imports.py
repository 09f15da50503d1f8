"""Importing a regional directory's file (CSV or XLSX): suppliers matched by SIRET, new
ones created, existing ones updated field by field, never overwriting a field the
supplier itself edited after the file's data; a dry run reports what would change and
the invalid rows; importing the same file twice changes nothing."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError
from openpyxl import load_workbook

from marketplace.accounts.models import User
from marketplace.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.forms import sniff_dialect
from marketplace.suppliers import services
from marketplace.suppliers.changes import own_edits
from marketplace.suppliers.schemas import SupplierSchema
from marketplace.timeutil import utcnow

# File column -> the supplier form's field.
COLUMNS = {
    "siret": "siret", "nom": "name", "enseigne": "brand", "type": "kind", "forme_juridique": "legal_form",
    "description": "description", "adresse": "address", "code_postal": "postcode", "commune": "city",
    "email": "email", "telephone": "phone", "site": "website", "salaries_permanents": "permanent_staff",
    "salaries_insertion": "insertion_staff", "chiffre_affaires": "turnover_euros",
}
DATE_COLUMN = "mis_a_jour"  # when the source last changed the row (YYYY-MM-DD); the import's day otherwise


@dataclass
class ImportLine:
    line: int
    siret: str
    outcome: str  # créée, mise à jour, inchangée, erreur
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by the supplier more recently
    message: str = ""


def read_rows(filename: str, content: bytes) -> list[dict]:
    """The rows of a CSV (; or ,) or XLSX file, keyed by lower-case header."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise DomainError("Ce fichier XLSX ne peut pas être lu.", "file") from error
        rows = [["" if cell is None else str(cell).strip() for cell in row]
                for row in sheet.iter_rows(values_only=True)]
        if not rows:
            return []
        header = [h.lower() for h in rows[0]]
        return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("Le fichier CSV doit être encodé en UTF-8.", "file") from None
    reader = csv.DictReader(io.StringIO(text), dialect=sniff_dialect(text))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]


def _source_date(row: dict) -> datetime:
    value = row.get(DATE_COLUMN) or ""
    try:
        return datetime.fromisoformat(value[:10]) if value else utcnow()
    except ValueError:
        raise DomainError(f"date « {value} » invalide (AAAA-MM-JJ)") from None


def _apply_row(row: dict, actor: User) -> ImportLine:
    data = {target: row[column] for column, target in COLUMNS.items() if row.get(column)}
    siret = "".join((row.get("siret") or "").split())
    source_date = _source_date(row)
    existing = services.find_by_siret(siret) if siret else None
    if existing is None:
        loaded = SupplierSchema().load({**data, "siret": siret})
        services.create_supplier({**loaded, "labels": [], "networks": []}, actor, imported=True)
        return ImportLine(0, siret, "créée")
    loaded = SupplierSchema(partial=True).load({**data, "siret": siret})
    loaded.pop("siret", None)
    if "turnover_euros" not in data:
        loaded.pop("turnover_cents", None)
    edits = own_edits(existing)
    changed, kept, update = [], [], {}
    for name, value in loaded.items():
        if name in ("labels", "networks") or getattr(existing, name) == value:
            continue
        if name in edits and edits[name] > source_date:
            kept.append(name)
            continue
        update[name] = value
        changed.append(name)
    if update:
        services.update_supplier(existing, update, actor, imported=True)
    return ImportLine(0, siret, "mise à jour" if update else "inchangée", changed, kept)


def import_directory(filename: str, content: bytes, actor: User, dry_run: bool = False) -> list[ImportLine]:
    if not (actor.is_admin or actor.is_directory_partner):
        raise NotAllowed("Seuls les administrateurs et les annuaires partenaires importent un annuaire.")
    rows = read_rows(filename, content)
    if rows and "siret" not in rows[0]:
        raise DomainError("La colonne « siret » est obligatoire.", "file")
    report = []
    for number, row in enumerate(rows, start=2):
        siret = "".join((row.get("siret") or "").split())
        try:
            with db.session.begin_nested() as nested:
                line = _apply_row(row, actor)
                if dry_run:
                    nested.rollback()
            line.line = number
            report.append(line)
        except ValidationError as error:
            fields = "; ".join(f"{name} : {' '.join(map(str, messages))}"
                               for name, messages in error.normalized_messages().items())
            report.append(ImportLine(number, siret, "erreur", message=fields))
        except DomainError as error:
            report.append(ImportLine(number, siret, "erreur", message=error.message))
    return report
