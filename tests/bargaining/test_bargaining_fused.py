"""The compiled (numba) kernels give the numpy kernels' answers: numpy is the oracle.

Skipped where numba is not installed (it is the optional ``fast`` extra).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games.bargaining import _fused

pytestmark = pytest.mark.skipif(_fused.numba is None, reason="numba (the fast extra) not installed")

if _fused.numba is not None:  # compile once, up front, not inside a timed example
    _fused._compiled("rubinstein")
    _fused._compiled("nash")


def switch(call, compiled):
    """Run a call with the compiled kernels on (any size) or off (the numpy path)."""
    saved = _fused.MIN_POINTS
    _fused.MIN_POINTS = 0 if compiled else 2**62
    try:
        return call()
    finally:
        _fused.MIN_POINTS = saved


def layouts(rng, n):
    """Per-point arrays, scalars, and grid blocks (rows, 1) x (1, columns) of a (n / 50, 50) grid."""
    return [
        lambda low, high: rng.uniform(low, high, (n // 50, 50)),
        lambda low, high: float(rng.uniform(low, high)),
        lambda low, high: rng.uniform(low, high, (n // 50, 1)),
        lambda low, high: rng.uniform(low, high, (1, 50)),
        lambda low, high: rng.uniform(low, high, (n // 50, 50))[:, ::-1],  # strided
    ]


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**32 - 1),
    mover=st.integers(0, 1),
    with_options=st.booleans(),
    with_inside=st.booleans(),
    unit_rate=st.booleans(),
)
def test_rubinstein_fused_matches_numpy(seed, mover, with_options, with_inside, unit_rate):
    rng = np.random.default_rng(seed)
    n = 1000
    pick = layouts(rng, n)

    def draw(low, high):
        return pick[rng.integers(len(pick))](low, high)

    problem = pg.BargainingProblem.linear(
        draw(1.0, 10.0), (draw(0.0, 3.0), draw(0.0, 3.0)), rate=1.0 if unit_rate else draw(0.5, 2)
    )
    kwargs = {
        "discount": (draw(0.5, 0.999), draw(0.5, 0.999)),
        "breakdown": draw(0.0, 0.3),
        "first_mover": mover,
        "outside_options": (draw(-1.0, 5.0), draw(-1.0, 6.0)) if with_options else None,
        "inside_options": (draw(0.0, 2.0), draw(0.0, 2.0)) if with_inside else None,
    }
    compiled = switch(lambda: pg.rubinstein(problem, **kwargs), True)
    reference = switch(lambda: pg.rubinstein(problem, **kwargs), False)
    np.testing.assert_array_equal(compiled.agreement, reference.agreement)
    np.testing.assert_array_equal(compiled.binding, reference.binding)
    np.testing.assert_allclose(compiled.payoffs, reference.payoffs, rtol=1e-13, atol=1e-13)


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), unit_rate=st.booleans())
def test_nash_fused_matches_numpy(seed, unit_rate):
    rng = np.random.default_rng(seed)
    pick = layouts(rng, 1000)

    def draw(low, high):
        return pick[rng.integers(len(pick))](low, high)

    problem = pg.BargainingProblem.linear(
        draw(1.0, 10.0), (draw(0.0, 6.0), draw(0.0, 6.0)), rate=1.0 if unit_rate else draw(0.5, 2)
    )
    weight = draw(0.0, 1.0)
    compiled = switch(lambda: pg.nash(problem, weight=weight), True)
    reference = switch(lambda: pg.nash(problem, weight=weight), False)
    np.testing.assert_array_equal(compiled.agreement, reference.agreement)
    np.testing.assert_allclose(compiled.payoffs, reference.payoffs, rtol=1e-14, atol=1e-14)


def test_fused_path_is_taken_on_large_calls():
    """Above MIN_POINTS a flat call runs the compiled kernel (it is then compiled)."""
    n = _fused.MIN_POINTS
    problem = pg.BargainingProblem.linear(np.full(n, 10.0), (np.zeros(n), np.ones(n)))
    out = pg.rubinstein(problem, discount=(0.9, 0.9), outside_options=(0.0, 5.0))
    assert "rubinstein" in _fused._COMPILED
    # d = (0, 1): x_free = 0 + (1 - 0.9) / (1 - 0.81) * 9 = 4.7368..., seller 5.26 >= 5.
    np.testing.assert_allclose(out.payoffs[0], [9 / 1.9, 10 - 9 / 1.9])
