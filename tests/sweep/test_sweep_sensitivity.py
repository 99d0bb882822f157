"""Tornado and Sobol sensitivity against closed forms."""

from __future__ import annotations

import math
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


class Partial:
    """z = sqrt(a) + 1 / b + c: undefined (NaN) for a < 0, infinite at b = 0."""

    parameter_names = ("a", "b", "c", "d")
    bounds: ClassVar = {"a": (-1.0, 4.0), "b": (0.0, 2.0), "c": (0.0, 0.5), "d": (0.0, 3.0)}
    base: ClassVar = {"a": 1.0, "b": 1.0, "c": 0.0, "d": 1.0}

    def evaluate(self, **arrays):
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"z": np.sqrt(arrays["a"]) + 1.0 / arrays["b"] + arrays["c"] + arrays["d"]}


def test_tornado_flags_undefined_ends_and_ranks_only_defined_swings():
    result = pg.tornado(Partial())
    # base: sqrt(1) + 1 + 0 + 1 = 3; c: 3 -> 3.5 (swing 0.5); d: 2 -> 5 (swing 3);
    # a: NaN at -1, 2 + 1 + 1 = 4 at 4; b: inf at 0 (undefined), 1 + 0.5 + 1 = 2.5 at 2.
    assert result.base_output == pytest.approx(3.0)
    assert result.ranked == 2
    assert result.names[:2] == ("d", "c")
    by_name = dict(zip(result.names, range(len(result.names)), strict=True))
    c, a, b = by_name["c"], by_name["a"], by_name["b"]
    assert result.swing[c] == pytest.approx(0.5)
    assert bool(result.undefined_low[a])
    assert not bool(result.undefined_high[a])
    assert math.isnan(result.at_low[a])
    assert result.at_high[a] == pytest.approx(4.0)
    assert bool(result.undefined_low[b])
    assert not bool(result.undefined_high[b])
    assert math.isnan(result.at_low[b])  # inf is reported as undefined, not as a swing
    assert result.at_high[b] == pytest.approx(2.5)
    assert math.isnan(result.swing[a])
    assert math.isnan(result.swing[b])
    assert set(result.names[result.ranked :]) == {"a", "b"}
    labels = dict(zip(result.names, result.labels(), strict=True))
    assert labels["a"] == "a (undefined at the low end)"
    assert labels["c"] == "c"
    defined = result.swing[: result.ranked]
    assert np.all(np.diff(defined) <= 0)
    frame_labels = list(result.to_frame()["label"])
    assert frame_labels == result.labels()
    assert result.to_dict()["at_low"][a] is None


def test_tornado_flags_both_ends():
    class Spike:
        parameter_names = ("x",)
        bounds: ClassVar = {"x": (-1.0, 1.0)}
        base: ClassVar = {"x": 0.0}

        def evaluate(self, **arrays):
            x = arrays["x"]
            return {"y": np.where(x == 0.0, 1.0, np.nan)}

    result = pg.tornado(Spike())
    assert result.ranked == 0
    assert result.labels() == ["x (undefined at both ends)"]


def test_tornado_refuses_an_undefined_base():
    with pytest.raises(pg.InvalidParameterError, match=r"undefined.*base point"):
        pg.tornado(Partial(), base={"a": -1.0})


def test_tornado_plots_undefined_ends_without_bars():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = pg.tornado(Partial()).plot()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "a (undefined at the low end)" in ticks
    widths = [abs(p.get_width()) for p in ax.patches]
    assert all(np.isfinite(widths))


def test_sensitivity_plot_path_with_a_nul_byte_is_a_usage_error(capsys):
    from pipeline_games.cli import main

    argv = ["sensitivity", "nash", "--over", "weight=0.4:0.6", "--set", "surplus=10"]
    assert main([*argv, "--plot", "a\0b.png"]) == 2
    error = capsys.readouterr().err
    assert "--plot" in error
    assert repr("a\0b.png") in error
    assert "Traceback" not in error
