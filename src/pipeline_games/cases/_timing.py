r"""Time in the cases: a case's epochs as the states of a stochastic bargaining game.

A case with a ``[timing]`` table is also read as Merlo and Wilson's (1995) bargaining on a
Markov chain (`pipeline_games.stochastic_bargaining`):

* **states**: the case's epochs, in order (state ``k`` is the environment of epoch ``k``);
* **per state**: the joint gain and each side's outside option are the outputs of the case's
  adapter in that epoch (by default ``surplus``, ``buyer_outside_option`` and
  ``seller_outside_option``, all in the same money unit), at the same parameter values;
* **outside options**, two readings (``options``):

  - ``"inside"`` (default): each side earns its alternative while the talks go on and the
    talks never end without a deal; the stake of the game in state ``s`` is the gain of the
    deal over the alternatives, ``pi(s) = surplus(s) - o_buyer(s) - o_seller(s)``, and there
    is no opting out (Merlo and Wilson's model, on the net gain);
  - ``"opt_out"``: opting out ends the talks for good with the outside options (the
    solver's outside options; the iteration may then fail to converge, which is reported);

* **values**: ``"flows"`` (default) when the adapter's outputs are yearly flows that go on
  after a deal: the value of agreeing in state ``s`` is then the expected present value of
  the flows of the states the environment moves through afterwards,
  ``X(s) = period f(s) + delta P X(s)`` at the mean of the two discount rates (and the
  outside options likewise), so a deal struck in a low-price state still earns the later
  states' prices; ``"present_values"`` when the outputs already are the values of agreeing
  in the state;
* **transitions**: from state ``k`` the environment moves to state ``k + 1`` with a
  per-year probability ``advance_k`` (case parameters: sourced assumptions with ranges), and
  the last state is absorbing; with a bargaining period of ``period`` years the per-period
  probability is ``1 - (1 - advance_k)^period``;
* **discount factors**: ``delta_i = exp(-r_i period)`` from the case's discount rates
  (the parameters named ``buyer_rate`` and ``seller_rate``), in force in the epoch
  ``rates_epoch`` (default: the first). The solver takes one discount factor per player,
  so rates that change between epochs enter the timing only through that epoch;
* **protocol**: ``"alternating"`` offers (the first proposer of each state is
  ``first_proposer``; `pipeline_games.alternating_states`) or ``"random"`` proposers
  (the buyer proposes with probability ``buyer_proposes``).

Outputs, available to claims and the backtest as ``epoch[YEAR].<quantity>`` (floats; NaN
where the iteration did not converge, never a deal):

``agrees_at_once``
    1 if the parties strike a deal at once in the state of epoch ``YEAR`` whoever proposes
    (the state is in the agreement set), else 0.
``agreement_by_year``
    Probability that a deal has been struck by the end of year ``YEAR``, the talks starting in
    the first epoch's state in the first epoch's year.
``agreement_probability``
    Probability of a deal ever, from the state of epoch ``YEAR``.
``expected_agreement_year``
    ``YEAR`` plus the expected delay (in years) before the deal, given one, from the state of
    epoch ``YEAR``; NaN where a deal is never struck.
``timing_converged``
    1 where the solver converged, 0 where it did not.

Examples
--------
>>> from pipeline_games.cases._timing import TIMING_OUTPUTS
>>> TIMING_OUTPUTS[:2]
('agrees_at_once', 'agreement_by_year')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._results import Result
from ..bargaining import alternating_states, stochastic_bargaining
from ..errors import CaseFileError

if TYPE_CHECKING:
    from ._case import Case
    from ._schema import TimingSpec

__all__ = [
    "TIMING_OUTPUTS",
    "CaseTiming",
    "case_timing",
    "timing_outputs",
    "validate_timing",
]

FloatArray = NDArray[np.float64]

#: The quantities the timing adds to every epoch (see the module docstring).
TIMING_OUTPUTS = (
    "agrees_at_once",
    "agreement_by_year",
    "agreement_probability",
    "expected_agreement_year",
    "timing_converged",
)
#: Solved timings kept for reuse (the claim checker asks for every epoch in turn).
_CACHE_SIZE = 8
_CACHE: list[tuple[tuple[int, int, tuple[tuple[str, float], ...]], Any, dict[str, Any]]] = []


def _advance_names(spec: TimingSpec, count: int) -> list[str]:
    names = [spec.advance] if isinstance(spec.advance, str) else list(spec.advance)
    return names * count if len(names) == 1 else names


def validate_timing(
    spec: TimingSpec,
    parameters: Mapping[str, Any],
    provided: set[str],
    years: Sequence[int],
    path: Path,
) -> None:
    """Raise `CaseFileError` unless the ``[timing]`` table fits the case."""
    from ._market import dimension_of

    def fail(key: str, message: str) -> CaseFileError:
        return CaseFileError(f"{path}: timing.{key}: {message}")

    if len(years) < 2:
        raise fail("advance", f"needs at least two epochs (states); the case has {list(years)}")
    for key in ("surplus", "buyer_outside_option", "seller_outside_option"):
        quantity = getattr(spec, key)
        if quantity not in provided:
            raise fail(
                key,
                f"{quantity!r} is not an output of the case's adapters "
                f"({', '.join(sorted(provided))})",
            )
    for key in ("buyer_rate", "seller_rate"):
        name = getattr(spec, key)
        if name not in parameters:
            raise fail(key, f"no parameter {name!r} in this case")
        parameter = parameters[name]
        if dimension_of(parameter.unit) != dimension_of("1/yr"):
            raise fail(key, f"{name!r} must be a rate per year (1/yr); it is in {parameter.unit}")
        if not (parameter.low > 0 or (parameter.origin == "derived" and parameter.value > 0)):
            raise fail(
                key, f"{name!r} must be positive over its range; its low end is {parameter.low}"
            )
    names = [spec.advance] if isinstance(spec.advance, str) else list(spec.advance)
    if len(names) not in (1, len(years) - 1):
        raise fail(
            "advance",
            f"give one parameter, or one per move between the {len(years)} epochs "
            f"({len(years) - 1}); got {len(names)}",
        )
    for name in names:
        if name not in parameters:
            raise fail("advance", f"no parameter {name!r} in this case")
        parameter = parameters[name]
        if dimension_of(parameter.unit) != dimension_of("share"):
            raise fail(
                "advance", f"{name!r} must be a probability (share); it is in {parameter.unit}"
            )
        low = parameter.value if parameter.origin == "derived" else parameter.low
        high = parameter.value if parameter.origin == "derived" else parameter.high
        if not (low >= 0.0 and high <= 1.0):
            raise fail("advance", f"{name!r} must lie in [0, 1]; its range is [{low}, {high}]")
    if spec.rates_epoch is not None and spec.rates_epoch not in years:
        raise fail("rates_epoch", f"{spec.rates_epoch} is not one of the epochs {list(years)}")


@dataclass(frozen=True, eq=False, repr=False)
class CaseTiming(Result):
    """The timing of agreement in a case whose epochs are the states of a Markov chain.

    Attributes
    ----------
    years
        ``(K,)``: the epoch years (the states).
    stake, buyer_outside_option, seller_outside_option
        ``(..., K)``: what the game is about in each state (the stake is the net gain under
        ``options = "inside"``, the joint gain under ``"opt_out"``) and the outside options.
    agrees_at_once
        ``(..., K)``: 1 where the deal is struck at once in the state, 0 where not, NaN where
        the solver did not converge.
    calendar
        ``(H,)``: the years ``first year .. first year + H - 1``.
    agreement_by_year
        ``(..., H)``: probability of a deal by the end of each year of ``calendar``, from the
        first epoch's state (NaN where not converged).
    agreement_probability, expected_agreement_year
        ``(..., K)``: from each state, the probability of a deal ever and the expected year of
        the deal given one (NaN where never or not converged).
    converged
        ``(...)`` bool: whether the solver converged at each point.
    solution
        The `pipeline_games.StochasticBargainingResult`.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> from pipeline_games.cases._timing import case_timing
    >>> timing = case_timing(load("china-russia-oil"))
    >>> int(timing.years[0]), timing.agreement_by_year.shape[-1] >= 1
    (2004, True)
    """

    years: NDArray[np.int64]
    stake: FloatArray
    buyer_outside_option: FloatArray
    seller_outside_option: FloatArray
    agrees_at_once: FloatArray
    calendar: NDArray[np.int64]
    agreement_by_year: FloatArray
    agreement_probability: FloatArray
    expected_agreement_year: FloatArray
    converged: NDArray[np.bool_]
    solution: Any = None
    method: str = "case timing"

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.converged.shape)

    def _frame_columns(self) -> dict[str, Any]:
        size = int(np.prod(self.shape, dtype=np.int64))
        columns: dict[str, Any] = {"converged": self.converged.reshape(size)}
        for index, year in enumerate(self.years):
            columns[f"agrees_at_once_{year}"] = self.agrees_at_once[..., index].reshape(size)
            columns[f"expected_agreement_year_{year}"] = self.expected_agreement_year[
                ..., index
            ].reshape(size)
        return columns

    def labels(self) -> NDArray[np.str_]:
        """``"agree"``, ``"wait"`` or ``"not converged"`` per state, shape ``(..., K)``."""
        labels = np.where(self.agrees_at_once >= 1.0, "agree", "wait").astype("<U13")
        labels[np.isnan(self.agrees_at_once)] = "not converged"
        return labels


def _state_inputs(
    case: Case, values: Mapping[str, Any], bump: Mapping[str, Any] | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per state (last axis): the joint gain and the outside options; the discount rates
    and the per-year advance probabilities (last axis K - 1)."""
    spec = case.timing
    assert spec is not None
    years = case.years
    gains, buyer, seller = [], [], []
    for year in years:
        outputs = case.adapter_outputs(values, year, bump)
        gains.append(np.asarray(outputs[spec.surplus], dtype=np.float64))
        buyer.append(np.asarray(outputs[spec.buyer_outside_option], dtype=np.float64))
        seller.append(np.asarray(outputs[spec.seller_outside_option], dtype=np.float64))
    rates_year = years[0] if spec.rates_epoch is None else spec.rates_epoch
    current = case.epoch_values(values, rates_year, bump)
    rates = (
        np.asarray(current[spec.buyer_rate], dtype=np.float64),
        np.asarray(current[spec.seller_rate], dtype=np.float64),
    )
    advance = []
    for index, name in enumerate(_advance_names(spec, len(years) - 1)):
        in_force = case.epoch_values(values, years[index], bump)
        advance.append(np.asarray(in_force[name], dtype=np.float64))
    shape = np.broadcast_shapes(*(np.shape(a) for a in (*gains, *buyer, *seller, *rates, *advance)))

    def stack(arrays: list[FloatArray]) -> FloatArray:
        return np.stack([np.broadcast_to(a, shape) for a in arrays], axis=-1)

    return (
        stack(gains),
        stack(buyer),
        stack(seller),
        np.broadcast_to(rates[0], shape),
        np.broadcast_to(rates[1], shape),
        stack(advance),
    )


