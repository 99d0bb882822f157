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
``d``. It converges to the infinite-horizon solution as ``T`` grows. On a linear frontier
backward induction is a clipped affine map per two periods, solved in closed form (a
geometric series), so any horizon costs the same; on other frontiers it is a loop over
periods (vectorized over points) that stops once the outcome no longer moves, and a call
whose loop would run longer than `FINITE_HORIZON_SECONDS` is refused up front.

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

import time
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, as_pair, broadcast_named, check_memory
from .._blocks import blockwise
from .._roots import bisect_decreasing
from ..errors import InvalidParameterError, SolverError
from . import _fused
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
    broadcast_named(**{"rates[0]": rate_first, "rates[1]": rate_second, "period": period_array})
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
    out: dict[str, NDArray[Any]] | None = None,
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
    out
        Optional preallocated outputs, as numpy's ``out=``: ``{"payoffs": (*shape, 2)
        float64, "agreement": shape bool, "binding": shape int8}``, C-contiguous. The
        solution is written into them and the outcome holds read-only views of them (so do
        not change them while the outcome is in use). Saves allocating (and the operating
        system zeroing) fresh outputs on every call of a loop or a sweep.

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
    unchecked_options = False
    if outside_options is None:
        w_first = w_second = _NO_OPTION
    else:
        w_first, w_second, unchecked_options = _fused.deferred_options(outside_options, as_pair)
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
    # Blocked kernels keep only the outputs (18 bytes per point); the bisection and the
    # finite-horizon loop on nonlinear frontiers keep a dozen full-size temporaries.
    blocked = isinstance(frontier, LinearFrontier) and steps is None
    check_memory(shape, 18 if blocked else 160, "rubinstein")
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
    linear_infinite = isinstance(frontier, LinearFrontier) and steps is None

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
        if linear_infinite:
            _linear_block(
                block_shape,
                out,
                mover,
                has_options,
                inside_options is None,
                surplus=arrays["frontier.surplus"],
                rate=arrays["frontier.rate"],
                **{key: value for key, value in arrays.items() if not key.startswith("frontier.")},
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
    given = None if out is None else _fused.check_out(out, shape, outputs, "rubinstein")
    if linear_infinite and _fused.enabled(shape):
        fused: dict[str, NDArray[Any]] = given or {
            name: np.empty((*shape, *trailing), dtype=dtype)
            for name, (trailing, dtype) in outputs.items()
        }
        if _fused.rubinstein_linear(
            shape,
            fused,
            mover,
            has_options,
            inside_options is None,
            arrays,
            (lambda: as_pair(outside_options, "outside_options")) if unchecked_options else None,
        ):
            return Outcome.from_blocks(fused, problem, "rubinstein", parameters)
    if unchecked_options:
        as_pair(outside_options, "outside_options")
    if given is not None:
        result = _fused.blocks_into(kernel, shape, arrays, given)
    else:
        result = blockwise(kernel, shape, arrays, outputs=outputs)
    return Outcome.from_blocks(result, problem, "rubinstein", parameters)


def _rejection_terms(
    disagreement: Any, discount: Any, breakdown: Any, inside_option: Any
) -> tuple[Any, Any, Any, Any]:
    """``(a, b, e, c)`` of one player: rejecting, then getting ``X`` as proposer, is worth ``a + b X``.

    ``b = (1 - p) delta``, ``a = p d + (1 - p)(1 - delta) g``, ``c = 1 - b`` and the impasse
    payoff ``e = a / c`` (what perpetual rejection is worth). ``c`` is computed as
    ``p + (1 - p)(1 - delta)``, not as ``1 - b``: for ``delta`` near 1 the subtraction would
    lose digits (``1 - delta`` itself is exact for ``delta >= 1/2``). ``e = d`` exactly when
    the inside option is the disagreement payoff (the default).
    """
    keep = 1.0 - breakdown
    effective_discount = keep * discount
    patience_cost = keep * (1.0 - discount)
    complement = breakdown + patience_cost
    if inside_option is disagreement:
        return complement * disagreement, effective_discount, disagreement, complement
    constant = breakdown * disagreement + patience_cost * inside_option
    return constant, effective_discount, constant / complement, complement


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
    a_first, b_first, e_first, c_first = _rejection_terms(d_first, delta_first, breakdown, g_first)
    a_second, b_second, e_second, c_second = _rejection_terms(
        d_second, delta_second, breakdown, g_second
    )
    floor_first, floor_second = np.maximum(w_first, e_first), np.maximum(w_second, e_second)
    agreement = np.broadcast_to(frontier.value(floor_first) > floor_second, shape)
    binding = np.zeros(shape, dtype=np.int8)
    if steps is not None and isinstance(frontier, LinearFrontier):
        first = _finite_horizon_linear(
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
            c_first,
            c_second,
        )
        first = np.broadcast_to(first, shape)
        second = frontier.value(first)
    elif steps is not None:
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
) -> tuple[float, ...] | None:
    """``(rate, a0, b0, e0, a1, b1, e1, c0, c1)`` when the linear hot path applies, else ``None``.

    It applies to an infinite horizon on a linear frontier with player 0 proposing first and
    game parameters (``d``, discounts, breakdown, inside options, ``rate``) that are single
    numbers; they are reduced to floats once per call, not once per block.
    """
    if steps is not None or mover != 0 or not isinstance(frontier, LinearFrontier):
        return None
    if any(np.ndim(item) for item in scalars) or np.ndim(frontier.rate):
        return None
    d_first, d_second, delta_first, delta_second, breakdown, g_first, g_second = scalars
    a_first, b_first, e_first, c_first = _rejection_terms(d_first, delta_first, breakdown, g_first)
    a_second, b_second, e_second, c_second = _rejection_terms(
        d_second, delta_second, breakdown, g_second
    )
    return (
        float(frontier.rate),
        float(a_first),
        float(b_first),
        float(e_first),
        float(a_second),
        float(b_second),
        float(e_second),
        float(c_first),
        float(c_second),
    )


