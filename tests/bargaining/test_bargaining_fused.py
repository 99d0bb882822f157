"""The compiled (numba) kernels give the numpy kernels' answers: numpy is the oracle.

Skipped where numba is not installed (it is the optional ``fast`` extra). Plain
parametrized tests rather than hypothesis: the first call of each input-type combination
compiles (about a second), which must not count against an example's deadline.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.bargaining import _fused

pytestmark = pytest.mark.skipif(_fused.numba is None, reason="numba (the fast extra) not installed")

N = 2000


def switch(call, compiled):
    """Run a call with the compiled kernels on (any size) or off (the numpy path)."""
    saved = _fused.MIN_POINTS
    _fused.MIN_POINTS = 0 if compiled else 2**62
    try:
        return call()
    finally:
        _fused.MIN_POINTS = saved


def draw(rng, per_point, low, high):
    return rng.uniform(low, high, N) if per_point else float(rng.uniform(low, high))


# (surplus, d0, d1, w0, w1) per point or scalar: the layouts sweeps produce.
LAYOUTS = [
    (True, False, False, True, True),
    (True, True, True, False, True),
    (True, True, True, True, True),
    (False, True, True, True, False),
]


@pytest.mark.parametrize(
    ("layout", "mover", "options", "inside", "unit_rate", "seed"),
    [
        (layout, mover, options, inside, unit_rate, seed)
        for (layout, (mover, options, inside, unit_rate)), seed in itertools.product(
            itertools.product(
                LAYOUTS, itertools.product((0, 1), (True, False), (False, True), (True, False))
            ),
            range(2),
        )
    ],
)
def test_rubinstein_fused_matches_numpy(layout, mover, options, inside, unit_rate, seed):
    rng = np.random.default_rng(seed)
    s, p0, p1, q0, q1 = layout
    problem = pg.BargainingProblem.linear(
        draw(rng, s, 1.0, 10.0),
        (draw(rng, p0, 0.0, 3.0), draw(rng, p1, 0.0, 3.0)),
        rate=1.0 if unit_rate else float(rng.uniform(0.5, 2.0)),
    )
    kwargs = {
        "discount": (float(rng.uniform(0.5, 0.999)), float(rng.uniform(0.5, 0.999))),
        "breakdown": float(rng.uniform(0.0, 0.3)),
        "first_mover": mover,
        "outside_options": (draw(rng, q0, -1.0, 5.0), draw(rng, q1, -1.0, 6.0))
        if options
        else None,
        "inside_options": (draw(rng, p0, 0.0, 2.0), 0.5) if inside else None,
    }
    compiled = switch(lambda: pg.rubinstein(problem, **kwargs), True)
    reference = switch(lambda: pg.rubinstein(problem, **kwargs), False)
    np.testing.assert_array_equal(compiled.agreement, reference.agreement)
    np.testing.assert_array_equal(compiled.binding, reference.binding)
    if p0 or p1 or mover == 1:
        # numpy runs its general block kernel, whose operations the loop repeats in order
        np.testing.assert_array_equal(compiled.payoffs, reference.payoffs)
    else:  # numpy's scalar-game fast path orders some products differently
        np.testing.assert_allclose(compiled.payoffs, reference.payoffs, rtol=1e-13, atol=1e-13)
    assert not compiled.agreement.all() or not options or compiled.agreement.any()


@pytest.mark.parametrize(
    ("per_point", "unit_rate"), list(itertools.product((True, False), (True, False)))
)
def test_nash_fused_matches_numpy(per_point, unit_rate):
    rng = np.random.default_rng(7)
    problem = pg.BargainingProblem.linear(
        rng.uniform(1.0, 10.0, N),
        (rng.uniform(0.0, 6.0, N), draw(rng, per_point, 0.0, 6.0)),
        rate=1.0 if unit_rate else 1.7,
    )
    weight = draw(rng, per_point, 0.0, 1.0)
    compiled = switch(lambda: pg.nash(problem, weight=weight), True)
    reference = switch(lambda: pg.nash(problem, weight=weight), False)
    assert not compiled.agreement.all()  # both deal and no-deal points are compared
    np.testing.assert_array_equal(compiled.agreement, reference.agreement)
    np.testing.assert_array_equal(compiled.payoffs, reference.payoffs)


def test_layouts_the_kernels_do_not_take_fall_back_to_numpy():
    """Grid axes (rows, 1) x (1, columns) and per-point discounts take the numpy kernels."""
    grid = pg.BargainingProblem.linear(np.linspace(1, 10, 300)[:, None], (0.0, np.ones((1, 300))))
    out = switch(lambda: pg.rubinstein(grid, discount=(0.9, 0.8)), True)
    expected = (1 - 0.8) / (1 - 0.72) * (grid.frontier.surplus - 1.0)  # d1 = 1, rate 1
    np.testing.assert_allclose(out.payoffs[..., 0], np.broadcast_to(expected, (300, 300)))


def test_fused_path_is_taken_on_large_calls():
    """Above MIN_POINTS a flat call runs the compiled kernel."""
    n = _fused.MIN_POINTS
    problem = pg.BargainingProblem.linear(np.full(n, 10.0), (np.zeros(n), np.ones(n)))
    out = pg.rubinstein(problem, discount=(0.9, 0.9), outside_options=(0.0, 5.0))
    assert any(key[0] == "rubinstein" for key in _fused._COMPILED)
    # d = (0, 1): x_free = 0 + (1 - 0.9) / (1 - 0.81) * 9 = 4.7368..., seller 5.26 >= 5.
    np.testing.assert_allclose(out.payoffs[0], [9 / 1.9, 10 - 9 / 1.9])
