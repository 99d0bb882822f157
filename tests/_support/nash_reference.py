"""Reference equilibrium sets from nashpy, for comparison in the strategic tests."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np


def nashpy_extreme_equilibria(A, B, method: str = "vertex"):
    """nashpy's equilibria of one bimatrix game as a de-duplicated list of (x, y) arrays.

    Payoffs are shifted to be >= 1 first (equilibria do not change) because vertex
    enumeration needs bounded best-response polytopes.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    game = nashpy.Game(A - A.min() + 1.0, B - B.min() + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "vertex":
            found = list(game.vertex_enumeration())
        else:
            found = list(game.support_enumeration())
    unique: list[tuple[np.ndarray, np.ndarray]] = []
    for x, y in found:
        if not any(
            np.allclose(x, u, atol=1e-7) and np.allclose(y, v, atol=1e-7) for u, v in unique
        ):
            unique.append((np.asarray(x, float), np.asarray(y, float)))
    return unique


def same_equilibrium_sets(first, second, atol: float = 1e-7) -> bool:
    """Whether two lists of (x, y) profiles hold the same profiles (to ``atol``)."""
    if len(first) != len(second):
        return False
    for x, y in first:
        if not any(
            np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in second
        ):
            return False
    return True
