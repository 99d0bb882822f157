"""The documentation site: the generated case-file page, and a strict build (slow) whose HTML
has no unrendered Sphinx role and loads no script from the network."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_games.cases import case_file_schema

REPO = Path(__file__).resolve().parents[2]
ROLES = re.compile(r":(func|class|mod|meth|data|attr|obj|exc):")


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_page_documents_every_key_of_every_table():
    schema = case_file_schema()
    page = _hooks().schema_page(schema)
    tables = {"CaseFileSpec": schema, **schema["$defs"]}
    for name, table in tables.items():
        assert f"{{#{name.lower()}}}" in page, name
        for key in table.get("properties", {}):
            assert f"| `{key}` |" in page, (name, key)
    # every link to a table has its anchor
    for anchor in re.findall(r"\]\(#([a-z]+)\)", page):
        assert f"{{#{anchor}}}" in page


def test_no_sphinx_role_left_in_docstrings():
    leftovers = [
        f"{path.relative_to(REPO)}:{number}"
        for path in (REPO / "src").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLES.search(line) and "ROLES" not in line
    ]
    assert leftovers == []


@pytest.mark.slow
def test_strict_build_renders_every_reference_and_works_offline(tmp_path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mathjax") is None:
        pytest.skip('the docs extra is not installed: pip install -e ".[docs]"')
    site = tmp_path / "site"
    mkdocs = shutil.which("mkdocs")
    command = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    result = subprocess.run(
        [*command, "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = ROLES.findall(text)
        assert not found, f"{page.relative_to(site)}: unrendered roles {found[:3]}"
        for script in re.findall(r'<script[^>]+src="([^"]+)"', text):
            assert not script.startswith(("http:", "https:", "//")), (page, script)
    # a docstring's cross-reference became a link to the object's entry
    sweeps = (site / "reference" / "sweep" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="autorefs[^>]*href="#pipeline_games\.sweeps\.sweep"', sweeps)
    schema = json.loads((site / "reference" / "case-file.schema.json").read_text())
    assert schema == json.loads(json.dumps(case_file_schema()))
    assert (site / "javascripts" / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    math_page = (site / "explanation" / "coalitions" / "index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in math_page
    assert "javascripts/mathjax/tex-svg.js" in math_page
