"""Every work the documentation's reference lists cite has a key in the project's bibliography.

Issue "Cases on data" asks for one bibliography with a key for every source cited in the case
files, the dataset *and the docs*. A reference list entry is a bullet that starts with an
author's surname and initials and gives a year in parentheses, e.g.
``- Horn, H. and Wolinsky, A. (1988). Bilateral monopolies ...``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_ENTRY = re.compile(r"^[-*] ([A-Z][A-Za-z'-]+), [A-Z][^\n]*?\((\d{4})\)", re.MULTILINE)


def _references() -> list[tuple[str, str, int]]:
    found = []
    for page in sorted((REPO / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        found += [(page.name, m.group(1), int(m.group(2))) for m in _ENTRY.finditer(text)]
    return found


def test_the_docs_have_reference_lists():
    pages = {page for page, _, _ in _references()}
    assert {"network-bargaining.md", "coalitions.md", "bargaining.md"} <= pages


def test_every_cited_work_has_a_bibliography_key():
    bibliography = tomllib.loads((REPO / "cases" / "bibliography.toml").read_text("utf-8"))
    missing = [
        f"{page}: {surname} ({year})"
        for page, surname, year in _references()
        if not any(
            entry.get("year") == year and surname.lower() in str(entry.get("author", "")).lower()
            for entry in bibliography.values()
        )
    ]
    assert missing == []


def test_the_pattern_finds_an_entry_and_skips_prose():
    text = "- Horn, H. and Wolinsky, A. (1988). Bilateral monopolies.\nSee Horn (1988).\n"
    assert [(m.group(1), m.group(2)) for m in _ENTRY.finditer(text)] == [("Horn", "1988")]


def test_the_site_renders_every_bibliography_entry():
    import importlib.util

    from pipeline_games.cases import bibliography

    spec = importlib.util.spec_from_file_location("hooks", REPO / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    references = bibliography()
    page = hooks.bibliography_page(references)
    for key, reference in references.items():
        assert f"**`{key}`**" in page
        assert str(reference.year) in page
    assert page.count("\n- **`") == len(references)
