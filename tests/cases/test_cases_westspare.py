"""Spare westbound room for the China line's crude (``kazakh_west_spare``): Kazakhstan's outside
option in the China deal, and its payoff, move with it only where the room binds.

The claim ``western-options-help-kazakhstan`` of china-kazakhstan-oil differentiates the
seller's payoff by ``kazakh_west_spare`` on the eurasian-oil network. Here the mechanism is
computed by hand from the network's flows, not with the claim checker:

* while the deal runs, the China line's barrels that China values only at the seaborne price
  (beyond its overland demand left by the ESPO spur) go west first, into the spare room;
* if the deal breaks, the deal's own barrels can go west into what room is left; that is the
  outside option, worth the westbound netback less the production cost;
* by Rubinstein's bargaining with outside options (Binmore, Shaked and Sutton 1989) the
  seller's payoff is the larger of its share without the option and the option itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games.cases import load

YEAR = 2006
MONEY = 1e-3  # USD bn per (Mt x bbl/t x USD/bbl)
# A point where the China line's crude is worth more in China at the overland premium than
# west, and less at the seaborne price: the premium and the westbound haul at their range's
# high ends (both are parameters of the bilateral case, so the network reads them).
POINT = {"overland_premium": 8.0, "west_km": 2800.0}


@pytest.fixture(scope="module")
def cases():
    return load("china-kazakhstan-oil"), load("eurasian-oil")


def at(**values):
    return {k: np.float64(v) for k, v in values.items()}


def payoff(case, spare, **point):
    values = at(kazakh_west_spare=spare, **point)
    return float(case.adapter_outputs(values, YEAR)["seller_payoff"])


def expected_option(kazakh, oil, spare, **point):
    """Outside option (USD bn/yr) of the bilateral deal, from the network's flows by hand."""
    values = at(kazakh_west_spare=spare, **point)
    here = kazakh.epoch_values(values, YEAR)
    net = oil.epoch_values({k: v for k, v in values.items() if k in oil.parameters}, YEAR)
    premium_netback = float(here["china_crude_value"] - here["kazakh_transport_china"])
    seaborne_netback = float(net["china_seaborne_value"] - here["kazakh_transport_china"])
    west_netback = float(here["brent"] - here["kazakh_transport_west"])
    # The premise of the point: premium > west > seaborne (else the hand model differs).
    assert premium_netback > west_netback > seaborne_netback
    line = float(net["kcp_capacity"])
    in_china = min(line, max(0.0, float(net["china_overland_demand"] - net["spur_capacity"])))
    assert 0.0 < in_china < line
    left_over = line - in_china  # goes west first (into the room), while the deal runs
    room = max(0.0, spare - left_over)  # for the deal's barrels if the deal breaks
    margin = west_netback - float(here["kazakh_production_cost"])
    per_barrel = min(room, in_china) / in_china * margin
    volume, bpt = float(here["volume"]), float(here["barrels_per_tonne"])
    flow = line - min(spare, left_over)  # the network deal's volume: what is not sent west
    return volume * bpt * per_barrel * MONEY, per_barrel, flow


def test_no_spare_room_no_outside_option_at_the_base(cases):
    kazakh, _ = cases
    for year in kazakh.years:
        here = kazakh.epoch_values(kazakh.base, year)
        assert float(here["kazakh_west_spare"]) == 0.0
        # zero up to rounding on the scale of the year's prices
        assert abs(float(here["kazakh_alt_value"])) <= 1e-9 * float(here["brent"]), year
    # ... and a little room changes nothing: the derivative the claim takes is zero.
    step = 1e-3
    up, down = payoff(kazakh, step), payoff(kazakh, 0.0)
    assert up == pytest.approx(down, rel=1e-12)


def test_spare_room_binds_only_beyond_the_crude_china_does_not_value(cases):
    kazakh, oil = cases
    share = payoff(kazakh, 0.0, **POINT)  # the Rubinstein share, no outside option
    _, _, flow = expected_option(kazakh, oil, 10.0, **POINT)
    assert flow == pytest.approx(5.0)  # of the 10 Mt/yr line: 20 less the spur's 15
    binds = []
    for spare in (0.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        option, per_barrel, _ = expected_option(kazakh, oil, spare, **POINT)
        values = at(kazakh_west_spare=spare, **POINT)
        alt = float(kazakh.epoch_values(values, YEAR)["kazakh_alt_value"])
        assert alt == pytest.approx(per_barrel, rel=1e-9, abs=1e-9 * per_barrel + 1e-12)
        got = payoff(kazakh, spare, **POINT)
        assert got == pytest.approx(max(share, option), rel=1e-9)
        binds.append(option > share)
    # Within the range (0-4 Mt/yr) the room never binds; well beyond it, it does.
    assert binds == [False, False, False, False, False, True, True]


def test_where_the_option_binds_more_room_raises_the_payoff(cases):
    kazakh, oil = cases
    spare, step = 8.0, 1e-3
    slope = (payoff(kazakh, spare + step, **POINT) - payoff(kazakh, spare - step, **POINT)) / (
        2 * step
    )
    _, _, flow = expected_option(kazakh, oil, spare, **POINT)  # 5 Mt/yr to China
    here = kazakh.epoch_values(at(**POINT), YEAR)
    margin = float(here["brent"] - here["kazakh_transport_west"] - here["kazakh_production_cost"])
    expected = float(here["volume"] * here["barrels_per_tonne"]) * margin / flow * MONEY
    assert slope > 0
    assert slope == pytest.approx(expected, rel=1e-6)


@settings(max_examples=15)
@given(spare=st.floats(0.0, 12.0))
def test_the_payoff_is_the_larger_of_the_share_and_the_option(spare):
    kazakh, oil = load("china-kazakhstan-oil"), load("eurasian-oil")
    share = payoff(kazakh, 0.0, **POINT)
    option, _, flow = expected_option(kazakh, oil, spare, **POINT)
    values = at(kazakh_west_spare=spare, **POINT)
    net_volume = float(oil.outputs_at(values, YEAR)["net_rival_volume"])
    assert net_volume == pytest.approx(flow, rel=1e-9)  # the hand model's flows
    assert payoff(kazakh, spare, **POINT) == pytest.approx(max(share, option), rel=1e-9)