def _solve(case: Case, values: Mapping[str, Any], bump: Mapping[str, Any] | None) -> dict[str, Any]:
    """The timing at parameter ``values`` (arrays broadcast), all states at once."""
    spec = case.timing
    assert spec is not None
    gain, buyer_option, seller_option, buyer_rate, seller_rate, advance = _state_inputs(
        case, values, bump
    )
    years = np.asarray(case.years, dtype=np.int64)
    k = len(years)
    period = float(spec.period)
    if np.any(buyer_rate <= 0) or np.any(seller_rate <= 0):
        raise CaseFileError(
            f"{case.path}: timing: the discount rates must be positive; got buyer "
            f"{np.min(buyer_rate):g}, seller {np.min(seller_rate):g}"
        )
    step = 1.0 - (1.0 - np.clip(advance, 0.0, 1.0)) ** period  # (..., K - 1)
    transition = np.zeros((*step.shape[:-1], k, k))
    index = np.arange(k - 1)
    transition[..., index, index + 1] = step
    transition[..., index, index] = 1.0 - step
    transition[..., k - 1, k - 1] = 1.0
    discount = (np.exp(-buyer_rate * period), np.exp(-seller_rate * period))
    if spec.values == "flows":
        # A deal struck in state s earns the flows of the states the environment moves
        # through afterwards: its value is their expected present value along the chain,
        # at the mean of the two discount rates (and likewise the alternatives).
        common = np.exp(-0.5 * (buyer_rate + seller_rate) * period)[..., None, None]
        system = np.eye(k) - common * transition

        def present(flow: FloatArray) -> FloatArray:
            return np.linalg.solve(system, (period * flow)[..., None])[..., 0]

        gain, buyer_option, seller_option = (
            present(gain),
            present(buyer_option),
            present(seller_option),
        )
    if spec.options == "inside":
        stake = gain - buyer_option - seller_option
        options = None
    else:
        stake = gain
        options = (buyer_option, seller_option)
    if spec.protocol == "alternating":
        chain = alternating_states(stake, transition, options)
        solution = stochastic_bargaining(
            chain["surplus"],
            chain["transition"],
            discount,
            proposer=chain["proposer"],
            outside_options=chain["outside_options"],
        )
        first = 0 if spec.first_proposer == "buyer" else 1
        starts = 2 * np.arange(k) + first
        agreement = solution.agreement.reshape(*solution.shape, k, 2).all(axis=-1)
    else:
        solution = stochastic_bargaining(
            stake,
            transition,
            discount,
            proposer=spec.buyer_proposes,
            outside_options=options,
        )
        starts = np.arange(k)
        agreement = solution.agreement
    horizon_periods = max(1, math.ceil(spec.horizon / period))
    timing = solution.timing(start=None, horizon=horizon_periods)
    probability = np.take(timing.probability, starts, axis=-1)
    delay = np.take(timing.expected_delay, starts, axis=-1)
    by_period = np.take(timing.by_period, starts[:1], axis=-2)[..., 0, :]
    converged = np.asarray(solution.converged, dtype=bool)
    calendar = years[0] + np.arange(math.ceil(spec.horizon))
    # A year's probability: the periods that end within it (period t ends at (t + 1) period).
    ends = np.floor((np.arange(horizon_periods) + 1) * period - 1e-9).astype(np.int64)
    by_year = np.full((*by_period.shape[:-1], calendar.size), 0.0)
    for offset in range(calendar.size):
        done = np.nonzero(ends <= offset)[0]
        if done.size:
            by_year[..., offset] = by_period[..., done[-1]]
    ok = converged[..., None]
    with np.errstate(invalid="ignore"):
        expected = np.where(probability > 0, years + delay * period, np.nan)
    return {
        "years": years,
        "stake": stake,
        "buyer_outside_option": buyer_option,
        "seller_outside_option": seller_option,
        "agrees_at_once": np.where(ok, agreement.astype(np.float64), np.nan),
        "calendar": calendar,
        "agreement_by_year": np.where(ok, by_year, np.nan),
        "agreement_probability": np.where(ok, probability, np.nan),
        "expected_agreement_year": np.where(ok, expected, np.nan),
        "converged": converged,
        "solution": solution,
    }


