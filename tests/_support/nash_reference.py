"""Independent reference equilibrium sets for the strategic tests.

``exact_extreme_equilibria`` is a brute force in rational arithmetic, written apart from the
package: for every choice of ``m`` of the ``m + n`` constraints of the best-response
polytope ``P = {x >= 0, B^T x <= 1}`` (payoffs shifted to be positive) it solves the tight
equations exactly, keeps the feasible solutions (the vertices), does the same for ``Q``,
and pairs the vertices whose labels cover every strategy. Only for small games (the number
of subsets is ``C(m + n, m)``).

``gambit_extreme_equilibria`` asks pygambit's ``enummixed_solve`` (exact, rational), when
pygambit is installed.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np


def _solve(rows, rhs, size):
    """Unique solution of a square-or-taller consistent system, or None (rationals)."""
    matrix = [[*row, value] for row, value in zip(rows, rhs, strict=True)]
    r = 0
    for c in range(size):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            return None
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [v / lead for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                f = matrix[i][c]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        r += 1
    if any(row[-1] != 0 for row in matrix[r:]):
        return None
    return [matrix[i][-1] for i in range(size)]


def _vertices(C, d):
    """Vertices of {x in Q^d : x >= 0, C x <= 1} with their label sets (frozensets)."""
    k = len(C)
    found = {}
    for tight in itertools.combinations(range(d + k), d):
        rows, rhs = [], []
        for t in tight:
            if t < d:
                rows.append([Fraction(int(i == t)) for i in range(d)])
                rhs.append(Fraction(0))
            else:
                rows.append(list(C[t - d]))
                rhs.append(Fraction(1))
        x = _solve(rows, rhs, d)
        if x is None or min(x) < 0:
            continue
        slack = [1 - sum((C[j][i] * x[i] for i in range(d)), Fraction(0)) for j in range(k)]
        if min(slack) < 0:
            continue
        labels = frozenset(
            [i for i in range(d) if x[i] == 0] + [d + j for j in range(k) if slack[j] == 0]
        )
        found[tuple(x)] = labels
    return found


def exact_extreme_equilibria(A, B):
    """Every extreme equilibrium as ((x...), (y...)) of Fractions, by brute force."""
    A = [[Fraction(v) for v in row] for row in np.asarray(A, dtype=object).tolist()]
    B = [[Fraction(v) for v in row] for row in np.asarray(B, dtype=object).tolist()]
    m, n = len(A), len(A[0])
    shift_a = 1 - min(min(row) for row in A)
    shift_b = 1 - min(min(row) for row in B)
    A1 = [[v + shift_a for v in row] for row in A]
    B1 = [[v + shift_b for v in row] for row in B]
    BT = [[B1[i][j] for i in range(m)] for j in range(n)]
    P = _vertices(BT, m)  # labels: i (x_i = 0) for i < m, m + j ((B^T x)_j = 1)
    Q = _vertices(A1, n)  # labels: j (y_j = 0) -> m + j, n + i ((A y)_i = 1) -> i
    everything = set(range(m + n))
    out = set()
    for x, lx in P.items():
        if sum(x) == 0:
            continue
        for y, ly in Q.items():
            if sum(y) == 0:
                continue
            global_y = {m + t if t < n else t - n for t in ly}
            if set(lx) | global_y == everything:
                sx, sy = sum(x), sum(y)
                out.add((tuple(v / sx for v in x), tuple(v / sy for v in y)))
    return out


def gambit_extreme_equilibria(A, B):
    """pygambit's enummixed_solve (rational) as a set of ((x...), (y...)) Fractions."""
    import pygambit as gbt

    A = [[Fraction(v) for v in row] for row in np.asarray(A, dtype=object).tolist()]
    B = [[Fraction(v) for v in row] for row in np.asarray(B, dtype=object).tolist()]
    game = gbt.Game.from_arrays(A, B)
    result = gbt.nash.enummixed_solve(game, rational=True)
    first, second = list(game.players)
    return {
        (
            tuple(Fraction(str(eq[s])) for s in first.strategies),
            tuple(Fraction(str(eq[s])) for s in second.strategies),
        )
        for eq in result.equilibria
    }


def as_float_set(equilibria):
    return [
        (np.array([float(v) for v in x]), np.array([float(v) for v in y])) for x, y in equilibria
    ]


def same_equilibrium_sets(first, second, atol: float = 1e-7) -> bool:
    """Whether two lists of (x, y) profiles hold the same profiles (to ``atol``)."""
    first = list(first)
    second = list(second)
    if len(first) != len(second):
        return False
    for x, y in first:
        if not any(
            np.allclose(x, u, rtol=0, atol=atol) and np.allclose(y, v, rtol=0, atol=atol)
            for u, v in second
        ):
            return False
    return True