def _linear_block_first_mover_0(
    surplus: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
    terms: tuple[float, ...],
    has_options: bool,
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
) -> None:
    """The hot path of large sweeps: linear frontier, player 0 first, scalar game parameters.

    Same formulas as `_proposal_linear`, evaluated with in-place operations straight
    into the output arrays ``out`` (about fifteen passes over a cache-sized block).
    ``terms`` comes from `_fast_path_terms`.
    """
    rate, a_first, b_first, e_first, a_second, b_second, e_second, c_first, c_second = terms
    one_minus_product = c_first + b_first * c_second  # 1 - b0 b1, without cancellation
    surplus = np.broadcast_to(surplus, shape)
    # Work in contiguous scratch arrays; the interleaved payoff array is written once at the end.
    first = np.empty(shape)
    scratch = np.empty(shape)
    # With T = S (1 - b1): x_free = (T - a1 / rate + b1 a0) / (1 - b0 b1) and the bound from
    # the buyer's option L = T - a1 / rate + b1 w0 (see _proposal_linear). Constants that are
    # zero (no disagreement payoffs, the common case) are skipped, saving whole passes.
    np.multiply(surplus, c_second, out=first)  # T
    binding = out["binding"]
    if not has_options:
        binding.fill(0)  # without options nothing binds; with them every element is written
    if has_options:
        np.multiply(w_first, b_second, out=scratch)
        scratch += first
        if a_second != 0.0:
            scratch -= a_second / rate  # L
    first *= 1.0 / one_minus_product
    free_intercept = (b_second * a_first - a_second / rate) / one_minus_product
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


