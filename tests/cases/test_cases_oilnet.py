"""The bilateral oil cases take their outside options from the eurasian-oil network
(``from_network`` parameters): equal to the network's, at the base values and on random
samples, computed here independently from the network case's own adapter; bad references
fail at load, naming the file and the key; no hand-typed outside option remains."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pipeline_games.cases import ADAPTERS, case_path, load
from pipeline_games.cases._case import read_case_file
from pipeline_games.cases._linked import FocusSpec
from pipeline_games.errors import CaseFileError

MONEY = 1e-3  # USD bn per (Mt x bbl/t x USD/bbl)
CASES = {
    "china-russia-oil": ("Russia", "russia_alt_value", "china_alt_value"),
    "china-kazakhstan-oil": ("Kazakhstan", "kazakh_alt_value", "china_alt_value"),
}


def crf(rate, life):
    return rate / (1.0 - (1.0 + rate) ** -np.asarray(life, dtype=float))


def network_values(case, current, year):
    """The eurasian-oil values in force in ``year``, with the parameters the oil case
    shares by name (not derived in either) taking the oil case's values in force."""
    net = load("eurasian-oil")
    values = net.epoch_values(net.base, year)
    for name, parameter in case.parameters.items():
        mine = net.parameters.get(name)
        if mine is None or "derived" in (mine.origin, parameter.origin):
            continue
        if parameter.origin == "network":
            continue
        values[name] = current[name]
    return net, net._with_derived(values)


