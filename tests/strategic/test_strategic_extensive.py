"""Backward induction against brute-force enumeration of strategy profiles."""

from __future__ import annotations

import random

import numpy as np
import pytest

from _support import spe_reference
from pipeline_games.errors import InvalidParameterError

random_tree = spe_reference.random_tree
brute_force_spe = spe_reference.brute_force_spe
_decision_nodes = spe_reference.decision_nodes

from pipeline_games.strategic import (  # noqa: E402
    ChanceNode,
    DecisionNode,
    GameTree,
    TerminalNode,
    backward_induction,
    pure_nash_equilibria,
    strategic_form,
)


@pytest.mark.parametrize("seed", range(12))
def test_generic_trees_unique_spe_equals_backward_induction(seed):
    rng = random.Random(seed)
    grid = 3
    n_players = 2 + seed % 2
    tree = GameTree(
        random_tree(rng, n_players, grid, integer=False), players=("p0", "p1", "p2")[:n_players]
    )
    result = backward_induction(tree)
    for point in range(grid):
        spe = brute_force_spe(tree, point)
        assert len(spe) == 1
        expected = spe[0]
        got = {name: int(result.choices[name][point]) for name in result.choices}
        assert got == expected
        assert not any(bool(t[point]) for t in result.ties.values())


@pytest.mark.parametrize("seed", range(12))
def test_trees_with_ties_backward_induction_is_one_of_the_spe(seed):
    rng = random.Random(100 + seed)
    grid = 4
    n_players = 2
    tree = GameTree(random_tree(rng, n_players, grid, integer=True), players=("p0", "p1"))
    for tie_break in ("first", "last"):
        result = backward_induction(tree, tie_break=tie_break)
        for point in range(grid):
            spe = brute_force_spe(tree, point)
            got = {name: int(result.choices[name][point]) for name in result.choices}
            assert got in spe
            any_tie = any(bool(t[point]) for t in result.ties.values())
            assert any_tie == (len(spe) > 1)


def test_vectorized_equals_pointwise():
    rng = random.Random(7)
    tree = GameTree(random_tree(rng, 2, 6, integer=False), players=("p0", "p1"))
    result = backward_induction(tree)
    assert result.payoffs.shape == (6, 2)
    for point in range(6):
        spe = brute_force_spe(tree, point)[0]
        # Equilibrium payoff equals the brute-force profile's value.
        nodes = _decision_nodes(tree.root)
        profile = {id(d): spe[tree.name_of(d)] for d in nodes}
        np.testing.assert_allclose(
            result.payoffs[point], spe_reference.value(tree.root, profile, point, tree.shape)
        )


def test_reach_probabilities_sum_to_one_over_terminals():
    rng = random.Random(3)
    tree = GameTree(random_tree(rng, 2, 5, integer=False), players=("p0", "p1"))
    result = backward_induction(tree)
    total = sum(result.reach[name] for name in tree.terminal_nodes())
    np.testing.assert_allclose(total, 1.0)


def test_chance_node_expected_value():
    tree = GameTree(
        DecisionNode(
            0,
            {
                "safe": TerminalNode((1.0, 0.0)),
                "gamble": ChanceNode(
                    {"win": TerminalNode((3.0, 0.0)), "lose": TerminalNode((0.0, 0.0))},
                    {"win": np.array([0.2, 0.5]), "lose": np.array([0.8, 0.5])},
                ),
            },
            name="choose",
        ),
        players=("a", "b"),
    )
    result = backward_induction(tree)
    # 3 * 0.2 = 0.6 < 1 -> safe; 3 * 0.5 = 1.5 > 1 -> gamble.
    assert result.chosen("choose").tolist() == ["safe", "gamble"]
    np.testing.assert_allclose(result.payoffs[:, 0], [1.0, 1.5])


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: GameTree(TerminalNode((1.0,)), players=("a", "b")), "must have 2 payoffs"),
        (
            lambda: GameTree(DecisionNode(2, {"x": TerminalNode((1.0, 1.0))}), players=("a", "b")),
            "must be an index in [0, 1]",
        ),
        (
            lambda: GameTree(
                ChanceNode(
                    {"x": TerminalNode((1.0,)), "y": TerminalNode((0.0,))}, {"x": 0.5, "y": 0.6}
                ),
                players=("a",),
            ),
            "must sum to 1",
        ),
        (
            lambda: GameTree(
                DecisionNode(
                    0, {"x": TerminalNode(([1.0, 2.0],)), "y": TerminalNode(([1.0, 2.0, 3.0],))}
                ),
                players=("a",),
            ),
            "do not broadcast",
        ),
    ],
)
def test_invalid_trees_rejected(build, fragment):
    with pytest.raises(InvalidParameterError) as info:
        build()
    assert fragment in str(info.value)


def test_shared_node_rejected():
    leaf = TerminalNode((1.0,))
    with pytest.raises(InvalidParameterError, match="appears twice"):
        GameTree(DecisionNode(0, {"x": leaf, "y": leaf}), players=("a",))


@pytest.mark.parametrize("seed", range(10))
def test_spe_is_a_nash_equilibrium_of_the_strategic_form(seed):
    rng = random.Random(500 + seed)
    tree = GameTree(random_tree(rng, 2, 0, integer=seed % 2 == 1), players=("p0", "p1"))
    payoffs, labels = strategic_form(tree)
    result = backward_induction(tree)
    # The SPE as one pure strategy per player, in the label format of strategic_form.
    profile = []
    for player, options in enumerate(labels):
        own = [
            f"{name}={result.action_labels[name][int(result.choices[name])]}"
            for name in tree.decision_nodes()
            if name in result.choices and _player_of(tree, name) == player
        ]
        profile.append(options.index(", ".join(own) or "-"))
    nash = pure_nash_equilibria(payoffs, tol=1e-9)
    assert tuple(profile) in {tuple(p) for p in nash.profiles.tolist()}
    np.testing.assert_allclose(payoffs[(slice(None), *profile)], result.payoffs)


def _player_of(tree, name):
    return next(
        n.player for n in tree.nodes() if isinstance(n, DecisionNode) and tree.name_of(n) == name
    )


def test_strategic_form_needs_scalar_payoffs():
    tree = GameTree(DecisionNode(0, {"x": TerminalNode(([1.0, 2.0],))}), players=("a",))
    with pytest.raises(InvalidParameterError, match="scalar payoffs"):
        strategic_form(tree)


@pytest.mark.parametrize("tol", [1e308, 1.5, -1e-9, float("nan")])
def test_backward_induction_refuses_a_tolerance_outside_zero_one(tol):
    import pipeline_games as pg

    tree = pg.GameTree(
        pg.DecisionNode(0, {"x": pg.TerminalNode((1.0, 1.0)), "y": pg.TerminalNode((2.0, 0.0))}),
        ("a", "b"),
    )
    with pytest.raises(InvalidParameterError, match=r"tol must be"):
        pg.backward_induction(tree, tol=tol)
    assert pg.backward_induction(tree, tol=1.0).ties  # the whole payoff range ties at tol=1
