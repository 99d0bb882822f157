"""Governance forms and Williamson's discriminating alignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

unit = st.floats(0.0, 1.0)
interior = st.floats(0.05, 0.95)


def _brute_surplus(share: float, a: float, alpha: float, c: float = 1.0) -> float:
    """Surplus at the investment a party with marginal share ``share`` picks, by scipy."""
    upper = 2.0 * (alpha * a * max(share, 1.0) / c) ** (1.0 / (1.0 - alpha)) + 1e-9
    res = minimize_scalar(
        lambda k: -(share * a * k**alpha - c * k),
        bounds=(0.0, upper),
        method="bounded",
        options={"xatol": 1e-12},
    )
    k = float(res.x)
    return a * k**alpha - c * k


@settings(max_examples=30)
@given(s=unit, w=unit, r=unit, e=st.floats(0, 0.3), a=st.floats(0.5, 5), alpha=interior)
def test_contract_surplus_matches_brute_force(s, w, r, e, a, alpha):
    out = pg.long_term_contract(
        s, w, renegotiation_probability=r, enforcement_cost=e, scale=a, alpha=alpha
    )
    theta = (1 - r) + r * (1 - w * s)
    assert float(out.surplus) == pytest.approx(
        _brute_surplus(theta, a, alpha) - e, rel=1e-6, abs=1e-7
    )
    # Payoffs add up to the surplus (the contract price is a transfer).
    assert float(out.payoffs.sum()) == pytest.approx(float(out.surplus), rel=1e-12, abs=1e-10)


@settings(max_examples=30)
@given(s=unit, w=unit, sigma=interior, a=st.floats(0.5, 5), alpha=interior)
def test_joint_venture_investment_is_what_both_partners_approve(s, w, sigma, a, alpha):
    out = pg.joint_venture(s, w, buyer_equity=sigma, scale=a, alpha=alpha)

    def partner_best(equity: float, weight: float) -> float:
        # A partner's payoff: equity share of outside value, weight share of the quasi-rent,
        # minus its equity share of the cost; its preferred investment, by scipy.
        # Bracket only: three times the size at which marginal return equals marginal cost.
        ratio = (equity * (1 - s) + weight * s) / equity
        upper = 3.0 * (alpha * a * ratio) ** (1 / (1 - alpha)) + 1e-9
        res = minimize_scalar(
            lambda k: -((equity * (1 - s) + weight * s) * a * k**alpha - equity * k),
            bounds=(0.0, upper),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return float(res.x)

    k_buyer, k_seller = partner_best(sigma, w), partner_best(1 - sigma, 1 - w)
    expected = min(k_buyer, k_seller)
    assert float(out.investment) == pytest.approx(expected, rel=1e-4, abs=1e-7)
    assert float(out.payoffs.sum()) == pytest.approx(float(out.surplus), rel=1e-12, abs=1e-9)
    # Each side's quasi-rent is its equity in the specific part of the value.
    value = a * float(out.investment) ** alpha
    np.testing.assert_allclose(out.quasi_rent, [sigma * s * value, (1 - sigma) * s * value])


def test_joint_venture_equity_matching_bargaining_power_reaches_first_best():
    out = pg.joint_venture(0.9, 0.3, buyer_equity=0.3, scale=2.0, alpha=0.5)
    assert float(out.investment) == pytest.approx(1.0)  # (0.5 * 2)^2


def test_spot_and_holdup_agree():
    spot = pg.spot(0.7, 0.4, scale=3.0, alpha=0.3)
    hold = pg.holdup(0.7, 0.4, scale=3.0, alpha=0.3)  # the same buyer weight
    np.testing.assert_allclose(spot.payoffs, hold.payoffs)
    assert float(spot.surplus) == pytest.approx(float(hold.joint_surplus))
    assert str(spot.quasi_rent_bearer) == "seller"


def test_prepayment_loan_default_option():
    # k_FB = 1, L = 1. Repayment 1.2 > penalty 1 -> default, penalty lost.
    out = pg.prepayment_loan(0.5, 0.5, interest_rate=0.2, default_penalty=1.0, scale=2.0)
    # V(1) = 2 with alpha = 0.5 and scale 2: surplus = 2 - 1 - 1.
    assert float(out.surplus) == pytest.approx(0.0)
    assert float(out.payoffs[0]) == pytest.approx(0.5 * 0.5 * 2 - 1.0)  # rent share - loan
    repay = pg.prepayment_loan(0.5, 0.5, interest_rate=0.2, default_penalty=1.5, scale=2.0)
    assert float(repay.surplus) == pytest.approx(1.0)
    assert float(repay.payoffs[0]) == pytest.approx(0.5 * 0.5 * 2 - 1.0 + 1.2)
    assert str(repay.quasi_rent_bearer) == "both"


def test_integration_has_no_exposed_quasi_rent():
    out = pg.integration(0.9, 0.5, bureaucratic_cost=0.1, incentive_dilution=0.2)
    assert str(out.quasi_rent_bearer) == "none"
    assert float(out.surplus) == pytest.approx(_brute_surplus(0.8, 1.0, 0.5) - 0.1, abs=1e-8)


@settings(max_examples=25)
@given(
    s=unit,
    w=unit,
    r=unit,
    e=st.floats(0, 0.2),
    sigma=interior,
    vc=st.floats(0, 0.2),
    lc=st.floats(0, 0.2),
    bc=st.floats(0, 0.2),
    dil=st.floats(0, 0.9),
)
def test_best_governance_matches_each_form(s, w, r, e, sigma, vc, lc, bc, dil):
    forms = [
        pg.spot(s, w),
        pg.long_term_contract(s, w, renegotiation_probability=r, enforcement_cost=e),
        pg.joint_venture(s, w, buyer_equity=sigma, venture_cost=vc),
        pg.prepayment_loan(s, w, loan_cost=lc),
        pg.integration(s, w, bureaucratic_cost=bc, incentive_dilution=dil),
    ]
    choice = pg.best_governance(
        s,
        w,
        renegotiation_probability=r,
        enforcement_cost=e,
        buyer_equity=sigma,
        venture_cost=vc,
        loan_cost=lc,
        bureaucratic_cost=bc,
        incentive_dilution=dil,
    )
    surpluses = np.array([float(f.surplus) for f in forms])
    np.testing.assert_allclose(choice.surplus, surpluses, atol=1e-12)
    assert float(choice.best_surplus) == pytest.approx(surpluses.max())


def test_best_governance_vectorized_shape():
    choice = pg.best_governance(np.linspace(0, 1, 5)[:, None], np.linspace(0, 1, 3))
    assert choice.surplus.shape == (5, 3, len(pg.GOVERNANCE_FORMS))
    assert choice.best.shape == (5, 3)


@pytest.mark.parametrize(
    ("func", "kwargs", "name"),
    [
        (pg.spot, {"specificity": 2.0}, "specificity"),
        (
            pg.long_term_contract,
            {"specificity": 0.5, "renegotiation_probability": -1},
            "renegotiation_probability",
        ),
        (pg.joint_venture, {"specificity": 0.5, "buyer_equity": 1.0}, "buyer_equity"),
        (
            pg.prepayment_loan,
            {"specificity": 0.5, "default_penalty": float("nan")},
            "default_penalty",
        ),
        (pg.integration, {"specificity": 0.5, "alpha": 1.5}, "alpha"),
        (pg.best_governance, {"specificity": 0.5, "enforcement_cost": -1.0}, "enforcement_cost"),
    ],
)
def test_governance_bad_input(func, kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        func(**kwargs)


# -- Williamson's discriminating alignment ------------------------------------------------
def test_switch_points_toy_example():
    # M = 1 + 3k, X = 2 + 1.5k: 1 + 3k = 2 + 1.5k -> k1 = 1 / 1.5; X = H = 3 + 0.5k -> k2 = 1.
    k1, k2, kmh = pg.switch_points(market=(1, 3), hybrid=(2, 1.5), hierarchy=(3, 0.5))
    assert float(k1) == pytest.approx(2 / 3)
    assert float(k2) == pytest.approx(1.0)
    assert float(kmh) == pytest.approx(0.8)


ordered = st.tuples(
    st.floats(0, 5),
    st.floats(0.1, 5),
    st.floats(0.1, 5),  # m0, x0 - m0, h0 - x0
    st.floats(0, 3),
    st.floats(0.1, 3),
    st.floats(0.1, 3),  # h1, x1 - h1, m1 - x1
)


@settings(max_examples=60)
@given(c=ordered)
def test_switch_points_against_brute_force_grid(c):
    m0, dx, dh, h1, dx1, dm1 = c
    x0, h0 = m0 + dx, m0 + dx + dh
    x1, m1 = h1 + dx1, h1 + dx1 + dm1
    curves = {"market": (m0, m1), "hybrid": (x0, x1), "hierarchy": (h0, h1)}
    k1, k2, kmh = (float(v) for v in pg.switch_points(**curves))
    grid = np.linspace(0.0, 3.0 * max(k1, k2, kmh) + 1.0, 20001)
    out = pg.discriminating_alignment(grid, **curves)
    # Brute force: cheapest form on the grid by direct evaluation, and where it changes.
    costs = np.stack([m0 + m1 * grid, x0 + x1 * grid, h0 + h1 * grid], axis=-1)
    np.testing.assert_allclose(out.costs, costs)
    best = np.argmin(costs, axis=-1)
    np.testing.assert_array_equal(out.best, best)
    changes = grid[1:][np.diff(best) != 0]
    step = grid[1] - grid[0]
    if k2 - k1 > 4 * step:
        assert changes.size == 2
        assert changes[0] == pytest.approx(k1, abs=2 * step)
        assert changes[1] == pytest.approx(k2, abs=2 * step)
    elif k1 - k2 > 4 * step:
        assert changes.size == 1
        assert changes[0] == pytest.approx(kmh, abs=2 * step)
    else:  # the switch points are within the grid's resolution: each change is near one
        for change in changes:
            assert min(abs(change - k) for k in (k1, k2, kmh)) <= 2 * step


@pytest.mark.parametrize(
    "curves",
    [
        {"market": (2, 3), "hybrid": (1, 1.5), "hierarchy": (3, 0.5)},  # m0 > x0
        {"market": (1, 3), "hybrid": (2, 1.5), "hierarchy": (1.5, 0.5)},  # x0 > h0
        {"market": (1, 1), "hybrid": (2, 1.5), "hierarchy": (3, 0.5)},  # m1 < x1
        {"market": (1, 3), "hybrid": (2, 0.4), "hierarchy": (3, 0.5)},  # x1 < h1
        {"market": (1, 3), "hybrid": (2, 1.5), "hierarchy": (3, -0.5)},  # h1 < 0
    ],
)
def test_ordering_violations_raise(curves):
    with pytest.raises(InvalidParameterError, match="must satisfy"):
        pg.switch_points(**curves)


def test_a_subnormal_equity_share_is_handled_without_overflow():
    # buyer_equity -> 0: the buyer's incentive ratio w / equity overflows, the seller's
    # (1 - w) / (1 - equity) -> 1 - w stays finite, and the minimum is the seller's.
    tiny = pg.joint_venture(1.0, 0.5, buyer_equity=5e-324, scale=2.0, alpha=0.5)
    small = pg.joint_venture(1.0, 0.5, buyer_equity=1e-12, scale=2.0, alpha=0.5)
    assert np.isfinite(tiny.surplus)
    assert np.isfinite(tiny.payoffs).all()
    np.testing.assert_allclose(tiny.surplus, small.surplus, rtol=1e-9)
    assert np.isfinite(pg.best_governance(0.0, 1.0, buyer_equity=5e-324).surplus).all()
