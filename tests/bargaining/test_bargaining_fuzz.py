"""Fuzz: every public entry point of the bargaining and transaction packages, fed hostile
values, either returns finite results or raises an error of the package's hierarchy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games.errors import PipelineGamesError

HOSTILE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.text(max_size=5),
    st.complex_numbers(max_magnitude=10),
    st.none(),
    st.lists(st.floats(-10, 10), max_size=3),
    st.just(np.array([np.nan, 1.0])),
    st.just(np.array(["a"])),
    st.just(np.array([1 + 1j])),
    st.just(object()),
    st.floats(0.0, 1.0),
)

LINE = pg.BargainingProblem.linear(10.0, (1.0, 2.0))
POWER = pg.BargainingProblem.power(10.0, (1.0, 0.5))
POINTS = pg.BargainingProblem.from_points([[0, 10], [5, 8], [10, 0]])

CALLS = {
    "linear.surplus": lambda v: pg.BargainingProblem.linear(v),
    "linear.disagreement": lambda v: pg.BargainingProblem.linear(10.0, (v, 0.0)),
    "linear.rate": lambda v: pg.BargainingProblem.linear(10.0, rate=v),
    "power.exponent": lambda v: pg.BargainingProblem.power(10.0, exponent=v),
    "power.scale": lambda v: pg.BargainingProblem.power(10.0, scale=v),
    "points": lambda v: pg.BargainingProblem.from_points([[0, v], [1, 0]]),
    "nash.weight": lambda v: pg.nash(POWER, weight=v),
    "nash.points": lambda v: pg.nash(POINTS, weight=v),
    "nash.problem": lambda v: pg.nash(v),
    "ks.problem": lambda v: pg.kalai_smorodinsky(v),
    "rubinstein.discount": lambda v: pg.rubinstein(LINE, discount=(v, 0.9)),
    "rubinstein.rates": lambda v: pg.rubinstein(LINE, rates=(v, 0.1), period=1.0),
    "rubinstein.period": lambda v: pg.rubinstein(LINE, rates=(0.1, 0.1), period=v),
    "rubinstein.breakdown": lambda v: pg.rubinstein(POWER, discount=(0.9, 0.9), breakdown=v),
    "rubinstein.options": lambda v: pg.rubinstein(
        LINE, discount=(0.9, 0.9), outside_options=(0.0, v)
    ),
    "rubinstein.inside": lambda v: pg.rubinstein(
        POWER, discount=(0.9, 0.9), inside_options=(v, 0.0)
    ),
    "rubinstein.horizon": lambda v: pg.rubinstein(POWER, discount=(0.9, 0.9), horizon=v),
    "rubinstein.first_mover": lambda v: pg.rubinstein(LINE, discount=(0.9, 0.9), first_mover=v),
    "holdup.specificity": lambda v: pg.holdup(v),
    "holdup.alpha": lambda v: pg.holdup(0.5, alpha=v),
    "holdup.investor": lambda v: pg.holdup(0.5, investor=v),
    "spot.scale": lambda v: pg.spot(0.5, scale=v),
    "loan.penalty": lambda v: pg.prepayment_loan(0.5, default_penalty=v),
    "venture.equity": lambda v: pg.joint_venture(0.5, buyer_equity=v),
    "best.unit_cost": lambda v: pg.best_governance(0.5, unit_cost=v),
    "alignment": lambda v: pg.discriminating_alignment(v, (1, 3), (2, 1.5), (3, 0.5)),
    "switch_points": lambda v: pg.switch_points((v, 3), (2, 1.5), (3, 0.5)),
    "regime": lambda v: pg.classify_regime((v, 0.5), (0.5, 0.5)),
    "diversification": lambda v: pg.diversification(v),
    "buyer_optimal": lambda v: pg.buyer_optimal_outside_option(defensive_cost=v),
    "critical": lambda v: pg.critical_defensive_cost(buyer_weight=v),
}


def finite_arrays(result):
    for name in ("payoffs", "surplus", "costs", "investment"):
        value = getattr(result, name, None)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            yield name, value


@settings(max_examples=400)
@given(name=st.sampled_from(sorted(CALLS)), value=HOSTILE)
def test_hostile_values_give_named_errors_or_finite_results(name, value):
    try:
        result = CALLS[name](value)
    except PipelineGamesError as error:
        message = str(error)  # a message, naming what was wrong
    else:
        message = None
    if message is not None:
        assert message
        return
    if isinstance(result, tuple):  # switch_points
        assert all(np.isfinite(np.asarray(item)).all() for item in result)
        return
    for field, array in finite_arrays(result):
        assert np.isfinite(array).all(), f"{name}({value!r}): {field} not finite"
