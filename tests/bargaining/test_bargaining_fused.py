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


def test_forced_overrides_the_size_rule(monkeypatch):
    """Inside `forced` (what sweeps wrap each chunk in) the size rule is replaced: a small
    call runs the compiled kernel, a large one numpy, with the same results."""
    taken = []
    original = _fused.nash_linear
    monkeypatch.setattr(
        _fused, "nash_linear", lambda *a, **k: taken.append(original(*a, **k)) or taken[-1]
    )
    rng = np.random.default_rng(3)
    small = pg.BargainingProblem.linear(rng.uniform(1.0, 10.0, N), (rng.uniform(0, 6, N), 1.0))
    plain = pg.nash(small, weight=0.3)
    assert taken == []  # below MIN_POINTS: numpy
    with _fused.forced(True):
        compiled = pg.nash(small, weight=0.3)
        with _fused.forced(False):
            assert not _fused.enabled((_fused.MIN_POINTS,))
        assert _fused.enabled((1,))
    assert taken == [True]
    assert not _fused.enabled((N,))  # restored on leaving the block
    np.testing.assert_array_equal(compiled.payoffs, plain.payoffs)
    np.testing.assert_array_equal(compiled.agreement, plain.agreement)
    assert _fused.sweep_kernels(_fused.MIN_POINTS) == "compiled"
    assert _fused.sweep_kernels(_fused.MIN_POINTS - 1) == "numpy"


# -- out=: preallocated outputs ---------------------------------------------------------
def _buffers(shape, binding=True):
    out = {"payoffs": np.full((*shape, 2), -1.0), "agreement": np.ones(shape, dtype=bool)}
    if binding:
        out["binding"] = np.full(shape, 7, dtype=np.int8)
    return out


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("grid", [False, True])
def test_out_gets_the_fresh_outputs(compiled, grid):
    """Written into the caller's arrays, the answers are the ones of a call without out=
    (more points than one block, so the numpy path runs several blocks)."""
    rng = np.random.default_rng(11)
    if grid:
        surplus = rng.uniform(1.0, 10.0, (300, 1))
        d_second, shape = rng.uniform(0.0, 4.0, (1, 200)), (300, 200)
    else:
        surplus, d_second, shape = rng.uniform(1.0, 10.0, 60_000), rng.uniform(0.0, 4.0), (60_000,)
    problem = pg.BargainingProblem.linear(surplus, (rng.uniform(0.0, 4.0, shape), d_second))
    options = (rng.uniform(0.0, 3.0, shape), rng.uniform(0.0, 5.0, shape))
    for solve, binding in (
        (lambda out: pg.nash(problem, weight=0.3, out=out), False),
        (lambda out: pg.rubinstein(problem, (0.9, 0.8), outside_options=options, out=out), True),
    ):
        reference = switch(lambda solve=solve: solve(None), compiled)
        buffers = _buffers(shape, binding)
        result = switch(lambda solve=solve, buffers=buffers: solve(buffers), compiled)
        assert not reference.agreement.all()
        assert reference.agreement.any()
        for name, array in buffers.items():
            np.testing.assert_array_equal(array, getattr(reference, name))
            assert np.shares_memory(getattr(result, name), array)
            assert not getattr(result, name).flags.writeable
            assert array.flags.writeable


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda out: out.pop("agreement"), "exactly the keys"),
        (lambda out: out.update(payoffs=np.empty((5, 3))), r"shape \(5, 2\)"),
        (lambda out: out.update(payoffs=np.empty((5, 2), dtype=np.float32)), "float32"),
        (lambda out: out.update(payoffs=np.empty((2, 5)).T), "strided"),
        (lambda out: out.update(agreement=np.empty(5, dtype=np.int8)), "dtype bool"),
        (lambda out: out.update(payoffs=[[0.0, 0.0]] * 5), "got list"),
    ],
)
def test_bad_out_is_refused_by_name(change, message):
    problem = pg.BargainingProblem.linear(np.arange(1.0, 6.0))
    out = _buffers((5,), binding=False)
    change(out)
    with pytest.raises(pg.InvalidParameterError, match=message):
        pg.nash(problem, out=out)


def test_read_only_or_overlapping_out_is_refused():
    problem = pg.BargainingProblem.linear(np.arange(1.0, 6.0))
    out = _buffers((5,))
    out["payoffs"].flags.writeable = False
    with pytest.raises(pg.InvalidParameterError, match="read-only"):
        pg.rubinstein(problem, (0.9, 0.9), out=out)
    shared = np.zeros(16)
    out = {
        "payoffs": shared[:10].reshape(5, 2),
        "agreement": np.zeros(5, bool),
        "binding": shared.view(np.int8)[:5],
    }
    with pytest.raises(pg.InvalidParameterError, match="overlap"):
        pg.rubinstein(problem, (0.9, 0.9), out=out)
    with pytest.raises(pg.InvalidParameterError, match="linear frontiers only"):
        pg.nash(pg.BargainingProblem.power(np.arange(1.0, 6.0)), out=_buffers((5,), False))


# -- options checked inside the compiled pass -------------------------------------------
@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", [0, 1])
def test_non_finite_option_is_named_on_both_paths(compiled, bad, which):
    """The compiled kernel checks large option arrays in its own pass; the error is the
    same named one as the numpy path's up-front check, with the point's index."""
    problem = pg.BargainingProblem.linear(np.full(N, 10.0))
    options = [np.full(N, 1.0), np.full(N, 2.0)]
    options[which][1234] = bad
    kind = "nan" if np.isnan(bad) else ("-inf" if bad < 0 else "inf")
    with pytest.raises(
        pg.InvalidParameterError,
        match=rf"outside_options\[{which}\] must be finite; got {kind} at index 1234",
    ):
        switch(lambda: pg.rubinstein(problem, (0.9, 0.9), outside_options=tuple(options)), compiled)
