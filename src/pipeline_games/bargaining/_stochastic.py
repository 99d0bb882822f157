r"""Stochastic bargaining: alternating or random proposers in an environment that moves on a
finite Markov chain (Merlo and Wilson 1995, 1998).

The model
---------
The environment is in one of ``K`` states. In each period, in state ``s``:

1. Nature picks the proposer: player 0 (the buyer) with probability ``p(s)``, player 1
   (the seller) otherwise.
2. The proposer ``i`` either opts out, or proposes a split of the surplus ``pi(s)``.
3. The responder ``j`` accepts (the split is paid and the game ends), opts out, or rejects.
4. Opting out ends the talks: each player ``k`` gets its outside option ``o_k(s)``.
5. After a rejection, the next period's state is drawn from row ``s`` of the transition
   matrix ``P``, and every payoff is discounted by ``delta_k`` per period.

Alternating offers are the special case of a state that records who proposes
(`alternating_states` builds that chain); a single state with ``p(s) = 1/2`` is the
random-proposer Rubinstein game.

Let ``v_k(s)`` be player ``k``'s value at the start of a period in state ``s`` and
``c_k(s) = delta_k sum_t P(s, t) v_k(t)`` its continuation value, the worth of rejecting.
The responder ``j`` accepts any offer worth at least ``r_j = max(o_j, c_j)``. Write
``x_k = [o_k > c_k]`` for "player ``k`` prefers opting out to waiting". If the proposer
``i`` makes no acceptable offer, it gets ``n_i = o_i`` when either player would then opt
out (``x_i`` or ``x_j``) and ``c_i`` otherwise. The proposer strikes a deal when
``pi - r_j > n_i``. The stationary subgame-perfect equilibrium solves the Bellman system

.. math::

    v_0 = p \max(\pi - r_1,\ n_0) + (1 - p)\,m_0, \qquad
    v_1 = (1 - p)\max(\pi - r_0,\ n_1) + p\,m_1,

where the responder's payoff ``m_j`` is ``r_j``, except when there is no deal and the
proposer opts out while ``j`` would have waited (``x_i`` and not ``x_j``): then ``m_j = o_j``.
Without outside options (all ``o = 0``), this is Merlo and Wilson's system: agreement in
state ``s`` exactly when ``pi(s) > c_0(s) + c_1(s)``, the proposer keeping ``pi - c_j``.

The map ``V -> T(V)`` is a contraction of modulus ``max(delta_0, delta_1)`` in the
sup norm wherever the opting-out decisions ``x`` do not switch; it is iterated until
``delta / (1 - delta) ||T(V) - V||``, a bound on the error of the values, is at most ``tol``
times the problem's magnitude (the largest ``|pi|`` or ``|o|`` of the point). With
``accelerate=True`` the iteration periodically jumps to the fixed point of the current
decisions (a linear solve of size ``2K``: one policy-evaluation step), kept for the points
where it lowers the residual ``||T(V) - V||``; the stopping rule is the same.

Timing. Given the equilibrium, the state ``s`` ends the talks in a period with probability
``q(s)`` (a deal) plus ``e(s)`` (opting out), and otherwise moves on by ``P``. With
``Q = diag(1 - q - e) P``, the probability of a deal in period ``t`` from start ``s_0`` is
``(Q^t q)(s_0)``; the fundamental matrix ``N = (I - Q)^{-1}`` gives the eventual
probability of a deal ``a = N q``, the state of agreement ``N diag(q)``, and the expected
delay given a deal ``(N a - a) / a`` (Kemeny and Snell 1960). States that can never reach
an end of the talks are removed first, so that ``N`` exists.

References
----------
Merlo, A. and Wilson, C. (1995). A stochastic model of sequential bargaining with complete
information. *Econometrica* 63(2), 371-399.
Merlo, A. and Wilson, C. (1998). Efficient delays in a stochastic model of bargaining.
*Economic Theory* 11(1), 39-55.
Binmore, K., Shaked, A. and Sutton, J. (1989). An outside option experiment. *Quarterly
Journal of Economics* 104(4), 753-770.
Kemeny, J. G. and Snell, J. L. (1960). *Finite Markov Chains*. Van Nostrand, chapter 3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, as_pair, broadcast_named
from .._results import Result
from ..errors import InvalidParameterError

__all__ = [
    "AgreementTiming",
    "StochasticBargainingResult",
    "alternating_states",
    "stochastic_bargaining",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Parameter points solved together (each block iterates until all its points converge).
_BLOCK_POINTS = 2048
#: Accepted deviation of a transition row's sum from 1.
_ROW_SUM_TOL = 1e-9
#: Bytes of output per parameter point and state (values, continuation, offers, split, ...).
_OUTPUT_BYTES_PER_STATE = 8 * 15


# ----------------------------------------------------------------------------------------
# result types
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class AgreementTiming(Result):
    """When the talks end, from a start state (see `StochasticBargainingResult.timing`).

    Attributes
    ----------
    by_period
        ``(..., horizon)``: probability that a deal has been struck by period ``t``
        (``t = 0`` is the first period, in the start state), for ``t < horizon``.
    probability
        ``(...)``: probability that a deal is ever struck.
    exit_probability
        ``(...)``: probability that the talks end by a player opting out instead.
    expected_delay
        ``(...)``: expected number of periods before the deal, given that there is one
        (``0`` for a deal at once); ``inf`` where a deal is never struck.
    state_distribution
        ``(..., K)``: probability that the deal is struck in each state (sums to
        ``probability``).
    start
        The start state(s), as given (``None``: every state, one more axis of length ``K``
        before the last axis of each array above).
    horizon
        Number of periods in ``by_period``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> # slump (nothing to share) and boom; the slump ends with probability 1/4 a period
    >>> result = pg.stochastic_bargaining(
    ...     [0.0, 10.0], [[0.75, 0.25], [0.0, 1.0]], discount=(0.9, 0.9))
    >>> timing = result.timing(start=0, horizon=4)
    >>> timing.by_period
    array([0.      , 0.25    , 0.4375  , 0.578125])
    >>> float(timing.expected_delay), float(timing.probability)
    (4.0, 1.0)
    """

    by_period: FloatArray
    probability: FloatArray
    exit_probability: FloatArray
    expected_delay: FloatArray
    state_distribution: FloatArray
    start: Any = None
    horizon: int = 0
    method: str = "agreement-timing"

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the parameter grid (with a last axis of start states when ``start=None``)."""
        return tuple(self.probability.shape)