def _linear_block(
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
    mover: int,
    has_options: bool,
    inside_is_disagreement: bool,
    *,
    surplus: FloatArray,
    rate: FloatArray,
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
    """The infinite-horizon equilibrium on a linear frontier ``u1 = rate (S - u0)``, any inputs.

    Player 0's payoff as proposer is the fixed point of
    ``Phi(x) = S - max(w1, a1 + b1 rate (S - max(w0, a0 + b0 x))) / rate``, which rearranges
    to ``Phi(x) = min(X1, max(L, k + b0 b1 x))`` with ``t = S - e1 / rate``, ``L = c1 t + b1 w0``
    (player 0's option binding), ``X1 = S - w1 / rate`` (player 1's) and the fixed point of the
    affine part ``x_free = e0 + K (t - e0)``, ``K = c1 / (1 - b0 b1)``: the solution without
    options, the impasse payoff plus Rubinstein's share of the gain over the impasse point.
    As the slope ``b0 b1`` is below one, ``x = min(X1, max(L, x_free))``; player 1's option
    binds exactly when ``X1 < max(L, x_free)``, player 0's when ``w0 > a0 + b0 x``.

    Written as in-place passes over one cache-sized block (see
    `blockwise`), writing straight into ``out``.
    """
    a_first, b_first, e_first, c_first = _rejection_terms(
        d_first, delta_first, breakdown, d_first if inside_is_disagreement else g_first
    )
    _, b_second, e_second, c_second = _rejection_terms(
        d_second, delta_second, breakdown, d_second if inside_is_disagreement else g_second
    )
    unit = rate.ndim == 0 and float(rate) == 1.0
    share = c_second / (c_first + b_first * c_second)  # K, with 1 - b0 b1 free of cancellation
    level = np.subtract(surplus, e_second if unit else e_second / rate, out=np.empty(shape))
    x = np.subtract(level, e_first, out=np.empty(shape))  # the gain over the impasse point
    agreement = out["agreement"]
    binding = out["binding"]
    if not has_options:
        np.greater(x, 0.0, out=agreement)
    x *= share
    x += e_first  # x_free
    if has_options:
        scratch = np.multiply(w_first, b_second, out=np.empty(shape))
        level *= c_second
        level += scratch  # L
        np.maximum(x, level, out=x)
        cap = np.subtract(surplus, w_second if unit else w_second / rate, out=level)
        second_binds = np.less(cap, x)
        np.minimum(x, cap, out=x)
        np.multiply(x, b_first, out=scratch)
        scratch += a_first  # player 0's value of rejecting x
        first_binds = np.greater(w_first, scratch)
        bits = second_binds.view(np.int8)
        np.add(bits, bits, out=binding)
        binding |= first_binds.view(np.int8)
        if mover == 1:
            np.maximum(scratch, w_first, out=x)
        # Gains from trade: rate (S - max(w0, e0)) > max(w1, e1).
        np.maximum(w_first, e_first, out=scratch)
        np.subtract(surplus, scratch, out=scratch)
        if not unit:
            scratch *= rate
        np.maximum(w_second, e_second, out=level)
        np.greater(scratch, level, out=agreement)
    else:
        binding.fill(0)
        if mover == 1:
            x *= b_first
            x += a_first
    payoffs = out["payoffs"]
    second = payoffs[..., 1]
    np.subtract(surplus, x, out=second)
    if not unit:
        second *= rate
    payoffs[..., 0] = x
    if not agreement.all():
        no_deal = ~agreement
        opts_out = np.broadcast_to(w_second > e_second, shape)
        first_payoff = np.broadcast_to(np.where(opts_out, w_first, e_first), shape)
        second_payoff = np.broadcast_to(np.where(opts_out, w_second, e_second), shape)
        np.copyto(payoffs[..., 0], first_payoff, where=no_deal)
        np.copyto(second, second_payoff, where=no_deal)
        np.copyto(binding, 0, where=no_deal)


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


def _affine_power(value: FloatArray, fixed: FloatArray, slope_power: FloatArray) -> FloatArray:
    """``A^m(value)`` for ``A(x) = fixed + beta (x - fixed)``, given ``slope_power = beta^m``.

    Infinite values (an absent outside option) stay where they are.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        moved = fixed + slope_power * (value - fixed)
    return np.where(np.isfinite(value), moved, value)


def _clip_affine_iterate(
    start: FloatArray,
    intercept: FloatArray,
    one_minus_slope: FloatArray,
    low: FloatArray,
    high: FloatArray,
    count: int,
) -> FloatArray:
    """``g^count(start)`` for ``g(x) = clip(intercept + slope x, low, high)``, in closed form.

    ``0 <= slope < 1`` (given as ``1 - slope``, computed without cancellation by the caller,
    so that ``slope**m = exp(m log1p(-(1 - slope)))`` keeps its digits for ``m`` of
    ``10**9``) and ``low <= high``. With ``A(x) = intercept + slope x``, by induction
    ``g^m(x) = clip(A^m(x), g^(m-1)(low), g^(m-1)(high))`` (a clip of a clip is a clip with
    clipped bounds), and because ``g`` is increasing the orbit of ``low`` (of ``high``) is
    monotone, so ``g^j(low) = clip(A^j(low), low, high)``. ``A^m`` is a geometric series:
    ``A^m(x) = x* + slope^m (x - x*)`` with ``x* = intercept / (1 - slope)``. So any
    number of periods costs a handful of array operations.
    """
    if count == 0:
        return start
    # Beyond 2**1000 periods slope**count is 0 (slope < 1) or 1 (slope == 1) in floats, as at
    # 2**1000 itself; capping keeps a huge Python int from overflowing the conversion.
    count = min(count, 2**1000)
    fixed = intercept / one_minus_slope
    log_slope = np.log1p(-one_minus_slope)
    with np.errstate(divide="ignore", invalid="ignore"):  # slope 0: log -inf, 0 * -inf
        power_m = np.where(one_minus_slope >= 1.0, 0.0, np.exp(count * log_slope))
        power_before = np.where(
            one_minus_slope >= 1.0, 0.0 if count > 1 else 1.0, np.exp((count - 1) * log_slope)
        )
    low_m = np.clip(_affine_power(low, fixed, power_before), low, high)
    high_m = np.clip(_affine_power(high, fixed, power_before), low, high)
    return np.clip(_affine_power(start, fixed, power_m), low_m, high_m)


def _finite_horizon_linear(
    frontier: LinearFrontier,
    disagreement: tuple[FloatArray, FloatArray],
    steps: int,
    mover: int,
    a_first: FloatArray,
    a_second: FloatArray,
    b_first: FloatArray,
    b_second: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
    c_first: FloatArray | None = None,
    c_second: FloatArray | None = None,
) -> FloatArray:
    """Player 0's payoff in period 1 of the ``steps``-period game on a linear frontier.

    Backward induction in player 0's payoff ``x`` (player 1 gets ``rate (S - x)``): a period
    where player 0 proposes maps next period's ``x`` to ``min(cap, c + b1 x)`` with
    ``cap = S - w1 / rate`` and ``c = S (1 - b1) - a1 / rate``; one where player 1 proposes
    to ``max(w0, a0 + b0 x)``. Two periods compose to a clipped affine map with slope
    ``b0 b1 < 1`` whose iterates have a closed form (`_clip_affine_iterate`): the cost
    does not depend on the horizon (``10**9`` periods take as long as 2).
    """
    d_first, d_second = disagreement
    surplus, rate = frontier.surplus, frontier.rate
    cap = surplus - w_second / rate
    c_second = 1.0 - b_second if c_second is None else c_second
    common = surplus * c_second - a_second / rate
    last_proposer = mover if steps % 2 == 1 else 1 - mover
    # Last period: a rejection ends the talks at d.
    if last_proposer == 0:
        x = surplus - np.maximum(w_second, d_second) / rate
    else:
        x = np.maximum(w_first, d_first)
    remaining = steps - 1
    if remaining % 2 == 1:  # one single period first (its proposer is the first mover)
        x = (
            np.minimum(cap, common + b_second * x)
            if mover == 0
            else np.maximum(w_first, a_first + b_first * x)
        )
    cycles = remaining // 2
    c_first = 1.0 - b_first if c_first is None else c_first
    one_minus_slope = c_first + b_first * c_second  # 1 - b0 b1 without cancellation
    if mover == 0:  # x <- min(cap, c + b1 max(w0, a0 + b0 x))
        low = np.minimum(common + b_second * w_first, cap)
        return _clip_affine_iterate(
            x, common + b_second * a_first, one_minus_slope, low, cap, cycles
        )
    # mover 1: x <- max(w0, a0 + b0 min(cap, c + b1 x))
    high = np.maximum(w_first, a_first + b_first * cap)
    return _clip_affine_iterate(
        x, a_first + b_first * common, one_minus_slope, w_first, high, cycles
    )


#: Longest a finite horizon on a nonlinear frontier may plan to run (estimated seconds);
#: beyond it the call is refused before it starts, with the cost stated.
FINITE_HORIZON_SECONDS = 60.0
#: Cost model of one backward-induction period: a fixed part (a dozen numpy calls) and a
#: part per point (measured on the development machine; generous).
_PERIOD_SECONDS, _POINT_PERIOD_SECONDS = 3e-5, 3e-8


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
    _check_horizon_budget(frontier, steps, b_first, b_second, shape)
    started = time.perf_counter()
    for step in range(1, steps):
        if step % 4096 == 0 and time.perf_counter() - started > 2 * FINITE_HORIZON_SECONDS:
            raise SolverError(
                f"backward induction over horizon={steps} still moving after {step:,} periods "
                f"and {2 * FINITE_HORIZON_SECONDS:.0f} s; use horizon=None or a shorter horizon"
            )
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
                # Relative to the point's own payoffs (no absolute floor: unit-free).
                size = np.abs(first) + np.abs(second)
            if np.all(moved <= tolerance * size):
                break
    return np.broadcast_to(first, shape), np.broadcast_to(second, shape)


def _check_horizon_budget(
    frontier: Frontier,
    steps: int,
    b_first: FloatArray,
    b_second: FloatArray,
    shape: tuple[int, ...],
) -> None:
    """Refuse a backward induction estimated to run longer than `FINITE_HORIZON_SECONDS`.

    The loop stops once a two-period cycle no longer moves the outcome; that takes about
    ``log(eps) / log(b0 b1)`` cycles (the map's contraction factor on a linear frontier),
    so the work is at most ``min(steps, 2 * that)`` periods per point.
    """
    points = int(np.prod(shape, dtype=np.int64)) if shape else 1
    slowest = float(np.max(b_first * b_second))
    if slowest <= 0.0:
        return
    cycles = np.log(np.finfo(np.float64).eps) / np.log(slowest) if slowest < 1.0 else np.inf
    periods = min(steps, 2 * float(cycles) + 4)
    seconds = periods * (_PERIOD_SECONDS + points * _POINT_PERIOD_SECONDS)
    if seconds > FINITE_HORIZON_SECONDS:
        raise InvalidParameterError(
            f"horizon={steps} on a {frontier.kind} frontier would take up to {periods:,.0f} "
            f"backward-induction periods over {points:,} points, about {seconds:,.0f} s (the "
            f"limit is {FINITE_HORIZON_SECONDS:.0f} s): with a product of effective discount "
            f"factors b0 b1 up to {slowest:.10g} the outcome stops moving only after about "
            f"{2 * float(cycles):,.0f} periods. Use horizon=None (the infinite-horizon limit), "
            "a shorter horizon, or a linear frontier (closed form in any horizon)"
        )
