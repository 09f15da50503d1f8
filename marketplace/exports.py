"""The one way a spreadsheet leaves the application: CSV and XLSX writers that make
every cell inert.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return in front of one) as a formula: a supplier named `=HYPERLINK("http://x";"y")`
would become a live link in a buyer's Excel (OWASP, "CSV injection"). So every text
cell that starts with one of those characters is written as text:
- in CSV, behind a leading apostrophe, which spreadsheets hide and never evaluate;
- in XLSX, as a string cell (never a formula), its text unchanged.
Numbers written as numbers (int, float) are not text and stay numbers.

CSV files use `;` (what French spreadsheets expect) and open with a BOM, so that Excel
reads them as UTF-8 (*Inscrits — Acheteur*, not *Inscrits â€” Acheteur*).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[object]


def inert(value: object) -> object:
    """A cell value that no spreadsheet will evaluate (text behind an apostrophe when it
    could start a formula); numbers and empty cells unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Row]) -> str:
    """Rows as CSV text (`;`-separated, BOM first), every cell made inert."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return BOM + out.getvalue()


def xlsx_bytes(rows: Iterable[Row], title: str = "Export") -> bytes:
    """Rows as an XLSX workbook of one sheet; text cells are always string cells, so a
    leading `=` is shown, never evaluated. The first row (the header) stays in view."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit for a sheet name
    for row in rows:
        sheet.append([_xlsx_value(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # openpyxl would make "=..." a formula
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)


def download(content: str | bytes, filename: str, mimetype: str) -> Response:
    """A file to download, with its name and one content type (charset said once)."""
    response = Response(content)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(rows: Iterable[Row], filename: str) -> Response:
    return download(csv_text(rows), filename, CSV_TYPE)


def xlsx_download(rows: Iterable[Row], filename: str, title: str = "Export") -> Response:
    return download(xlsx_bytes(rows, title), filename, XLSX_TYPE)
