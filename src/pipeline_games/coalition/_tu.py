"""Transferable-utility (TU) games: Shapley value, Banzhaf value, core, least core, nucleolus.

A TU game on players ``N = {0, ..., n-1}`` is a characteristic function ``v`` that gives every
coalition ``S`` the total worth its members can secure on their own, with ``v(∅) = 0``.

Storage convention
------------------
A game is stored as a float64 array of length ``2**n`` indexed by *bitmask*: coalition ``S``
sits at index ``sum(2**i for i in S)``, so player 0 is the lowest bit. ``values[0]`` is
``v(∅)`` and ``values[-1]`` is ``v(N)``. Player names travel with the game (``players``) and
into every result.

Memory
------
The table itself takes ``8 * 2**n`` bytes (8 MiB at ``n = 20``, 128 MiB at ``n = 24``).
Exact Shapley values need one more float64 buffer and one uint8 array of the table's length
on top (~9 MiB at ``n = 20``); Banzhaf values need nothing beyond the table. Games larger than
`MAX_TABULATED_PLAYERS` are kept *lazy*, as a vectorized function of bitmasks, and only
Monte Carlo Shapley works on them.

Examples
--------
>>> from pipeline_games.coalition._tu import TUGame
>>> game = TUGame([0, 0, 0, 1], players=("seller", "buyer"))
>>> game.shapley().to_dict()
{'seller': 0.5, 'buyer': 0.5}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

from .._arrays import as_array, as_int
from ..errors import InvalidParameterError, SolverError
from .._results import Result

__all__ = [
    "MAX_TABULATED_PLAYERS",
    "Allocation",
    "CoreResult",
    "NucleolusResult",
    "TUGame",
    "airport_game",
    "bankruptcy_game",
    "glove_game",
    "weighted_majority_game",
]

FloatArray = NDArray[np.float64]
MaskFunction = Callable[[NDArray[np.int64]], ArrayLike]

#: Largest number of players whose ``2**n`` table is built (128 MiB of float64 at 24).
MAX_TABULATED_PLAYERS = 24
#: Largest number of players a lazy game may have (bitmasks are int64).
MAX_PLAYERS = 62
#: Largest number of players for the nucleolus / least core (the LPs have ``2**n`` rows).
MAX_LP_PLAYERS = 14


# --------------------------------------------------------------------------------------
# bitmask helpers (vectorized over the whole table, no Python loop over coalitions)
# --------------------------------------------------------------------------------------


def _split_on_bit(array: np.ndarray, bit: int) -> tuple[np.ndarray, np.ndarray]:
    """Views of a ``2**n`` table: (coalitions without ``bit``, the same coalitions with it).

    Element ``k`` of the second view is the coalition of element ``k`` of the first plus
    player ``bit``. No copy is made.
    """
    shaped = array.reshape(-1, 2, 1 << bit)
    return shaped[:, 0, :], shaped[:, 1, :]


def _popcounts(n: int, dtype: Any = np.int64) -> NDArray[Any]:
    """Size ``|S|`` of every coalition in table order."""
    counts = np.zeros(1 << n, dtype=dtype)
    for bit in range(n):
        _, with_bit = _split_on_bit(counts, bit)
        with_bit += 1
    return counts


def _lookup_into(lookup: FloatArray, index: NDArray[Any], out: FloatArray) -> None:
    """``out[:] = lookup[index]`` in chunks, so numpy's intp copy of ``index`` stays small."""
    chunk = 1 << 16
    for start in range(0, index.shape[0], chunk):
        np.take(lookup, index[start : start + chunk], out=out[start : start + chunk])


def _subset_sums(weights: FloatArray) -> FloatArray:
    """``sum(weights[i] for i in S)`` for every coalition ``S`` in table order."""
    n = weights.shape[0]
    sums = np.zeros(1 << n, dtype=np.float64)
    for bit in range(n):
        _, with_bit = _split_on_bit(sums, bit)
        with_bit += weights[bit]
    return sums


def _incidence(masks: NDArray[np.int64], n: int) -> FloatArray:
    """0/1 matrix, one row per coalition mask, one column per player."""
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def _shapley_weights(n: int) -> FloatArray:
    """``|S|! (n - |S| - 1)! / n!`` for ``|S| = 0..n-1``, computed without overflow."""
    sizes = np.arange(n)
    # 1 / (n * C(n-1, s)) in log space
    log_binom = (
        math.lgamma(n)
        - np.array([math.lgamma(s + 1) for s in sizes])
        - np.array([math.lgamma(n - s) for s in sizes])
    )
    return np.exp(-log_binom) / n


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Allocation(Result):
    """A payoff vector labelled by player name: what a solution concept gives each player.

    Attributes
    ----------
    values
        Payoff of each player, in the order of ``players``.
    players
        Player names.
    method
        How it was computed, e.g. ``"shapley-exact"``, ``"shapley-sampling"``, ``"banzhaf"``.
    standard_errors
        Monte Carlo standard error of each value (``None`` for exact methods).
    samples, seed
        Number of sampled permutations and the seed (``None`` for exact methods).

    Examples
    --------
    >>> a = Allocation(np.array([1.0, 2.0]), ("china", "turkmenistan"), "example")
    >>> a["turkmenistan"], a.total
    (2.0, 3.0)
    """

    values: FloatArray
    players: tuple[str, ...]
    method: str
    standard_errors: FloatArray | None = None
    samples: int | None = None
    seed: int | None = None

    @property
    def total(self) -> float:
        """Sum of the payoffs."""
        return float(self.values.sum())

    def __getitem__(self, player: str) -> float:
        try:
            return float(self.values[self.players.index(player)])
        except ValueError:
            raise InvalidParameterError(
                f"player must be one of {list(self.players)}; got {player!r}"
            ) from None

    def to_dict(self) -> dict[str, float]:
        """Mapping player name -> payoff (LP round-off's negative zeros shown as 0.0)."""
        return {
            name: float(value) + 0.0 for name, value in zip(self.players, self.values, strict=True)
        }


