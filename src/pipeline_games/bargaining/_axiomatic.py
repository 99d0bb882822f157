"""Axiomatic bargaining solutions: Nash (weighted), Kalai-Smorodinsky, egalitarian, utilitarian.

All solvers take a [`BargainingProblem`][pipeline_games.bargaining.BargainingProblem] and return
an [`Outcome`][pipeline_games.bargaining.Outcome] of the problem's (broadcast) shape.
Where the disagreement point offers no gain from trade (no feasible point gives both
players strictly more), the outcome is "no agreement" with payoffs equal to the
disagreement point; no exception is raised, because sweeps cross such regions.

References
----------
Nash, J. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
Kalai, E. and Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica* 43(3), 513-518.
Kalai, E. (1977). Proportional solutions to bargaining situations. *Econometrica* 45(7).
Roth, A. E. (1979). *Axiomatic Models of Bargaining*. Springer (asymmetric Nash solution).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, broadcast_named, check_memory
from .._blocks import blockwise
from .._roots import bisect_decreasing, newton_bracketed
from ..errors import InvalidParameterError
from . import _fused
from ._outcome import Outcome
from ._problem import (
    BargainingProblem,
    LinearFrontier,
    PointsFrontier,
    PowerFrontier,
    check_problem,
)

__all__ = ["egalitarian", "kalai_smorodinsky", "nash", "utilitarian"]

FloatArray = NDArray[np.float64]


def _outcome(
    problem: BargainingProblem,
    first: ArrayLike,
    second: ArrayLike,
    agreement: ArrayLike,
    shape: tuple[int, ...],
    method: str,
    **parameters: object,
) -> Outcome:
    """Assemble an [`Outcome`][pipeline_games.bargaining.Outcome], with payoffs at the disagreement point where there is no deal."""
    d_first, d_second = problem.disagreement
    agreement = np.broadcast_to(np.asarray(agreement, dtype=bool), shape)
    payoffs = np.empty((*shape, 2), dtype=np.float64)
    payoffs[..., 0] = np.where(agreement, first, d_first)
    payoffs[..., 1] = np.where(agreement, second, d_second)
    return Outcome(
        payoffs=payoffs,
        agreement=np.array(agreement),
        disagreement=problem.disagreement,
        method=method,
        parameters=parameters,
        players=problem.players,
    )


# -- Nash -----------------------------------------------------------------------------------
def _nash_linear_kernel(
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
    surplus: FloatArray,
    rate: FloatArray,
    d_first: FloatArray,
    d_second: FloatArray,
    weight: FloatArray,
) -> None:
    """Closed form on ``u1 = rate (S - u0)``: gains split ``weight : 1 - weight``.

    With ``G = S - d0 - d1 / rate`` (the gain from trade in player 0's units),
    ``u0 = d0 + w G`` and ``u1 = d1 + (1 - w) rate G`` when ``G > 0``, else ``d``.
    Written with in-place operations on one block: this is the hot path of large sweeps.
    """
    unit_rate = rate.ndim == 0 and float(rate) == 1.0
    gain = np.subtract(surplus, d_first, out=np.empty(shape))
    if unit_rate:
        gain -= d_second
    else:
        gain -= d_second / rate
    np.greater(gain, 0.0, out=out["agreement"])
    np.maximum(gain, 0.0, out=gain)
    payoffs = out["payoffs"]
    np.multiply(weight, gain, out=payoffs[..., 0])
    payoffs[..., 0] += d_first
    np.multiply(1.0 - weight, gain, out=payoffs[..., 1])
    if not unit_rate:
        payoffs[..., 1] *= rate
    payoffs[..., 1] += d_second


def _nash_power_kernel(
    shape: tuple[int, ...],
    surplus: FloatArray,
    scale: FloatArray,
    exponent: FloatArray,
    d_first: FloatArray,
    d_second: FloatArray,
    weight: FloatArray,
) -> dict[str, NDArray[np.generic]]:
    """Nash product on ``u1 = c (S - u0)^a`` by safeguarded Newton on ``t = S - u0``.

    Maximizing ``w ln(G - t) + (1 - w) ln(c t^a - d1)`` over ``t`` in ``(t_min, G)`` with
    ``G = S - d0`` and ``t_min = (max(d1, 0) / c)^(1/a)`` (strictly concave). Multiplying
    the first-order condition by ``t (G - t)(c t^a - d1) > 0`` gives the root of

    ``phi(t) = c t^a [(w + (1 - w) a) t - (1 - w) a G] - w d1 t``,

    which is negative below the optimum and positive above it. When ``d1 = 0`` the root is
    ``t = (1 - w) a G / (w + (1 - w) a)``, the starting point of the iteration. Runs on one
    cache-sized block (see `blockwise`).
    """
    surplus, scale, exponent, d_first, d_second, weight = (
        np.broadcast_to(x, shape) for x in (surplus, scale, exponent, d_first, d_second, weight)
    )
    room = surplus - d_first  # G
    with np.errstate(divide="ignore", over="ignore"):
        t_min = (np.maximum(d_second, 0.0) / scale) ** (1.0 / exponent)
    agreement = (room > t_min) & (scale * np.maximum(room, 0.0) ** exponent > d_second)
    # Points without gains get a harmless dummy problem (G = 1, d1 = 0) and are masked later.
    room = np.where(agreement, room, 1.0)
    weighted_d_second = np.where(agreement, weight * d_second, 0.0)
    t_min = np.where(agreement, t_min, 0.0)
    slope_weight = weight + (1.0 - weight) * exponent
    offset = (1.0 - weight) * exponent * room
    scale_exponent = scale * exponent
    scale_slope_weight = scale * slope_weight
    start = np.clip(offset / slope_weight, t_min, room)

    def phi(t: FloatArray) -> tuple[FloatArray, FloatArray]:
        # At t = 0 the slope is 0/0 = NaN: the safeguard then takes a bisection step.
        with np.errstate(divide="ignore", invalid="ignore"):
            t_pow = t**exponent
            bracket = slope_weight * t - offset
            value = scale * t_pow * bracket - weighted_d_second * t
            slope = (
                scale_exponent * (t_pow / t) * bracket
                + scale_slope_weight * t_pow
                - weighted_d_second
            )
        return value, slope

    t = newton_bracketed(phi, t_min, room.copy(), start)
    payoffs = np.empty((*shape, 2), dtype=np.float64)
    payoffs[..., 0] = np.where(agreement, surplus - t, d_first)
    payoffs[..., 1] = np.where(agreement, scale * t**exponent, d_second)
    return {"payoffs": payoffs, "agreement": agreement}


def _nash_points(
    frontier: PointsFrontier,
    d_first: FloatArray,
    d_second: FloatArray,
    weight: FloatArray,
    shape: tuple[int, ...],
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Nash on a piecewise-linear frontier: the closed form on each segment, best segment wins.

    A segment from ``P`` to ``Q`` is ``P + lam (Q - P)`` with ``lam`` in ``[0, 1]``. The
    weighted Nash product along it is log-concave in ``lam`` with its maximum where
    ``w D0 (P1 + lam D1 - d1) + (1 - w) D1 (P0 + lam D0 - d0) = 0`` (``D = Q - P``), i.e.
    ``lam = (w D0 (P1 - d1) + (1 - w) D1 (P0 - d0)) / (-D0 D1)``, clipped to the segment and
    to individual rationality. Written in ``lam`` rather than in the segment's slope, so a
    nearly vertical segment cannot overflow. Vectorized over (points x segments).
    """
    vertices = frontier.vertices
    d_first = np.broadcast_to(d_first, shape)[..., None]
    d_second = np.broadcast_to(d_second, shape)[..., None]
    w = np.broadcast_to(weight, shape)[..., None]
    agreement = np.broadcast_to(frontier.value(d_first[..., 0]) > d_second[..., 0], shape)
    if len(vertices) == 1:
        point = vertices[0]
        return (np.full(shape, point[0]), np.full(shape, point[1]), agreement)
    start, step = vertices[:-1], vertices[1:] - vertices[:-1]  # step: (+, -) on the chain
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        lam = (
            w * step[:, 0] * (start[:, 1] - d_second)
            + (1.0 - w) * step[:, 1] * (start[:, 0] - d_first)
        ) / (-step[:, 0] * step[:, 1])
        # Individually rational part of the segment: u0 >= d0 and u1 >= d1.
        low = np.maximum((d_first - start[:, 0]) / step[:, 0], 0.0)
        high = np.minimum((d_second - start[:, 1]) / step[:, 1], 1.0)
        lam = np.clip(np.nan_to_num(lam, nan=0.5), low, np.maximum(high, low))
        first = start[:, 0] + lam * step[:, 0]
        second = start[:, 1] + lam * step[:, 1]
        # A zero weight drops its factor (x^0 = 1, also at x = 0): at w = 1 the buyer's
        # best corner wins, at w = 0 the seller's, not an interior vertex.
        log_first = np.where(w == 0.0, 0.0, w * np.log(first - d_first))
        log_second = np.where(w == 1.0, 0.0, (1.0 - w) * np.log(second - d_second))
        log_product = log_first + log_second
    log_product = np.where(np.isnan(log_product), -np.inf, log_product)
    best = np.argmax(log_product, axis=-1)[..., None]
    return (
        np.take_along_axis(first, best, axis=-1)[..., 0],
        np.take_along_axis(second, best, axis=-1)[..., 0],
        agreement,
    )


def nash(
    problem: BargainingProblem,
    weight: ArrayLike = 0.5,
    *,
    out: dict[str, NDArray[Any]] | None = None,
) -> Outcome:
    """The (asymmetric) Nash bargaining solution.

    Maximizes ``(u0 - d0)^w (u1 - d1)^(1 - w)`` over the feasible points that give both
    players at least their disagreement payoff (Nash 1950; the weighted form is in Roth
    1979 and Binmore, Rubinstein and Wolinsky 1986).

    Parameters
    ----------
    problem
        The bargaining problem.
    weight
        Bargaining weight ``w`` of player 0 (the buyer), in ``[0, 1]``; broadcasts against
        the problem. ``w = 0.5`` is the symmetric Nash solution.
    out
        Optional preallocated outputs for a linear frontier, as numpy's ``out=``:
        ``{"payoffs": array of shape (*shape, 2), "agreement": bool array of shape shape}``,
        C-contiguous float64 and bool. The solution is written into them and the outcome
        holds read-only views of them (so do not change them while the outcome is in use).
        Saves allocating (and the operating system zeroing) fresh outputs on every call of a
        loop or a sweep.

    Returns
    -------
    Outcome
        With ``method="nash"`` and ``parameters={"weight": weight}``.

    Notes
    -----
    Linear frontiers use the closed form: each player gets its disagreement payoff plus its
    weight's share of the gain ``S - d0 - d1 / rate``. Power frontiers solve the first-order
    condition by safeguarded Newton iteration (vectorized, quadratic convergence). Frontiers
    from points apply the linear closed form on each hull segment and keep the best.

    Examples
    --------
    >>> import numpy as np
    >>> import pipeline_games as pg
    >>> problem = pg.BargainingProblem.linear(surplus=100.0, disagreement=(10.0, 30.0))
    >>> pg.nash(problem, weight=0.6).payoffs
    array([46., 54.])
    >>> pg.nash(pg.BargainingProblem.linear(100.0, (70.0, 40.0))).agreement  # no gains
    array(False)
    >>> pg.nash(pg.BargainingProblem.linear(np.array([[100.0], [200.0]])),
    ...         weight=np.array([0.25, 0.5])).payoffs.shape
    (2, 2, 2)
    >>> buffers = {"payoffs": np.empty((3, 2)), "agreement": np.empty(3, dtype=bool)}
    >>> outcome = pg.nash(pg.BargainingProblem.linear([10.0, 20.0, 30.0]), out=buffers)
    >>> buffers["payoffs"][:, 0]
    array([ 5., 10., 15.])
    """
    problem = check_problem(problem)
    weight_array = as_array(weight, "weight", low=0.0, high=1.0)
    d_first, d_second = problem.disagreement
    shape = broadcast_named(problem=np.broadcast_to(False, problem.shape), weight=weight_array)
    frontier = problem.frontier
    per_point = 17 if not isinstance(frontier, PointsFrontier) else 17 + 56 * len(frontier.vertices)
    check_memory(shape, per_point, "nash")
    arrays = {**frontier.arrays(), "d_first": d_first, "d_second": d_second, "weight": weight_array}
    if out is not None and not isinstance(frontier, LinearFrontier):
        raise InvalidParameterError(
            "out is supported for linear frontiers only; got a problem with a "
            f"{type(frontier).__name__}"
        )
    if isinstance(frontier, LinearFrontier):
        outputs = {"payoffs": ((2,), np.float64), "agreement": ((), np.bool_)}
        given = None if out is None else _fused.check_out(out, shape, outputs, "nash")
        if _fused.enabled(shape):
            fused = given or {
                "payoffs": np.empty((*shape, 2), dtype=np.float64),
                "agreement": np.empty(shape, dtype=np.bool_),
            }
            if _fused.nash_linear(shape, fused, arrays):
                return Outcome.from_blocks(fused, problem, "nash", {"weight": weight_array})
        if given is not None:
            result = _fused.blocks_into(_nash_linear_kernel, shape, arrays, given)
        else:
            result = blockwise(_nash_linear_kernel, shape, arrays, outputs=outputs)
        return Outcome.from_blocks(result, problem, "nash", {"weight": weight_array})
    if isinstance(frontier, PowerFrontier):
        result = blockwise(_nash_power_kernel, shape, arrays)
        return Outcome.from_blocks(result, problem, "nash", {"weight": weight_array})
    if isinstance(frontier, PointsFrontier):
        first, second, agreement = _nash_points(frontier, d_first, d_second, weight_array, shape)
    else:  # pragma: no cover - user-defined frontier types
        raise TypeError(f"nash does not support frontiers of type {type(frontier).__name__}")
    return _outcome(problem, first, second, agreement, shape, "nash", weight=weight_array)


# -- Kalai-Smorodinsky and egalitarian: a ray from d hits the frontier ----------------------
def _ray_to_frontier(
    problem: BargainingProblem,
    step_first: FloatArray,
    step_second: FloatArray,
    limit: FloatArray,
    shape: tuple[int, ...],
) -> FloatArray:
    """Largest ``t`` in ``[0, limit]`` with ``d + t (step_first, step_second)`` feasible.

    ``f(d0 + t s0) - d1 - t s1`` is non-increasing in ``t`` for a non-increasing frontier
    and non-negative steps, so the crossing is found by vectorized bisection.
    """
    d_first, d_second = problem.disagreement
    frontier = problem.frontier

    def excess(t: FloatArray) -> FloatArray:
        return frontier.value(d_first + t * step_first) - (d_second + t * step_second)

    return bisect_decreasing(excess, np.zeros(shape), np.broadcast_to(limit, shape))


def kalai_smorodinsky(problem: BargainingProblem) -> Outcome:
    """The Kalai-Smorodinsky solution: the frontier point on the segment from ``d`` to the ideal point.

    Each player's gain is proportional to its largest individually rational gain (Kalai
    and Smorodinsky 1975).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> pg.kalai_smorodinsky(pg.BargainingProblem.linear(100.0, (10.0, 30.0))).payoffs
    array([40., 60.])
    >>> out = pg.kalai_smorodinsky(pg.BargainingProblem.from_points([[0, 1], [1, 0.5], [2, 0]]))
    >>> out.payoffs
    array([1. , 0.5])
    """
    problem = check_problem(problem)
    shape = problem.shape
    check_memory(shape, 160, "kalai_smorodinsky")
    d_first, d_second = problem.disagreement
    agreement = problem.has_gains()
    ideal_first, ideal_second = problem.ideal_point()
    with np.errstate(invalid="ignore"):
        step_first = np.where(agreement, ideal_first - d_first, 0.0)
        step_second = np.where(agreement, ideal_second - d_second, 0.0)
    if isinstance(problem.frontier, LinearFrontier):
        t = np.full(shape, 0.5)  # on a line the ray meets the frontier half-way to utopia
    else:
        t = _ray_to_frontier(problem, step_first, step_second, np.ones(shape), shape)
    first = d_first + t * step_first
    second = d_second + t * step_second
    return _outcome(problem, first, second, agreement, shape, "kalai_smorodinsky")


def egalitarian(problem: BargainingProblem) -> Outcome:
    """The egalitarian solution: the frontier point with equal gains over ``d`` (Kalai 1977).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> pg.egalitarian(pg.BargainingProblem.linear(100.0, (10.0, 30.0), rate=2.0)).payoffs
    array([60., 80.])
    """
    problem = check_problem(problem)
    shape = problem.shape
    check_memory(shape, 160, "egalitarian")
    d_first, d_second = problem.disagreement
    agreement = problem.has_gains()
    frontier = problem.frontier
    if isinstance(frontier, LinearFrontier):
        # rate (S - d0 - t) = d1 + t  =>  t = (rate (S - d0) - d1) / (1 + rate)
        t = (frontier.rate * (frontier.surplus - d_first) - d_second) / (1.0 + frontier.rate)
    else:
        ideal_first, _ = problem.ideal_point()
        limit = np.where(agreement, ideal_first - d_first, 0.0)
        one = np.ones(shape)
        t = _ray_to_frontier(problem, one, one, limit, shape)
    first = d_first + t
    second = d_second + t
    return _outcome(problem, first, second, agreement, shape, "egalitarian")


# -- utilitarian ----------------------------------------------------------------------------
def utilitarian(problem: BargainingProblem) -> Outcome:
    """The utilitarian solution: maximize ``u0 + u1`` over individually rational points.

    When several points maximize the sum (a frontier segment of slope -1), the midpoint of
    that set is returned, which on a symmetric problem is also the egalitarian point.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> pg.utilitarian(pg.BargainingProblem.linear(100.0, (10.0, 30.0), rate=2.0)).payoffs
    array([ 10., 180.])
    >>> pg.utilitarian(pg.BargainingProblem.power(4.0, exponent=0.5)).payoffs
    array([3.75, 0.5 ])
    """
    problem = check_problem(problem)
    shape = problem.shape
    check_memory(shape, 120, "utilitarian")
    d_first, _ = problem.disagreement
    agreement = problem.has_gains()
    frontier = problem.frontier
    ideal_first, _ = problem.ideal_point()
    low, high = np.broadcast_to(d_first, shape), np.broadcast_to(ideal_first, shape)
    if isinstance(frontier, LinearFrontier):
        rate = np.broadcast_to(frontier.rate, shape)
        first = np.where(rate > 1.0, low, np.where(rate < 1.0, high, 0.5 * (low + high)))
    elif isinstance(frontier, PowerFrontier):
        exponent = np.broadcast_to(frontier.exponent, shape)
        scale = np.broadcast_to(frontier.scale, shape)
        curved = exponent < 1.0
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            # slope -c a (S - u0)^(a - 1) = -1  =>  S - u0 = (c a)^(1 / (1 - a))
            room = (scale * exponent) ** (1.0 / np.where(curved, 1.0 - exponent, 1.0))
        interior = np.broadcast_to(frontier.surplus, shape) - room
        linear_choice = np.where(scale > 1.0, low, np.where(scale < 1.0, high, 0.5 * (low + high)))
        first = np.where(curved, np.clip(interior, low, np.maximum(low, high)), linear_choice)
    elif isinstance(frontier, PointsFrontier):
        first = _utilitarian_points(frontier, low, high)
    else:  # pragma: no cover
        raise TypeError(f"utilitarian does not support {type(frontier).__name__}")
    second = frontier.value(first)
    return _outcome(problem, first, second, agreement, shape, "utilitarian")


def _utilitarian_points(frontier: PointsFrontier, low: FloatArray, high: FloatArray) -> FloatArray:
    """Midpoint of the maximizers of ``u0 + f(u0)`` on ``[low, high]`` for a piecewise-linear ``f``."""
    vertex_first = frontier.vertices[:, 0]
    candidates = np.concatenate(
        [
            low[..., None],
            np.broadcast_to(vertex_first, (*low.shape, len(vertex_first))),
            high[..., None],
        ],
        axis=-1,
    )
    candidates = np.clip(candidates, low[..., None], np.maximum(low, high)[..., None])
    totals = candidates + frontier.value(candidates)
    best = totals.max(axis=-1, keepdims=True)
    # Ties within rounding of the frontier's own magnitude (no absolute floor: unit-free).
    magnitude = float(np.max(np.abs(frontier.vertices)))
    tied = totals >= best - 1e-12 * magnitude
    smallest = np.where(tied, candidates, np.inf).min(axis=-1)
    largest = np.where(tied, candidates, -np.inf).max(axis=-1)
    return 0.5 * (smallest + largest)
