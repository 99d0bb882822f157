"""Scale invariance, bounded work, named errors and peers' files for the strategic games."""

from __future__ import annotations

import pathlib
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from _support import nash_reference as reference
from _support import spe_reference
from pipeline_games.errors import CaseFileError, InvalidParameterError, SolverError
from pipeline_games.strategic import (
    DecisionNode,
    GameTree,
    NormalFormGame,
    TerminalNode,
    backward_induction,
    parse_nfg,
    pure_nash_equilibria,
    read_nfg,
    solve_2x2,
    strategic_form,
    write_nfg,
)

DATA = pathlib.Path(__file__).with_name("data")

SEXES_A = np.array([[3.0, 0.0], [0.0, 2.0]])
SEXES_B = np.array([[2.0, 0.0], [0.0, 3.0]])
factors = st.floats(-12, 12).map(lambda e: 10.0**e)


# -- scale ----------------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [1e-12, 1e-9, 1.0, 1e9, 1e12])
@pytest.mark.parametrize("method", ["vertex_enumeration", "support_enumeration"])
def test_battle_of_the_sexes_at_every_scale(factor, method):
    result = NormalFormGame(SEXES_A * factor, SEXES_B * factor).equilibria(method)
    assert len(result) == 3
    np.testing.assert_allclose(result.row_strategies[1], [0.6, 0.4], rtol=1e-12)
    assert not result.degenerate
    assert result.complete


@settings(max_examples=40)
@given(
    arrays(np.int64, (3, 3), elements=st.integers(-3, 3)),
    arrays(np.int64, (3, 3), elements=st.integers(-3, 3)),
    factors,
    st.sampled_from(["vertex_enumeration", "support_enumeration"]),
)
def test_normal_form_scale_invariance(A, B, factor, method):
    base = NormalFormGame(A, B).equilibria(method)
    scaled = NormalFormGame(A * factor, B * factor).equilibria(method)
    assert len(scaled) == len(base)
    assert scaled.degenerate == base.degenerate
    np.testing.assert_allclose(scaled.row_strategies, base.row_strategies, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        scaled.column_strategies, base.column_strategies, rtol=1e-9, atol=1e-12
    )
    # Payoffs to 1e-9 of the game's own payoff magnitude (zeros carry round-off).
    magnitude = factor * max(1, int(np.abs(A).max()), int(np.abs(B).max()))
    np.testing.assert_allclose(
        scaled.payoffs, base.payoffs * factor, rtol=1e-9, atol=1e-9 * magnitude
    )


@settings(max_examples=40)
@given(
    arrays(np.float64, (50, 2, 2), elements=st.floats(-1, 1, allow_subnormal=False)),
    arrays(np.float64, (50, 2, 2), elements=st.floats(-1, 1, allow_subnormal=False)),
    factors,
)
def test_batched_2x2_scale_invariance(A, B, factor):
    base = solve_2x2(A, B)
    scaled = solve_2x2(A * factor, B * factor)
    np.testing.assert_array_equal(scaled.count, base.count)
    np.testing.assert_array_equal(scaled.mask, base.mask)
    np.testing.assert_array_equal(scaled.degenerate, base.degenerate)
    np.testing.assert_array_equal(scaled.continuum, base.continuum)
    np.testing.assert_allclose(scaled.row_strategies, base.row_strategies, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        scaled.column_strategies, base.column_strategies, rtol=1e-9, atol=1e-12
    )
    mask = base.mask
    np.testing.assert_allclose(
        scaled.payoffs[mask], base.payoffs[mask] * factor, rtol=1e-9, atol=1e-15 * factor
    )


def test_batched_2x2_right_at_1e_12():
    rng = np.random.default_rng(14)
    A = rng.integers(-100, 101, size=(200, 2, 2))
    B = rng.integers(-100, 101, size=(200, 2, 2))
    small = solve_2x2(A * 1e-12, B * 1e-12)
    for n in range(200):
        expected = reference.as_float_set(reference.exact_extreme_equilibria(A[n], B[n]))
        assert reference.same_equilibrium_sets(small.equilibria(n), expected, atol=1e-9)


