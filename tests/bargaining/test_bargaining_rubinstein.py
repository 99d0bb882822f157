"""Alternating offers: closed forms, backward induction, limits, outside options."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import pipeline_games as pg

discounts = st.floats(0.05, 0.97)


def test_textbook_rubinstein_share():
    # Rubinstein (1982): the first proposer gets (1 - delta1) / (1 - delta0 delta1).
    for delta0, delta1 in [(0.9, 0.9), (0.95, 0.8), (0.5, 0.99)]:
        outcome = pg.rubinstein(pg.BargainingProblem.linear(10.0), discount=(delta0, delta1))
        share = (1 - delta1) / (1 - delta0 * delta1)
        np.testing.assert_allclose(outcome.payoffs, [10 * share, 10 * (1 - share)], rtol=1e-14)
        assert outcome.binding == 0
        second = pg.rubinstein(
            pg.BargainingProblem.linear(10.0), discount=(delta0, delta1), first_mover=1
        )
        share1 = (1 - delta0) / (1 - delta0 * delta1)
        np.testing.assert_allclose(second.payoffs, [10 * (1 - share1), 10 * share1], rtol=1e-14)


@settings(max_examples=60)
@given(
    st.floats(1.0, 100.0),
    discounts,
    discounts,
    st.floats(0.0, 0.4),
    st.floats(0.0, 0.4),
    st.integers(0, 1),
    st.floats(0.0, 0.5),
    st.booleans(),
)
def test_closed_form_matches_long_horizon_backward_induction(
    surplus, delta0, delta1, d0_share, d1_share, mover, breakdown, with_options
):
    problem = pg.BargainingProblem.linear(surplus, (d0_share * surplus, d1_share * surplus))
    options = (0.45 * surplus, 0.3 * surplus) if with_options else None
    kwargs = {
        "discount": (delta0, delta1),
        "first_mover": mover,
        "breakdown": breakdown,
        "outside_options": options,
    }
    infinite = pg.rubinstein(problem, **kwargs)
    if not bool(infinite.agreement):
        return
    # Contraction factor per two periods is b0 b1 < 0.97**2: 4000 periods reach float precision.
    finite = pg.rubinstein(problem, horizon=4001, **kwargs)
    np.testing.assert_allclose(finite.payoffs, infinite.payoffs, rtol=1e-9, atol=1e-9 * surplus)


@settings(max_examples=30)
@given(
    st.floats(1.0, 20.0),
    st.floats(0.3, 1.0),
    st.floats(0.5, 3.0),
    discounts,
    discounts,
    st.integers(0, 1),
)
def test_power_frontier_bisection_matches_backward_induction(
    surplus, exponent, scale, delta0, delta1, mover
):
    problem = pg.BargainingProblem.power(surplus, (0.0, 0.0), scale=scale, exponent=exponent)
    kwargs = {"discount": (delta0, delta1), "first_mover": mover}
    infinite = pg.rubinstein(problem, **kwargs)
    finite = pg.rubinstein(problem, horizon=4001, **kwargs)
    np.testing.assert_allclose(finite.payoffs, infinite.payoffs, rtol=1e-8, atol=1e-8 * surplus)


def test_bisection_agrees_with_linear_closed_form_through_a_power_frontier_of_exponent_one():
    rng = np.random.default_rng(11)
    n = 200
    surplus, scale = rng.uniform(1, 50, n), rng.uniform(0.3, 3, n)
    delta = rng.uniform(0.1, 0.99, (2, n))
    options = (rng.uniform(0, 0.6, n) * surplus, rng.uniform(0, 0.6, n) * scale * surplus)
    linear = pg.BargainingProblem.linear(surplus, rate=scale)
    power = pg.BargainingProblem.power(surplus, scale=scale, exponent=1.0)
    a = pg.rubinstein(linear, discount=tuple(delta), outside_options=options)
    b = pg.rubinstein(power, discount=tuple(delta), outside_options=options)
    np.testing.assert_allclose(a.payoffs, b.payoffs, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(a.binding, b.binding)


@pytest.mark.parametrize(("rate0", "rate1"), [(0.1, 0.3), (0.5, 0.5), (0.02, 0.2)])
def test_short_periods_converge_to_weighted_nash_linear(rate0, rate1):
    problem = pg.BargainingProblem.linear(100.0, (10.0, 25.0))
    nash = pg.nash(problem, weight=rate1 / (rate0 + rate1)).payoffs
    errors = []
    for period in [1.0, 0.1, 0.01, 0.001, 1e-4]:
        payoffs = pg.rubinstein(problem, rates=(rate0, rate1), period=period).payoffs
        errors.append(np.abs(payoffs - nash).max())
    assert errors[-1] < 1e-3
    assert all(later <= earlier + 1e-12 for earlier, later in itertools.pairwise(errors))


def test_short_periods_converge_to_weighted_nash_power_frontier():
    # Oracle: the weighted Nash solution computed independently with minimize_scalar.
    surplus, exponent, rate0, rate1 = 4.0, 0.5, 0.2, 0.1
    weight = rate1 / (rate0 + rate1)
    oracle = minimize_scalar(
        lambda u0: -(weight * np.log(u0) + (1 - weight) * np.log((surplus - u0) ** exponent)),
        bounds=(0, surplus),
        method="bounded",
        options={"xatol": 1e-12},
    ).x
    problem = pg.BargainingProblem.power(surplus, exponent=exponent)
    payoffs = pg.rubinstein(problem, rates=(rate0, rate1), period=1e-5).payoffs
    assert payoffs[0] == pytest.approx(oracle, rel=1e-4)


def test_inside_options_match_muthoo_closed_form():
    # Muthoo (1999, ch. 6): x = g0 + (1 - delta1)(S - g0 - g1) / (1 - delta0 delta1).
    surplus, g0, g1, delta0, delta1 = 50.0, 5.0, 12.0, 0.9, 0.85
    outcome = pg.rubinstein(
        pg.BargainingProblem.linear(surplus), discount=(delta0, delta1), inside_options=(g0, g1)
    )
    expected = g0 + (1 - delta1) * (surplus - g0 - g1) / (1 - delta0 * delta1)
    np.testing.assert_allclose(outcome.payoffs, [expected, surplus - expected], rtol=1e-14)


@settings(max_examples=60)
@given(discounts, discounts, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_outside_option_principle(delta0, delta1, w0, w1):
    """Each option binds exactly when it beats what its owner gets without it."""
    problem = pg.BargainingProblem.linear(1.0)
    if w0 + w1 >= 1.0:
        w1 = 0.99 - w0 if w0 < 0.99 else 0.0
    plain = pg.rubinstein(problem, discount=(delta0, delta1))
    share = (1 - delta1) / (1 - delta0 * delta1)  # proposer's share
    responder1_value = 1 - share  # seller as responder when the buyer proposes
    responder0_value = delta0 * share  # buyer as responder when the seller proposes
    outcome = pg.rubinstein(problem, discount=(delta0, delta1), outside_options=(w0, w1))
    if w0 <= responder0_value and w1 <= responder1_value:
        # Neither option exceeds its owner's equilibrium payoff: the outcome is unchanged.
        np.testing.assert_allclose(outcome.payoffs, plain.payoffs, rtol=1e-12, atol=1e-12)
    if w0 <= delta0 * (1 - w1) and w1 > responder1_value:
        # Only the seller's option binds: the buyer offers exactly w1 (Muthoo 1999, Thm 5.1).
        np.testing.assert_allclose(outcome.payoffs, [1 - w1, w1], rtol=1e-12, atol=1e-12)
        assert outcome.binding == pg.BINDING_OUTSIDE_1


def test_both_outside_options_bind():
    # delta = 0.5, w = (0.45, 0.45): each option exceeds what its owner could get otherwise.
    outcome = pg.rubinstein(
        pg.BargainingProblem.linear(1.0), discount=(0.5, 0.5), outside_options=(0.45, 0.45)
    )
    np.testing.assert_allclose(outcome.payoffs, [0.55, 0.45])
    assert outcome.binding == pg.BINDING_BOTH
    assert str(outcome.labels()) == "both"


def test_no_agreement_when_outside_options_exhaust_the_surplus():
    outcome = pg.rubinstein(
        pg.BargainingProblem.linear(1.0), discount=(0.9, 0.9), outside_options=(0.6, 0.5)
    )
    assert not bool(outcome.agreement)
    np.testing.assert_allclose(outcome.payoffs, [0.6, 0.5])


def test_breakdown_limits():
    problem = pg.BargainingProblem.linear(100.0, (10.0, 20.0))
    # Certain breakdown after a rejection: an ultimatum game, the proposer takes all but d.
    ultimatum = pg.rubinstein(problem, discount=(0.9, 0.9), breakdown=1.0)
    np.testing.assert_allclose(ultimatum.payoffs, [80.0, 20.0])
    near = pg.rubinstein(problem, discount=(0.9, 0.9), breakdown=1 - 1e-9)
    np.testing.assert_allclose(near.payoffs, [80.0, 20.0], rtol=1e-7)
    # Vanishing breakdown risk: continuity to the plain discounting game.
    plain = pg.rubinstein(problem, discount=(0.9, 0.8))
    tiny = pg.rubinstein(problem, discount=(0.9, 0.8), breakdown=1e-12)
    np.testing.assert_allclose(tiny.payoffs, plain.payoffs, rtol=1e-9)
    # Binmore-Rubinstein-Wolinsky: patient players, small breakdown risk -> symmetric Nash at d.
    patient = pg.rubinstein(problem, discount=(1 - 1e-12, 1 - 1e-12), breakdown=1e-6)
    np.testing.assert_allclose(patient.payoffs, pg.nash(problem).payoffs, rtol=1e-5)


def test_rubinstein_broadcasts_like_pointwise_calls():
    surplus = np.linspace(10, 100, 12).reshape(3, 4)
    delta1 = np.array([0.5, 0.7, 0.9, 0.95])
    outside = np.array([[0.0], [30.0], [60.0]])
    problem = pg.BargainingProblem.linear(surplus)
    outcome = pg.rubinstein(problem, discount=(0.9, delta1), outside_options=(0.0, outside))
    assert outcome.payoffs.shape == (3, 4, 2)
    for i in range(3):
        for j in range(4):
            single = pg.rubinstein(
                pg.BargainingProblem.linear(surplus[i, j]),
                discount=(0.9, delta1[j]),
                outside_options=(0.0, outside[i, 0]),
            )
            np.testing.assert_allclose(outcome.payoffs[i, j], single.payoffs, rtol=1e-14)
            assert outcome.binding[i, j] == single.binding


def test_linear_fast_path_matches_general_path_with_and_without_deals():
    # The linear, buyer-first closed form (with its short cuts) against the general code path
    # (bisection on a power frontier of exponent 1), on points where outside options fall
    # below and above the impasse payoffs and where some points have no deal at all.
    rng = np.random.default_rng(5)
    n = 50_000
    surplus = rng.uniform(10, 100, n)
    for d in [(0.0, 0.0), (5.0, 8.0)]:
        for w_scale in [0.3, 0.9]:
            options = (rng.uniform(0, w_scale, n) * surplus, rng.uniform(0, w_scale, n) * surplus)
            fast = pg.rubinstein(
                pg.BargainingProblem.linear(surplus, d),
                discount=(0.9, 0.8),
                outside_options=options,
            )
            general = pg.rubinstein(
                pg.BargainingProblem.power(surplus, d, exponent=1.0),
                discount=(0.9, 0.8),
                outside_options=options,
            )
            assert 0 < fast.agreement.mean() <= 1
            np.testing.assert_array_equal(fast.agreement, general.agreement)
            np.testing.assert_allclose(fast.payoffs, general.payoffs, rtol=1e-9, atol=1e-9)
            np.testing.assert_array_equal(fast.binding, general.binding)


def test_huge_horizon_is_the_infinite_game_and_returns_at_once():
    # Backward induction stops once a two-period cycle no longer moves the outcome; the
    # answer for a horizon of 10^9 periods is the stationary one (and the parity is kept:
    # two short horizons of each parity checked by hand).
    line = pg.BargainingProblem.linear(1.0)
    huge = pg.rubinstein(line, discount=(0.9, 0.8), horizon=10**9)
    infinite = pg.rubinstein(line, discount=(0.9, 0.8))
    np.testing.assert_allclose(huge.payoffs, infinite.payoffs, rtol=1e-12)
    np.testing.assert_allclose(
        pg.rubinstein(line, discount=(0.9, 0.8), horizon=2).payoffs, [0.2, 0.8]
    )
    np.testing.assert_allclose(
        pg.rubinstein(line, discount=(0.9, 0.8), horizon=3).payoffs, [0.92, 0.08]
    )
