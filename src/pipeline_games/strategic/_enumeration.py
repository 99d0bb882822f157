"""Equilibrium computation for bimatrix games: vertex enumeration, support enumeration,
Lemke-Howson, and exact recomputation in rational arithmetic.

Every method works on the *normalized* game: each player's payoffs are mapped affinely onto
``[1, 2]`` (``(M - min M) / (max M - min M) + 1``). Nash equilibria do not change under a
positive affine map of one player's payoffs, so the answer is the same for a game and the
same game in other units, and the tolerances below are relative to each player's own payoff
range.

Best-response polytopes (von Stengel 2007, section 3.2), with ``A'``, ``B'`` normalized::

    P = {x in R^m : x >= 0, B'^T x <= 1}      labels: i if x_i = 0,  m + j if (B'^T x)_j = 1
    Q = {y in R^n : A' y <= 1, y >= 0}        labels: i if (A' y)_i = 1,  m + j if y_j = 0

A pair of vertices ``(x, y) != (0, 0)`` that together carry every label ``0 .. m + n - 1``
is, rescaled to probabilities, an extreme Nash equilibrium, and every extreme equilibrium
arises so. The game is non-degenerate exactly when no vertex carries more labels than the
dimension (``P`` and ``Q`` are simple polytopes).

Vertices are enumerated by a breadth-first search over the feasible bases of the standard
form ``[C | I] (x, s) = 1``: from each basis every non-basic variable is tried as entering
variable, the ratio test gives the leaving variables (all tied rows, so that degenerate
vertices are left by every basis), and each basis's tableau is recomputed from scratch by a
linear solve, so round-off does not accumulate along the search. The feasible bases of a
polytope are connected by such pivots, so the search reaches every vertex.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError, SolverError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Default ceiling on the number of support pairs support enumeration may try.
MAX_SUPPORT_PAIRS = 1_000_000
#: Default ceiling on the upper-bound-theorem vertex count of a best-response polytope.
MAX_VERTICES = 1_000_000
#: Default ceiling on Lemke-Howson pivots.
MAX_PIVOTS = 10_000
#: Floor of the label tolerance in normalized units (payoffs in [1, 2]).
_FLOOR = 1e-11


def normalize(matrix: FloatArray) -> tuple[FloatArray, float, float]:
    """``matrix`` mapped affinely onto ``[1, 2]``, with its minimum and range."""
    low = float(matrix.min())
    span = float(matrix.max()) - low
    if not math.isfinite(span):
        raise InvalidParameterError(
            "payoffs must span less than the float range (max - min overflows); "
            f"got min {low:g} and max {float(matrix.max()):g}"
        )
    if span == 0.0:
        return np.ones_like(matrix), low, 0.0
    return (matrix - low) / span + 1.0, low, span


def support_pair_count(m: int, n: int) -> int:
    """Number of equal-size support pairs of an ``m x n`` game: ``C(m + n, m)``."""
    return math.comb(m + n, m)


def vertex_bound(dimension: int, facets: int) -> int:
    """McMullen's upper bound on the vertices of a ``dimension``-polytope with ``facets``."""
    d, f = dimension, facets
    return math.comb(f - (d + 1) // 2, f - d) + math.comb(f - (d + 2) // 2, f - d)


# -- vertex enumeration ------------------------------------------------------------------
def polytope_vertices(
    C: FloatArray, eps: float, max_bases: int
) -> tuple[FloatArray, BoolArray, bool]:
    """Vertices of ``{x >= 0, C x <= 1}`` (``C > 0`` of shape ``(k, d)``) and their labels.

    Returns
    -------
    vertices, labels, degenerate
        ``vertices`` ``(V, d)`` (the origin included, first); ``labels`` ``(V, d + k)``:
        ``x_i = 0`` for the first ``d`` columns and ``(C x)_j = 1`` for the next ``k``;
        ``degenerate`` when some vertex has more than ``d`` labels.
    """
    k, d = C.shape
    full = np.hstack([C, np.eye(k)])
    ones = np.ones(k)
    start = tuple(range(d, d + k))
    seen = {_key(start)}
    queue: deque[tuple[int, ...]] = deque([start])
    vertices: dict[bytes, FloatArray] = {}
    label_rows: dict[bytes, BoolArray] = {}
    variables = np.arange(d + k)
    while queue:
        basis = queue.popleft()
        basis_matrix = full[:, basis]
        try:
            inverse = np.linalg.inv(basis_matrix)
        except np.linalg.LinAlgError:  # pragma: no cover - pivots keep bases regular
            continue
        values = inverse @ ones
        values[values < 0] = 0.0
        point = np.zeros(d + k)
        point[list(basis)] = values
        labels = point <= eps
        key = np.packbits(labels).tobytes()
        if key not in vertices:
            vertices[key] = point[:d].copy()
            label_rows[key] = labels
        nonbasic = np.setdiff1d(variables, basis, assume_unique=True)
        columns = inverse @ full[:, nonbasic]  # (k, nb)
        positive = columns > eps
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(positive, values[:, None] / np.where(positive, columns, 1.0), np.inf)
        best = ratios.min(axis=0)
        ties = positive & (ratios <= best + eps * (1.0 + best))
        rows, cols = np.nonzero(ties)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            new = list(basis)
            new[row] = int(nonbasic[col])
            new_basis = tuple(sorted(new))
            key_basis = _key(new_basis)
            if key_basis in seen:
                continue
            seen.add(key_basis)
            if len(seen) > max_bases:
                raise SolverError(
                    f"vertex enumeration visited more than {max_bases:,} bases of a "
                    f"best-response polytope (a highly degenerate game); raise "
                    f"max_vertices= or use method='lemke_howson' for one equilibrium"
                )
            queue.append(new_basis)
    keys = list(vertices)
    points = np.array([vertices[key] for key in keys]).reshape(-1, d)
    labels_array = np.array([label_rows[key] for key in keys]).reshape(-1, d + k)
    degenerate = bool((labels_array.sum(axis=1) > d).any())
    return points, labels_array, degenerate


def _key(basis: tuple[int, ...]) -> int:
    value = 0
    for index in basis:
        value |= 1 << index
    return value


def vertex_enumeration(
    A: FloatArray, B: FloatArray, tol: tuple[float, float], max_vertices: int
) -> tuple[list[tuple[FloatArray, FloatArray]], bool]:
    """All extreme equilibria by enumerating the vertices of both best-response polytopes.

    ``tol`` is the pair of payoff tolerances (row player, column player) in payoff units.
    Returns the equilibria and whether the game is degenerate.
    """
    m, n = A.shape
    bound = max(vertex_bound(m, m + n), vertex_bound(n, m + n))
    if bound > max_vertices:
        raise InvalidParameterError(
            f"vertex enumeration of a {m}x{n} game may visit up to {bound:,} vertices per "
            f"best-response polytope (upper bound theorem), above max_vertices={max_vertices:,}; "
            "raise max_vertices= to run it anyway, or use method='lemke_howson' "
            "(one equilibrium, fast)"
        )
    a_norm, _, a_span = normalize(A)
    b_norm, _, b_span = normalize(B)
    eps_a = max(tol[0] / a_span, _FLOOR) if a_span else 0.5
    eps_b = max(tol[1] / b_span, _FLOOR) if b_span else 0.5
    limit = 20 * max_vertices
    # P: x in R^m, constraints B'^T x <= 1 (n rows); Q: y in R^n, A' y <= 1 (m rows).
    xs, x_labels, degenerate_p = polytope_vertices(b_norm.T, eps_b / 4, limit)
    ys, y_labels, degenerate_q = polytope_vertices(a_norm, eps_a / 4, limit)
    # Global labels 0..m-1 (row strategies), m..m+n-1 (column strategies).
    px = x_labels  # [x_i = 0 (m), (B'^T x)_j = 1 (n)] already in global order
    qy = np.hstack([y_labels[:, n:], y_labels[:, :n]])  # [(A'y)_i = 1 (m), y_j = 0 (n)]
    keep_x = xs.sum(axis=1) > 0
    keep_y = ys.sum(axis=1) > 0
    xs, px = xs[keep_x], px[keep_x]
    ys, qy = ys[keep_y], qy[keep_y]
    found: list[tuple[FloatArray, FloatArray]] = []
    missing_x = (~px).astype(np.float32)
    missing_y = (~qy).astype(np.float32)
    block = 4096
    for start in range(0, len(xs), block):
        both_missing = missing_x[start : start + block] @ missing_y.T
        for i, j in zip(*np.nonzero(both_missing == 0), strict=True):
            x = xs[start + i]
            y = ys[j]
            found.append((x / x.sum(), y / y.sum()))
    return found, degenerate_p or degenerate_q


# -- support enumeration -----------------------------------------------------------------
def support_enumeration(
    A: FloatArray, B: FloatArray, tol: tuple[float, float], max_support_pairs: int
) -> list[tuple[FloatArray, FloatArray]]:
    """Equilibria with supports of equal size, every support pair solved in batches.

    For each size ``k`` and each pair of supports ``(I, J)`` the indifference systems are
    solved with batched ``numpy.linalg.solve``: ``y`` on ``J`` equalises the row player's
    payoffs over ``I`` and ``x`` on ``I`` the column player's over ``J``. A pair is kept when
    both are non-negative and no strategy outside a support earns more (to ``tol``). Pairs
    whose ``y`` fails are dropped before ``x`` is solved.
    """
    m, n = A.shape
    count = support_pair_count(m, n)
    if count > max_support_pairs:
        raise InvalidParameterError(
            f"support enumeration of a {m}x{n} game has {count:,} support pairs, above "
            f"max_support_pairs={max_support_pairs:,}; use method='vertex_enumeration' "
            "(faster on large games) or raise max_support_pairs="
        )
    a_norm, _, a_span = normalize(A)
    b_norm, _, b_span = normalize(B)
    eps_a = max(tol[0] / a_span, _FLOOR) if a_span else 0.5
    eps_b = max(tol[1] / b_span, _FLOOR) if b_span else 0.5
    found: list[tuple[FloatArray, FloatArray]] = []
    chunk = 200_000
    for k in range(1, min(m, n) + 1):
        rows = np.array(list(itertools.combinations(range(m), k)), dtype=np.intp)
        cols = np.array(list(itertools.combinations(range(n), k)), dtype=np.intp)
        total = len(rows) * len(cols)
        for start in range(0, total, chunk):
            pair = np.arange(start, min(total, start + chunk))
            r_index = rows[pair // len(cols)]
            c_index = cols[pair % len(cols)]
            y, y_ok = _indifference(a_norm, r_index, c_index, eps_a)
            if not y_ok.any():
                continue
            r_index, c_index, y = r_index[y_ok], c_index[y_ok], y[y_ok]
            # Rows outside I must not earn more than the common value.
            values = np.einsum("mpk,pk->pm", a_norm[:, c_index], y)
            best_inside = np.take_along_axis(values, r_index, axis=1).max(axis=1)
            ok = values.max(axis=1) <= best_inside + eps_a
            if not ok.any():
                continue
            r_index, c_index, y = r_index[ok], c_index[ok], y[ok]
            x, x_ok = _indifference(b_norm.T, c_index, r_index, eps_b)
            if not x_ok.any():
                continue
            r_index, c_index, y, x = r_index[x_ok], c_index[x_ok], y[x_ok], x[x_ok]
            col_values = np.einsum("pkn,pk->pn", b_norm[r_index], x)
            best_col = np.take_along_axis(col_values, c_index, axis=1).max(axis=1)
            ok = col_values.max(axis=1) <= best_col + eps_b
            for i in np.flatnonzero(ok):
                full_x = np.zeros(m)
                full_y = np.zeros(n)
                full_x[r_index[i]] = x[i]
                full_y[c_index[i]] = y[i]
                found.append((full_x, full_y))
    return found


def _indifference(
    M: FloatArray, own: NDArray[np.intp], other: NDArray[np.intp], eps: float
) -> tuple[FloatArray, BoolArray]:
    """For each pair, the mixture ``p`` on ``other`` equalising rows ``own`` of ``M``.

    ``own`` and ``other`` are ``(P, k)`` index arrays; returns ``p`` ``(P, k)`` and a mask of
    the pairs where the system is regular and ``p >= -eps``.
    """
    count, k = own.shape
    system = np.zeros((count, k + 1, k + 1))
    system[:, :k, :k] = M[own[:, :, None], other[:, None, :]]
    system[:, :k, k] = -1.0
    system[:, k, :k] = 1.0
    rhs = np.zeros((count, k + 1, 1))
    rhs[:, k, 0] = 1.0
    determinant = np.abs(np.linalg.det(system))
    regular = determinant > 1e-12
    solution = np.full((count, k + 1), np.nan)
    if regular.any():
        try:
            solution[regular] = np.linalg.solve(system[regular], rhs[regular])[..., 0]
        except np.linalg.LinAlgError:  # pragma: no cover - a near-singular straggler
            for i in np.flatnonzero(regular):
                try:
                    solution[i] = np.linalg.solve(system[i], rhs[i])[:, 0]
                except np.linalg.LinAlgError:
                    continue
    p = solution[:, :k]
    ok = np.all(np.isfinite(p), axis=1) & np.all(p >= -eps, axis=1)
    p = np.clip(np.nan_to_num(p), 0.0, None)
    return p, ok


# -- Lemke-Howson ------------------------------------------------------------------------
def lemke_howson(
    A: FloatArray, B: FloatArray, dropped: int, max_pivots: int
) -> tuple[FloatArray, FloatArray]:
    """One equilibrium by the Lemke-Howson algorithm, with a lexicographic ratio test.

    Complementary pivoting on the two tableaux ``[I | A' | 1]`` (rows: row strategies;
    columns: slacks ``r``, then ``y``) and ``[B'^T | I | 1]`` (rows: column strategies;
    columns: ``x``, then slacks ``s``), starting from the artificial equilibrium ``(0, 0)``
    with label ``dropped`` dropped. The lexicographic rule makes every pivot well defined on
    degenerate games; ``max_pivots`` bounds the path in any case.
    """
    m, n = A.shape
    a_norm, _, _ = normalize(A)
    b_norm, _, _ = normalize(B)
    # Variable numbering: x_i -> i, y_j -> m + j, r_i -> m + n + i, s_j -> 2m + n + j.
    # Label of x_i and r_i is i; of y_j and s_j is m + j.
    t_row = np.hstack([np.eye(m), a_norm, np.ones((m, 1))])  # columns r (m), y (n), rhs
    t_col = np.hstack([b_norm.T, np.eye(n), np.ones((n, 1))])  # columns x (m), s (n), rhs
    row_vars = [m + n + i for i in range(m)] + [m + j for j in range(n)]
    col_vars = list(range(m)) + [2 * m + n + j for j in range(n)]
    basis_row = [m + n + i for i in range(m)]  # r basic
    basis_col = [2 * m + n + j for j in range(n)]  # s basic

    def label(var: int) -> int:
        if var < m:
            return var
        if var < m + n:
            return var
        if var < 2 * m + n:
            return var - (m + n)
        return var - (2 * m + n) + m

    def complement(var: int) -> int:
        if var < m:
            return m + n + var
        if var < m + n:
            return 2 * m + n + (var - m)
        if var < 2 * m + n:
            return var - (m + n)
        return var - (2 * m + n) + m

    entering = dropped  # x_k (var k) for k < m, else y_{k-m} (var k)
    for _ in range(max_pivots):
        if entering in col_vars:
            tableau, basis, variables, slack_cols = t_col, basis_col, col_vars, slice(m, m + n)
        else:
            tableau, basis, variables, slack_cols = t_row, basis_row, row_vars, slice(0, m)
        column = variables.index(entering)
        row = _lexicographic_row(tableau, column, slack_cols)
        if row is None:  # pragma: no cover - cannot happen with positive payoffs
            raise SolverError("Lemke-Howson met an unbounded ray; the payoffs are not valid")
        pivot = tableau[row, column]
        tableau[row] /= pivot
        others = np.arange(tableau.shape[0]) != row
        tableau[others] -= np.outer(tableau[others, column], tableau[row])
        leaving = basis[row]
        basis[row] = entering
        if label(leaving) == dropped:
            break
        entering = complement(leaving)
    else:
        raise SolverError(
            f"Lemke-Howson did not reach an equilibrium within max_pivots={max_pivots:,} "
            "pivots; raise max_pivots= or use method='vertex_enumeration'"
        )
    x = np.zeros(m)
    y = np.zeros(n)
    for position, var in enumerate(basis_col):
        if var < m:
            x[var] = max(t_col[position, -1], 0.0)
    for position, var in enumerate(basis_row):
        if m <= var < m + n:
            y[var - m] = max(t_row[position, -1], 0.0)
    if x.sum() <= 0 or y.sum() <= 0:  # pragma: no cover - LH ends away from the origin
        raise SolverError("Lemke-Howson ended at the artificial equilibrium")
    return x / x.sum(), y / y.sum()


def _lexicographic_row(tableau: FloatArray, column: int, slack_cols: slice) -> int | None:
    entries = tableau[:, column]
    candidates = np.flatnonzero(entries > 1e-12)
    if len(candidates) == 0:
        return None
    keys = (
        np.hstack([tableau[:, -1:], tableau[:, slack_cols]])[candidates] / entries[candidates, None]
    )
    for position in range(keys.shape[1]):
        values = keys[:, position]
        best = values.min()
        close = values <= best + 1e-12 * max(1.0, abs(best))
        candidates, keys = candidates[close], keys[close]
        if len(candidates) == 1:
            break
    return int(candidates[0])


# -- exact recomputation -----------------------------------------------------------------
def exact_normalized(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """The exact counterpart of `normalize`."""
    flat = [v for row in matrix for v in row]
    low, high = min(flat), max(flat)
    if high == low:
        return [[Fraction(1)] * len(row) for row in matrix]
    return [[(v - low) / (high - low) + 1 for v in row] for row in matrix]


def exact_vertex(
    C: list[list[Fraction]], zero: list[int], tight: list[int], size: int
) -> list[Fraction] | None:
    """The point ``x`` (length ``size``) with ``x_i = 0`` on ``zero`` and ``(C x)_j = 1`` on
    ``tight``, in rationals; ``None`` unless these equations have exactly one solution."""
    rows = []
    rhs = []
    for i in zero:
        rows.append([Fraction(int(i == k)) for k in range(size)])
        rhs.append(Fraction(0))
    for j in tight:
        rows.append(list(C[j]))
        rhs.append(Fraction(1))
    return gauss(rows, rhs, size)


def gauss(
    matrix: list[list[Fraction]], rhs: list[Fraction], unknowns: int
) -> list[Fraction] | None:
    """Unique solution of a consistent linear system in rationals, or ``None``."""
    rows = [[*row, value] for row, value in zip(matrix, rhs, strict=True)]
    pivot_row = 0
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
        pivot_row += 1
    if any(row[-1] != 0 for row in rows[pivot_row:]):
        return None
    return [rows[i][-1] for i in range(unknowns)]