@settings(max_examples=30)
@given(st.integers(0, 10**6), factors)
def test_backward_induction_scale_invariance(seed, factor):
    rng = random.Random(seed)
    tree = GameTree(spe_reference.random_tree(rng, 2, 4, integer=True), players=("p0", "p1"))
    scaled = GameTree(_scaled(tree.root, factor), players=("p0", "p1"))
    base = backward_induction(tree)
    other = backward_induction(scaled)
    assert base.choices.keys() == other.choices.keys()
    for name in base.choices:
        np.testing.assert_array_equal(base.choices[name], other.choices[name])
        np.testing.assert_array_equal(base.ties[name], other.ties[name])
    np.testing.assert_allclose(other.payoffs, base.payoffs * factor, rtol=1e-9, atol=0)


def _scaled(node, factor):
    if isinstance(node, TerminalNode):
        return TerminalNode(tuple(np.asarray(v, float) * factor for v in node.payoffs))
    if isinstance(node, DecisionNode):
        return DecisionNode(
            node.player, {k: _scaled(c, factor) for k, c in node.actions.items()}, node.name
        )
    return type(node)(
        {k: _scaled(c, factor) for k, c in node.children.items()}, node.probabilities, node.name
    )


def test_supports_use_a_probability_tolerance():
    # Row player indifferent at y = (199/200, 1/200); column player at x = (1/2, 1/2).
    A = np.array([[1.0, -199.0], [0.0, 0.0]])
    B = np.array([[0.0, 1.0], [1.0, 0.0]])
    for factor in (1.0, 1e6, 1e7, 2.0**-40):  # exact in binary, so the exact answer holds
        result = NormalFormGame(A * factor, B * factor).equilibria(exact=True)
        assert result.exact_strategies == (
            ((Fraction(1, 2), Fraction(1, 2)), (Fraction(199, 200), Fraction(1, 200))),
        )
        assert result.supports() == [(("s0", "s1"), ("s0", "s1"))]
        assert result.supports(tol=0.01) == [(("s0", "s1"), ("s0",))]


# -- bounded work ----------------------------------------------------------------------------
def test_one_strategy_games_are_solved_directly():
    for method in ("lemke_howson", "support_enumeration", "vertex_enumeration"):
        result = NormalFormGame([[1.0]], [[2.0]]).equilibria(method)
        assert result.row_strategies.tolist() == [[1.0]]
        assert result.column_strategies.tolist() == [[1.0]]
    # 1 x 3: the column player's best responses (columns 0 and 2 tie) are the extreme
    # equilibria; every mixture of them is an equilibrium too.
    result = NormalFormGame([[5.0, 1.0, 0.0]], [[2.0, 1.0, 2.0]]).equilibria()
    assert result.column_strategies.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert result.degenerate
    result = NormalFormGame([[1.0], [3.0]], [[0.0], [0.0]]).equilibria("lemke_howson")
    assert result.row_strategies.tolist() == [[0.0, 1.0]]


def test_lemke_howson_on_a_random_12x12_game_returns_a_verified_equilibrium():
    rng = np.random.default_rng(12)
    game = NormalFormGame(rng.normal(size=(12, 12)), rng.normal(size=(12, 12)))
    for label in (0, 5, 23):
        result = game.equilibria("lemke_howson", initial_dropped_label=label)
        assert len(result) == 1
        assert result.regret[0] <= result.parameters["tol"]
        assert not result.complete


def test_lemke_howson_pivot_limit_is_a_named_error():
    rng = np.random.default_rng(3)
    game = NormalFormGame(rng.normal(size=(6, 6)), rng.normal(size=(6, 6)))
    with pytest.raises(SolverError, match="max_pivots=1"):
        game.equilibria("lemke_howson", max_pivots=1)


