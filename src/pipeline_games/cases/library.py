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

from importlib import resources
from pathlib import Path

from ..errors import CaseFileError
from .model import Case, read_case_file

__all__ = ["case_path", "list_cases", "load"]


def _data_dir() -> Path:
    return Path(str(resources.files("pipeline_games.cases") / "data"))


def list_cases() -> list[str]:
    """Names of the shipped cases, sorted.

    Examples
    --------
    >>> list_cases()
    ['china-kazakhstan-oil', 'china-russia-gas', 'china-russia-oil', 'china-turkmenistan-gas']
    """
    return sorted(path.stem for path in _data_dir().glob("*.toml"))


def case_path(name: str) -> Path:
    """The file of a shipped case, or ``name`` itself if it is a path to a ``.toml`` file.

    Examples
    --------
    >>> case_path("china-russia-gas").name
    'china-russia-gas.toml'
    """
    candidate = Path(name)
    if candidate.suffix == ".toml" or candidate.exists():
        return candidate
    path = _data_dir() / f"{name}.toml"
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
