"""Normal-form games: two-player equilibria with nashpy inside, n-player pure equilibria.

[`NormalFormGame`][pipeline_games.strategic.NormalFormGame] wraps two payoff matrices ``A`` (row player, player 0) and ``B``
(column player, player 1) with player and strategy labels. Its [`equilibria`][pipeline_games.strategic.NormalFormGame.equilibria] runs one of nashpy's algorithms and then does what nashpy leaves to the user:

* every candidate is **verified by its regret** -- the largest gain any player could get by
  deviating to a pure strategy -- and dropped when the regret exceeds ``tol``;
* duplicates (to ``tol``) are removed;
* support enumeration takes its support pairs from nashpy but solves the indifference
  equations and tests candidates with tolerances (nashpy 0.0.43 compares payoffs with
  exact float equality and so loses mixed equilibria to round-off);
* **degeneracy is reported as data**: when a pure strategy has several pure best responses,
  or an equilibrium has more best responses than strategies in its support, the result's
  ``degenerate`` flag is set. Support enumeration may miss equilibria of a degenerate game,
  so in that case vertex enumeration is run as well and its extreme equilibria are merged
  in (recorded in ``parameters["fallback"]``). nashpy's warnings are not passed on;
* an **exact mode** (``exact=True``) recomputes each equilibrium in rational arithmetic
  (`fractions.Fraction`) from the equations its best responses define, and checks
  that the exact regret is zero.

[`pure_nash_equilibria`][pipeline_games.strategic.pure_nash_equilibria] finds the pure equilibria of an n-player game given as one
payoff array of shape ``(n, s1, ..., sn)`` by vectorized best responses.

Examples
--------
>>> import numpy as np
>>> from pipeline_games.strategic import NormalFormGame
>>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]],
...                       strategy_labels=(("opera", "football"), ("opera", "football")))
>>> result = game.equilibria()
>>> len(result)
3
>>> result.row_strategies  # sorted: lexicographically descending
array([[1. , 0. ],
       [0.6, 0.4],
       [0. , 1. ]])
>>> result.supports()[0]
(('opera',), ('opera',))
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import nashpy
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int
from ..errors import InvalidParameterError, SolverError
from .._results import Result

__all__ = [
    "EliminationResult",
    "EquilibriumSet",
    "NormalFormGame",
    "PureEquilibria",
    "pure_nash_equilibria",
]

FloatArray = NDArray[np.float64]
METHODS = ("support_enumeration", "vertex_enumeration", "lemke_howson")


def _default_labels(count: int) -> tuple[str, ...]:
    return tuple(f"s{i}" for i in range(count))


def _check_labels(
    labels: Sequence[Sequence[str]] | None, shape: Sequence[int], name: str = "strategy_labels"
) -> tuple[tuple[str, ...], ...]:
    if labels is None:
        return tuple(_default_labels(count) for count in shape)
    labels = tuple(tuple(str(item) for item in group) for group in labels)
    if len(labels) != len(shape):
        raise InvalidParameterError(
            f"{name} must hold one list of labels per player ({len(shape)}); got {len(labels)}"
        )
    for player, (group, count) in enumerate(zip(labels, shape, strict=True)):
        if len(group) != count:
            raise InvalidParameterError(
                f"{name}[{player}] must have {count} labels (one per strategy); got {len(group)}"
            )
        if len(set(group)) != len(group):
            raise InvalidParameterError(f"{name}[{player}] must be distinct; got {group!r}")
    return labels


def _check_players(players: Sequence[str], count: int) -> tuple[str, ...]:
    players = tuple(str(p) for p in players)
    if len(players) != count:
        raise InvalidParameterError(f"players must be {count} names; got {players!r}")
    if len(set(players)) != count:
        raise InvalidParameterError(f"players must be distinct; got {players!r}")
    return players


@dataclass(frozen=True, eq=False, repr=False)
class EquilibriumSet(Result):
    """The Nash equilibria of a two-player game found by one method, each verified.

    Attributes
    ----------
    row_strategies
        ``(k, m)``: the row player's (player 0) mixed strategy in each equilibrium.
    column_strategies
        ``(k, n)``: the column player's (player 1) mixed strategy.
    payoffs
        ``(k, 2)``: expected payoffs (row, column).
    regret
        ``(k,)``: largest gain from a pure deviation by either player (``<= tol``).
    method
        The algorithm: ``"support_enumeration"``, ``"vertex_enumeration"``,
        ``"lemke_howson"`` or ``"pure_enumeration"``.
    parameters
        The method's parameters (``tol``, ``initial_dropped_label``, ``fallback``, ...).
    degenerate
        Degeneracy was detected (a pure strategy with several pure best responses, or an
        equilibrium with more best responses than its support size). Equilibria of a
        degenerate game may form continua; the listed ones are then extreme points.
    complete
        Whether the method guarantees that every extreme equilibrium is listed
        (enumeration methods: yes; Lemke-Howson: no).
    rejected
        Number of candidates returned by nashpy that failed the regret check.
    exact_strategies
        With ``exact=True``: per equilibrium, the two strategies as tuples of
        `Fraction`; otherwise ``None``.
    players, strategy_labels
        Names of the players and of their strategies.

    Examples
    --------
    >>> game = NormalFormGame([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> result = game.equilibria(exact=True)
    >>> result.exact_strategies[0]
    ((Fraction(1, 2), Fraction(1, 2)), (Fraction(1, 2), Fraction(1, 2)))
    """

    row_strategies: FloatArray
    column_strategies: FloatArray
    payoffs: FloatArray
    regret: FloatArray
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    degenerate: bool = False
    complete: bool = True
    rejected: int = 0
    exact_strategies: tuple[tuple[tuple[Fraction, ...], tuple[Fraction, ...]], ...] | None = None
    players: tuple[str, str] = ("row", "column")
    strategy_labels: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def __len__(self) -> int:
        return int(self.row_strategies.shape[0])

    def __iter__(self) -> Iterator[tuple[FloatArray, FloatArray]]:
        return iter(list(zip(self.row_strategies, self.column_strategies, strict=True)))

    def supports(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Labels of the strategies played with positive probability, per equilibrium.

        Examples
        --------
        >>> NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]],
        ...                strategy_labels=(("C", "D"), ("C", "D"))).equilibria().supports()
        [(('D',), ('D',))]
        """
        tol = float(self.parameters.get("tol", 1e-9))
        rows, cols = self.strategy_labels
        return [
            (
                tuple(label for label, w in zip(rows, x, strict=True) if w > tol),
                tuple(label for label, w in zip(cols, y, strict=True) if w > tol),
            )
            for x, y in self
        ]


@dataclass(frozen=True, eq=False, repr=False)
class EliminationResult(Result):
    """Outcome of iterated elimination of strictly dominated strategies.

    Attributes
    ----------
    game
        The reduced game (labels of the surviving strategies kept).
    eliminated
        ``(round, player, label)`` for each removed strategy, in order.
    method
        ``"pure"`` (dominated by another pure strategy) or ``"mixed"`` (by a mixture,
        found by linear programming).

    Examples
    --------
    >>> pd = NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                     strategy_labels=(("C", "D"), ("C", "D")))
    >>> pd.eliminate_dominated().eliminated
    (('row', 'C', 1), ('column', 'C', 1))
    """

    game: NormalFormGame
    eliminated: tuple[tuple[str, str, int], ...]
    method: str


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A two-player game in normal form: payoff matrices ``A`` (row) and ``B`` (column).

    Parameters
    ----------
    A, B
        ``(m, n)`` payoff matrices: ``A[i, j]`` to the row player (player 0) and
        ``B[i, j]`` to the column player (player 1) when row ``i`` meets column ``j``.
        ``B`` defaults to ``-A`` (a zero-sum game).
    players
        The two players' names; default ``("row", "column")``.
    strategy_labels
        One sequence of names per player; default ``s0, s1, ...``.

    Examples
    --------
    >>> game = NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("China", "Russia"))
    >>> game.shape
    (2, 2)
    >>> game.pure_equilibria().supports()
    [(('s1',), ('s1',))]
    """

    A: FloatArray
    B: FloatArray
    players: tuple[str, str] = ("row", "column")
    strategy_labels: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def __init__(
        self,
        A: ArrayLike,
        B: ArrayLike | None = None,
        *,
        players: Sequence[str] = ("row", "column"),
        strategy_labels: Sequence[Sequence[str]] | None = None,
    ) -> None:
        A = as_array(A, "A")
        B = -A if B is None else as_array(B, "B")
        if A.ndim != 2:
            raise InvalidParameterError(f"A must be a matrix (2-D); got shape {A.shape}")
        if B.shape != A.shape:
            raise InvalidParameterError(
                f"B must have the shape of A {A.shape}; got shape {B.shape}"
            )
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "B", B)
        object.__setattr__(self, "players", _check_players(players, 2))
        object.__setattr__(self, "strategy_labels", _check_labels(strategy_labels, A.shape))

    @property
    def shape(self) -> tuple[int, int]:
        """Numbers of strategies ``(m, n)``."""
        return (int(self.A.shape[0]), int(self.A.shape[1]))

    @property
    def payoff_array(self) -> FloatArray:
        """Payoffs as one array of shape ``(2, m, n)`` (the n-player layout).

        Examples
        --------
        >>> NormalFormGame([[1, 2]], [[3, 4]]).payoff_array.shape
        (2, 1, 2)
        """
        return np.stack([self.A, self.B])

    def _tol(self, tol: float | None) -> float:
        if tol is None:
            scale = max(1.0, float(np.abs(self.A).max()), float(np.abs(self.B).max()))
            return 1e-9 * scale
        return float(as_array(tol, "tol", low=0.0))

    # -- best responses -------------------------------------------------------------------
    def best_response(
        self, player: int, opponent_strategy: ArrayLike, *, tol: float | None = None
    ) -> NDArray[np.bool_]:
        """Which pure strategies of ``player`` are best responses to a mixed strategy.

        Parameters
        ----------
        player
            0 (row) or 1 (column).
        opponent_strategy
            The other player's mixed strategy, shape ``(..., k)`` (a batch of strategies
            broadcasts); it must be a probability vector.
        tol
            Payoffs within ``tol`` of the best count as best.

        Returns
        -------
        numpy.ndarray
            Boolean mask ``(..., s)`` over ``player``'s strategies.

        Examples
        --------
        >>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        >>> game.best_response(0, [[1, 0], [0.4, 0.6]])
        array([[ True, False],
               [ True,  True]])
        """
        player = as_int(player, "player", low=0, high=1)
        matrix = self.A if player == 0 else self.B.T
        strategy = as_array(opponent_strategy, "opponent_strategy", low=0.0, high=1.0)
        if strategy.shape[-1:] != (matrix.shape[1],):
            raise InvalidParameterError(
                f"opponent_strategy must have last axis of length {matrix.shape[1]}; "
                f"got shape {strategy.shape}"
            )
        totals = strategy.sum(axis=-1)
        if not np.allclose(totals, 1.0, atol=1e-9):
            raise InvalidParameterError(
                f"opponent_strategy must sum to 1; got sums {np.unique(totals)[:3]}"
            )
        values = strategy @ matrix.T
        return values >= values.max(axis=-1, keepdims=True) - self._tol(tol)

    def regret(self, row_strategy: ArrayLike, column_strategy: ArrayLike) -> FloatArray:
        """Largest gain from a pure deviation by either player, for profiles ``(..., m), (..., n)``.

        Examples
        --------
        >>> game = NormalFormGame([[1, -1], [-1, 1]])
        >>> float(game.regret([0.5, 0.5], [0.5, 0.5])), float(game.regret([1, 0], [1, 0]))
        (0.0, 2.0)
        """
        x = np.asarray(row_strategy, dtype=float)
        y = np.asarray(column_strategy, dtype=float)
        row_values = y @ self.A.T  # (..., m)
        column_values = x @ self.B  # (..., n)
        row_gain = row_values.max(axis=-1) - np.sum(x * row_values, axis=-1)
        column_gain = column_values.max(axis=-1) - np.sum(y * column_values, axis=-1)
        return np.maximum(row_gain, column_gain)

    # -- equilibria -----------------------------------------------------------------------
    def equilibria(
        self,
        method: str = "support_enumeration",
        *,
        tol: float | None = None,
        initial_dropped_label: int | None = 0,
        exact: bool = False,
    ) -> EquilibriumSet:
        """Nash equilibria by one of nashpy's algorithms, verified and de-duplicated.

        Parameters
        ----------
        method
            ``"support_enumeration"`` (default; all equilibria of a non-degenerate game,
            with a vertex-enumeration fallback when degeneracy is detected),
            ``"vertex_enumeration"`` (all extreme equilibria) or ``"lemke_howson"``
            (one equilibrium per initial dropped label).
        tol
            Regret tolerance and tie tolerance; default ``1e-9 * max(1, max |payoff|)``.
        initial_dropped_label
            Lemke-Howson only: the label to drop first (``0 .. m + n - 1``), or ``None``
            to run from every label and merge the results.
        exact
            Recompute every equilibrium in rational arithmetic and require zero regret.

        Returns
        -------
        EquilibriumSet

        Raises
        ------
        InvalidParameterError
            Unknown method or label.
        SolverError
            No equilibrium survived verification (e.g. Lemke-Howson failing on a
            degenerate game).

        Examples
        --------
        >>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        >>> game.equilibria("lemke_howson", initial_dropped_label=None).row_strategies
        array([[1., 0.],
               [0., 1.]])
        """
        if method not in METHODS:
            raise InvalidParameterError(f"method must be one of {METHODS}; got {method!r}")
        tol_value = self._tol(tol)
        game = nashpy.Game(self.A, self.B)
        parameters: dict[str, Any] = {"tol": tol_value}
        complete = method != "lemke_howson"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "support_enumeration":
                candidates = _support_enumeration(self.A, self.B, tol_value)
            elif method == "vertex_enumeration":
                candidates = list(self._shifted_game().vertex_enumeration())
            else:
                size = sum(self.shape)
                if initial_dropped_label is None:
                    labels = list(range(size))
                else:
                    labels = [
                        as_int(initial_dropped_label, "initial_dropped_label", low=0, high=size - 1)
                    ]
                parameters["initial_dropped_label"] = initial_dropped_label
                candidates = []
                for label in labels:
                    try:
                        candidates.append(game.lemke_howson(initial_dropped_label=label))
                    except (ValueError, IndexError, np.linalg.LinAlgError):  # pragma: no cover
                        continue
        kept, rejected = self._verify(candidates, tol_value)
        degenerate = self._pure_ties(tol_value) or any(
            self._is_degenerate_at(x, y, tol_value) for x, y in kept
        )
        if method == "support_enumeration" and degenerate:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                extra = list(self._shifted_game().vertex_enumeration())
            more, more_rejected = self._verify(extra, tol_value)
            kept, _ = self._verify([*kept, *more], tol_value)
            rejected += more_rejected
            parameters["fallback"] = "vertex_enumeration"
        if not kept:
            raise SolverError(
                f"{method} returned no equilibrium with regret <= {tol_value:g} "
                f"({rejected} candidates rejected); try method='vertex_enumeration'"
            )
        return self._result(
            kept, method, parameters, degenerate, complete, rejected, tol_value, exact
        )

    def pure_equilibria(self, *, tol: float | None = None, exact: bool = False) -> EquilibriumSet:
        """All pure-strategy Nash equilibria (by vectorized best responses).

        Examples
        --------
        >>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        >>> game.pure_equilibria().column_strategies
        array([[1., 0.],
               [0., 1.]])
        """
        tol_value = self._tol(tol)
        pure = pure_nash_equilibria(self.payoff_array, tol=tol_value)
        m, n = self.shape
        kept = [(np.eye(m)[i], np.eye(n)[j]) for i, j in pure.profiles]
        degenerate = self._pure_ties(tol_value)
        return self._result(
            kept, "pure_enumeration", {"tol": tol_value}, degenerate, True, 0, tol_value, exact
        )

    def eliminate_dominated(
        self, *, by_mixed: bool = False, tol: float | None = None
    ) -> EliminationResult:
        """Iterated elimination of strictly dominated strategies.

        In each round every strategy strictly dominated (by more than ``tol``) for its
        player -- by another pure strategy, or with ``by_mixed=True`` by a mixture of the
        player's other strategies (found by linear programming) -- is removed, for both
        players at once; rounds repeat until nothing changes. The order of removal does
        not change the result for strict dominance.

        Examples
        --------
        >>> game = NormalFormGame([[1, 1, 0], [0, 0, 2]], [[0, 3, 1], [4, 2, 0]])
        >>> reduced = game.eliminate_dominated().game
        >>> reduced.strategy_labels
        (('s0',), ('s1',))
        """
        tol_value = self._tol(tol)
        rows = list(range(self.shape[0]))
        cols = list(range(self.shape[1]))
        eliminated: list[tuple[str, str, int]] = []
        round_number = 0
        while True:
            round_number += 1
            sub_a = self.A[np.ix_(rows, cols)]
            sub_b = self.B[np.ix_(rows, cols)]
            drop_rows = _dominated(sub_a, tol_value, by_mixed)
            drop_cols = _dominated(sub_b.T, tol_value, by_mixed)
            if not drop_rows and not drop_cols:
                break
            for k in drop_rows:
                eliminated.append((self.players[0], self.strategy_labels[0][rows[k]], round_number))
            for k in drop_cols:
                eliminated.append((self.players[1], self.strategy_labels[1][cols[k]], round_number))
            rows = [r for k, r in enumerate(rows) if k not in drop_rows]
            cols = [c for k, c in enumerate(cols) if k not in drop_cols]
        reduced = NormalFormGame(
            self.A[np.ix_(rows, cols)],
            self.B[np.ix_(rows, cols)],
            players=self.players,
            strategy_labels=(
                [self.strategy_labels[0][r] for r in rows],
                [self.strategy_labels[1][c] for c in cols],
            ),
        )
        return EliminationResult(reduced, tuple(eliminated), "mixed" if by_mixed else "pure")

    # -- helpers --------------------------------------------------------------------------
    def _shifted_game(self) -> nashpy.Game:
        # Vertex enumeration needs bounded best-response polytopes: payoffs >= 1.
        return nashpy.Game(self.A - self.A.min() + 1.0, self.B - self.B.min() + 1.0)

    def _pure_ties(self, tol: float) -> bool:
        a_sorted = np.sort(self.A, axis=0)
        b_sorted = np.sort(self.B, axis=1)
        row_tie = self.shape[0] > 1 and bool((a_sorted[-1] - a_sorted[-2] <= tol).any())
        col_tie = self.shape[1] > 1 and bool((b_sorted[:, -1] - b_sorted[:, -2] <= tol).any())
        return row_tie or col_tie

    def _is_degenerate_at(self, x: FloatArray, y: FloatArray, tol: float) -> bool:
        row_values = self.A @ y
        column_values = x @ self.B
        row_best = int((row_values >= row_values.max() - tol).sum())
        column_best = int((column_values >= column_values.max() - tol).sum())
        return column_best > int((x > tol).sum()) or row_best > int((y > tol).sum())

    def _verify(
        self, candidates: list[Any], tol: float
    ) -> tuple[list[tuple[FloatArray, FloatArray]], int]:
        kept: list[tuple[FloatArray, FloatArray]] = []
        rejected = 0
        m, n = self.shape
        for x, y in candidates:
            x = np.asarray(x, dtype=float)
            y = np.asarray(y, dtype=float)
            if (
                x.shape != (m,)
                or y.shape != (n,)
                or not (np.isfinite(x).all() and np.isfinite(y).all())
            ):
                rejected += 1
                continue
            # Clean round-off: clip tiny negatives and renormalise.
            x = np.clip(x, 0.0, None)
            y = np.clip(y, 0.0, None)
            if x.sum() <= 0 or y.sum() <= 0:
                rejected += 1
                continue
            x = x / x.sum()
            y = y / y.sum()
            x[x < 1e-14] = 0.0
            y[y < 1e-14] = 0.0
            if float(self.regret(x, y)) > tol:
                rejected += 1
                continue
            if any(
                np.allclose(x, u, atol=max(tol, 1e-9)) and np.allclose(y, v, atol=max(tol, 1e-9))
                for u, v in kept
            ):
                continue
            kept.append((x, y))
        return kept, rejected

    def _result(
        self,
        kept: list[tuple[FloatArray, FloatArray]],
        method: str,
        parameters: dict[str, Any],
        degenerate: bool,
        complete: bool,
        rejected: int,
        tol: float,
        exact: bool,
    ) -> EquilibriumSet:
        m, n = self.shape
        # Sort for a stable, documented order: lexicographically by strategies, descending.
        kept = sorted(kept, key=lambda pair: tuple(-np.round(np.concatenate(pair), 12)))
        xs = np.array([x for x, _ in kept]).reshape(-1, m)
        ys = np.array([y for _, y in kept]).reshape(-1, n)
        exact_strategies = None
        if exact:
            parameters = {**parameters, "exact": True}
            exact_list = [self._exact_equilibrium(x, y, tol) for x, y in kept]
            exact_strategies = tuple(exact_list)
            xs = np.array([[float(v) for v in ex] for ex, _ in exact_list]).reshape(-1, m)
            ys = np.array([[float(v) for v in ey] for _, ey in exact_list]).reshape(-1, n)
        payoffs = np.stack(
            [np.einsum("ki,ij,kj->k", xs, self.A, ys), np.einsum("ki,ij,kj->k", xs, self.B, ys)],
            axis=1,
        )
        return EquilibriumSet(
            row_strategies=xs,
            column_strategies=ys,
            payoffs=payoffs,
            regret=self.regret(xs, ys),
            method=method,
            parameters=parameters,
            degenerate=bool(degenerate),
            complete=complete,
            rejected=rejected,
            exact_strategies=exact_strategies,
            players=self.players,
            strategy_labels=self.strategy_labels,
        )

    def _exact_equilibrium(
        self, x: FloatArray, y: FloatArray, tol: float
    ) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
        """Solve the equations an equilibrium's best responses define, in rationals."""
        A = [[Fraction(float(v)) for v in row] for row in self.A]
        B = [[Fraction(float(v)) for v in row] for row in self.B]
        row_values = self.A @ y
        column_values = x @ self.B
        row_best = np.flatnonzero(row_values >= row_values.max() - tol)
        column_best = np.flatnonzero(column_values >= column_values.max() - tol)
        # y: (A y)_i equal on row_best, y_j = 0 off its support; x likewise with B.
        y_exact = _solve_mixture([A[i] for i in row_best], np.flatnonzero(y > tol), len(y), y)
        bt = [list(col) for col in zip(*B, strict=True)]
        x_exact = _solve_mixture([bt[j] for j in column_best], np.flatnonzero(x > tol), len(x), x)
        # Exact verification.
        for strategy, own, other, matrix in ((x_exact, x, y_exact, A), (y_exact, y, x_exact, bt)):
            values = [
                sum((row[k] * other[k] for k in range(len(other))), Fraction(0)) for row in matrix
            ]
            best = max(values)
            mine = sum((strategy[i] * values[i] for i in range(len(strategy))), Fraction(0))
            if mine != best or min(strategy) < 0 or sum(strategy) != 1:
                raise SolverError(
                    f"exact recomputation of the equilibrium {own.tolist()} failed its "
                    f"regret check (gain {float(best - mine):g}); the payoffs may be too large "
                    f"or the tolerance too loose"
                )
        return tuple(x_exact), tuple(y_exact)