@dataclass(frozen=True, eq=False, repr=False)
class CoreResult(Result):
    """The least core of a game, which tells whether the core is empty.

    The least core is the set of efficient allocations ``x`` (``x(N) = v(N)``) that minimize
    ``epsilon = max over proper coalitions S of v(S) - x(S)``. The core is non-empty exactly
    when ``epsilon <= 0`` (up to ``tol``).

    Attributes
    ----------
    epsilon
        The least-core value: the smallest uniform tax on proper coalitions that makes the
        core non-empty (negative when the core has interior points).
    allocation
        One point of the least core, as returned by the LP solver (not canonical: the
        nucleolus is the canonical point of the least core).
    nonempty
        Whether the core is non-empty, i.e. ``epsilon <= tol``.
    tol
        Absolute tolerance used for ``nonempty`` (already scaled by the game's size).
    method
        ``"least-core-lp"``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> majority = pg.weighted_majority_game(2, [1, 1, 1])  # any two of three decide
    >>> result = majority.core()
    >>> result.nonempty, round(result.epsilon, 6)
    (False, 0.333333)
    """

    epsilon: float
    allocation: Allocation
    nonempty: bool
    tol: float
    method: str = "least-core-lp"

    @property
    def players(self) -> tuple[str, ...]:
        return self.allocation.players


@dataclass(frozen=True, eq=False, repr=False)
class NucleolusResult(Result):
    """The (pre)nucleolus and the sequence of linear programs that found it.

    The excess of coalition ``S`` at allocation ``x`` is ``e(S, x) = v(S) - x(S)``. The
    nucleolus lexicographically minimizes the vector of excesses sorted in decreasing order.

    Attributes
    ----------
    allocation
        The (pre)nucleolus, labelled by player.
    levels
        The successive optimal maximal excesses ``epsilon_1 >= epsilon_2 >= ...``, one per LP
        stage. For the prenucleolus ``levels[0]`` is the least-core epsilon.
    tight_coalitions
        For each level, the bitmasks of the coalitions fixed at that level (those whose
        excess equals the level in every optimal solution: the ones with a positive dual).
    method
        ``"nucleolus"`` (over imputations) or ``"prenucleolus"`` (over pre-imputations).
    tol
        Tolerance used for dual values and for the rank test that stops the sequence.
    n_programs
        Number of linear programs solved.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.weighted_majority_game(2, [1, 1, 1]).nucleolus()
    >>> result.allocation.values.round(4), result.method, result.n_programs
    (array([0.3333, 0.3333, 0.3333]), 'nucleolus', 1)
    """

    allocation: Allocation
    levels: FloatArray
    tight_coalitions: tuple[tuple[int, ...], ...]
    method: str
    tol: float
    n_programs: int

    @property
    def players(self) -> tuple[str, ...]:
        return self.allocation.players

    @property
    def values(self) -> FloatArray:
        """The allocation's payoff vector."""
        return self.allocation.values

    def to_dict(self) -> dict[str, float]:
        """Mapping player name -> payoff."""
        return self.allocation.to_dict()

    def tight_coalition_names(self, level: int) -> list[tuple[str, ...]]:
        """The coalitions fixed at stage ``level``, as tuples of player names."""
        level = as_int(level, "level", low=0, high=len(self.tight_coalitions) - 1)
        return [
            tuple(p for i, p in enumerate(self.players) if mask >> i & 1)
            for mask in self.tight_coalitions[level]
        ]


# --------------------------------------------------------------------------------------
# the game
# --------------------------------------------------------------------------------------


def _check_players(players: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if players is None:
        return tuple(f"player_{i}" for i in range(n))
    names = tuple(str(p) for p in players)
    if len(names) != n:
        raise InvalidParameterError(f"players must have {n} names; got {len(names)}: {names}")
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"players must have distinct names; got {names}")
    return names


