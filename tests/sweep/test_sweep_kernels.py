"""Which bargaining kernels a sweep runs: decided once per sweep, recorded, kept on resume.

A sweep of at least ``MIN_POINTS`` points runs the compiled (numba) kernels in every chunk,
whatever the chunk's size; a smaller one runs the numpy kernels. The choice is part of the
store's settings, so a resumed sweep never mixes chunks of the two (they may differ in the
last bit: the compiled Rubinstein kernel is bit-identical to numpy's general kernel, not to
its scalar-game fast path). Most tests lower ``MIN_POINTS`` (in this process) to keep the
sweeps small; the first tests run a real sweep of ``MIN_POINTS`` points.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.bargaining import _fused
from pipeline_games.errors import InvalidParameterError
from pipeline_games.sweeps import _run

needs_numba = pytest.mark.skipif(_fused.numba is None, reason="numba (the fast extra) missing")

NASH_OVER = {"surplus": (20.0, 150.0, 1024), "weight": (0.0, 1.0, 1024)}  # 2**20 points
RUB_OVER = {"surplus": (50.0, 150.0, 1024), "outside_options.seller": (0.0, 60.0, 1024)}
RUB_FIXED = {"discount": (0.9, 0.8), "disagreement": (3.0, 7.0), "outside_options": (0.0, 0.0)}
SMALL_OVER = {"surplus": (50.0, 150.0, 40), "outside_options.seller": (0.0, 60.0, 50)}


def flat_axes(over):
    axes = [np.linspace(*spec) for spec in over.values()]
    return [grid.ravel() for grid in np.meshgrid(*axes, indexing="ij")]


class Spy:
    """Records whether the compiled entry points took their inputs (True) or declined."""

    def __init__(self, monkeypatch):
        self.taken = []
        for name in ("nash_linear", "rubinstein_linear"):
            original = getattr(_fused, name)

            def wrapper(*args, original=original, **kwargs):
                result = original(*args, **kwargs)
                self.taken.append(result)
                return result

            monkeypatch.setattr(_fused, name, wrapper)


def numpy_only(call):
    """Run ``call`` with the compiled kernels out of reach (direct calls and sweeps)."""
    saved = _fused.MIN_POINTS
    _fused.MIN_POINTS = 2**62
    try:
        return call()
    finally:
        _fused.MIN_POINTS = saved


def assert_same(first, second, columns):
    for column in columns:
        np.testing.assert_array_equal(first[column], second[column], err_msg=column)


@needs_numba
def test_large_nash_sweep_runs_the_compiled_kernel_in_every_chunk(monkeypatch):
    assert 1024 * 1024 >= _fused.MIN_POINTS > 1 << 18  # a large sweep, of small chunks
    spy = Spy(monkeypatch)
    result = pg.sweep("nash", over=NASH_OVER, disagreement=(10.0, 30.0), progress=False)
    assert result.n_chunks == 4
    assert spy.taken == [True] * 4
    surplus, weight = flat_axes(NASH_OVER)
    direct = pg.nash(pg.BargainingProblem.linear(surplus, (10.0, 30.0)), weight=weight)
    assert spy.taken[-1] is True  # the direct call (2**20 points) is compiled too
    # The compiled Nash kernel is documented bit for bit equal to the numpy kernel.
    np.testing.assert_array_equal(result["payoff_buyer"], direct.payoffs[:, 0])
    np.testing.assert_array_equal(result["payoff_seller"], direct.payoffs[:, 1])
    np.testing.assert_array_equal(result["agreement"], direct.agreement)
    assert not direct.agreement.all()
    assert direct.agreement.any()
    reference = numpy_only(
        lambda: pg.sweep("nash", over=NASH_OVER, disagreement=(10.0, 30.0), progress=False)
    )
    assert_same(result, reference, ("payoff_buyer", "payoff_seller", "agreement"))


@needs_numba
def test_large_rubinstein_sweep_equals_the_direct_call_and_numpy_to_1e13(monkeypatch):
    assert _fused.MIN_POINTS <= 1024 * 1024
    spy = Spy(monkeypatch)
    result = pg.sweep("rubinstein", over=RUB_OVER, progress=False, **RUB_FIXED)
    assert spy.taken == [True] * result.n_chunks
    surplus, option = flat_axes(RUB_OVER)
    direct = pg.rubinstein(
        pg.BargainingProblem.linear(surplus, (3.0, 7.0)),
        discount=(0.9, 0.8),
        outside_options=(0.0, option),
    )
    for k, column in enumerate(("payoff_buyer", "payoff_seller")):
        np.testing.assert_array_equal(result[column], direct.payoffs[:, k])
    np.testing.assert_array_equal(result["binding"], direct.binding)
    assert set(np.unique(direct.binding)) >= {0, 2}  # both regimes are compared
    reference = numpy_only(
        lambda: pg.sweep("rubinstein", over=RUB_OVER, progress=False, **RUB_FIXED)
    )
    np.testing.assert_array_equal(result["agreement"], reference["agreement"])
    np.testing.assert_array_equal(result["binding"], reference["binding"])
    scale = np.abs(reference["payoff_buyer"]) + np.abs(reference["payoff_seller"])
    for column in ("payoff_buyer", "payoff_seller"):
        assert np.all(np.abs(result[column] - reference[column]) <= 1e-13 * scale)


def test_the_kernel_choice_follows_the_sweep_size_and_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setattr(_fused, "MIN_POINTS", 2000)
    small = {"surplus": (50.0, 150.0, 40), "weight": (0.0, 1.0, 40)}  # 1600 points
    pg.sweep("nash", over=small, out=tmp_path / "small", chunk_size=300, progress=False)
    spec = json.loads((tmp_path / "small" / "zarr.json").read_text())
    assert "kernels" not in spec["attributes"]["pipeline_games"]["spec"]
    big = {"surplus": (50.0, 150.0, 50), "weight": (0.0, 1.0, 50)}  # 2500 points
    pg.sweep("nash", over=big, out=tmp_path / "big", chunk_size=300, progress=False)
    recorded = json.loads((tmp_path / "big" / "zarr.json").read_text())
    expected = "compiled" if _fused.numba is not None else None
    assert recorded["attributes"]["pipeline_games"]["spec"].get("kernels") == expected


def interrupted(out, fail_after, **kwargs):
    """Start a sweep to ``out`` that stops (as if killed) after ``fail_after`` chunks."""
    original = _run._store_chunk
    count = 0

    def store_then_stop(*args, **kw):
        nonlocal count
        if count >= fail_after:
            raise KeyboardInterrupt
        count += 1
        return original(*args, **kw)

    _run._store_chunk = store_then_stop
    try:
        with pytest.raises(KeyboardInterrupt):
            pg.sweep("rubinstein", over=SMALL_OVER, out=out, progress=False, **kwargs)
    finally:
        _run._store_chunk = original


@needs_numba
def test_resumed_compiled_sweep_is_identical_and_never_mixes_kernels(tmp_path, monkeypatch):
    settings = {"chunk_size": 250, **RUB_FIXED}  # 8 chunks of 5 rows
    monkeypatch.setattr(_fused, "MIN_POINTS", 1000)
    compiled = pg.sweep("rubinstein", over=SMALL_OVER, progress=False, **settings)
    numpy_run = numpy_only(
        lambda: pg.sweep("rubinstein", over=SMALL_OVER, progress=False, **settings)
    )
    columns = ("payoff_buyer", "payoff_seller", "agreement", "binding")
    # The precondition of this test: the two kernels differ in the last bit somewhere here.
    assert not np.array_equal(compiled["payoff_seller"], numpy_run["payoff_seller"])

    # Started compiled, resumed where the compiled kernels are switched off: refused by name.
    out = tmp_path / "compiled"
    interrupted(out, 3, **settings)
    monkeypatch.setattr(_fused, "numba", None)
    with pytest.raises(InvalidParameterError, match="compiled kernels"):
        pg.sweep("rubinstein", over=SMALL_OVER, out=out, resume=True, progress=False, **settings)
    monkeypatch.undo()
    monkeypatch.setattr(_fused, "MIN_POINTS", 1000)
    resumed = pg.sweep(
        "rubinstein", over=SMALL_OVER, out=out, resume=True, progress=False, **settings
    )
    assert 0 < len(resumed.computed) < 8
    assert_same(pg.load_sweep(out), compiled, columns)

    # Started with numpy (numba off, as with PIPELINE_GAMES_NUMBA=0), resumed with numba:
    # the sweep keeps numpy, the kernels it was started with.
    out = tmp_path / "numpy"
    with monkeypatch.context() as patch:
        patch.setattr(_fused, "numba", None)
        interrupted(out, 3, **settings)
    spy = Spy(monkeypatch)
    resumed = pg.sweep(
        "rubinstein", over=SMALL_OVER, out=out, resume=True, progress=False, **settings
    )
    assert 0 < len(resumed.computed) < 8
    assert not any(spy.taken)
    assert_same(pg.load_sweep(out), numpy_run, columns)


@needs_numba
def test_process_pool_workers_run_the_sweeps_kernels(tmp_path, monkeypatch):
    """The choice travels with the sweep's plan: spawned workers (which import the default
    ``MIN_POINTS``) run the compiled kernels for this sweep's small chunks too."""
    monkeypatch.setattr(_fused, "MIN_POINTS", 1000)
    settings = {"chunk_size": 500, **RUB_FIXED}
    serial = pg.sweep("rubinstein", over=SMALL_OVER, progress=False, **settings)
    pooled = pg.sweep(
        "rubinstein",
        over=SMALL_OVER,
        executor="processes",
        workers=2,
        out=tmp_path / "pool",
        progress=False,
        **settings,
    )
    assert pooled.complete
    assert_same(pg.load_sweep(tmp_path / "pool"), serial, ("payoff_buyer", "payoff_seller"))


