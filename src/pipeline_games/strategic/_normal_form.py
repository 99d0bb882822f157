"""Normal-form games: all equilibria of two-player games, n-player pure equilibria.

`NormalFormGame` wraps two payoff matrices ``A`` (row player, player 0) and ``B``
(column player, player 1) with player and strategy labels. Its `
equilibria` computes the equilibria with the package's own implementations of the classic
algorithms (von Stengel 2007; Avis, Rosenberg, Savani and von Stengel 2010) and does what a
bare algorithm leaves to the user:

* **vertex enumeration** (the default) lists every extreme equilibrium of every game,
  degenerate or not, by enumerating the vertices of the two best-response polytopes;
  **support enumeration** solves the indifference systems of all equal-size support pairs in
  batches; **Lemke-Howson** follows one complementary path, bounded by ``max_pivots``;
* every method works on each player's payoffs mapped affinely onto ``[1, 2]``, so the answer
  does not change when the payoffs are given in other units, and the tolerances are relative
  to each player's own payoff range;
* every candidate is **verified by its regret** -- the largest gain any player could get by
  deviating to a pure strategy -- and dropped when the regret exceeds ``tol``; duplicates
  are removed and the equilibria are sorted;
* **degeneracy is reported as data** (``result.degenerate``): vertex enumeration finds it
  exactly (a vertex of a best-response polytope with more labels than its dimension);
  support enumeration, which can miss equilibria of degenerate games, runs vertex
  enumeration as well when it sees a sign of degeneracy (``parameters["fallback"]``);
* **the work is estimated before it starts**: support enumeration refuses games with more
  than ``max_support_pairs`` support pairs and vertex enumeration games whose polytopes may
  have more than ``max_vertices`` vertices, naming the faster method;
* an **exact mode** (``exact=True``) recomputes each equilibrium in rational arithmetic
  (`fractions.Fraction`) from the equations its best responses define, from the
  payoffs as given (``Fraction`` and ``Decimal`` entries stay exact; a game read from a
  ``.nfg`` file keeps its decimals), and checks that the exact regret is zero.

`pure_nash_equilibria` finds the pure equilibria of an n-player game given as one
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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_int
from .._results import Result
from ..errors import InvalidParameterError, SolverError
from . import _enumeration as enum
from ._validate import as_payoffs, as_probabilities, as_tolerance

__all__ = [
    "EliminationResult",
    "EquilibriumSet",
    "NormalFormGame",
    "PureEquilibria",
    "pure_nash_equilibria",
]

FloatArray = NDArray[np.float64]
METHODS = ("vertex_enumeration", "support_enumeration", "lemke_howson")
#: Probabilities at or below this count as zero (supports, de-duplication).
PROBABILITY_TOL = 1e-9
_EPS = float(np.finfo(float).eps)


def _default_labels(count: int) -> tuple[str, ...]:
    return tuple(f"s{i}" for i in range(count))


def _check_labels(
    labels: Sequence[Sequence[str]] | None,
    shape: Sequence[int],
    name: str = "strategy_labels",
    *,
    unique: bool = False,
) -> tuple[tuple[str, ...], ...]:
    """Labels per player, kept as written (duplicates allowed unless ``unique``)."""
    if labels is None:
        return tuple(_default_labels(count) for count in shape)
    if isinstance(labels, str):
        raise InvalidParameterError(
            f"{name} must hold one sequence of labels per player; got the string {labels!r}"
        )
    try:
        labels = tuple(
            (group,) if isinstance(group, str) else tuple(str(item) for item in group)
            for group in labels
        )
    except TypeError:
        raise InvalidParameterError(
            f"{name} must hold one sequence of labels per player; got {labels!r}"
        ) from None
    if len(labels) != len(shape):
        raise InvalidParameterError(
            f"{name} must hold one list of labels per player ({len(shape)}); got {len(labels)}"
        )
    for player, (group, count) in enumerate(zip(labels, shape, strict=True)):
        if len(group) != count:
            raise InvalidParameterError(
                f"{name}[{player}] must have {count} labels (one per strategy); got {len(group)}"
            )
        if unique and len(set(group)) != len(group):
            raise InvalidParameterError(f"{name}[{player}] must be distinct; got {group!r}")
    return labels


def _check_players(players: Sequence[str], count: int) -> tuple[str, ...]:
    if isinstance(players, str):
        raise InvalidParameterError(f"players must be {count} names; got the string {players!r}")
    if not isinstance(players, Iterable):
        raise InvalidParameterError(f"players must be {count} names; got {players!r}")
    players = tuple(str(p) for p in players)
    if len(players) != count:
        raise InvalidParameterError(f"players must be {count} names; got {players!r}")
    if len(set(players)) != count:
        raise InvalidParameterError(
            f"players must be distinct names (they key the result's columns); got {players!r}"
        )
    return players


def distinct_names(names: Sequence[str], default: str = "Player") -> tuple[str, ...]:
    """Names made unique where a key is needed: empty names become ``"Player k"`` and a
    repeated name gets its position appended (``"a (2)"``); unique names are kept.

    Examples
    --------
    >>> distinct_names(["", ""]), distinct_names(["a", "b"]), distinct_names(["a", "a"])
    (('Player 1', 'Player 2'), ('a', 'b'), ('a (1)', 'a (2)'))
    """
    names = [str(name) for name in names]
    counts = {name: names.count(name) for name in names}
    out = []
    for position, name in enumerate(names, start=1):
        if not name:
            out.append(f"{default} {position}")
        elif counts[name] > 1:
            out.append(f"{name} ({position})")
        else:
            out.append(name)
    if len(set(out)) != len(out):  # pragma: no cover - e.g. a player literally named "a (2)"
        out = [f"{name} #{position}" for position, name in enumerate(out, start=1)]
    return tuple(out)


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
        The algorithm: ``"vertex_enumeration"``, ``"support_enumeration"``,
        ``"lemke_howson"``, ``"pure_enumeration"`` or ``"one_strategy"`` (a player with a
        single strategy: the other's best responses, computed directly).
    parameters
        The method's parameters (``tol``, ``initial_dropped_label``, ``fallback``, ...).
    degenerate
        Degeneracy was detected (some mixed strategy with support of size ``k`` has more
        than ``k`` pure best responses). Equilibria of a degenerate game may form continua;
        the listed ones are then extreme points.
    complete
        Whether the method guarantees that every extreme equilibrium is listed
        (enumeration methods: yes; Lemke-Howson: no).
    rejected
        Number of candidates that failed the regret check.
    exact_strategies
        With ``exact=True``: per equilibrium, the two strategies as tuples of
        `Fraction`; otherwise ``None``.
    players, strategy_labels
        Names of the players and of their strategies (labels kept as written).

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

    @property
    def shape(self) -> tuple[int, ...]:
        """``(k,)``: the number of equilibria."""
        return (len(self),)

    def supports(
        self, tol: float = PROBABILITY_TOL
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Labels of the strategies played with probability above ``tol``, per equilibrium.

        ``tol`` is a probability (default ``1e-9``), whatever the payoffs' scale.

        Examples
        --------
        >>> NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]],
        ...                strategy_labels=(("C", "D"), ("C", "D"))).equilibria().supports()
        [(('D',), ('D',))]
        """
        tol = as_tolerance(tol, "tol", low=0.0, high=1.0)
        rows, cols = self.strategy_labels
        return [
            (
                tuple(label for label, w in zip(rows, x, strict=True) if w > tol),
                tuple(label for label, w in zip(cols, y, strict=True) if w > tol),
            )
            for x, y in self
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain Python for JSON; exact strategies as strings such as ``"3/5"``."""
        out = super().to_dict()
        if self.exact_strategies is not None:
            out["exact_strategies"] = [
                [[str(v) for v in x], [str(v) for v in y]] for x, y in self.exact_strategies
            ]
        return out

    def _frame_columns(self) -> dict[str, Any]:
        columns: dict[str, Any] = {}
        for player, strategies, labels in (
            (self.players[0], self.row_strategies, self.strategy_labels[0]),
            (self.players[1], self.column_strategies, self.strategy_labels[1]),
        ):
            keys = distinct_names(labels, "strategy")
            for index, key in enumerate(keys):
                columns[f"{player}:{key}"] = strategies[:, index]
        for index, player in enumerate(self.players):
            columns[f"payoff_{player}"] = self.payoffs[:, index]
        columns["regret"] = self.regret
        return columns


@dataclass(frozen=True, eq=False, repr=False)
class EliminationResult(Result):
    """Outcome of iterated elimination of strictly dominated strategies.

    Attributes
    ----------
    game
        The reduced game (labels of the surviving strategies kept).
    eliminated
        ``(player, label, round)`` for each removed strategy, in order.
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

    def to_dict(self) -> dict[str, Any]:
        """Plain Python for JSON: the reduced game's payoffs and labels, the eliminations."""
        return {
            "game": {
                "A": self.game.A.tolist(),
                "B": self.game.B.tolist(),
                "players": list(self.game.players),
                "strategy_labels": [list(group) for group in self.game.strategy_labels],
            },
            "eliminated": [list(item) for item in self.eliminated],
            "method": self.method,
        }

    def _frame_columns(self) -> dict[str, Any]:
        return {
            "player": [item[0] for item in self.eliminated],
            "strategy": [item[1] for item in self.eliminated],
            "round": np.array([item[2] for item in self.eliminated], dtype=np.int64),
        }


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A two-player game in normal form: payoff matrices ``A`` (row) and ``B`` (column).

    Parameters
    ----------
    A, B
        ``(m, n)`` payoff matrices: ``A[i, j]`` to the row player (player 0) and
        ``B[i, j]`` to the column player (player 1) when row ``i`` meets column ``j``.
        ``B`` defaults to ``-A`` (a zero-sum game). Entries are numbers: int, float,
        `Fraction` or `Decimal` (the last two are kept
        exactly for ``equilibria(exact=True)``).
    players
        The two players' names (distinct); default ``("row", "column")``.
    strategy_labels
        One sequence of names per player; default ``s0, s1, ...``. Labels are kept as
        written (two strategies may share a label).

    Examples
    --------
    >>> game = NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("buyer", "seller"))
    >>> game.shape
    (2, 2)
    >>> game.pure_equilibria().supports()
    [(('s1',), ('s1',))]
    """

    A: FloatArray
    B: FloatArray
    players: tuple[str, str] = ("row", "column")
    strategy_labels: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    _exact: tuple[Any, Any] | None = field(default=None, repr=False)

    def __init__(
        self,
        A: ArrayLike,
        B: ArrayLike | None = None,
        *,
        players: Sequence[str] = ("row", "column"),
        strategy_labels: Sequence[Sequence[str]] | None = None,
    ) -> None:
        A_float, A_exact = as_payoffs(A, "A")
        if B is None:
            B_float, B_exact = -A_float, (None if A_exact is None else -A_exact)
        else:
            B_float, B_exact = as_payoffs(B, "B")
        if A_float.ndim != 2:
            raise InvalidParameterError(f"A must be a matrix (2-D); got shape {A_float.shape}")
        if B_float.shape != A_float.shape:
            raise InvalidParameterError(
                f"B must have the shape of A {A_float.shape}; got shape {B_float.shape}"
            )
        exact = None
        if A_exact is not None or B_exact is not None:
            exact = (
                A_exact if A_exact is not None else _fractions(A_float),
                B_exact if B_exact is not None else _fractions(B_float),
            )
        A_float = A_float.copy()
        B_float = B_float.copy()
        A_float.flags.writeable = False
        B_float.flags.writeable = False
        object.__setattr__(self, "A", A_float)
        object.__setattr__(self, "B", B_float)
        object.__setattr__(self, "players", _check_players(players, 2))
        object.__setattr__(self, "strategy_labels", _check_labels(strategy_labels, A_float.shape))
        object.__setattr__(self, "_exact", exact)

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

    def exact_payoffs(self) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
        """``A`` and ``B`` as rationals: as given when exact, else the floats' exact values.

        Examples
        --------
        >>> from fractions import Fraction
        >>> NormalFormGame([[Fraction("0.1"), 0]], [[0, 1]]).exact_payoffs()[0]
        [[Fraction(1, 10), Fraction(0, 1)]]
        """
        if self._exact is not None:
            return (
                [list(row) for row in self._exact[0].tolist()],
                [list(row) for row in self._exact[1].tolist()],
            )
        return (
            [list(row) for row in _fractions(self.A).tolist()],
            [list(row) for row in _fractions(self.B).tolist()],
        )

    def _tols(self, tol: float | None) -> tuple[float, float]:
        """Payoff tolerances (row, column): ``tol`` for both, or by default ``1e-9`` of each
        player's payoff range plus a few ulps of its largest payoff."""
        if tol is not None:
            value = as_tolerance(tol, "tol", low=0.0)
            return value, value
        out = []
        for matrix in (self.A, self.B):
            span = float(matrix.max() - matrix.min())
            out.append(1e-9 * span + 16 * _EPS * float(np.abs(matrix).max()))
        return out[0], out[1]

    def _tol(self, tol: float | None) -> float:
        return max(self._tols(tol))

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
            Payoffs within ``tol`` of the best count as best (default: relative to the
            player's payoff range).

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
        strategy = as_probabilities(opponent_strategy, "opponent_strategy", matrix.shape[1])
        totals = strategy.sum(axis=-1)
        if not np.allclose(totals, 1.0, atol=1e-9):
            raise InvalidParameterError(
                f"opponent_strategy must sum to 1; got sums {np.unique(totals)[:3]}"
            )
        values = strategy @ matrix.T
        return values >= values.max(axis=-1, keepdims=True) - self._tols(tol)[player]

    def regret(self, row_strategy: ArrayLike, column_strategy: ArrayLike) -> FloatArray:
        """Largest gain from a pure deviation by either player, for profiles ``(..., m), (..., n)``.

        Raises
        ------
        InvalidParameterError
            When a strategy's last axis does not match the player's number of strategies,
            the two batches do not broadcast, or an entry is not a probability.

        Examples
        --------
        >>> game = NormalFormGame([[1, -1], [-1, 1]])
        >>> float(game.regret([0.5, 0.5], [0.5, 0.5])), float(game.regret([1, 0], [1, 0]))
        (0.0, 2.0)
        """
        m, n = self.shape
        x = as_probabilities(row_strategy, "row_strategy", m)
        y = as_probabilities(column_strategy, "column_strategy", n)
        try:
            np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
        except ValueError:
            raise InvalidParameterError(
                "row_strategy and column_strategy batches must broadcast; got shapes "
                f"{x.shape} and {y.shape}"
            ) from None
        return self._regret(x, y)

    def _regret_parts(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        row_values = y @ self.A.T  # (..., m)
        column_values = x @ self.B  # (..., n)
        row_gain = row_values.max(axis=-1) - np.sum(x * row_values, axis=-1)
        column_gain = column_values.max(axis=-1) - np.sum(y * column_values, axis=-1)
        return np.maximum(row_gain, 0.0), np.maximum(column_gain, 0.0)

    def _regret(self, x: FloatArray, y: FloatArray) -> FloatArray:
        return np.maximum(*self._regret_parts(x, y))

    # -- equilibria -----------------------------------------------------------------------
    def equilibria(
        self,
        method: str = "vertex_enumeration",
        *,
        tol: float | None = None,
        initial_dropped_label: int | None = 0,
        exact: bool = False,
        max_support_pairs: int = enum.MAX_SUPPORT_PAIRS,
        max_vertices: int = enum.MAX_VERTICES,
        max_pivots: int = enum.MAX_PIVOTS,
    ) -> EquilibriumSet:
        """Nash equilibria, verified by their regret and de-duplicated.

        Parameters
        ----------
        method
            ``"vertex_enumeration"`` (default; every extreme equilibrium of every game,
            degenerate ones included), ``"support_enumeration"`` (all equilibria of a
            non-degenerate game, with a vertex-enumeration fallback when degeneracy is
            detected) or ``"lemke_howson"`` (one equilibrium per dropped label; not
            guaranteed complete).
        tol
            Payoff tolerance for best responses and the regret check, in payoff units.
            Default: ``1e-9`` times each player's payoff range (plus a few ulps of its
            largest payoff), so the answer does not depend on the payoffs' units.
        initial_dropped_label
            Lemke-Howson only: the label dropped first (``0 .. m + n - 1``); ``None`` runs
            all of them and merges the results.
        exact
            Recompute every equilibrium in rational arithmetic from the payoffs as given
            (see `exact_payoffs`) and check its exact regret.
        max_support_pairs
            Support enumeration refuses games with more support pairs (``C(m + n, m)``).
        max_vertices
            Vertex enumeration refuses games whose best-response polytopes may have more
            vertices (McMullen's upper bound theorem).
        max_pivots
            Lemke-Howson stops with `SolverError` after
            this many pivots.

        Returns
        -------
        EquilibriumSet

        Raises
        ------
        InvalidParameterError
            For an unknown method or a game beyond the work limits (the message names the
            faster method and the keyword that raises the limit).
        SolverError
            When Lemke-Howson exceeds ``max_pivots``, or when the exact recomputation of an
            equilibrium fails its exact regret check.

        Examples
        --------
        >>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        >>> len(game.equilibria("support_enumeration")), len(game.equilibria("lemke_howson"))
        (3, 1)
        >>> big = NormalFormGame(np.zeros((12, 12)))
        >>> big.equilibria("support_enumeration")
        Traceback (most recent call last):
        ...
        pipeline_games.errors.InvalidParameterError: support enumeration of a 12x12 game has 2,704,156 support pairs, above max_support_pairs=1,000,000; use method='vertex_enumeration' (faster on large games) or raise max_support_pairs=
        """
        if method not in METHODS:
            raise InvalidParameterError(f"method must be one of {METHODS}; got {method!r}")
        if not isinstance(exact, bool | np.bool_):
            raise InvalidParameterError(f"exact must be True or False; got {exact!r}")
        max_support_pairs = as_int(max_support_pairs, "max_support_pairs", low=1)
        max_vertices = as_int(max_vertices, "max_vertices", low=1)
        max_pivots = as_int(max_pivots, "max_pivots", low=1)
        tols = self._tols(tol)
        tol_value = max(tols)
        parameters: dict[str, Any] = {"tol": tol_value}
        complete = method != "lemke_howson"
        m, n = self.shape
        if m == 1 or n == 1:
            kept = self._one_strategy_equilibria(tols)
            if method == "lemke_howson":
                kept = kept[:1]
            return self._result(
                kept, "one_strategy", parameters, self._pure_ties(tols), complete, 0, tols, exact
            )
        degenerate = False
        if method == "vertex_enumeration":
            parameters["max_vertices"] = max_vertices
            candidates, degenerate = enum.vertex_enumeration(self.A, self.B, tols, max_vertices)
        elif method == "support_enumeration":
            parameters["max_support_pairs"] = max_support_pairs
            candidates = enum.support_enumeration(self.A, self.B, tols, max_support_pairs)
        else:
            size = m + n
            if initial_dropped_label is None:
                labels = list(range(size))
            else:
                labels = [
                    as_int(initial_dropped_label, "initial_dropped_label", low=0, high=size - 1)
                ]
            parameters["initial_dropped_label"] = initial_dropped_label
            parameters["max_pivots"] = max_pivots
            candidates = [enum.lemke_howson(self.A, self.B, k, max_pivots) for k in labels]
        kept, rejected = self._verify(candidates, tols)
        if method != "vertex_enumeration":
            degenerate = self._pure_ties(tols) or any(
                self._is_degenerate_at(x, y, tols) for x, y in kept
            )
        if method == "support_enumeration" and degenerate:
            extra, degenerate = enum.vertex_enumeration(self.A, self.B, tols, max_vertices)
            more, more_rejected = self._verify(extra, tols)
            kept, _ = self._verify([*kept, *more], tols)
            rejected += more_rejected
            parameters["fallback"] = "vertex_enumeration"
        if not kept:
            raise SolverError(
                f"{method} returned no equilibrium with regret <= {tol_value:g} "
                f"({rejected} candidates rejected); try method='vertex_enumeration'"
            )
        return self._result(kept, method, parameters, degenerate, complete, rejected, tols, exact)

    def _one_strategy_equilibria(
        self, tols: tuple[float, float]
    ) -> list[tuple[FloatArray, FloatArray]]:
        """A player with one strategy: the other's pure best responses are the extreme
        equilibria (every mixture of them is an equilibrium too)."""
        m, n = self.shape
        if m == 1:
            values = self.B[0]
            best = np.flatnonzero(values >= values.max() - tols[1])
            return [(np.ones(1), np.eye(n)[j]) for j in best]
        values = self.A[:, 0]
        best = np.flatnonzero(values >= values.max() - tols[0])
        return [(np.eye(m)[i], np.ones(1)) for i in best]

    def pure_equilibria(self, *, tol: float | None = None, exact: bool = False) -> EquilibriumSet:
        """All pure-strategy Nash equilibria (by vectorized best responses).

        Examples
        --------
        >>> game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        >>> game.pure_equilibria().column_strategies
        array([[1., 0.],
               [0., 1.]])
        """
        tols = self._tols(tol)
        m, n = self.shape
        row_ok = self.A.max(axis=0, keepdims=True) - tols[0] <= self.A
        col_ok = self.B.max(axis=1, keepdims=True) - tols[1] <= self.B
        kept = [(np.eye(m)[i], np.eye(n)[j]) for i, j in np.argwhere(row_ok & col_ok)]
        return self._result(
            kept,
            "pure_enumeration",
            {"tol": max(tols)},
            self._pure_ties(tols),
            True,
            0,
            tols,
            exact,
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
        tols = self._tols(tol)
        rows = list(range(self.shape[0]))
        cols = list(range(self.shape[1]))
        eliminated: list[tuple[str, str, int]] = []
        round_number = 0
        while True:
            round_number += 1
            sub_a = self.A[np.ix_(rows, cols)]
            sub_b = self.B[np.ix_(rows, cols)]
            drop_rows = _dominated(sub_a, tols[0], by_mixed)
            drop_cols = _dominated(sub_b.T, tols[1], by_mixed)
            if not drop_rows and not drop_cols:
                break
            for k in drop_rows:
                eliminated.append((self.players[0], self.strategy_labels[0][rows[k]], round_number))
            for k in drop_cols:
                eliminated.append((self.players[1], self.strategy_labels[1][cols[k]], round_number))
            rows = [r for k, r in enumerate(rows) if k not in drop_rows]
            cols = [c for k, c in enumerate(cols) if k not in drop_cols]
        exact = None
        if self._exact is not None:
            exact = (self._exact[0][np.ix_(rows, cols)], self._exact[1][np.ix_(rows, cols)])
        reduced = NormalFormGame(
            exact[0] if exact is not None else self.A[np.ix_(rows, cols)],
            exact[1] if exact is not None else self.B[np.ix_(rows, cols)],
            players=self.players,
            strategy_labels=(
                [self.strategy_labels[0][r] for r in rows],
                [self.strategy_labels[1][c] for c in cols],
            ),
        )
        return EliminationResult(reduced, tuple(eliminated), "mixed" if by_mixed else "pure")

    # -- helpers --------------------------------------------------------------------------
    def _pure_ties(self, tols: tuple[float, float]) -> bool:
        a_sorted = np.sort(self.A, axis=0)
        b_sorted = np.sort(self.B, axis=1)
        row_tie = self.shape[0] > 1 and bool((a_sorted[-1] - a_sorted[-2] <= tols[0]).any())
        col_tie = self.shape[1] > 1 and bool((b_sorted[:, -1] - b_sorted[:, -2] <= tols[1]).any())
        return row_tie or col_tie

    def _is_degenerate_at(self, x: FloatArray, y: FloatArray, tols: tuple[float, float]) -> bool:
        row_values = self.A @ y
        column_values = x @ self.B
        row_best = int((row_values >= row_values.max() - tols[0]).sum())
        column_best = int((column_values >= column_values.max() - tols[1]).sum())
        support_x = int((x > PROBABILITY_TOL).sum())
        support_y = int((y > PROBABILITY_TOL).sum())
        return column_best > support_x or row_best > support_y

    def _verify(
        self, candidates: list[Any], tols: tuple[float, float]
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
            x[x < 1e-15] = 0.0
            y[y < 1e-15] = 0.0
            row_gain, column_gain = self._regret_parts(x, y)
            if float(row_gain) > tols[0] or float(column_gain) > tols[1]:
                rejected += 1
                continue
            if any(
                np.allclose(x, u, rtol=0, atol=PROBABILITY_TOL)
                and np.allclose(y, v, rtol=0, atol=PROBABILITY_TOL)
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
        tols: tuple[float, float],
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
            exact_list = [self._exact_equilibrium(x, y, tols) for x, y in kept]
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
            regret=self._regret(xs, ys),
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
        self, x: FloatArray, y: FloatArray, tols: tuple[float, float]
    ) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
        """The equilibrium as the exact vertex pair its labels define, in rationals.

        The labels of ``x`` (strategies it does not play, and the column player's best
        responses to it) pin down a vertex of the best-response polytope ``P``; the same
        for ``y`` in ``Q``. These equations are solved in rationals on the exactly
        normalized payoffs; when the labels leave a degree of freedom (a point inside a
        continuum) the support-restricted system of best responses is used instead.
        """
        A_exact, B_exact = self.exact_payoffs()
        m, n = self.shape
        row_values = self.A @ y
        column_values = x @ self.B
        row_best = [int(i) for i in np.flatnonzero(row_values >= row_values.max() - tols[0])]
        col_best = [int(j) for j in np.flatnonzero(column_values >= column_values.max() - tols[1])]
        x_zero = [int(i) for i in np.flatnonzero(x <= PROBABILITY_TOL)]
        y_zero = [int(j) for j in np.flatnonzero(y <= PROBABILITY_TOL)]
        a_norm = enum.exact_normalized(A_exact)
        b_norm = enum.exact_normalized(B_exact)
        bt = [list(column) for column in zip(*b_norm, strict=True)]
        x_exact = enum.exact_vertex(bt, x_zero, col_best, m)
        y_exact = enum.exact_vertex(a_norm, y_zero, row_best, n)
        strategies = []
        for point, approx in ((x_exact, x), (y_exact, y)):
            if point is None or sum(point, Fraction(0)) <= 0:
                raise SolverError(
                    f"exact recomputation of the equilibrium strategy {approx.tolist()} "
                    "failed: its best-response equations have no unique solution in "
                    "rationals (a tie within tol that is not exact); pass a smaller tol"
                )
            total = sum(point, Fraction(0))
            strategies.append([v / total for v in point])
        x_rat, y_rat = strategies
        # Exact verification on the payoffs as given.
        for strategy, other, matrix in (
            (x_rat, y_rat, A_exact),
            (y_rat, x_rat, [list(c) for c in zip(*B_exact, strict=True)]),
        ):
            values = [
                sum((row[k] * other[k] for k in range(len(other))), Fraction(0)) for row in matrix
            ]
            best = max(values)
            mine = sum((strategy[i] * values[i] for i in range(len(strategy))), Fraction(0))
            if mine != best or min(strategy) < 0:
                raise SolverError(
                    f"exact recomputation of the equilibrium {x.tolist()}, {y.tolist()} "
                    f"failed its exact regret check (gain {float(best - mine):g}); "
                    "pass a smaller tol"
                )
        return tuple(x_rat), tuple(y_rat)


def _fractions(matrix: FloatArray) -> NDArray[np.object_]:
    out = np.empty(matrix.shape, dtype=object)
    for index, value in np.ndenumerate(matrix):
        out[index] = Fraction(float(value))
    return out


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

            # max eps s.t. sum_i w_i M[i, :] >= M[k, :] + eps, w in simplex. Scaled to the
            # matrix's range so that the LP's tolerances are relative.
            span = float(matrix.max() - matrix.min()) or 1.0
            sub = matrix[others] / span
            c = np.zeros(len(others) + 1)
            c[-1] = -1.0
            a_ub = np.hstack([-sub.T, np.ones((matrix.shape[1], 1))])
            b_ub = -matrix[k] / span
            a_eq = np.hstack([np.ones((1, len(others))), np.zeros((1, 1))])
            bounds = [(0, None)] * len(others) + [(None, None)]
            solution = linprog(
                c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds, method="highs"
            )
            if solution.status == 0 and -solution.fun * span > tol:
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
    array, _ = as_payoffs(payoffs, "payoffs")
    if array.ndim < 2 or array.shape[0] != array.ndim - 1:
        raise InvalidParameterError(
            "payoffs must have shape (n, s1, ..., sn) with n players; "
            f"got an array of shape {array.shape}"
        )
    n_players = array.shape[0]
    shape = array.shape[1:]
    tol_value = as_tolerance(tol, "tol", low=0.0)
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
