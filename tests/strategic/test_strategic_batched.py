"""Tests of the batched 2x2 solver against an exact brute force, pygambit and hand-solved games."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from _support import nash_reference as reference
from pipeline_games.errors import InvalidParameterError
from pipeline_games.strategic import MAX_EXTREME_EQUILIBRIA_2X2, solve_2x2


def test_matching_pennies_unique_mixed():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    result = solve_2x2(A, -A)
    assert result.count.tolist() == [1]
    np.testing.assert_allclose(result.row_strategies[0, 0], [0.5, 0.5])
    np.testing.assert_allclose(result.column_strategies[0, 0], [0.5, 0.5])
    np.testing.assert_allclose(result.payoffs[0, 0], [0.0, 0.0], atol=1e-15)
    assert not result.degenerate[0]
    assert not result.continuum[0]


def test_prisoners_dilemma_defect_defect():
    # strategy 0 = cooperate, 1 = defect; textbook payoffs (R, S, T, P) = (3, 0, 5, 1)
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    result = solve_2x2(A, A.T)
    assert result.count.tolist() == [1]
    np.testing.assert_array_equal(result.row_strategies[0, 0], [0.0, 1.0])
    np.testing.assert_array_equal(result.column_strategies[0, 0], [0.0, 1.0])
    np.testing.assert_array_equal(result.payoffs[0, 0], [1.0, 1.0])


def test_battle_of_the_sexes_two_pure_one_mixed():
    A = np.array([[3.0, 0.0], [0.0, 2.0]])
    B = np.array([[2.0, 0.0], [0.0, 3.0]])
    result = solve_2x2(A, B)
    assert result.count.tolist() == [3]
    # Row mixes so the column player is indifferent: 2p = 3(1 - p) -> p = 3/5;
    # column mixes so the row player is indifferent: 3q = 2(1 - q) -> q = 2/5.
    np.testing.assert_allclose(result.row_strategies[0, 2], [0.6, 0.4])
    np.testing.assert_allclose(result.column_strategies[0, 2], [0.4, 0.6])
    np.testing.assert_allclose(result.payoffs[0, 2], [1.2, 1.2])
    assert result.isolated[0, :3].all()


def test_continuum_when_one_player_is_indifferent():
    # Column player indifferent everywhere; row player indifferent against column 1 only.
    # Equilibria: {p = 1, any q} and {q = 0, any p}; extreme points (1,1), (1,0), (0,0).
    A = np.array([[1.0, 0.0], [0.0, 0.0]])
    B = np.zeros((2, 2))
    result = solve_2x2(A, B)
    assert result.degenerate[0]
    assert result.continuum[0]
    points = {
        (float(x[0]), float(y[0]))
        for x, y in zip(result.row_strategies[0, :3], result.column_strategies[0, :3], strict=True)
    }
    assert points == {(1.0, 1.0), (1.0, 0.0), (0.0, 0.0)}
    assert not result.isolated[0, :3].any()


def test_fully_indifferent_game_has_the_square():
    result = solve_2x2(np.ones((2, 2)), np.zeros((2, 2)))
    assert result.count.tolist() == [4]
    assert result.continuum[0]


def test_degenerate_but_isolated():
    # A tie for the row player against column 1, but the column player has a strictly
    # dominant strategy (column 0): the unique equilibrium is (row 0, column 0).
    A = np.array([[2.0, 1.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [1.0, 0.0]])
    result = solve_2x2(A, B)
    assert result.degenerate[0]
    assert not result.continuum[0]
    assert result.count.tolist() == [1]
    assert result.isolated[0, 0]


def test_mask_and_padding_are_consistent():
    rng = np.random.default_rng(3)
    A = rng.integers(-2, 3, size=(500, 2, 2)).astype(float)
    B = rng.integers(-2, 3, size=(500, 2, 2)).astype(float)
    result = solve_2x2(A, B, tol=0.0)
    assert result.row_strategies.shape == (500, MAX_EXTREME_EQUILIBRIA_2X2, 2)
    np.testing.assert_array_equal(result.mask.sum(axis=1), result.count)
    assert (result.count >= 1).all()  # Nash: every finite game has an equilibrium
    assert np.isnan(result.row_strategies[~result.mask]).all()
    assert not np.isnan(result.row_strategies[result.mask]).any()
    # A continuum needs a payoff tie.
    assert not (result.continuum & ~result.degenerate).any()


def _regret(A, B, x, y):
    return max(float((A @ y).max() - x @ A @ y), float((x @ B).max() - x @ B @ y))


def _assert_matches_exact(A_exact, B_exact, result):
    """Compare with the exact brute force of the reference module (rational arithmetic)."""
    for n in range(len(A_exact)):
        mine = result.equilibria(n)
        expected = reference.as_float_set(
            reference.exact_extreme_equilibria(A_exact[n], B_exact[n])
        )
        assert reference.same_equilibrium_sets(mine, expected, atol=1e-9), (n, mine, expected)
        A = np.array(A_exact[n], dtype=float)
        B = np.array(B_exact[n], dtype=float)
        for x, y in mine:
            assert _regret(A, B, x, y) <= 1e-9


@settings(max_examples=60)
@given(
    arrays(np.int64, (8, 2, 2), elements=st.integers(-1000, 1000)),
    arrays(np.int64, (8, 2, 2), elements=st.integers(-1000, 1000)),
)
def test_same_sets_as_exact_brute_force_on_random_games(A, B):
    # Payoffs on a 0.01 grid in [-10, 10]: ties are possible. The oracle works on the exact
    # hundredths; the solver on their float values with a relative tie tolerance.
    exact_a = [[[Fraction(int(v), 100) for v in row] for row in game] for game in A]
    exact_b = [[[Fraction(int(v), 100) for v in row] for row in game] for game in B]
    _assert_matches_exact(exact_a, exact_b, solve_2x2(A / 100.0, B / 100.0, tol=1e-12))


@settings(max_examples=60)
@given(
    arrays(np.int64, (8, 2, 2), elements=st.integers(-2, 2)),
    arrays(np.int64, (8, 2, 2), elements=st.integers(-2, 2)),
)
def test_same_sets_as_exact_brute_force_on_degenerate_games(A, B):
    _assert_matches_exact(
        A.tolist(), B.tolist(), solve_2x2(A.astype(float), B.astype(float), tol=0.0)
    )


def test_same_sets_as_gambit_on_generic_games():
    pytest.importorskip("pygambit")
    rng = np.random.default_rng(11)
    A = rng.integers(-(10**6), 10**6, size=(40, 2, 2))
    B = rng.integers(-(10**6), 10**6, size=(40, 2, 2))
    result = solve_2x2(A.astype(float), B.astype(float))
    for n in range(40):
        expected = reference.as_float_set(reference.gambit_extreme_equilibria(A[n], B[n]))
        assert reference.same_equilibrium_sets(result.equilibria(n), expected, atol=1e-9)


def test_count_is_odd_for_nondegenerate_games():
    # Wilson's oddness theorem: a non-degenerate game has an odd number of equilibria.
    rng = np.random.default_rng(5)
    result = solve_2x2(rng.normal(size=(10_000, 2, 2)), rng.normal(size=(10_000, 2, 2)))
    assert (result.count % 2 == 1).all()


def test_single_game_shape_accepted():
    result = solve_2x2(np.eye(2), np.eye(2))
    assert result.size == 1


@pytest.mark.parametrize(
    ("A", "B", "fragment"),
    [
        (np.ones((3, 2, 3)), np.ones((3, 2, 3)), "A must have shape (N, 2, 2)"),
        (np.ones((3, 2, 2)), np.ones((4, 2, 2)), "A and B must have the same shape"),
        (np.full((1, 2, 2), np.nan), np.ones((1, 2, 2)), "A must be finite"),
    ],
)
def test_invalid_input_is_named(A, B, fragment):
    with pytest.raises(
        InvalidParameterError, match=fragment.replace("(", r"\(").replace(")", r"\)")
    ):
        solve_2x2(A, B)


def test_equilibria_index_checked():
    with pytest.raises(InvalidParameterError, match="game must be an index"):
        solve_2x2(np.eye(2), np.eye(2)).equilibria(3)
