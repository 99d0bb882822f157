"""The shipped case library: list and load cases by name or by path.

Examples
--------
>>> from pipeline_games.cases import list_cases, load
>>> "china-russia-gas" in list_cases()
True
>>> load("china-kazakhstan-oil").dyad
('China', 'Kazakhstan')
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import CaseFileError
from ._case import Case, read_case_file

__all__ = ["case_path", "cases_dir", "list_cases", "load"]

#: Files in the case folder that are not cases.
NOT_CASES = frozenset({"bibliography"})


@cache
def cases_dir() -> Path:
    """The folder of the shipped case files (the repository's top-level ``cases/``).

    An installed wheel carries it as ``pipeline_games/_cases``; a checkout (an editable
    install, or ``src/`` on the path) finds it at the repository's top level. Both are looked
    up the same way, the packaged copy first.

    Examples
    --------
    >>> (cases_dir() / "china-russia-gas.toml").is_file()
    True
    """
    packaged = Path(str(resources.files("pipeline_games") / "_cases"))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "cases"
    if checkout.is_dir():
        return checkout
    raise CaseFileError(
        f"the case folder is missing: looked for {packaged} (installed wheel) and {checkout} "
        "(checkout); reinstall pipeline_games"
    )


def list_cases() -> list[str]:
    """Names of the shipped cases, sorted.

    Examples
    --------
    >>> list_cases()
    ['china-kazakhstan-oil', 'china-russia-gas', 'china-russia-oil', 'china-turkmenistan-gas', 'eurasian-gas', 'eurasian-oil']
    """
    return sorted(p.stem for p in cases_dir().glob("*.toml") if p.stem not in NOT_CASES)


def case_path(name: str) -> Path:
    """The file of a shipped case, or ``name`` itself if it is a path to a ``.toml`` file.

    Examples
    --------
    >>> case_path("china-russia-gas").name
    'china-russia-gas.toml'
    """
    if not isinstance(name, str | os.PathLike) or "\0" in str(name):
        raise CaseFileError(f"a case must be named by a string or a path; got {name!r}")
    candidate = Path(name)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    path = cases_dir() / f"{name}.toml"
    if not path.exists():
        raise CaseFileError(
            f"{name}: no such case; shipped cases are {', '.join(list_cases())} "
            "(or give the path of a .toml file)"
        )
    return path


def load(name: str | Path) -> Case:
    """Load a shipped case by name, or a case file by path (``"my.toml"``).

    Examples
    --------
    >>> load("china-turkmenistan-gas").dyad
    ('China', 'Turkmenistan')
    """
    return read_case_file(case_path(str(name)))
