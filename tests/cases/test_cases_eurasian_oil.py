"""The linked Eurasian oil case: its network against one built by hand (USD/bbl on Mt/yr),
the Kazakh-pipeline claim recomputed independently, vectorization and bad units."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline_games.cases import load
from pipeline_games.cases._case import parse_case
from pipeline_games.errors import CaseFileError
from pipeline_games.network import Market, Producer, Route, SupplyNetwork, cooperative, nash_in_nash


@pytest.fixture(scope="module")
def linked():
    return load("eurasian-oil")


def crf(rate: float, life: float) -> float:
    """Capital recovery factor, written out: annuity of 1 over life years at rate."""
    return rate / (1.0 - (1.0 + rate) ** -life)


def hand_network(v: dict[str, float]) -> SupplyNetwork:
    """The Eurasian oil network at the values in force, built from the parameters by hand."""
    bpt = v["barrels_per_tonne"]
    # USD bn/yr per Mt/yr = USD 1000 per tonne = 1000 / bpt USD per barrel
    capital = 1000.0 / bpt
    tariff = v["pipeline_tariff"] * v["tariff_factor"] / 1000.0  # USD per t and km

    def haul(km: float) -> float:
        return tariff * km * v["tonnes_per_barrel"]

    spur = (
        haul(v["spur_km"])
        + v["spur_capex"] * crf(v["capital_rate"], v["asset_life"]) * capital / 15.0
    )
    pacific = (
        haul(v["skovorodino_kozmino_km"])
        + v["pacific_capex"] * crf(v["capital_rate"], v["asset_life"]) * capital / 30.0
    )
    seaborne = v["dubai"] + v["seaborne_freight"]
    return SupplyNetwork(
        producers=[
            Producer(
                "Russia", capacity=v["russia_east_supply"], cost=v["russia_cost_at_skovorodino"]
            ),
            Producer(
                "Kazakhstan",
                capacity=v["kcp_capacity"] + v["kazakh_west_sales"],
                cost=v["kazakh_production_cost"],
            ),
        ],
        markets=[
            Market(
                "China",
                steps=[
                    (v["china_overland_demand"], seaborne + v["overland_premium"]),
                    (1e6, seaborne),
                ],
            ),
            Market(
                "Pacific",
                price=v["dubai"] + v["espo_dubai_premium"],
                capacity=v["pacific_volume"],
                fringe=True,
            ),
            Market("Europe", price=v["urals"], capacity=v["russia_west_volume"], fringe=True),
            Market("Black Sea", price=v["brent"], capacity=v["kazakh_west_sales"], fringe=True),
        ],
        routes=[
            Route("spur", ("Russia", "China"), v["spur_capacity"], cost=spur),
            Route("kozmino", ("Russia", "Pacific"), v["pacific_volume"], cost=pacific),
            Route("west", ("Russia", "Europe"), v["russia_west_volume"], haul(v["russia_west_km"])),
            Route("kcp", ("Kazakhstan", "China"), v["kcp_capacity"], cost=haul(v["kcp_km"])),
            Route(
                "kz_west", ("Kazakhstan", "Black Sea"), v["kazakh_west_sales"], haul(v["west_km"])
            ),
        ],
    )


def hand_rates(v: dict[str, float]) -> dict[str, float]:
    return {"China": v["china_rate"], "Russia": v["russia_rate"], "Kazakhstan": v["kazakh_rate"]}


def values_at(case, year, **changes):
    values = {k: float(x) for k, x in case.epoch_values(case.base, year).items()}
    values.update(changes)
    return values


@pytest.mark.parametrize("year", [1997, 2004, 2006, 2009, 2011, 2013, 2014])
def test_epoch_matches_a_network_built_by_hand(linked, year):
    v = values_at(linked, year)
    net = hand_network(v)
    deal = nash_in_nash(net, rates=hand_rates(v))
    coop = cooperative(net)
    out = linked.outputs_at(linked.base, year)
    bn = v["barrels_per_tonne"] * 1e-3  # Mt/yr x USD/bbl = 7.33 USD mn/yr -> USD bn/yr
    countries = list(net.countries)
    names = list(net.agreement_names)
    assert float(out["net_surplus"]) == pytest.approx(float(deal.surplus) * bn, rel=1e-9)
    for country, key in (("China", "net_buyer_payoff"), ("Russia", "net_seller_payoff")):
        expected = float(deal.payoff[countries.index(country)]) * bn
        assert float(out[key]) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    russia = names.index("Russia -> China")
    kazakh = names.index("Kazakhstan -> China")
    if deal.used[russia]:
        assert float(out["net_price"]) == pytest.approx(float(deal.price[russia]), rel=1e-9)
    else:
        assert np.isnan(float(out["net_price"]))
    assert float(out["net_rival_price"]) == pytest.approx(float(deal.price[kazakh]), rel=1e-9)
    share = coop.share[countries.index("Kazakhstan")]
    assert float(out["net_rival_shapley_share"]) == pytest.approx(share, rel=1e-9, abs=1e-12)


def test_russia_payoff_falls_with_kazakh_capacity_by_hand(linked):
    """The claim, recomputed: Nash-in-Nash on hand networks with more Kazakh capacity."""
    v = values_at(linked, 2006)
    payoffs = []
    for kcp in (v["kcp_capacity"] - 0.5, v["kcp_capacity"] + 0.5):
        net = hand_network({**v, "kcp_capacity": kcp})
        deal = nash_in_nash(net, rates=hand_rates(v))
        payoffs.append(float(deal.payoff[list(net.countries).index("Russia")]))
    assert payoffs[1] < payoffs[0]
    # and where China's premium demand covers both lines it does not move (no discount built in)
    wide = {**v, "china_overland_demand": 40.0}
    flat = []
    for kcp in (9.5, 10.5):
        net = hand_network({**wide, "kcp_capacity": kcp})
        deal = nash_in_nash(net, rates=hand_rates(v))
        flat.append(float(deal.payoff[list(net.countries).index("Russia")]))
    assert flat[0] == pytest.approx(flat[1], rel=1e-9)


def test_claims_hold_at_base(linked):
    from pipeline_games.cases._claims import check_case

    frame = check_case(linked, samples=64, seed=1).to_frame()
    assert set(frame["verdict"]) == {"holds"}
    assert (frame["robustness"] > 0).all()
    assert (frame["robustness"] < 1).all()


def test_vectorized_over_samples_equals_point_by_point(linked):
    from pipeline_games.cases._claims import sample_box

    box = sample_box(linked, 5, seed=4)
    out = linked.outputs_at(box, 2006)
    for k in range(5):
        point = {name: float(values[k]) for name, values in box.items()}
        single = linked.outputs_at(point, 2006)
        for key in ("net_price", "net_rival_price", "net_seller_payoff", "net_surplus"):
            assert np.allclose(out[key][k], single[key], equal_nan=True, rtol=1e-9), key


def test_barrels_per_tonne_scales_money_not_prices(linked):
    """Twice the barrels per tonne: twice the money per Mt, the same prices per barrel."""
    a = linked.outputs_at(linked.base, 2013)
    b = linked.outputs_at({**linked.base, "barrels_per_tonne": 14.66}, 2013)
    assert float(b["net_seller_payoff"]) == pytest.approx(2 * float(a["net_seller_payoff"]))
    assert float(b["net_price"]) == pytest.approx(float(a["net_price"]), rel=1e-9)


def test_units_per_volume_in_the_wrong_unit_raises(linked, tmp_path):
    import tomllib

    with linked.path.open("rb") as handle:
        data = tomllib.load(handle)
    data["case"]["name"] = "bad"
    broken = {**data, "supply_network": {**data["supply_network"]}}
    broken["supply_network"]["units_per_volume"] = "asset_life"  # years, not bbl/t
    with pytest.raises(CaseFileError, match="volume x price"):
        parse_case(broken, tmp_path / "bad.toml")
    del broken["supply_network"]["units_per_volume"]  # USD/bbl x Mt/yr without bbl/t
    with pytest.raises(CaseFileError, match="volume x price"):
        parse_case(broken, tmp_path / "bad.toml")
