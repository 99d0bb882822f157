"""The cooperative view: the network's characteristic function and Shapley value."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from pipeline_games.coalition import Line, Node, PipelineNetwork
from pipeline_games.network import (
    Market,
    Producer,
    Route,
    SupplyNetwork,
    coalition_values,
    cooperative,
    flow,
    nash_in_nash,
)


def network(points: int | None = None) -> SupplyNetwork:
    rng = np.random.default_rng(3)
    size = () if points is None else (points,)
    return SupplyNetwork(
        [
            Producer("Producer A", capacity=rng.uniform(10, 30, size), cost=10.0),
            Producer("Producer D", capacity=15.0, cost=rng.uniform(5, 25, size)),
            Producer("LNG", cost=70.0, fringe=True),
        ],
        [
            Market("Buyer C", steps=[(20.0, 100.0), (20.0, rng.uniform(40, 60, size))]),
            Market("Export", price=30.0, fringe=True),
        ],
        [
            Route("north", ("Producer A", "Transit B", "Buyer C"), 20.0, cost=5.0),
            Route("south", ("Producer D", "Buyer C"), 15.0, cost=8.0),
            Route("lng", ("LNG", "Buyer C"), 10.0),
            Route("west", ("Producer A", "Export"), 20.0),
        ],
        transit=["Transit B"],
    )


def brute_force_values(net: SupplyNetwork) -> np.ndarray:
    """v(S) by one flow per coalition, routes open when all their countries are in S."""
    n = len(net.countries)
    fringes = {p.name for p in net.producers if p.fringe} | {
        m.name for m in net.markets if m.fringe
    }
    out = np.zeros((1 << n, *net.shape))
    for mask in range(1 << n):
        members = {c for i, c in enumerate(net.countries) if mask >> i & 1}
        open_routes = [r.name for r in net.routes if set(r.path) - fringes <= members]
        out[mask] = flow(net, routes=open_routes).surplus if open_routes else 0.0
    return np.moveaxis(out, 0, -1)


def test_values_match_one_flow_per_coalition() -> None:
    net = network(points=5)
    np.testing.assert_allclose(coalition_values(net), brute_force_values(net), rtol=1e-12)


def test_fringes_are_open_to_every_coalition() -> None:
    net = network()
    values = coalition_values(net)
    idx = {c: i for i, c in enumerate(net.countries)}
    # the buyer alone buys 10 units of LNG at 70 for the first block worth 100
    assert values[1 << idx["Buyer C"]] == pytest.approx(10 * 30.0)
    # producer A alone exports all it has (route limit 20) at 30 - 10
    supply = min(float(net.producers[0].capacity), 20.0)
    assert values[1 << idx["Producer A"]] == pytest.approx(supply * 20.0)


def test_shapley_over_points_matches_permutations() -> None:
    net = network(points=3)
    result = cooperative(net)
    table = coalition_values(net)
    n = len(net.countries)
    phi = np.zeros((3, n))
    for order in itertools.permutations(range(n)):
        mask = 0
        for player in order:
            phi[:, player] += table[:, mask | (1 << player)] - table[:, mask]
            mask |= 1 << player
    np.testing.assert_allclose(result.shapley, phi / math.factorial(n), rtol=1e-12)
    np.testing.assert_allclose(result.share.sum(axis=1), 1.0)
    # one game per point for the nucleolus and core
    game = result.game((1,))
    assert game.players == net.countries
    np.testing.assert_allclose(game.nucleolus().values.sum(), table[1, -1])


def test_bargaining_and_shapley_divide_the_same_surplus() -> None:
    net = network(points=4)
    np.testing.assert_allclose(
        nash_in_nash(net).payoff.sum(axis=1), cooperative(net).surplus, rtol=1e-12
    )


def test_pipeline_network_is_a_view_of_the_supply_network() -> None:
    net = PipelineNetwork(
        [
            Node("P", "producer", capacity=25, cost=10),
            Node("T1", "transit", cost=5),
            Node("T2", "transit", cost=10),
            Node("B", "buyer", price=50, capacity=20),
        ],
        [Line("north", ("P", "T1", "B"), 15), Line("south", ("P", "T2", "B"), 10)],
    )
    supply = net.supply_network
    assert supply.route_names == ("north", "south")
    values = coalition_values(supply)
    game = net.game()
    # same coalition values, reindexed from the supply network's player order
    order = [supply.countries.index(p) for p in net.players]
    for mask in range(1 << len(order)):
        supply_mask = sum(1 << order[i] for i in range(len(order)) if mask >> i & 1)
        assert game.values[mask] == pytest.approx(values[supply_mask])
    assert net.value(["P", "T1", "T2", "B"]) == pytest.approx(15 * 35.0 + 5 * 30.0)
