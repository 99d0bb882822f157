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
(``dB(p) = 0``), and symmetrically. Differences with ``|d| <= tol`` count as zero.

No Python loop runs over games: everything is done on arrays of shape ``(N, 9)``.

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

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array
from ..errors import InvalidParameterError
from .._results import Result

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
    players are indifferent everywhere). This is the set nashpy's vertex enumeration
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
        Payoff differences with absolute value ``<= tol`` were treated as ties.
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
    array = as_array(value, name)
    if array.ndim == 2:
        array = array[np.newaxis]
    if array.ndim != 3 or array.shape[1:] != (2, 2):
        raise InvalidParameterError(
            f"{name} must have shape (N, 2, 2) or (2, 2); got an array of shape {array.shape}"
        )
    return array


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
        Absolute tolerance: payoff differences ``|d| <= tol`` count as ties, which makes
        the game degenerate. Use ``tol=0`` for exact ties only (integer payoffs).
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
        If the arrays are not finite, not of shape ``(N, 2, 2)``, or differ in shape.

    Notes
    -----
    Every equilibrium is exact in the sense that its best-response conditions were
    checked on the signs of payoff differences; the mixed probabilities ``p*`` and ``q*``
    are then computed in floating point. See the module docstring for the method.

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
    tol = float(as_array(tol, "tol", low=0.0))
    if len(players) != 2:
        raise InvalidParameterError(f"players must be two names; got {players!r}")

    # Payoff differences (see module docstring).
    a0 = A[:, 0, 0] - A[:, 1, 0]
    a1 = A[:, 0, 1] - A[:, 1, 1]
    b0 = B[:, 0, 0] - B[:, 0, 1]
    b1 = B[:, 1, 0] - B[:, 1, 1]
    n_games = A.shape[0]
    # Sign of dA at q index (0: q=1, 1: q=0, 2: q*) and of dB at p index; arrays are laid
    # out (grid, game) so that every operation below runs on contiguous rows.
    sign_a = np.zeros((3, n_games), dtype=np.int8)
    sign_b = np.zeros((3, n_games), dtype=np.int8)
    for target, first, second in ((sign_a, a0, a1), (sign_b, b0, b1)):
        for index, difference in enumerate((first, second)):
            target[index][difference > tol] = 1
            target[index][difference < -tol] = -1
    q_star_exists = sign_a[0] * sign_a[1] < 0
    p_star_exists = sign_b[0] * sign_b[1] < 0
    degenerate = (sign_a[0] == 0) | (sign_a[1] == 0) | (sign_b[0] == 0) | (sign_b[1] == 0)

    is_eq = np.empty((9, n_games), dtype=np.bool_)
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
        np.logical_and(row_ok, col_ok, out=is_eq[g])

    # Segments: two equilibria on the line p = const form a segment iff dB(p) = 0 there
    # (and symmetrically in q). Only degenerate games can have one.
    on_segment = np.zeros((9, n_games), dtype=np.bool_)
    if degenerate.any():
        deg = np.flatnonzero(degenerate)
        eq_d = is_eq[:, deg]
        seg = np.zeros_like(eq_d)
        for line in range(3):
            for grid_line, flat_sign in ((_GRID_P, sign_b), (_GRID_Q, sign_a)):
                members = np.flatnonzero(grid_line == line)
                several = eq_d[members].sum(axis=0) >= 2
                flat = (flat_sign[line, deg] == 0) & several
                seg[members] |= eq_d[members] & flat
        on_segment[:, deg] = seg
    continuum = np.asarray(on_segment.any(axis=0))

    # Probabilities at the interior indifference points.
    with np.errstate(divide="ignore", invalid="ignore"):
        p_star = np.where(p_star_exists, b1 / (b1 - b0), np.nan)
        q_star = np.where(q_star_exists, a1 / (a1 - a0), np.nan)
    level = (1.0, 0.0)

    # Compact the equilibria into K slots, keeping grid order (a loop over the 9 grid
    # points and K slots, never over games).
    K = MAX_EXTREME_EQUILIBRIA_2X2
    slot = np.cumsum(is_eq, axis=0, dtype=np.int8) - 1
    count = slot[-1].astype(np.int64) + 1
    p_out = np.full((K, n_games), np.nan)
    q_out = np.full((K, n_games), np.nan)
    isolated_out = np.zeros((K, n_games), dtype=np.bool_)
    for g in range(9):
        p_value = p_star if _GRID_P[g] == 2 else level[_GRID_P[g]]
        q_value = q_star if _GRID_Q[g] == 2 else level[_GRID_Q[g]]
        for k in range(min(g + 1, K)):
            here = is_eq[g] & (slot[g] == k)
            np.copyto(p_out[k], p_value, where=here)
            np.copyto(q_out[k], q_value, where=here)
            if degenerate.any():
                isolated_out[k] |= here & ~on_segment[g]
            else:
                isolated_out[k] |= here
    mask = np.arange(K)[:, np.newaxis] < count

    # Expected payoffs at each equilibrium, in closed form.
    pq, p1q, pq1, p1q1 = (
        p_out * q_out,
        p_out * (1 - q_out),
        (1 - p_out) * q_out,
        (1 - p_out) * (1 - q_out),
    )
    row_payoff = pq * A[:, 0, 0] + p1q * A[:, 0, 1] + pq1 * A[:, 1, 0] + p1q1 * A[:, 1, 1]
    col_payoff = pq * B[:, 0, 0] + p1q * B[:, 0, 1] + pq1 * B[:, 1, 0] + p1q1 * B[:, 1, 1]

    row_strategies = np.empty((n_games, K, 2))
    column_strategies = np.empty((n_games, K, 2))
    payoffs = np.empty((n_games, K, 2))
    row_strategies[:, :, 0] = p_out.T
    row_strategies[:, :, 1] = 1.0 - p_out.T
    column_strategies[:, :, 0] = q_out.T
    column_strategies[:, :, 1] = 1.0 - q_out.T
    payoffs[:, :, 0] = row_payoff.T
    payoffs[:, :, 1] = col_payoff.T
    return Batch2x2Result(
        row_strategies=row_strategies,
        column_strategies=column_strategies,
        payoffs=payoffs,
        mask=np.ascontiguousarray(mask.T),
        count=count,
        isolated=np.ascontiguousarray(isolated_out.T),
        degenerate=degenerate,
        continuum=continuum,
        tol=tol,
        players=(str(players[0]), str(players[1])),
    )
