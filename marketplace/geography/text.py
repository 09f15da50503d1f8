"""Text folding shared by geography and search: lower case, no accents, single spaces."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """'Saint-Étienne-du-Rouvray' -> 'saint etienne du rouvray'."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return _NON_WORD.sub(" ", ascii_text).strip()
