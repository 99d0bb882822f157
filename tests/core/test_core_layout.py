"""The layout the project promises: modules are modules, generic packages are generic."""

from __future__ import annotations

import importlib
import re
import types
from pathlib import Path

import pytest

import pipeline_games as pg

SRC = Path(pg.__file__).resolve().parent
SUBPACKAGES = ("bargaining", "transaction", "coalition", "strategic", "sweeps", "network", "cases")
GENERIC = ("bargaining", "transaction", "coalition", "strategic", "sweeps", "network")
#: Names of the case material: none of them may appear in the generic packages.
CASE_WORDS = re.compile(
    r"\b(China|Chinese|Russia|Russian|Kazakh\w*|Turkmen\w*|Uzbek\w*|Tajik\w*|Kyrgyz\w*|"
    r"Gazprom|CNPC|Rosneft|Transneft|ESPO|Kozmino)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_importing_a_subpackage_gives_the_module(name):
    module = importlib.import_module(f"pipeline_games.{name}")
    assert isinstance(module, types.ModuleType)
    assert getattr(pg, name) is module


def test_the_sweep_function_does_not_hide_its_package():
    assert callable(pg.sweep)
    assert isinstance(importlib.import_module("pipeline_games.sweeps"), types.ModuleType)
    assert isinstance(importlib.import_module("pipeline_games.transaction"), types.ModuleType)
    assert callable(pg.transaction.holdup)


@pytest.mark.parametrize("name", GENERIC)
def test_generic_packages_know_nothing_of_the_cases(name):
    offenders = []
    for path in sorted((SRC / name).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CASE_WORDS.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []


def test_top_level_names_are_the_toolkit():
    public = [n for n in dir(pg) if not n.startswith("_")]
    assert "annotations" not in public
    assert set(pg.__all__) <= set(dir(pg))
    for name in pg.__all__:
        assert not CASE_WORDS.search(name), name
