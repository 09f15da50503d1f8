"""The README is the entrance and docs/ the manual: every page the README's table
names exists and links back, every relative link in them leads somewhere, and the
README's test command is the one CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_relative_link_of_the_readme_and_docs_leads_to_a_file():
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not target.startswith(("http://", "https://", "mailto:")) and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_the_readme_lists_every_docs_page_and_each_links_back():
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in readme, page.name
        assert "(../README.md)" in page.read_text(), page.name


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert readme.index("## Two commands") < readme.index("## What it does")
    assert "make run" in readme[:1200] and "make test" in readme[:1200]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