@dataclass(frozen=True, eq=False, repr=False)
class StochasticBargainingResult(Result):
    """The stationary subgame-perfect equilibrium of stochastic bargaining.

    Shapes: ``(...)`` is the broadcast shape of the parameter points, ``K`` the number of
    states; the last axis of length 2 is the player, in the order of ``players``.

    Attributes
    ----------
    values
        ``(..., K, 2)``: each player's value at the start of a period in each state.
    continuation
        ``(..., K, 2)``: the value of rejecting, ``c_k(s) = delta_k sum_t P(s, t) v_k(t)``.
    agreement
        ``(..., K)`` bool: the agreement set, the states where a deal is struck at once
        whoever proposes (every proposer with a positive probability strikes one).
    deal_probability
        ``(..., K)``: probability of a deal in a period spent in the state (over the draw of
        the proposer).
    exit_probability
        ``(..., K)``: probability that the talks end by opting out in a period in the state.
    offers
        ``(..., K, 2, 2)``: ``offers[..., s, i, :]`` is the split ``(buyer, seller)`` that
        player ``i`` proposes in state ``s``: the proposer keeps ``pi - r_j`` and the
        responder gets ``r_j = max(o_j, c_j)`` (accepted where player ``i`` strikes a deal).
    split
        ``(..., K, 2)``: the expected split given a deal in the state (over the proposer);
        in states without a deal, the proposals averaged over the proposer.
    iterations
        ``(...)`` int: applications of the Bellman map until the point met the tolerance
        (``max_iter`` where it did not).
    change
        ``(...)``: the last ``||T(V) - V||`` (sup norm over states and players) relative to
        the problem's magnitude (the largest ``|surplus|`` or ``|outside option|``).
    converged
        ``(...)`` bool: ``delta / (1 - delta) * change <= tol``, with
        ``delta = max(delta_0, delta_1)``: the error bound of a contraction.
    method
        ``"stochastic-bargaining"``.
    parameters
        The arguments: ``surplus``, ``transition``, ``discount``, ``proposer``,
        ``outside_options``, ``tol``, ``max_iter``, ``accelerate`` (validated arrays,
        broadcastable to the shapes above, not copied to them).
    players
        The players' names; default ``("buyer", "seller")``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.stochastic_bargaining([6.0], [[1.0]], discount=(0.9, 0.9))
    >>> result
    StochasticBargainingResult(method='stochastic-bargaining', shape=())
    >>> result.values  # one state, random proposer: an even split
    array([[3., 3.]])
    >>> result.agreement, bool(result.converged)
    (array([ True]), True)
    """

    values: FloatArray
    continuation: FloatArray
    agreement: BoolArray
    deal_probability: FloatArray
    exit_probability: FloatArray
    offers: FloatArray
    split: FloatArray
    iterations: NDArray[np.int64]
    change: FloatArray
    converged: BoolArray
    method: str = "stochastic-bargaining"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the grid of parameter points (``()`` for one point)."""
        return tuple(self.change.shape)

    @property
    def n_states(self) -> int:
        """Number of states ``K``."""
        return int(self.values.shape[-2])

    def _frame_columns(self) -> dict[str, Any]:
        columns = super()._frame_columns()
        size = int(np.prod(self.shape, dtype=np.int64))
        for k in range(self.n_states):
            columns[f"agreement_{k}"] = self.agreement[..., k].reshape(size)
            for index, name in enumerate(self.players):
                columns[f"values_{name}_{k}"] = self.values[..., k, index].reshape(size)
        return columns

    def labels(self) -> NDArray[np.str_]:
        """What happens in a period spent in each state: ``"agree"`` (a deal whoever
        proposes), ``"wait"`` (no deal, the talks go on), ``"opt out"`` (the talks end
        without a deal) or ``"mixed"`` (it depends on who proposes); shape ``(..., K)``.

        Examples
        --------
        >>> import pipeline_games as pg
        >>> result = pg.stochastic_bargaining(
        ...     [0.0, 10.0], [[0.5, 0.5], [0.5, 0.5]], discount=(0.9, 0.9))
        >>> result.labels()
        array(['wait', 'agree'], dtype='<U7')
        """
        labels = np.full(self.deal_probability.shape, "mixed", dtype="<U7")
        labels[self.deal_probability >= 1.0] = "agree"
        labels[(self.deal_probability <= 0.0) & (self.exit_probability <= 0.0)] = "wait"
        labels[self.exit_probability >= 1.0] = "opt out"
        return labels

    def timing(self, start: Any = None, horizon: int = 20) -> AgreementTiming:
        """When the talks end, from a start state: an absorbing Markov chain computation.

        Parameters
        ----------
        start
            The state of the first period: an index in ``0..K-1``, or an array of indices
            broadcastable to `shape` (one start per parameter point); ``None`` for
            every start state (the arrays of the result get an axis of length ``K``).
        horizon
            Number of periods for `AgreementTiming.by_period` (``>= 1``).

        Returns
        -------
        AgreementTiming

        Examples
        --------
        >>> import pipeline_games as pg
        >>> result = pg.stochastic_bargaining(
        ...     [0.0, 10.0], [[0.5, 0.5], [0.5, 0.5]], discount=(0.9, 0.9))
        >>> timing = result.timing(horizon=3)  # from each start state
        >>> timing.by_period
        array([[0.  , 0.5 , 0.75],
               [1.  , 1.  , 1.  ]])
        >>> timing.expected_delay
        array([2., 0.])
        """
        steps = as_int(horizon, "horizon", low=1)
        k_states = self.n_states
        batch = self.shape
        size = int(np.prod(batch, dtype=np.int64))
        if start is None:
            starts = None
        else:
            try:
                start_array = np.asarray(start)
            except (TypeError, ValueError) as exc:
                raise InvalidParameterError(
                    f"start must be a state index in 0..{k_states - 1}; got {start!r}"
                ) from exc
            if start_array.dtype.kind not in "iu" and not (
                start_array.dtype.kind == "f"
                and np.all(np.isfinite(start_array))
                and np.all(start_array == np.round(start_array))
            ):
                raise InvalidParameterError(
                    f"start must be a state index (a whole number) in 0..{k_states - 1}; "
                    f"got {start!r}"
                )
            start_array = start_array.astype(np.int64)
            if start_array.size == 0 or start_array.min() < 0 or start_array.max() >= k_states:
                raise InvalidParameterError(
                    f"start must be a state index in 0..{k_states - 1}; got {start!r}"
                )
            broadcast_named(start=start_array, result=np.broadcast_to(False, batch))
            if np.broadcast_shapes(start_array.shape, batch) != batch:
                raise InvalidParameterError(
                    f"start must broadcast to the result's shape {batch}; "
                    f"got shape {start_array.shape}"
                )
            starts = np.broadcast_to(start_array, batch).reshape(size)
        n_start = k_states if starts is None else 1
        _check_memory(size * n_start * (steps + 2 * k_states + 4) * 8, "the timing distribution")
        transition = np.broadcast_to(self.parameters["transition"], (*batch, k_states, k_states))
        deal = self.deal_probability.reshape(size, k_states)
        leave = self.exit_probability.reshape(size, k_states)
        outputs = {
            "by_period": np.empty((size, n_start, steps)),
            "probability": np.empty((size, n_start)),
            "exit_probability": np.empty((size, n_start)),
            "expected_delay": np.empty((size, n_start)),
            "state_distribution": np.empty((size, n_start, k_states)),
        }
        for rows in _blocks(size, _BLOCK_POINTS):
            block_starts = None if starts is None else starts[rows]
            block = _timing_block(
                _take(transition, batch, rows),
                deal[rows],
                leave[rows],
                block_starts,
                steps,
            )
            for name, value in block.items():
                outputs[name][rows] = value
        tail = (k_states,) if starts is None else ()
        return AgreementTiming(
            by_period=outputs["by_period"].reshape(*batch, *tail, steps),
            probability=outputs["probability"].reshape((*batch, *tail)),
            exit_probability=outputs["exit_probability"].reshape((*batch, *tail)),
            expected_delay=outputs["expected_delay"].reshape((*batch, *tail)),
            state_distribution=outputs["state_distribution"].reshape(*batch, *tail, k_states),
            start=start,
            horizon=steps,
        )


# ----------------------------------------------------------------------------------------
# the solver
# ----------------------------------------------------------------------------------------


def stochastic_bargaining(
    surplus: ArrayLike,
    transition: ArrayLike,
    discount: Any,
    *,
    proposer: ArrayLike = 0.5,
    outside_options: Any = None,
    tol: float = 1e-10,
    max_iter: int = 10_000,
    accelerate: bool = True,
    players: tuple[str, str] = ("buyer", "seller"),
) -> StochasticBargainingResult:
    """Stationary subgame-perfect equilibrium of bargaining on a Markov chain of states.

    See the module docstring (and the explanation page *Stochastic bargaining*) for the
    model. Every per-state array has the states on its last axis; everything broadcasts
    like numpy arrays, so a grid of parameter points is solved in one call (no Python
    loop over points).

    Parameters
    ----------
    surplus
        ``(..., K)``: the size of the surplus (the cake) in each state; any real number.
    transition
        ``(..., K, K)``: the transition matrix, ``transition[..., s, t]`` the probability
        of moving from state ``s`` to state ``t`` after a rejection; non-negative rows that
        sum to 1.
    discount
        ``(delta0, delta1)``: each player's discount factor per period, in ``(0, 1)``, each
        a number or an array of the points' shape ``(...)`` (no state axis).
    proposer
        ``(..., K)``: probability that player 0 (the buyer) proposes in each state; default
        one half. Use 0 and 1 with `alternating_states` for alternating offers.
    outside_options
        ``(o0, o1)``, each ``(..., K)``: what each player gets when either opts out in the
        state; ``None`` for none (the same as 0, the value of disagreeing for ever).
    tol
        Bound, relative to the problem's magnitude (the largest ``|surplus|`` or
        ``|outside option|`` of the point), on the error of the values: the iteration stops
        when ``delta / (1 - delta) * ||T(V) - V|| <= tol * magnitude``; in ``(0, 0.1]``.
    max_iter
        Cap on the applications of the Bellman map (``>= 1``); the result says which points
        converged.
    accelerate
        Jump, now and then, to the fixed point of the current decisions (one linear solve
        per point), kept only where it lowers the residual; ``False`` for plain iteration.
    players
        The players' names, in order.

    Returns
    -------
    StochasticBargainingResult
        Values, agreement set, offers and splits per state, convergence per point, and
        `timing` for the timing of agreement.

    Raises
    ------
    InvalidParameterError
        For a transition matrix with negative entries or rows that do not sum to 1, a
        discount factor outside ``(0, 1)`` (1 included: no stationary equilibrium with an
        infinite horizon), a probability outside ``[0, 1]``, NaN or infinite values,
        shapes that do not broadcast, or outputs that would not fit in memory.

    Examples
    --------
    Three states: a slump with little to share, a normal state and a boom.

    >>> import pipeline_games as pg
    >>> transition = [[0.7, 0.3, 0.0], [0.1, 0.8, 0.1], [0.0, 0.3, 0.7]]
    >>> result = pg.stochastic_bargaining([1.0, 6.0, 10.0], transition, discount=(0.9, 0.9))
    >>> result.agreement
    array([False,  True,  True])
    >>> result.values.round(3)  # (buyer, seller) in each state
    array([[2.189, 2.189],
           [3.   , 3.   ],
           [5.   , 5.   ]])
    >>> float(result.timing(start=0).expected_delay.round(3))  # periods of slump: 1 / 0.3
    3.333

    Vectorized: two discount factors for the buyer at once.

    >>> pg.stochastic_bargaining([1.0, 6.0, 10.0], transition,
    ...                          discount=([0.9, 0.5], 0.9)).agreement
    array([[False,  True,  True],
           [False,  True,  True]])
    """
    problem = _validate(surplus, transition, discount, proposer, outside_options)
    tol_array = as_array(tol, "tol", low=0.0, high=0.1, low_open=True)
    if tol_array.ndim:
        raise InvalidParameterError(
            f"tol must be a single number; got an array of shape {tol_array.shape}"
        )
    tol_value = float(tol_array)
    cap = as_int(max_iter, "max_iter", low=1)
    if not isinstance(accelerate, bool | np.bool_):
        raise InvalidParameterError(f"accelerate must be True or False; got {accelerate!r}")
    if (
        not isinstance(players, tuple | list)
        or len(players) != 2
        or not all(isinstance(name, str) for name in players)
    ):
        raise InvalidParameterError(f"players must be two names; got {players!r}"[:300])
    names = tuple(players)
    if names[0] == names[1]:
        raise InvalidParameterError(f"players must be two distinct names; got {names[0]!r} twice")

    batch, k_states = problem["batch"], problem["k_states"]
    size = int(np.prod(batch, dtype=np.int64))
    _check_memory(
        size * k_states * (_OUTPUT_BYTES_PER_STATE + 8 * k_states * int(problem["big_p"])),
        "the equilibrium",
    )
    per_state = {
        name: np.broadcast_to(problem[name], (*batch, k_states))
        for name in ("surplus", "proposer", "o0", "o1")
    }
    for name in ("d0", "d1"):
        per_state[name] = np.broadcast_to(problem[name][..., None], (*batch, 1))
    full_p = np.broadcast_to(problem["transition"], (*batch, k_states, k_states))
    out = {
        "values": np.empty((size, k_states, 2)),
        "continuation": np.empty((size, k_states, 2)),
        "agreement": np.empty((size, k_states), dtype=np.bool_),
        "deal_probability": np.empty((size, k_states)),
        "exit_probability": np.empty((size, k_states)),
        "offers": np.empty((size, k_states, 2, 2)),
        "split": np.empty((size, k_states, 2)),
        "iterations": np.empty(size, dtype=np.int64),
        "change": np.empty(size),
        "converged": np.empty(size, dtype=np.bool_),
    }
    for rows in _blocks(size, _BLOCK_POINTS):
        arrays = {name: _take(value, batch, rows) for name, value in per_state.items()}
        arrays["transition"] = _take(full_p, batch, rows)
        block = _solve_block(arrays, tol_value, cap, bool(accelerate))
        for name, value in block.items():
            out[name][rows] = value
    parameters = {
        "surplus": problem["surplus"],
        "transition": problem["transition"],
        "discount": (problem["d0"], problem["d1"]),
        "proposer": problem["proposer"],
        "outside_options": None if outside_options is None else (problem["o0"], problem["o1"]),
        "tol": tol_value,
        "max_iter": cap,
        "accelerate": bool(accelerate),
    }
    return StochasticBargainingResult(
        values=out["values"].reshape(*batch, k_states, 2),
        continuation=out["continuation"].reshape(*batch, k_states, 2),
        agreement=out["agreement"].reshape(*batch, k_states),
        deal_probability=out["deal_probability"].reshape(*batch, k_states),
        exit_probability=out["exit_probability"].reshape(*batch, k_states),
        offers=out["offers"].reshape(*batch, k_states, 2, 2),
        split=out["split"].reshape(*batch, k_states, 2),
        iterations=out["iterations"].reshape(batch),
        change=out["change"].reshape(batch),
        converged=out["converged"].reshape(batch),
        parameters=parameters,
        players=(names[0], names[1]),
    )


def alternating_states(
    surplus: ArrayLike, transition: ArrayLike, outside_options: Any = None
) -> dict[str, Any]:
    """The chain of alternating offers: each state split in two by who proposes.

    State ``2 s`` is "state ``s``, the buyer proposes" and ``2 s + 1`` is "state ``s``, the
    seller proposes"; after a rejection the environment moves by ``transition`` and the
    other player proposes.

    Parameters
    ----------
    surplus
        ``(..., K)``: the surplus in each state of the environment.
    transition
        ``(..., K, K)``: the environment's transition matrix.
    outside_options
        ``(o0, o1)``, each ``(..., K)``, or ``None``.

    Returns
    -------
    dict
        Keyword arguments ``surplus`` ``(..., 2K)``, ``transition`` ``(..., 2K, 2K)``,
        ``proposer`` ``(2K,)`` and ``outside_options`` for `stochastic_bargaining`.

    Examples
    --------
    One state: Rubinstein's alternating offers, the first proposer getting
    ``(1 - delta_1) / (1 - delta_0 delta_1)`` of the surplus.

    >>> import pipeline_games as pg
    >>> chain = pg.alternating_states([1.0], [[1.0]])
    >>> chain["transition"]
    array([[0., 1.],
           [1., 0.]])
    >>> result = pg.stochastic_bargaining(discount=(0.9, 0.9), **chain)
    >>> result.values[0].round(6)  # the buyer proposes first: 1 / (1 + 0.9)
    array([0.526316, 0.473684])
    """
    surplus_array = as_array(surplus, "surplus")
    transition_array = as_array(transition, "transition", low=0.0)
    if transition_array.ndim < 2 or transition_array.shape[-1] != transition_array.shape[-2]:
        raise InvalidParameterError(
            "transition must be a square matrix (..., K, K); "
            f"got an array of shape {transition_array.shape}"
        )
    k_states = transition_array.shape[-1]

    def per_state(array: Any, name: str) -> Any:
        if array.ndim and array.shape[-1] not in (1, k_states):
            raise InvalidParameterError(
                f"{name} must have the {k_states} states of transition on its last axis (or "
                f"1); got an array of shape {array.shape}"
            )
        return array

    per_state(surplus_array, "surplus")
    swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    doubled = (transition_array[..., :, None, :, None] * swap[:, None, :]).reshape(
        *transition_array.shape[:-2], 2 * k_states, 2 * k_states
    )
    surplus_array = np.broadcast_to(surplus_array, (*surplus_array.shape[:-1], k_states))
    result: dict[str, Any] = {
        "surplus": np.repeat(surplus_array, 2, axis=-1),
        "transition": doubled,
        "proposer": np.tile([1.0, 0.0], k_states),
        "outside_options": None,
    }
    if outside_options is not None:
        first, second = as_pair(outside_options, "outside_options")
        per_state(first, "outside_options[0]")
        per_state(second, "outside_options[1]")
        result["outside_options"] = tuple(
            np.repeat(np.broadcast_to(option, (*option.shape[:-1], k_states)), 2, axis=-1)
            if option.ndim
            else np.full(2 * k_states, float(option))
            for option in (first, second)
        )
    return result


# ----------------------------------------------------------------------------------------
# validation and memory
# ----------------------------------------------------------------------------------------


def _validate(
    surplus: Any, transition: Any, discount: Any, proposer: Any, outside_options: Any
) -> dict[str, Any]:
    """Checked arrays, the broadcast shape of the points and the number of states."""
    transition_array = as_array(transition, "transition")
    if transition_array.ndim < 2 or transition_array.shape[-1] != transition_array.shape[-2]:
        raise InvalidParameterError(
            "transition must be a square matrix (..., K, K), rows the state left and "
            f"columns the state entered; got an array of shape {transition_array.shape}"
        )
    if float(transition_array.min()) < 0.0:
        bad = transition_array < 0.0
        flat = int(np.argmax(bad.ravel()))
        index = tuple(int(i) for i in np.unravel_index(flat, transition_array.shape))
        raise InvalidParameterError(
            "transition must have non-negative entries (probabilities); "
            f"got {transition_array.ravel()[flat]:.10g} at index {index}"
        )
    sums = transition_array.sum(axis=-1)
    off = np.abs(sums - 1.0)
    if float(off.max()) > _ROW_SUM_TOL:
        flat = int(np.argmax(off.ravel()))
        index = tuple(int(i) for i in np.unravel_index(flat, sums.shape))
        raise InvalidParameterError(
            f"transition rows must sum to 1 (within {_ROW_SUM_TOL:g}); row {index} sums to "
            f"{sums.ravel()[flat]:.12g}"
        )
    k_states = transition_array.shape[-1]
    surplus_array = as_array(surplus, "surplus")
    proposer_array = as_array(proposer, "proposer", low=0.0, high=1.0)
    if discount is None:
        raise InvalidParameterError(
            "discount must be a pair (delta0, delta1) of discount factors in (0, 1); got None"
        )
    d0, d1 = as_pair(discount, "discount", low=0.0, high=1.0, low_open=True)
    for name, value in (("discount[0]", d0), ("discount[1]", d1)):
        if float(value.max()) >= 1.0:
            raise InvalidParameterError(
                f"{name} must be in (0, 1); got 1: with an infinite horizon and no "
                "discounting the values need not converge and there is no stationary "
                "equilibrium to compute"
            )
    if outside_options is None:
        o0 = o1 = np.zeros(())
    else:
        o0, o1 = as_pair(outside_options, "outside_options")
    shapes = {
        "surplus": surplus_array,
        "transition": np.broadcast_to(False, transition_array.shape[:-1]),
        "proposer": proposer_array,
        "outside_options[0]": o0,
        "outside_options[1]": o1,
        "discount[0]": np.broadcast_to(False, (*d0.shape, 1)),
        "discount[1]": np.broadcast_to(False, (*d1.shape, 1)),
    }
    shape = broadcast_named(**shapes)  # last axis: the K states of transition
    if shape[-1] != k_states:
        raise InvalidParameterError(
            f"the per-state arrays (surplus, proposer, outside_options) must have the "
            f"{k_states} states of transition on their last axis (or 1); they broadcast to "
            f"{shape[-1]} states"
        )
    return {
        "surplus": surplus_array,
        "transition": transition_array,
        "proposer": proposer_array,
        "o0": o0,
        "o1": o1,
        "d0": d0,
        "d1": d1,
        "batch": tuple(shape[:-1]),
        "k_states": k_states,
        "big_p": transition_array.ndim > 2,
    }


def _available_memory() -> int:
    """Bytes of memory available (``MemAvailable`` on Linux, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    try:  # pragma: no cover - not Linux
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 1 << 62


def _check_memory(needed: int, what: str) -> None:
    """Refuse, before starting, work whose outputs would not fit in memory."""
    available = _available_memory()
    if needed > available:
        raise InvalidParameterError(
            f"{what} would need {needed / 2**30:.1f} GiB of memory for its outputs; "
            f"{available / 2**30:.1f} GiB are available: solve fewer parameter points per call "
            "(e.g. with pipeline_games.sweep, chunk by chunk)"
        )


# ----------------------------------------------------------------------------------------
# blocks of points
# ----------------------------------------------------------------------------------------


def _blocks(size: int, step: int) -> list[slice]:
    """Slices of at most ``step`` points covering ``range(size)``."""
    return [slice(start, min(start + step, size)) for start in range(0, size, step)]


def _take(array: NDArray[Any], batch: tuple[int, ...], rows: slice) -> NDArray[Any]:
    """Rows ``rows`` of the flattened batch axes of ``array`` (shape ``batch + trailing``),
    as a contiguous block, without materializing the broadcast whole."""
    trailing = array.shape[len(batch) :]
    if len(batch) == 0:
        return np.ascontiguousarray(array.reshape(1, *trailing))
    if len(batch) == 1:
        return np.ascontiguousarray(array[rows])
    index = np.unravel_index(np.arange(rows.start, rows.stop), batch)
    return np.ascontiguousarray(array[index])


# ----------------------------------------------------------------------------------------
# the Bellman map and its fixed point, on a block of points
# ----------------------------------------------------------------------------------------


def _bellman(
    values: FloatArray, arrays: Mapping[str, FloatArray]
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray, BoolArray]:
    """``T(V)`` for ``values`` of shape ``(n, K, 2)``; also ``c0, c1, x0, x1``."""
    expected = np.matmul(arrays["transition"], values)
    c0 = expected[..., 0] * arrays["d0"]
    c1 = expected[..., 1] * arrays["d1"]
    o0, o1, surplus, p = arrays["o0"], arrays["o1"], arrays["surplus"], arrays["proposer"]
    r0 = np.maximum(o0, c0)
    r1 = np.maximum(o1, c1)
    x0 = o0 > c0
    x1 = o1 > c1
    # Player 0 proposes: keeps pi - r1, or without a deal gets o0 (someone opts out) or c0.
    none0 = np.where(x1, o0, r0)
    pay0_as_proposer = np.maximum(surplus - r1, none0)
    # Player 1 proposes.
    none1 = np.where(x0, o1, r1)
    pay1_as_proposer = np.maximum(surplus - r0, none1)
    # Responders get r_j, except when there is no deal and the proposer opts out while the
    # responder would have waited: then o_j.
    pay1_as_responder = np.where((surplus - r1 <= none0) & x0 & ~x1, o1, r1)
    pay0_as_responder = np.where((surplus - r0 <= none1) & x1 & ~x0, o0, r0)
    new = np.empty_like(values)
    q = 1.0 - p
    new[..., 0] = p * pay0_as_proposer + q * pay0_as_responder
    new[..., 1] = q * pay1_as_proposer + p * pay1_as_responder
    return new, c0, c1, x0, x1


def _policy_fixed_point(
    c0: FloatArray, c1: FloatArray, x0: BoolArray, x1: BoolArray, arrays: Mapping[str, FloatArray]
) -> FloatArray:
    """The fixed point of the Bellman map with its decisions frozen at those of ``(c0, c1)``.

    With the decisions fixed, each payoff is a constant plus ``+-c0`` or ``+-c1``, so the
    values solve a linear system of size ``2K`` per point: ``v = b + A c`` with
    ``c_k = delta_k P v_k``.
    """
    o0, o1, surplus, p = arrays["o0"], arrays["o1"], arrays["surplus"], arrays["proposer"]
    q = 1.0 - p
    n, k_states = surplus.shape
    r0 = np.maximum(o0, c0)
    r1 = np.maximum(o1, c1)
    none0 = np.where(x1, o0, r0)
    none1 = np.where(x0, o1, r1)
    deal0 = surplus - r1 > none0
    deal1 = surplus - r0 > none1
    # Coefficients: v0 = b0 + a00 c0 + a01 c1, v1 = b1 + a10 c0 + a11 c1.
    b0 = np.zeros((n, k_states))
    b1 = np.zeros((n, k_states))
    a00 = np.zeros((n, k_states))
    a01 = np.zeros((n, k_states))
    a10 = np.zeros((n, k_states))
    a11 = np.zeros((n, k_states))
    # Player 0 proposes (weight p).
    # deal: 0 gets pi - (o1 if x1 else c1); 1 gets (o1 if x1 else c1).
    # no deal: 0 gets o0 if (x0 or x1) else c0; 1 gets o1 if (x1 or x0) else c1.
    resp1_const = x1 | (~deal0 & x0)
    b0 += p * np.where(deal0, surplus - np.where(x1, o1, 0.0), np.where(x0 | x1, o0, 0.0))
    a01 -= p * (deal0 & ~x1)
    a00 += p * (~deal0 & ~(x0 | x1))
    b1 += p * np.where(resp1_const, o1, 0.0)
    a11 += p * ~resp1_const
    # Player 1 proposes (weight q).
    resp0_const = x0 | (~deal1 & x1)
    b1 += q * np.where(deal1, surplus - np.where(x0, o0, 0.0), np.where(x0 | x1, o1, 0.0))
    a10 -= q * (deal1 & ~x0)
    a11 += q * (~deal1 & ~(x0 | x1))
    b0 += q * np.where(resp0_const, o0, 0.0)
    a00 += q * ~resp0_const
    transition = arrays["transition"]
    p0 = transition * arrays["d0"][..., None]
    p1 = transition * arrays["d1"][..., None]
    system = np.zeros((n, 2 * k_states, 2 * k_states))
    system[:, :k_states, :k_states] = -a00[..., None] * p0
    system[:, :k_states, k_states:] = -a01[..., None] * p1
    system[:, k_states:, :k_states] = -a10[..., None] * p0
    system[:, k_states:, k_states:] = -a11[..., None] * p1
    diagonal = np.arange(2 * k_states)
    system[:, diagonal, diagonal] += 1.0
    rhs = np.concatenate([b0, b1], axis=1)[..., None]
    solution = np.linalg.solve(system, rhs)[..., 0]
    return np.stack([solution[:, :k_states], solution[:, k_states:]], axis=-1)


def _solve_block(
    arrays: dict[str, FloatArray], tol: float, max_iter: int, accelerate: bool
) -> dict[str, NDArray[Any]]:
    """Iterate the Bellman map on a block of points until each meets the tolerance."""
    n, k_states = arrays["surplus"].shape
    magnitude = np.maximum(
        np.abs(arrays["surplus"]).max(axis=1),
        np.maximum(np.abs(arrays["o0"]).max(axis=1), np.abs(arrays["o1"]).max(axis=1)),
    )
    magnitude = np.where(magnitude > 0.0, magnitude, 1.0)
    delta = np.maximum(arrays["d0"][:, 0], arrays["d1"][:, 0])
    bound_factor = delta / (1.0 - delta)
    values_out = np.empty((n, k_states, 2))
    iterations = np.full(n, max_iter, dtype=np.int64)
    change = np.empty(n)
    converged = np.zeros(n, dtype=np.bool_)

    active = np.arange(n)
    work = dict(arrays)
    scale = magnitude
    factor = bound_factor
    values = np.stack(
        [np.broadcast_to(work["o0"], (n, k_states)), np.broadcast_to(work["o1"], (n, k_states))],
        axis=-1,
    ).astype(np.float64)
    next_jump = 4
    for step in range(1, max_iter + 1):
        new, *_ = _bellman(values, work)
        residual = np.abs(new - values).max(axis=(1, 2))
        values = new
        if accelerate and step == next_jump:
            next_jump = 2 * step if step < 64 else step + 64
            # c, x of the new values: the decisions T would take next.
            expected = np.matmul(work["transition"], values)
            c0 = expected[..., 0] * work["d0"]
            c1 = expected[..., 1] * work["d1"]
            candidate = _policy_fixed_point(c0, c1, work["o0"] > c0, work["o1"] > c1, work)
            check, *_ = _bellman(candidate, work)
            candidate_residual = np.abs(check - candidate).max(axis=(1, 2))
            better = candidate_residual < residual
            values = np.where(better[:, None, None], check, values)
            residual = np.where(better, candidate_residual, residual)
        relative = residual / scale
        done = factor * relative <= tol
        if done.any() or step == max_iter:
            finished = done if step < max_iter else np.ones_like(done)
            index = active[finished]
            values_out[index] = values[finished]
            change[index] = relative[finished]
            converged[index] = done[finished]
            iterations[index[done[finished]]] = step
            keep = ~finished
            if not keep.any():
                break
            active = active[keep]
            values = values[keep]
            scale = scale[keep]
            factor = factor[keep]
            work = {name: value[keep] for name, value in work.items()}
    return {
        "values": values_out,
        "iterations": iterations,
        "change": change,
        "converged": converged,
        **_describe(values_out, arrays),
    }


def _describe(values: FloatArray, arrays: Mapping[str, FloatArray]) -> dict[str, NDArray[Any]]:
    """Continuation values, deals, exits, offers and splits at the solved values."""
    expected = np.matmul(arrays["transition"], values)
    c0 = expected[..., 0] * arrays["d0"]
    c1 = expected[..., 1] * arrays["d1"]
    o0, o1, surplus, p = arrays["o0"], arrays["o1"], arrays["surplus"], arrays["proposer"]
    n, k_states = surplus.shape
    p = np.broadcast_to(p, (n, k_states))
    q = 1.0 - p
    r0 = np.maximum(o0, c0)
    r1 = np.maximum(o1, c1)
    x0 = o0 > c0
    x1 = o1 > c1
    none0 = np.where(x1, o0, r0)
    none1 = np.where(x0, o1, r1)
    deal0 = surplus - r1 > none0
    deal1 = surplus - r0 > none1
    exit0 = ~deal0 & (x0 | x1)
    exit1 = ~deal1 & (x0 | x1)
    deal_probability = p * deal0 + q * deal1
    offers = np.empty((n, k_states, 2, 2))
    offers[:, :, 0, 0] = surplus - r1
    offers[:, :, 0, 1] = r1
    offers[:, :, 1, 0] = r0
    offers[:, :, 1, 1] = surplus - r0
    weights = np.stack([p * deal0, q * deal1], axis=-1)
    total = weights.sum(axis=-1)
    weights = np.where(total[..., None] > 0.0, weights, np.stack([p, q], axis=-1))
    weights /= weights.sum(axis=-1, keepdims=True)
    split = (weights[..., None] * offers).sum(axis=-2)
    agreement = ((p <= 0.0) | deal0) & ((q <= 0.0) | deal1)
    return {
        "continuation": np.stack([c0, c1], axis=-1),
        "agreement": agreement,
        "deal_probability": deal_probability,
        "exit_probability": p * exit0 + q * exit1,
        "offers": offers,
        "split": split,
    }


# ----------------------------------------------------------------------------------------
# timing: absorbing Markov chain
# ----------------------------------------------------------------------------------------


def _timing_block(
    transition: FloatArray,
    deal: FloatArray,
    leave: FloatArray,
    starts: NDArray[np.int64] | None,
    steps: int,
) -> dict[str, FloatArray]:
    """Timing of the end of the talks on a block of points (``(n, K)`` arrays)."""
    n, k_states = deal.shape
    stay = np.clip(1.0 - deal - leave, 0.0, 1.0)
    moving = stay[..., None] * transition  # Q = diag(1 - q - e) P
    # States that can never reach an end of the talks: remove them so that I - Q inverts.
    ends = (deal + leave) > 0.0
    support = (moving > 0.0).astype(np.float64)
    reach = ends.copy()
    for _ in range(k_states):
        grown = reach | (np.matmul(support, reach[..., None].astype(np.float64))[..., 0] > 0.0)
        if np.array_equal(grown, reach):
            break
        reach = grown
    reduced = moving * reach[..., None]
    eye = np.eye(k_states)
    fundamental = np.linalg.inv(eye - reduced)  # N, zero rows' effect where unreachable
    fundamental *= reach[..., None]
    probability = np.matmul(fundamental, deal[..., None])[..., 0]
    exit_probability = np.matmul(fundamental, leave[..., None])[..., 0]
    delayed = np.matmul(fundamental, probability[..., None])[..., 0] - probability
    with np.errstate(divide="ignore", invalid="ignore"):
        delay = np.where(probability > 0.0, delayed / probability, np.inf)
    distribution = fundamental * deal[:, None, :]
    # By period: row vector of the state distribution among ongoing talks.
    if starts is None:
        current = np.broadcast_to(eye, (n, k_states, k_states)).copy()
    else:
        current = np.zeros((n, 1, k_states))
        current[np.arange(n), 0, starts] = 1.0
        probability = probability[np.arange(n), starts][:, None]
        exit_probability = exit_probability[np.arange(n), starts][:, None]
        delay = delay[np.arange(n), starts][:, None]
        distribution = distribution[np.arange(n), starts][:, None, :]
    by_period = np.empty((n, current.shape[1], steps))
    cumulative = np.zeros((n, current.shape[1]))
    for t in range(steps):
        cumulative += np.matmul(current, deal[..., None])[..., 0]
        by_period[..., t] = cumulative
        if t + 1 < steps:
            current = np.matmul(current, moving)
    np.minimum(by_period, 1.0, out=by_period)
    return {
        "by_period": by_period,
        "probability": probability,
        "exit_probability": exit_probability,
        "expected_delay": delay,
        "state_distribution": distribution,
    }
