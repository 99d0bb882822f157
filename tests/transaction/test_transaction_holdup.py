"""Hold-up model: closed forms checked against brute-force optimisation of the investor's problem."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

unit = st.floats(0.0, 1.0)
alphas = st.floats(0.05, 0.95)
scales = st.floats(0.1, 10.0)
costs = st.floats(0.1, 5.0)


def _argmax(objective, upper: float) -> float:
    """Numerically maximise a concave objective on [0, upper] with scipy."""
    result = minimize_scalar(
        lambda k: -objective(k), bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12}
    )
    return float(result.x)


@settings(max_examples=60)
@given(s=unit, beta=unit, alpha=alphas, a=scales, c=costs)
def test_investment_matches_numerical_optimum_of_investors_problem(s, beta, alpha, a, c):
    out = pg.holdup(
        s, 1.0 - beta, scale=a, alpha=alpha, unit_cost=c
    )  # seller invests: beta = 1 - w

    def investor_payoff(k: float) -> float:
        value = a * k**alpha
        return (1.0 - s) * value + beta * s * value - c * k  # outside value + share of rent

    def joint(k: float) -> float:
        return a * k**alpha - c * k

    upper = 2.0 * (alpha * a / c) ** (1.0 / (1.0 - alpha)) + 1e-9
    k_num = _argmax(investor_payoff, upper)
    k_fb_num = _argmax(joint, upper)
    scale_k = max(1.0, k_fb_num)
    assert abs(float(out.investment) - k_num) <= 1e-5 * scale_k
    assert abs(float(out.first_best_investment) - k_fb_num) <= 1e-5 * scale_k
    # First best >= equilibrium surplus, and the loss is that difference.
    assert float(out.first_best_surplus) >= float(out.joint_surplus) - 1e-12
    assert float(out.efficiency_loss) == pytest.approx(
        joint(k_fb_num) - joint(float(out.investment)), abs=1e-7 * max(1.0, joint(k_fb_num))
    )


@settings(max_examples=40)
@given(s=st.floats(0.01, 1.0), b1=unit, b2=unit, alpha=alphas, a=scales)
def test_investment_increases_with_investors_bargaining_share(s, b1, b2, alpha, a):
    low, high = sorted((b1, b2))
    k_low = float(pg.holdup(s, low, scale=a, alpha=alpha, investor="buyer").investment)
    k_high = float(pg.holdup(s, high, scale=a, alpha=alpha, investor="buyer").investment)
    assert k_high >= k_low
    if high > low + 1e-6:
        assert k_high > k_low


@settings(max_examples=40)
@given(s=unit, beta=unit, alpha=alphas, a=scales, investor=st.sampled_from(["buyer", "seller"]))
def test_payoffs_add_up_and_partner_gets_its_share_of_quasi_rent(s, beta, alpha, a, investor):
    buyer_weight = beta if investor == "buyer" else 1.0 - beta  # beta: the investor's weight
    out = pg.holdup(s, buyer_weight, scale=a, alpha=alpha, investor=investor)
    k = float(out.investment)
    value = a * k**alpha
    partner = (1.0 - beta) * s * value
    investor_payoff = (1.0 - s * (1.0 - beta)) * value - k
    expected = (partner, investor_payoff) if investor == "seller" else (investor_payoff, partner)
    np.testing.assert_allclose(out.payoffs, expected, rtol=1e-10, atol=1e-12 * max(1.0, value))
    assert float(out.payoffs.sum()) == pytest.approx(float(out.joint_surplus), rel=1e-12, abs=1e-10)
    assert float(out.quasi_rent) == pytest.approx(s * value)


def test_textbook_numbers_full_specificity_equal_weights():
    # V = 2 sqrt(k), c = 1: first best k = 1 (W = 1); theta = 1/2 gives k = 1/4, W = 3/4.
    out = pg.holdup(1.0, 0.5, scale=2.0, alpha=0.5)
    assert float(out.investment) == pytest.approx(0.25)
    assert float(out.first_best_investment) == pytest.approx(1.0)
    assert float(out.joint_surplus) == pytest.approx(0.75)
    assert float(out.efficiency_loss) == pytest.approx(0.25)


def test_broadcasting_shape():
    out = pg.holdup(np.linspace(0, 1, 3)[:, None], np.array([0.8, 0.5, 0.1, 0.0]))
    assert out.payoffs.shape == (3, 4, 2)
    assert out.investment.shape == (3, 4)
    # No specificity, or all bargaining power with the investing seller: first best.
    np.testing.assert_allclose(out.efficiency_loss[0], 0.0, atol=1e-15)
    np.testing.assert_allclose(out.efficiency_loss[:, 3], 0.0, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"specificity": 1.2}, "specificity"),
        ({"specificity": -0.1}, "specificity"),
        ({"specificity": 0.5, "alpha": 1.0}, "alpha"),
        ({"specificity": 0.5, "alpha": 0.0}, "alpha"),
        ({"specificity": float("nan")}, "specificity"),
        ({"specificity": 0.5, "scale": float("inf")}, "scale"),
        ({"specificity": 0.5, "buyer_weight": 1.5}, "buyer_weight"),
        ({"specificity": 0.5, "unit_cost": 0.0}, "unit_cost"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        pg.holdup(**kwargs)


def test_bad_investor():
    with pytest.raises(InvalidParameterError, match="investor"):
        pg.holdup(0.5, investor="china")


def test_share_outside_the_unit_interval_is_refused():
    from pipeline_games.errors import InvalidParameterError
    from pipeline_games.transaction import investment_for_share, surplus_for_share

    with pytest.raises(InvalidParameterError, match=r"share must be in \[0, 1\]; got 2"):
        investment_for_share(2.0, 1.0, 0.5)
    with pytest.raises(InvalidParameterError, match=r"share must be in \[0, 1\]"):
        surplus_for_share(-0.1, 1.0, 0.5)


@pytest.mark.parametrize("function", [pg.surplus_for_share, pg.investment_for_share])
def test_share_functions_name_shapes_that_do_not_broadcast(function):
    with pytest.raises(InvalidParameterError, match=r"share has shape \(3,\).*scale has shape"):
        function(np.ones(3), np.ones((2, 3, 4)), 0.5)
    # shapes that broadcast still work, point by point
    out = function(np.array([0.5, 1.0]), np.ones((3, 1)) * 2.0, 0.5)
    assert out.shape == (3, 2)
    assert np.allclose(out[0], [function(0.5, 2.0, 0.5), function(1.0, 2.0, 0.5)])
