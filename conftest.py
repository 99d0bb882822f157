"""Run every Python code block in the docs and the README as a test (Sybil).

Blocks in one Markdown file share a namespace and run in order, like a notebook, with the
current directory set to a fresh temporary folder (examples may write files).
"""

from __future__ import annotations

import os

import matplotlib
import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

matplotlib.use("Agg")


@pytest.fixture
def _in_tmp_path(tmp_path):
    previous = os.getcwd()
    os.chdir(tmp_path)
    yield
    os.chdir(previous)


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md"],
    excludes=["CHANGELOG.md", "CONTRIBUTING.md", "site/*", ".venv/*", "venv/*"],
    fixtures=["_in_tmp_path"],
).pytest()