def test_enumeration_work_is_estimated_and_refused():
    game = NormalFormGame(np.zeros((12, 12)))
    with pytest.raises(InvalidParameterError, match="2,704,156 support pairs") as info:
        game.equilibria("support_enumeration")
    assert "vertex_enumeration" in str(info.value)
    assert "max_support_pairs" in str(info.value)
    big = NormalFormGame(np.zeros((30, 30)))
    with pytest.raises(InvalidParameterError, match="max_vertices") as info:
        big.equilibria()
    assert "lemke_howson" in str(info.value)
    small = NormalFormGame(SEXES_A, SEXES_B)
    with pytest.raises(InvalidParameterError, match="max_support_pairs=5"):
        small.equilibria("support_enumeration", max_support_pairs=5)
    assert len(small.equilibria("support_enumeration", max_support_pairs=6)) == 3


def test_deep_game_trees_need_no_recursion():
    node = TerminalNode((0.0, 0.0))
    for k in range(5000):  # a centipede deeper than Python's recursion limit
        node = DecisionNode(k % 2, {"take": TerminalNode((1.0, 1.0)), "pass": node})
    tree = GameTree(node, players=("a", "b"))
    assert len(tree.decision_nodes()) == 5000
    result = backward_induction(tree)
    np.testing.assert_array_equal(result.payoffs, [1.0, 1.0])
    with pytest.raises(InvalidParameterError, match="strategies per player") as info:
        strategic_form(tree)
    assert "backward_induction" in str(info.value)


def test_strategic_form_refuses_before_building():
    node = TerminalNode((0.0, 0.0))
    for _k in range(30):
        node = DecisionNode(0, {"x": TerminalNode((1.0, 1.0)), "y": node})
    tree = GameTree(node, players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="1,073,741,824 x 1 strategies"):
        strategic_form(tree)
    small = GameTree(
        DecisionNode(0, {"x": TerminalNode((1.0, 1.0)), "y": TerminalNode((0.0, 2.0))}),
        players=("a", "b"),
    )
    with pytest.raises(InvalidParameterError, match="max_entries=3"):
        strategic_form(small, max_entries=3)
    assert strategic_form(small, max_entries=4)[0].shape == (2, 2, 1)


# -- named errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([["1", 2]], "must hold numbers"),
        ([[True, 2]], "must hold numbers"),
        (np.array([[True, False]]), "must hold numbers"),
        ([[1 + 2j, 0]], "real numbers"),
        (np.array([[1 + 2j, 0]]), "real numbers"),
        ([[float("nan"), 0]], "finite"),
        ([[10**400, 0]], "float range"),
        ([[None, 0]], "must hold numbers"),
        ([[1, 2], [3]], "must hold numbers"),
    ],
)
def test_payoffs_must_be_numbers(value, fragment):
    with pytest.raises(InvalidParameterError, match=fragment):
        NormalFormGame(value)
    with pytest.raises(InvalidParameterError, match=fragment):
        pure_nash_equilibria(np.asarray([value, value], dtype=object))


def test_batched_payoffs_must_be_numbers():
    with pytest.raises(InvalidParameterError, match="must hold numbers"):
        solve_2x2(np.ones((2, 2), dtype=bool), np.ones((2, 2)))
    with pytest.raises(InvalidParameterError, match="real numbers"):
        solve_2x2(np.ones((2, 2), dtype=complex), np.ones((2, 2)))


def test_tree_payoffs_must_be_numbers():
    with pytest.raises(InvalidParameterError, match="must hold numbers"):
        GameTree(DecisionNode(0, {"x": TerminalNode(("high",))}), players=("a",))


def test_regret_shapes_are_checked():
    game = NormalFormGame(SEXES_A, SEXES_B)
    with pytest.raises(
        InvalidParameterError, match="row_strategy must have a last axis of length 2"
    ):
        game.regret([1, 0, 0], [1, 0])
    with pytest.raises(InvalidParameterError, match="must broadcast"):
        game.regret(np.full((3, 2), 0.5), np.full((4, 2), 0.5))
    with pytest.raises(InvalidParameterError, match="column_strategy"):
        game.regret([1, 0], "ab")
    np.testing.assert_allclose(game.regret(np.eye(2), np.eye(2)), [0.0, 0.0])


def test_duplicate_player_names_are_named_errors():
    with pytest.raises(InvalidParameterError, match="players must be distinct"):
        NormalFormGame(SEXES_A, SEXES_B, players=("x", "x"))
    with pytest.raises(InvalidParameterError, match="players must be distinct"):
        GameTree(DecisionNode(0, {"x": TerminalNode((1.0, 1.0))}), players=("a", "a"))
    with pytest.raises(InvalidParameterError, match="players must be distinct"):
        pure_nash_equilibria(np.zeros((2, 2, 2)), players=("a", "a"))


