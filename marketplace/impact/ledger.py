"""The purchase ledger: a buyer's purchases imported from its accounting (CSV or XLSX),
columns mapped on screen, a dry run first, errors shown per row, each purchase matched
to the directory by SIRET then SIREN.

Importing the same purchases twice adds nothing: each line carries a fingerprint of
what it says (supplier, amount, date, category, and its rank among identical lines of
its file, so that two identical purchases in one file both count).
"""

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from sqlalchemy import select
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from marketplace.accounts.models import User
from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.forms import sniff_dialect
from marketplace.geography.text import fold
from marketplace.impact.models import ImportStatus, MatchKind, PurchaseImport, PurchaseLine
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow

MAX_BYTES = 8 * 1024 * 1024
MAX_LINES = 50_000
PREVIEW_LINES = 200  # lines shown in a report, errors first
MAX_AMOUNT_CENTS = 10**13

# The ledger's fields, as the mapping form names them; headers that usually hold them.
FIELDS = {
    "identifier": ("SIRET ou SIREN du fournisseur", ("siret", "siren", "identifiant", "n siret")),
    "name": ("Nom du fournisseur", ("fournisseur", "raison sociale", "nom", "tiers", "supplier", "vendor")),
    "amount": ("Montant HT", ("montant ht", "ht", "montant", "amount", "total", "net")),
    "date": ("Date", ("date", "jour", "facture le")),
    "category": ("Catégorie d'achat", ("categorie", "famille", "nature", "compte", "rubrique", "category")),
}
REQUIRED = ("name", "amount", "date")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


