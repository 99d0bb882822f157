"""Regime rule on sourced inputs, and the diversification condition against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError


# -- regimes ------------------------------------------------------------------------------
def test_classification_moves_with_the_thresholds_not_the_names():
    # A dependent seller (important trade, poor alternative) and an independent buyer.
    inputs = {"dependence": (0.5, 0.8), "outside_option": (0.9, 0.3), "shared_assets": 0.0}
    assert str(pg.classify_regime(**inputs).labels()) == "one_sided_dependence"
    # Move the outside-option threshold below the seller's option: no longer dependent.
    below = pg.classify_regime(**inputs, outside_option_threshold=0.3 - 1e-3)
    assert str(below.labels()) == "alternatives_on_both_sides"
    # Shared assets at or above their threshold make it mutual dependence.
    shared = pg.classify_regime(**{**inputs, "shared_assets": 0.5}, shared_assets_threshold=0.5)
    assert str(shared.labels()) == "mutual_dependence"
    # An importance threshold above both trade shares turns it into a spot trade.
    spot = pg.classify_regime(**inputs, importance_threshold=0.9)
    assert str(spot.labels()) == "no_dependence"


@settings(max_examples=100)
@given(
    dep=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    opt=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    shared=st.floats(0, 0.5),
)
def test_rule_written_out_by_hand(dep, opt, shared):
    important = [d >= 0.1 for d in dep]
    dependent = [important[i] and opt[i] < 0.5 for i in range(2)]
    if (dependent[0] and dependent[1]) or shared >= 0.25:
        expected = "mutual_dependence"
    elif dependent[0] != dependent[1]:
        expected = "one_sided_dependence"
    elif important[0] and important[1]:
        expected = "alternatives_on_both_sides"
    else:
        expected = "no_dependence"
    assert str(pg.classify_regime(dep, opt, shared).labels()) == expected


def test_regime_bad_input():
    with pytest.raises(InvalidParameterError, match="dependence"):
        pg.classify_regime((1.5, 0.2), (0.5, 0.5))
    with pytest.raises(InvalidParameterError, match="outside_option"):
        pg.classify_regime((0.5, 0.2), (np.nan, 0.5))


def test_regime_vectorized():
    out = pg.classify_regime((np.array([0.5, 0.5]), 0.75), (1.0, np.array([0.3, 0.7])))
    assert out.labels().tolist() == ["one_sided_dependence", "alternatives_on_both_sides"]


# -- diversification ----------------------------------------------------------------------
weights = st.floats(0.05, 1.0)
alphas = st.floats(0.1, 0.9)
scales = st.floats(0.5, 5.0)


def _brute_buyer_payoff(o, w, a, alpha, c, d):
    """Buyer payoff with the seller's investment found by scipy (independent of the code)."""
    upper = 3.0 * (alpha * a / c) ** (1 / (1 - alpha)) + 1e-9

    def seller(e: float) -> float:
        return o * a * e**alpha + (1 - w) * (1 - o) * a * e**alpha - c * e

    res = minimize_scalar(
        lambda e: -seller(e), bounds=(0.0, upper), method="bounded", options={"xatol": 1e-13}
    )
    # A bounded search never lands exactly on the bound: compare with investing nothing.
    investment = float(res.x) if seller(float(res.x)) > seller(0.0) else 0.0
    return w * (1 - o) * a * investment**alpha - d * (1 - o)


@settings(max_examples=25)
@given(o=st.floats(0, 1), w=weights, a=scales, alpha=alphas, d=st.floats(0, 2))
def test_buyer_payoff_matches_brute_force(o, w, a, alpha, d):
    code = float(pg.buyer_payoff(o, buyer_weight=w, scale=a, alpha=alpha, defensive_cost=d))
    brute = _brute_buyer_payoff(o, w, a, alpha, 1.0, d)
    assert code == pytest.approx(brute, rel=1e-4, abs=1e-5)


