"""The linked Eurasian gas case: its network against one built by hand, vectorization,
views, bad input, and the rebuilt coalition adapter."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from pipeline_games.cases import load
from pipeline_games.cases._case import parse_case
from pipeline_games.errors import CaseFileError
from pipeline_games.network import Market, Producer, Route, SupplyNetwork, cooperative, nash_in_nash


@pytest.fixture(scope="module")
def linked():
    return load("eurasian-gas")


def crf(rate: float, life: float) -> float:
    """Capital recovery factor, written out: annuity of 1 over life years at rate."""
    return rate / (1.0 - (1.0 + rate) ** -life)


def hand_network(v: dict[str, float]) -> SupplyNetwork:
    """The Eurasian gas network at the values in force, built from the parameters by hand."""
    kcm_per_bn = 1000.0  # USD bn / bcm = USD 1 per m3 = USD 1000 per kcm
    life = v["contract_life"]
    s = v["upstream_stake"]
    pos_crf = (1 - s) * crf(v["russia_rate"], life) + s * crf(v["china_rate"], life)
    pos_capital = v["pos_capex"] * pos_crf * kcm_per_bn / 38.0
    western_capital = v["western_capex"] * crf(v["russia_rate"], life) * kcm_per_bn / 30.0
    inland_west = v["china_tariff"] * v["wep_distance"]
    inland_east = v["china_tariff"] * v["east_distance"]

    def cagp(capex: float, design: float) -> float:
        return (
            v["cagp_transport"] + inland_west + capex * crf(v["china_rate"], life) * 1000 / design
        )

    europe = v["europe_price"] * v["export_duty_keep"]
    return SupplyNetwork(
        producers=[
            Producer("Russia", capacity=v["russia_supply"]),
            Producer("Turkmenistan", capacity=v["turkmen_supply"], cost=v["turkmen_production"]),
            Producer("Kazakhstan", capacity=v["kazakh_gas_supply"], cost=v["kazakh_gas_cost"]),
            Producer("LNG", cost=v["lng_price"], fringe=True),
        ],
        markets=[
            Market(
                "China",
                steps=[
                    (v["china_import_demand"], v["china_gas_value"]),
                    (1e6, v["china_substitute_value"]),
                ],
            ),
            Market(
                "Russia",
                price=europe - v["russia_europe_transport"],
                capacity=v["russia_turkmen_purchase"],
            ),
            Market("Europe", price=europe, capacity=v["europe_extra_volume"], fringe=True),
        ],
        routes=[
            Route(
                "pos",
                ("Russia", "China"),
                v["pos_capacity"],
                cost=v["esib_production"] + v["pipeline_opex"] + inland_east + pos_capital,
            ),
            Route(
                "western",
                ("Russia", "China"),
                v["western_capacity"],
                cost=v["wsib_production"] + v["pipeline_opex"] + inland_west + western_capital,
            ),
            Route(
                "europe",
                ("Russia", "Europe"),
                v["europe_extra_volume"],
                cost=v["wsib_production"] + v["russia_europe_transport"],
            ),
            Route(
                "ab",
                ("Turkmenistan", "Uzbekistan", "Kazakhstan", "China"),
                v["line_ab_capacity"],
                cost=cagp(v["cagp_ab_capex"], 30.0),
            ),
            Route(
                "c",
                ("Turkmenistan", "Uzbekistan", "Kazakhstan", "China"),
                v["line_c_capacity"],
                cost=cagp(v["cagp_c_capex"], 25.0),
            ),
            Route(
                "d",
                ("Turkmenistan", "Uzbekistan", "Tajikistan", "Kyrgyzstan", "China"),
                v["line_d_capacity"],
                cost=cagp(v["cagp_d_capex"], 25.0),
            ),
            Route("cac", ("Turkmenistan", "Russia"), v["cac_capacity"], cost=v["cac_transport"]),
            Route("kz", ("Kazakhstan", "China"), v["kazakh_gas_supply"], cost=inland_west),
            Route("lng", ("LNG", "China"), v["lng_capacity"], cost=v["lng_regas"]),
        ],
        transit=["Uzbekistan", "Kazakhstan", "Tajikistan", "Kyrgyzstan"],
    )


def hand_rates(v: dict[str, float]) -> dict[str, float]:
    return {
        "China": v["china_rate"],
        "Russia": v["russia_rate"],
        "Turkmenistan": v["turkmen_rate"],
        **dict.fromkeys(
            ("Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan"), v["transit_rate"]
        ),
    }


@pytest.mark.parametrize("year", [2006, 2008, 2010, 2012, 2014, 2019])
def test_epoch_matches_a_network_built_by_hand(linked, year):
    values = {k: float(x) for k, x in linked.epoch_values(linked.base, year).items()}
    net = hand_network(values)
    deal = nash_in_nash(net, rates=hand_rates(values))
    coop = cooperative(net)
    out = linked.outputs_at(linked.base, year)
    names = list(net.agreement_names)
    russia = names.index("Russia -> China")
    turkmen = names.index("Turkmenistan -> China")
    side = names.index("Turkmenistan -> Russia")
    million = 1e-3  # bcm/yr x USD/kcm = USD mn/yr -> USD bn/yr
    countries = list(net.countries)
    assert float(out["net_surplus"]) == pytest.approx(float(deal.surplus) * million, rel=1e-9)
    for country, key in (("China", "net_buyer_payoff"), ("Russia", "net_seller_payoff")):
        assert float(out[key]) == pytest.approx(
            float(deal.payoff[countries.index(country)]) * million, rel=1e-9, abs=1e-9
        )
    transit = sum(deal.payoff[countries.index(c)] for c in ("Kazakhstan", "Uzbekistan"))
    assert float(out["net_transit_payoff"]) == pytest.approx(transit * million, rel=1e-9, abs=1e-9)
    share = coop.share[countries.index("Turkmenistan")]
    assert float(out["net_rival_shapley_share"]) == pytest.approx(share, rel=1e-9, abs=1e-12)
    # Prices at the border: the bargained price less China's inland leg of the used route.
    inland_west = values["china_tariff"] * values["wep_distance"]
    inland_east = values["china_tariff"] * values["east_distance"]
    if deal.used[russia]:
        flows = dict(zip(deal.routes, deal.flows, strict=True))
        inland = (flows["pos"] * inland_east + flows["western"] * inland_west) / (
            flows["pos"] + flows["western"]
        )
        margin_cost = float(deal.price[russia]) - inland
        theta = values["upstream_stake"]
        pos_cost = net.routes[0].cost - inland_east
        west_cost = net.routes[1].cost - inland_west
        cost = (flows["pos"] * pos_cost + flows["western"] * west_cost) / (
            flows["pos"] + flows["western"]
        )
        assert float(out["net_price"]) == pytest.approx(
            (margin_cost - theta * cost) / (1 - theta), rel=1e-9
        )
    else:
        assert math.isnan(float(out["net_price"]))
    assert float(out["net_rival_price"]) == pytest.approx(
        float(deal.price[turkmen]) - inland_west, rel=1e-9
    )
    if deal.used[side]:
        expected = float(deal.price[side]) - values["cac_transport"]
        assert float(out["net_side_price"]) == pytest.approx(expected, rel=1e-9)
    assert bool(out["net_stable"]) == bool(deal.stable)


def test_vectorized_over_samples_equals_point_by_point(linked):
    from pipeline_games.cases._claims import sample_box

    box = sample_box(linked, 6, seed=3)
    out = linked.outputs_at(box, 2014)
    for k in range(6):
        point = {name: float(values[k]) for name, values in box.items()}
        single = linked.outputs_at(point, 2014)
        for key in ("net_price", "net_rival_price", "net_seller_payoff", "net_transit_payoff"):
            assert np.allclose(out[key][k], single[key], equal_nan=True, rtol=1e-9), key


def test_views_share_the_linked_network(linked):
    russia = load("china-russia-gas")
    turkmen = load("china-turkmenistan-gas")
    for year in (2010, 2014):
        base = linked.outputs_at(linked.base, year)
        assert float(russia.outputs_at(russia.base, year)["net_price"]) == pytest.approx(
            float(base["net_price"]), rel=1e-12
        )
        assert float(turkmen.outputs_at(turkmen.base, year)["net_price"]) == pytest.approx(
            float(base["net_rival_price"]), rel=1e-12
        )
        # The Turkmen view's outside option: its payoff without the China contract.
        out = turkmen.outputs_at(turkmen.base, year)
        assert float(out["net_seller_outside_option"]) <= float(out["net_seller_payoff"]) + 1e-12


def test_unit_of_money_scales_payoffs(linked, tmp_path):
    """The same case with payoffs in USD/yr gives payoffs 1e9 times larger, prices equal."""
    text = linked.path.read_text(encoding="utf-8").replace(
        'money = "USD_bn/yr"', 'money = "USD/yr"'
    )
    path = tmp_path / "eurasian-gas.toml"
    path.write_text(text, encoding="utf-8")
    from pipeline_games.cases._case import read_case_file

    scaled = read_case_file(path)
    a, b = linked.outputs_at(linked.base, 2014), scaled.outputs_at(scaled.base, 2014)
    assert float(b["net_seller_payoff"]) == pytest.approx(1e9 * float(a["net_seller_payoff"]))
    assert float(b["net_price"]) == pytest.approx(float(a["net_price"]), rel=1e-12)


def _toml(tmp_path, text, name="bad-gas"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_supply_network_tables_raise(linked, tmp_path):
    import tomllib

    with linked.path.open("rb") as handle:
        data = tomllib.load(handle)
    data["case"]["name"] = "bad"
    broken = {**data, "supply_network": {**data["supply_network"]}}
    broken["supply_network"]["routes"] = {
        **data["supply_network"]["routes"],
        "ghost": {"path": ["Russia", "Mongolia", "China"], "capacity": 1.0},
    }
    with pytest.raises(CaseFileError, match="unknown countries"):
        parse_case(broken, tmp_path / "bad.toml")
    broken = {**data, "supply_network": {**data["supply_network"], "rates": {"China": "nope"}}}
    with pytest.raises(CaseFileError, match="no parameter 'nope'"):
        parse_case(broken, tmp_path / "bad.toml")
    focus = {**data["supply_network"]["focus"], "rival": "Mongolia -> China"}
    broken = {**data, "supply_network": {**data["supply_network"], "focus": focus}}
    with pytest.raises(CaseFileError, match="no agreement 'Mongolia -> China'"):
        parse_case(broken, tmp_path / "bad.toml")
    routes = dict(data["supply_network"]["routes"])
    routes["lng_china"] = {**routes["lng_china"], "capacity": "contract_life"}  # years, not bcm
    broken = {**data, "supply_network": {**data["supply_network"], "routes": routes}}
    with pytest.raises(CaseFileError, match="volumes must share one unit"):
        parse_case(broken, tmp_path / "bad.toml")


def test_view_of_an_unknown_case_raises(tmp_path):
    from pipeline_games.cases._case import read_case_file

    path = _toml(tmp_path, 'extends = "no-such-case"\n[case]\nname = "bad-gas"\n')
    with pytest.raises(CaseFileError, match="extends"):
        read_case_file(path)


def test_coalition_adapter_matches_pipeline_network_point_by_point():
    """The vectorized Shapley of the network adapter against PipelineNetwork, per point."""
    from pipeline_games.cases._claims import sample_box
    from pipeline_games.cases._transit import case_network, network_arguments

    case = load("china-turkmenistan-gas")
    args = network_arguments(case)
    box = sample_box(case, 5, seed=2)
    for year, step in ((2010, 2), (2014, 4)):
        out = case.outputs_at(box, year)
        current = case.epoch_values(box, year)
        for k in range(5):
            values = {n: float(np.asarray(current[n])[k]) for n in args["network_parameters"]}
            game = case_network(args["network"], values, step, args["money_factor"]).game()
            players = list(game.players)
            expected = game.shapley().values[players.index("Turkmenistan")] / game.values[-1]
            assert float(out["seller_shapley_share"][k]) == pytest.approx(expected, rel=1e-9)
    base = case.outputs_at(case.base, 2014)
    values = {n: float(case.epoch_values(case.base, 2014)[n]) for n in args["network_parameters"]}
    game = case_network(args["network"], values, 4, args["money_factor"]).game()
    players = list(game.players)
    nucleolus = game.nucleolus().values[players.index("Turkmenistan")] / game.values[-1]
    assert float(base["seller_nucleolus_share"]) == pytest.approx(nucleolus, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"parameters": 1}, "parameters: expected a table"),
        ({"epochs": 5}, "epochs: expected an array of tables"),
        ({"epochs": [3]}, "epochs[0]: expected a table"),
        ({"supply_network": "x"}, "supply_network: expected a table"),
        ({"epochs": [{"year": 2014, "set": 7}]}, "epochs[0].set: expected a table"),
    ],
)
def test_a_view_with_a_table_that_is_not_one_is_a_case_file_error(tmp_path, change, where):
    import tomllib

    from _support.casefiles import CASES, dump_toml
    from pipeline_games.cases import read_case_file
    from pipeline_games.errors import CaseFileError

    data = {**tomllib.loads((CASES / "china-russia-gas.toml").read_text("utf-8")), **change}
    path = tmp_path / "view.toml"
    path.write_text(dump_toml(data), encoding="utf-8")
    with pytest.raises(CaseFileError, match=rf"view\.toml: {re.escape(where)}"):
        read_case_file(path)
