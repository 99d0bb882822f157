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
on top (~9 MiB at ``n = 20``); Banzhaf values need nothing beyond the table. The nucleolus
and least core by constraint generation need about five float64 tables of working memory
(about 44 MiB at ``n = 20``, measured in ``benchmarks/bench_coalition.py``) and LPs of a
few dozen to a few hundred rows. Games larger than `MAX_TABULATED_PLAYERS` are kept
*lazy*, as a vectorized function of bitmasks (up to `MAX_PLAYERS`), and only Monte
Carlo Shapley works on them; what needs the table refuses with the size it would need.

Scale
-----
Every tolerance is relative to the game's magnitude ``max |v(S)|`` and the LPs see the
values divided by a power of two near it (exact), so the game times any factor gives the
same answers times that factor.

Examples
--------
>>> from pipeline_games.coalition._tu import TUGame
>>> game = TUGame([0, 0, 0, 1], players=("seller", "buyer"))
>>> game.shapley().to_dict()
{'seller': 0.5, 'buyer': 0.5}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog

from .._arrays import as_array, as_int
from .._results import Result
from ..errors import InvalidParameterError, SolverError

__all__ = [
    "AUTO_FULL_LP_PLAYERS",
    "MAX_LP_PLAYERS",
    "MAX_PLAYERS",
    "MAX_SAMPLED_EVALUATIONS",
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
#: Largest number of players for ``algorithm="full"`` nucleolus / least core (its LPs have
#: a row per coalition, ``2**n``); constraint generation works up to the table's limit.
MAX_LP_PLAYERS = 16
#: Default limit on the coalition evaluations of Monte Carlo Shapley (``samples * n``).
MAX_SAMPLED_EVALUATIONS = 10**9
#: ``algorithm="auto"`` uses the full LPs up to this many players, constraint generation above.
AUTO_FULL_LP_PLAYERS = 8


# --------------------------------------------------------------------------------------
# input validation (stricter than as_array: no booleans, strings, complex numbers or ints
# beyond the float range slip through as numbers)
# --------------------------------------------------------------------------------------

_FLOAT_MAX = float(np.finfo(np.float64).max)


def _bad_number(item: Any) -> str | None:
    """Why ``item`` is not a real number we accept, or ``None`` when it is one."""
    if isinstance(item, bool | np.bool_):
        return f"a boolean ({item!r})"
    if isinstance(item, int | np.integer):
        if abs(int(item)) > _FLOAT_MAX:
            return f"an integer too large for float64 ({len(str(abs(int(item))))} digits)"
        return None
    if isinstance(item, numbers.Real):
        return None
    if isinstance(item, numbers.Complex):
        return f"a complex number ({item!r})"
    return f"{type(item).__name__} {item!r}"[:80]


def _refuse_non_real(value: Any, name: str) -> None:
    """Raise unless ``value`` holds only real numbers (no bool, str, complex, huge int)."""
    if isinstance(value, np.ndarray):
        kind = value.dtype.kind
        if kind in "fiu":
            return
        if kind != "O":
            raise InvalidParameterError(
                f"{name} must hold real numbers; got an array of dtype {value.dtype}"
            )
        items: Iterable[Any] = value.ravel().tolist()
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = (value,)
    stack: list[Iterable[Any]] = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, list | tuple | np.ndarray):
                if isinstance(item, np.ndarray) and item.dtype.kind in "fiu":
                    continue
                stack.append(item.ravel().tolist() if isinstance(item, np.ndarray) else item)
                continue
            why = _bad_number(item)
            if why is not None:
                raise InvalidParameterError(
                    f"{name} must be a real number or an array of real numbers; got {why}"
                )


def _real(value: Any, name: str, **checks: Any) -> FloatArray:
    """`as_array` after refusing booleans, strings, complex numbers and huge ints."""
    _refuse_non_real(value, name)
    try:
        return as_array(value, name, **checks)
    except OverflowError as exc:  # pragma: no cover - caught by _refuse_non_real
        raise InvalidParameterError(f"{name} must fit in float64; got {value!r}") from exc


def _real_scalar(value: Any, name: str, **checks: Any) -> float:
    """A single real number, checked like `_real`."""
    array = _real(value, name, **checks)
    if array.ndim != 0:
        raise InvalidParameterError(f"{name} must be a single number; got shape {array.shape}")
    return float(array)


def _check_tol(tol: Any, *, positive: bool = False) -> float:
    """``tol``: a relative tolerance in ``[0, 1)`` (``(0, 1)`` when ``positive``)."""
    return _real_scalar(tol, "tol", low=0.0, high=1.0, low_open=positive, high_open=True)


def _check_seed(seed: Any) -> int | None:
    """``seed``: ``None`` or a non-negative integer (not a bool, float or string)."""
    if seed is None:
        return None
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer):
        raise InvalidParameterError(f"seed must be None or a non-negative integer; got {seed!r}")
    if seed < 0:
        raise InvalidParameterError(f"seed must be None or a non-negative integer; got {seed}")
    return int(seed)


def _table_size_text(n: int) -> str:
    """``2**n`` values and their bytes, in words."""
    size = 8 * 2**n
    for unit, factor in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"2**{n} = {2**n:,} values, {size / factor:.3g} {unit}"
    return f"2**{n} = {2**n:,} values, {size} bytes"  # pragma: no cover - n >= 1


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
    """Size ``|S|`` of every coalition in table order (doubling: ``O(2**n)``)."""
    counts = np.zeros(1 << n, dtype=dtype)
    for bit in range(n):
        np.add(counts[: 1 << bit], 1, out=counts[1 << bit : 2 << bit])
    return counts


