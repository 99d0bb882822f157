"""Tests of PipelineNetwork (the case networks are tested with their cases)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline_games import InvalidParameterError
from pipeline_games.coalition import (
    Line,
    Node,
    PipelineNetwork,
    TUGame,
)


def table_from_hand(players: tuple[str, ...], worth: dict[frozenset[str], float]) -> np.ndarray:
    """Coalition table with the hand-worked values for listed coalitions, 0 elsewhere."""
    n = len(players)
    table = np.zeros(1 << n)
    for mask in range(1 << n):
        members = frozenset(p for i, p in enumerate(players) if mask >> i & 1)
        # a coalition is worth the best hand-worked sub-coalition it contains
        table[mask] = max([v for s, v in worth.items() if s <= members], default=0.0)
    return table


# ----------------------------------------------------------------------------------------
# hand-worked networks
# ----------------------------------------------------------------------------------------


def test_single_line_all_members_are_veto_players() -> None:
    net = PipelineNetwork(
        [
            Node("P", "producer", capacity=100, cost=10),
            Node("T", "transit", cost=5),
            Node("B", "buyer", price=50),
        ],
        [Line("L", ("P", "T", "B"), 20)],
    )
    game = net.game()
    # only the full coalition moves gas: 20 * (50 - 10 - 5) = 700
    expected = np.zeros(8)
    expected[7] = 700.0
    np.testing.assert_allclose(game.values, expected)
    np.testing.assert_allclose(game.shapley().values, [700 / 3] * 3)
    np.testing.assert_allclose(game.nucleolus().values, [700 / 3] * 3, atol=1e-7)


def test_two_routes_with_buyer_limit() -> None:
    players = ("P", "T1", "T2", "B")
    net = PipelineNetwork(
        [
            Node("P", "producer", cost=10),
            Node("T1", "transit", cost=5),
            Node("T2", "transit", cost=10),
            Node("B", "buyer", price=50, capacity=20),
        ],
        [Line("north", ("P", "T1", "B"), 15), Line("south", ("P", "T2", "B"), 10)],
    )
    # north margin 35 on 15; south margin 30 on 10; buyer takes 20: north full + 5 south
    worth = {
        frozenset({"P", "T1", "B"}): 15 * 35.0,
        frozenset({"P", "T2", "B"}): 10 * 30.0,
        frozenset(players): 15 * 35.0 + 5 * 30.0,
    }
    np.testing.assert_allclose(net.game().values, table_from_hand(players, worth))


def test_producer_limit_and_two_buyers() -> None:
    players = ("P", "B1", "T", "B2")
    net = PipelineNetwork(
        [
            Node("P", "producer", capacity=15, cost=10),
            Node("B1", "buyer", price=50),
            Node("T", "transit", cost=20),
            Node("B2", "buyer", price=80),
        ],
        [Line("direct", ("P", "B1"), 10), Line("via_T", ("P", "T", "B2"), 10)],
    )
    # direct margin 40, via_T margin 50; P has 15: 10 via T, 5 direct
    worth = {
        frozenset({"P", "B1"}): 10 * 40.0,
        frozenset({"P", "T", "B2"}): 10 * 50.0,
        frozenset(players): 10 * 50.0 + 5 * 40.0,
    }
    np.testing.assert_allclose(net.game().values, table_from_hand(players, worth))
    assert net.value(["P", "B1", "T", "B2"]) == pytest.approx(700.0)


def test_transit_capacity_shared_by_lines_and_unprofitable_line_unused() -> None:
    players = ("P", "T", "B1", "B2")
    net = PipelineNetwork(
        [
            Node("P", "producer", cost=10),
            Node("T", "transit", capacity=8, cost=2),
            Node("B1", "buyer", price=30),
            Node("B2", "buyer", price=11),  # margin 11 - 10 - 2 < 0
        ],
        [Line("one", ("P", "T", "B1"), 6), Line("two", ("P", "T", "B2"), 6)],
    )
    worth = {frozenset({"P", "T", "B1"}): 6 * 18.0}
    np.testing.assert_allclose(net.game().values, table_from_hand(players, worth))
    # with a profitable second buyer the transit limit binds: 6 at 18 + 2 at 8
    richer = PipelineNetwork(
        [*net.nodes[:3], Node("B2", "buyer", price=20)], net.lines, value_scale=0.5
    )
    assert richer.value(players) == pytest.approx(0.5 * (6 * 18.0 + 2 * 8.0))


@st.composite
def random_networks(draw) -> PipelineNetwork:
    n_transit = draw(st.integers(1, 3))
    n_buyers = draw(st.integers(1, 2))
    transit = [f"T{i}" for i in range(n_transit)]
    buyers = [f"B{i}" for i in range(n_buyers)]
    nodes = [
        Node("P", "producer", capacity=draw(st.floats(1, 50)), cost=draw(st.floats(0, 20))),
        *(Node(t, "transit", cost=draw(st.floats(0, 10))) for t in transit),
        *(
            Node(b, "buyer", price=draw(st.floats(0, 60)), capacity=draw(st.floats(1, 40)))
            for b in buyers
        ),
    ]
    lines = []
    for k in range(draw(st.integers(1, 4))):
        via = draw(st.lists(st.sampled_from(transit), unique=True, max_size=n_transit))
        buyer = draw(st.sampled_from(buyers))
        lines.append(Line(f"L{k}", ("P", *via, buyer), draw(st.floats(0, 30))))
    return PipelineNetwork(nodes, lines)


@settings(max_examples=20)
@given(random_networks())
@example(
    PipelineNetwork(
        [
            Node("P", "producer", capacity=1.0),
            Node("T0", "transit"),
            Node("B0", "buyer", price=1.0, capacity=1.0),
            Node("B1", "buyer", price=0.0, capacity=1.0),
        ],
        [Line("L0", ("P", "B0"), 5.3525197389540325e-17), Line("L1", ("P", "B1"), 1.0)],
    )
)
def test_network_games_are_superadditive_and_monotone(net: PipelineNetwork) -> None:
    game = net.game()
    table = game.values
    n = game.n_players
    # Tolerance relative to the network's own magnitudes (largest capacity x largest price or
    # cost), not to the game's values: a line of capacity 5e-17 beside lines of capacity 1
    # is worth 5e-17, which the flow solver may count or drop like any rounding error.
    capacities = [node.capacity for node in net.nodes if np.isfinite(node.capacity)]
    capacities += [line.capacity for line in net.lines]
    money = [abs(node.price) + abs(node.cost) for node in net.nodes]
    atol = 1e-9 * max(capacities) * max(max(money), 1e-300) * net.value_scale
    masks = np.arange(1 << n)
    for s in range(1, 1 << n):  # v(S | T) >= v(S) + v(T) for every disjoint T
        disjoint = masks[(masks & s) == 0]
        assert np.all(table[s | disjoint] >= table[s] + table[disjoint] - atol)
    for bit in range(n):  # adding a player never lowers the value
        shaped = table.reshape(-1, 2, 1 << bit)
        assert np.all(shaped[:, 1, :] >= shaped[:, 0, :] - atol)


@settings(max_examples=15)
@given(random_networks())
def test_network_value_matches_brute_force_over_flows(net: PipelineNetwork) -> None:
    """For one line the LP answer is min(capacities) * margin if the margin is positive."""
    if len(net.lines) != 1:
        return
    line = net.lines[0]
    nodes = {node.name: node for node in net.nodes}
    limit = min([line.capacity, *(nodes[s].capacity for s in line.path)])
    margin = nodes[line.path[-1]].price - sum(nodes[s].cost for s in line.path[:-1])
    assert net.value(line.path) == pytest.approx(max(0.0, margin) * limit, abs=1e-7)


def test_network_validation() -> None:
    producer = Node("P", "producer")
    buyer = Node("B", "buyer", price=1)
    with pytest.raises(InvalidParameterError, match="unknown node 'X'"):
        PipelineNetwork([producer, buyer], [Line("L", ("P", "X", "B"), 1)])
    with pytest.raises(InvalidParameterError, match="producer -> transit"):
        PipelineNetwork([producer, buyer], [Line("L", ("B", "P"), 1)])
    with pytest.raises(InvalidParameterError, match="capacity of line 'L' must be >= 0"):
        Line("L", ("P", "B"), -1)
    with pytest.raises(InvalidParameterError, match="price of node 'P' must be 0"):
        Node("P", "producer", price=3)
    with pytest.raises(InvalidParameterError, match="node names must be distinct"):
        PipelineNetwork([producer, producer, buyer], [])
    net = PipelineNetwork([producer, buyer], [Line("L", ("P", "B"), 1)])
    with pytest.raises(InvalidParameterError, match="unknown player 'Q'"):
        net.value(["P", "Q"])


def test_from_network_is_the_network_game() -> None:
    net = PipelineNetwork(
        [
            Node("P", "producer", cost=1.0),
            Node("T", "transit", cost=0.5),
            Node("B", "buyer", price=4.0),
        ],
        [Line("A", ("P", "T", "B"), capacity=2.0)],
    )
    np.testing.assert_array_equal(TUGame.from_network(net).values, net.game().values)
