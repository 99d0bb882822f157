"""Scale invariance of the TU solvers: the game times any factor in 1e-12..1e12 gives the
same answer times that factor (1e-9 relative to the game's magnitude), with independent
expectations where they exist (Talmud rule, symmetric games, brute force)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pipeline_games.coalition import (
    TUGame,
    bankruptcy_game,
    weighted_majority_game,
)

RELATIVE = 1e-9

# ----------------------------------------------------------------------------------------
# independent oracles
# ----------------------------------------------------------------------------------------


def incidence(n: int) -> np.ndarray:
    masks = np.arange(2**n)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(float)


def brute_force_shapley(table: np.ndarray) -> np.ndarray:
    """Average marginal contribution over all n! orders, straight from the definition."""
    n = int(math.log2(len(table)))
    phi = np.zeros(n)
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        mask = 0
        for player in order:
            phi[player] += table[mask | (1 << player)] - table[mask]
            mask |= 1 << player
    return phi / len(orders)


def least_core_epsilon(table: np.ndarray) -> float:
    """min eps s.t. v(S) - x(S) <= eps for proper S, x(N) = v(N), by an interior-point LP
    on the game divided by its magnitude (the solver's tolerances are absolute)."""
    n = int(math.log2(len(table)))
    magnitude = float(np.abs(table).max()) or 1.0
    table = table / magnitude
    rows = incidence(n)[1:-1]
    a_ub = np.hstack([-rows, -np.ones((len(rows), 1))])
    result = linprog(
        np.r_[np.zeros(n), 1.0],
        A_ub=a_ub,
        b_ub=-table[1:-1],
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=table[-1:],
        bounds=[(None, None)] * (n + 1),
        method="highs-ipm",
    )
    assert result.status == 0
    return float(result.x[-1]) * magnitude


def talmud_rule(estate: float, claims: np.ndarray) -> np.ndarray:
    """Aumann-Maschler (1985): constrained equal awards / losses on half-claims, bisection."""
    half = claims / 2

    def equal_awards(amount: float) -> np.ndarray:
        low, high = 0.0, float(half.max())
        for _ in range(200):
            middle = (low + high) / 2
            if np.minimum(half, middle).sum() > amount:
                high = middle
            else:
                low = middle
        return np.minimum(half, (low + high) / 2)

    if estate <= claims.sum() / 2:
        return equal_awards(estate)
    return claims - equal_awards(claims.sum() - estate)


# ----------------------------------------------------------------------------------------
# strategies
# ----------------------------------------------------------------------------------------

factors = st.floats(-12.0, 12.0).map(lambda exponent: 10.0**exponent)


@st.composite
def random_games(draw, max_players: int = 5) -> TUGame:
    n = draw(st.integers(2, max_players))
    element = draw(
        st.sampled_from([st.floats(-10, 10, allow_nan=False), st.integers(-3, 3).map(float)])
    )
    values = draw(st.lists(element, min_size=2**n - 1, max_size=2**n - 1))
    return TUGame(np.concatenate([[0.0], values]))


@st.composite
def symmetric_games(draw) -> TUGame:
    """v(S) depends on |S| only; superadditive enough that imputations exist."""
    n = draw(st.integers(2, 6))
    by_size = np.concatenate([[0.0], draw(st.lists(st.floats(0, 10), min_size=n, max_size=n))])
    by_size[n] = max(by_size[n], n * by_size[1])
    return TUGame(by_size[incidence(n).sum(axis=1).astype(int)])


def assert_scaled(scaled: np.ndarray, unit: np.ndarray, factor: float, magnitude: float):
    np.testing.assert_allclose(np.asarray(scaled) / factor, unit, rtol=0, atol=RELATIVE * magnitude)


# ----------------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(random_games(), factors)
def test_every_solver_is_scale_invariant(game: TUGame, factor: float) -> None:
    scaled = game * factor
    magnitude = float(np.abs(game.values).max()) or 1.0
    assert_scaled(scaled.shapley().values, game.shapley().values, factor, magnitude)
    assert_scaled(scaled.banzhaf().values, game.banzhaf().values, factor, magnitude)
    singletons = game.values[2 ** np.arange(game.n_players)]
    for algorithm in ("full", "generation"):
        unit_core = game.core(algorithm=algorithm)
        scaled_core = scaled.core(algorithm=algorithm)
        assert_scaled(scaled_core.epsilon, unit_core.epsilon, factor, magnitude)
        assert scaled_core.nonempty == unit_core.nonempty
        unit_pre = game.prenucleolus(algorithm=algorithm)
        scaled_pre = scaled.prenucleolus(algorithm=algorithm)
        assert_scaled(scaled_pre.values, unit_pre.values, factor, magnitude)
        # the first level is canonical (the least-core value); the later ones depend on
        # which optimal dual the LP solver returns when several exist
        assert_scaled(scaled_pre.levels[0], unit_pre.levels[0], factor, magnitude)
        assert scaled.in_core(unit_pre.values * factor) == game.in_core(unit_pre.values)
        if singletons.sum() <= game.values[-1]:
            unit_nucleolus = game.nucleolus(algorithm=algorithm).values
            scaled_nucleolus = scaled.nucleolus(algorithm=algorithm).values
            assert_scaled(scaled_nucleolus, unit_nucleolus, factor, magnitude)


@settings(max_examples=40)
@given(random_games(max_players=4), factors)
def test_scaled_shapley_and_least_core_match_brute_force(game: TUGame, factor: float) -> None:
    """Expectations computed on the unit game by code independent of the package."""
    scaled = game * factor
    magnitude = float(np.abs(game.values).max()) or 1.0
    assert_scaled(scaled.shapley().values, brute_force_shapley(game.values), factor, magnitude)
    # the interior-point oracle is accurate to ~1e-8 of the magnitude
    assert scaled.core().epsilon / factor == pytest.approx(
        least_core_epsilon(game.values), abs=1e-7 * magnitude
    )


@settings(max_examples=40)
@given(
    st.lists(st.floats(1.0, 100.0), min_size=2, max_size=6),
    st.floats(0.05, 0.95),
    factors,
)
def test_scaled_bankruptcy_nucleolus_is_the_talmud_rule(claims, fraction, factor) -> None:
    claim = np.array(claims) * factor
    estate = fraction * claim.sum()
    result = bankruptcy_game(estate, claim).nucleolus()
    np.testing.assert_allclose(
        result.values, talmud_rule(estate, claim), rtol=0, atol=1e-9 * claim.max()
    )


@settings(max_examples=40)
@given(symmetric_games(), factors)
def test_scaled_symmetric_games_give_equal_shares(game: TUGame, factor: float) -> None:
    scaled = game * factor
    n = game.n_players
    share = scaled.values[-1] / n
    tolerance = RELATIVE * float(np.abs(scaled.values).max())
    for allocation in (scaled.shapley(), scaled.nucleolus(), scaled.prenucleolus()):
        np.testing.assert_allclose(allocation.values, share, rtol=0, atol=tolerance)


# ----------------------------------------------------------------------------------------
# the failures observed in issue 14
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [1e-12, 1e-6, 1.0, 1e6, 1e12])
def test_three_player_majority_at_any_scale(factor: float) -> None:
    """Any two of three decide: core empty by a third of v(N); nucleolus equal thirds."""
    game = weighted_majority_game(2, [1, 1, 1]) * factor
    core = game.core()
    assert not core.nonempty
    assert core.epsilon == pytest.approx(factor / 3, rel=1e-12)
    np.testing.assert_allclose(game.nucleolus().values, factor / 3, rtol=1e-12)