def _lookup_into(lookup: FloatArray, index: NDArray[Any], out: FloatArray) -> FloatArray:
    """``out[:] = lookup[index]`` in chunks, so numpy's intp copy of ``index`` stays small."""
    chunk = 1 << 16
    for start in range(0, index.shape[0], chunk):
        np.take(lookup, index[start : start + chunk], out=out[start : start + chunk])
    return out


def _popcounts_into(out: FloatArray) -> FloatArray:
    """``|S|`` of every coalition, as floats, written into a table-sized ``out``."""
    out[0] = 0.0
    for bit in range(out.shape[0].bit_length() - 1):
        np.add(out[: 1 << bit], 1.0, out=out[1 << bit : 2 << bit])
    return out


def _subset_sums(weights: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``sum(weights[i] for i in S)`` for every coalition ``S`` in table order.

    Doubling: the coalitions whose highest player is ``b`` are those below ``2**b`` plus
    ``b``, so one pass writes each entry once (``O(2**n)``; terms are added in player order).
    """
    n = weights.shape[0]
    sums = np.empty(1 << n, dtype=np.float64) if out is None else out
    sums[0] = 0.0
    for bit in range(n):
        np.add(sums[: 1 << bit], weights[bit], out=sums[1 << bit : 2 << bit])
    return sums


_BYTE_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _mask_popcount(masks: NDArray[np.int64]) -> NDArray[np.int64]:
    """Number of set bits of each int64 mask (for lazy games; numpy >= 1.26)."""
    counts = np.zeros(masks.shape, dtype=np.int64)
    for shift in range(0, 64, 8):
        counts += _BYTE_POPCOUNT[(masks >> shift) & 255]
    return counts


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
    >>> a = Allocation(np.array([1.0, 2.0]), ("buyer", "producer"), "example")
    >>> a["producer"], a.total
    (2.0, 3.0)
    """

    values: FloatArray
    players: tuple[str, ...]
    method: str
    standard_errors: FloatArray | None = None
    samples: int | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        players = tuple(self.players)
        if values.shape[-1:] != (len(players),):
            raise InvalidParameterError(
                f"values must have one entry per player ({len(players)}); got shape {values.shape}"
            )
        if len(set(players)) != len(players):
            raise InvalidParameterError(f"players must have distinct names; got {players}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "players", players)
        super().__post_init__()

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
        Absolute tolerance used for ``nonempty``: the relative ``tol`` passed to
        `TUGame.core` times the game's magnitude ``max |v(S)|``.
    method
        ``"least-core-lp"``.
    algorithm
        ``"full"`` (one LP with a row per coalition) or ``"generation"`` (constraint
        generation over coalitions, checked against every coalition of the table).

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
    algorithm: str = "full"

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
        Relative tolerance used for dual values, for the separation of violated coalitions
        and for the final check (excesses are compared in units of ``max |v(S)|``).
    n_programs
        Number of linear programs solved.
    algorithm
        ``"full"`` (every stage's LP has a row per coalition) or ``"generation"``
        (constraint generation: each stage starts from a few coalitions and adds the most
        violated ones until none is left).
    max_lp_rows
        Rows of the largest LP solved (coalition constraints, free and fixed).

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
    algorithm: str = "full"
    max_lp_rows: int = 0

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


def _player_names(players: Any) -> tuple[str, ...]:
    """Player names as strings; a bare string is refused (it is not a sequence of names)."""
    if isinstance(players, str | bytes):
        raise InvalidParameterError(
            f"players must be a sequence of names, not a single string; got {players!r}"
        )
    try:
        return tuple(str(p) for p in players)
    except TypeError:
        raise InvalidParameterError(
            f"players must be a sequence of names; got {players!r}"
        ) from None


def _check_players(players: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if players is None:
        return tuple(f"player_{i}" for i in range(n))
    names = _player_names(players)
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
    Other constructors: `from_dict`, `from_function`, `from_mask_function`
    (vectorized, lazy for large ``n``), `from_network`, and the textbook games
    `glove_game`, `airport_game`, `weighted_majority_game`,
    `bankruptcy_game`.

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
        table = _real(values, "values")
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
                f"({_table_size_text(n)}; use TUGame.from_mask_function for a lazy game)"
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
        and `value` work on it).

        Examples
        --------
        >>> g = TUGame.from_mask_function(lambda m: (m > 0) * 1.0, players=("a", "b"))
        >>> g.values
        array([0., 1., 1., 1.])
        """
        if not callable(function):
            raise InvalidParameterError(f"function must be callable; got {function!r}")
        names = _player_names(players)
        n = len(names)
        if not 1 <= n <= MAX_PLAYERS:
            raise InvalidParameterError(
                f"players must number 1 to {MAX_PLAYERS} (coalitions are int64 bitmasks); got {n}"
            )
        if n <= MAX_TABULATED_PLAYERS:
            masks = np.arange(1 << n, dtype=np.int64)
            return cls(_mask_values(function, masks), names)
        game = object.__new__(cls)
        object.__setattr__(game, "players", _check_players(names, n))
        object.__setattr__(game, "_table", None)
        object.__setattr__(game, "_mask_function", function)
        empty = _mask_values(function, np.zeros(1, dtype=np.int64))
        if empty[0] != 0.0:
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
        _check_callable(function, "function")
        names = _player_names(players)
        names = _check_players(names, len(names))
        n = len(names)
        if not 1 <= n <= MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"players must number 1 to {MAX_TABULATED_PLAYERS}; got {n}"
                + (f" (a table of {_table_size_text(n)})" if n > MAX_TABULATED_PLAYERS else "")
            )
        worth = [
            function(frozenset(names[i] for i in range(n) if mask >> i & 1))
            for mask in range(1 << n)
        ]
        return cls(_real(worth, "function(coalition)"), names)

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
        names = _player_names(players)
        names = _check_players(names, len(names))
        n = len(names)
        if not 1 <= n <= MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"players must number 1 to {MAX_TABULATED_PLAYERS}; got {n}"
                + (f" (a table of {_table_size_text(n)})" if n > MAX_TABULATED_PLAYERS else "")
            )
        if not isinstance(values, Mapping):
            raise InvalidParameterError(
                f"values must be a mapping coalition -> value; got {type(values).__name__}"
            )
        if default is not None:
            default = _real_scalar(default, "default")
        table = np.full(1 << n, np.nan)
        table[0] = 0.0
        index = {name: i for i, name in enumerate(names)}
        for key, worth in values.items():
            mask = _mask_of(key, index)
            table[mask] = _real_scalar(worth, f"values[{key!r}]")
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
        """The game of a `PipelineNetwork`.

        ``v(S)`` is the largest surplus the members of ``S`` can deliver over the lines
        that run entirely through their territory.

        Examples
        --------
        >>> from pipeline_games.coalition._network import Line, Node, PipelineNetwork
        >>> net = PipelineNetwork(
        ...     [Node("gasland", "producer", cost=10), Node("buyland", "buyer", price=30)],
        ...     [Line("L", ("gasland", "buyland"), capacity=2)],
        ... )
        >>> TUGame.from_network(net).values
        array([ 0.,  0.,  0., 40.])
        """
        from ..network._model import SupplyNetwork
        from ._network import PipelineNetwork

        if not isinstance(network, PipelineNetwork | SupplyNetwork):
            raise InvalidParameterError(
                f"network must be a PipelineNetwork or a SupplyNetwork; got {network!r}"
            )
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
                f"{what} needs the table of all coalition values ({_table_size_text(self.n_players)}); "
                f"tables are built up to n = {MAX_TABULATED_PLAYERS} players "
                f"({_table_size_text(MAX_TABULATED_PLAYERS)}) and this game has "
                f"n = {self.n_players}, so it is lazy (use shapley(method='sampling'))"
            )
        return self._table

    def _values_of(self, masks: NDArray[np.int64]) -> FloatArray:
        if self._table is not None:
            return self._table[masks]
        assert self._mask_function is not None
        return _mask_values(self._mask_function, masks)

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

        ``tol`` is relative, in ``[0, 1)``: ``x(N) - v(N)`` and every excess may exceed 0 by
        ``tol`` times the magnitude ``max(max |v(S)|, max |x_i|)``, so the answer does not
        change with the unit of the values.

        Examples
        --------
        >>> g = glove_game(1, 2)
        >>> g.in_core([1, 0, 0]), g.in_core([0.5, 0.25, 0.25])
        (True, False)
        """
        tol = _check_tol(tol)
        x = self._check_allocation(allocation)
        excess = self.excesses(x)
        magnitude = max(float(np.abs(self.values).max()), float(np.abs(x).max()))
        bound = tol * magnitude
        return bool(abs(excess[-1]) <= bound and excess.max() <= bound)

    def _check_allocation(self, allocation: ArrayLike) -> FloatArray:
        x = _real(allocation, "allocation")
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
        if isinstance(scale, TUGame):
            return NotImplemented
        factor = _real_scalar(scale, "scale")
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
        numbers_ = _real(order, "order")
        if numbers_.ndim != 1 or not np.array_equal(np.sort(numbers_), np.arange(n)):
            raise InvalidParameterError(
                f"order must be a permutation of 0..{n - 1}; got {np.asarray(order).tolist()}"
            )
        order_array = numbers_.astype(np.int64)
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

    def is_superadditive(
        self, *, tol: float = 1e-9, max_evaluations: int = MAX_SAMPLED_EVALUATIONS
    ) -> bool:
        """Whether ``v(S ∪ T) >= v(S) + v(T)`` for all disjoint ``S, T``.

        Checks every disjoint pair, one vectorized pass over the ``2**n`` masks per ``S``:
        ``4**n`` mask tests, so it refuses before starting when that exceeds
        ``max_evaluations`` (default ``10**9``, about ``n <= 14``; raise it to wait longer).
        ``tol`` is relative to the game's magnitude ``max |v(S)|``.

        Examples
        --------
        >>> glove_game(1, 1).is_superadditive()
        True
        """
        table = self._require_table("is_superadditive")
        tol = _check_tol(tol) * float(np.abs(table).max())
        n = self.n_players
        limit = as_int(max_evaluations, "max_evaluations", low=1)
        if 4**n > limit:
            raise InvalidParameterError(
                f"is_superadditive tests 4**{n} = {4**n:.4g} coalition pairs; "
                f"max_evaluations = {limit:.4g} (pass a larger max_evaluations to wait longer)"
            )
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
        max_evaluations: int = MAX_SAMPLED_EVALUATIONS,
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
            Number of random permutations for sampling (at least 2).
        seed
            ``None`` or a non-negative integer: the seed of ``numpy.random.default_rng``
            (sampling only).
        max_evaluations
            Refuse sampling that would evaluate more than this many coalitions
            (``samples * n``) before starting; default `MAX_SAMPLED_EVALUATIONS`
            (``10**9``, minutes of work). Raise it to run longer.

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
            seed = _check_seed(seed)
            limit = as_int(max_evaluations, "max_evaluations", low=1)
            work = samples * self.n_players
            if work > limit:
                raise InvalidParameterError(
                    f"samples = {samples:.4g} permutations of {self.n_players} players need "
                    f"{work:.4g} coalition evaluations; max_evaluations = {limit:.4g} "
                    f"(pass a larger max_evaluations to run longer)"
                )
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
        if not isinstance(normalized, bool | np.bool_):
            raise InvalidParameterError(f"normalized must be True or False; got {normalized!r}")
        if normalized:
            method = "banzhaf-normalized"
            # "sums to zero" relative to the game's magnitude, so the unit does not matter
            if abs(beta.sum()) > 1e-12 * n * float(np.abs(table).max()):
                beta *= table[-1] / beta.sum()
        return Allocation(beta, self.players, method)

    def core(self, *, tol: float = 1e-9, algorithm: str = "auto") -> CoreResult:
        """The least core by linear programming (HiGHS): is the core empty, and by how much?

        Solves ``min epsilon`` subject to ``v(S) - x(S) <= epsilon`` for every proper
        non-empty ``S`` and ``x(N) = v(N)``. The core is non-empty iff ``epsilon <= 0``;
        ``nonempty`` uses ``epsilon <= tol * max |v(S)|``. For a single player the core is
        ``{v(N)}`` and ``epsilon`` is reported as 0.

        Parameters
        ----------
        tol
            Relative tolerance in ``[0, 1)``, in units of the game's magnitude
            ``max |v(S)|`` (so the answer does not depend on the unit of the values).
        algorithm
            ``"full"``: one LP with a row per coalition (``n <= MAX_LP_PLAYERS``);
            ``"generation"``: constraint generation over coalitions, the answer checked
            against every coalition of the table; ``"auto"``: ``"full"`` for
            ``n <= AUTO_FULL_LP_PLAYERS``, else ``"generation"``.

        Examples
        --------
        >>> result = weighted_majority_game(2, [1, 1, 1]).core()
        >>> round(result.epsilon, 9), result.nonempty
        (0.333333333, False)
        >>> glove_game(1, 2).core().nonempty
        True
        """
        table = self._require_table("the core")
        tol = _check_tol(tol)
        algorithm = self._choose_algorithm(algorithm, "the core")
        n = self.n_players
        magnitude = float(np.abs(table).max())
        scaled_tol = tol * magnitude
        if n == 1:
            allocation = Allocation(np.array([table[1]]), self.players, "least-core-lp")
            return CoreResult(0.0, allocation, True, scaled_tol, algorithm=algorithm)
        solution = _sequential_lp(
            table, n, imputations=False, tol=max(tol, 1e-12), algorithm=algorithm, stages=1
        )
        epsilon = float(solution.levels[0])
        allocation = Allocation(solution.x, self.players, "least-core-lp")
        return CoreResult(
            epsilon, allocation, bool(epsilon <= scaled_tol), scaled_tol, algorithm=algorithm
        )

    def nucleolus(self, *, tol: float = 1e-9, algorithm: str = "auto") -> NucleolusResult:
        """The nucleolus (over imputations) by a sequence of linear programs.

        Stage ``k`` minimizes the largest excess ``epsilon_k`` over the coalitions not yet
        fixed, holding earlier fixed coalitions at their levels; the coalitions with a
        positive dual value (excess equal to ``epsilon_k`` in *every* optimal solution, by
        complementary slackness) are fixed at ``epsilon_k``; coalitions whose excess is
        already determined by the fixed ones (their indicator vector lies in the span of
        the fixed ones and ``N``) are dropped. It stops when the fixed coalitions span
        ``R**n``, so the allocation is unique.

        The values are divided by a power of two near ``max |v(S)|`` before the LPs (an
        exact rescaling) and the answer multiplied back, so the game times any factor gives
        the same answer times that factor.

        Parameters
        ----------
        tol
            Relative tolerance in ``(0, 1)``: dual values above ``tol`` fix a coalition;
            a coalition violates a stage by more than ``tol * max |v(S)|`` to be added
            (``"generation"``); the final check allows that much too.
        algorithm
            ``"full"``: every stage's LP has a row per coalition (``2**n`` rows, refused
            for ``n > MAX_LP_PLAYERS``). ``"generation"``: constraint generation (Benedek,
            Fliege and Nguyen 2021): each stage's LP starts from the coalitions kept from
            earlier stages (first: the singletons and their complements) and adds the most
            violated coalitions of the whole table, scanned in ``O(2**n)``, until none is
            violated; works up to ``MAX_TABULATED_PLAYERS``. ``"auto"``: ``"full"`` for
            ``n <= AUTO_FULL_LP_PLAYERS``, else ``"generation"``. Either way the answer is
            verified on every coalition of the table: each coalition's excess is at most
            the level of the last stage in which it was free, and each fixed coalition's
            excess equals its level (the primal half of every stage's optimality
            certificate; HiGHS's duals are the other half). A failed check raises
            `SolverError`.

        Raises
        ------
        InvalidParameterError
            If the imputation set is empty (``sum v({i}) > v(N)``).
        SolverError
            If an LP fails or the answer fails the final check.

        Examples
        --------
        >>> bankruptcy_game(200, [100, 200, 300]).nucleolus().values
        array([50., 75., 75.])
        >>> game = glove_game(8, 10)  # 18 players, 2**18 coalitions
        >>> result = game.nucleolus()
        >>> result.algorithm, result.to_dict()["L1"], result.to_dict()["R1"]
        ('generation', 1.0, 0.0)
        """
        return self._nucleolus(imputations=True, tol=tol, algorithm=algorithm)

    def prenucleolus(self, *, tol: float = 1e-9, algorithm: str = "auto") -> NucleolusResult:
        """The prenucleolus: as `nucleolus` but over all efficient allocations.

        Its first level is the least-core epsilon.

        Examples
        --------
        >>> weighted_majority_game(2, [1, 1, 1]).prenucleolus().values
        array([0.333..., 0.333..., 0.333...])
        """
        return self._nucleolus(imputations=False, tol=tol, algorithm=algorithm)

    def _choose_algorithm(self, algorithm: Any, what: str) -> str:
        if algorithm not in ("auto", "full", "generation"):
            raise InvalidParameterError(
                f"algorithm must be 'auto', 'full' or 'generation'; got {algorithm!r}"
            )
        n = self.n_players
        if algorithm == "auto":
            return "full" if n <= AUTO_FULL_LP_PLAYERS else "generation"
        if algorithm == "full" and n > MAX_LP_PLAYERS:
            raise InvalidParameterError(
                f"{what} with algorithm='full' needs LPs with a row per coalition "
                f"(2**{n} = {2**n:,} rows, a dense matrix of "
                f"{8 * (n + 1) * 2**n / 2**20:,.0f} MiB); n must be <= {MAX_LP_PLAYERS}; "
                f"got {n} (use algorithm='generation')"
            )
        return str(algorithm)

    def _nucleolus(self, *, imputations: bool, tol: Any, algorithm: Any) -> NucleolusResult:
        table = self._require_table("the nucleolus")
        tol = _check_tol(tol, positive=True)
        algorithm = self._choose_algorithm(algorithm, "the nucleolus")
        n = self.n_players
        method = "nucleolus" if imputations else "prenucleolus"
        magnitude = float(np.abs(table).max())
        singletons = table[np.int64(1) << np.arange(n, dtype=np.int64)]
        if imputations and singletons.sum() > table[-1] + tol * magnitude:
            raise InvalidParameterError(
                f"the nucleolus needs a non-empty imputation set: sum of v({{i}}) = "
                f"{singletons.sum():.10g} must be <= v(N) = {table[-1]:.10g}"
            )
        if n == 1:
            allocation = Allocation(np.array([table[1]]), self.players, method)
            return NucleolusResult(allocation, np.empty(0), (), method, tol, 0, algorithm=algorithm)
        solution = _sequential_lp(
            table, n, imputations=imputations, tol=tol, algorithm=algorithm, stages=n
        )
        allocation = Allocation(solution.x, self.players, method)
        return NucleolusResult(
            allocation,
            solution.levels,
            solution.tight,
            method,
            tol,
            solution.n_programs,
            algorithm=algorithm,
            max_lp_rows=solution.max_rows,
        )


def _check_callable(function: Any, name: str) -> None:
    if not callable(function):
        raise InvalidParameterError(f"{name} must be callable; got {function!r}")


def _mask_values(function: MaskFunction, masks: NDArray[np.int64]) -> FloatArray:
    """Call a vectorized mask function and check what it returns."""
    _check_callable(function, "function")
    worth = function(masks)
    if isinstance(worth, np.ndarray) and worth.dtype.kind == "b":
        raise InvalidParameterError(
            "the mask function must return numbers, not booleans (use .astype(float))"
        )
    out = _real(worth, "the mask function's values")
    if out.shape != masks.shape:
        raise InvalidParameterError(
            f"the mask function must return one value per mask; got shape {out.shape} "
            f"for {masks.shape}"
        )
    return out


def _mask_of(coalition: Iterable[str] | str, index: Mapping[str, int]) -> int:
    if isinstance(coalition, str):
        members: tuple[Any, ...] = (coalition,)
    elif isinstance(coalition, Iterable):
        members = tuple(coalition)
    else:
        raise InvalidParameterError(
            f"a coalition must be a player's name or an iterable of names; got {coalition!r}"
        )
    mask = 0
    for member in members:
        if not isinstance(member, str) or member not in index:
            raise InvalidParameterError(
                f"coalition {members} names an unknown player {member!r}; players are {list(index)}"
            )
        mask |= 1 << index[member]
    return mask


# --------------------------------------------------------------------------------------
# the sequence of excess LPs, with or without constraint generation
# --------------------------------------------------------------------------------------

#: Residual norm below which a coalition's indicator counts as in the span of the fixed ones.
_SPAN_TOL = 1e-6
#: Lower bound on epsilon in the normalized LPs. With ``max |v| < 1``, ``e(S) + e(N \ S) =
#: v(S) + v(N \ S) - v(N) > -3`` at every x, and S and N \ S are free together, so every
#: stage's optimum exceeds -1.5: the bound never binds at a stage's solution, but it keeps
#: a restricted LP of constraint generation bounded.
_EPSILON_FLOOR = -2.0
#: HiGHS tolerances for the excess LPs (values are normalized to magnitude ~1).
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class _Sequence:
    x: FloatArray
    levels: FloatArray
    tight: tuple[tuple[int, ...], ...]
    n_programs: int
    max_rows: int


def _sequential_lp(
    table: FloatArray,
    n: int,
    *,
    imputations: bool,
    tol: float,
    algorithm: str,
    stages: int,
) -> _Sequence:
    """The sequence of excess LPs of the (pre)nucleolus; ``stages=1`` gives the least core.

    Works on the values divided by a power of two near ``max |v|`` (exact), so the LPs see
    numbers of magnitude ~1 whatever the unit; levels and allocation are scaled back.

    ``algorithm="full"``: every stage's LP has a row per free coalition. ``"generation"``:
    the LPs have rows only for a *pool* of coalitions (first the singletons and their
    complements). The whole sequence is run on the pool, which gives the nucleolus of the
    restricted problem, a central point; then every coalition of the table is checked
    against the stages (its excess at most the level of each stage in which it was free).
    The stages before the first violated one are certified (the final point is feasible for
    their full LPs at their optimal level, and their restricted duals are duals of the full
    LPs); the most violated coalitions of the first violated stage join the pool, with
    their complements (a pair ``S, N \\ S`` keeps a restricted LP bounded), and the
    sequence resumes from that stage.
    """
    magnitude = float(np.abs(table).max())
    scale = math.ldexp(1.0, math.frexp(magnitude)[1]) if magnitude > 0.0 else 1.0
    v = table / scale  # exact: a power of two
    size = 1 << n
    grand = size - 1
    lower = v[np.int64(1) << np.arange(n, dtype=np.int64)] if imputations else None
    generation = algorithm == "generation"
    singles = np.int64(1) << np.arange(n, dtype=np.int64)
    pool = np.zeros(size, dtype=bool)
    if generation:
        pool[singles] = pool[grand ^ singles] = True
        batch = max(4 * n, 32)
    else:
        pool[1:grand] = True
    free_through = np.zeros(size, dtype=np.uint8)  # last stage in which S was free
    # working memory: about 5 float64 tables (v, residual, buffer, scratch, the input) and
    # 3 bytes per coalition (pool, settled, free_through)
    residual = np.empty(size)
    buffer = np.empty(size)
    scratch = np.empty(size)
    levels: list[float] = []
    tight: list[tuple[int, ...]] = []
    n_programs = max_rows = 0
    prefix = 0  # stages certified on the whole table
    x = np.zeros(n)
    while True:
        # state after the certified prefix: fixed coalitions, the basis of their span
        del levels[prefix:], tight[prefix:]
        fixed_masks = [mask for group in tight for mask in group]
        fixed_levels = [level for level, group in zip(levels, tight, strict=True) for _ in group]
        basis = np.full((n, 1), 1.0 / math.sqrt(n))
        _popcounts_into(residual)  # squared distance of 1_S from span(1_N): |S| - |S|**2/n
        np.multiply(residual, -1.0 / n, out=buffer)
        buffer += 1.0
        residual *= buffer
        basis = _extend_basis(basis, fixed_masks, n, residual, buffer)
        settled = residual <= _SPAN_TOL**2
        stage = prefix
        while basis.shape[1] < n and stage < n:
            stage += 1
            working = np.flatnonzero(pool & ~settled)
            if working.size == 0:  # keep every stage's LP bounded: free singletons, pairs
                free_singles = singles[~settled[singles]]
                pool[free_singles] = pool[grand ^ free_singles] = True
                working = np.flatnonzero(pool & ~settled)
            x, epsilon, duals = _excess_lp(v, n, working, fixed_masks, fixed_levels, lower)
            n_programs += 1
            max_rows = max(max_rows, working.size + len(fixed_masks))
            free_through[~settled] = stage
            levels.append(epsilon)
            if stages == 1 and not generation:
                break
            binding = duals > tol
            if not binding.any():  # pragma: no cover - the duals of the free rows sum to one
                binding = duals >= duals.max()
            newly_fixed = [int(m) for m in working[binding]]
            tight.append(tuple(newly_fixed))
            fixed_masks.extend(newly_fixed)
            fixed_levels.extend([epsilon] * len(newly_fixed))
            basis = _extend_basis(basis, newly_fixed, n, residual, buffer)
            np.less_equal(residual, _SPAN_TOL**2, out=settled)
        if not generation:
            break
        # check every coalition of the table against the stages run on the pool
        checked = min(stages, len(levels))
        _subset_sums(x, out=buffer)
        excess = np.subtract(v, buffer, out=buffer)
        bound = np.concatenate([[np.inf], levels[:checked]])
        over = _lookup_into(bound, np.minimum(free_through, checked), scratch)
        np.subtract(excess, over, out=over)
        violated = np.flatnonzero(over > tol)
        if violated.size == 0:
            break
        first = np.full(violated.size, checked + 1)
        margin = excess[violated]
        for k in range(checked, 0, -1):  # the first stage whose level each one exceeds
            hit = (margin - tol > levels[k - 1]) & (free_through[violated] >= k)
            first[hit] = k
        restart = int(first.min())
        candidates = violated[first == restart]
        if candidates.size > batch:
            gaps = margin[first == restart] - levels[restart - 1]
            candidates = candidates[np.argpartition(gaps, -batch)[-batch:]]
        candidates = np.concatenate([candidates, grand ^ candidates])
        candidates = candidates[~pool[candidates]]
        if candidates.size == 0:  # violated rows already in the LP: its tolerance; _verify
            break
        pool[candidates] = True
        prefix = restart - 1
    del residual, scratch
    _verify(v, n, x, levels[:stages], tight[:stages], free_through, lower, tol, stages, buffer)
    return _Sequence(
        x=x * scale,
        levels=np.asarray(levels[:stages]) * scale,
        tight=tuple(tight[:stages]),
        n_programs=n_programs,
        max_rows=max_rows,
    )


def _extend_basis(
    basis: FloatArray,
    masks: Sequence[int],
    n: int,
    residual: FloatArray,
    buffer: FloatArray,
) -> FloatArray:
    """Add the coalitions ``masks`` to an orthonormal basis (columns), Gram-Schmidt twice.

    For each new direction ``u``, subtract ``(u . 1_S)**2`` from every coalition's squared
    distance to the span (``residual``): one subset-sum pass over the table per direction,
    ``O(n 2**n)`` for a whole sequence.
    """
    for mask in masks:
        vector = ((mask >> np.arange(n)) & 1).astype(np.float64)
        for _ in range(2):
            vector -= basis @ (basis.T @ vector)
        norm = float(np.linalg.norm(vector))
        if norm <= _SPAN_TOL:
            continue
        direction = vector / norm
        basis = np.hstack([basis, direction[:, None]])
        _subset_sums(direction, out=buffer)
        np.multiply(buffer, buffer, out=buffer)
        residual -= buffer
        if basis.shape[1] == n:
            break
    return basis


def _verify(
    v: FloatArray,
    n: int,
    x: FloatArray,
    levels: Sequence[float],
    tight: Sequence[Sequence[int]],
    free_through: NDArray[np.uint8],
    lower: FloatArray | None,
    tol: float,
    stages: int,
    buffer: FloatArray,
) -> None:
    """Check the answer on every coalition of the (normalized) table.

    Every coalition's excess must be at most the level of the last stage in which it was
    free, every fixed coalition's excess must equal its level, ``x`` must be efficient (and
    an imputation for the nucleolus): the primal half of each stage's optimality certificate,
    checked at the final allocation. Raises `SolverError` naming the worst violation.
    """
    allowance = 10 * tol + 1e-9
    excess = np.subtract(v, _subset_sums(x, out=buffer), out=buffer)
    bound = np.concatenate([[np.inf], np.asarray(levels)])
    over = np.take(bound, np.minimum(free_through, len(levels)))
    np.subtract(excess, over, out=over)
    worst = int(np.argmax(over))
    problems = []
    if over[worst] > allowance:
        problems.append(
            f"coalition {_members(worst, n)} has excess {excess[worst]:.6g}, above its "
            f"stage's level by {over[worst]:.3g}"
        )
    if stages > 1:
        for level, group in zip(levels, tight, strict=True):
            if group:
                gap = np.abs(excess[np.asarray(group)] - level)
                if gap.max() > allowance:
                    index = int(np.argmax(gap))
                    problems.append(
                        f"fixed coalition {_members(group[index], n)} is {gap[index]:.3g} "
                        f"off its level"
                    )
    if abs(excess[-1]) > allowance:
        problems.append(f"x(N) misses v(N) by {abs(excess[-1]):.3g}")
    if lower is not None and (lower - x).max() > allowance:
        problems.append(f"x falls below v({{i}}) by {(lower - x).max():.3g}")
    if problems:
        raise SolverError(
            "the LP sequence's answer failed its check on every coalition (in units of "
            "max |v|): " + "; ".join(problems)
        )


def _members(mask: int, n: int) -> tuple[int, ...]:
    return tuple(i for i in range(n) if mask >> i & 1)


def _excess_lp(
    v: FloatArray,
    n: int,
    free: NDArray[np.int64],
    fixed_masks: Sequence[int],
    fixed_levels: Sequence[float],
    lower: FloatArray | None,
) -> tuple[FloatArray, float, FloatArray]:
    """Minimize the largest excess over ``free`` coalitions (values normalized to ~1).

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
    b_free = -v[free]
    fixed = np.array(fixed_masks, dtype=np.int64)
    # v(S) - x(S) <= level   <=>   -x(S) <= level - v(S)
    a_fixed = np.hstack([-_incidence(fixed, n), np.zeros((fixed.size, 1))])
    b_fixed = np.asarray(fixed_levels, dtype=np.float64) - v[fixed]
    a_ub = np.vstack([a_free, a_fixed])
    b_ub = np.concatenate([b_free, b_fixed])
    a_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    b_eq = v[-1:]
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * n
    if lower is not None:
        bounds = [(float(low), None) for low in lower]
    bounds.append((_EPSILON_FLOOR, None))
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
        options=_HIGHS_OPTIONS,
    )
    if result.status != 0:
        raise SolverError(f"excess LP failed (HiGHS status {result.status}): {result.message}")
    duals = -np.asarray(result.ineqlin.marginals)[: free.size]
    return np.asarray(result.x[:n]), float(result.x[-1]), duals


# --------------------------------------------------------------------------------------
# textbook games
# --------------------------------------------------------------------------------------


def _check_player_count(n: int, what: str) -> None:
    """Refuse games whose coalitions cannot be int64 bitmasks, before building anything."""
    if n > MAX_PLAYERS:
        raise InvalidParameterError(
            f"{what} gives {_count(n)} players; at most {MAX_PLAYERS} are supported (coalitions "
            f"are int64 bitmasks; a table of all coalitions would need "
            + (_table_size_text(n) if n < 10_000 else f"2**{_count(n)} values")
            + ")"
        )


def _count(number: int) -> str:
    """An integer for a message: digits when short, else in floating notation."""
    if number < 10**9:
        return str(number)
    try:
        return f"{float(number):.4g}"
    except OverflowError:  # beyond floats (math.log10 takes any int)
        return f"about 1e{int(math.log10(number))}"


def _member_sums(weights: FloatArray, masks: NDArray[np.int64]) -> FloatArray:
    """``sum(weights[i] for i in S)`` for given masks (lazy games), O(n) passes."""
    sums = np.zeros(masks.shape)
    for bit, weight in enumerate(weights):
        sums += ((masks >> bit) & 1) * weight
    return sums


def glove_game(left: int, right: int) -> TUGame:
    """The glove game: ``left`` owners of a left glove, ``right`` of a right one.

    A coalition is worth the number of pairs it can form, ``min(#left, #right)``. Players
    are named ``L1.. , R1..``. Lazy (sampling-only Shapley) when ``left + right >
    MAX_TABULATED_PLAYERS``; refused beyond ``MAX_PLAYERS``.

    Examples
    --------
    >>> glove_game(1, 2).nucleolus().to_dict()
    {'L1': 1.0, 'R1': 0.0, 'R2': 0.0}
    >>> glove_game(15, 16).is_tabulated  # 2**31 coalitions: kept as a function
    False
    """
    n_left = as_int(left, "left", low=0)
    n_right = as_int(right, "right", low=0)
    if n_left + n_right < 1:
        raise InvalidParameterError("left + right must be at least 1; got 0")
    _check_player_count(
        n_left + n_right, f"glove_game(left={_count(n_left)}, right={_count(n_right)})"
    )
    players = [f"L{i + 1}" for i in range(n_left)] + [f"R{i + 1}" for i in range(n_right)]
    n = n_left + n_right
    if n <= MAX_TABULATED_PLAYERS:
        is_left = np.array([1.0] * n_left + [0.0] * n_right)
        lefts = _subset_sums(is_left)
        rights = _popcounts(n).astype(np.float64) - lefts
        return TUGame(np.minimum(lefts, rights), players)
    left_bits = np.int64((1 << n_left) - 1)

    def worth(masks: NDArray[np.int64]) -> FloatArray:
        lefts = _mask_popcount(masks & left_bits)
        rights = _mask_popcount(masks & ~left_bits)
        return np.minimum(lefts, rights).astype(np.float64)

    return TUGame.from_mask_function(worth, players)


def airport_game(costs: ArrayLike, players: Sequence[str] | None = None) -> TUGame:
    """The airport *cost* game ``c(S) = max_{i in S} costs[i]`` (Littlechild and Owen 1973).

    The Shapley value of this cost game is each player's fair share of the runway:
    with costs sorted ``c_(1) <= ... <= c_(n)``, player ``(i)`` pays
    ``sum_{k <= i} (c_(k) - c_(k-1)) / (n - k + 1)``. The core and nucleolus methods treat
    values as gains; use ``-airport_game(...)`` for them (and negate the answer). Lazy
    (sampling-only Shapley) beyond ``MAX_TABULATED_PLAYERS`` costs.

    Examples
    --------
    >>> airport_game([1.0, 3.0]).shapley().values
    array([0.5, 2.5])
    """
    cost = _real(costs, "costs", low=0.0)
    if cost.ndim != 1:
        raise InvalidParameterError(f"costs must be a 1-d array; got shape {cost.shape}")
    n = cost.shape[0]
    _check_player_count(n, "costs")
    names = _check_players(players, n)
    if n <= MAX_TABULATED_PLAYERS:
        table = np.zeros(1 << n)
        for bit in range(n):
            np.maximum(table[: 1 << bit], cost[bit], out=table[1 << bit : 2 << bit])
        return TUGame(table, names)

    def worth(masks: NDArray[np.int64]) -> FloatArray:
        out = np.zeros(masks.shape)
        for bit in range(n):
            np.maximum(out, ((masks >> bit) & 1) * cost[bit], out=out)
        return out

    return TUGame.from_mask_function(worth, names)


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
    weight = _real(weights, "weights", low=0.0)
    if weight.ndim != 1:
        raise InvalidParameterError(f"weights must be a 1-d array; got shape {weight.shape}")
    threshold = _real_scalar(quota, "quota", low=0.0, low_open=True)
    n = weight.shape[0]
    _check_player_count(n, "weights")
    names = _check_players(players, n)

    def worth(masks: NDArray[np.int64]) -> FloatArray:
        if masks.size == 1 << n and n <= MAX_TABULATED_PLAYERS:
            return (_subset_sums(weight) >= threshold).astype(np.float64)
        return (_member_sums(weight, masks) >= threshold).astype(np.float64)

    return TUGame.from_mask_function(worth, names)


def bankruptcy_game(
    estate: float, claims: ArrayLike, players: Sequence[str] | None = None
) -> TUGame:
    """The bankruptcy game of O'Neill (1982): ``v(S) = max(0, E - sum_{j not in S} d_j)``.

    What a coalition can secure is what the others' claims leave of the estate. The
    nucleolus of this game is the Talmud rule (Aumann and Maschler 1985) and its Shapley
    value is the random-arrival rule. Lazy (sampling-only Shapley) beyond
    ``MAX_TABULATED_PLAYERS`` claims.

    Examples
    --------
    >>> bankruptcy_game(100, [100, 200, 300]).nucleolus().values
    array([33.333..., 33.333..., 33.333...])
    """
    claim = _real(claims, "claims", low=0.0)
    if claim.ndim != 1:
        raise InvalidParameterError(f"claims must be a 1-d array; got shape {claim.shape}")
    n = claim.shape[0]
    _check_player_count(n, "claims")
    names = _check_players(players, n)
    total = float(claim.sum())
    worth = _real_scalar(estate, "estate", low=0.0, high=total)
    if n <= MAX_TABULATED_PLAYERS:
        table = np.maximum(0.0, worth - (total - _subset_sums(claim)))
        table[0] = 0.0
        return TUGame(table, names)

    def value(masks: NDArray[np.int64]) -> FloatArray:
        out = np.maximum(0.0, worth - (total - _member_sums(claim, masks)))
        out[masks == 0] = 0.0
        return out

    return TUGame.from_mask_function(value, names)