def independent_alternatives(case, current, year, seller):
    """(seller's, buyer's) alternative per barrel of the seller's China deal, from the
    eurasian-oil case's own adapter with the dyad in focus: the disagreement payoff less
    what the side keeps if the deal's barrels just stop (its margin on them written out)."""
    net, v = network_values(case, current, year)
    rival = "Kazakhstan" if seller == "Russia" else "Russia"
    focus = FocusSpec(buyer="China", seller=seller, rival=f"{rival} -> China")
    spec = net.supply_network.model_copy(update={"focus": focus})
    args = net.adapter_arguments("supply_network", v)
    args["spec"] = spec
    out = ADAPTERS["supply_network"].function(args)
    bpt = np.asarray(v["barrels_per_tonne"], dtype=float)
    q = out["net_volume"]
    price = out["net_price"]
    if seller == "Russia":
        charge = v["spur_capex"] * crf(v["capital_rate"], v["asset_life"]) / (15.0 * bpt * MONEY)
        unit_cost = v["russia_cost_at_skovorodino"] + v["russia_transport_china"] + charge
    else:
        unit_cost = v["kazakh_production_cost"] + v["kazakh_transport_china"]
    other = out["net_rival_volume"]  # the rival's crude into China
    seller_margin = q * bpt * MONEY * (price - unit_cost)
    seller_alt = out["net_seller_outside_option"] - (out["net_seller_payoff"] - seller_margin)

    def value(quantity):  # China's value schedule, written out
        demand = v["china_overland_demand"]
        high = np.minimum(quantity, demand)
        return high * v["china_crude_value"] + (quantity - high) * v["china_seaborne_value"]

    total = q + other
    buyer_margin = bpt * MONEY * (value(total) - value(total - q) - price * q)
    buyer_alt = out["net_buyer_outside_option"] - (out["net_buyer_payoff"] - buyer_margin)
    per_barrel = q * bpt * MONEY
    with np.errstate(invalid="ignore", divide="ignore"):
        return (
            np.where(q > 0, seller_alt / per_barrel, 0.0),
            np.where(q > 0, buyer_alt / per_barrel, 0.0),
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_outside_options_are_the_networks_at_the_base(name: str) -> None:
    case = load(name)
    seller, seller_param, buyer_param = CASES[name]
    for year in case.years:
        current = case.epoch_values(case.base, year)
        expected_seller, expected_buyer = independent_alternatives(case, current, year, seller)
        scale = float(current["dubai"])  # the price level of the year
        assert float(current[seller_param]) == pytest.approx(
            float(expected_seller), rel=1e-9, abs=1e-9 * scale
        ), year
        assert float(current[buyer_param]) == pytest.approx(
            float(expected_buyer), rel=1e-9, abs=1e-9 * scale
        ), year
        # and the trade adapter uses them: the deal's barrels times the value
        out = case.outputs_at(case.base, year)
        barrels = current["volume"] * current["barrels_per_tonne"] * MONEY
        assert float(out["seller_outside_option"]) == pytest.approx(
            max(float(expected_seller) * barrels, 0.0), rel=1e-9, abs=1e-9 * scale * barrels
        )
        assert float(out["buyer_outside_option"]) == pytest.approx(
            max(float(expected_buyer) * barrels, 0.0), rel=1e-9, abs=1e-9 * scale * barrels
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_outside_options_are_the_networks_on_random_samples(name: str) -> None:
    case = load(name)
    seller, seller_param, buyer_param = CASES[name]
    rng = np.random.default_rng(15)
    n = 64
    values = {
        key: rng.uniform(*case.bounds[key], size=n) for key in case.varying
    }  # every sampled parameter, shared with the network or not
    for year in case.years:
        current = case.epoch_values(values, year)
        expected_seller, expected_buyer = independent_alternatives(case, current, year, seller)
        got_seller = np.broadcast_to(current[seller_param], (n,))
        got_buyer = np.broadcast_to(current[buyer_param], (n,))
        scale = np.abs(np.asarray(current["dubai"])) + 1.0
        np.testing.assert_allclose(got_seller, expected_seller, rtol=1e-9, atol=1e-9 * scale.max())
        np.testing.assert_allclose(got_buyer, expected_buyer, rtol=1e-9, atol=1e-9 * scale.max())


def test_shared_parameters_move_the_network() -> None:
    """A parameter the oil case shares with eurasian-oil by name moves the network's
    alternative: Russia's Pacific netback falls one for one with its delivered cost."""
    case = load("china-russia-oil")
    low = case.epoch_values({**case.base, "russia_cost_at_skovorodino": 15.0}, 2009)
    high = case.epoch_values({**case.base, "russia_cost_at_skovorodino": 25.0}, 2009)
    assert float(low["russia_alt_value"] - high["russia_alt_value"]) == pytest.approx(10.0)


def test_no_hand_typed_outside_option_remains() -> None:
    hand = {
        "buyer_alt_volume",
        "buyer_alt_price",
        "seller_alt_volume",
        "seller_alt_price",
        "seller_alt_transport",
        "seller_alt_capex",
    }
    for name, (seller, seller_param, buyer_param) in CASES.items():
        case = load(name)
        mapping = case.mapping["oil_trade"]
        assert not hand & set(mapping), name
        for argument, parameter, party in (
            ("seller_alt_value", seller_param, "seller"),
            ("buyer_alt_value", buyer_param, "buyer"),
        ):
            assert mapping[argument] == parameter
            p = case.parameters[parameter]
            assert p.origin == "network"
            assert p.link.case == "eurasian-oil"
            assert p.link.output == "outside_option_per_unit"
            assert p.link.agreement == f"{seller} -> China"
            assert p.link.party == party
    # loan_for_oil's alternative margin is the network's too (price = value + cost)
    russia = load("china-russia-oil")
    loan = russia.mapping["loan_for_oil"]
    head, *_ = russia.parameters[loan["seller_alt_price"]].terms[0]
    assert head.parameter == "russia_alt_value"
    assert loan["seller_alt_transport"] == 0.0


def test_network_parameters_are_not_swept() -> None:
    case = load("china-russia-oil")
    assert "russia_alt_value" not in case.parameter_names
    assert "russia_alt_value" not in case.varying
    with pytest.raises(CaseFileError, match="unknown parameter 'russia_alt_value'"):
        case.evaluate(russia_alt_value=[1.0])


# -- bad references -------------------------------------------------------------------------
def write_variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = case_path("china-kazakhstan-oil").read_text()
    assert old in text
    path = tmp_path / "china-kazakhstan-oil.toml"
    path.write_text(text.replace(old, new, count))
    return path


LINK = (
    'from_network = { case = "eurasian-oil", output = "outside_option_per_unit", '
    'agreement = "Kazakhstan -> China", party = "seller" }'
)


@pytest.mark.parametrize(
    ("new", "key", "message"),
    [
        (LINK.replace('"eurasian-oil"', '"no-such-case"'), "case", "no case 'no-such-case'"),
        (LINK.replace("eurasian-oil", "eurasian-gas"), "case", "has no epoch 1997"),
        (LINK.replace("outside_option_per_unit", "bogus"), "output", "unknown output 'bogus'"),
        (
            LINK.replace("Kazakhstan -> China", "Kazakhstan -> Japan"),
            "agreement",
            "no agreement 'Kazakhstan -> Japan'",
        ),
        (LINK.replace(', party = "seller"', ""), "party", "needs party"),
        (LINK.replace("outside_option_per_unit", "price"), "party", "takes no party"),
    ],
)
def test_bad_references_name_the_file_and_key(tmp_path, new, key, message) -> None:
    path = write_variant(tmp_path, LINK, new)
    with pytest.raises(CaseFileError) as info:
        read_case_file(path)
    text = str(info.value)
    assert str(path) in text
    assert f"parameters.kazakh_alt_value.from_network.{key}" in text
    assert message in text


def test_an_epoch_year_the_network_lacks_is_refused(tmp_path) -> None:
    epoch = "[[epochs]]\nyear = 2013\n"
    path = write_variant(tmp_path, epoch, f'[[epochs]]\nyear = 2012\nlabel = "a year"\n\n{epoch}')
    with pytest.raises(CaseFileError) as info:
        read_case_file(path)
    assert str(path) in str(info.value)
    assert "parameters.kazakh_alt_value.from_network.case" in str(info.value)
    assert "no epoch 2012" in str(info.value)


def test_a_unit_that_does_not_fit_the_output_is_refused(tmp_path) -> None:
    old = 'party = "seller" }\nunit = "USD/bbl"'
    path = write_variant(tmp_path, old, 'party = "seller" }\nunit = "Mt/yr"')
    with pytest.raises(CaseFileError, match=r"parameters\.kazakh_alt_value\.unit"):
        read_case_file(path)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("value = 1.0\n", "exactly one of"),
        ("low = 0.0\n", "no range of its own"),
    ],
)
def test_a_from_network_parameter_is_only_that(tmp_path, extra, message) -> None:
    path = write_variant(tmp_path, LINK + "\n", LINK + "\n" + extra)
    with pytest.raises(CaseFileError, match=re.escape(message)) as info:
        read_case_file(path)
    assert "parameters.kazakh_alt_value" in str(info.value)


def test_an_epoch_cannot_set_a_network_parameter(tmp_path) -> None:
    old = 'set = { dubai = "dubai_2013",'
    path = write_variant(
        tmp_path, old, 'set = { kazakh_alt_value = "dubai_2013", dubai = "dubai_2013",'
    )
    with pytest.raises(CaseFileError, match=r"epochs\[3\]\.set\.kazakh_alt_value"):
        read_case_file(path)


def test_a_derivative_with_respect_to_a_network_parameter_is_refused(tmp_path) -> None:
    old = '"d seller_payoff / d kazakh_west_spare"'
    path = write_variant(tmp_path, old, '"d seller_payoff / d kazakh_alt_value"')
    with pytest.raises(CaseFileError, match="from_network"):
        read_case_file(path)
