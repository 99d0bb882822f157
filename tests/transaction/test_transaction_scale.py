"""Right at every scale: the transaction-cost models in other money units.

Multiplying every money amount by ``k`` (the value scale ``a``, the unit cost ``c`` and every
fixed cost, penalty and intercept) leaves the investment, the shares and the choices
unchanged and multiplies surpluses, payoffs and quasi-rents by ``k``: the investment
``(alpha a theta / c)^(1/(1-alpha))`` depends only on the ratio ``a / c``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

FACTOR = st.floats(-12.0, 12.0).map(lambda exponent: 10.0**exponent)
UNIT = st.floats(0.0, 1.0)
RTOL = 1e-9


def close(base, scaled, factor, size):
    np.testing.assert_allclose(np.asarray(scaled) / factor, base, rtol=RTOL, atol=RTOL * size)


TECHNOLOGY = st.fixed_dictionaries(
    {
        "scale": st.floats(0.5, 4.0),
        "alpha": st.floats(0.1, 0.8),
        "unit_cost": st.floats(0.5, 2.0),
    }
)


def money(technology, k):
    return {
        **technology,
        "scale": k * technology["scale"],
        "unit_cost": k * technology["unit_cost"],
    }


@settings(max_examples=100)
@given(
    tech=TECHNOLOGY, s=UNIT, w=UNIT, factor=FACTOR, investor=st.sampled_from(["buyer", "seller"])
)
def test_holdup_is_unit_free(tech, s, w, factor, investor):
    one = pg.holdup(s, w, investor=investor, **money(tech, 1.0))
    other = pg.holdup(s, w, investor=investor, **money(tech, factor))
    size = float(one.first_best_surplus) + float(one.first_best_investment) * tech["unit_cost"]
    np.testing.assert_allclose(other.investment, one.investment, rtol=RTOL)
    for name in ("joint_surplus", "efficiency_loss", "payoffs", "quasi_rent", "appropriated"):
        close(getattr(one, name), getattr(other, name), factor, size)


@settings(max_examples=100)
@given(
    tech=TECHNOLOGY,
    s=UNIT,
    w=UNIT,
    factor=FACTOR,
    costs=st.tuples(*(st.floats(0.0, 0.3) for _ in range(4))),
    penalty=st.floats(0.0, 3.0),
    equity=st.floats(0.05, 0.95),
    renegotiation=UNIT,
    interest=st.floats(0.0, 0.5),
    dilution=st.floats(0.0, 0.9),
)
def test_governance_is_unit_free(
    tech, s, w, factor, costs, penalty, equity, renegotiation, interest, dilution
):
    enforcement, venture, loan, bureaucratic = costs

    def forms(k):
        t = money(tech, k)
        return {
            "spot": pg.spot(s, w, **t),
            "long_term_contract": pg.long_term_contract(
                s,
                w,
                renegotiation_probability=renegotiation,
                enforcement_cost=k * enforcement,
                **t,
            ),
            "joint_venture": pg.joint_venture(
                s, w, buyer_equity=equity, venture_cost=k * venture, **t
            ),
            "prepayment_loan": pg.prepayment_loan(
                s,
                w,
                interest_rate=interest,
                default_penalty=k * penalty,
                loan_cost=k * loan,
                **t,
            ),
            "integration": pg.integration(
                s, w, bureaucratic_cost=k * bureaucratic, incentive_dilution=dilution, **t
            ),
            "best": pg.best_governance(
                s,
                w,
                renegotiation_probability=renegotiation,
                enforcement_cost=k * enforcement,
                buyer_equity=equity,
                venture_cost=k * venture,
                interest_rate=interest,
                default_penalty=k * penalty,
                loan_cost=k * loan,
                bureaucratic_cost=k * bureaucratic,
                incentive_dilution=dilution,
                **t,
            ),
        }

    one, other = forms(1.0), forms(factor)
    size = (
        1.0
        + float(pg.spot(0.0, **tech).surplus)
        + tech["unit_cost"] * float(pg.spot(0.0, **tech).investment)
    )
    for name in ("spot", "long_term_contract", "joint_venture", "prepayment_loan", "integration"):
        np.testing.assert_allclose(other[name].investment, one[name].investment, rtol=RTOL)
        close(one[name].surplus, other[name].surplus, factor, size)
        close(one[name].payoffs, other[name].payoffs, factor, size)
        close(one[name].quasi_rent, other[name].quasi_rent, factor, size)
    close(one["best"].surplus, other["best"].surplus, factor, size)
    ordered = np.sort(one["best"].surplus)
    if ordered[-1] - ordered[-2] > 1e-6 * size:  # no near-tie: the choice is the same
        assert one["best"].labels() == other["best"].labels()


@settings(max_examples=100)
@given(
    k=st.floats(0.0, 3.0),
    factor=FACTOR,
    market=st.tuples(st.floats(0.0, 1.0), st.floats(2.0, 4.0)),
    hybrid=st.tuples(st.floats(1.5, 2.5), st.floats(1.0, 1.9)),
    hierarchy=st.tuples(st.floats(3.0, 4.0), st.floats(0.0, 0.9)),
)
def test_alignment_is_unit_free(k, factor, market, hybrid, hierarchy):
    one = pg.discriminating_alignment(k, market, hybrid, hierarchy)
    scaled = [tuple(factor * value for value in pair) for pair in (market, hybrid, hierarchy)]
    other = pg.discriminating_alignment(k, *scaled)
    close(one.costs, other.costs, factor, 10.0)
    for name in ("market_hybrid", "hybrid_hierarchy", "market_hierarchy"):
        np.testing.assert_allclose(getattr(other, name), getattr(one, name), rtol=RTOL)
    costs = np.sort(one.costs)
    if costs[1] - costs[0] > 1e-6:
        assert one.labels() == other.labels()


@settings(max_examples=100)
@given(tech=TECHNOLOGY, w=st.floats(0.05, 1.0), o=UNIT, d=st.floats(0.0, 1.0), factor=FACTOR)
def test_diversification_is_unit_free(tech, w, o, d, factor):
    one = pg.diversification(o, buyer_weight=w, defensive_cost=d, **money(tech, 1.0))
    other = pg.diversification(o, buyer_weight=w, defensive_cost=factor * d, **money(tech, factor))
    size = 1.0 + float(one.value) + d
    close(one.payoffs, other.payoffs, factor, size)
    close(one.marginal_gain, other.marginal_gain, factor, size)
    best = pg.buyer_optimal_outside_option(buyer_weight=w, defensive_cost=d, **money(tech, 1.0))
    best_scaled = pg.buyer_optimal_outside_option(
        buyer_weight=w, defensive_cost=factor * d, **money(tech, factor)
    )
    np.testing.assert_allclose(best_scaled.outside_option, best.outside_option, atol=1e-9)
    close(best.payoffs, best_scaled.payoffs, factor, size)
    crit = pg.critical_defensive_cost(o, buyer_weight=w, **money(tech, 1.0))
    crit_scaled = pg.critical_defensive_cost(o, buyer_weight=w, **money(tech, factor))
    close(crit, crit_scaled, factor, size)


def test_overflowing_technology_is_refused_with_the_finite_range():
    """alpha near 1 with alpha * scale / unit_cost above 1: the investment leaves float64."""
    # (0.99 * 1e4 * 0.75)^100 = 10^386.9: beyond 1.8e308.
    with pytest.raises(InvalidParameterError, match=r"about 1e387 .*alpha=0\.99, scale=10000"):
        pg.best_governance(0.5, alpha=0.99, scale=1e4)
    with pytest.raises(InvalidParameterError, match="finite only where"):
        pg.spot(0.5, alpha=0.999, scale=10.0)
    with pytest.raises(InvalidParameterError, match="overflows float64"):
        pg.holdup(0.5, alpha=0.999, scale=10.0)
    with pytest.raises(InvalidParameterError, match="overflows float64"):
        pg.diversification(0.3, alpha=0.999, scale=3.0)
    # Inside the range the same alpha is fine: (0.999 * 0.75)^1000 is about 1e-126.
    out = pg.holdup(0.5, alpha=0.999, scale=1.0)
    assert np.isfinite(out.payoffs).all()
    np.testing.assert_allclose(out.investment, (0.999 * 0.75) ** 1000, rtol=1e-9)
