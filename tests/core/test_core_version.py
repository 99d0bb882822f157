"""The version is stated once (pipeline_games.__version__) and repeated nowhere else."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pipeline_games as pg

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/pipeline_games/__init__.py"


def test_citation_file_states_the_package_version():
    text = (ROOT / "CITATION.cff").read_text()
    match = re.search(r"^version:\s*(\S+)\s*$", text, flags=re.M)
    assert match is not None
    assert match.group(1) == pg.__version__
