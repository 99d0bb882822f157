"""Claims and backtest: solving a case, checking its claims, comparing it with history.

A claim (see `_grammar` for the test types) is checked at the base values and over a
scrambled Sobol sample of the parameters that have a range. A claim is *defined* on a sample
when every number it compares is defined there: a price or a share is not defined where the
parties do not agree. Robustness is the share of the defined samples in which the claim
holds; the result also gives the share of samples that are defined, the share with no deal
in an epoch the claim refers to, and the binomial sampling error of each share
(``sqrt(p (1 - p) / n)``, about 0.015 at 1,024 samples and ``p = 1/2``).

A backtest point compares a model quantity that the case does not take as an input with a
published range: the model's value at the base values, its 5-95% range over the sample, and
whether the base value lies inside the published range. The score is the share of points
inside.

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("china-russia-gas")
>>> check = case.check(samples=64, seed=0)
>>> [r.claim.id for r in check.results] == [c.id for c in case.claims]
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_int
from .._results import Result
from ..errors import CaseFileError, InvalidParameterError
from ._grammar import (
    AGREEMENT_YEAR,
    claim_references,
    parse_context,
    parse_derivative,
    parse_reference,
)

if TYPE_CHECKING:
    from ._case import BacktestPoint, Case, Claim

__all__ = [
    "FAILS",
    "HOLDS",
    "NOT_DEFINED",
    "BacktestResult",
    "BacktestRow",
    "CaseSolution",
    "CheckResult",
    "ClaimResult",
    "backtest_case",
    "check_case",
    "sample_box",
    "solve_case",
]

FloatArray = NDArray[np.float64]
HOLDS, FAILS, NOT_DEFINED = "holds", "fails", "not defined"
#: Relative tolerance of comparisons: equal up to rounding is not "<" and is "<=".
COMPARE_TOLERANCE = 1e-9
#: Relative tolerance below which a derivative counts as zero.
SIGN_TOLERANCE = 1e-9


def _compare(op: str, left: Any, right: Any) -> Any:
    """``left op right`` with a relative tolerance, so rounding noise never decides."""
    tolerance = COMPARE_TOLERANCE * np.maximum(np.abs(left), np.abs(right))
    with np.errstate(invalid="ignore"):
        if op == "<":
            return left < right - tolerance
        if op == "<=":
            return left <= right + tolerance
        if op == ">":
            return left > right + tolerance
        return left >= right - tolerance


def sampling_error(share: float, samples: int) -> float:
    """Binomial standard error ``sqrt(p (1 - p) / n)`` of a share estimated from ``n`` samples.

    Examples
    --------
    >>> round(sampling_error(0.5, 1024), 4)
    0.0156
    """
    if samples <= 0 or not math.isfinite(share):
        return math.nan
    return math.sqrt(max(share * (1.0 - share), 0.0) / samples)


class _Evaluator:
    """Caches adapter outputs per (year, bump) for one set of parameter values."""

    def __init__(self, case: Case, values: Mapping[str, Any]) -> None:
        self.case = case
        self.values = values
        self.cache: dict[Any, dict[str, NDArray[Any]]] = {}

    def outputs(
        self, year: int | None, bump: tuple[str, float] | None = None, timing: bool = True
    ) -> dict[str, Any]:
        """The outputs in ``year``; without ``timing`` the adapters' alone (a bumped
        parameter then changes the epoch asked for only, not every state of the timing)."""
        key = (year, bump, timing)
        if key not in self.cache:
            increments = None if bump is None else {bump[0]: bump[1]}
            if timing:
                self.cache[key] = self.case.outputs_at(self.values, year, increments)
            else:
                self.cache[key] = self.case.adapter_outputs(self.values, year, increments)
        return self.cache[key]

    def reference(self, text: str) -> NDArray[Any]:
        year, quantity = parse_reference(text)
        return np.asarray(self.outputs(year)[quantity])

    def derivative(self, text: str, at: str) -> FloatArray:
        quantity, parameter = parse_derivative(text)
        year = parse_context(at)
        spec = self.case.parameters[parameter]
        # The value in force at ``at`` may come from another parameter (an epoch change).
        in_force = self.case.parameters[self.case.source_parameter(parameter, year)]
        step = 1e-4 * max(
            spec.high - spec.low,
            abs(spec.value),
            in_force.high - in_force.low,
            abs(in_force.value),
            1e-12,
        )
        from ._timing import TIMING_OUTPUTS

        timing = quantity in TIMING_OUTPUTS
        up = np.asarray(self.outputs(year, (parameter, step), timing)[quantity], dtype=np.float64)
        down = np.asarray(
            self.outputs(year, (parameter, -step), timing)[quantity], dtype=np.float64
        )
        return (up - down) / (2.0 * step)

    def agreement(self, year: int | None) -> NDArray[np.bool_] | None:
        outputs = self.outputs(year)
        return np.asarray(outputs["agreement"], dtype=bool) if "agreement" in outputs else None


def _defined(*arrays: NDArray[Any]) -> NDArray[np.bool_]:
    result: Any = True
    for array in arrays:
        if array.dtype.kind == "f":
            result = result & np.isfinite(array)
    return np.asarray(result, dtype=bool)


def _evaluate_test(
    test: Mapping[str, Any], evaluator: _Evaluator
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], dict[str, Any]]:
    """(claim holds, claim defined, the numbers behind it)."""
    kind = test["type"]
    if kind == "compare":
        left = evaluator.reference(test["left"])
        right_spec = test["right"]
        right = (
            evaluator.reference(right_spec)
            if isinstance(right_spec, str)
            else np.asarray(float(right_spec))
        )
        holds = _compare(test["op"], left, right)
        return holds, _defined(left, right), {"left": left, "right": right}
    if kind == "threshold":
        value = evaluator.reference(test["quantity"])
        holds = _compare(test["op"], value, float(test["value"]))
        return (
            holds,
            _defined(value),
            {"value": value, "threshold": np.asarray(float(test["value"]))},
        )
    if kind == "sign":
        slope = evaluator.derivative(test["quantity"], str(test["at"]))
        quantity, _ = parse_derivative(test["quantity"])
        level = np.abs(
            np.asarray(evaluator.outputs(parse_context(str(test["at"])))[quantity], dtype=float)
        )
        tolerance = SIGN_TOLERANCE * level
        with np.errstate(invalid="ignore"):
            holds = slope > tolerance if test["expect"] == "+" else slope < -tolerance
        return holds, _defined(slope, level), {"derivative": slope}
    value = evaluator.reference(test["quantity"])
    return np.asarray(value == test["equals"]), _defined(value), {"value": value}


def _scalar(value: Any) -> float | str | bool | int:
    """One base-value output as a Python scalar (str for a label, bool, int, float)."""
    array = np.asarray(value)
    if array.dtype.kind == "U":
        return str(array)
    if array.dtype.kind == "b":
        return bool(array)
    if array.dtype.kind in "iu":
        return int(array)
    return float(array)


@dataclass(frozen=True, eq=False, repr=False)
class ClaimResult(Result):
    """The verdict on one claim.

    Attributes
    ----------
    claim
        The claim (id, statement, source, locator, test).
    verdict
        ``"holds"``, ``"fails"`` or ``"not defined"`` (at the base values, a number the claim
        compares is not defined, e.g. a price where there is no deal).
    details
        The numbers behind the verdict at the base values (left/right, derivative, ...).
    robustness
        Share of the defined samples in which the claim holds (NaN if none is defined).
    robustness_error
        Its binomial sampling error.
    defined
        Share of the samples on which the claim is defined.
    no_deal
        Share of the samples with no agreement in an epoch the claim refers to (0 for
        claims about cases without a bargaining adapter).
    samples
        Number of samples.
    defined_error, no_deal_error
        (Properties) the binomial sampling errors of ``defined`` and ``no_deal`` over the
        ``samples`` (`sampling_error`).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> result = load("china-russia-gas").check(samples=16).results[0]
    >>> result.verdict in ("holds", "fails", "not defined")
    True
    >>> 0.0 <= result.defined <= 1.0 and 0.0 <= result.no_deal <= 1.0
    True
    >>> result.no_deal_error == sampling_error(result.no_deal, 16)
    True
    """

    claim: Claim
    verdict: str
    details: Mapping[str, float | str | bool | int] = field(default_factory=dict)
    robustness: float = math.nan
    robustness_error: float = math.nan
    defined: float = math.nan
    no_deal: float = math.nan
    samples: int = 0
    method: str = "claim check"

    @property
    def shape(self) -> tuple[int, ...]:
        return ()

    @property
    def defined_error(self) -> float:
        """Binomial sampling error of `defined` (NaN without samples)."""
        return sampling_error(self.defined, self.samples)

    @property
    def no_deal_error(self) -> float:
        """Binomial sampling error of `no_deal` (NaN without samples)."""
        return sampling_error(self.no_deal, self.samples)

    def to_dict(self) -> dict[str, Any]:
        from .._results import plain

        return plain(
            {
                "id": self.claim.id,
                "statement": self.claim.statement,
                "source": self.claim.source,
                "locator": self.claim.locator,
                "test": dict(self.claim.test),
                "verdict": self.verdict,
                "details": dict(self.details),
                "robustness": self.robustness,
                "robustness_error": self.robustness_error,
                "defined": self.defined,
                "defined_error": self.defined_error,
                "no_deal": self.no_deal,
                "no_deal_error": self.no_deal_error,
                "samples": self.samples,
            }
        )

    def labels(self) -> str:
        """The verdict."""
        return self.verdict


@dataclass(frozen=True, eq=False, repr=False)
class CheckResult(Result):
    """Verdicts on all claims of a case.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-gas")
    >>> check = case.check(samples=16, seed=1)
    >>> check.shape == (len(case.claims),)
    True
    """

    case: Case
    results: tuple[ClaimResult, ...]
    seed: int
    samples: int
    method: str = "claims"

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.results),)

    @property
    def failed(self) -> tuple[ClaimResult, ...]:
        """The claims that fail at the base values."""
        return tuple(r for r in self.results if r.verdict == FAILS)

    def labels(self) -> NDArray[np.str_]:
        """The verdict of each claim."""
        return np.array([r.verdict for r in self.results], dtype=str)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "seed": self.seed,
            "samples": self.samples,
            "claims": [r.to_dict() for r in self.results],
        }

    def _frame_columns(self) -> dict[str, Any]:
        rows = [r.to_dict() for r in self.results]
        keys = (
            "id",
            "verdict",
            "robustness",
            "robustness_error",
            "defined",
            "defined_error",
            "no_deal",
            "no_deal_error",
        )
        columns: dict[str, Any] = {
            key: np.array(
                [row[key] for row in rows], dtype=object if key in ("id", "verdict") else float
            )
            for key in keys
        }
        columns["id"] = columns["id"].astype(str)
        columns["verdict"] = columns["verdict"].astype(str)
        return columns


@dataclass(frozen=True, eq=False, repr=False)
class CaseSolution(Result):
    """Adapter outputs at the base values for every epoch.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-gas")
    >>> solution = case.solve()
    >>> [year for year, _ in solution.path("agreement")] == list(case.years)
    True
    """

    case: Case
    outputs: Mapping[int | None, Mapping[str, float | str | bool | int]]
    method: str = "base values"

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.outputs),)

    def path(self, quantity: str) -> list[tuple[int, float | str | bool | int]]:
        """``[(year, value), ...]`` of one quantity over the epochs."""
        return [
            (year, self.outputs[year][quantity]) for year in self.case.years if year in self.outputs
        ]

    def to_dict(self) -> dict[str, Any]:
        from .._results import plain

        return plain(
            {
                "case": self.case.name,
                "epochs": [{"year": year, **dict(values)} for year, values in self.outputs.items()],
            }
        )

    def _frame_columns(self) -> dict[str, Any]:
        years = list(self.outputs)
        names = list(next(iter(self.outputs.values()), {}))
        columns: dict[str, Any] = {"year": np.array(years, dtype=np.int64)}
        for name in names:
            values = [self.outputs[year][name] for year in years]
            columns[name] = np.array(values)
        return columns


def _check_case(case: Any) -> None:
    from ._case import Case

    if not isinstance(case, Case):
        raise InvalidParameterError(f"case must be a Case (see pipeline_games.cases.load); got "
                                    f"{case!r}")  # fmt: skip


def solve_case(case: Case, epoch: int | None = None) -> CaseSolution:
    """Outputs of every adapter at the base values, per epoch.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> year = case.years[-1]
    >>> list(solve_case(case, year).outputs) == [year]
    True
    """
    _check_case(case)
    years: Sequence[int]
    if epoch is None:
        years = case.years
    else:
        if epoch not in case.years:
            raise CaseFileError(
                f"{case.path}: epochs: no epoch {epoch}; the case has {list(case.years)}"
            )
        years = [epoch]
    outputs: dict[int | None, dict[str, float | str | bool | int]] = {}
    for year in years:
        outputs[year] = {k: _scalar(v) for k, v in case.outputs_at(case.base, year).items()}
    return CaseSolution(case, outputs)


def sample_box(
    case: Case, samples: int, seed: int, names: Sequence[str] | None = None
) -> dict[str, FloatArray]:
    """Scrambled Sobol sample of the parameters with a range (the others stay at base).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> box = sample_box(load("china-russia-gas"), 8, seed=1)
    >>> all(v.shape == (8,) for v in box.values())
    True
    """
    _check_case(case)
    from ..sweeps._grid import Sample

    samples = as_int(samples, "samples", low=1, high=2**26)
    seed = as_int(seed, "seed", low=0)
    if names is not None and (isinstance(names, str | bytes) or not isinstance(names, Iterable)):
        raise InvalidParameterError(f"names must be a sequence of parameter names; got {names!r}")
    chosen = tuple(case.varying if names is None else names)
    for name in chosen:
        if not isinstance(name, str) or name not in case.parameters:
            raise InvalidParameterError(
                f"names must name parameters of the case {case.name!r}; got {name!r}"
            )
    values: dict[str, FloatArray] = {n: np.full(samples, v) for n, v in case.base.items()}
    if chosen:
        # The sweep engine's sampler: the same points as ``pg.sweep(case, samples=..., seed=...)``.
        low = np.array([case.parameters[n].low for n in chosen])
        high = np.array([case.parameters[n].high for n in chosen])
        values.update(Sample(chosen, low, high, samples, "sobol", seed=seed).chunk(0, samples, 0))
    return values


def _claim_years(test: Mapping[str, Any]) -> list[int | None]:
    return sorted({year for year, _ in claim_references(test)}, key=lambda y: y or 0)


def _no_deal(evaluator: _Evaluator, years: Sequence[int | None], size: int) -> NDArray[np.bool_]:
    result = np.zeros(size, dtype=bool)
    for year in years:
        agreement = evaluator.agreement(year)
        if agreement is not None:
            result |= ~np.broadcast_to(agreement, (size,))
    return result


def check_case(case: Case, samples: int = 1024, seed: int = 0) -> CheckResult:
    """Verdict of every claim at the base values and its robustness over the box.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> check = check_case(load("china-turkmenistan-gas"), samples=8, seed=0)
    >>> all(r.samples == 8 for r in check.results)
    True
    """
    _check_case(case)
    samples = as_int(samples, "samples", low=0, high=2**26)
    seed = as_int(seed, "seed", low=0)
    base = _Evaluator(case, case.base)
    box = _Evaluator(case, sample_box(case, samples, seed)) if samples > 0 else None
    results: list[ClaimResult] = []
    for claim in case.claims:
        holds, defined, numbers = _evaluate_test(claim.test, base)
        if not bool(np.all(defined)):
            verdict = NOT_DEFINED
        else:
            verdict = HOLDS if bool(np.all(holds)) else FAILS
        details = {k: _scalar(v) for k, v in numbers.items()}
        robustness = error = share_defined = share_no_deal = math.nan
        if box is not None:
            box_holds, box_defined, _ = _evaluate_test(claim.test, box)
            box_holds = np.broadcast_to(box_holds, (samples,))
            box_defined = np.broadcast_to(box_defined, (samples,))
            count = int(box_defined.sum())
            share_defined = count / samples
            if count:
                robustness = float(np.mean(box_holds[box_defined]))
                error = sampling_error(robustness, count)
            share_no_deal = float(np.mean(_no_deal(box, _claim_years(claim.test), samples)))
        results.append(
            ClaimResult(
                claim, verdict, details, robustness, error, share_defined, share_no_deal, samples
            )
        )
    return CheckResult(case, tuple(results), seed, samples)


# -- backtest -----------------------------------------------------------------------------
def quantity_unit(case: Case, quantity: str) -> str | None:
    """The unit of a model quantity, where the case's units say it (``None`` otherwise).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> buyer_value = case.parameters[case.mapping["oil_trade"]["buyer_value"]]
    >>> quantity_unit(case, "price") == buyer_value.unit
    True
    >>> quantity_unit(case, "buyer_share")
    'share'
    """
    if quantity == AGREEMENT_YEAR:
        return "year"
    from ._adapters import ADAPTERS

    # The case's own adapter that provides the quantity (another adapter may share the name).
    adapter = next((name for name in case.adapters if quantity in ADAPTERS[name].outputs), None)
    if adapter is None:  # no adapter of this case provides the quantity
        return None
    if adapter in ("bargaining", "oil_trade"):
        if quantity in ("price", "bargained_price"):
            target = case.mapping.get(adapter, {}).get("buyer_value")
            return case.parameters[target].unit if isinstance(target, str) else None
        if quantity.endswith("_share"):
            return "share"
        if quantity in ("agreement", "binding"):
            return None
        return "USD_bn/yr"
    if quantity.endswith("_share"):
        return "share"
    return None


@dataclass(frozen=True)
class BacktestRow:
    """One backtest point with the model's value (see `BacktestResult`).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> row = load("china-russia-gas").backtest(samples=8).rows[0]
    >>> row.inside == (row.observed[0] <= row.model <= row.observed[1])
    True
    """

    point: BacktestPoint
    model: float
    model_low: float
    model_high: float
    observed: tuple[float, float]
    unit: str
    inside: bool


@dataclass(frozen=True, eq=False, repr=False)
class BacktestResult(Result):
    """The model against published outcomes it did not take as inputs.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> result = load("china-russia-gas").backtest(samples=32)
    >>> result.inside <= len(result.rows)
    True
    """

    case: Case
    rows: tuple[BacktestRow, ...]
    samples: int
    method: str = "backtest"

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows),)

    @property
    def inside(self) -> int:
        """Number of points whose model value lies inside the published range."""
        return sum(row.inside for row in self.rows)

    @property
    def score(self) -> float:
        """Share of points inside the published range (NaN for a case without points)."""
        return self.inside / len(self.rows) if self.rows else math.nan

    def labels(self) -> NDArray[np.str_]:
        """``"inside"`` or ``"outside"`` per point."""
        return np.array(["inside" if row.inside else "outside" for row in self.rows], dtype=str)

    def to_dict(self) -> dict[str, Any]:
        from .._results import plain

        return plain(
            {
                "case": self.case.name,
                "samples": self.samples,
                "score": self.score,
                "points": [
                    {
                        "id": row.point.id,
                        "statement": row.point.statement,
                        "quantity": row.point.quantity,
                        "model": row.model,
                        "model_range": [row.model_low, row.model_high],
                        "observed": list(row.observed),
                        "unit": row.unit,
                        "inside": row.inside,
                        "source": row.point.source,
                        "locator": row.point.locator,
                    }
                    for row in self.rows
                ],
            }
        )

    def _frame_columns(self) -> dict[str, Any]:
        return {
            "id": np.array([r.point.id for r in self.rows], dtype=str),
            "quantity": np.array([r.point.quantity for r in self.rows], dtype=str),
            "model": np.array([r.model for r in self.rows]),
            "model_low": np.array([r.model_low for r in self.rows]),
            "model_high": np.array([r.model_high for r in self.rows]),
            "observed_low": np.array([r.observed[0] for r in self.rows]),
            "observed_high": np.array([r.observed[1] for r in self.rows]),
            "unit": np.array([r.unit for r in self.rows], dtype=str),
            "inside": np.array([r.inside for r in self.rows], dtype=bool),
        }


def _agreement_year(evaluator: _Evaluator, years: Sequence[int], size: int) -> FloatArray:
    first = np.full(size, np.nan)
    for year in reversed(years):
        agreement = evaluator.agreement(year)
        if agreement is None:
            continue
        first = np.where(np.broadcast_to(agreement, (size,)), float(year), first)
    return first


def backtest_case(case: Case, samples: int = 1024, seed: int = 0) -> BacktestResult:
    """Model value (base, and 5-95% over the sample) against each published range.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-gas")
    >>> rows = backtest_case(case, samples=16).rows
    >>> [row.point.id for row in rows] == [point.id for point in case.backtest_points]
    True
    """
    _check_case(case)
    from ._market import conversion_via

    samples = as_int(samples, "samples", low=1, high=2**26)
    seed = as_int(seed, "seed", low=0)
    base = _Evaluator(case, case.base)
    box = _Evaluator(case, sample_box(case, samples, seed))
    rows = []
    for point in case.backtest_points:
        if point.quantity == AGREEMENT_YEAR:
            model = _agreement_year(base, case.years, 1)[0]
            spread = _agreement_year(box, case.years, samples)
            quantity = AGREEMENT_YEAR
        else:
            year, quantity = parse_reference(point.quantity)
            model = float(base.outputs(year)[quantity])
            spread = np.broadcast_to(
                np.asarray(box.outputs(year)[quantity], dtype=np.float64), (samples,)
            )
        unit = quantity_unit(case, quantity) or point.unit
        factor = (
            1.0
            if unit == point.unit and point.factor is None
            else conversion_via(point.unit, unit, point.factor)
        )
        observed = (point.observed[0] * factor, point.observed[1] * factor)
        finite = spread[np.isfinite(spread)]
        low, high = (
            (float(np.quantile(finite, 0.05)), float(np.quantile(finite, 0.95)))
            if finite.size
            else (math.nan, math.nan)
        )
        inside = bool(np.isfinite(model) and observed[0] <= model <= observed[1])
        rows.append(BacktestRow(point, float(model), low, high, observed, unit, inside))
    return BacktestResult(case, tuple(rows), samples)
