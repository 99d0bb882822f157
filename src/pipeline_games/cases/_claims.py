"""Structured claims: parsing, checking at the base values, robustness over the box.

A claim's ``test`` is an inline TOML table of one of four types. Quantity references use
a tiny grammar, parsed with regular expressions (never evaluated as code)::

    REF   := [CONTEXT "."] QUANTITY          e.g. epoch[2014].buyer_share, base.price
    CONTEXT := "base" | "epoch[" YEAR "]"    (default: base = before the first epoch)
    DERIV := "d " QUANTITY " / d " PARAMETER e.g. d buyer_payoff / d seller_alt_volume

* ``{type = "compare", left = REF, op = "<", right = REF or number}``
* ``{type = "threshold", quantity = REF, op = ">=", value = number}``
* ``{type = "sign", quantity = DERIV, at = CONTEXT, expect = "+" or "-"}``
* ``{type = "label", quantity = REF, equals = "..."}``

``op`` is one of ``<``, ``<=``, ``>``, ``>=``. A derivative is a central finite difference
of the parameter's value in force at ``at``; ``"+"`` means strictly positive (beyond a
relative tolerance), so a quantity that does not move fails both ``"+"`` and ``"-"``.

Examples
--------
>>> parse_reference("epoch[2014].buyer_share")
(2014, 'buyer_share')
>>> parse_reference("price")
(None, 'price')
>>> parse_derivative("d buyer_payoff / d seller_alt_volume")
('buyer_payoff', 'seller_alt_volume')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_int
from ..errors import CaseFileError
from ._adapters import ADAPTERS, adapter_status
from .._results import Result

if TYPE_CHECKING:
    from ._schema import Case, Claim

__all__ = [
    "CaseSolution",
    "CheckResult",
    "ClaimResult",
    "check_case",
    "parse_derivative",
    "parse_reference",
    "sample_box",
    "solve_case",
]

FloatArray = NDArray[np.float64]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CONTEXT_RE = re.compile(r"^(?:base|epoch\[(\d{3,4})\])$")
_REF_RE = re.compile(rf"^(?:(base|epoch\[(\d{{3,4}})\])\.)?({_NAME})$")
_DERIV_RE = re.compile(rf"^d\s+({_NAME})\s*/\s*d\s+({_NAME})$")
_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
#: Relative tolerance of comparisons: equal up to rounding is not "<" and is "<=".
COMPARE_TOLERANCE = 1e-9


def _compare(op: str, left: Any, right: Any) -> Any:
    """``left op right`` with a relative tolerance, so rounding noise never decides."""
    tolerance = COMPARE_TOLERANCE * np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
    with np.errstate(invalid="ignore"):
        if op == "<":
            return left < right - tolerance
        if op == "<=":
            return left <= right + tolerance
        if op == ">":
            return left > right + tolerance
        return left >= right - tolerance


_TYPES = {
    "compare": {"type", "left", "op", "right"},
    "threshold": {"type", "quantity", "op", "value"},
    "sign": {"type", "quantity", "at", "expect"},
    "label": {"type", "quantity", "equals"},
}
#: Relative tolerance below which a derivative counts as zero.
SIGN_TOLERANCE = 1e-9
HOLDS, FAILS, NOT_EVALUATED = "holds", "fails", "not evaluated"


def parse_context(text: str) -> int | None:
    """``"base"`` -> ``None``; ``"epoch[2009]"`` -> ``2009``; else ``ValueError``."""
    match = _CONTEXT_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected 'base' or 'epoch[YEAR]', got {text!r}")
    return int(match.group(1)) if match.group(1) else None


def parse_reference(text: str) -> tuple[int | None, str]:
    """Split a quantity reference into ``(year or None, quantity)``."""
    match = _REF_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected [base.|epoch[YEAR].]quantity, got {text!r}")
    year = int(match.group(2)) if match.group(2) else None
    return year, match.group(3)


def parse_derivative(text: str) -> tuple[str, str]:
    """Split ``"d Q / d P"`` into ``(Q, P)``."""
    match = _DERIV_RE.match(text.strip())
    if match is None:
        raise ValueError(f"expected 'd QUANTITY / d PARAMETER', got {text!r}")
    return match.group(1), match.group(2)


def _quantity_adapter(quantity: str) -> str:
    for name, adapter in ADAPTERS.items():
        if quantity in adapter.outputs:
            return name
    raise KeyError(quantity)


def _quantity_labels(quantity: str) -> tuple[str, ...] | None:
    """The labels a label quantity can take, or ``None`` for a numeric quantity."""
    labels = ADAPTERS[_quantity_adapter(quantity)].labels
    return tuple(labels[quantity]) if quantity in labels else None


def validate_claim(
    test: Mapping[str, Any],
    provided: set[str],
    parameters: Mapping[str, Any],
    years: Sequence[int],
    path: Path,
    where: str,
) -> None:
    """Raise :class:`CaseFileError` unless ``test`` is a well-formed claim test."""

    def fail(key: str, message: str) -> CaseFileError:
        return CaseFileError(f"{path}: {where}.{key}: {message}")

    kind = test.get("type")
    if kind not in _TYPES:
        raise fail("type", f"expected one of {', '.join(_TYPES)}, got {kind!r}")
    allowed = _TYPES[kind]
    extra = sorted(set(test) - allowed)
    if extra:
        raise fail(
            extra[0], f"unknown key for a {kind} test; allowed: {', '.join(sorted(allowed))}"
        )
    for key in sorted(allowed):
        if key not in test:
            raise fail(key, f"missing (a {kind} test needs {', '.join(sorted(allowed))})")

    def check_ref(key: str, label: bool = False) -> None:
        value = test[key]
        if not isinstance(value, str):
            raise fail(key, f"expected a quantity reference string, got {value!r}")
        try:
            year, quantity = parse_reference(value)
        except ValueError as exc:
            raise fail(key, str(exc)) from None
        if quantity not in provided:
            raise fail(
                key,
                f"names a missing quantity {quantity!r}; the case's adapters provide "
                f"{', '.join(sorted(provided))}",
            )
        if year is not None and year not in years:
            raise fail(key, f"epoch {year} is not one of the case's epochs {list(years)}")
        labels = _quantity_labels(quantity)
        if label and labels is None:
            raise fail(
                key, f"{quantity!r} is a number, not a label; use a compare or threshold test"
            )
        if not label and labels is not None:
            raise fail(key, f"{quantity!r} is a label; only a label test can refer to it")

    if kind in ("compare", "threshold") and test["op"] not in _OPS:
        raise fail("op", f"expected one of {', '.join(_OPS)}, got {test['op']!r}")
    if kind == "compare":
        check_ref("left")
        right = test["right"]
        if isinstance(right, bool) or not isinstance(right, str | int | float):
            raise fail("right", f"expected a quantity reference or a number, got {right!r}")
        if isinstance(right, str):
            check_ref("right")
    elif kind == "threshold":
        check_ref("quantity")
        value = test["value"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail("value", f"expected a number, got {value!r}")
    elif kind == "label":
        check_ref("quantity", label=True)
        labels = _quantity_labels(parse_reference(test["quantity"])[1]) or ()
        if test["equals"] not in labels:
            raise fail(
                "equals",
                f"expected one of the labels {', '.join(repr(a) for a in labels)}, "
                f"got {test['equals']!r}",
            )
    else:  # sign
        text = test["quantity"]
        if not isinstance(text, str):
            raise fail("quantity", "expected 'd QUANTITY / d PARAMETER'")
        try:
            quantity, parameter = parse_derivative(text)
        except ValueError as exc:
            raise fail("quantity", str(exc)) from None
        if quantity not in provided:
            raise fail("quantity", f"names a missing quantity {quantity!r}")
        if _quantity_labels(quantity) is not None:
            raise fail("quantity", f"{quantity!r} is a label and has no derivative")
        if parameter not in parameters:
            raise fail("quantity", f"names a missing parameter {parameter!r}")
        try:
            year = parse_context(str(test["at"]))
        except ValueError as exc:
            raise fail("at", str(exc)) from None
        if year is not None and year not in years:
            raise fail("at", f"epoch {year} is not one of the case's epochs {list(years)}")
        if test["expect"] not in ("+", "-"):
            raise fail("expect", f"expected '+' or '-', got {test['expect']!r}")


def claim_references(test: Mapping[str, Any]) -> list[tuple[int | None, str]]:
    """``(year, quantity)`` of every quantity a (validated) claim test refers to.

    Examples
    --------
    >>> claim_references({"type": "sign", "quantity": "d price / d volume", "at": "epoch[2014]"})
    [(2014, 'price')]
    """
    if test["type"] == "sign":
        return [(parse_context(str(test["at"])), parse_derivative(test["quantity"])[0])]
    return [
        parse_reference(test[key])
        for key in ("left", "right", "quantity")
        if isinstance(test.get(key), str)
    ]


def _claim_adapters(test: Mapping[str, Any]) -> set[str]:
    return {_quantity_adapter(quantity) for _, quantity in claim_references(test)}


class _Evaluator:
    """Caches adapter outputs per (year, bump) for one set of parameter values."""

    def __init__(self, case: Case, values: Mapping[str, Any]) -> None:
        self.case = case
        self.values = values
        self.cache: dict[Any, dict[str, FloatArray]] = {}

    def outputs(self, year: int | None, bump: tuple[str, float] | None = None) -> dict[str, Any]:
        key = (year, bump)
        if key not in self.cache:
            increments = None if bump is None else {bump[0]: bump[1]}
            self.cache[key] = self.case.outputs_at(self.values, year, increments)
        return self.cache[key]

    def reference(self, text: str) -> FloatArray:
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
            1e-6,
        )
        up = np.asarray(self.outputs(year, (parameter, step))[quantity])
        down = np.asarray(self.outputs(year, (parameter, -step))[quantity])
        return (up - down) / (2.0 * step)


def _evaluate_test(test: Mapping[str, Any], evaluator: _Evaluator) -> tuple[Any, dict[str, Any]]:
    """Boolean array (claim holds) and the numbers behind it."""
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
        return holds, {"left": left, "right": right}
    if kind == "threshold":
        value = evaluator.reference(test["quantity"])
        holds = _compare(test["op"], value, float(test["value"]))
        return holds, {"value": value, "threshold": np.asarray(float(test["value"]))}
    if kind == "sign":
        slope = evaluator.derivative(test["quantity"], str(test["at"]))
        quantity, _ = parse_derivative(test["quantity"])
        level = np.abs(evaluator.outputs(parse_context(str(test["at"])))[quantity])
        tolerance = SIGN_TOLERANCE * np.maximum(level, 1.0)
        holds = slope > tolerance if test["expect"] == "+" else slope < -tolerance
        return holds, {"derivative": slope}
    value = evaluator.reference(test["quantity"])
    return value == test["equals"], {"value": value}


@dataclass(frozen=True, repr=False)
class ClaimResult(Result):
    """The verdict on one claim.

    Attributes
    ----------
    claim
        The claim (id, statement, source, test).
    verdict
        ``"holds"``, ``"fails"`` or ``"not evaluated"`` at the base values.
    details
        The numbers behind the verdict at the base values (left/right, derivative, ...).
    robustness
        Share of the parameter box in which the claim holds (``None`` if not evaluated).
    samples
        Number of box samples behind ``robustness``.
    reason
        Why a claim was not evaluated.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> result = load("china-russia-gas").check(samples=16).results[0]
    >>> result.claim.id, result.verdict, result.details["value"]
    ('regime', 'holds', 'alternatives_on_both_sides')
    """

    claim: Claim
    verdict: str
    details: Mapping[str, float | str] = field(default_factory=dict)
    robustness: float | None = None
    samples: int = 0
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "statement": self.claim.statement,
            "source": self.claim.source,
            "test": dict(self.claim.test),
            "verdict": self.verdict,
            "details": dict(self.details),
            "robustness": self.robustness,
            "samples": self.samples,
            "reason": self.reason,
        }


@dataclass(frozen=True, repr=False)
class CheckResult(Result):
    """Verdicts on all claims of a case.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> check = load("china-russia-gas").check(samples=16, seed=1)
    >>> [r.claim.id for r in check.failed]
    ['china-position-rose-2009', 'price-2014-in-verified-range']
    """

    case: Case
    results: tuple[ClaimResult, ...]
    seed: int
    samples: int

    @property
    def failed(self) -> tuple[ClaimResult, ...]:
        return tuple(r for r in self.results if r.verdict == FAILS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "seed": self.seed,
            "samples": self.samples,
            "claims": [r.to_dict() for r in self.results],
        }


@dataclass(frozen=True, repr=False)
class CaseSolution(Result):
    """Adapter outputs at the base values for every epoch (``None`` key: before them).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> solution = load("china-russia-gas").solve()
    >>> [(year, round(share, 2)) for year, share in solution.path("buyer_share")]
    [(2006, 0.52), (2009, 0.52), (2012, 0.55), (2014, 0.69)]
    """

    case: Case
    outputs: Mapping[int | None, Mapping[str, float | str]]

    def path(self, quantity: str) -> list[tuple[int, float | str]]:
        """``[(year, value), ...]`` of one quantity over the epochs."""
        return [
            (year, self.outputs[year][quantity]) for year in self.case.years if year in self.outputs
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.name,
            "epochs": [{"year": year, **dict(values)} for year, values in self.outputs.items()],
        }


def _scalar(value: Any) -> float | str:
    """One base-value output as a Python float, or a str for a label."""
    array = np.asarray(value)
    return str(array) if array.dtype.kind == "U" else float(array)


def solve_case(case: Case, epoch: int | None = None) -> CaseSolution:
    """Outputs of every available adapter at the base values, per epoch.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> solve_case(load("china-kazakhstan-oil"), 2013).outputs[2013]["regime"]
    'mutual_dependence'
    """
    years: Sequence[int | None]
    if epoch is None:
        years = case.years
    else:
        if epoch not in case.years:
            raise CaseFileError(
                f"{case.path}: epochs: no epoch {epoch}; the case has {list(case.years)}"
            )
        years = [epoch]
    outputs: dict[int | None, dict[str, float | str]] = {}
    for year in years:
        outputs[year] = {k: _scalar(v) for k, v in case.outputs_at(case.base, year).items()}
    return CaseSolution(case, outputs)


def sample_box(case: Case, samples: int, seed: int) -> dict[str, FloatArray]:
    """Scrambled Sobol sample of the parameter box (fixed parameters stay fixed).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> box = sample_box(load("china-russia-gas"), 8, seed=1)
    >>> all(v.shape == (8,) for v in box.values())
    True
    """
    from scipy.stats import qmc

    names = [n for n, p in case.parameters.items() if p.high > p.low]
    values: dict[str, FloatArray] = {
        n: np.full(samples, p.value) for n, p in case.parameters.items()
    }
    if names:
        sampler = qmc.Sobol(d=len(names), scramble=True, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # n not a power of two
            unit = sampler.random(samples)
        low = np.array([case.parameters[n].low for n in names])
        high = np.array([case.parameters[n].high for n in names])
        scaled = qmc.scale(unit, low, high)
        for index, name in enumerate(names):
            values[name] = scaled[:, index]
    return values


def check_case(case: Case, samples: int = 1024, seed: int = 0) -> CheckResult:
    """Verdict of every claim at the base values and its share of the box where it holds.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> check = check_case(load("china-turkmenistan-gas"), samples=64, seed=0)
    >>> {r.claim.id: r.verdict for r in check.results}["diversification-pays-china"]
    'holds'
    """
    base = _Evaluator(case, case.base)
    samples = as_int(samples, "samples", low=0)
    seed = as_int(seed, "seed", low=0)
    box = _Evaluator(case, sample_box(case, samples, seed)) if samples > 0 else None
    results: list[ClaimResult] = []
    for claim in case.claims:
        missing = [a for a in sorted(_claim_adapters(claim.test)) if not adapter_status(a)[0]]
        if missing:
            reasons = "; ".join(
                f"adapter {a} unavailable ({adapter_status(a)[1]})" for a in missing
            )
            results.append(ClaimResult(claim, NOT_EVALUATED, reason=reasons))
            continue
        holds, numbers = _evaluate_test(claim.test, base)
        verdict = HOLDS if bool(np.all(holds)) else FAILS
        details = {k: _scalar(v) for k, v in numbers.items()}
        share = None
        if box is not None:
            box_holds, _ = _evaluate_test(claim.test, box)
            share = float(np.mean(np.broadcast_to(box_holds, (samples,))))
        results.append(ClaimResult(claim, verdict, details, share, samples))
    return CheckResult(case, tuple(results), seed, samples)
