"""The compiled (numba) kernel of ``solve_2x2`` against the numpy kernel, its oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline_games.strategic import _batched, solve_2x2

pytestmark = pytest.mark.skipif(
    _batched.numba is None, reason="numba (the fast extra) not installed"
)

FIELDS = (
    "row_strategies",
    "column_strategies",
    "payoffs",
    "mask",
    "count",
    "isolated",
    "degenerate",
    "continuum",
)


def _solve(A, B, compiled: bool, **options):
    saved = _batched.MIN_COMPILED_GAMES
    _batched.MIN_COMPILED_GAMES = 0 if compiled else 2**62
    try:
        return solve_2x2(A, B, **options)
    finally:
        _batched.MIN_COMPILED_GAMES = saved


def _games(seed: int, n: int = 20_000):
    """Random games with every kind of tie: equal entries, zero matrices, integer payoffs."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, 2, 2))
    B = rng.normal(size=(n, 2, 2))
    A[::7, 0, 0] = A[::7, 1, 0]
    A[1::9, 0, 1] = A[1::9, 1, 1]
    B[2::5, 1, 0] = B[2::5, 1, 1]
    B[::13] = 0.0
    A[::11] = rng.integers(-2, 3, size=A[::11].shape)
    B[::3] = rng.integers(-2, 3, size=B[::3].shape)
    A[::17] *= 1e-300
    B[::19] *= 1e300
    return A, B


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tol", [0.0, 1e-12, 0.3])
def test_compiled_kernel_is_bit_identical_to_numpy(seed, tol):
    A, B = _games(seed)
    fast = _solve(A, B, compiled=True, tol=tol)
    reference = _solve(A, B, compiled=False, tol=tol)
    assert np.unique(reference.count).size > 1
    assert reference.continuum.any()
    for name in FIELDS:
        mine, theirs = getattr(fast, name), getattr(reference, name)
        assert mine.dtype == theirs.dtype, name
        assert mine.shape == theirs.shape, name
        # Bit for bit, NaN padding included.
        assert np.ascontiguousarray(mine).tobytes() == np.ascontiguousarray(theirs).tobytes(), name
    assert fast.tol == reference.tol
    assert fast.players == reference.players


def test_compiled_kernel_solves_textbook_games():
    # Battle of the sexes: two pure equilibria and the mixed one (3/5, 2/5), (2/5, 3/5).
    A = np.array([[3.0, 0.0], [0.0, 2.0]])
    B = np.array([[2.0, 0.0], [0.0, 3.0]])
    result = _solve(A, B, compiled=True)
    assert result.count.tolist() == [3]
    np.testing.assert_allclose(result.row_strategies[0, 2], [0.6, 0.4])
    np.testing.assert_allclose(result.column_strategies[0, 2], [0.4, 0.6])
    np.testing.assert_allclose(result.payoffs[0, 2], [1.2, 1.2])


@settings(max_examples=40)
@given(
    arrays(np.float64, (50, 2, 2), elements=st.floats(-1, 1, allow_subnormal=False)),
    arrays(np.float64, (50, 2, 2), elements=st.floats(-1, 1, allow_subnormal=False)),
    st.sampled_from([1e-12, 1e-6, 3.0, 1e6, 1e12]),
)
def test_compiled_kernel_scale_invariance(A, B, factor):
    base = _solve(A, B, compiled=True)
    scaled = _solve(A * factor, B * factor, compiled=True)
    for name in ("count", "mask", "isolated", "degenerate", "continuum"):
        np.testing.assert_array_equal(getattr(scaled, name), getattr(base, name))
    np.testing.assert_allclose(scaled.row_strategies, base.row_strategies, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        scaled.column_strategies, base.column_strategies, rtol=1e-9, atol=1e-12
    )
    mask = base.mask
    np.testing.assert_allclose(
        scaled.payoffs[mask], base.payoffs[mask] * factor, rtol=1e-9, atol=1e-15 * factor
    )


def test_compiled_kernel_is_used_on_large_batches():
    n = _batched.MIN_COMPILED_GAMES
    A, B = _games(3, n)
    result = solve_2x2(A, B)
    assert _batched._KERNEL, "the compiled kernel was not used"
    assert result.count.shape == (n,)