def test_nfg_payoff_overflow_names_the_line():
    text = 'NFG 1 R "x" { "A" "B" } { 1 1 }\n1\n1e400\n'
    with pytest.raises(CaseFileError, match=r"line 3: a payoff 1e400 is beyond the float range"):
        parse_nfg(text, source="big.nfg")


# -- peers' files and exact arithmetic ---------------------------------------------------------
def test_players_named_alike_are_read_and_solved():
    game = read_nfg(DATA / "unnamed_players.nfg")
    assert game.players == ("", "")  # as written
    normal = game.to_normal_form()
    assert normal.players == ("Player 1", "Player 2")  # unique keys where needed
    # Solved exactly and compared with the brute force of the reference module.
    expected = reference.exact_extreme_equilibria(game.payoffs[0], game.payoffs[1])
    assert set(normal.equilibria(exact=True).exact_strategies) == expected
    assert parse_nfg(write_nfg(game)).players == ("", "")


def test_repeated_strategy_labels_are_kept():
    game = read_nfg(DATA / "repeated_labels.nfg")
    assert game.strategy_labels == (("up", "down"), ("wait", "wait"))
    result = game.to_normal_form().equilibria()
    assert len(result) == 4  # all-zero payoffs: the four corners of the square
    assert result.degenerate
    assert (("up",), ("wait",)) in result.supports()
    assert parse_nfg(write_nfg(game)).strategy_labels == game.strategy_labels
    frame = result.to_frame()
    assert len(set(frame.columns)) == len(frame.columns)


def test_exact_mode_keeps_the_decimals_of_the_file():
    # A = [[0.1, 0], [0, 0.3]], B = [[0.3, 0], [0, 0.1]] (player 1 fastest in the file).
    # Mixed equilibrium: the column player mixes so that 0.1 q = 0.3 (1 - q): q = 3/4; the
    # row player so that 0.3 p = 0.1 (1 - p): p = 1/4. Exact only if 0.1 stays one tenth.
    game = read_nfg(DATA / "decimal_payoffs.nfg")
    assert game.exact_payoffs[0, 0, 0] == Fraction(1, 10)
    result = game.to_normal_form().equilibria(exact=True)
    mixed = [pair for pair in result.exact_strategies if min(pair[0]) > 0]
    assert mixed == [((Fraction(1, 4), Fraction(3, 4)), (Fraction(3, 4), Fraction(1, 4)))]
    assert "0.1 0.3" in write_nfg(game)


def test_exact_input_types_are_kept():
    game = NormalFormGame([[Decimal("0.1"), 0], [0, Decimal("0.3")]], [[0.3, 0], [0, 0.1]])
    assert game.exact_payoffs()[0][0][0] == Fraction(1, 10)
    assert game.exact_payoffs()[1][0][0] == Fraction(0.3)  # a float is its binary value


def test_result_contract_of_the_strategic_results():
    import json

    game = NormalFormGame(SEXES_A, SEXES_B)
    tree = GameTree(
        DecisionNode(0, {"a": TerminalNode((1.0,)), "b": TerminalNode(([0.0, 2.0],))}),
        players=("solo",),
    )
    results = [
        (game.equilibria(exact=True), (3,)),
        (game.pure_equilibria(), (2,)),
        (game.eliminate_dominated(), ()),
        (solve_2x2(np.ones((5, 2, 2)), np.ones((5, 2, 2))), (5,)),
        (pure_nash_equilibria(game.payoff_array), (2,)),
        (backward_induction(tree), (2,)),
    ]
    for result, shape in results:
        assert result.shape == shape
        assert len(repr(result)) < 120
        json.dumps(result.to_dict())
        assert len(result.to_frame()) == (shape[0] if shape else 0)
    exact = results[0][0].to_dict()["exact_strategies"]
    assert exact[1] == [["3/5", "2/5"], ["2/5", "3/5"]]
