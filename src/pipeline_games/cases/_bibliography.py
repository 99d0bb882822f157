"""The project's bibliography: every source a case file, the dataset or the docs cite.

``cases/bibliography.toml`` has one table per key with ``author``, ``title``, ``publisher``,
``year``, ``url`` and ``kind``. Case files and the market dataset cite keys (plus a locator);
loading a case with an unknown key fails with [`CaseFileError`][pipeline_games.errors.CaseFileError].

Examples
--------
>>> entry = bibliography()["rubinstein_1982"]
>>> entry.year
1982
>>> cite("rubinstein_1982")[:10]
'Rubinstein'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from ..errors import CaseFileError
from ._library import cases_dir

__all__ = ["Reference", "bibliography", "cite"]


@dataclass(frozen=True)
class Reference:
    """One entry of the bibliography.

    Examples
    --------
    >>> bibliography()["nash_1950"].kind
    'article'
    """

    key: str
    author: str
    title: str
    publisher: str
    year: int
    url: str
    kind: str
    note: str = ""

    def citation(self) -> str:
        """Author (year), *title*, publisher, as one line of text."""
        where = f", {self.publisher}" if self.publisher else ""
        link = f", {self.url}" if self.url else ""
        return f"{self.author} ({self.year}), {self.title}{where}{link}"


@cache
def bibliography() -> dict[str, Reference]:
    """Every reference by key, from ``cases/bibliography.toml`` (read once).

    Examples
    --------
    >>> "rubinstein_1982" in bibliography()
    True
    """
    path = cases_dir() / "bibliography.toml"
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CaseFileError(f"{path}: cannot read the bibliography ({exc})") from None
    references = {}
    for key, item in table.items():
        try:
            references[key] = Reference(
                key,
                str(item["author"]),
                str(item["title"]),
                str(item.get("publisher", "")),
                int(item["year"]),
                str(item.get("url", "")),
                str(item["kind"]),
                str(item.get("note", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CaseFileError(f"{path}: {key}: incomplete entry ({exc!r})") from None
    return references


def cite(key: str, locator: str = "") -> str:
    """A one-line citation of ``key`` (with its locator).

    Raises
    ------
    CaseFileError
        If the key is not in the bibliography.

    Examples
    --------
    >>> cite("nash_1950", "p. 155").endswith("p. 155")
    True
    """
    references = bibliography()
    if key not in references:
        raise CaseFileError(f"bibliography: unknown source key {key!r}")
    text = references[key].citation()
    return f"{text}; {locator}" if locator else text
