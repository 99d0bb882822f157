"""Sweep engine: grids, samples, chunk invariance, results, targets."""

from __future__ import annotations

import io
import sys
from typing import ClassVar

import numpy as np
import pytest
from scipy.stats import qmc

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError
from pipeline_games.sweeps._grid import Sample


def nash_linear_buyer(surplus, d0, d1, weight):
    """Closed form of the weighted Nash solution on u0 + u1 = S, where there are gains."""
    return d0 + weight * (surplus - d0 - d1)


def test_grid_inputs_match_meshgrid_and_outputs_match_closed_form():
    over = {"surplus": (50.0, 100.0, 3), "disagreement.seller": (0.0, 20.0, 5), "weight": (0, 1, 4)}
    result = pg.sweep(pg.nash, over=over, chunk_size=7, progress=False, disagreement=(5.0, 0.0))
    mesh = np.meshgrid(
        np.linspace(50, 100, 3), np.linspace(0, 20, 5), np.linspace(0, 1, 4), indexing="ij"
    )
    for name, expected in zip(over, mesh, strict=True):
        np.testing.assert_array_equal(result[name], expected.ravel())
    expected_buyer = nash_linear_buyer(mesh[0], 5.0, mesh[1], mesh[2]).ravel()
    np.testing.assert_allclose(result["payoff_buyer"], expected_buyer, rtol=1e-12)
    np.testing.assert_allclose(
        result["payoff_seller"], (mesh[0] - expected_buyer.reshape(mesh[0].shape)).ravel()
    )
    assert result.complete
    assert len(result) == 60


@pytest.mark.parametrize("chunk_size", [1, 10, 13, 10_000])  # 10: blocks of 2 rows
def test_rubinstein_grid_is_chunk_size_invariant(chunk_size):
    over = {"discount.buyer": (0.5, 0.95, 6), "outside_options.seller": (0.0, 0.8, 5)}
    result = pg.sweep("rubinstein", over=over, chunk_size=chunk_size, progress=False, surplus=1.0)
    d0, w1 = np.meshgrid(np.linspace(0.5, 0.95, 6), np.linspace(0, 0.8, 5), indexing="ij")
    problem = pg.BargainingProblem.linear(1.0)
    direct = pg.rubinstein(problem, discount=(d0, 0.9), outside_options=(0.0, w1))
    np.testing.assert_array_equal(result["payoff_buyer"], direct.payoffs[..., 0].ravel())
    np.testing.assert_array_equal(result["binding"], direct.binding.ravel())