def _support_enumeration(
    A: FloatArray, B: FloatArray, tol: float
) -> list[tuple[FloatArray, FloatArray]]:
    """Support enumeration over nashpy's support pairs, with tolerant tests.

    nashpy 0.0.43 tests a candidate with exact float equality (``max == max``) and rejects
    indifference solutions with round-off negatives, so it loses mixed equilibria of
    ordinary games to round-off. Here nashpy supplies the support pairs (equal sizes, the
    non-degenerate case), each indifference system is solved with numpy, and candidates
    are kept when their probabilities are ``>= -tol``; the regret check follows in
    `NormalFormGame._verify`.
    """
    from nashpy.algorithms.support_enumeration import potential_support_pairs

    found = []
    m, n = A.shape
    for rows, cols in potential_support_pairs(A, B, non_degenerate=True):
        rows = list(rows)
        cols = list(cols)
        k = len(rows)
        y = _indifference(A[np.ix_(rows, cols)], k)
        x = _indifference(B[np.ix_(rows, cols)].T, k)
        if x is None or y is None or (x < -tol).any() or (y < -tol).any():
            continue
        full_x = np.zeros(m)
        full_y = np.zeros(n)
        full_x[rows] = x
        full_y[cols] = y
        found.append((full_x, full_y))
    return found


