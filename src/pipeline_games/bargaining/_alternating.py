r"""Alternating-offers bargaining (Rubinstein 1982) with outside options, inside options,
breakdown risk and a finite horizon.

The model
---------
Two players bargain over the frontier of a [`BargainingProblem`][pipeline_games.bargaining.BargainingProblem]. In each
period one of them proposes a frontier point; the other accepts, rejects, or (if it has an
outside option) opts out, in which case the talks end and both players get their outside
options ``w = (w0, w1)``. After a rejection the talks break down with probability ``p``
(``breakdown``), leaving both players with the problem's disagreement point ``d``;
otherwise a period passes, during which each player receives its inside option (the payoff
of continued disagreement, ``g``, stated as a present value so that a player who disagrees
for ever gets ``g``), and the roles swap.

For player ``i`` define the *effective discount factor* and the *impasse payoff*

.. math::

    b_i = (1 - p)\,\delta_i, \qquad
    a_i = p\,d_i + (1 - p)(1 - \delta_i)\,g_i, \qquad
    e_i = a_i / (1 - b_i),

so that rejecting an offer and then getting ``X`` as the next proposer is worth
``a_i + b_i X``. Without outside options the unique subgame-perfect equilibrium is
stationary: player 0 proposes ``(x, f(x))`` and player 1 proposes ``(y, f(y))`` with

.. math::

    f(x) = \max(w_1,\ a_1 + b_1 f(y)), \qquad y = \max(w_0,\ a_0 + b_0 x),

where ``f`` is the frontier. This nests the classical results:

* ``p = 0``, ``g = 0``, linear frontier of size ``S``: Rubinstein's split
  ``x = S (1 - \delta_1) / (1 - \delta_0 \delta_1)`` (Rubinstein 1982);
* inside options ``g`` with ``p = 0``: ``x = g_0 + (1 - \delta_1)(S - g_0 - g_1) /
  (1 - \delta_0\delta_1)`` (Muthoo 1999, ch. 6, inside options);
* breakdown risk with ``\delta \to 1``: as ``p \to 0`` the outcome tends to the symmetric Nash
  solution with disagreement point ``d`` (Binmore, Rubinstein and Wolinsky 1986); as
  ``p \to 1`` the first proposer gets everything above the responder's ``d`` (ultimatum);
* outside options: an outside option affects the outcome only if it exceeds what its owner
  gets in the equilibrium without it (the outside option principle; Binmore, Shaked and
  Sutton 1989; Muthoo 1999, Theorem 5.1);
* discount rates ``r_i`` and period length ``\Delta`` with ``\delta_i = e^{-r_i \Delta}``: as
  ``\Delta \to 0`` the outcome tends to the Nash solution with weight ``r_1 / (r_0 + r_1)``
  for player 0 (Binmore, Rubinstein and Wolinsky 1986).

By default the inside options equal the disagreement point, so the impasse point is ``d``
and the limits above are the Nash solutions *of the problem as given*.

With ``horizon=T`` the game has ``T`` periods; a rejection in the last one ends the talks at
``d``. It is solved by backward induction (a loop over periods, vectorized over points) and
converges to the infinite-horizon solution as ``T`` grows.

References
----------
Rubinstein, A. (1982). Perfect equilibrium in a bargaining model. *Econometrica* 50(1).
Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining solution in
economic modelling. *RAND Journal of Economics* 17(2), 176-188.
Binmore, K., Shaked, A. and Sutton, J. (1989). An outside option experiment. *Quarterly
Journal of Economics* 104(4), 753-770.
Muthoo, A. (1999). *Bargaining Theory with Applications*. Cambridge University Press,
chapters 3-6 (Rubinstein's model, breakdown risk, outside options, inside options).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, as_pair, broadcast_named
from .._blocks import blockwise
from .._roots import bisect_decreasing
from ..errors import InvalidParameterError
from ._outcome import BINDING_OUTSIDE_1, Outcome
from ._problem import BargainingProblem, Frontier, LinearFrontier, PointsFrontier, check_problem

__all__ = ["rubinstein"]

FloatArray = NDArray[np.float64]
#: Placeholder outside option for "no outside options" (identity-checked on the hot path).
_NO_OPTION = np.array(-np.inf)


def _discounts(
    discount: Any, rates: Any, period: ArrayLike
) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    """Per-player discount factors from either ``discount`` or ``rates`` and ``period``."""
    if (discount is None) == (rates is None):
        raise InvalidParameterError(
            "give exactly one of discount=(delta0, delta1), each in (0, 1), or "
            "rates=(r0, r1) > 0 with period > 0"
        )
    if discount is not None:
        first, second = as_pair(
            discount, "discount", low=0.0, high=1.0, low_open=True, high_open=True
        )
        return first, second, {"discount": (first, second)}
    rate_first, rate_second = as_pair(rates, "rates", low=0.0, low_open=True)
    period_array = as_array(period, "period", low=0.0, low_open=True)
    first, second = np.exp(-rate_first * period_array), np.exp(-rate_second * period_array)
    if np.any(first >= 1.0) or np.any(second >= 1.0):
        raise InvalidParameterError(
            "rates * period is so small that a discount factor rounds to 1; use a longer period"
        )
    return first, second, {"rates": (rate_first, rate_second), "period": period_array}


def rubinstein(
    problem: BargainingProblem,
    discount: Any = None,
    *,
    rates: Any = None,
    period: ArrayLike = 1.0,
    first_mover: int = 0,
    outside_options: Any = None,
    inside_options: Any = None,
    breakdown: ArrayLike = 0.0,
    horizon: int | None = None,
) -> Outcome:
    """Subgame-perfect outcome of alternating offers (see the module docstring for the model).

    Parameters
    ----------
    problem
        The bargaining problem: its frontier is what is divided; its disagreement point is
        what both get if the talks break down (and, by default, the inside options).
    discount
        ``(delta0, delta1)``, per-period discount factors in ``(0, 1)`` (broadcast).
    rates, period
        Alternatively, discount rates ``(r0, r1) > 0`` per unit time and the length of a
        bargaining period; ``delta_i = exp(-r_i * period)``.
    first_mover
        0 if player 0 (the buyer) makes the first offer, 1 otherwise.
    outside_options
        ``(w0, w1)``: what each player gets by opting out when responding (both get
        theirs); ``None`` for no outside options.
    inside_options
        ``(g0, g1)``: present value of each player's payoff stream during disagreement;
        default the disagreement point.
    breakdown
        Probability in ``[0, 1]`` that the talks break down after each rejection.
    horizon
        Number of periods (``>= 1``) for the finite game; ``None`` for infinite.

    Returns
    -------
    Outcome
        ``method="rubinstein"``; ``binding`` says which outside options bind.
        Agreement is immediate wherever some frontier point gives each player more than
        ``max(w_i, e_i)``; elsewhere there is no agreement and the payoffs are the outside
        options if the first responder gains by opting out, else the impasse payoffs ``e``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> problem = pg.BargainingProblem.linear(1.0)
    >>> pg.rubinstein(problem, discount=(0.9, 0.9)).payoffs  # 1/(1+delta)
    array([0.52631579, 0.47368421])
    >>> out = pg.rubinstein(problem, discount=(0.9, 0.9), outside_options=(0.0, 0.6))
    >>> out.payoffs, str(out.labels())
    (array([0.4, 0.6]), 'seller')
    >>> pg.rubinstein(problem, rates=(0.1, 0.3), period=1e-4).payoffs.round(4)  # -> Nash 0.75
    array([0.75, 0.25])
    """
    problem = check_problem(problem)
    d_first, d_second = problem.disagreement
    delta_first, delta_second, discount_info = _discounts(discount, rates, period)
    breakdown_array = as_array(breakdown, "breakdown", low=0.0, high=1.0)
    mover = as_int(first_mover, "first_mover", low=0, high=1)
    if inside_options is None:
        g_first, g_second = d_first, d_second
    else:
        g_first, g_second = as_pair(inside_options, "inside_options")
    if outside_options is None:
        w_first = w_second = _NO_OPTION
    else:
        w_first, w_second = as_pair(outside_options, "outside_options")
    shape = broadcast_named(
        problem=np.broadcast_to(False, problem.shape),
        **{
            "discount[0]": delta_first,
            "discount[1]": delta_second,
            "breakdown": breakdown_array,
            "inside_options[0]": g_first,
            "inside_options[1]": g_second,
            "outside_options[0]": w_first,
            "outside_options[1]": w_second,
        },
    )
    parameters: dict[str, Any] = {
        **discount_info,
        "first_mover": mover,
        "breakdown": breakdown_array,
        "outside_options": None if outside_options is None else (w_first, w_second),
        "inside_options": (g_first, g_second),
        "horizon": horizon,
    }
    steps = None if horizon is None else as_int(horizon, "horizon", low=1)
    frontier = problem.frontier
    frontier_fields = (
        {}
        if isinstance(frontier, PointsFrontier)
        else {f"frontier.{name}": value for name, value in frontier.arrays().items()}
    )

    fast_terms = _fast_path_terms(
        frontier,
        steps,
        mover,
        d_first,
        d_second,
        delta_first,
        delta_second,
        breakdown_array,
        g_first,
        g_second,
    )
    has_options = outside_options is not None

    def kernel(block_shape: tuple[int, ...], out: dict[str, NDArray[Any]], **arrays: Any) -> None:
        if fast_terms is not None:
            _linear_block_first_mover_0(
                arrays["frontier.surplus"],
                arrays["w_first"],
                arrays["w_second"],
                fast_terms,
                has_options,
                block_shape,
                out,
            )
            return
        block_frontier = (
            frontier
            if isinstance(frontier, PointsFrontier)
            else replace(
                frontier,
                **{
                    key.split(".", 1)[1]: value
                    for key, value in arrays.items()
                    if key.startswith("frontier.")
                },
            )
        )
        _solve_block(
            block_frontier,
            block_shape,
            mover,
            steps,
            out,
            **{key: value for key, value in arrays.items() if not key.startswith("frontier.")},
        )

    arrays = {
        **frontier_fields,
        "d_first": d_first,
        "d_second": d_second,
        "delta_first": delta_first,
        "delta_second": delta_second,
        "breakdown": breakdown_array,
        "g_first": g_first,
        "g_second": g_second,
        "w_first": w_first,
        "w_second": w_second,
    }
    outputs = {"payoffs": ((2,), np.float64), "agreement": ((), np.bool_), "binding": ((), np.int8)}
    result = blockwise(kernel, shape, arrays, outputs=outputs)
    return Outcome.from_blocks(result, problem, "rubinstein", parameters)


def _rejection_terms(
    disagreement: Any, discount: Any, breakdown: Any, inside_option: Any
) -> tuple[Any, Any, Any]:
    """``(a, b, e)`` of one player: rejecting, then getting ``X`` as proposer, is worth ``a + b X``.

    ``b = (1 - p) delta``, ``a = p d + (1 - p)(1 - delta) g`` and the impasse payoff
    ``e = a / (1 - b)`` (what perpetual rejection is worth).
    """
    keep = 1.0 - breakdown
    effective_discount = keep * discount
    constant = breakdown * disagreement + keep * (1.0 - discount) * inside_option
    return constant, effective_discount, constant / (1.0 - effective_discount)


def _solve_block(
    frontier: Frontier,
    shape: tuple[int, ...],
    mover: int,
    steps: int | None,
    out: dict[str, NDArray[Any]],
    *,
    d_first: FloatArray,
    d_second: FloatArray,
    delta_first: FloatArray,
    delta_second: FloatArray,
    breakdown: FloatArray,
    g_first: FloatArray,
    g_second: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
) -> None:
    """The equilibrium on one block of parameter points, written into ``out``."""
    a_first, b_first, e_first = _rejection_terms(d_first, delta_first, breakdown, g_first)
    a_second, b_second, e_second = _rejection_terms(d_second, delta_second, breakdown, g_second)
    floor_first, floor_second = np.maximum(w_first, e_first), np.maximum(w_second, e_second)
    agreement = np.broadcast_to(frontier.value(floor_first) > floor_second, shape)
    binding = np.zeros(shape, dtype=np.int8)
    if steps is not None:
        first, second = _finite_horizon(
            frontier,
            (d_first, d_second),
            steps,
            mover,
            a_first,
            a_second,
            b_first,
            b_second,
            w_first,
            w_second,
            shape,
        )
    else:
        has_options = w_first is not _NO_OPTION
        if isinstance(frontier, LinearFrontier):
            x, second_binds = _proposal_linear(
                frontier,
                a_first,
                a_second,
                b_first,
                b_second,
                w_first if has_options else None,
                w_second if has_options else None,
            )
        else:
            x = _proposal_bisection(
                frontier,
                a_first,
                a_second,
                b_first,
                b_second,
                w_first,
                w_second,
                e_first,
                floor_second,
                agreement,
                shape,
            )
            second_binds = None
        responder_first = a_first + b_first * x  # player 0's value of rejecting x
        y = np.maximum(w_first, responder_first) if has_options else responder_first
        if has_options:
            if second_binds is None:
                second_binds = w_second > a_second + b_second * frontier.value(y)
            binding[...] = (w_first > responder_first) & agreement
            binding |= ((second_binds & agreement) * BINDING_OUTSIDE_1).astype(np.int8)
        first = x if mover == 0 else y
        second = frontier.value(first)
    payoffs = out["payoffs"]
    if np.all(agreement):
        payoffs[..., 0] = first
        payoffs[..., 1] = second
    else:
        # Without gains from trade the first responder opts out if that beats the impasse.
        responder_w, responder_e = (w_second, e_second) if mover == 0 else (w_first, e_first)
        opts_out = responder_w > responder_e
        payoffs[..., 0] = np.where(agreement, first, np.where(opts_out, w_first, e_first))
        payoffs[..., 1] = np.where(agreement, second, np.where(opts_out, w_second, e_second))
    out["agreement"][...] = agreement
    out["binding"][...] = binding


def _fast_path_terms(
    frontier: Frontier,
    steps: int | None,
    mover: int,
    *scalars: FloatArray,
) -> tuple[float, float, float, float, float, float, float] | None:
    """``(rate, a0, b0, e0, a1, b1, e1)`` when the linear hot path applies, else ``None``.

    It applies to an infinite horizon on a linear frontier with player 0 proposing first and
    game parameters (``d``, discounts, breakdown, inside options, ``rate``) that are single
    numbers; they are reduced to floats once per call, not once per block.
    """
    if steps is not None or mover != 0 or not isinstance(frontier, LinearFrontier):
        return None
    if any(np.ndim(item) for item in scalars) or np.ndim(frontier.rate):
        return None
    d_first, d_second, delta_first, delta_second, breakdown, g_first, g_second = scalars
    a_first, b_first, e_first = _rejection_terms(d_first, delta_first, breakdown, g_first)
    a_second, b_second, e_second = _rejection_terms(d_second, delta_second, breakdown, g_second)
    return (
        float(frontier.rate),
        float(a_first),
        float(b_first),
        float(e_first),
        float(a_second),
        float(b_second),
        float(e_second),
    )


def _linear_block_first_mover_0(
    surplus: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
    terms: tuple[float, float, float, float, float, float, float],
    has_options: bool,
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
) -> None:
    """The hot path of large sweeps: linear frontier, player 0 first, scalar game parameters.

    Same formulas as `_proposal_linear`, evaluated with in-place operations straight
    into the output arrays ``out`` (about fifteen passes over a cache-sized block).
    ``terms`` comes from `_fast_path_terms`.
    """
    rate, a_first, b_first, e_first, a_second, b_second, e_second = terms
    surplus = np.broadcast_to(surplus, shape)
    # Work in contiguous scratch arrays; the interleaved payoff array is written once at the end.
    first = np.empty(shape)
    scratch = np.empty(shape)
    # With T = S (1 - b1): x_free = (T - a1 / rate + b1 a0) / (1 - b0 b1) and the bound from
    # the buyer's option L = T - a1 / rate + b1 w0 (see _proposal_linear). Constants that are
    # zero (no disagreement payoffs, the common case) are skipped, saving whole passes.
    np.multiply(surplus, 1.0 - b_second, out=first)  # T
    binding = out["binding"]
    if not has_options:
        binding.fill(0)  # without options nothing binds; with them every element is written
    if has_options:
        np.multiply(w_first, b_second, out=scratch)
        scratch += first
        if a_second != 0.0:
            scratch -= a_second / rate  # L
    first *= 1.0 / (1.0 - b_first * b_second)
    free_intercept = (b_second * a_first - a_second / rate) / (1.0 - b_first * b_second)
    if free_intercept != 0.0:
        first += free_intercept  # x_free
    agreement = None
    all_opt_out = False  # does the first responder (player 1) opt out wherever there is no deal?
    shortcut = False  # every option at least its owner's impasse payoff (see below)
    if has_options:
        np.maximum(first, scratch, out=first)
        if rate == 1.0:
            np.subtract(surplus, w_second, out=scratch)  # cap: player 1 gets exactly w1
        else:
            np.divide(w_second, rate, out=scratch)
            np.subtract(surplus, scratch, out=scratch)
        # Gains from trade: rate (S - max(w0, e0)) > max(w1, e1). When no outside option is
        # below its owner's impasse payoff (one cheap reduction each), this is cap > w0.
        smallest_second = float(np.min(w_second))
        all_opt_out = smallest_second > e_second
        if float(np.min(w_first)) >= e_first and smallest_second >= e_second:
            agreement = np.greater(scratch, w_first, out=out["agreement"])
            shortcut = True
        second_binds = np.less(scratch, first)
        np.minimum(first, scratch, out=first)
        # Player 0's option binds when it beats the value of rejecting: a0 + b0 x.
        np.multiply(first, b_first, out=scratch)
        if a_first != 0.0:
            scratch += a_first
        first_binds = np.greater(w_first, scratch)
        bits = second_binds.view(np.int8)
        np.add(bits, bits, out=binding)  # 2 where the seller's option binds
        binding |= first_binds.view(np.int8)
    if agreement is None:
        if has_options:
            frontier_at_floor = np.subtract(surplus, np.maximum(w_first, e_first))
            if rate != 1.0:
                frontier_at_floor *= rate
            agreement = np.greater(
                frontier_at_floor, np.maximum(w_second, e_second), out=out["agreement"]
            )
        else:
            agreement = np.greater(surplus, e_first + e_second / rate, out=out["agreement"])
    payoffs = out["payoffs"]
    second = payoffs[..., 1]
    if shortcut and all_opt_out:
        # Fused no-deal outcome. Here agreement <=> cap > w0 with cap = S - w1 / rate. Where
        # there is a deal, x >= min(cap, L) > w0 (L - w0 = (1 - b1)(S - w0 - e1 / rate) > 0)
        # and rate (S - x) >= w1 (x <= cap); where there is none, x <= cap <= w0 and
        # rate (S - w0) <= w1, and player 1 opts out: both get their options. So the payoffs
        # are (max(x, w0), max(rate (S - max(x, w0)), w1)) everywhere: two passes, no mask.
        np.maximum(first, w_first, out=payoffs[..., 0])
        np.subtract(surplus, payoffs[..., 0], out=second)
        if rate != 1.0:
            second *= rate
        if not agreement.all():
            np.maximum(second, w_second, out=second)
            binding *= agreement.view(np.int8)  # clear both bits where there is no deal
        return
    # Player 1 gets the rest of the frontier, rate (S - x), written straight into the output.
    np.subtract(surplus, first, out=second)
    if rate != 1.0:
        second *= rate
    if not agreement.all():
        no_deal = ~agreement
        if all_opt_out:
            np.copyto(first, w_first, where=no_deal)
            np.copyto(second, w_second, where=no_deal)
        else:
            opts_out = w_second > e_second  # the first responder (player 1) opts out
            np.copyto(first, np.where(opts_out, w_first, e_first), where=no_deal)
            np.copyto(second, np.where(opts_out, w_second, e_second), where=no_deal)
        np.copyto(binding, 0, where=no_deal)
    payoffs[..., 0] = first


def _proposal_linear(
    frontier: LinearFrontier,
    a_first: FloatArray,
    a_second: FloatArray,
    b_first: FloatArray,
    b_second: FloatArray,
    w_first: FloatArray | None,
    w_second: FloatArray | None,
) -> tuple[FloatArray, NDArray[np.bool_] | None]:
    """Player 0's payoff as proposer on a linear frontier, in closed form.

    The equilibrium ``x`` is the fixed point of
    ``Phi(x) = S - max(w1, a1 + b1 rate (S - max(w0, a0 + b0 x))) / rate``, which rearranges
    to ``Phi(x) = min(X1, max(L, k + b0 b1 x))`` with ``c = S (1 - b1) - a1 / rate``,
    ``k = c + b1 a0``, ``L = c + b1 w0`` (player 0's option binding) and ``X1 = S - w1 / rate``
    (player 1's option binding). ``k + b0 b1 x`` has the fixed point
    ``x_free = k / (1 - b0 b1)``, the solution without outside options, and as the slope is
    below one, ``x = min(X1, max(L, x_free))``. Player 1's option binds exactly when
    ``X1 < max(L, x_free)``.

    Returns ``x`` and the boolean "player 1's option binds" (``None`` without options).
    """
    surplus, rate = frontier.surplus, frontier.rate
    common = surplus * (1.0 - b_second) - a_second / rate
    x_free = (common + b_second * a_first) / (1.0 - b_first * b_second)
    if w_first is None or w_second is None:
        return x_free, None
    unconstrained_by_second = np.maximum(common + b_second * w_first, x_free)
    cap = surplus - w_second / rate
    return np.minimum(cap, unconstrained_by_second), cap < unconstrained_by_second


def _proposal_bisection(
    frontier: Frontier,
    a_first: FloatArray,
    a_second: FloatArray,
    b_first: FloatArray,
    b_second: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
    e_first: FloatArray,
    floor_second: FloatArray,
    agreement: NDArray[np.bool_],
    shape: tuple[int, ...],
) -> FloatArray:
    """Player 0's payoff as proposer on a concave frontier, by vectorized bisection.

    Solves ``F(x) = f(x) - max(w1, a1 + b1 f(max(w0, a0 + b0 x))) = 0``. On the bracket
    ``[min(w0, e0), f^{-1}(max(w1, e1))]`` ``F`` starts non-negative and ends non-positive
    whenever there are gains from trade (points without gains get a dummy bracket).
    """
    low = np.where(np.isfinite(w_first), np.minimum(w_first, e_first), e_first)
    high = frontier.inverse(floor_second)
    low = np.broadcast_to(np.where(agreement, low, 0.0), shape)
    high = np.broadcast_to(np.where(agreement, high, 0.0), shape)

    def excess(x: FloatArray) -> FloatArray:
        responder_value = a_second + b_second * frontier.value(
            np.maximum(w_first, a_first + b_first * x)
        )
        return frontier.value(x) - np.maximum(w_second, responder_value)

    return bisect_decreasing(excess, low, high)


def _finite_horizon(
    frontier: Frontier,
    disagreement: tuple[FloatArray, FloatArray],
    steps: int,
    mover: int,
    a_first: FloatArray,
    a_second: FloatArray,
    b_first: FloatArray,
    b_second: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
    shape: tuple[int, ...],
) -> tuple[FloatArray, FloatArray]:
    """Backward induction over ``steps`` periods (loop over periods, arrays over points)."""
    d_first, d_second = disagreement
    last_proposer = mover if steps % 2 == 1 else 1 - mover
    # Last period: a rejection ends the talks at d.
    if last_proposer == 0:
        second = np.broadcast_to(np.maximum(w_second, d_second), shape).astype(np.float64)
        first = frontier.inverse(second)
    else:
        first = np.broadcast_to(np.maximum(w_first, d_first), shape).astype(np.float64)
        second = frontier.value(first)
    proposer = last_proposer
    one_back = two_back = None  # player 0's payoff one and two periods later in the game
    tolerance = 4 * np.finfo(np.float64).eps
    for step in range(1, steps):
        proposer = 1 - proposer
        two_back, one_back = one_back, first
        if proposer == 0:  # player 1 responds; rejecting leads to the continuation
            second = np.maximum(w_second, a_second + b_second * second)
            first = frontier.inverse(second)
        else:
            first = np.maximum(w_first, a_first + b_first * first)
            second = frontier.value(first)
        # The map over two periods is a contraction: once a two-period cycle no longer moves
        # the outcome, every remaining cycle repeats it. Stop only when an even number of
        # periods remains, so the first period's proposer is unchanged: exact for any horizon.
        if two_back is not None and (steps - 1 - step) % 2 == 0:
            with np.errstate(invalid="ignore"):
                moved = np.abs(first - two_back)
            if np.all(moved <= tolerance * np.maximum(1.0, np.abs(first))):
                break
    return np.broadcast_to(first, shape), np.broadcast_to(second, shape)
