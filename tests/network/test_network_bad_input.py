"""Bad input raises InvalidParameterError naming the item."""

from __future__ import annotations

import math

import pytest

from pipeline_games import InvalidParameterError
from pipeline_games.network import (
    Market,
    Producer,
    Route,
    SupplyNetwork,
    flow,
    nash_in_nash,
)


def base(**changes):
    parts = {
        "producers": [Producer("A", capacity=10.0, cost=1.0)],
        "markets": [Market("C", price=5.0)],
        "routes": [Route("r", ("A", "B", "C"), 5.0)],
        "transit": ["B"],
    }
    parts.update(changes)
    return SupplyNetwork(parts["producers"], parts["markets"], parts["routes"], parts["transit"])


def test_route_through_unknown_country() -> None:
    with pytest.raises(InvalidParameterError, match="route 'r' crosses an unknown country 'X'"):
        base(routes=[Route("r", ("A", "X", "C"), 5.0)])
    with pytest.raises(InvalidParameterError, match="route 'r' ends at 'Z'"):
        base(routes=[Route("r", ("A", "Z"), 5.0)])
    with pytest.raises(InvalidParameterError, match="route 'r' starts at 'C'"):
        base(routes=[Route("r", ("C", "A"), 5.0)])


def test_negative_capacity_and_nan() -> None:
    with pytest.raises(InvalidParameterError, match="capacity of route 'r' must be >= 0"):
        Route("r", ("A", "C"), -1.0)
    with pytest.raises(InvalidParameterError, match="capacity of producer 'A' must be >= 0"):
        Producer("A", capacity=[1.0, -2.0])
    with pytest.raises(InvalidParameterError, match="cost of route 'r' must be finite; got nan"):
        Route("r", ("A", "C"), 1.0, cost=math.nan)
    with pytest.raises(InvalidParameterError, match="unit value of step 0 of market 'C'"):
        Market("C", price=math.nan)
    with pytest.raises(InvalidParameterError, match="capacity of route 'r' must be finite"):
        Route("r", ("A", "C"), math.inf)


def test_market_without_value_or_convex_schedule() -> None:
    with pytest.raises(InvalidParameterError, match="market 'C' has no value"):
        Market("C")
    with pytest.raises(InvalidParameterError, match="unit values of market 'C' must not increase"):
        Market("C", steps=[(1.0, 2.0), (1.0, 3.0)])
    with pytest.raises(InvalidParameterError, match="market 'E' is a fringe"):
        Market("E", steps=[(1.0, 2.0), (1.0, 1.0)], fringe=True)


def test_network_structure_errors() -> None:
    with pytest.raises(InvalidParameterError, match="producers must have distinct names"):
        base(producers=[Producer("A"), Producer("A")])
    lng = Producer("LNG", cost=3.0, fringe=True)
    with pytest.raises(InvalidParameterError, match="route 'l' starts at the fringe 'LNG'"):
        base(producers=[Producer("A"), lng], routes=[Route("l", ("LNG", "B", "C"), 1.0)])
    with pytest.raises(InvalidParameterError, match="parameters do not broadcast together"):
        base(
            producers=[Producer("A", cost=[1.0, 2.0])],
            routes=[Route("r", ("A", "C"), [1.0, 2.0, 3.0])],
        )


def test_solver_arguments() -> None:
    net = base()
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        flow(net, method="simplex")
    with pytest.raises(InvalidParameterError, match="unknown agreement 'A -> Q'"):
        flow(net, agreements=["A -> Q"])
    with pytest.raises(InvalidParameterError, match="buyer_weight must be in"):
        nash_in_nash(net, buyer_weight=1.5)
    with pytest.raises(InvalidParameterError, match="buyer_weight names an unknown agreement"):
        nash_in_nash(net, buyer_weight={"nope": 0.5})
    with pytest.raises(InvalidParameterError, match="rates must give a rate for 'B'"):
        nash_in_nash(net, rates={"A": 0.1, "C": 0.1})
    with pytest.raises(InvalidParameterError, match="rate of 'A' must be > 0"):
        nash_in_nash(net, rates={"A": 0.0, "B": 0.1, "C": 0.1})
