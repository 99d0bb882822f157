"""The gas cases' claims as tests that can fail: closed forms for the derivatives the claims
test, the mechanisms that make them fail, and the upstream veto as a constraint."""

from __future__ import annotations

import math

import pytest

from pipeline_games.cases import load


def verdicts(case):
    return {r.claim.id: r for r in case.check(samples=0).results}


@pytest.fixture(scope="module")
def russia():
    return load("china-russia-gas")


@pytest.fixture(scope="module")
def turkmen():
    return load("china-turkmenistan-gas")


def test_far_east_route_price_moves_with_lng_by_the_sellers_weight(russia):
    """With LNG China's alternative and none for Russia, the Nash-in-Nash price is
    ``w_R v_LNG + (1 - w_R) c``, w_R = r_C / (r_C + r_R): dp/dLNG = w_R, then / (1 - theta)."""
    values = russia.epoch_values(russia.base, 2014)
    r_c, r_r = float(values["china_rate"]), float(values["russia_rate"])
    theta = float(values["upstream_stake"])
    result = verdicts(russia)["far-east-route-competes-with-lng-2014"]
    assert result.verdict == "holds"
    expected = r_c / (r_c + r_r) / (1.0 - theta)
    assert result.details["derivative"] == pytest.approx(expected, rel=1e-6)


def test_europe_ties_the_western_route_price_by_chinas_weight(russia):
    """In 2006 Russia's alternative for the Western route's gas is Europe at the netback
    ``keep x P_EU - transport``; it moves the price by ``keep x w_C``, w_C = r_R / (r_C + r_R)."""
    values = russia.epoch_values(russia.base, 2006)
    r_c, r_r = float(values["china_rate"]), float(values["russia_rate"])
    keep = float(values["export_duty_keep"])
    result = verdicts(russia)["europe-tie-2006"]
    assert result.verdict == "holds"
    assert result.details["derivative"] == pytest.approx(keep * r_r / (r_c + r_r), rel=1e-6)
    # Without a European outlet for the gas the tie is gone and the claim fails.
    closed = verdicts(russia.with_values({"europe_extra_volume": 0.0}))["europe-tie-2006"]
    assert closed.verdict == "fails"


def test_upstream_lever_fails_when_the_stake_adds_nothing(russia):
    """The stake shares the capex at China's cost of capital: with China's rate equal to
    Russia's sanctions rate it adds nothing to the surplus, and the claim must fail."""
    assert verdicts(russia)["upstream-lever-2014"].verdict == "holds"
    rate = russia.parameters["russia_rate_sanctions"].value
    same = verdicts(russia.with_values({"china_rate": rate}))["upstream-lever-2014"]
    assert same.verdict == "fails"
    assert same.details["derivative"] == pytest.approx(0.0, abs=1e-9)


def test_upstream_stake_is_vetoed_before_the_sanctions(russia):
    """The stake is 0 in every state before 2014 (Russia's security veto), so it moves nothing."""
    for year in russia.years:
        stake = float(russia.epoch_values(russia.base, year)["upstream_stake"])
        assert (stake > 0) == (year >= 2014)


def test_central_asian_gas_cannot_move_the_russian_price_with_contracts_held():
    """In the Nash-in-Nash disagreement the Central Asian contracts deliver their volumes
    whether or not Russia and China agree, so Central Asian capacity moves the Russian price
    neither at the base import demand nor at a saturated one (60 bcm/yr), where the former
    convention (flows re-optimised) let spare Central Asian capacity replace Russian gas."""
    linked = load("eurasian-gas")
    claim = "central-asian-gas-lowers-russian-price-2012"
    price = float(linked.outputs_at(linked.base, 2012)["net_price"])
    for values in (
        {},
        {"china_import_demand": 60.0},
        {"china_import_demand": 60.0, "turkmen_supply": 70.0},
    ):
        result = verdicts(linked.with_values(values))[claim]
        assert result.verdict == "fails"
        # per bcm/yr of capacity, relative to the price level (finite differences: ~1e-13)
        assert abs(result.details["derivative"]) <= 1e-9 * price


def test_no_deal_means_no_price(russia):
    out = russia.outputs_at(russia.base, 2008)
    assert not bool(out["agreement"])
    assert math.isnan(float(out["net_price"]))
    assert math.isnan(float(out["net_buyer_share"]))
    assert math.isfinite(float(out["net_buyer_payoff"]))


def test_russian_cut_lowers_turkmen_payoff_by_its_margin(turkmen):
    """In 2010 Turkmen gas the China lines cannot take goes to Russia, at the Nash-in-Nash
    price of that sale: one more bcm/yr bought by Russia adds Turkmenistan's gain per unit,
    (1 - w_R') x (Russia's value at the Turkmen border - Turkmen cost), USD bn per bcm/yr."""
    values = {k: float(v) for k, v in turkmen.epoch_values(turkmen.base, 2010).items()}
    r_t, r_r = values["turkmen_rate"], values["russia_rate"]
    seller_weight = r_r / (r_t + r_r)  # buyer weight w = r_T / (r_T + r_R); seller gets 1 - w
    value = (
        values["europe_price"] * values["export_duty_keep"]
        - values["russia_europe_transport"]
        - values["cac_transport"]
    )
    expected = seller_weight * (value - values["turkmen_production"]) * 1e-3
    result = verdicts(turkmen)["russian-cut-weakened-turkmenistan"]
    assert result.verdict == "holds"
    assert result.details["derivative"] == pytest.approx(expected, rel=1e-6)


def test_backtest_rows_are_the_views_quantities(russia, turkmen):
    rows = {row.point.id: row for row in russia.backtest(samples=8).rows}
    out = russia.outputs_at(russia.base, 2014)
    assert rows["pos-price-2014"].model == pytest.approx(float(out["net_price"]))
    assert rows["pos-agreement-year"].model == min(
        y for y in russia.years if bool(russia.outputs_at(russia.base, y)["agreement"])
    )
    rows = {row.point.id: row for row in turkmen.backtest(samples=8).rows}
    out = turkmen.outputs_at(turkmen.base, 2008)
    assert rows["gazprom-turkmen-2009"].model == pytest.approx(float(out["net_side_price"]))
