"""Printable PDF documents (agendas, invoices) with fpdf2, in a font that has every
French character."""

import logging
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its font subsetting logs every glyph


class Document(FPDF):
    """An A4 page in DejaVu Sans when the system has it (Debian's fonts-dejavu), else
    in a core font, which only knows Latin-1."""

    def __init__(self):
        super().__init__(format="A4")
        if (FONT_DIR / "DejaVuSans.ttf").exists():
            self.add_font("Document", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Document", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family_name = "Document"
        else:
            self.family_name = "Helvetica"

    def paragraph(self, height: float, value: str) -> None:
        """A block of text across the page; the next one starts below it."""
        if self.family_name == "Helvetica":
            value = value.replace("—", "-").replace("–", "-").replace("·", "-").replace("×", "x").replace("\u202f", " ")
            value = value.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")
        self.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")