@settings(max_examples=40)
@given(o=st.floats(1e-4, 0.98), w=weights, a=scales, alpha=alphas, d=st.floats(0, 2))
def test_marginal_gain_is_the_derivative(o, w, a, alpha, d):
    kw = {"buyer_weight": w, "scale": a, "alpha": alpha, "defensive_cost": d}
    h = 1e-6
    numeric = (float(pg.buyer_payoff(o + h, **kw)) - float(pg.buyer_payoff(o - h, **kw))) / (2 * h)
    analytic = float(pg.marginal_diversification_gain(o, **kw))
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-4)


@settings(max_examples=40)
@given(w=st.floats(0.05, 0.99), a=scales, alpha=alphas)
@example(w=0.8999999999999999, a=1.0, alpha=0.1)  # w = 1 - alpha: D_crit is 0 up to rounding
def test_condition_at_its_boundary(w, a, alpha):
    kw = {"buyer_weight": w, "scale": a, "alpha": alpha}
    critical = float(pg.critical_defensive_cost(0.0, **kw))
    eps = 1e-6 * max(1.0, critical)
    above = float(pg.marginal_diversification_gain(0.0, defensive_cost=critical + eps, **kw))
    assert above > 0.0
    if critical > eps:  # a boundary within eps of 0 (rounding) has no valid D below it
        below = float(pg.marginal_diversification_gain(0.0, defensive_cost=critical - eps, **kw))
        assert below < 0.0
    if critical > 1e-3:
        # A small move away from o = 0 loses when D is well below the boundary.
        lose = pg.diversification_gain(0.0, 1e-6, defensive_cost=0.5 * critical, **kw)
        assert float(lose) < 0.0
    # Closed form of the boundary: w K (1 - w)^(gamma - 1) (1 - w / (1 - alpha)), K for c = 1.
    gamma = alpha / (1 - alpha)
    k_const = a * (alpha * a) ** gamma
    formula = max(0.0, w * k_const * (1 - w) ** (gamma - 1) * (1 - w / (1 - alpha)))
    assert critical == pytest.approx(formula, rel=1e-10, abs=1e-12)


@settings(max_examples=25)
@given(w=weights, a=scales, alpha=alphas, d=st.floats(0, 3))
def test_buyer_optimal_option_beats_a_grid(w, a, alpha, d):
    kw = {"buyer_weight": w, "scale": a, "alpha": alpha, "defensive_cost": d}
    best = pg.buyer_optimal_outside_option(**kw)
    grid = np.linspace(0.0, 1.0, 20001)
    payoffs = pg.buyer_payoff(grid, **kw)
    assert float(best.payoffs[0]) >= payoffs.max() - 1e-9
    assert float(best.outside_option) == pytest.approx(grid[np.argmax(payoffs)], abs=2e-3)


@settings(max_examples=25)
@given(w=weights, alpha=alphas)
def test_optimal_option_closed_form_without_defensive_cost(w, alpha):
    best = pg.buyer_optimal_outside_option(buyer_weight=w, alpha=alpha)
    assert float(best.outside_option) == pytest.approx(max(0.0, 1 - (1 - alpha) / w), abs=1e-9)


def test_diversification_outcome_consistent():
    out = pg.diversification(np.array([0.0, 0.3]), buyer_weight=0.6, alpha=0.4, defensive_cost=0.1)
    np.testing.assert_allclose(
        out.payoffs[:, 0],
        pg.buyer_payoff(np.array([0.0, 0.3]), buyer_weight=0.6, alpha=0.4, defensive_cost=0.1),
    )
    np.testing.assert_allclose(out.quasi_rent, (1 - np.array([0.0, 0.3])) * out.value)


def test_diversification_bad_input():
    with pytest.raises(InvalidParameterError, match="outside_option"):
        pg.buyer_payoff(1.2)
    with pytest.raises(InvalidParameterError, match="defensive_cost"):
        pg.buyer_payoff(0.5, defensive_cost=-1.0)
    with pytest.raises(InvalidParameterError, match="alpha"):
        pg.buyer_optimal_outside_option(alpha=1.0)