@pytest.mark.parametrize("method", ["sobol", "halton"])
def test_qmc_chunks_equal_one_uninterrupted_sequence(method):
    engine = {"sobol": qmc.Sobol, "halton": qmc.Halton}[method]
    lows, highs = np.array([0.0, 10.0]), np.array([1.0, 30.0])
    reference = engine(d=2, scramble=True, rng=np.random.default_rng(5)).random(64)
    expected = lows + reference * (highs - lows)
    result = pg.sweep(
        "nash",
        over={"weight": (0.0, 1.0), "disagreement.seller": (10.0, 30.0)},
        samples=64,
        method=method,
        seed=5,
        chunk_size=9,
        progress=False,
    )
    np.testing.assert_allclose(result["weight"], expected[:, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(result["disagreement.seller"], expected[:, 1], rtol=1e-15)


def test_random_chunks_use_spawned_seeds():
    result = pg.sweep(
        "nash",
        over={"weight": (0.0, 1.0)},
        samples=25,
        method="random",
        seed=3,
        chunk_size=10,
        progress=False,
    )
    children = np.random.SeedSequence(3).spawn(3)
    expected = np.concatenate(
        [
            np.random.default_rng(child).random((n, 1))[:, 0]
            for child, n in zip(children, (10, 10, 5), strict=True)
        ]
    )
    np.testing.assert_array_equal(result["weight"], expected)


def test_lhs_is_stratified_within_each_chunk_and_reproducible():
    space = Sample(("a", "b"), np.zeros(2), np.ones(2), 40, "lhs", seed=11)
    for index in range(4):
        unit = space.unit(index * 10, index * 10 + 10, index)
        for column in unit.T:
            assert sorted(np.floor(column * 10).astype(int)) == list(range(10))
        np.testing.assert_array_equal(unit, space.unit(index * 10, index * 10 + 10, index))


def test_samples_stay_in_their_box_and_outputs_match_solver():
    result = pg.sweep(
        "nash",
        over={"weight": (0.2, 0.4), "surplus": (10, 20)},
        samples=64,
        method="lhs",
        progress=False,
    )
    assert result["weight"].min() >= 0.2
    assert result["weight"].max() <= 0.4
    np.testing.assert_allclose(result["payoff_buyer"], result["weight"] * result["surplus"])


def test_power_frontier_and_player_names():
    target = pg.sweep_target(
        "nash", frontier="power", surplus=4.0, exponent=0.5, players=("china", "turkmenistan")
    )
    result = pg.sweep(target, over={"weight": (0.0, 1.0, 3)}, progress=False)
    problem = pg.BargainingProblem.power(4.0, exponent=0.5)
    direct = pg.nash(problem, weight=np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(result["payoff_china"], direct.payoffs[:, 0])
    np.testing.assert_allclose(result["payoff_turkmenistan"], direct.payoffs[:, 1])
    assert target.canonical("disagreement.0") == "disagreement.china"


def test_result_tables_round_trip(tmp_path):
    result = pg.sweep(pg.nash, over={"surplus": (0, 10, 3), "weight": (0, 1, 2)}, progress=False)
    frame = result.to_frame()
    assert frame.index.name == "point"
    assert list(frame.index) == list(range(6))
    dataset = result.to_xarray()
    np.testing.assert_allclose(
        dataset["payoff_buyer"].values, np.outer(np.linspace(0, 10, 3), [0.0, 1.0])
    )
    import pandas as pd

    parquet = pd.read_parquet(result.to_parquet(tmp_path / "r.parquet"))
    csv = pd.read_csv(result.to_csv(tmp_path / "r.csv"))
    for table in (parquet, csv):
        np.testing.assert_allclose(table["payoff_seller"], frame["payoff_seller"])
        assert list(table["point"]) == list(range(6))


def test_sample_xarray_is_on_a_point_dimension():
    result = pg.sweep("nash", over={"weight": (0, 1)}, samples=4, method="random", progress=False)
    dataset = result.to_xarray()
    assert dataset["payoff_buyer"].dims == ("point",)
    np.testing.assert_array_equal(dataset["weight"].values, result["weight"])


def test_duck_typed_target():
    class Quadratic:
        parameter_names = ("x", "y")
        bounds: ClassVar = {"x": (0.0, 1.0), "y": (0.0, 2.0)}
        base: ClassVar = {"x": 0.5, "y": 1.0}

        def evaluate(self, **arrays):
            x = arrays.get("x", self.base["x"])
            y = arrays.get("y", self.base["y"])
            return {
                "value": np.broadcast_to(
                    x**2 + y, np.broadcast_shapes(np.shape(x), np.shape(y))
                ).copy()
            }

    result = pg.sweep(Quadratic(), samples=16, method="sobol", progress=False)
    assert result.input_names == ("x", "y")
    np.testing.assert_allclose(result["value"], result["x"] ** 2 + result["y"])
    assert result["y"].max() <= 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"over": {"wieght": (0, 1, 3)}}, "parameter name must be one of"),
        ({"over": {"weight": (0, 1, 0)}}, "number of points of weight"),
        ({"over": {"weight": (0, 1)}, "samples": 4, "method": "magic"}, "method must be one of"),
        ({"over": {"weight": (1, 0)}, "samples": 4, "method": "random"}, "low <= high"),
        ({"over": {"weight": (0, 1, 3)}, "executor": "threads"}, "executor must be one of"),
        ({"over": {"weight": (0, 1, 3)}, "chunk_size": 0}, "chunk_size"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        pg.sweep("nash", progress=False, **kwargs)


def test_unknown_string_target_is_a_clear_error():
    with pytest.raises((InvalidParameterError, pg.PipelineGamesError, LookupError)):
        pg.sweep("no-such-case", over={"x": (0, 1, 2)}, progress=False)


def test_progress_bar_silent_unless_asked(monkeypatch):
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stderr", captured)
    pg.sweep("nash", over={"weight": (0, 1, 50)}, chunk_size=10, progress=True)
    assert captured.getvalue() == ""  # not a TTY
    pg.sweep("nash", over={"weight": (0, 1, 50)}, chunk_size=10, progress="always")
    assert "pt/s" in captured.getvalue()
    assert "50.0/50.0" in captured.getvalue()


def test_grid_axis_list_is_values_and_tuple_is_a_range():
    # A list (or array) lists the values, whatever its length: three surpluses here, not
    # 68 points from 0 to 30.
    listed = pg.sweep(pg.nash, over={"surplus": [0.0, 30.0, 68.0]}, progress=False)
    np.testing.assert_array_equal(listed.to_frame()["surplus"].to_numpy(), [0.0, 30.0, 68.0])
    # A tuple is (low, high, n).
    ranged = pg.sweep(pg.nash, over={"surplus": (0.0, 30.0, 4)}, progress=False)
    np.testing.assert_allclose(ranged.to_frame()["surplus"].to_numpy(), [0.0, 10.0, 20.0, 30.0])
    with pytest.raises(pg.InvalidParameterError, match=r"tuple \(low, high, n\)"):
        pg.sweep(pg.nash, over={"surplus": (0.0, 1.0)}, progress=False)