def test_numba_switched_off_by_the_environment_runs_numpy(tmp_path):
    """``PIPELINE_GAMES_NUMBA=0``: a sweep of ``MIN_POINTS`` points runs the numpy kernels,
    records no kernel choice, and gives the numpy results bit for bit."""
    script = (
        "import sys, pipeline_games as pg\n"
        "from pipeline_games.bargaining import _fused\n"
        "assert _fused.numba is None\n"
        f"pg.sweep('rubinstein', over={RUB_OVER!r}, out=sys.argv[1], progress=False, "
        f"**{RUB_FIXED!r})\n"
    )
    environment = {**os.environ, "PIPELINE_GAMES_NUMBA": "0"}
    out = tmp_path / "off"
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=environment)
    spec = json.loads((out / "zarr.json").read_text())["attributes"]["pipeline_games"]["spec"]
    assert "kernels" not in spec
    reference = numpy_only(
        lambda: pg.sweep("rubinstein", over=RUB_OVER, progress=False, **RUB_FIXED)
    )
    assert_same(pg.load_sweep(out), reference, ("payoff_buyer", "payoff_seller", "binding"))


@pytest.mark.parametrize("solver", ["nash", "rubinstein"])
def test_evaluate_stored_writes_into_out(solver):
    target = pg.sweep_target(solver, disagreement=(3.0, 7.0))
    blocks = {"surplus": np.linspace(5.0, 50.0, 6)[:, None], "disagreement.seller": np.ones((1, 7))}
    expected = target.evaluate_stored(**blocks)
    out = {name: np.empty_like(array) for name, array in expected.items()}
    stored = target.evaluate_stored(out=out, **blocks)
    for name, array in expected.items():
        np.testing.assert_array_equal(out[name], array)
        assert np.shares_memory(stored[name], out[name])


def test_evaluate_stored_refuses_out_it_cannot_fill():
    power = pg.sweep_target("nash", frontier="power")
    buffers = {"payoffs": np.empty((3, 2)), "agreement": np.empty(3, dtype=bool)}
    assert not power.accepts_out
    assert not pg.sweep_target("kalai_smorodinsky").accepts_out
    with pytest.raises(InvalidParameterError, match="linear frontier"):
        power.evaluate_stored(out=buffers, surplus=np.array([1.0, 2.0, 3.0]))
    nash = pg.sweep_target("nash")
    with pytest.raises(InvalidParameterError, match=r"out\['payoffs'\] must be a C-contiguous"):
        nash.evaluate_stored(
            out={**buffers, "payoffs": np.empty((2, 3)).T}, surplus=np.array([1.0, 2.0, 3.0])
        )
    with pytest.raises(InvalidParameterError, match="3 rows"):
        nash.evaluate_stored(
            out={**buffers, "agreement": np.empty(4, dtype=bool)},
            surplus=np.array([1.0, 2.0, 3.0]),
        )