@dataclass(frozen=True, eq=False, init=False)
class TUGame:
    """A transferable-utility game with named players.

    Parameters
    ----------
    values
        The characteristic function as an array of length ``2**n`` indexed by bitmask (player
        ``i`` is bit ``i``). ``values[0] = v(∅)`` must be 0 and all values finite.
    players
        Player names (default ``player_0, ...``).

    Notes
    -----
    Other constructors: [`from_dict`][pipeline_games.coalition.TUGame.from_dict], [`from_function`][pipeline_games.coalition.TUGame.from_function], [`from_mask_function`][pipeline_games.coalition.TUGame.from_mask_function]
    (vectorized, lazy for large ``n``), [`from_network`][pipeline_games.coalition.TUGame.from_network], and the textbook games
    [`glove_game`][pipeline_games.coalition.glove_game], [`airport_game`][pipeline_games.coalition.airport_game], [`weighted_majority_game`][pipeline_games.coalition.weighted_majority_game],
    [`bankruptcy_game`][pipeline_games.coalition.bankruptcy_game].

    Examples
    --------
    >>> g = TUGame([0, 1, 1, 3], players=("a", "b"))
    >>> g.value(["a", "b"]), g.n_players
    (3.0, 2)
    >>> g.shapley().values
    array([1.5, 1.5])
    >>> TUGame([1, 1, 1, 3])
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: values[0] = v(empty coalition) must be 0; got 1.0
    """

    players: tuple[str, ...]
    _table: FloatArray | None = field(repr=False)
    _mask_function: MaskFunction | None = field(repr=False)

    def __init__(self, values: ArrayLike, players: Sequence[str] | None = None) -> None:
        table = as_array(values, "values")
        if table.ndim != 1:
            raise InvalidParameterError(
                f"values must be a 1-d array of length 2**n; got shape {table.shape}"
            )
        size = table.shape[0]
        n = size.bit_length() - 1
        if size != 1 << n or n < 1:
            raise InvalidParameterError(
                f"values must have length 2**n (n >= 1 players), one entry per coalition; "
                f"got length {size}"
            )
        if n > MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"values may tabulate at most {MAX_TABULATED_PLAYERS} players; got {n} "
                f"(use TUGame.from_mask_function for a lazy game)"
            )
        if table[0] != 0.0:
            raise InvalidParameterError(
                f"values[0] = v(empty coalition) must be 0; got {float(table[0])!r}"
            )
        table = table.copy() if table.flags.writeable else table
        table.setflags(write=False)
        object.__setattr__(self, "players", _check_players(players, n))
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_mask_function", None)

    # ---- constructors -----------------------------------------------------------------

    @classmethod
    def from_mask_function(cls, function: MaskFunction, players: Sequence[str]) -> TUGame:
        """Build a game from a *vectorized* function of coalition bitmasks.

        ``function(masks)`` takes an int64 array of bitmasks and returns their values. When
        ``n <= MAX_TABULATED_PLAYERS`` the function is called once on all ``2**n`` masks
        and the table is stored; otherwise the game stays lazy (only Monte Carlo Shapley
        and [`value`][pipeline_games.coalition.TUGame.value] work on it).

        Examples
        --------
        >>> g = TUGame.from_mask_function(lambda m: (m > 0) * 1.0, players=("a", "b"))
        >>> g.values
        array([0., 1., 1., 1.])
        """
        names = tuple(str(p) for p in players)
        n = len(names)
        if not 1 <= n <= MAX_PLAYERS:
            raise InvalidParameterError(f"players must number 1 to {MAX_PLAYERS}; got {n}")
        if n <= MAX_TABULATED_PLAYERS:
            masks = np.arange(1 << n, dtype=np.int64)
            return cls(np.asarray(function(masks), dtype=np.float64), names)
        game = object.__new__(cls)
        object.__setattr__(game, "players", _check_players(names, n))
        object.__setattr__(game, "_table", None)
        object.__setattr__(game, "_mask_function", function)
        empty = np.asarray(function(np.zeros(1, dtype=np.int64)), dtype=np.float64)
        if empty.shape != (1,) or empty[0] != 0.0:
            raise InvalidParameterError(
                f"v(empty coalition) must be 0; the function gave {empty.tolist()}"
            )
        return game

    @classmethod
    def from_function(
        cls, function: Callable[[frozenset[str]], float], players: Sequence[str]
    ) -> TUGame:
        """Build a game by calling ``function(coalition)`` on every coalition (a frozenset
        of player names). One Python call per coalition: fine up to ``n`` of about 16.

        Examples
        --------
        >>> g = TUGame.from_function(lambda s: float(len(s) ** 2), players=("a", "b", "c"))
        >>> g.value({"a", "c"})
        4.0
        """
        names = _check_players(players, len(tuple(players)))
        n = len(names)
        if not 1 <= n <= MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"players must number 1 to {MAX_TABULATED_PLAYERS}; got {n}"
            )
        table = np.empty(1 << n)
        for mask in range(1 << n):
            table[mask] = function(frozenset(names[i] for i in range(n) if mask >> i & 1))
        return cls(table, names)

    @classmethod
    def from_dict(
        cls,
        values: Mapping[Any, float],
        players: Sequence[str],
        *,
        default: float | None = None,
    ) -> TUGame:
        """Build a game from a mapping coalition -> value.

        Keys are iterables of player names (a bare string is one player). The empty
        coalition may be given (it must map to 0). Coalitions not listed take ``default``;
        with ``default=None`` every non-empty coalition must be listed.

        Examples
        --------
        >>> g = TUGame.from_dict({("a",): 1, ("b",): 0, ("a", "b"): 4}, players=("a", "b"))
        >>> g.values
        array([0., 1., 0., 4.])
        >>> TUGame.from_dict({("a", "z"): 1}, players=("a", "b"), default=0)
        Traceback (most recent call last):
        ...
        pipeline_games.errors.InvalidParameterError: coalition ('a', 'z') names an unknown player 'z'; players are ['a', 'b']
        """
        names = _check_players(players, len(tuple(players)))
        n = len(names)
        if not 1 <= n <= MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"players must number 1 to {MAX_TABULATED_PLAYERS}; got {n}"
            )
        table = np.full(1 << n, np.nan)
        table[0] = 0.0
        index = {name: i for i, name in enumerate(names)}
        for key, worth in values.items():
            mask = _mask_of(key, index)
            table[mask] = worth
        if default is None:
            missing = np.flatnonzero(np.isnan(table))
            if missing.size:
                first = tuple(names[i] for i in range(n) if int(missing[0]) >> i & 1)
                raise InvalidParameterError(
                    f"values must list every non-empty coalition (or pass default=); "
                    f"{missing.size} missing, first {first}"
                )
        else:
            table[np.isnan(table)] = default
        return cls(table, names)

    @classmethod
    def from_network(cls, network: Any) -> TUGame:
        """The game of a [`PipelineNetwork`][pipeline_games.coalition.PipelineNetwork].

        ``v(S)`` is the largest surplus the members of ``S`` can deliver over the lines
        that run entirely through their territory.

        Examples
        --------
        >>> from pipeline_games.coalition._network import Line, Node, PipelineNetwork
        >>> net = PipelineNetwork(
        ...     [Node("gasland", "producer", cost=10), Node("china", "buyer", price=30)],
        ...     [Line("L", ("gasland", "china"), capacity=2)],
        ... )
        >>> TUGame.from_network(net).values
        array([ 0.,  0.,  0., 40.])
        """
        return network.game()

    # ---- access -----------------------------------------------------------------------

    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def is_tabulated(self) -> bool:
        """Whether the ``2**n`` table is stored (else the game is lazy)."""
        return self._table is not None

    @property
    def values(self) -> FloatArray:
        """The read-only table of ``2**n`` coalition values, indexed by bitmask."""
        return self._require_table("values")

    def _require_table(self, what: str) -> FloatArray:
        if self._table is None:
            raise InvalidParameterError(
                f"{what} needs the table of all 2**n coalition values; a game with "
                f"n = {self.n_players} > {MAX_TABULATED_PLAYERS} players is lazy "
                f"(use shapley(method='sampling'))"
            )
        return self._table

    def _values_of(self, masks: NDArray[np.int64]) -> FloatArray:
        if self._table is not None:
            return self._table[masks]
        assert self._mask_function is not None
        out = np.asarray(self._mask_function(masks), dtype=np.float64)
        if out.shape != masks.shape:
            raise InvalidParameterError(
                f"the mask function must return one value per mask; got shape {out.shape} "
                f"for {masks.shape}"
            )
        return out

    def mask(self, coalition: Iterable[str] | str) -> int:
        """Bitmask of a coalition given by player names.

        Examples
        --------
        >>> TUGame([0, 1, 1, 3], players=("a", "b")).mask(["b"])
        2
        """
        return _mask_of(coalition, {name: i for i, name in enumerate(self.players)})

    def value(self, coalition: Iterable[str] | str) -> float:
        """``v(S)`` for a coalition given by player names."""
        mask = np.array([self.mask(coalition)], dtype=np.int64)
        return float(self._values_of(mask)[0])

    def excesses(self, allocation: ArrayLike) -> FloatArray:
        """``v(S) - x(S)`` for every coalition, in table order.

        Examples
        --------
        >>> TUGame([0, 1, 1, 3]).excesses([1.5, 1.5])
        array([ 0. , -0.5, -0.5,  0. ])
        """
        table = self._require_table("excesses")
        x = self._check_allocation(allocation)
        return table - _subset_sums(x)

    def in_core(self, allocation: ArrayLike, *, tol: float = 1e-9) -> bool:
        """Whether ``allocation`` is in the core: efficient, and no coalition can do better.

        ``tol`` is absolute, applied to ``x(N) - v(N)`` and to every excess.

        Examples
        --------
        >>> g = glove_game(1, 2)
        >>> g.in_core([1, 0, 0]), g.in_core([0.5, 0.25, 0.25])
        (True, False)
        """
        excess = self.excesses(allocation)
        return bool(abs(excess[-1]) <= tol and excess.max() <= tol)

    def _check_allocation(self, allocation: ArrayLike) -> FloatArray:
        x = as_array(allocation, "allocation")
        if x.shape != (self.n_players,):
            raise InvalidParameterError(
                f"allocation must have one entry per player ({self.n_players}); got shape {x.shape}"
            )
        return x

    # ---- algebra (for additivity and cost games) ------------------------------------

    def __add__(self, other: TUGame) -> TUGame:
        if not isinstance(other, TUGame):
            return NotImplemented
        if other.players != self.players:
            raise InvalidParameterError(
                f"games must have the same players to be added; got {self.players} and "
                f"{other.players}"
            )
        return TUGame(self.values + other.values, self.players)

    def __mul__(self, scale: float) -> TUGame:
        factor = float(as_array(scale, "scale"))
        return TUGame(self.values * factor, self.players)

    __rmul__ = __mul__

    def __neg__(self) -> TUGame:
        return TUGame(-self.values, self.players)

    def permuted(self, order: Sequence[int]) -> TUGame:
        """The same game with players reordered: new player ``k`` is old player ``order[k]``.

        Examples
        --------
        >>> TUGame([0, 1, 2, 3], players=("a", "b")).permuted([1, 0]).values
        array([0., 2., 1., 3.])
        """
        n = self.n_players
        order_array = np.asarray(order, dtype=np.int64)
        if sorted(order_array.tolist()) != list(range(n)):
            raise InvalidParameterError(
                f"order must be a permutation of 0..{n - 1}; got {list(order_array)}"
            )
        new_masks = np.arange(1 << n, dtype=np.int64)
        old_masks = np.zeros_like(new_masks)
        for k in range(n):
            old_masks |= ((new_masks >> k) & 1) << order_array[k]
        return TUGame(self.values[old_masks], tuple(self.players[i] for i in order_array))

    # ---- properties of the game -------------------------------------------------------

    def is_superadditive(self, *, tol: float = 1e-9) -> bool:
        """Whether ``v(S ∪ T) >= v(S) + v(T)`` for all disjoint ``S, T``.

        Checks every disjoint pair, one vectorized pass per ``S``; meant for ``n <= 12``.

        Examples
        --------
        >>> glove_game(1, 1).is_superadditive()
        True
        """
        table = self._require_table("is_superadditive")
        n = self.n_players
        masks = np.arange(1 << n, dtype=np.int64)
        for s in range(1, 1 << n):
            others = masks[(masks & s) == 0]
            others = others[others > 0]
            if others.size and np.any(table[s | others] < table[s] + table[others] - tol):
                return False
        return True

    # ---- solution concepts ------------------------------------------------------------

    def shapley(
        self,
        method: str = "auto",
        *,
        samples: int = 10_000,
        seed: int | None = None,
    ) -> Allocation:
        """The Shapley value, exact or by Monte Carlo permutation sampling.

        Parameters
        ----------
        method
            ``"exact"``: vectorized over the ``2**n`` table,
            ``phi_i = sum_{S ∌ i} |S|!(n-|S|-1)!/n! (v(S ∪ i) - v(S))``, computed as two
            weighted sums per player over strided views of one reused buffer (no temporary
            of the table's size per player); beyond the table it needs ``9 * 2**n`` bytes
            (a float64 buffer and a uint8 array of coalition sizes: ~9 MiB at ``n = 20``;
            measured peak in ``benchmarks/bench_coalition.py``), time ``O(n 2**n)``. ``"sampling"``: average marginal contributions
            over ``samples`` uniformly random orders, with standard errors.
            ``"auto"``: exact when the table is stored, else sampling.
        samples
            Number of random permutations for sampling.
        seed
            Seed for ``numpy.random.default_rng`` (sampling only).

        Returns
        -------
        Allocation
            ``method`` is ``"shapley-exact"`` or ``"shapley-sampling"``; sampling fills
            ``standard_errors``, ``samples`` and ``seed``.

        Examples
        --------
        >>> g = glove_game(1, 2)
        >>> g.shapley().to_dict()
        {'L1': 0.666..., 'R1': 0.166..., 'R2': 0.166...}
        >>> est = g.shapley("sampling", samples=4000, seed=1)
        >>> bool(abs(est["L1"] - 2 / 3) < 4 * est.standard_errors[0])
        True
        """
        if method == "auto":
            method = "exact" if self.is_tabulated else "sampling"
        if method == "exact":
            return Allocation(self._shapley_exact(), self.players, "shapley-exact")
        if method == "sampling":
            samples = as_int(samples, "samples", low=2)
            mean, se = self._shapley_sampling(samples, seed)
            return Allocation(mean, self.players, "shapley-sampling", se, samples, seed)
        raise InvalidParameterError(f"method must be 'auto', 'exact' or 'sampling'; got {method!r}")

    def _shapley_exact(self) -> FloatArray:
        table = self._require_table("exact Shapley value")
        n = self.n_players
        sizes = _popcounts(n, np.uint8)  # 1 byte per coalition (n <= 62 < 256)
        weights = _shapley_weights(n)
        # phi_i = sum_{S ∋ i} w(|S|-1) v(S) - sum_{S ∌ i} w(|S|) v(S); one buffer reused
        phi = np.zeros(n)
        buffer = np.empty(1 << n)
        _lookup_into(np.append(weights, 0.0), sizes, buffer)  # w(|S|); 0 for N
        buffer *= table
        for i in range(n):
            lacks_i, _ = _split_on_bit(buffer, i)
            phi[i] -= lacks_i.sum()
        _lookup_into(np.insert(weights, 0, 0.0), sizes, buffer)  # w(|S| - 1); 0 for ∅
        buffer *= table
        for i in range(n):
            _, has_i = _split_on_bit(buffer, i)
            phi[i] += has_i.sum()
        return phi

    def _shapley_sampling(self, samples: int, seed: int | None) -> tuple[FloatArray, FloatArray]:
        n = self.n_players
        rng = np.random.default_rng(seed)
        total = np.zeros(n)
        total_sq = np.zeros(n)
        batch = max(1, min(samples, (1 << 20) // n))
        done = 0
        bits = np.int64(1) << np.arange(n, dtype=np.int64)
        while done < samples:
            m = min(batch, samples - done)
            orders = rng.permuted(np.tile(np.arange(n), (m, 1)), axis=1)
            prefix = np.cumsum(bits[orders], axis=1)
            worth = self._values_of(prefix.ravel()).reshape(m, n)
            marginal = np.diff(worth, axis=1, prepend=0.0)
            contributions = np.empty((m, n))
            np.put_along_axis(contributions, orders, marginal, axis=1)
            total += contributions.sum(axis=0)
            total_sq += (contributions**2).sum(axis=0)
            done += m
        mean = total / samples
        variance = np.maximum(total_sq / samples - mean**2, 0.0) * samples / (samples - 1)
        return mean, np.sqrt(variance / samples)

    def banzhaf(self, *, normalized: bool = False) -> Allocation:
        """The Banzhaf value ``beta_i = 2**-(n-1) sum_{S ∌ i} (v(S ∪ i) - v(S))``.

        With ``normalized=True`` the values are rescaled to sum to ``v(N)`` (when the raw
        values sum to zero they are returned unscaled). Memory: the table plus O(n).

        Examples
        --------
        >>> weighted_majority_game(3, [2, 1, 1]).banzhaf().values
        array([0.75, 0.25, 0.25])
        """
        table = self._require_table("Banzhaf value")
        n = self.n_players
        beta = np.empty(n)
        for i in range(n):
            lacks_i, has_i = _split_on_bit(table, i)
            beta[i] = has_i.sum() - lacks_i.sum()
        beta /= 2.0 ** (n - 1)
        method = "banzhaf"
        if normalized:
            method = "banzhaf-normalized"
            if beta.sum() != 0.0:
                beta *= table[-1] / beta.sum()
        return Allocation(beta, self.players, method)

    def core(self, *, tol: float = 1e-9) -> CoreResult:
        """The least core by one LP (HiGHS): is the core empty, and by how much?

        Solves ``min epsilon`` subject to ``v(S) - x(S) <= epsilon`` for every proper
        non-empty ``S`` and ``x(N) = v(N)``. The core is non-empty iff ``epsilon <= 0``;
        ``nonempty`` uses ``tol * max(1, max|v|)``. For a single player the core is
        ``{v(N)}`` and ``epsilon`` is reported as 0.

        Examples
        --------
        >>> result = weighted_majority_game(2, [1, 1, 1]).core()
        >>> round(result.epsilon, 9), result.nonempty
        (0.333333333, False)
        >>> glove_game(1, 2).core().nonempty
        True
        """
        table = self._require_table("the core")
        n = self.n_players
        self._check_lp_size("core")
        scaled_tol = float(tol) * max(1.0, float(np.abs(table).max()))
        if n == 1:
            allocation = Allocation(np.array([table[1]]), self.players, "least-core-lp")
            return CoreResult(0.0, allocation, True, scaled_tol)
        free = np.arange(1, (1 << n) - 1, dtype=np.int64)
        x, epsilon, _ = _excess_lp(table, n, free, [], [], imputations=False)
        allocation = Allocation(x, self.players, "least-core-lp")
        return CoreResult(epsilon, allocation, bool(epsilon <= scaled_tol), scaled_tol)

    def nucleolus(self, *, tol: float = 1e-9) -> NucleolusResult:
        """The nucleolus (over imputations) by a sequence of linear programs.

        Stage ``k`` minimizes the largest excess ``epsilon_k`` over the coalitions not yet
        fixed, holding earlier fixed coalitions at their levels; the coalitions with a
        positive dual value (excess equal to ``epsilon_k`` in *every* optimal solution, by
        complementary slackness) are fixed at ``epsilon_k``; coalitions whose excess is
        already determined by the fixed ones (their indicator vector lies in the span of
        the fixed ones and ``N``) are dropped. It stops when the fixed coalitions span
        ``R**n``, so the allocation is unique. Exact up to the LP solver's tolerance
        (HiGHS, ~1e-9); ``tol`` applies to dual values and the rank test.
        Meant for ``n`` up to about 12 (``2**n`` LP rows).

        Raises
        ------
        InvalidParameterError
            If the imputation set is empty (``sum v({i}) > v(N)``).

        Examples
        --------
        >>> bankruptcy_game(200, [100, 200, 300]).nucleolus().values
        array([50., 75., 75.])
        """
        return self._nucleolus(imputations=True, tol=tol)

    def prenucleolus(self, *, tol: float = 1e-9) -> NucleolusResult:
        """The prenucleolus: as [`nucleolus`][pipeline_games.coalition.TUGame.nucleolus] but over all efficient allocations.

        Its first level is the least-core epsilon.

        Examples
        --------
        >>> weighted_majority_game(2, [1, 1, 1]).prenucleolus().values
        array([0.333..., 0.333..., 0.333...])
        """
        return self._nucleolus(imputations=False, tol=tol)

    def _check_lp_size(self, what: str) -> None:
        if self.n_players > MAX_LP_PLAYERS:
            raise InvalidParameterError(
                f"{what} needs an LP with 2**n rows; n must be <= {MAX_LP_PLAYERS}; "
                f"got {self.n_players}"
            )

    def _nucleolus(self, *, imputations: bool, tol: float) -> NucleolusResult:
        table = self._require_table("the nucleolus")
        n = self.n_players
        self._check_lp_size("the nucleolus")
        tol = float(as_array(tol, "tol", low=0.0, low_open=True))
        method = "nucleolus" if imputations else "prenucleolus"
        singletons = table[np.int64(1) << np.arange(n, dtype=np.int64)]
        if imputations and singletons.sum() > table[-1] + tol * max(1.0, abs(table[-1])):
            raise InvalidParameterError(
                f"the nucleolus needs a non-empty imputation set: sum of v({{i}}) = "
                f"{singletons.sum():.10g} must be <= v(N) = {table[-1]:.10g}"
            )
        if n == 1:
            allocation = Allocation(np.array([table[1]]), self.players, method)
            return NucleolusResult(allocation, np.empty(0), (), method, tol, 0)
        free = np.arange(1, (1 << n) - 1, dtype=np.int64)
        fixed_masks: list[int] = []
        fixed_levels: list[float] = []
        levels: list[float] = []
        tight: list[tuple[int, ...]] = []
        n_programs = 0
        x = np.zeros(n)
        while free.size:
            x, epsilon, duals = _excess_lp(
                table, n, free, fixed_masks, fixed_levels, imputations=imputations
            )
            n_programs += 1
            binding = duals > tol
            if not binding.any():  # pragma: no cover - duals sum to one
                binding = duals >= duals.max()
            newly_fixed = free[binding]
            levels.append(epsilon)
            tight.append(tuple(int(m) for m in newly_fixed))
            fixed_masks.extend(int(m) for m in newly_fixed)
            fixed_levels.extend([epsilon] * newly_fixed.size)
            rows = np.vstack([np.ones((1, n)), _incidence(np.array(fixed_masks), n)])
            _, s, vt = np.linalg.svd(rows, full_matrices=False)
            rank = int((s > tol * max(1.0, s[0])).sum())
            if rank >= n:
                break
            basis = vt[:rank]
            remaining = free[~binding]
            incidence = _incidence(remaining, n)
            residual = incidence - (incidence @ basis.T) @ basis
            free = remaining[np.linalg.norm(residual, axis=1) > math.sqrt(tol)]
        allocation = Allocation(x, self.players, method)
        return NucleolusResult(
            allocation, np.asarray(levels), tuple(tight), method, tol, n_programs
        )


def _mask_of(coalition: Iterable[str] | str, index: Mapping[str, int]) -> int:
    members = (coalition,) if isinstance(coalition, str) else tuple(coalition)
    mask = 0
    for member in members:
        if member not in index:
            raise InvalidParameterError(
                f"coalition {members} names an unknown player {member!r}; players are {list(index)}"
            )
        mask |= 1 << index[member]
    return mask


def _excess_lp(
    table: FloatArray,
    n: int,
    free: NDArray[np.int64],
    fixed_masks: Sequence[int],
    fixed_levels: Sequence[float],
    *,
    imputations: bool,
) -> tuple[FloatArray, float, FloatArray]:
    """Minimize the largest excess over ``free`` coalitions.

    Variables ``(x_0..x_{n-1}, epsilon)``. Returns the allocation, the optimal epsilon and
    the dual value (>= 0) of each free coalition's constraint.

    Coalitions fixed at earlier levels keep their excess at most their level,
    ``v(S) - x(S) <= level``, rather than equal to it. They were
    fixed because their dual value was positive, so by complementary slackness they are
    tight in every optimal solution of their stage: in exact arithmetic the inequality and
    the equality define the same set. In floating point the inequalities cannot make a later
    program infeasible (the previous stage's point satisfies them to the solver's
    feasibility tolerance), which equalities can when nearly equal coalition values round
    differently and the fixed equations become inconsistent.
    """
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    # v(S) - x(S) <= eps   <=>   -x(S) - eps <= -v(S)
    a_free = np.hstack([-_incidence(free, n), -np.ones((free.size, 1))])
    b_free = -table[free]
    fixed = np.array(fixed_masks, dtype=np.int64)
    # v(S) - x(S) <= level   <=>   -x(S) <= level - v(S)
    a_fixed = np.hstack([-_incidence(fixed, n), np.zeros((fixed.size, 1))])
    b_fixed = np.asarray(fixed_levels, dtype=np.float64) - table[fixed]
    a_ub = np.vstack([a_free, a_fixed])
    b_ub = np.concatenate([b_free, b_fixed])
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    b_eq = table[-1:]
    if imputations:
        lower = table[np.int64(1) << np.arange(n, dtype=np.int64)]
        bounds = [(float(low), None) for low in lower] + [(None, None)]
    else:
        bounds = [(None, None)] * (n + 1)
    result = linprog(
        cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    if result.status != 0:
        raise SolverError(f"excess LP failed (HiGHS status {result.status}): {result.message}")
    duals = -np.asarray(result.ineqlin.marginals)[: free.size]
    return np.asarray(result.x[:n]), float(result.x[-1]), duals


# --------------------------------------------------------------------------------------
# textbook games
# --------------------------------------------------------------------------------------


def glove_game(left: int, right: int) -> TUGame:
    """The glove game: ``left`` owners of a left glove, ``right`` of a right one.

    A coalition is worth the number of pairs it can form, ``min(#left, #right)``. Players
    are named ``L1.. , R1..``.

    Examples
    --------
    >>> glove_game(1, 2).nucleolus().to_dict()
    {'L1': 1.0, 'R1': 0.0, 'R2': 0.0}
    """
    n_left = as_int(left, "left", low=0)
    n_right = as_int(right, "right", low=0)
    if n_left + n_right < 1:
        raise InvalidParameterError("left + right must be at least 1; got 0")
    players = [f"L{i + 1}" for i in range(n_left)] + [f"R{i + 1}" for i in range(n_right)]
    is_left = np.array([1.0] * n_left + [0.0] * n_right)
    lefts = _subset_sums(is_left)
    rights = _popcounts(len(players)) - lefts
    return TUGame(np.minimum(lefts, rights), players)


def airport_game(costs: ArrayLike, players: Sequence[str] | None = None) -> TUGame:
    """The airport *cost* game ``c(S) = max_{i in S} costs[i]`` (Littlechild and Owen 1973).

    The Shapley value of this cost game is each player's fair share of the runway:
    with costs sorted ``c_(1) <= ... <= c_(n)``, player ``(i)`` pays
    ``sum_{k <= i} (c_(k) - c_(k-1)) / (n - k + 1)``. The core and nucleolus methods treat
    values as gains; use ``-airport_game(...)`` for them (and negate the answer).

    Examples
    --------
    >>> airport_game([1.0, 3.0]).shapley().values
    array([0.5, 2.5])
    """
    cost = as_array(costs, "costs", low=0.0)
    if cost.ndim != 1:
        raise InvalidParameterError(f"costs must be a 1-d array; got shape {cost.shape}")
    n = cost.shape[0]
    table = np.zeros(1 << n)
    for bit in range(n):
        lacks, has = _split_on_bit(table, bit)
        np.maximum(lacks, cost[bit], out=has)
    return TUGame(table, players)


def weighted_majority_game(
    quota: float, weights: ArrayLike, players: Sequence[str] | None = None
) -> TUGame:
    """The weighted majority game ``[quota; w_1, ..., w_n]``: ``v(S) = 1`` iff ``w(S) >= quota``.

    Lazy (sampling-only Shapley) when ``n > MAX_TABULATED_PLAYERS``.

    Examples
    --------
    >>> weighted_majority_game(3, [2, 1, 1]).shapley().values
    array([0.666..., 0.166..., 0.166...])
    """
    weight = as_array(weights, "weights", low=0.0)
    if weight.ndim != 1:
        raise InvalidParameterError(f"weights must be a 1-d array; got shape {weight.shape}")
    threshold = float(as_array(quota, "quota", low=0.0, low_open=True))
    n = weight.shape[0]
    names = _check_players(players, n)

    def worth(masks: NDArray[np.int64]) -> FloatArray:
        if masks.size == 1 << n and n <= MAX_TABULATED_PLAYERS:
            return (_subset_sums(weight) >= threshold).astype(np.float64)
        return (_incidence(masks, n) @ weight >= threshold).astype(np.float64)

    return TUGame.from_mask_function(worth, names)


def bankruptcy_game(
    estate: float, claims: ArrayLike, players: Sequence[str] | None = None
) -> TUGame:
    """The bankruptcy game of O'Neill (1982): ``v(S) = max(0, E - sum_{j not in S} d_j)``.

    What a coalition can secure is what the others' claims leave of the estate. The
    nucleolus of this game is the Talmud rule (Aumann and Maschler 1985) and its Shapley
    value is the random-arrival rule.

    Examples
    --------
    >>> bankruptcy_game(100, [100, 200, 300]).nucleolus().values
    array([33.333..., 33.333..., 33.333...])
    """
    claim = as_array(claims, "claims", low=0.0)
    if claim.ndim != 1:
        raise InvalidParameterError(f"claims must be a 1-d array; got shape {claim.shape}")
    total = float(claim.sum())
    worth = float(as_array(estate, "estate", low=0.0, high=total))
    others = total - _subset_sums(claim)
    table = np.maximum(0.0, worth - others)
    table[0] = 0.0
    return TUGame(table, players)
