"""All Nash equilibria of many 2x2 bimatrix games at once.

A 2x2 game is fixed by four payoff *differences*. Write ``p`` for the probability that the
row player (player 0, payoff matrix ``A``) plays its first row and ``q`` for the probability
that the column player (player 1, matrix ``B``) plays its first column. Then

* the row player's gain from row 0 over row 1 is ``dA(q) = a1 + (a0 - a1) q`` with
  ``a0 = A[0, 0] - A[1, 0]`` and ``a1 = A[0, 1] - A[1, 1]``;
* the column player's gain from column 0 over column 1 is ``dB(p) = b1 + (b0 - b1) p`` with
  ``b0 = B[0, 0] - B[0, 1]`` and ``b1 = B[1, 0] - B[1, 1]``.

The row player's indifference point ``q* = a1 / (a1 - a0)`` exists (in the open interval
``(0, 1)``) exactly when ``a0`` and ``a1`` have strictly opposite signs; likewise
``p* = b1 / (b1 - b0)`` when ``b0 b1 < 0``. Every extreme point of every component of the
equilibrium set lies on the grid ``p in {1, 0, p*}``, ``q in {1, 0, q*}`` (the best-response
graphs are unions of axis-parallel segments whose corners and crossings lie on it). At a grid
point the sign of ``dA`` is known exactly -- ``sign(a0)`` at ``q = 1``, ``sign(a1)`` at
``q = 0`` and zero at ``q*`` -- so the equilibrium test is done on signs, with no rounding:
``(p, q)`` is an equilibrium when ``p = 1`` needs ``dA >= 0``, ``p = 0`` needs ``dA <= 0``,
``p = p*`` needs ``dA = 0``, and symmetrically for the column player.

A game is *degenerate* when one of the four differences is zero (a pure strategy has two
pure best responses). Only then can equilibria form a continuum: the set of equilibria with
``p`` fixed at a grid value is a segment exactly when the column player is indifferent there
(``dB(p) = 0``), and symmetrically. Differences with ``|d| <= tol * max|payoff|`` (the
player's largest absolute payoff in that game) count as zero.

Which of the nine grid points are equilibria depends only on the signs of the four
differences, so the 81 sign patterns are tabulated once and each game only looks its
pattern up. No Python loop runs over games.

Examples
--------
>>> import numpy as np
>>> from pipeline_games.strategic import solve_2x2
>>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])  # matching pennies
>>> result = solve_2x2(A, -A)
>>> result.count
array([1])
>>> result.row_strategies[0, 0], result.column_strategies[0, 0]
(array([0.5, 0.5]), array([0.5, 0.5]))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._numba import numba
from .._results import Result
from ..errors import InvalidParameterError
from ._validate import as_payoffs, as_tolerance

__all__ = ["MAX_EXTREME_EQUILIBRIA_2X2", "Batch2x2Result", "solve_2x2"]

FloatArray = NDArray[np.float64]

#: Slots per game in [`Batch2x2Result`][pipeline_games.strategic.Batch2x2Result]: the largest number of extreme equilibria a
#: 2x2 game can have (four, reached when both players are indifferent everywhere, or
#: when one is indifferent everywhere and the other has an interior indifference point).
MAX_EXTREME_EQUILIBRIA_2X2 = 4

# Grid of candidate points, in output order: the four pure profiles first
# ((row 0, col 0), (row 0, col 1), (row 1, col 0), (row 1, col 1)), then the points that
# involve an indifference mixture. Index 0 means "strategy 0 for sure" (p = 1 or q = 1),
# 1 means "strategy 1 for sure" (p = 0 or q = 0) and 2 the interior mixture p* or q*.
_GRID_P = np.array([0, 0, 1, 1, 2, 2, 0, 1, 2])
_GRID_Q = np.array([0, 1, 0, 1, 0, 1, 2, 2, 2])


@dataclass(frozen=True, eq=False, repr=False)
class Batch2x2Result(Result):
    """Every Nash equilibrium of a batch of ``N`` 2x2 games, in padded arrays.

    Slot ``k`` of game ``n`` holds an equilibrium when ``mask[n, k]`` is true; slots are
    filled from 0 and the rest hold NaN. The equilibria listed are the *extreme*
    equilibria: the isolated equilibria plus, for a game whose equilibria form a
    continuum, the end points of every segment (or the corners of the square when both
    players are indifferent everywhere). This is the set vertex enumeration
    returns; for non-degenerate games it is also what support enumeration returns.

    Order within a game: pure profiles in the order (row 0, col 0), (row 0, col 1),
    (row 1, col 0), (row 1, col 1), then profiles that involve a mixture.

    Attributes
    ----------
    row_strategies
        ``(N, K, 2)``: the row player's (player 0, matrix ``A``) mixed strategy per slot.
    column_strategies
        ``(N, K, 2)``: the column player's (player 1, matrix ``B``) mixed strategy.
    payoffs
        ``(N, K, 2)``: expected payoffs ``(row, column)`` at each equilibrium.
    mask
        ``(N, K)`` bool: which slots hold an equilibrium.
    count
        ``(N,)``: number of extreme equilibria of each game (``1 <= count <= K``).
    isolated
        ``(N, K)`` bool: the equilibrium is isolated (not the end point of a segment).
    degenerate
        ``(N,)`` bool: a pure strategy has two pure best responses (a payoff tie).
    continuum
        ``(N,)`` bool: the game has infinitely many equilibria.
    method
        ``"2x2 best-response grid"``.
    tol
        Relative tie tolerance: a payoff difference of a player with absolute value at most
        ``tol`` times that player's largest absolute payoff in the game was a tie.
    players
        Names of the two players.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3.0, 0.0], [0.0, 2.0]])       # battle of the sexes
    >>> B = np.array([[2.0, 0.0], [0.0, 3.0]])
    >>> result = solve_2x2(A, B)
    >>> int(result.count[0]), result.row_strategies[0, 2]
    (3, array([0.6, 0.4]))
    """

    row_strategies: FloatArray
    column_strategies: FloatArray
    payoffs: FloatArray
    mask: NDArray[np.bool_]
    count: NDArray[np.int64]
    isolated: NDArray[np.bool_]
    degenerate: NDArray[np.bool_]
    continuum: NDArray[np.bool_]
    method: str = "2x2 best-response grid"
    tol: float = 0.0
    players: tuple[str, str] = ("row", "column")

    @property
    def shape(self) -> tuple[int, ...]:
        """``(N,)``: one entry per game."""
        return (self.size,)

    def _frame_columns(self) -> dict[str, object]:
        return {
            "count": self.count,
            "degenerate": self.degenerate,
            "continuum": self.continuum,
        }

    @property
    def size(self) -> int:
        """Number of games ``N``."""
        return int(self.count.shape[0])

    def equilibria(self, game: int) -> list[tuple[FloatArray, FloatArray]]:
        """The extreme equilibria of one game as a list of ``(row, column)`` strategies.

        Examples
        --------
        >>> import numpy as np
        >>> result = solve_2x2(np.eye(2), np.eye(2))
        >>> [(row.tolist(), column.tolist()) for row, column in result.equilibria(0)]
        [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]), ([0.5, 0.5], [0.5, 0.5])]
        """
        index = int(game)
        if not -self.size <= index < self.size:
            raise InvalidParameterError(
                f"game must be an index in [0, {self.size - 1}]; got {game!r}"
            )
        slots = np.flatnonzero(self.mask[index])
        return [
            (self.row_strategies[index, k].copy(), self.column_strategies[index, k].copy())
            for k in slots
        ]


def _as_games(value: ArrayLike, name: str) -> FloatArray:
    array, _ = as_payoffs(value, name)
    if array.ndim == 2:
        array = array[np.newaxis]
    if array.ndim != 3 or array.shape[1:] != (2, 2):
        raise InvalidParameterError(
            f"{name} must have shape (N, 2, 2) or (2, 2); got an array of shape {array.shape}"
        )
    return np.ascontiguousarray(array)


def _grid_tables() -> dict[str, NDArray]:
    """Everything about a game's equilibria that depends on the signs of its four payoff
    differences only, for all 81 sign patterns (see the module docstring).

    Pattern ``((sa0 + 1) * 3 + sa1 + 1) * 9 + (sb0 + 1) * 3 + sb1 + 1`` with ``s`` the sign of
    ``a0, a1, b0, b1``. Returned arrays are indexed by pattern: ``count``, ``mask`` and
    ``isolated`` per slot, ``degenerate``, ``continuum``, and the coefficients that turn the
    interior mixtures ``p*``, ``q*`` into each slot's strategies: ``p = alpha + beta p*``.
    """
    signs = np.array(list(np.ndindex(3, 3, 3, 3)), dtype=np.int8).T - 1  # (4, 81)
    sign_a = np.stack([signs[0], signs[1], np.zeros(81, np.int8)])
    sign_b = np.stack([signs[2], signs[3], np.zeros(81, np.int8)])
    q_star_exists = sign_a[0] * sign_a[1] < 0
    p_star_exists = sign_b[0] * sign_b[1] < 0
    degenerate = (signs == 0).any(axis=0)
    is_eq = np.empty((9, 81), dtype=np.bool_)
    for g in range(9):
        row_sign = sign_a[_GRID_Q[g]]
        col_sign = sign_b[_GRID_P[g]]
        if _GRID_P[g] == 0:
            row_ok = row_sign >= 0
        elif _GRID_P[g] == 1:
            row_ok = row_sign <= 0
        else:
            row_ok = (row_sign == 0) & p_star_exists
        if _GRID_Q[g] == 0:
            col_ok = col_sign >= 0
        elif _GRID_Q[g] == 1:
            col_ok = col_sign <= 0
        else:
            col_ok = (col_sign == 0) & q_star_exists
        is_eq[g] = row_ok & col_ok
    # Two equilibria on the line p = const form a segment iff dB(p) = 0 there (and
    # symmetrically in q).
    on_segment = np.zeros((9, 81), dtype=np.bool_)
    for line in range(3):
        for grid_line, flat_sign in ((_GRID_P, sign_b), (_GRID_Q, sign_a)):
            members = np.flatnonzero(grid_line == line)
            several = is_eq[members].sum(axis=0) >= 2
            flat = (flat_sign[line] == 0) & several
            on_segment[members] |= is_eq[members] & flat
    K = MAX_EXTREME_EQUILIBRIA_2X2
    count = is_eq.sum(axis=0)
    mask = np.zeros((81, K), dtype=np.bool_)
    isolated = np.zeros((81, K), dtype=np.bool_)
    # alpha/beta for (row p, 1 - p) and (column q, 1 - q), per slot.
    row_alpha = np.full((81, K, 2), np.nan)
    row_beta = np.zeros((81, K, 2))
    col_alpha = np.full((81, K, 2), np.nan)
    col_beta = np.zeros((81, K, 2))
    level = {0: 1.0, 1: 0.0}
    for pattern in range(81):
        slots = np.flatnonzero(is_eq[:, pattern])
        for k, slot in enumerate(slots):
            mask[pattern, k] = True
            isolated[pattern, k] = not on_segment[slot, pattern]
            for alpha, beta, index in (
                (row_alpha, row_beta, _GRID_P[slot]),
                (col_alpha, col_beta, _GRID_Q[slot]),
            ):
                if index == 2:
                    alpha[pattern, k] = (0.0, 1.0)
                    beta[pattern, k] = (1.0, -1.0)
                else:
                    alpha[pattern, k] = (level[index], 1.0 - level[index])
    return {
        "count": count.astype(np.int64),
        "mask": mask,
        "isolated": isolated,
        "degenerate": degenerate,
        "continuum": on_segment.any(axis=0),
        "row_alpha": row_alpha,
        "row_beta": row_beta,
        "col_alpha": col_alpha,
        "col_beta": col_beta,
    }


_TABLES = _grid_tables()
#: Games per block: the block's temporaries stay in a core's L2 cache.
_BLOCK = 8192

#: Smallest batch (in games) solved by the compiled kernel when numba (the optional
#: ``fast`` extra) is installed; smaller batches, and every batch with
#: ``PIPELINE_GAMES_NUMBA=0`` in the environment, run the numpy kernel, which stays the
#: reference the tests compare the compiled one against. The first compiled call of a
#: process compiles the kernel (about half a second).
MIN_COMPILED_GAMES = 1 << 16


_KERNEL: list[Any] = []


def _packed_tables(tables: dict[str, NDArray]) -> tuple[NDArray, ...]:
    """The tables as the compiled kernel reads them: per pattern, 8 coefficients per slot
    (row ``alpha, beta`` for ``p`` and ``1 - p``, then the column's), and the slots' mask
    then isolated flags, flat."""
    K = MAX_EXTREME_EQUILIBRIA_2X2
    coefficients = np.empty((81, K, 4, 2))
    for side, name in enumerate(("row", "col")):
        for strategy in range(2):
            coefficients[:, :, 2 * side + strategy, 0] = tables[f"{name}_alpha"][:, :, strategy]
            coefficients[:, :, 2 * side + strategy, 1] = tables[f"{name}_beta"][:, :, strategy]
    flags = np.concatenate([tables["mask"], tables["isolated"]], axis=1)
    return (
        coefficients.reshape(-1),
        flags.reshape(-1),
        tables["count"],
        tables["degenerate"],
        tables["continuum"],
    )


_PACKED = _packed_tables(_TABLES)


def _fused_kernel(  # pragma: no cover - compiled
    a, b, tol, coefficients, flags, t_count, t_degenerate, t_continuum,
    row_out, col_out, pay_out, mask, count, isolated, degenerate, continuum,
):  # fmt: skip
    """One pass over the games (all arrays flat): the operations of `_solve_block`, in the
    same order (so that the results are bit for bit the same), each output written once."""
    for n in range(count.shape[0]):
        i4 = 4 * n
        a00, a01, a10, a11 = a[i4], a[i4 + 1], a[i4 + 2], a[i4 + 3]
        b00, b01, b10, b11 = b[i4], b[i4 + 1], b[i4 + 2], b[i4 + 3]
        tie_a = max(max(max(abs(a00), abs(a01)), abs(a10)), abs(a11)) * tol
        tie_b = max(max(max(abs(b00), abs(b01)), abs(b10)), abs(b11)) * tol
        a0 = a00 - a10
        a1 = a01 - a11
        b0 = b00 - b01
        b1 = b10 - b11
        # sign + 1 of each difference, as (d > t) + (d >= -t); pattern in base 3.
        code = np.intp(a0 > tie_a) + np.intp(a0 >= -tie_a)
        code = code * 3 + np.intp(a1 > tie_a) + np.intp(a1 >= -tie_a)
        code = code * 3 + np.intp(b0 > tie_b) + np.intp(b0 >= -tie_b)
        code = code * 3 + np.intp(b1 > tie_b) + np.intp(b1 >= -tie_b)
        denominator = b1 - b0
        denominator = 1.0 if denominator == 0.0 else denominator
        p_star = min(max(b1 / denominator, 0.0), 1.0)
        denominator = a1 - a0
        denominator = 1.0 if denominator == 0.0 else denominator
        q_star = min(max(a1 / denominator, 0.0), 1.0)
        xa = a00 - a01
        xb = a10 - a11
        ya = b00 - b01
        yb = b10 - b11
        c = code * 32
        o = 8 * n
        for k in range(4):
            cc = c + 8 * k
            p = coefficients[cc + 1] * p_star + coefficients[cc]
            q = coefficients[cc + 5] * q_star + coefficients[cc + 4]
            row_out[o + 2 * k] = p
            row_out[o + 2 * k + 1] = coefficients[cc + 3] * p_star + coefficients[cc + 2]
            col_out[o + 2 * k] = q
            col_out[o + 2 * k + 1] = coefficients[cc + 7] * q_star + coefficients[cc + 6]
            # u(p, q) = r1 + p (r0 - r1), r0 = x01 + q (x00 - x01), r1 = x11 + q (x10 - x11).
            r0 = q * xa + a01
            r1 = q * xb + a11
            pay_out[o + 2 * k] = (r0 - r1) * p + r1
            r0 = q * ya + b01
            r1 = q * yb + b11
            pay_out[o + 2 * k + 1] = (r0 - r1) * p + r1
            mask[i4 + k] = flags[code * 8 + k]
            isolated[i4 + k] = flags[code * 8 + 4 + k]
        count[n] = t_count[code]
        degenerate[n] = t_degenerate[code]
        continuum[n] = t_continuum[code]


def _compiled_kernel() -> Any:
    if not _KERNEL:
        assert numba is not None
        _KERNEL.append(numba.njit(nogil=True, error_model="numpy")(_fused_kernel))
    return _KERNEL[0]


def solve_2x2(
    A: ArrayLike,
    B: ArrayLike,
    *,
    tol: float = 1e-12,
    players: tuple[str, str] = ("row", "column"),
) -> Batch2x2Result:
    """Find all Nash equilibria (pure and mixed) of every game in a batch of 2x2 games.

    Parameters
    ----------
    A, B
        Payoff matrices of the row player (player 0) and the column player (player 1),
        each of shape ``(N, 2, 2)`` (or ``(2, 2)`` for one game). ``A[n, i, j]`` is the row
        player's payoff in game ``n`` when row ``i`` meets column ``j``.
    tol
        Relative tolerance: a payoff difference of a player counts as a tie (which makes
        the game degenerate) when its absolute value is at most ``tol`` times the largest
        absolute payoff of that player in that game. The answer is therefore the same for
        a game and the same game in other units. ``tol=0`` counts exact ties only; at most
        1.
    players
        Names of the two players, kept in the result.

    Returns
    -------
    Batch2x2Result
        Padded arrays of the extreme equilibria, a count and mask per game, and the
        per-game ``degenerate`` and ``continuum`` flags.

    Raises
    ------
    InvalidParameterError
        If the arrays are not finite real numbers, not of shape ``(N, 2, 2)``, or differ in
        shape.

    Notes
    -----
    Which grid points are equilibria, which lie on segments and how many there are
    depends only on the signs of the four payoff differences: 81 patterns, tabulated once
    (see the module docstring for the method). Each game's sign pattern indexes those
    tables; only the interior mixtures ``p*``, ``q*`` and the payoffs are computed in
    floating point. The work runs in blocks of 8,192 games so that the temporaries stay in
    cache; no Python loop runs over games.

    Examples
    --------
    A game with a continuum of equilibria: the column player is indifferent everywhere,
    the row player wants to match column 0.

    >>> import numpy as np
    >>> A = np.array([[1.0, 0.0], [0.0, 0.0]])
    >>> B = np.zeros((2, 2))
    >>> result = solve_2x2(A, B)
    >>> bool(result.continuum[0]), int(result.count[0])
    (True, 3)
    >>> result.row_strategies[0, :3].tolist(), result.column_strategies[0, :3].tolist()
    ([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    """
    A = _as_games(A, "A")
    B = _as_games(B, "B")
    if A.shape != B.shape:
        raise InvalidParameterError(
            f"A and B must have the same shape; got A of shape {A.shape} and B of shape {B.shape}"
        )
    tol = as_tolerance(tol, "tol", low=0.0, high=1.0)
    if isinstance(players, str) or not isinstance(players, Sequence) or len(players) != 2:
        raise InvalidParameterError(f"players must be two names; got {players!r}")
    n_games = A.shape[0]
    K = MAX_EXTREME_EQUILIBRIA_2X2
    row_strategies = np.empty((n_games, K, 2))
    column_strategies = np.empty((n_games, K, 2))
    payoffs = np.empty((n_games, K, 2))
    flat_a = A.reshape(n_games, 4)
    flat_b = B.reshape(n_games, 4)
    tables = _TABLES
    names = (str(players[0]), str(players[1]))
    if numba is not None and n_games >= MIN_COMPILED_GAMES:
        mask = np.empty((n_games, K), dtype=np.bool_)
        count = np.empty(n_games, dtype=np.int64)
        isolated = np.empty((n_games, K), dtype=np.bool_)
        degenerate = np.empty(n_games, dtype=np.bool_)
        continuum = np.empty(n_games, dtype=np.bool_)
        _compiled_kernel()(
            flat_a.reshape(-1),
            flat_b.reshape(-1),
            tol,
            *_PACKED,
            row_strategies.reshape(-1),
            column_strategies.reshape(-1),
            payoffs.reshape(-1),
            mask.reshape(-1),
            count,
            isolated.reshape(-1),
            degenerate,
            continuum,
        )
        return Batch2x2Result(
            row_strategies=row_strategies,
            column_strategies=column_strategies,
            payoffs=payoffs,
            mask=mask,
            count=count,
            isolated=isolated,
            degenerate=degenerate,
            continuum=continuum,
            tol=tol,
            players=names,
        )
    pattern = np.empty(n_games, dtype=np.intp)
    for start in range(0, n_games, _BLOCK):
        stop = min(n_games, start + _BLOCK)
        _solve_block(
            flat_a[start:stop],
            flat_b[start:stop],
            tol,
            tables,
            pattern[start:stop],
            row_strategies[start:stop],
            column_strategies[start:stop],
            payoffs[start:stop],
        )
    return Batch2x2Result(
        row_strategies=row_strategies,
        column_strategies=column_strategies,
        payoffs=payoffs,
        mask=np.take(tables["mask"], pattern, axis=0),
        count=np.take(tables["count"], pattern),
        isolated=np.take(tables["isolated"], pattern, axis=0),
        degenerate=np.take(tables["degenerate"], pattern),
        continuum=np.take(tables["continuum"], pattern),
        tol=tol,
        players=names,
    )


def _solve_block(
    a: FloatArray,
    b: FloatArray,
    tol: float,
    tables: dict[str, NDArray],
    pattern: NDArray[np.intp],
    row_out: FloatArray,
    col_out: FloatArray,
    pay_out: FloatArray,
) -> None:
    """One block of games (``a``, ``b`` of shape ``(k, 4)``: entries 00, 01, 10, 11)."""
    a00, a01, a10, a11 = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
    b00, b01, b10, b11 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    magnitude = np.abs(a)  # (k, 4); the largest per game by elementwise maxima (faster
    tie_a = np.maximum(magnitude[:, 0], magnitude[:, 1])  # than a reduction over 4 entries)
    np.maximum(tie_a, magnitude[:, 2], out=tie_a)
    np.maximum(tie_a, magnitude[:, 3], out=tie_a)
    tie_a *= tol
    np.abs(b, out=magnitude)
    tie_b = np.maximum(magnitude[:, 0], magnitude[:, 1])
    np.maximum(tie_b, magnitude[:, 2], out=tie_b)
    np.maximum(tie_b, magnitude[:, 3], out=tie_b)
    tie_b *= tol
    a0 = a00 - a10
    a1 = a01 - a11
    b0 = b00 - b01
    b1 = b10 - b11
    # sign + 1 of each difference, as (d > t) + (d >= -t); pattern in base 3.
    code = np.zeros(len(a0), dtype=np.intp)
    neg_a = -tie_a
    neg_b = -tie_b
    for difference, tie, negative in (
        (a0, tie_a, neg_a),
        (a1, tie_a, neg_a),
        (b0, tie_b, neg_b),
        (b1, tie_b, neg_b),
    ):
        code *= 3
        code += difference > tie
        code += difference >= negative
    pattern[:] = code
    # Interior mixtures, clipped so that unused ones stay finite (their weight is 0).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denominator = b1 - b0
        denominator[denominator == 0] = 1.0
        p_star = np.clip(b1 / denominator, 0.0, 1.0)
        denominator = a1 - a0
        denominator[denominator == 0] = 1.0
        q_star = np.clip(a1 / denominator, 0.0, 1.0)
    np.multiply(np.take(tables["row_beta"], code, axis=0), p_star[:, None, None], out=row_out)
    row_out += np.take(tables["row_alpha"], code, axis=0)
    np.multiply(np.take(tables["col_beta"], code, axis=0), q_star[:, None, None], out=col_out)
    col_out += np.take(tables["col_alpha"], code, axis=0)
    p = row_out[:, :, 0]
    q = col_out[:, :, 0]
    # u(p, q) = r1 + p (r0 - r1), r0 = x01 + q (x00 - x01), r1 = x11 + q (x10 - x11).
    for player, (x00, x01, x10, x11) in enumerate(((a00, a01, a10, a11), (b00, b01, b10, b11))):
        r0 = q * (x00 - x01)[:, None]
        r0 += x01[:, None]
        r1 = q * (x10 - x11)[:, None]
        r1 += x11[:, None]
        r0 -= r1
        r0 *= p
        r0 += r1
        pay_out[:, :, player] = r0
