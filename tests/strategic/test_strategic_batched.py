"""Tests of the batched 2x2 solver against nashpy and hand-solved games."""

from __future__ import annotations

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


def _assert_matches_nashpy(A, B, result, method):
    for n in range(A.shape[0]):
        mine = result.equilibria(n)
        theirs = reference.nashpy_extreme_equilibria(A[n], B[n], method=method)
        assert reference.same_equilibrium_sets(mine, theirs, atol=1e-7), (A[n], B[n], mine, theirs)
        for x, y in mine:
            assert _regret(A[n], B[n], x, y) <= 1e-9


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, (8, 2, 2), elements=st.integers(-1000, 1000)),
    arrays(np.int64, (8, 2, 2), elements=st.integers(-1000, 1000)),
)
def test_same_sets_as_nashpy_on_random_games(A, B):
    # Payoffs on a 0.01 grid in [-10, 10]: ties are possible, so compare with vertex
    # enumeration (all extreme equilibria, also for degenerate games). A coarser grid than
    # raw floats because nashpy's polytope code itself misjudges differences near 1e-5.
    A = A / 100.0
    B = B / 100.0
    _assert_matches_nashpy(A, B, solve_2x2(A, B, tol=1e-9), "vertex")


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, (8, 2, 2), elements=st.integers(-2, 2)),
    arrays(np.int64, (8, 2, 2), elements=st.integers(-2, 2)),
)
def test_same_sets_as_nashpy_on_degenerate_games(A, B):
    A = A.astype(float)
    B = B.astype(float)
    _assert_matches_nashpy(A, B, solve_2x2(A, B, tol=0.0), "vertex")


def test_same_sets_as_nashpy_support_enumeration_on_generic_games():
    rng = np.random.default_rng(11)
    A = rng.normal(size=(200, 2, 2))
    B = rng.normal(size=(200, 2, 2))
    result = solve_2x2(A, B)
    assert not result.degenerate.any()
    _assert_matches_nashpy(A, B, result, "support")


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
