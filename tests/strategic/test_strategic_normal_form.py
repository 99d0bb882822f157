"""Tests of NormalFormGame and n-player pure equilibria."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from _support import nash_reference as reference
from pipeline_games.errors import InvalidParameterError
from pipeline_games.strategic import NormalFormGame, pure_nash_equilibria


def _pairs(result):
    return list(zip(result.row_strategies, result.column_strategies, strict=True))


@pytest.mark.parametrize("method", ["support_enumeration", "vertex_enumeration"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 3)])
def test_same_sets_as_exact_brute_force_on_random_generic_games(method, shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(6):
        A = rng.integers(-50, 51, size=shape)
        B = rng.integers(-50, 51, size=shape)
        result = NormalFormGame(A, B).equilibria(method, exact=True)
        expected = reference.exact_extreme_equilibria(A, B)
        assert set(result.exact_strategies) == expected
        assert (result.regret <= result.parameters["tol"]).all()


@settings(max_examples=40)
@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
        lambda shape: st.tuples(
            arrays(np.int64, shape, elements=st.integers(-2, 2)),
            arrays(np.int64, shape, elements=st.integers(-2, 2)),
        )
    )
)
def test_vertex_enumeration_equals_exact_brute_force_on_degenerate_games(pair):
    # Payoffs in {-2, ..., 2}: ties everywhere, continua of equilibria, 1xn games.
    A, B = pair
    result = NormalFormGame(A, B).equilibria(exact=True)
    assert set(result.exact_strategies) == reference.exact_extreme_equilibria(A, B)


@settings(max_examples=25)
@given(
    st.tuples(st.integers(2, 5), st.integers(2, 5)).flatmap(
        lambda shape: st.tuples(
            arrays(np.int64, shape, elements=st.integers(0, 4)),
            arrays(np.int64, shape, elements=st.integers(0, 4)),
        )
    )
)
def test_same_sets_as_gambit_enummixed(pair):
    pytest.importorskip("pygambit")
    A, B = pair
    result = NormalFormGame(A, B).equilibria(exact=True)
    assert set(result.exact_strategies) == reference.gambit_extreme_equilibria(A, B)


def test_same_sets_as_gambit_on_random_8x8():
    pytest.importorskip("pygambit")
    rng = np.random.default_rng(8)
    A = rng.integers(0, 100, size=(8, 8))
    B = rng.integers(0, 100, size=(8, 8))
    result = NormalFormGame(A, B).equilibria(exact=True)
    assert set(result.exact_strategies) == reference.gambit_extreme_equilibria(A, B)


def test_support_enumeration_and_vertex_enumeration_agree_where_peers_struggle():
    # von Stengel's (2007) degenerate example, Fig. 3.5 style: the row player's bottom row
    # ties with the top against column 0. Support enumeration alone (equal-size supports)
    # misses the continuum's extreme points; the fallback recovers them, and both agree
    # with the exact brute force.
    A = np.array([[3, 3], [2, 5], [0, 6]])
    B = np.array([[3, 3], [2, 6], [3, 1]])
    expected = reference.exact_extreme_equilibria(A, B)
    for method in ("support_enumeration", "vertex_enumeration"):
        result = NormalFormGame(A, B).equilibria(method, exact=True)
        assert result.degenerate
        assert set(result.exact_strategies) == expected


def test_lemke_howson_finds_an_equilibrium_of_the_enumerated_set():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(3, 3))
    B = rng.normal(size=(3, 3))
    game = NormalFormGame(A, B)
    everything = _pairs(game.equilibria("vertex_enumeration"))
    found = game.equilibria("lemke_howson", initial_dropped_label=None)
    assert not found.complete
    for x, y in _pairs(found):
        assert any(np.allclose(x, u) and np.allclose(y, v) for u, v in everything)


def test_matching_pennies_and_prisoners_dilemma():
    pennies = NormalFormGame([[1, -1], [-1, 1]])
    result = pennies.equilibria()
    np.testing.assert_allclose(result.row_strategies, [[0.5, 0.5]])
    np.testing.assert_allclose(result.payoffs, [[0.0, 0.0]], atol=1e-15)
    assert len(pennies.pure_equilibria()) == 0

    pd = NormalFormGame(
        [[3, 0], [5, 1]], [[3, 5], [0, 1]], strategy_labels=(("C", "D"), ("C", "D"))
    )
    assert pd.equilibria().supports() == [(("D",), ("D",))]
    assert pd.eliminate_dominated().game.strategy_labels == (("D",), ("D",))


def test_battle_of_the_sexes_exact():
    game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    result = game.equilibria(exact=True)
    assert len(result) == 3
    mixed = result.exact_strategies[1]
    assert mixed == ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5)))


def test_degenerate_game_support_enumeration_falls_back():
    # Hand solution. Row 0 pays 1 whatever happens, row 1 pays 2q (q = Pr(column 0)), so
    # row 0 is a best response iff q <= 1/2. The column player is indifferent against
    # row 0 and strictly prefers column 1 against row 1. Hence the equilibria are
    # {row 0} x {q in [0, 1/2]}, a segment with extreme points q = 0 and q = 1/2.
    A = np.array([[1.0, 1.0], [2.0, 0.0]])
    B = np.array([[1.0, 1.0], [0.0, 1.0]])
    game = NormalFormGame(A, B)
    result = game.equilibria("support_enumeration")
    assert result.degenerate
    assert result.parameters.get("fallback") == "vertex_enumeration"
    expected = [
        (np.array([1.0, 0.0]), np.array([0.5, 0.5])),
        (np.array([1.0, 0.0]), np.array([0.0, 1.0])),
    ]
    assert reference.same_equilibrium_sets(_pairs(result), expected)


@settings(max_examples=25)
@given(
    arrays(np.int64, (3, 3), elements=st.integers(-2, 2)),
    arrays(np.int64, (3, 3), elements=st.integers(-2, 2)),
)
def test_every_equilibrium_verified_and_exact_on_degenerate_games(A, B):
    game = NormalFormGame(A, B)
    result = game.equilibria("vertex_enumeration", exact=True)
    assert len(result) >= 1
    for x, y in result.exact_strategies:
        assert sum(x) == 1
        assert sum(y) == 1
        # Exact regret check done independently here.
        Ay = [sum(Fraction(int(A[i, j])) * y[j] for j in range(3)) for i in range(3)]
        xB = [sum(x[i] * Fraction(int(B[i, j])) for i in range(3)) for j in range(3)]
        assert sum(x[i] * Ay[i] for i in range(3)) == max(Ay)
        assert sum(y[j] * xB[j] for j in range(3)) == max(xB)


def test_best_response_batch():
    game = NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    mask = game.best_response(1, np.array([[1.0, 0.0], [0.6, 0.4], [0.0, 1.0]]))
    np.testing.assert_array_equal(mask, [[True, False], [True, True], [False, True]])
    with pytest.raises(InvalidParameterError, match="sum to 1"):
        game.best_response(0, [0.5, 0.6])


def test_mixed_dominance_needs_linear_programming():
    # Row 2 is not dominated by a pure strategy but by the 50/50 mix of rows 0 and 1.
    A = np.array([[3.0, 0.0], [0.0, 3.0], [1.0, 1.0]])
    B = np.zeros((3, 2))
    game = NormalFormGame(A, B, strategy_labels=(("top", "middle", "bottom"), ("left", "right")))
    assert game.eliminate_dominated().eliminated == ()
    mixed = game.eliminate_dominated(by_mixed=True)
    assert mixed.eliminated == (("row", "bottom", 1),)
    assert mixed.game.strategy_labels[0] == ("top", "middle")


def test_labels_validated():
    with pytest.raises(InvalidParameterError, match=r"strategy_labels\[1\] must have 2 labels"):
        NormalFormGame(np.eye(2), strategy_labels=(("a", "b"), ("c",)))
    with pytest.raises(InvalidParameterError, match="B must have the shape of A"):
        NormalFormGame(np.eye(2), np.eye(3))
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        NormalFormGame(np.eye(2)).equilibria("simplex")


def _brute_force_pure(payoffs):
    n = payoffs.shape[0]
    found = []
    for profile in itertools.product(*(range(s) for s in payoffs.shape[1:])):
        stable = True
        for player in range(n):
            for alternative in range(payoffs.shape[1 + player]):
                deviated = list(profile)
                deviated[player] = alternative
                if payoffs[(player, *deviated)] > payoffs[(player, *profile)]:
                    stable = False
        if stable:
            found.append(profile)
    return found


@settings(max_examples=40)
@given(
    st.lists(st.integers(1, 3), min_size=2, max_size=4).flatmap(
        lambda shape: arrays(np.int64, (len(shape), *shape), elements=st.integers(0, 3))
    )
)
def test_n_player_pure_equilibria_match_brute_force(payoffs):
    result = pure_nash_equilibria(payoffs)
    assert [tuple(p) for p in result.profiles.tolist()] == _brute_force_pure(payoffs)
    assert result.payoffs.shape == (len(result), payoffs.shape[0])


def test_n_player_shape_checked():
    with pytest.raises(InvalidParameterError, match=r"shape \(n, s1, ..., sn\)"):
        pure_nash_equilibria(np.zeros((3, 2, 2)))


@settings(max_examples=40)
@given(
    arrays(np.int64, (2, 2), elements=st.integers(-2, 2)),
    arrays(np.int64, (2, 2), elements=st.integers(-2, 2)),
)
def test_normal_form_and_batched_solver_agree_on_2x2(A, B):
    from pipeline_games.strategic import solve_2x2

    ours = _pairs(NormalFormGame(A, B).equilibria("vertex_enumeration"))
    batch = solve_2x2(A.astype(float), B.astype(float), tol=0.0).equilibria(0)
    assert reference.same_equilibrium_sets(ours, batch)
    exact = reference.as_float_set(reference.exact_extreme_equilibria(A, B))
    assert reference.same_equilibrium_sets(batch, exact)
