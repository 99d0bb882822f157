"""Evaluating a case: a synthetic bargaining case whose outcomes are known in closed form.

The case (``_support.casefiles.gas_case``): 10 bcm/yr, the buyer values gas at 300 USD/kcm,
the seller's cost is 100 USD/kcm, so the joint gain is S = 10 x 200 x 0.001 = USD 2 bn/yr;
both discount at 0.1/yr with yearly offers, the buyer proposing first (delta = exp(-0.1)).
The seller's alternative sells all 10 bcm/yr in Europe at a netback derived as the European
price less 50 USD/kcm of transport; the buyer's alternative (from 2012) is 10 bcm/yr at
150 USD/kcm. Expected values come from Rubinstein's formulas with the outside-option
principle (Binmore, Shaked and Sutton 1989), written out below, and from
:func:`pipeline_games.rubinstein` called directly on the same linear problems.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import pipeline_games as pg
from _support.casefiles import gas_case, units_file, write_case
from pipeline_games.cases import read_case_file, sample_box
from pipeline_games.cases._claims import FAILS, HOLDS, NOT_DEFINED
from pipeline_games.errors import CaseFileError

DELTA = math.exp(-0.1)
S = 2.0


def _case(tmp_path, data=None):
    return read_case_file(write_case(tmp_path, data or gas_case()))


def _textbook(w_buyer: float, w_seller: float) -> tuple[float, float] | None:
    """SPE payoffs of the linear problem S with equal discount factors, buyer first, outside
    options at most one of which binds; ``None`` where w_buyer + w_seller > S (no deal)."""
    if w_buyer + w_seller > S:
        return None
    buyer = S / (1 + DELTA)  # first mover's Rubinstein share S (1 - d) / (1 - d^2)
    if w_seller > DELTA * (S - buyer):  # the seller, responding, takes its option
        return S - w_seller, w_seller
    if w_buyer > DELTA * buyer:  # the buyer's option binds when the seller proposes
        return S - DELTA * (S - w_buyer), DELTA * (S - w_buyer)
    return buyer, S - buyer


# (year, buyer option, seller option): 2006 Europe 250 - 50 - 100 = 100 USD/kcm x 10 bcm;
# 2009 Europe 150 -> netback 100 = cost, option 0; 2012 + the buyer's 10 bcm at
# 300 - 150; 2014 Europe 300 -> seller option 1.5 and 1.5 + 1.5 > 2: no deal.
EPOCHS = [(2006, 0.0, 1.0), (2009, 0.0, 0.0), (2012, 1.5, 0.0), (2014, 1.5, 1.5)]


@pytest.mark.parametrize(("year", "w_buyer", "w_seller"), EPOCHS)
def test_outcomes_match_rubinstein_in_closed_form(tmp_path, year, w_buyer, w_seller):
    out = _case(tmp_path).solve().outputs[year]
    assert out["surplus"] == pytest.approx(S, rel=1e-12)
    assert out["buyer_outside_option"] == pytest.approx(w_buyer, rel=1e-12)
    assert out["seller_outside_option"] == pytest.approx(w_seller, rel=1e-12)
    expected = _textbook(w_buyer, w_seller)
    direct = pg.rubinstein(
        pg.BargainingProblem.linear(S), rates=(0.1, 0.1), outside_options=(w_buyer, w_seller)
    )
    if expected is None:  # no deal: payoffs are the outside options, no price, no shares
        assert out["agreement"] is False
        assert not bool(direct.agreement)
        assert (out["buyer_payoff"], out["seller_payoff"]) == pytest.approx((w_buyer, w_seller))
        assert math.isnan(out["price"])
        assert math.isnan(out["buyer_share"])
        assert math.isnan(out["seller_share"])
        assert out["buyer_net_gain"] == out["seller_net_gain"] == 0.0
        return
    buyer, seller = expected
    assert out["agreement"] is True
    assert (out["buyer_payoff"], out["seller_payoff"]) == pytest.approx((buyer, seller), rel=1e-12)
    np.testing.assert_allclose(direct.payoffs, [buyer, seller], rtol=1e-12)
    assert out["buyer_share"] == pytest.approx(buyer / S, rel=1e-12)
    assert out["seller_share"] == pytest.approx(seller / S, rel=1e-12)
    # price: the buyer's payoff is volume x (value - price) x 0.001
    assert out["price"] == pytest.approx(300.0 - buyer / (10.0 * 0.001), rel=1e-12)
    assert out["binding"] == int(np.asarray(direct.binding))


def test_outputs_have_real_dtypes(tmp_path):
    case = _case(tmp_path)
    frame = pd.DataFrame(case.solve().outputs).T
    frame = frame.infer_objects()
    numeric = [c for c in frame.columns if c not in ("agreement", "binding")]
    assert all(frame[c].dtype == np.float64 for c in numeric), frame.dtypes
    out = case.evaluate(buyer_value=np.array([280.0, 300.0, 320.0]))
    assert out["agreement@2006"].dtype == bool
    assert out["binding@2006"].dtype == np.int8
    assert out["price@2014"].dtype == np.float64
    assert out["price@2006"].shape == (3,)
    table = case.solve().to_frame()
    assert table["agreement"].dtype == bool
    assert table["price"].dtype == np.float64
    assert table["year"].dtype == np.int64


def test_evaluate_is_the_pointwise_solution(tmp_path):
    case = _case(tmp_path)
    values = np.array([260.0, 300.0, 340.0])
    out = case.evaluate(buyer_value=values)
    for index, value in enumerate(values):
        single = case.solve(overrides={"buyer_value": float(value)}).outputs
        for year in case.years:
            for quantity in ("buyer_payoff", "seller_payoff", "price", "agreement"):
                got, expected = out[f"{quantity}@{year}"][index], single[year][quantity]
                if isinstance(expected, float) and math.isnan(expected):
                    assert math.isnan(got)
                else:
                    assert got == pytest.approx(expected, rel=1e-12)
    with pytest.raises(CaseFileError, match="unknown parameter 'seller_alt_netback'"):
        case.evaluate(seller_alt_netback=[1.0])  # derived: not a sweep input


def test_epochs_are_cumulative_and_derived_parameters_follow_them(tmp_path):
    case = _case(tmp_path)
    before = case.epoch_values(case.base, None)
    assert float(before["europe_price"]) == 250.0
    v2009 = case.epoch_values(case.base, 2009)
    v2012 = case.epoch_values(case.base, 2012)
    v2014 = case.epoch_values(case.base, 2014)
    # 2009 switches the European price; the netback derived from it follows (150 - 50).
    assert float(v2009["europe_price"]) == 150.0
    assert float(v2009["seller_alt_netback"]) == 100.0
    # 2012 changes the buyer's volume only; the 2009 price stays in force.
    assert float(v2012["europe_price"]) == 150.0
    assert float(v2012["buyer_alt_volume"]) == 10.0
    # 2014 switches the price again and keeps 2012's volume.
    assert float(v2014["seller_alt_netback"]) == 250.0
    assert float(v2014["buyer_alt_volume"]) == 10.0
    assert case.source_parameter("europe_price", 2012) == "europe_price_2009"
    assert case.source_parameter("europe_price", 2014) == "europe_price_2014"
    assert case.source_parameter("buyer_alt_volume", 2009) == "buyer_alt_volume"
    # Samples of the epoch's source move the derived netback in that epoch only.
    moved = case.epoch_values({"europe_price_2009": np.array([130.0, 170.0])}, 2009)
    np.testing.assert_allclose(moved["seller_alt_netback"], [80.0, 120.0])
    np.testing.assert_allclose(
        case.epoch_values({"europe_price_2009": 130.0}, 2006)["seller_alt_netback"], 200.0
    )


def test_bumps_move_the_value_in_force_and_what_derives_from_it(tmp_path):
    case = _case(tmp_path)
    bumped = case.epoch_values(case.base, 2009, bump={"europe_price": 1.0})
    assert float(bumped["europe_price"]) == 151.0
    assert float(bumped["seller_alt_netback"]) == 101.0
    # In 2006 the seller's option binds: its payoff is 10 x (Europe - 50 - 100) x 0.001, so
    # d seller_payoff / d europe_price = 0.01 USD bn/yr per USD/kcm.
    result = {r.claim.id: r for r in case.check(samples=0).results}["seller-payoff-follows-europe"]
    assert result.verdict == HOLDS
    assert result.details["derivative"] == pytest.approx(0.01, rel=1e-6)
    # In 2009 its option (netback 100 = cost) does not bind: the derivative is zero and the
    # claim "+" fails.
    data = gas_case()
    data["claims"][1]["test"]["at"] = "epoch[2009]"
    result = {r.claim.id: r for r in _case(tmp_path, data).check(samples=0).results}
    assert result["seller-payoff-follows-europe"].verdict == FAILS
    assert abs(result["seller-payoff-follows-europe"].details["derivative"]) < 1e-9


def _by_hand(values: dict[str, np.ndarray], year: int) -> dict[str, np.ndarray]:
    """Outside options, agreement and shares of the synthetic case at sampled values,
    computed from the parameters directly (not through the case machinery)."""
    europe = {2006: "europe_price", 2009: "europe_price_2009", 2012: "europe_price_2009",
              2014: "europe_price_2014"}[year]  # fmt: skip
    buyer_volume = values["buyer_alt_volume_2012" if year >= 2012 else "buyer_alt_volume"]
    value, cost, volume = values["buyer_value"], values["seller_cost"], values["volume"]
    money = 0.001
    surplus = volume * (value - cost) * money
    netback = values[europe] - values["transport"]
    w_seller = (
        np.clip(values["seller_alt_volume"] / volume, 0, 1)
        * volume
        * np.maximum(netback - cost, 0)
        * money
    )
    w_buyer = (
        np.clip(buyer_volume / volume, 0, 1)
        * volume
        * np.maximum(value - values["buyer_alt_price"], 0)
        * money
    )
    outcome = pg.rubinstein(
        pg.BargainingProblem.linear(surplus),
        rates=(values["buyer_rate"], values["seller_rate"]),
        outside_options=(w_buyer, w_seller),
    )
    agreement = np.asarray(outcome.agreement, dtype=bool)
    seller_share = np.where(agreement, outcome.payoffs[..., 1] / surplus, np.nan)
    buyer_payoff = np.where(agreement, outcome.payoffs[..., 0], w_buyer)
    return {"agreement": agreement, "seller_share": seller_share, "buyer_payoff": buyer_payoff}


@pytest.mark.parametrize("samples", [64, 200])
def test_robustness_is_over_defined_samples_with_independent_counts(tmp_path, samples):
    data = gas_case()
    # Make the 2009 claim about a year where some samples have no deal: widen 2009's price.
    data["parameters"]["europe_price_2009"].update(value=150.0, low=120.0, high=400.0)
    data["parameters"]["buyer_alt_volume"].update(value=0.0, low=0.0, high=10.0)
    case = _case(tmp_path, data)
    box = sample_box(case, samples, seed=3)
    hand = {year: _by_hand(box, year) for year in (2009, 2012)}
    check = {r.claim.id: r for r in case.check(samples=samples, seed=3).results}

    share = check["buyer-option-lowers-seller-share"]
    deal = hand[2012]["agreement"] & hand[2009]["agreement"]
    no_deal = ~deal
    assert 0 < no_deal.sum() < samples  # the sample has both kinds of points
    holds = hand[2012]["seller_share"][deal] < hand[2009]["seller_share"][deal]
    assert share.samples == samples
    assert share.defined == pytest.approx(deal.sum() / samples, abs=1e-15)
    assert share.no_deal == pytest.approx(no_deal.sum() / samples, abs=1e-15)
    p = holds.mean()
    assert share.robustness == pytest.approx(p, abs=1e-15)
    assert share.robustness_error == pytest.approx(math.sqrt(p * (1 - p) / deal.sum()), rel=1e-12)
    # The shares defined and with no deal carry their sampling errors over all samples.
    q = deal.sum() / samples
    assert share.defined_error == pytest.approx(math.sqrt(q * (1 - q) / samples), rel=1e-12)
    assert share.no_deal_error == pytest.approx(math.sqrt(q * (1 - q) / samples), rel=1e-12)
    row = share.to_dict()
    assert row["defined_error"] == pytest.approx(share.defined_error, rel=1e-15)
    assert row["no_deal_error"] == pytest.approx(share.no_deal_error, rel=1e-15)
    assert share.no_deal_error > 0

    # A payoff is defined with or without a deal (the outside option): every sample counts.
    payoff = check["buyer-payoff-above-one"]
    assert payoff.defined == 1.0
    assert payoff.no_deal == pytest.approx((~hand[2012]["agreement"]).mean(), abs=1e-15)
    p = (hand[2012]["buyer_payoff"] > 1.0).mean()
    assert payoff.robustness == pytest.approx(p, abs=1e-15)
    assert payoff.robustness_error == pytest.approx(math.sqrt(p * (1 - p) / samples), rel=1e-12)


def test_claim_on_a_no_deal_epoch_is_not_defined(tmp_path):
    data = gas_case()
    data["claims"][0]["test"]["left"] = "epoch[2014].seller_share"
    result = _case(tmp_path, data).check(samples=32).results[0]
    assert result.verdict == NOT_DEFINED
    assert math.isnan(result.details["left"])


def test_sample_box_samples_only_parameters_with_a_range(tmp_path):
    case = _case(tmp_path)
    box = sample_box(case, 50, seed=1)
    assert set(box) == set(case.parameter_names)
    for name, values in box.items():
        p = case.parameters[name]
        assert values.shape == (50,)
        assert np.all((values >= p.low) & (values <= p.high))
        if p.varies:
            assert np.unique(values).size == 50
        else:
            assert np.all(values == p.value)
    np.testing.assert_array_equal(sample_box(case, 50, seed=1)["buyer_value"], box["buyer_value"])


# -- backtest -----------------------------------------------------------------------------
def test_backtest_compares_the_model_with_the_observed_ranges(tmp_path):
    data = gas_case()
    mmbtu = float(units_file()["factors"]["mmbtu_per_kcm_gas"]["value"])
    # 2006 price: 300 - 1.0 / 0.01 = 200 USD/kcm = 200 / mmbtu USD/MMBtu.
    in_mmbtu = 200.0 / mmbtu
    data["backtest"] = [
        {"id": "inside", "statement": "s", "quantity": "epoch[2006].price",
         "observed": [190.0, 210.0], "unit": "USD/kcm", "source": "nids_csr2020"},
        {"id": "outside", "statement": "s", "quantity": "epoch[2009].buyer_payoff",
         "observed": [0.0, 1.0], "unit": "USD_bn/yr", "source": "nids_csr2020"},
        {"id": "mmbtu", "statement": "s", "quantity": "epoch[2006].price",
         "observed": [in_mmbtu * 0.99, in_mmbtu * 1.01], "unit": "USD/MMBtu",
         "factor": "mmbtu_per_kcm_gas", "source": "nids_csr2020"},
        {"id": "million-usd", "statement": "s", "quantity": "epoch[2009].buyer_payoff",
         "observed": [1.0e9, 1.1e9], "unit": "USD/yr", "source": "nids_csr2020"},
        {"id": "no-deal-price", "statement": "s", "quantity": "epoch[2014].price",
         "observed": [0.0, 1000.0], "unit": "USD/kcm", "source": "nids_csr2020"},
    ]  # fmt: skip
    result = _case(tmp_path, data).backtest(samples=32)
    rows = {row.point.id: row for row in result.rows}
    assert rows["inside"].model == pytest.approx(200.0)
    assert rows["inside"].inside
    assert rows["outside"].model == pytest.approx(S / (1 + DELTA))
    assert not rows["outside"].inside
    assert rows["mmbtu"].unit == "USD/kcm"
    assert rows["mmbtu"].observed == pytest.approx((198.0, 202.0), rel=1e-12)
    assert rows["mmbtu"].inside
    # USD 1.0e9-1.1e9 a year is USD 1.0-1.1 bn/yr; the model's 1.05 lies inside.
    assert rows["million-usd"].observed == pytest.approx((1.0, 1.1), rel=1e-12)
    assert rows["million-usd"].inside
    # No deal: no price, not inside whatever the range.
    assert math.isnan(rows["no-deal-price"].model)
    assert not rows["no-deal-price"].inside
    assert result.inside == 3
    assert result.score == pytest.approx(3 / 5)
    for row in result.rows:
        if math.isfinite(row.model_low):
            assert row.model_low <= row.model_high
    frame = result.to_frame()
    assert frame["inside"].dtype == bool
    assert frame["model"].dtype == np.float64


def test_agreement_year_is_the_first_epoch_with_a_deal(tmp_path):
    data = gas_case()
    # No deal until 2012: the buyer's option is there from the start and Europe pays well
    # until the 2012 epoch lowers the price.
    p = data["parameters"]
    p["buyer_alt_volume"].update(value=10.0)
    p["europe_price_2012"] = dict(p["europe_price_2009"])
    data["epochs"] = [
        {"year": 2006, "label": "start", "set": {"europe_price": "europe_price_2014"}},
        {"year": 2009, "label": "still no deal"},
        {"year": 2012, "label": "Europe falls", "set": {"europe_price": "europe_price_2012"}},
    ]
    data["claims"] = []
    data["backtest"] = [
        {"id": "agreement", "statement": "s", "quantity": "agreement_year",
         "observed": [2010.0, 2013.0], "unit": "year", "source": "nids_csr2020"},
    ]  # fmt: skip
    case = _case(tmp_path, data)
    agreement = [case.solve().outputs[y]["agreement"] for y in case.years]
    assert agreement == [False, False, True]
    row = case.backtest(samples=16).rows[0]
    assert row.model == 2012.0
    assert row.inside
    assert 2006.0 <= row.model_low <= row.model_high <= 2012.0


@pytest.mark.parametrize("stake", [1.0, 1.5, -0.25, math.nan])
def test_the_bargaining_adapter_refuses_a_stake_outside_zero_one(tmp_path, stake):
    from pipeline_games.cases import ADAPTERS
    from pipeline_games.errors import InvalidParameterError

    case = _case(tmp_path)
    args = case.adapter_arguments("bargaining", case.epoch_values(case.base, 2006))
    args["buyer_upstream_stake"] = stake
    with pytest.raises(InvalidParameterError, match=r"buyer_upstream_stake .* \[0, 1\)"):
        ADAPTERS["bargaining"].function(args)
    args["buyer_upstream_stake"] = 0.5  # inside: a finite price
    assert np.isfinite(ADAPTERS["bargaining"].function(args)["price"]).all()
