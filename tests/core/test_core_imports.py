"""Lazy imports: ``import pipeline_games`` and ``pipeline-games --help`` load no heavy module,
while every public name stays reachable (PEP 562 module ``__getattr__``)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pipeline_games as pg

HEAVY = ("scipy.optimize", "nashpy", "pint", "pydantic", "matplotlib", "pandas", "networkx")


def test_import_and_help_load_no_heavy_module():
    code = (
        "import sys, io, contextlib, json\n"
        "import pipeline_games\n"
        "after_import = sorted(sys.modules)\n"
        "from pipeline_games.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help']); main(['--version'])\n"
        "print(json.dumps([after_import, sorted(sys.modules)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    after_import, after_help = json.loads(result.stdout)
    for modules in (after_import, after_help):
        loaded = [name for name in HEAVY if name in modules]
        assert loaded == [], loaded
    assert "numpy" not in after_import


def test_hint_table_matches_the_subpackages():
    for package in pg.REEXPORTED:
        module = importlib.import_module(f"pipeline_games.{package}")
        hinted = sorted(name for name, where in pg._WHERE.items() if where == package)
        assert hinted == sorted(module.__all__), package


def test_every_public_name_resolves_to_its_subpackage_object():
    for package in pg.REEXPORTED:
        module = importlib.import_module(f"pipeline_games.{package}")
        for name in module.__all__:
            assert getattr(pg, name) is getattr(module, name)


def test_dir_and_all_are_complete():
    names = set(dir(pg))
    expected = {"__version__", "cases", "sweeps", "CaseFileError"}
    for package in pg.REEXPORTED:
        expected |= set(importlib.import_module(f"pipeline_games.{package}").__all__)
    assert expected <= names
    assert set(pg.__all__) == expected | {
        "InvalidParameterError", "MissingExtraError", "PipelineGamesError", "SolverError",
        "bargaining", "coalition", "network", "strategic", "transaction",
    }  # fmt: skip
    assert len(pg.__all__) == len(set(pg.__all__))


def test_subpackages_are_modules_and_unknown_names_raise():
    import types

    import pytest

    for package in pg.SUBPACKAGES:
        assert isinstance(getattr(pg, package), types.ModuleType)
        assert importlib.import_module(f"pipeline_games.{package}") is getattr(pg, package)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        pg.no_such_name  # noqa: B018


def test_star_import_gives_the_public_api():
    namespace: dict[str, object] = {}
    exec("from pipeline_games import *", namespace)
    assert {"nash", "TUGame", "sweep", "holdup", "cases"} <= set(namespace)