def _cached(
    case: Case, values: Mapping[str, Any], bump: Mapping[str, Any] | None
) -> dict[str, Any]:
    key = (
        id(case),
        id(values),
        tuple(sorted((name, float(np.sum(step))) for name, step in (bump or {}).items())),
    )
    for cached_key, cached_values, result in _CACHE:
        if cached_key == key and cached_values is values:
            return result
    result = _solve(case, values, bump)
    _CACHE.append((key, values, result))
    del _CACHE[:-_CACHE_SIZE]
    return result


def timing_outputs(
    case: Case, values: Mapping[str, Any], year: int | None, bump: Mapping[str, Any] | None = None
) -> dict[str, FloatArray]:
    """The timing quantities of epoch ``year`` (``None``: the first epoch's).

    Used by `pipeline_games.cases.Case.outputs_at` for cases with a ``[timing]`` table.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> out = timing_outputs(case, case.base, case.years[0])
    >>> sorted(out) == sorted(TIMING_OUTPUTS)
    True
    """
    solved = _cached(case, values, bump)
    years = list(case.years)
    # The state in force in ``year``: the last epoch that started by then (the first before).
    position = 0 if year is None else max([0, *(i for i, y in enumerate(years) if y <= year)])
    calendar = solved["calendar"]
    target = years[position] if year is None else year
    column = int(np.clip(target - calendar[0], 0, calendar.size - 1))
    return {
        "agrees_at_once": solved["agrees_at_once"][..., position],
        "agreement_by_year": solved["agreement_by_year"][..., column],
        "agreement_probability": solved["agreement_probability"][..., position],
        "expected_agreement_year": solved["expected_agreement_year"][..., position],
        "timing_converged": solved["converged"].astype(np.float64),
    }