def read_table(filename: str, content: bytes) -> Table:
    """The file's header and rows, as text, from a CSV (`;` or `,`, UTF-8 or Latin-1) or
    an XLSX (its first sheet)."""
    if len(content) > MAX_BYTES:
        raise DomainError(f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo : découpez-le par année.", "file")
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        rows = _xlsx_rows(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        rows = [row for row in csv.reader(io.StringIO(text), dialect=sniff_dialect(text))]
    rows = [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise DomainError("Le fichier ne contient pas de ligne d'achat sous sa ligne d'en-tête.", "file")
    if len(rows) - 1 > MAX_LINES:
        raise DomainError(f"Plus de {MAX_LINES} lignes : découpez le fichier par année.", "file")
    headers = [header or f"Colonne {number}" for number, header in enumerate(rows[0], start=1)]
    return Table(headers, rows[1:])


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same message
        raise DomainError("Ce fichier Excel ne peut pas être lu : enregistrez-le en .xlsx ou en CSV.",
                          "file") from error
    rows = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows.append(["" if v is None else v.date().isoformat() if isinstance(v, datetime)
                     else v.isoformat() if isinstance(v, date) else str(v) for v in values])
    workbook.close()
    return rows


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """field -> header, from the usual names of accounting exports."""
    mapping, taken = {}, set()
    for field_name, (_label, words) in FIELDS.items():
        for word in words:
            header = next((h for h in headers if h not in taken and (fold(h) == word or word in fold(h).split()
                                                                       or fold(h).startswith(word))), None)
            if header is not None:
                mapping[field_name] = header
                taken.add(header)
                break
    return mapping


# --- one line -----------------------------------------------------------------------

@dataclass
class ParsedLine:
    siret: str | None
    siren: str | None
    name: str
    amount_cents: int
    purchased_on: date
    category: str


def _identifier(text: str) -> tuple[str | None, str | None]:
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.strip():
        return None, None
    if len(digits) == 14:
        if not siret_number.is_valid(digits):
            raise ValueError(f"SIRET « {text} » invalide (clé de contrôle)")
        return digits, digits[:9]
    if len(digits) == 9:
        if not siren_number.is_valid(digits):
            raise ValueError(f"SIREN « {text} » invalide (clé de contrôle)")
        return None, digits
    raise ValueError(f"« {text} » n'est ni un SIRET (14 chiffres) ni un SIREN (9 chiffres)")


def parse_amount(text: str) -> int:
    """"1 234,56 €", "1234.56", "-80,00" (a credit note) -> cents."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace("EUR", "")
    if "," in cleaned and "." in cleaned:  # 1.234,56 or 1,234.56: the last mark is the decimal one
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"montant « {text} » illisible") from None
    if not amount.is_finite() or amount == 0 or abs(amount) * 100 >= MAX_AMOUNT_CENTS:
        raise ValueError(f"montant « {text} » hors limites")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"montant « {text} » : au centime près")
    return int(amount * 100)


def parse_date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            value = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        if not 2000 <= value.year <= 2100:
            raise ValueError(f"date « {text} » hors limites")
        return value
    raise ValueError(f"date « {text} » illisible (JJ/MM/AAAA attendu)")


def parse_line(values: dict[str, str]) -> ParsedLine:
    siret, siren = _identifier(values.get("identifier", ""))
    name = values.get("name", "").strip()
    if not name and not (siret or siren):
        raise ValueError("ni nom ni SIRET du fournisseur")
    if len(name) > 200:
        raise ValueError("nom du fournisseur trop long (200 caractères au plus)")
    category = values.get("category", "").strip()
    if len(category) > 120:
        raise ValueError("catégorie trop longue (120 caractères au plus)")
    return ParsedLine(siret, siren, name or (siret or siren), parse_amount(values.get("amount", "")),
                      parse_date(values.get("date", "")), category)


def fingerprint(line: ParsedLine, rank: int) -> str:
    said = "|".join((line.siret or line.siren or "", fold(line.name), str(line.amount_cents),
                     line.purchased_on.isoformat(), fold(line.category), str(rank)))
    return hashlib.sha256(said.encode()).hexdigest()


# --- a whole file ---------------------------------------------------------------------

@dataclass
class LineOutcome:
    number: int  # the line in the file (the header is line 1)
    name: str
    amount_cents: int | None
    outcome: str  # "ajoutée", "déjà importée", "erreur"
    match: MatchKind | None = None
    supplier: Supplier | None = None
    message: str = ""


@dataclass
class ImportReport:
    lines: list[LineOutcome] = field(default_factory=list)
    dry_run: bool = True

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def matches(self) -> Counter:
        return Counter(line.match for line in self.lines if line.outcome != "erreur")

    @property
    def shown(self) -> list[LineOutcome]:
        """Errors first, then the others, PREVIEW_LINES at most."""
        return sorted(self.lines, key=lambda line: (line.outcome != "erreur", line.number))[:PREVIEW_LINES]


def _suppliers_by(column, values: set[str]) -> dict[str, Supplier]:
    found: dict[str, Supplier] = {}
    values = sorted(values)
    for start in range(0, len(values), 500):
        for supplier in db.session.scalars(select(Supplier).where(column.in_(values[start:start + 500]),
                                                                  Supplier.is_listed.is_(True))
                                           .order_by(Supplier.id)):
            found.setdefault(getattr(supplier, column.key), supplier)
    return found


def run_import(upload: PurchaseImport, mapping: dict[str, str], actor: User, dry_run: bool) -> ImportReport:
    """Read the uploaded file with this mapping; unless `dry_run`, add its new lines."""
    missing = [FIELDS[f][0] for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise DomainError(f"Indiquez la colonne de : {', '.join(missing)}.", "mapping")
    table = read_table(upload.filename, upload.content or b"")
    unknown = [header for header in mapping.values() if header and header not in table.headers]
    if unknown:
        raise DomainError(f"Colonne inconnue : {unknown[0]}.", "mapping")
    position = {f: table.headers.index(h) for f, h in mapping.items() if h}
    parsed: list[tuple[int, str, ParsedLine | str]] = []  # (line number, name as written, the line or its error)
    for number, row in enumerate(table.rows, start=2):
        values = {f: row[i] if i < len(row) else "" for f, i in position.items()}
        try:
            parsed.append((number, values["name"], parse_line(values)))
        except ValueError as error:
            parsed.append((number, values["name"], str(error)))
    good = [line for _, _, line in parsed if isinstance(line, ParsedLine)]
    by_siret = _suppliers_by(Supplier.siret, {line.siret for line in good if line.siret})
    by_siren = _suppliers_by(Supplier.siren, {line.siren for line in good if line.siren})
    existing = set(db.session.scalars(select(PurchaseLine.fingerprint).where(
        PurchaseLine.organisation_id == upload.organisation_id)))
    report, ranks = ImportReport(dry_run=dry_run), Counter()
    for number, written, line in parsed:
        if isinstance(line, str):
            report.lines.append(LineOutcome(number, written, None, "erreur", message=line))
            continue
        first = fingerprint(line, 0)
        ranks[first] += 1
        print_ = fingerprint(line, ranks[first] - 1)
        supplier, match = _match(line, by_siret, by_siren)
        outcome = "déjà importée" if print_ in existing else "ajoutée"
        report.lines.append(LineOutcome(number, line.name, line.amount_cents, outcome, match, supplier))
        if outcome == "ajoutée":
            existing.add(print_)
            if not dry_run:
                db.session.add(PurchaseLine(
                    organisation_id=upload.organisation_id, import_id=upload.id, year=line.purchased_on.year,
                    purchased_on=line.purchased_on, supplier_siret=line.siret, supplier_siren=line.siren,
                    supplier_name=line.name, amount_cents=line.amount_cents, category=line.category,
                    supplier_id=supplier.id if supplier else None, match=match, fingerprint=print_))
    if not dry_run:
        upload.status, upload.imported_at, upload.content = ImportStatus.DONE, utcnow(), None
        upload.mapping = json.dumps(mapping)
        upload.lines_added, upload.duplicates = report.count("ajoutée"), report.count("déjà importée")
        upload.errors = report.count("erreur")
        db.session.flush()
    return report


def _match(line: ParsedLine, by_siret: dict, by_siren: dict) -> tuple[Supplier | None, MatchKind]:
    if line.siret and line.siret in by_siret:
        return by_siret[line.siret], MatchKind.SIRET
    if line.siren and line.siren in by_siren:
        return by_siren[line.siren], MatchKind.SIREN
    return None, MatchKind.NOT_LISTED if (line.siret or line.siren) else MatchKind.UNKNOWN


def upload_file(organisation: BuyerOrganisation, filename: str, content: bytes, actor: User) -> PurchaseImport:
    """Keep an uploaded file while its columns are mapped (it is read once to check it)."""
    read_table(filename, content)
    upload = PurchaseImport(organisation_id=organisation.id, filename=filename[:200] or "achats.csv",
                            content=content, created_by_id=actor.id)
    db.session.add(upload)
    db.session.flush()
    return upload


def get_upload(organisation: BuyerOrganisation, import_id: int) -> PurchaseImport:
    upload = db.session.get(PurchaseImport, import_id)
    if upload is None or upload.organisation_id != organisation.id:
        raise NotFound("Cet import n'existe pas.")
    return upload


def imports_of(organisation: BuyerOrganisation) -> list[PurchaseImport]:
    return list(db.session.scalars(select(PurchaseImport).where(
        PurchaseImport.organisation_id == organisation.id, PurchaseImport.status == ImportStatus.DONE)
        .order_by(PurchaseImport.id.desc()).limit(20)))
