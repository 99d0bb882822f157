"""Sourced numbers: every model parameter carries its range, unit, kind and source.

A :class:`SourcedValue` is how the case library, the case networks and the case games state
the numbers they use: the value, the plausible range ``[low, high]`` used for robustness
checks, the unit, whether the number is *reported* by a source, *derived* from reported
numbers, or an *assumption*, and where it comes from (seed document and section, or a
published reference).

Examples
--------
>>> from pipeline_games.cases._sources import SourcedValue
>>> capacity = SourcedValue(25.0, 25.0, 30.0, "bcm/yr", "reported",
...                         "004 review, Turkmen gas line table (line D)")
>>> capacity.as_tuple()[:3]
(25.0, 25.0, 30.0)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidParameterError

__all__ = ["KINDS", "SourcedValue"]

#: The allowed kinds of a sourced number.
KINDS = ("reported", "derived", "assumption")


@dataclass(frozen=True)
class SourcedValue:
    """A model number with its range, unit, kind and source.

    Attributes
    ----------
    value
        The base value.
    low, high
        The range used for robustness checks; ``low <= value <= high``.
    unit
        The unit, e.g. ``"bcm/yr"`` or ``"USD/kcm"``.
    kind
        ``"reported"``, ``"derived"`` or ``"assumption"``.
    source
        Seed document and section, or a published reference.

    Examples
    --------
    >>> from pipeline_games import SourcedValue
    >>> line_a = SourcedValue(20.0, 20.0, 20.0, "bcm/yr", "reported", "seed 004, Table 1")
    >>> line_a.as_tuple()
    (20.0, 20.0, 20.0, 'bcm/yr', 'reported', 'seed 004, Table 1')
    >>> SourcedValue(50.0, 25.0, 40.0, "bcm/yr", "assumption", "a guess")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: value must lie in [low, high] = [25.0, 40.0]; got 50.0
    """

    value: float
    low: float
    high: float
    unit: str
    kind: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidParameterError(
                f"kind must be 'reported', 'derived' or 'assumption'; got {self.kind!r}"
            )
        if not self.low <= self.value <= self.high:
            raise InvalidParameterError(
                f"value must lie in [low, high] = [{self.low}, {self.high}]; got {self.value}"
            )
        if not self.source.strip():
            raise InvalidParameterError("source must name a document and section or a reference")

    def as_tuple(self) -> tuple[float, float, float, str, str, str]:
        """``(value, low, high, unit, kind, source)``."""
        return (self.value, self.low, self.high, self.unit, self.kind, self.source)