def case_timing(case: Case, values: Mapping[str, Any] | None = None) -> CaseTiming:
    """Solve the case's ``[timing]`` game at ``values`` (default: the base values).

    ``values`` maps parameter names to numbers or arrays (the others keep their base
    values); the result has their broadcast shape.

    Raises
    ------
    CaseFileError
        If the case has no ``[timing]`` table.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> timing = case_timing(load("china-kazakhstan-oil"))
    >>> timing.agrees_at_once.shape == timing.years.shape
    True
    """
    if case.timing is None:
        raise CaseFileError(f"{case.path}: timing: the case has no [timing] table")
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in (values or {}).items()}
    unknown = sorted(set(arrays) - set(case.parameter_names))
    if unknown:
        raise CaseFileError(
            f"{case.path}: timing: unknown parameter(s) {unknown}; known: "
            f"{', '.join(case.parameter_names)}"
        )
    solved = _solve(case, {**case.base, **arrays}, None)
    return CaseTiming(**solved)


def _not_an_adapter(params: Mapping[str, Any]) -> dict[str, Any]:
    raise CaseFileError(
        "timing is not an adapter to list in [model] adapters; give the case a [timing] table"
    )


def _adapters() -> dict[str, Any]:
    from ._adapters import Adapter

    return {
        "timing": Adapter(
            name="timing",
            function=_not_an_adapter,
            required=(),
            outputs=TIMING_OUTPUTS,
            description=(
                "set by the [timing] table, not listed in [model] adapters: the epochs as "
                "states of stochastic bargaining (pipeline_games.stochastic_bargaining): "
                "agreement at once per state, probability of a deal by each year, expected "
                "agreement year"
            ),
        )
    }


#: The pseudo-adapter that names the timing quantities (merged into ``ADAPTERS``, so that
#: claims and backtest points can refer to them); cases do not list it.
TIMING_ADAPTERS: dict[str, Any] = _adapters()
