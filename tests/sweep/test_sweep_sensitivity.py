"""Tornado and Sobol sensitivity against closed forms."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

import pipeline_games as pg


class Additive:
    """Y = 2 x1 + x2 + 0 x3 with X uniform on [0, 1]: S1 = (4/5, 1/5, 0) = ST (no interactions)."""

    parameter_names = ("x1", "x2", "x3")
    bounds: ClassVar = {"x1": (0.0, 1.0), "x2": (0.0, 1.0), "x3": (0.0, 1.0)}
    base: ClassVar = {"x1": 0.5, "x2": 0.5, "x3": 0.5}

    def evaluate(self, **arrays):
        x1, x2 = arrays["x1"], arrays["x2"]
        return {"y": 2.0 * x1 + x2}


def test_sobol_indices_of_an_additive_function():
    pytest.importorskip("SALib")
    result = pg.sobol_indices(Additive(), samples=2048, seed=1)
    np.testing.assert_allclose(result.first, [0.8, 0.2, 0.0], atol=0.05)
    np.testing.assert_allclose(result.total, [0.8, 0.2, 0.0], atol=0.05)
    assert result.n_evaluations == 2048 * 5


def test_tornado_of_rubinstein_matches_closed_form():
    # Rubinstein split of S = 1: buyer (first mover) gets (1 - d1) / (1 - d0 d1).
    result = pg.tornado(
        "rubinstein",
        over={"discount.buyer": (0.5, 0.95), "discount.seller": (0.5, 0.95)},
        surplus=1.0,
        discount=(0.9, 0.9),
    )
    share = {
        ("discount.buyer", "low"): (1 - 0.9) / (1 - 0.5 * 0.9),
        ("discount.buyer", "high"): (1 - 0.9) / (1 - 0.95 * 0.9),
        ("discount.seller", "low"): (1 - 0.5) / (1 - 0.9 * 0.5),
        ("discount.seller", "high"): (1 - 0.95) / (1 - 0.9 * 0.95),
    }
    for k, name in enumerate(result.names):
        assert result.at_low[k] == pytest.approx(share[name, "low"])
        assert result.at_high[k] == pytest.approx(share[name, "high"])
    assert result.base_output == pytest.approx(1 / 1.9)
    assert result.names[0] == "discount.seller"  # the responder's patience swings more
    assert np.all(np.diff(result.swing) <= 0)


def test_tornado_of_duck_target_and_plots():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    tornado = pg.tornado(Additive())
    assert tornado.names[:2] == ("x1", "x2")
    np.testing.assert_allclose(tornado.at_low[:2], [0.5, 1.0])  # 2*0+0.5, 2*0.5+0
    np.testing.assert_allclose(tornado.at_high[:2], [2.5, 2.0])  # 2*1+0.5, 2*0.5+1
    assert tornado.plot() is not None
    pytest.importorskip("SALib")
    assert pg.sobol_indices(Additive(), samples=64).plot() is not None


def test_sensitivity_needs_ranges():
    with pytest.raises(pg.InvalidParameterError, match="needs ranges"):
        pg.tornado("nash")


def test_sobol_refuses_a_range_of_zero_width():
    with pytest.raises(pg.InvalidParameterError, match="positive width"):
        pg.sobol_indices("nash", {"surplus": (1.0, 1.0)}, samples=16)


def test_sensitivity_plot_path_with_a_nul_byte_is_a_usage_error(capsys):
    from pipeline_games.cli import main

    argv = ["sensitivity", "nash", "--over", "weight=0.4:0.6", "--set", "surplus=10"]
    assert main([*argv, "--plot", "a\0b.png"]) == 2
    error = capsys.readouterr().err
    assert "--plot" in error
    assert repr("a\0b.png") in error
    assert "Traceback" not in error