def _indifference(sub: FloatArray, k: int) -> FloatArray | None:
    """Mixture ``p`` (length ``k``) making every row of ``sub @ p`` equal, or ``None``."""
    system = np.zeros((k + 1, k + 1))
    system[:k, :k] = sub
    system[:k, k] = -1.0
    system[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(solution).all():
        return None
    return np.asarray(solution[:k], dtype=np.float64)


def _solve_mixture(
    equal_rows: list[list[Fraction]], support: NDArray[np.intp], size: int, approx: FloatArray
) -> list[Fraction]:
    """Mixed strategy on ``support`` that equalises ``equal_rows``, in exact arithmetic.

    Unknowns: the probabilities on ``support`` and the common value ``v``. Equations:
    ``row . p = v`` for each row, and ``sum p = 1``. When the system does not pin down a
    unique solution (a degenerate game), the float solution is rationalised instead.
    """
    k = len(support)
    matrix = [[row[j] for j in support] + [Fraction(-1)] for row in equal_rows]
    matrix.append([Fraction(1)] * k + [Fraction(0)])
    rhs = [Fraction(0)] * len(equal_rows) + [Fraction(1)]
    solution = _gauss(matrix, rhs, k + 1)
    if solution is None:
        values = [Fraction(float(v)).limit_denominator(10**6) for v in approx]
        total = sum(values, Fraction(0))
        return [v / total for v in values]
    strategy = [Fraction(0)] * size
    for position, j in enumerate(support):
        strategy[j] = solution[position]
    return strategy


def _gauss(
    matrix: list[list[Fraction]], rhs: list[Fraction], unknowns: int
) -> list[Fraction] | None:
    """Unique solution of a consistent linear system in rationals, or ``None``."""
    rows = [[*row, value] for row, value in zip(matrix, rhs, strict=True)]
    pivot_row = 0
    pivots = []
    for column in range(unknowns):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            return None
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append(column)
        pivot_row += 1
    if any(row[-1] != 0 for row in rows[pivot_row:]):
        return None
    return [rows[i][-1] for i in range(unknowns)]


def _dominated(matrix: FloatArray, tol: float, by_mixed: bool) -> list[int]:
    """Rows of ``matrix`` (own strategies x opponent strategies) strictly dominated."""
    count = matrix.shape[0]
    dominated = []
    for k in range(count):
        others = [i for i in range(count) if i != k]
        if not others:
            continue
        if any((matrix[i] > matrix[k] + tol).all() for i in others):
            dominated.append(k)
            continue
        if by_mixed and len(others) > 1:
            from scipy.optimize import linprog

            # max eps s.t. sum_i w_i M[i, :] >= M[k, :] + eps, w in simplex.
            sub = matrix[others]
            c = np.zeros(len(others) + 1)
            c[-1] = -1.0
            a_ub = np.hstack([-sub.T, np.ones((matrix.shape[1], 1))])
            b_ub = -matrix[k]
            a_eq = np.hstack([np.ones((1, len(others))), np.zeros((1, 1))])
            bounds = [(0, None)] * len(others) + [(None, None)]
            solution = linprog(
                c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs"
            )
            if solution.status == 0 and -solution.fun > tol:
                dominated.append(k)
    return dominated


@dataclass(frozen=True, eq=False, repr=False)
class PureEquilibria(Result):
    """Pure-strategy Nash equilibria of an n-player game.

    Attributes
    ----------
    profiles
        ``(k, n)`` int: strategy index of each player in each equilibrium, in
        lexicographic order.
    payoffs
        ``(k, n)``: each player's payoff.
    strict
        ``(k,)`` bool: every player's strategy is its unique best response.
    method
        ``"vectorized best responses"``.
    tol
        Payoffs within ``tol`` of the best count as best responses.
    players, strategy_labels
        Names.

    Examples
    --------
    >>> import numpy as np
    >>> payoffs = np.zeros((3, 2, 2, 2))
    >>> payoffs[:, 0, 0, 0] = 1.0            # everybody gains from coordinating on 0
    >>> pure_nash_equilibria(payoffs).labelled()[0]
    ('s0', 's0', 's0')
    """

    profiles: NDArray[np.int64]
    payoffs: FloatArray
    strict: NDArray[np.bool_]
    method: str
    tol: float
    players: tuple[str, ...]
    strategy_labels: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return int(self.profiles.shape[0])

    def labelled(self) -> list[tuple[str, ...]]:
        """Each equilibrium as a tuple of strategy labels."""
        return [
            tuple(self.strategy_labels[p][s] for p, s in enumerate(profile))
            for profile in self.profiles
        ]


def pure_nash_equilibria(
    payoffs: ArrayLike,
    *,
    tol: float = 0.0,
    players: Sequence[str] | None = None,
    strategy_labels: Sequence[Sequence[str]] | None = None,
) -> PureEquilibria:
    """All pure-strategy Nash equilibria of an n-player game, by vectorized best responses.

    Parameters
    ----------
    payoffs
        Array of shape ``(n, s1, ..., sn)``: ``payoffs[i, k1, ..., kn]`` is player ``i``'s
        payoff when player ``j`` plays strategy ``kj``.
    tol
        A strategy is a best response when its payoff is within ``tol`` of the best.
    players, strategy_labels
        Names; default ``player0, ...`` and ``s0, s1, ...``.

    Returns
    -------
    PureEquilibria

    Examples
    --------
    Prisoner's dilemma as a payoff array (strategy 0 = cooperate):

    >>> import numpy as np
    >>> A = np.array([[3, 0], [5, 1]])
    >>> pure_nash_equilibria(np.stack([A, A.T])).profiles
    array([[1, 1]])
    """
    array = as_array(payoffs, "payoffs")
    if array.ndim < 2 or array.shape[0] != array.ndim - 1:
        raise InvalidParameterError(
            "payoffs must have shape (n, s1, ..., sn) with n players; "
            f"got an array of shape {array.shape}"
        )
    n_players = array.shape[0]
    shape = array.shape[1:]
    tol_value = float(as_array(tol, "tol", low=0.0))
    names = _check_players(
        players if players is not None else [f"player{i}" for i in range(n_players)], n_players
    )
    labels = _check_labels(strategy_labels, shape)
    is_eq = np.ones(shape, dtype=np.bool_)
    strict = np.ones(shape, dtype=np.bool_)
    for player in range(n_players):
        own = array[player]
        best = own.max(axis=player, keepdims=True)
        is_best = own >= best - tol_value
        is_eq &= is_best
        strict &= is_best & (is_best.sum(axis=player, keepdims=True) == 1)
    profiles = np.argwhere(is_eq).astype(np.int64)
    index = tuple(profiles.T)
    values = (
        np.stack([array[player][index] for player in range(n_players)], axis=1)
        if len(profiles)
        else np.empty((0, n_players))
    )
    return PureEquilibria(
        profiles=profiles,
        payoffs=values,
        strict=strict[index],
        method="vectorized best responses",
        tol=tol_value,
        players=names,
        strategy_labels=labels,
    )
