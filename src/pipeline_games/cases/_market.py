"""The market dataset shipped with the cases, and the units it is measured in.

``cases/market/series.csv`` holds published price series (annual, some monthly) and
``cases/market/facts.csv`` one-off facts (capacities, capex, contract terms), one row per
observation with its unit, source key (``cases/bibliography.toml``), locator and status
(``reported``, ``derived`` or ``estimate``). ``cases/market/units.toml`` holds the unit
definitions (for pint) and the sourced conversion factors (MMBtu per kcm of gas, barrels per
tonne of crude) that no unit system can know.

[`market_data`][pipeline_games.cases.market_data] loads both tables once; [`MarketData`][pipeline_games.cases.MarketData] looks values up by series
and year ([`MarketData.value`][pipeline_games.cases.MarketData.value]), returns whole series as arrays
([`MarketData.series`][pipeline_games.cases.MarketData.series]) and the tidy table as a pandas DataFrame
([`MarketData.to_frame`][pipeline_games.cases.MarketData.to_frame]). [`unit_registry`][pipeline_games.cases.unit_registry] gives the pint registry with the
project's units; [`conversion`][pipeline_games.cases.conversion] the multiplier from one unit to another.

Examples
--------
>>> data = market_data()
>>> data.unit("brent_usd_bbl")
'USD/bbl'
>>> years, values = data.series("brent_usd_bbl")
>>> bool(np.all(np.diff(years) > 0)), values.size == years.size
(True, True)
>>> bool(data.value("brent_usd_bbl", int(years[-1])) == values[-1])
True
>>> round(conversion("bcm/yr * USD/kcm", "USD_bn/yr"), 12)
0.001
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import CaseFileError, MissingExtraError
from ._library import cases_dir

__all__ = [
    "STATUSES",
    "Factor",
    "MarketData",
    "Observation",
    "conversion",
    "conversion_via",
    "factors",
    "market_data",
    "unit_registry",
]

FloatArray = NDArray[np.float64]

#: Status of a published figure in the dataset.
STATUSES = frozenset({"reported", "derived", "estimate"})
_COLUMNS = ["series", "year", "month", "value", "unit", "source", "locator", "status", "note"]


@dataclass(frozen=True)
class Observation:
    """One published figure: a value of a series in a year (and month)."""

    series: str
    year: int
    month: int | None
    value: float
    unit: str
    source: str
    locator: str
    status: str
    note: str


@dataclass(frozen=True)
class Factor:
    """A sourced conversion factor from ``units.toml`` (e.g. MMBtu per kcm of gas)."""

    name: str
    value: float
    unit: str
    source: str
    locator: str
    status: str
    note: str = ""


def _market_dir() -> Path:
    return cases_dir() / "market"


def _read_table(path: Path) -> list[Observation]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read the market table ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != _COLUMNS:
        raise CaseFileError(f"{path}: header must be {','.join(_COLUMNS)}; got {reader.fieldnames}")
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            value = float(row["value"])
            year = int(row["year"])
            month = int(row["month"]) if row["month"] else None
        except (TypeError, ValueError):
            raise CaseFileError(
                f"{path}: line {line}: year, month and value must be numbers; got "
                f"{row['year']!r}, {row['month']!r}, {row['value']!r}"
            ) from None
        if not math.isfinite(value):
            raise CaseFileError(f"{path}: line {line}: value must be finite; got {row['value']}")
        if row["status"] not in STATUSES:
            raise CaseFileError(
                f"{path}: line {line}: status must be one of {sorted(STATUSES)}; "
                f"got {row['status']!r}"
            )
        rows.append(
            Observation(
                row["series"],
                year,
                month,
                value,
                row["unit"],
                row["source"],
                row["locator"],
                row["status"],
                row["note"],
            )
        )
    return rows


class MarketData:
    """The market dataset: published series and facts, looked up by name and year.

    Use [`market_data`][pipeline_games.cases.market_data] to get the shipped dataset (loaded once).

    Examples
    --------
    >>> data = market_data()
    >>> years, _ = data.series("gazprom_europe_export_usd_kcm")
    >>> data.observation("gazprom_europe_export_usd_kcm", int(years[0])).unit
    'USD/kcm'
    """

    def __init__(self, observations: Iterable[Observation]) -> None:
        self.observations = tuple(observations)
        self._index: dict[tuple[str, int, int | None], Observation] = {}
        for item in self.observations:
            key = (item.series, item.year, item.month)
            if key in self._index:
                raise CaseFileError(
                    f"market data: duplicate row for series {item.series!r}, year {item.year}"
                    + (f", month {item.month}" if item.month else "")
                )
            self._index[key] = item

    @property
    def names(self) -> tuple[str, ...]:
        """The series and fact names, sorted."""
        return tuple(sorted({item.series for item in self.observations}))

    def observation(self, series: str, year: int, month: int | None = None) -> Observation:
        """The row of ``series`` in ``year`` (and ``month``).

        Raises
        ------
        CaseFileError
            If the series is unknown or has no value for that year, naming what it has.
        """
        if not isinstance(series, str):
            raise CaseFileError(f"market data: series must be a name; got {series!r}")
        for name, value, low, high in (("year", year, 1, 9999), ("month", month, 1, 12)):
            if value is None and name == "month":
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int | np.integer)
                or not low <= value <= high
            ):
                raise CaseFileError(
                    f"market data: {name} must be an integer in [{low}, {high}]"
                    f"{' or None' if name == 'month' else ''}; got {value!r}"
                )
        found = self._index.get((series, year, month))
        if found is not None:
            return found
        if series not in {item.series for item in self.observations}:
            raise CaseFileError(
                f"market data: no series {series!r}; known: {', '.join(self.names)}"
            )
        available = sorted(
            {(item.year, item.month) for item in self.observations if item.series == series},
            key=lambda ym: (ym[0], ym[1] or 0),
        )
        shown = ", ".join(f"{y}" + (f"-{m:02d}" if m else "") for y, m in available)
        when = f"{year}" + (f"-{month:02d}" if month else "")
        raise CaseFileError(
            f"market data: series {series!r} has no value for {when}; it has {shown}"
        )

    def value(self, series: str, year: int, month: int | None = None) -> float:
        """The value of ``series`` in ``year`` (and ``month``), in the series' unit."""
        return self.observation(series, year, month).value

    def unit(self, series: str) -> str:
        """The unit of ``series`` (every row of a series has the same unit)."""
        units = {item.unit for item in self.observations if item.series == series}
        if not units:
            raise CaseFileError(f"market data: no series {series!r}")
        if len(units) > 1:
            raise CaseFileError(f"market data: series {series!r} mixes units {sorted(units)}")
        return units.pop()

    def series(self, name: str, *, monthly: bool = False) -> tuple[NDArray[np.int64], FloatArray]:
        """``(years, values)`` of the annual (or, with ``monthly=True``, monthly) rows.

        Monthly rows come back with fractional years ``year + (month - 0.5) / 12``.
        """
        rows = [
            item
            for item in self.observations
            if item.series == name and ((item.month is not None) == monthly)
        ]
        if not rows:
            raise CaseFileError(
                f"market data: no {'monthly' if monthly else 'annual'} rows for series {name!r}"
            )
        rows.sort(key=lambda item: (item.year, item.month or 0))
        if monthly:
            years = np.array([r.year + ((r.month or 1) - 0.5) / 12 for r in rows])
        else:
            years = np.array([r.year for r in rows], dtype=np.int64)
        return years, np.array([r.value for r in rows])

    def to_frame(self) -> Any:
        """The tidy table as a pandas DataFrame (needs pandas), one row per observation."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the data extra
            raise MissingExtraError("pandas", "data", "MarketData.to_frame") from exc
        frame = pd.DataFrame([item.__dict__ for item in self.observations], columns=_COLUMNS)
        frame["month"] = frame["month"].astype("Int64")
        return frame


@cache
def market_data() -> MarketData:
    """The shipped market dataset (``series.csv`` and ``facts.csv``), loaded once.

    Examples
    --------
    >>> "brent_usd_bbl" in market_data().names
    True
    """
    folder = _market_dir()
    return MarketData([*_read_table(folder / "series.csv"), *_read_table(folder / "facts.csv")])


@cache
def _units_file() -> dict[str, Any]:
    path = _market_dir() / "units.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CaseFileError(f"{path}: cannot read the units file ({exc})") from None


@cache
def factors() -> dict[str, Factor]:
    """The sourced conversion factors of ``units.toml``, by name.

    Examples
    --------
    >>> factors()["mmbtu_per_kcm_gas"].unit
    'MMBtu/kcm'
    """
    table = _units_file().get("factors", {})
    return {
        name: Factor(
            name,
            float(item["value"]),
            str(item["unit"]),
            str(item["source"]),
            str(item.get("locator", "")),
            str(item["status"]),
            str(item.get("note", "")),
        )
        for name, item in table.items()
    }


@cache
def unit_registry() -> Any:
    """A pint ``UnitRegistry`` with the project's units (``USD``, ``USD_bn``, ``bbl``,
    ``MMBtu``, ``kcm``, ``bcm``, ``share``, ``count``), built once.

    ``bbl`` is the 42-gallon oil barrel; money units are their own dimension, with no
    exchange rate between currencies.

    Examples
    --------
    >>> registry = unit_registry()
    >>> float(registry.Quantity(1.0, "bcm").to("kcm").magnitude)
    1000000.0
    """
    import pint

    registry: pint.UnitRegistry[Any] = pint.UnitRegistry(on_redefinition="ignore")
    for definition in _units_file().get("definitions", {}).values():
        registry.define(str(definition))
    registry.define("share = 1")
    registry.define("count = 1")
    return registry


def conversion(source: str, target: str) -> float:
    """The factor that turns a number in unit ``source`` into unit ``target``.

    Raises
    ------
    CaseFileError
        If a unit is unknown or the two have different dimensions.

    Examples
    --------
    >>> conversion("USD/t", "USD/kg")
    0.001
    """
    for name, unit in (("source", source), ("target", target)):
        if not isinstance(unit, str):
            raise CaseFileError(f"{name} must be a unit (a string); got {unit!r}")
    return _conversion(source, target)


@cache
def _conversion(source: str, target: str) -> float:
    import pint

    registry = unit_registry()
    try:
        return float(registry.Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError:
        raise CaseFileError(
            f"unit {source!r} does not convert to {target!r} (different dimensions)"
        ) from None
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError) as exc:
        raise CaseFileError(f"unit {source!r} or {target!r} is not a known unit ({exc})") from None
    except (ZeroDivisionError, ArithmeticError) as exc:  # '1/0', a factor that overflows
        raise CaseFileError(
            f"unit {source!r} or {target!r} is not a usable unit: {exc or type(exc).__name__} "
            "(a unit divides by zero or overflows)"
        ) from None


def conversion_via(source: str, target: str, factor: str | None = None) -> float:
    """The factor that turns a number in ``source`` into ``target``, multiplied or divided by
    a conversion factor of ``units.toml`` where the units alone do not convert (a gas price
    in USD/MMBtu into USD/kcm needs ``mmbtu_per_kcm_gas``).

    Raises
    ------
    CaseFileError
        If the factor is unknown, or the units do not convert with it (or, without one, at all).

    Examples
    --------
    >>> per_kcm = conversion_via("USD/MMBtu", "USD/kcm", "mmbtu_per_kcm_gas")
    >>> per_kcm == factors()["mmbtu_per_kcm_gas"].value
    True
    >>> conversion_via("USD/kcm", "USD/MMBtu", "mmbtu_per_kcm_gas") * per_kcm
    1.0
    """
    if factor is None:
        return conversion(source, target)
    known = factors()
    if factor not in known:
        raise CaseFileError(
            f"no conversion factor {factor!r} in cases/market/units.toml; known: "
            f"{', '.join(sorted(known))}"
        )
    item = known[factor]
    for operator, power in (("*", 1.0), ("/", -1.0)):
        try:
            return conversion(f"({source}) {operator} ({item.unit})", target) * item.value**power
        except CaseFileError:
            continue
    raise CaseFileError(
        f"unit {source!r} does not convert to {target!r}, neither times nor divided by "
        f"{factor} ({item.unit})"
    )


def dimension_of(unit: str) -> str:
    """A string of the dimensions of ``unit`` (for error messages and checks)."""
    import pint

    try:
        return str(unit_registry().Quantity(1.0, unit).dimensionality)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError) as exc:
        raise CaseFileError(f"unit {unit!r} is not a known unit ({exc})") from None
