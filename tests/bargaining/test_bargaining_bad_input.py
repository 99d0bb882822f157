"""Bad input raises InvalidParameterError naming the parameter, the value and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

LINE = pg.BargainingProblem.linear(100.0, (10.0, 30.0))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: pg.BargainingProblem.linear(float("nan")), "surplus must be finite; got nan"),
        (
            lambda: pg.BargainingProblem.linear([1.0, np.inf]),
            "surplus must be finite; got inf at index 1",
        ),
        (lambda: pg.BargainingProblem.linear(-5.0), "surplus must be >= 0; got -5"),
        (lambda: pg.BargainingProblem.linear(5.0, (0.0, np.nan)), "disagreement[1] must be finite"),
        (lambda: pg.BargainingProblem.linear(5.0, (0.0, 1.0, 2.0)), "disagreement must be a pair"),
        (lambda: pg.BargainingProblem.linear(5.0, rate=0.0), "rate must be > 0; got 0"),
        (
            lambda: pg.BargainingProblem.power(5.0, exponent=1.5),
            "exponent must be in (0, 1]; got 1.5",
        ),
        (
            lambda: pg.BargainingProblem.power(5.0, exponent=0.0),
            "exponent must be in (0, 1]; got 0",
        ),
        (
            lambda: pg.BargainingProblem.from_points([1.0, 2.0, 3.0]),
            "points must be an array of shape (k, 2)",
        ),
        (lambda: pg.BargainingProblem.linear(np.ones(3), (np.zeros(4), 0.0)), "do not broadcast"),
        (lambda: pg.nash(LINE, weight=1.2), "weight must be in [0, 1]; got 1.2"),
        (
            lambda: pg.nash(LINE, weight=[0.5, -0.1]),
            "weight must be in [0, 1]; got -0.1 at index 1",
        ),
        (
            lambda: pg.nash(pg.BargainingProblem.linear(np.ones(3)), weight=np.ones(4) / 2),
            "do not broadcast",
        ),
        (lambda: pg.rubinstein(LINE, discount=(1.0, 0.5)), "discount[0] must be in (0, 1); got 1"),
        (lambda: pg.rubinstein(LINE, discount=(0.5, 0.0)), "discount[1] must be in (0, 1); got 0"),
        (lambda: pg.rubinstein(LINE, discount=(0.5, np.nan)), "discount[1] must be finite"),
        (lambda: pg.rubinstein(LINE), "give exactly one of discount"),
        (
            lambda: pg.rubinstein(LINE, discount=(0.5, 0.5), rates=(1, 1)),
            "give exactly one of discount",
        ),
        (lambda: pg.rubinstein(LINE, rates=(-1.0, 1.0)), "rates[0] must be > 0; got -1"),
        (lambda: pg.rubinstein(LINE, rates=(1.0, 1.0), period=0.0), "period must be > 0; got 0"),
        (
            lambda: pg.rubinstein(LINE, discount=(0.5, 0.5), breakdown=1.5),
            "breakdown must be in [0, 1]; got 1.5",
        ),
        (
            lambda: pg.rubinstein(LINE, discount=(0.5, 0.5), horizon=0),
            "horizon must be a whole number >= 1; got 0",
        ),
        (
            lambda: pg.rubinstein(LINE, discount=(0.5, 0.5), first_mover=2),
            "first_mover must be a whole number in [0, 1]; got 2",
        ),
        (
            lambda: pg.rubinstein(LINE, discount=(0.5, 0.5), outside_options=(np.inf, 0.0)),
            "outside_options[0] must be finite",
        ),
        (
            lambda: pg.BargainingProblem.linear("lots"),
            "surplus must be a number or an array of numbers",
        ),
        (
            lambda: pg.BargainingProblem.linear(1.0, players=("a", "b", "c")),
            "players must be two names",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, fragment):
    with pytest.raises(InvalidParameterError) as info:
        call()
    assert fragment in str(info.value)


def test_invalid_parameter_error_is_a_value_error():
    with pytest.raises(ValueError, match="weight"):
        pg.nash(LINE, weight=2.0)


def test_multidimensional_index_is_reported():
    surplus = np.ones((2, 3))
    surplus[1, 2] = np.nan
    with pytest.raises(
        InvalidParameterError, match=r"surplus must be finite; got nan at index \(1, 2\)"
    ):
        pg.BargainingProblem.linear(surplus)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: pg.nash(5), "problem must be a BargainingProblem"),
        (lambda: pg.rubinstein("x", discount=(0.9, 0.9)), "problem must be a BargainingProblem"),
        (lambda: pg.egalitarian(None), "problem must be a BargainingProblem"),
        (
            lambda: pg.BargainingProblem.linear(None),
            "surplus must be a number or an array of numbers; got None",
        ),
        (
            lambda: pg.nash(LINE, weight=None),
            "weight must be a number or an array of numbers; got None",
        ),
        (lambda: pg.BargainingProblem.linear(1.0, players="ab"), "players must be two names"),
    ],
)
def test_wrong_types_get_a_named_error(call, fragment):
    with pytest.raises(InvalidParameterError) as info:
        call()
    assert fragment in str(info.value)
