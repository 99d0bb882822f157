"""The welfare-maximising flow: merit order with re-dispatch against linear programming."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games.network import Market, Producer, Route, SupplyNetwork, flow
from pipeline_games.network._flow import surplus_for_masks


def random_network(seed: int, points: int = 1) -> SupplyNetwork:
    """A random bipartite network: 1-4 producers (some a fringe), 1-3 markets, 1-7 routes."""
    rng = np.random.default_rng(seed)
    size = () if points == 1 else (points,)
    n_p, n_m = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    producers = [
        Producer(
            f"P{i}",
            capacity=rng.uniform(1, 30, size),
            cost=rng.uniform(0, 20, size),
            fringe=bool(i == 3),
        )
        for i in range(n_p)
    ]
    markets = []
    for j in range(n_m):
        n_s = int(rng.integers(1, 4))
        values = -np.sort(-rng.uniform(0, 60, (n_s, *size)), axis=0)
        markets.append(
            Market(f"M{j}", steps=[(rng.uniform(1, 20, size), values[k]) for k in range(n_s)])
        )
    routes = [
        Route(
            f"r{k}",
            (f"P{rng.integers(n_p)}", f"M{rng.integers(n_m)}"),
            capacity=rng.uniform(0, 25, size),
            cost=rng.uniform(0, 10, size),
        )
        for k in range(int(rng.integers(1, 8)))
    ]
    return SupplyNetwork(producers, markets, routes)


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_merit_order_matches_linear_programming(seed: int) -> None:
    net = random_network(seed)
    rng = np.random.default_rng(seed + 1)
    masks = rng.random((3, len(net.routes))) < 0.8
    merit = surplus_for_masks(net, masks, "merit")
    lp = surplus_for_masks(net, masks, "lp")
    np.testing.assert_allclose(merit, lp, rtol=1e-9, atol=1e-9 * np.abs(lp).max(initial=1.0))


def test_merit_order_matches_linear_programming_over_many_points() -> None:
    for seed in range(5):
        net = random_network(seed, points=40)
        merit = flow(net, method="merit")
        lp = flow(net, method="lp")
        np.testing.assert_allclose(merit.surplus, lp.surplus, rtol=1e-9, atol=1e-9)
        assert merit.surplus.shape == (40,)
        assert merit.flows.shape == (40, len(net.routes))


def test_re_dispatch_beats_greedy() -> None:
    """Greedy by margin sends P1 to the richer market M1 and strands P2; the optimum moves
    P1 to M2 (margin 9) and lets P2 serve M1 (margin 5): 14, not 10."""
    net = SupplyNetwork(
        [Producer("P1", capacity=1.0), Producer("P2", capacity=1.0, cost=5.0)],
        [Market("M1", price=10.0, capacity=1.0), Market("M2", price=9.0, capacity=1.0)],
        [
            Route("a", ("P1", "M1"), 1.0),
            Route("b", ("P1", "M2"), 1.0),
            Route("c", ("P2", "M1"), 1.0),
        ],
    )
    result = flow(net, method="merit")
    assert float(result.surplus) == pytest.approx(14.0)
    np.testing.assert_allclose(result.flows, [0.0, 1.0, 1.0])


def test_merit_order_by_hand_with_fringes_and_transit() -> None:
    # Buyer C values 30 units at 100, then 20 more at 40; Producer A (cost 20, 25 units)
    # over Transit B (route cost 10); LNG fringe at 70 (up to 10 units); A may sell the rest
    # to a fringe market at 35.
    net = SupplyNetwork(
        [
            Producer("Producer A", capacity=25.0, cost=20.0),
            Producer("LNG", capacity=10.0, cost=70.0, fringe=True),
        ],
        [
            Market("Buyer C", steps=[(30.0, 100.0), (20.0, 40.0)]),
            Market("Export", price=35.0, fringe=True),
        ],
        [
            Route("pipe", ("Producer A", "Transit B", "Buyer C"), 40.0, cost=10.0),
            Route("lng", ("LNG", "Buyer C"), 10.0),
            Route("west", ("Producer A", "Export"), 40.0),
        ],
        transit=["Transit B"],
    )
    # A's 25 units go to C at margin 70; LNG fills 5 more at 30; export gets nothing (A full)
    expected = 25 * 70.0 + 5 * 30.0
    for method in ("merit", "lp"):
        assert float(flow(net, method=method).surplus) == pytest.approx(expected)
    # without the transit agreement, A exports 25 at 15 and C buys 10 LNG at 30
    without = [a for a in net.agreement_names if not a.startswith("Transit B")]
    assert float(flow(net, agreements=without).surplus) == pytest.approx(25 * 15.0 + 10 * 30.0)
    assert float(flow(net, routes=["lng"]).surplus) == pytest.approx(300.0)


def test_in_year_drops_routes_not_yet_open() -> None:
    net = SupplyNetwork(
        [Producer("P", cost=1.0)],
        [Market("B", price=3.0)],
        [Route("old", ("P", "B"), 1.0), Route("new", ("P", "B"), 2.0, opens=2019)],
    )
    assert float(flow(net.in_year(2018)).surplus) == pytest.approx(2.0)
    assert float(flow(net.in_year(2019)).surplus) == pytest.approx(6.0)


def test_transit_capacity_uses_linear_programming() -> None:
    net = SupplyNetwork(
        [Producer("P", cost=1.0)],
        [Market("B1", price=3.0), Market("B2", price=2.0)],
        [Route("a", ("P", "T", "B1"), 5.0), Route("b", ("P", "T", "B2"), 5.0)],
        transit=["T"],
        transit_capacity={"T": 7.0},
    )
    assert float(flow(net).surplus) == pytest.approx(5 * 2.0 + 2 * 1.0)
