"""What every template must hold, checked on their source."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_scrolling_table_can_be_reached_with_the_keyboard():
    """A .table-responsive box scrolls sideways on a phone: keyboard users must be able
    to focus it to scroll (axe-core's scrollable-region-focusable)."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<div[^>]*class=\"[^\"]*table-responsive[^\"]*\"[^>]*>", path.read_text()):
            if 'tabindex="0"' not in tag:
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert not missing, "\n".join(missing)
