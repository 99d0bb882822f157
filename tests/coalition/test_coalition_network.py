"""Tests of PipelineNetwork and the Central Asia case network."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games import InvalidParameterError
from pipeline_games.coalition import (
    CENTRAL_ASIA_LINES,
    Line,
    Node,
    PipelineNetwork,
    TUGame,
    alternative_buyer_path,
    central_asia_network,
    central_asia_parameters,
    line_expansion_path,
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


@settings(max_examples=20, deadline=None)
@given(random_networks())
def test_network_games_are_superadditive_and_monotone(net: PipelineNetwork) -> None:
    game = net.game()
    assert game.is_superadditive(tol=1e-7)
    table = game.values
    n = game.n_players
    for bit in range(n):  # adding a player never lowers the value
        shaped = table.reshape(-1, 2, 1 << bit)
        assert np.all(shaped[:, 1, :] >= shaped[:, 0, :] - 1e-7)


@settings(max_examples=15, deadline=None)
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
    net = central_asia_network(lines=("A",), russia_capacity=0.0)
    np.testing.assert_array_equal(TUGame.from_network(net).values, net.game().values)


# ----------------------------------------------------------------------------------------
# the Central Asia network
# ----------------------------------------------------------------------------------------


def params() -> dict[str, float]:
    return {key: item.value for key, item in central_asia_parameters().items()}


def test_parameters_carry_sources_and_ranges() -> None:
    table = central_asia_parameters()
    assert table["line_A_capacity"].value == 20.0
    assert table["line_B_capacity"].value == 10.0
    assert table["line_C_capacity"].value == 25.0
    assert table["line_D_capacity"].value == 25.0
    assert table["line_D_capacity"].high == 30.0
    for name, item in table.items():
        assert item.low <= item.value <= item.high, name
        assert item.kind in ("reported", "derived", "assumption"), name
        assert len(item.source) > 10, name


def test_grand_value_by_hand_before_line_d() -> None:
    p = params()
    china_margin = (
        p["china_value"]
        - p["production_cost"]
        - p["transit_cost_Uzbekistan"]
        - p["transit_cost_Kazakhstan"]
    )
    russia_margin = (
        p["russia_value"]
        - p["production_cost"]
        - p["transit_cost_Uzbekistan"]
        - p["transit_cost_Kazakhstan"]
    )
    net = central_asia_network(lines=("A", "B", "C"))
    players = net.players
    supply = p["turkmen_supply"]
    china_volume = min(55.0, supply)
    russia_volume = min(p["russia_capacity"], supply - china_volume)
    expected = (china_volume * china_margin + russia_volume * russia_margin) / 1000
    assert net.value(players) == pytest.approx(expected)
    # Russia alone with the transit states: its own line only
    assert net.value(["Turkmenistan", "Uzbekistan", "Kazakhstan", "Russia"]) == pytest.approx(
        p["russia_capacity"] * russia_margin / 1000
    )


def test_grand_value_by_hand_with_line_d_and_scarce_supply() -> None:
    p = params()
    base = p["china_value"] - p["production_cost"] - p["transit_cost_Uzbekistan"]
    margin_abc = base - p["transit_cost_Kazakhstan"]
    margin_d = base - p["transit_cost_Tajikistan"] - p["transit_cost_Kyrgyzstan"]
    net = central_asia_network(russia_capacity=0.0, turkmen_supply=60.0)
    # the supply of 60 goes first to the line with the larger margin (D: 25), rest to A-C
    assert margin_d > margin_abc
    expected = (25 * margin_d + 35 * margin_abc) / 1000
    assert net.value(net.players) == pytest.approx(expected)
    # without Kazakhstan only line D works
    without_kz = [p_ for p_ in net.players if p_ != "Kazakhstan"]
    assert net.value(without_kz) == pytest.approx(25 * margin_d / 1000)


def test_line_expansion_structure() -> None:
    path = line_expansion_path()
    idx = {name: i for i, name in enumerate(path.players)}
    # efficiency at each step
    np.testing.assert_allclose(path.shapley.sum(axis=1), path.grand_value)
    np.testing.assert_allclose(path.nucleolus.sum(axis=1), path.grand_value, atol=1e-6)
    # before line D, Tajikistan and Kyrgyzstan are null players and the three A-C
    # countries are symmetric (each lies on every route)
    for step in (0, 1):
        for concept in (path.shapley, path.nucleolus):
            assert concept[step, idx["Tajikistan"]] == pytest.approx(0.0, abs=1e-7)
            assert concept[step, idx["Kyrgyzstan"]] == pytest.approx(0.0, abs=1e-7)
            assert concept[step, idx["Turkmenistan"]] == pytest.approx(
                concept[step, idx["Kazakhstan"]], abs=1e-7
            )
    # with line D, Tajikistan and Kyrgyzstan are symmetric (both only on line D)
    assert path.shapley[2, idx["Tajikistan"]] == pytest.approx(path.shapley[2, idx["Kyrgyzstan"]])
    # Uzbekistan stays on every route, Kazakhstan does not: line D lowers Kazakhstan's
    # Shapley value relative to Uzbekistan's
    assert path.shapley[2, idx["Kazakhstan"]] < path.shapley[2, idx["Uzbekistan"]]
    # cores of these veto-player games are non-empty
    assert path.core_nonempty.all()


def test_line_expansion_matches_brute_force_shapley() -> None:
    net = central_asia_network(lines=("A", "B", "C", "D"))
    table = net.game().values
    n = len(net.players)
    phi = np.zeros(n)
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        mask = 0
        for player in order:
            phi[player] += table[mask | (1 << player)] - table[mask]
            mask |= 1 << player
    np.testing.assert_allclose(net.game().shapley().values, phi / math.factorial(n), atol=1e-9)


def test_turkmen_and_uzbek_shapley_rise_with_the_russian_outlet() -> None:
    # Turkmenistan and Uzbekistan lie on every route, so each of their marginal
    # contributions is v(S + i) itself, which cannot fall as Russia's line grows.
    path = alternative_buyer_path([0.0, 11.0, 30.0, 50.0])
    idx = {name: i for i, name in enumerate(path.players)}
    for name in ("Turkmenistan", "Uzbekistan"):
        assert np.all(np.diff(path.shapley[:, idx[name]]) >= -1e-9)
    # and Russia's own Shapley value is zero when its line has no capacity
    assert path.shapley[0, idx["Russia"]] == pytest.approx(0.0)


def test_iran_option_adds_a_player() -> None:
    path = alternative_buyer_path([0.0, 10.0], buyer="Iran", lines=("A", "B", "C"))
    assert "Iran" in path.players
    assert path.grand_value[1] > path.grand_value[0]


def test_path_tables() -> None:
    path = line_expansion_path(steps=(("A",), ("A", "D")))
    as_dict = path.to_dict()
    assert set(as_dict["shapley"]) == {"A", "A+D"}
    assert as_dict["shapley"]["A"]["China"] == pytest.approx(
        path.shapley[0, path.players.index("China")]
    )
    np.testing.assert_allclose(path.shares("shapley").sum(axis=1), 1.0)
    frame = path.to_frame()
    assert list(frame.columns) == ["step", "player", "shapley", "nucleolus", "grand_value"]
    assert len(frame) == 2 * len(path.players)


def test_central_asia_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match="unknown line 'E'"):
        central_asia_network(lines=("A", "E"))
    with pytest.raises(InvalidParameterError, match="transit_costs keys"):
        central_asia_network(transit_costs={"Turkey": 3.0})
    with pytest.raises(InvalidParameterError, match="line_capacities"):
        central_asia_network(line_capacities={"D": -1.0})
    with pytest.raises(InvalidParameterError, match="buyer must be"):
        alternative_buyer_path([1.0], buyer="Turkey")
    with pytest.raises(InvalidParameterError, match="capacities must be >= 0"):
        alternative_buyer_path([-1.0])
    assert set(CENTRAL_ASIA_LINES) == {"A", "B", "C", "D"}
