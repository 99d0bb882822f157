r"""Alternating-offers bargaining (Rubinstein 1982) with outside options, inside options,
breakdown risk and a finite horizon.

The model
---------
Two players bargain over the frontier of a :class:`~.problem.BargainingProblem`. In each
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
  (1 - \delta_0\delta_1)`` (Muthoo 1999, ch. 5);
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
chapters 3-5.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, as_pair, broadcast_named
from .._roots import bisect_decreasing
from ..errors import InvalidParameterError
from .outcome import BINDING_OUTSIDE_0, BINDING_OUTSIDE_1, Outcome
from .problem import BargainingProblem, LinearFrontier

__all__ = ["rubinstein"]

FloatArray = NDArray[np.float64]


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
    >>> out.payoffs, str(out.binding_labels())
    (array([0.4, 0.6]), 'seller')
    >>> pg.rubinstein(problem, rates=(0.1, 0.3), period=1e-4).payoffs.round(4)  # -> Nash 0.75
    array([0.75, 0.25])
    """
    d_first, d_second = problem.disagreement
    delta_first, delta_second, discount_info = _discounts(discount, rates, period)
    breakdown_array = as_array(breakdown, "breakdown", low=0.0, high=1.0)
    mover = as_int(first_mover, "first_mover", low=0, high=1)
    if inside_options is None:
        g_first, g_second = d_first, d_second
    else:
        g_first, g_second = as_pair(inside_options, "inside_options")
    if outside_options is None:
        w_first = w_second = np.array(-np.inf)
    else:
        w_first, w_second = as_pair(outside_options, "outside_options")
    shape = broadcast_named(
        problem=np.empty(problem.shape, dtype=bool),
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
    keep = 1.0 - breakdown_array
    b_first, b_second = keep * delta_first, keep * delta_second
    a_first = breakdown_array * d_first + keep * (1.0 - delta_first) * g_first
    a_second = breakdown_array * d_second + keep * (1.0 - delta_second) * g_second
    e_first, e_second = a_first / (1.0 - b_first), a_second / (1.0 - b_second)
    floor_first, floor_second = np.maximum(w_first, e_first), np.maximum(w_second, e_second)
    frontier = problem.frontier
    agreement = np.broadcast_to(frontier.value(floor_first) > floor_second, shape)

    parameters: dict[str, Any] = {
        **discount_info,
        "first_mover": mover,
        "breakdown": breakdown_array,
        "outside_options": None if outside_options is None else (w_first, w_second),
        "inside_options": (g_first, g_second),
        "horizon": horizon,
    }
    if horizon is not None:
        steps = as_int(horizon, "horizon", low=1)
        first, second = _finite_horizon(
            problem, steps, mover, a_first, a_second, b_first, b_second, w_first, w_second, shape
        )
        binding = np.zeros(shape, dtype=np.int8)
    else:
        if isinstance(frontier, LinearFrontier):
            x = _proposal_linear(frontier, a_first, a_second, b_first, b_second, w_first, w_second)
        else:
            x = _proposal_bisection(
                problem,
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
        y = np.maximum(w_first, a_first + b_first * x)  # player 0's share when 1 proposes
        binding = np.zeros(shape, dtype=np.int8)
        binding |= np.where(w_first > a_first + b_first * x, BINDING_OUTSIDE_0, 0).astype(np.int8)
        binding |= np.where(
            w_second > a_second + b_second * frontier.value(y), BINDING_OUTSIDE_1, 0
        ).astype(np.int8)
        first = x if mover == 0 else y
        second = frontier.value(first)

    # Without gains from trade: the first responder opts out if that beats the impasse.
    responder_w, responder_e = (w_second, e_second) if mover == 0 else (w_first, e_first)
    opts_out = responder_w > responder_e
    payoffs = np.empty((*shape, 2), dtype=np.float64)
    payoffs[..., 0] = np.where(agreement, first, np.where(opts_out, w_first, e_first))
    payoffs[..., 1] = np.where(agreement, second, np.where(opts_out, w_second, e_second))
    disagreement = np.empty((*shape, 2), dtype=np.float64)
    disagreement[..., 0] = d_first
    disagreement[..., 1] = d_second
    return Outcome(
        payoffs=payoffs,
        agreement=np.array(agreement),
        disagreement=disagreement,
        method="rubinstein",
        parameters=parameters,
        players=problem.players,
        binding=np.where(agreement, binding, 0).astype(np.int8),
    )


def _proposal_linear(
    frontier: LinearFrontier,
    a_first: FloatArray,
    a_second: FloatArray,
    b_first: FloatArray,
    b_second: FloatArray,
    w_first: FloatArray,
    w_second: FloatArray,
) -> FloatArray:
    """Player 0's payoff as proposer on a linear frontier, in closed form.

    The equilibrium is the unique fixed point of the non-decreasing, piecewise-linear map
    ``x -> f^{-1}(max(w1, a1 + b1 f(max(w0, a0 + b0 x))))`` whose slope is at most
    ``b0 b1 < 1``. Three candidates cover every case: player 0's option binds (then ``x``
    does not depend on itself), else player 1's binds alone, else neither does.
    """
    surplus, rate = frontier.surplus, frontier.rate
    # (3) neither binds: x = (S (1 - b1) - a1 / rate + b1 a0) / (1 - b0 b1).
    x_free = (surplus * (1.0 - b_second) - a_second / rate + b_second * a_first) / (
        1.0 - b_first * b_second
    )
    if not (np.any(np.isfinite(w_first)) or np.any(np.isfinite(w_second))):
        return x_free  # no outside options: the fast path of large sweeps
    # (1) player 0's outside option binds when player 1 proposes: y = w0.
    x_first_binds = (
        surplus - np.maximum(w_second, a_second + b_second * rate * (surplus - w_first)) / rate
    )
    first_binds = w_first >= a_first + b_first * x_first_binds
    # (2) only player 1's option binds: f(x) = w1.
    x_second_binds = surplus - w_second / rate
    second_binds = (
        w_second >= a_second + b_second * rate * (surplus - a_first - b_first * x_second_binds)
    ) & (w_first <= a_first + b_first * x_second_binds)
    return np.where(first_binds, x_first_binds, np.where(second_binds, x_second_binds, x_free))


def _proposal_bisection(
    problem: BargainingProblem,
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
    frontier = problem.frontier
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
    problem: BargainingProblem,
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
    frontier = problem.frontier
    d_first, d_second = problem.disagreement
    last_proposer = mover if steps % 2 == 1 else 1 - mover
    # Last period: a rejection ends the talks at d.
    if last_proposer == 0:
        second = np.broadcast_to(np.maximum(w_second, d_second), shape).astype(np.float64)
        first = frontier.inverse(second)
    else:
        first = np.broadcast_to(np.maximum(w_first, d_first), shape).astype(np.float64)
        second = frontier.value(first)
    proposer = last_proposer
    for _ in range(steps - 1):
        proposer = 1 - proposer
        if proposer == 0:  # player 1 responds; rejecting leads to the continuation
            second = np.maximum(w_second, a_second + b_second * second)
            first = frontier.inverse(second)
        else:
            first = np.maximum(w_first, a_first + b_first * first)
            second = frontier.value(first)
    return np.broadcast_to(first, shape), np.broadcast_to(second, shape)
