"""The oil adapters (oil_trade, loan_for_oil) and the two oil case files.

Expectations are computed here, with independent arithmetic, from the parameter values the
case files give (``case.epoch_values``), never from calibrated numbers typed into the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.cases import load
from pipeline_games.cases._oil import OIL_ADAPTERS, annuity_factor

MONEY = 1e-3  # Mt/yr x bbl/t x USD/bbl = 1e6 USD/yr = 1e-3 USD bn/yr


def annuity(rate: float, years: float) -> float:
    return years if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate


def trade(**overrides: float) -> dict[str, np.ndarray]:
    args = {
        **OIL_ADAPTERS["oil_trade"].defaults,
        "money_factor": MONEY,
        "capex_factor": 1.0,
        "volume": 10.0,
        "barrels_per_tonne": 7.0,
        "buyer_value": 60.0,
        "seller_production_cost": 20.0,
        "seller_transport": 10.0,
        "buyer_rate": 0.1,
        "seller_rate": 0.1,
        **overrides,
    }
    return OIL_ADAPTERS["oil_trade"].function({k: np.asarray(v, float) for k, v in args.items()})


def test_annuity_factor_matches_the_sum_of_discounted_payments() -> None:
    for rate, years in [(0.06, 20), (0.15, 20), (0.0, 7), (0.04, 25)]:
        expected = sum((1.0 + rate) ** -t for t in range(1, years + 1))
        assert float(annuity_factor(rate, years)) == pytest.approx(expected, rel=1e-12)


def test_each_sale_bears_only_its_own_costs() -> None:
    out = trade(
        seller_alt_volume=10.0,
        seller_alt_price=55.0,
        seller_alt_transport=12.0,
        seller_alt_capex=2.0,
        capital_rate=0.08,
        asset_life=20.0,
        buyer_alt_volume=5.0,
        buyer_alt_price=56.0,
    )
    barrels = 10.0 * 7.0 * MONEY
    crf = 1.0 / annuity(0.08, 20)
    assert float(out["surplus"]) == pytest.approx(barrels * (60 - 20 - 10), rel=1e-12)
    # the alternative bears its own transport (12, not the deal's 10) and its capex
    assert float(out["seller_outside_option"]) == pytest.approx(
        barrels * (55 - 20 - 12) - 2.0 * crf, rel=1e-12
    )
    assert float(out["seller_alt_margin"]) == pytest.approx(55 - 20 - 12)
    assert float(out["buyer_outside_option"]) == pytest.approx(0.5 * barrels * (60 - 56), rel=1e-12)


def test_bargained_price_is_the_nash_split_in_the_limit() -> None:
    # equal rates, short periods, no binding option: each side gets half of the gain
    out = trade(period=1e-7, buyer_capex=1.0, seller_capex=0.5, capital_rate=0.1, asset_life=10)
    barrels = 10.0 * 7.0 * MONEY
    crf = 1.0 / annuity(0.1, 10)
    gain = barrels * (60 - 30) - 1.5 * crf
    assert float(out["surplus"]) == pytest.approx(gain, rel=1e-12)
    assert float(out["buyer_payoff"]) == pytest.approx(gain / 2, rel=1e-5)
    # buyer = barrels (value - price) - its capex  =>  price
    price = 60 - (gain / 2 + 1.0 * crf) / barrels
    assert float(out["price"]) == pytest.approx(price, rel=1e-5)
    assert float(out["buyer_share"]) == pytest.approx(0.5, rel=1e-5)


def test_indexed_price_decides_only_participation() -> None:
    barrels = 10.0 * 7.0 * MONEY
    out = trade(
        indexed=1.0,
        index_price=45.0,
        seller_alt_volume=10.0,
        seller_alt_price=40.0,
        seller_alt_transport=5.0,
    )
    assert bool(out["agreement"])
    assert float(out["price"]) == 45.0
    assert float(out["seller_payoff"]) == pytest.approx(barrels * (45 - 30), rel=1e-12)
    assert float(out["buyer_payoff"]) == pytest.approx(barrels * (60 - 45), rel=1e-12)
    # the seller's alternative pays 40 - 20 - 5 = 15 a barrel: at an index of 44 the deal
    # pays 14, so the seller stays out; payoffs are the options, no price
    out = trade(
        indexed=1.0,
        index_price=44.0,
        seller_alt_volume=10.0,
        seller_alt_price=40.0,
        seller_alt_transport=5.0,
    )
    assert not bool(out["agreement"])
    assert np.isnan(out["price"])
    assert float(out["seller_payoff"]) == pytest.approx(barrels * 15, rel=1e-12)
    assert float(out["seller_net_gain"]) == 0.0


def test_no_deal_pays_the_outside_options() -> None:
    out = trade(seller_alt_volume=10.0, seller_alt_price=70.0)  # the alternative beats China
    assert not bool(out["agreement"])
    assert float(out["seller_payoff"]) == pytest.approx(float(out["seller_outside_option"]))
    assert np.isnan(out["price"])
    assert np.isnan(out["buyer_share"])


@pytest.mark.parametrize("factor", [1e-6, 1e-2, 1e3, 1e8])
def test_trade_is_invariant_to_the_units_of_money(factor: float) -> None:
    base = trade(
        seller_alt_volume=6.0,
        seller_alt_price=50.0,
        buyer_alt_volume=4.0,
        buyer_alt_price=55.0,
        seller_capex=1.0,
        buyer_capex=0.5,
    )
    scaled = trade(
        **{
            k: v * factor
            for k, v in {
                "buyer_value": 60.0,
                "seller_production_cost": 20.0,
                "seller_transport": 10.0,
                "seller_alt_price": 50.0,
                "buyer_alt_price": 55.0,
                "seller_capex": 1.0,
                "buyer_capex": 0.5,
            }.items()
        },
        seller_alt_volume=6.0,
        buyer_alt_volume=4.0,
    )
    assert bool(scaled["agreement"]) == bool(base["agreement"])
    for key in ("surplus", "buyer_payoff", "seller_payoff", "price"):
        assert float(scaled[key]) == pytest.approx(factor * float(base[key]), rel=1e-9)
    assert float(scaled["buyer_share"]) == pytest.approx(float(base["buyer_share"]), rel=1e-9)


@pytest.mark.parametrize("year", [2004, 2006, 2009, 2013])
def test_russia_oil_trade_follows_the_case_file(year: int) -> None:
    case = load("china-russia-oil")
    v = case.epoch_values(case.base, year)
    out = case.outputs_at(case.base, year)
    barrels = v["volume"] * v["barrels_per_tonne"] * MONEY
    crf = 1.0 / annuity(v["capital_rate"], v["asset_life"])
    value = v["dubai"] + v["seaborne_freight"] + v["overland_premium"]
    per_bbl_t = v["tonnes_per_barrel"] * v["pipeline_tariff"] * v["tariff_factor"] / 1000.0
    china_leg = per_bbl_t * v["spur_km"]
    pacific_leg = per_bbl_t * v["skovorodino_kozmino_km"]
    capex = (v["spur_capex_russia"] + v["spur_capex_china"]) * crf
    gain = barrels * (value - v["russia_cost_at_skovorodino"] - china_leg) - capex
    assert float(out["surplus"]) == pytest.approx(max(gain, 0.0), rel=1e-9)
    kozmino = v["dubai"] + v["espo_dubai_premium"]
    # Russia's alternative, computed on eurasian-oil: the displaced barrels go to Kozmino
    # (30 Mt/yr of outlet for 30 Mt/yr of ESPO-1 crude), which charges each barrel its
    # share of the terminal's capex still to sink (over its 30 Mt/yr design capacity).
    terminal = v["pacific_capex"] * crf / (30.0 * v["barrels_per_tonne"] * MONEY)
    pacific = barrels * (kozmino - v["russia_cost_at_skovorodino"] - pacific_leg - terminal)
    assert float(out["seller_outside_option"]) == pytest.approx(max(pacific, 0.0), rel=1e-9)
    # China's: none; the Kazakh contract holds at its volume on the network.
    assert float(out["buyer_outside_option"]) == 0.0
    if v["price_indexed"] >= 0.5 and bool(out["agreement"]):
        assert float(out["price"]) == pytest.approx(kozmino, rel=1e-12)


def test_each_russia_epoch_takes_its_own_years_prices() -> None:
    case = load("china-russia-oil")
    data = pg.cases.market_data()
    for year in case.years:
        v = case.epoch_values(case.base, year)
        assert v["dubai"] == pytest.approx(data.value("dubai_wb_usd_bbl", year))
        assert v["brent"] == pytest.approx(data.value("brent_usd_bbl", year))


def test_the_pacific_outlet_is_not_free_before_it_exists() -> None:
    case = load("china-russia-oil")
    data = pg.cases.market_data()
    kozmino = data.value("kozmino_terminal_capex", 2009, 1)
    assert case.epoch_values(case.base, 2004)["pacific_capex"] == pytest.approx(kozmino)
    assert case.epoch_values(case.base, 2006)["pacific_capex"] == pytest.approx(kozmino)


@pytest.mark.parametrize("year", [1997, 2004, 2006, 2013])
def test_kazakh_oil_trade_follows_the_case_file(year: int) -> None:
    case = load("china-kazakhstan-oil")
    v = case.epoch_values(case.base, year)
    out = case.outputs_at(case.base, year)
    barrels = v["volume"] * v["barrels_per_tonne"] * MONEY
    per_bbl_t = v["tonnes_per_barrel"] * v["pipeline_tariff"] * v["tariff_factor"] / 1000.0
    value = v["dubai"] + v["seaborne_freight"] + v["overland_premium"]
    gain = barrels * (value - v["kazakh_production_cost"] - per_bbl_t * v["kcp_km"])
    assert float(out["surplus"]) == pytest.approx(max(gain, 0.0), rel=1e-9)
    # Computed on eurasian-oil: Kazakh supply is the China line plus the westbound outlet,
    # so the outlet is full with the deal in place and the deal's barrels have nowhere to go.
    assert float(out["seller_outside_option"]) == pytest.approx(0.0, abs=1e-12)
    assert float(out["buyer_outside_option"]) == 0.0
    weight = v["kazakh_rate"] / (v["china_rate"] + v["kazakh_rate"])
    assert float(out["buyer_weight"]) == pytest.approx(weight, rel=1e-12)


def test_loan_technology_puts_the_first_best_at_the_loan() -> None:
    case = load("china-russia-oil")
    year = 2009
    v = case.epoch_values(case.base, year)
    out = case.outputs_at(case.base, year)
    barrels = v["loan_volume"] * v["barrels_per_tonne"] * MONEY
    price = v["dubai"] + v["espo_dubai_premium"]
    per_bbl_t = v["tonnes_per_barrel"] * v["pipeline_tariff"] * v["tariff_factor"] / 1000.0
    margin = price - v["russia_cost_at_skovorodino"] - per_bbl_t * v["spur_km"]
    alt = price - v["russia_cost_at_skovorodino"] - per_bbl_t * v["skovorodino_kozmino_km"]
    value = annuity(v["loan_rate"], v["loan_years"]) * barrels * margin
    loan = v["loan"]
    assert value > loan
    alpha = loan / value
    scale = value / loan**alpha
    specificity = 1.0 - max(alt, 0.0) / margin
    assert float(out["loan_specificity"]) == pytest.approx(specificity, rel=1e-9)
    weight = v["russia_rate"] / (v["china_rate"] + v["russia_rate"])
    # first best: the loan finances exactly the principal; spot under-invests
    first_best = pg.prepayment_loan(specificity, weight, scale=scale, alpha=alpha)
    assert float(first_best.investment) == pytest.approx(loan, rel=1e-9)
    assert float(pg.spot(specificity, weight, scale=scale, alpha=alpha).investment) < loan
    # what borrowing at the loan's rate is worth to each side, by discounted payments
    a_loan = annuity(v["loan_rate"], v["loan_years"])
    seller = loan * (1.0 - annuity(v["russia_funds_rate"], v["loan_years"]) / a_loan)
    buyer = loan * (annuity(v["china_funds_rate"], v["loan_years"]) / a_loan - 1.0)
    assert float(out["loan_financing_gain_seller"]) == pytest.approx(seller, rel=1e-9)
    assert float(out["loan_financing_gain_buyer"]) == pytest.approx(buyer, rel=1e-9)
    # the debt service: the annuity that repays the principal, per barrel delivered
    assert float(out["loan_debt_service"]) == pytest.approx(loan / a_loan / barrels, rel=1e-9)
    # the seller's gain from the loan, by hand from the three forms
    forms = [
        pg.spot(specificity, weight, scale=scale, alpha=alpha),
        pg.long_term_contract(
            specificity,
            weight,
            renegotiation_probability=v["renegotiation_probability"],
            scale=scale,
            alpha=alpha,
        ),
        pg.prepayment_loan(specificity, weight, loan_cost=v["loan_cost"], scale=scale, alpha=alpha),
    ]
    seller_loan = float(forms[2].payoffs[1]) + seller
    best_other = max(float(forms[0].payoffs[1]), float(forms[1].payoffs[1]))
    assert float(out["loan_gain_seller"]) == pytest.approx(seller_loan - best_other, rel=1e-9)


def test_unviable_loans_are_not_defined() -> None:
    out = OIL_ADAPTERS["loan_for_oil"].function(
        {
            **{k: np.asarray(v) for k, v in OIL_ADAPTERS["loan_for_oil"].defaults.items()},
            "money_factor": np.asarray(MONEY),
            "loan_factor": np.asarray(1.0),
            "volume": np.asarray(15.0),
            "barrels_per_tonne": np.asarray(7.33),
            "price": np.asarray([30.0, 90.0]),
            "seller_production_cost": np.asarray(20.0),
            "seller_transport": np.asarray(0.5),
            "years": np.asarray(20.0),
            "loan": np.asarray(25.0),
            "loan_rate": np.asarray(0.06),
            "buyer_rate": np.asarray(0.08),
            "seller_rate": np.asarray(0.08),
            "buyer_funds_rate": np.asarray(0.04),
            "seller_funds_rate": np.asarray(0.07),
        }
    )
    # at 30 USD/bbl the contracted margin (9.5) over 20 years is worth less than the loan
    worth = annuity(0.06, 20) * 15 * 7.33 * MONEY * (30 - 20.5)
    assert worth < 25.0
    assert np.isnan(out["loan_gain_min"][0])
    assert out["governance_form"][0] == "not viable"
    assert np.isfinite(out["loan_gain_min"][1])


def test_every_price_cost_and_volume_is_data_derived_or_a_stated_assumption() -> None:
    money = {"USD/bbl", "USD_bn", "Mt/yr", "USD/(t*Mm)"}
    for name in ("china-russia-oil", "china-kazakhstan-oil"):
        case = load(name)
        for parameter in case.parameters.values():
            if parameter.unit not in money:
                continue
            from_data = parameter.origin in ("series", "derived", "network")
            derived_by_hand = parameter.kind == "derived" and parameter.source and parameter.locator
            stated = parameter.kind == "assumption" and bool(parameter.reason)
            absent = parameter.kind == "reported" and parameter.value == 0.0  # not built yet
            assert from_data or derived_by_hand or stated or absent, parameter.name


def test_citation_slips_are_fixed() -> None:
    for name in ("china-russia-oil", "china-kazakhstan-oil"):
        case = load(name)
        for parameter in case.parameters.values():
            text = f"{parameter.locator} {parameter.reason}"
            if "urgen" in text:
                assert "1(3)" in text, parameter.name
                assert "1(2)" not in text, parameter.name
        for claim in case.claims:
            if "urgen" in claim.statement:
                assert "1(3)" in claim.locator


def test_backtest_and_timing_quantities_are_finite_at_the_base() -> None:
    for name in ("china-russia-oil", "china-kazakhstan-oil"):
        case = load(name)
        rows = case.backtest(samples=16, seed=0).rows
        assert rows
        assert all(math.isfinite(row.model) for row in rows)


@pytest.mark.parametrize("page", ["china-russia-oil.md", "china-kazakhstan-oil.md"])
def test_case_page_code_blocks_run(page: str, tmp_path, monkeypatch) -> None:
    # conftest's Sybil excludes "cases/*", which also matches docs/cases/; run the pages'
    # python blocks here (one namespace per page, as Sybil would)
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "cases" / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)


@pytest.mark.parametrize(
    ("adapter", "names"),
    [("loan_for_oil", ["seller_rate"]), ("oil_trade", ["volume", "buyer_rate"])],
)
def test_an_oil_adapter_called_without_arguments_lists_the_missing_ones(adapter, names):
    from pipeline_games.errors import InvalidParameterError

    case = load("china-russia-oil")
    arguments = case.adapter_arguments(adapter, case.epoch_values(case.base, case.years[-1]))
    for name in names:
        del arguments[name]
    with pytest.raises(InvalidParameterError, match=f"adapter '{adapter}' is missing") as caught:
        OIL_ADAPTERS[adapter].function(arguments)
    assert f"missing argument(s) {sorted(names)!r}" in str(caught.value)