@pytest.mark.parametrize("factor", [1e-12, 1e12])
def test_scaled_bankruptcy_of_16_players_by_generation_is_the_talmud_rule(factor) -> None:
    claims = np.random.default_rng(16).uniform(1, 100, 16) * factor
    estate = 0.4 * claims.sum()
    result = bankruptcy_game(estate, claims).nucleolus()
    assert result.algorithm == "generation"
    np.testing.assert_allclose(
        result.values, talmud_rule(estate, claims), rtol=0, atol=1e-9 * claims.max()
    )


def test_tiny_bankruptcy_nucleolus_is_the_talmud_rule() -> None:
    game = bankruptcy_game(1e-10, [1e-10, 2e-10, 3e-10])
    np.testing.assert_allclose(game.nucleolus().values, 1e-10 / 3, rtol=1e-9)


def test_values_near_1e12_with_small_noise() -> None:
    """v(S) = 1e12 |S|**2 / n plus noise of 1e-3: the noise is far below 1e-9 of the values,
    so the nucleolus is the symmetric game's equal split."""
    rng = np.random.default_rng(5)
    n = 5
    sizes = incidence(n).sum(axis=1)
    table = 1e12 * sizes**2 / n + rng.normal(size=2**n) * 1e-3
    table[0] = 0.0
    game = TUGame(table)
    for result in (game.nucleolus(), game.prenucleolus()):
        np.testing.assert_allclose(result.values, table[-1] / n, rtol=0, atol=1e-9 * 5e12)
