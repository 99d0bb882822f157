"""Vectorized scalar root finding, one independent equation per array element.

These solve ``n`` scalar equations at once with whole-array numpy operations: the loop is
over iterations, never over points. Both are bracketing methods, so they cannot diverge.

Tolerances are relative to each element's own bracket (a few ulps of its largest
magnitude), never absolute: the same equation in other units (every quantity times a
factor from 1e-12 to 1e12) gives the same root in those units.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .errors import SolverError

FloatArray = NDArray[np.float64]

#: Relative tolerance on the root's location (a few ulps of float64).
ROOT_RTOL = 4.0 * np.finfo(np.float64).eps
#: A Newton step below this (relative) size ends the iteration: quadratic convergence makes
#: the error after it of order its square, far below `ROOT_RTOL`.
NEWTON_QUADRATIC_STEP = 1e-9


def bisect_decreasing(
    func: Callable[[FloatArray], FloatArray],
    low: FloatArray,
    high: FloatArray,
    *,
    max_iterations: int = 200,
) -> FloatArray:
    """Find ``x`` in ``[low, high]`` with ``func(x) = 0`` for a non-increasing ``func``.

    Every element is halved until its bracket is a few ulps wide. Where ``func`` does not
    change sign over the bracket the nearer end is returned (the root is clipped to the
    bracket), which is what the bargaining solvers want at corner solutions.

    Examples
    --------
    >>> import numpy as np
    >>> bisect_decreasing(lambda x: 2.0 - x, np.array([0.0]), np.array([5.0]))
    array([2.])
    """
    low = np.array(low, dtype=np.float64, copy=True)
    high = np.array(high, dtype=np.float64, copy=True)
    low, high = np.broadcast_arrays(low, high)
    low, high = low.copy(), high.copy()
    # Relative to each bracket's own magnitude: scale-free (no absolute floor).
    tolerance = ROOT_RTOL * np.maximum(np.abs(low), np.abs(high))
    for _ in range(max_iterations):
        middle = 0.5 * (low + high)
        positive = func(middle) > 0.0
        np.copyto(low, middle, where=positive)
        np.copyto(high, middle, where=~positive)
        width = high - low
        if np.all(width <= tolerance):
            break
    else:  # pragma: no cover - 200 halvings always reach the float resolution
        raise SolverError("bisection did not converge")
    return 0.5 * (low + high)


def newton_bracketed(
    func_and_slope: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    low: FloatArray,
    high: FloatArray,
    start: FloatArray,
    *,
    max_iterations: int = 100,
) -> FloatArray:
    """Safeguarded Newton's method for a function that is negative at ``low``, positive at ``high``.

    Each element takes a Newton step when the step stays inside its current bracket and a
    bisection step otherwise; the bracket shrinks with the sign of the function at every
    iterate. Quadratic convergence near the root, guaranteed convergence everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> root = newton_bracketed(lambda x: (x**2 - 2.0, 2.0 * x), np.array([0.0]),
    ...                         np.array([2.0]), np.array([1.0]))
    >>> bool(abs(root[0] - np.sqrt(2.0)) < 1e-15)
    True
    """
    low, high, x = (
        np.array(item, dtype=np.float64) for item in np.broadcast_arrays(low, high, start)
    )
    x = np.clip(x, low, high)
    # Tolerance from the initial bracket: a few ulps of its largest magnitude (relative to
    # the element's own scale, with no absolute floor, so the answer is unit-free).
    scale = np.maximum(np.abs(low), np.abs(high))
    tolerance = ROOT_RTOL * scale
    for _ in range(max_iterations):
        value, slope = func_and_slope(x)
        np.copyto(low, x, where=value < 0.0)
        np.copyto(high, x, where=value > 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            target = np.asarray(x - value / slope)
        np.copyto(target, x, where=value == 0.0)  # an exact root stays (even where slope is 0)
        inside = (target >= low) & (target <= high)  # False for NaN from a zero slope
        np.copyto(target, 0.5 * (low + high), where=~inside)
        step = np.abs(target - x)
        x = target
        # Converged: a small Newton step, a step of a few ulps, or a bracket a few ulps wide
        # (near the root rounding can flip the sign of the function from one ulp to the next).
        if np.all(
            # A Newton step this small relative to the iterate leaves an error of order its
            # square: the updated point is accurate to float precision, no need to confirm it.
            (inside & (step <= NEWTON_QUADRATIC_STEP * np.abs(x)))
            | (step <= tolerance)
            | (high - low <= 4 * tolerance)
        ):
            return x
    raise SolverError(
        f"safeguarded Newton iteration did not converge in {max_iterations} iterations"
    )
