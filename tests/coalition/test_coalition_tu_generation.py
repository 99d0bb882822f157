"""The nucleolus by constraint generation: the same answers as the full LPs wherever those
run, and the known answers (Talmud rule, symmetric and glove games, lexicographic
minimality) for 15 to 20 players, where only generation runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games.coalition import (
    TUGame,
    _tu,
    bankruptcy_game,
    glove_game,
    weighted_majority_game,
)
from pipeline_games.errors import InvalidParameterError, SolverError


def incidence(n: int) -> np.ndarray:
    masks = np.arange(2**n)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(float)


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


def flow_game(n: int, seed: int) -> TUGame:
    """A network game: two producers, routes through transit players to one buyer.

    Each route is a path producer -> transit players -> buyer with a capacity; producers
    have supplies, the buyer an import limit. The network is series-parallel, so the max
    flow a coalition controls is ``min(import, sum_p min(supply_p, sum of its usable
    routes from p))``, a route being usable when the coalition holds all its players.
    """
    rng = np.random.default_rng(seed)
    producers, buyer = (0, 1), 2
    transit = np.arange(3, n)
    masks = np.arange(2**n, dtype=np.int64)
    flow_by_producer = []
    for producer in producers:
        total = np.zeros(2**n)
        for _ in range(4):
            hops = rng.choice(transit, size=rng.integers(1, 4), replace=False)
            route = (1 << producer) | (1 << buyer) | int(np.bitwise_or.reduce(1 << hops))
            total += ((masks & route) == route) * rng.integers(1, 10)
        flow_by_producer.append(np.minimum(total, rng.integers(5, 20)))
    return TUGame(np.minimum(sum(flow_by_producer), 25.0))


def lexicographically_no_better(table: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    """Is the decreasingly sorted excess vector at ``y`` not smaller than at ``x``?"""
    sums_x = incidence(len(x)) @ x
    sums_y = incidence(len(y)) @ y
    ex = np.sort(table[1:-1] - sums_x[1:-1])[::-1]
    ey = np.sort(table[1:-1] - sums_y[1:-1])[::-1]
    scale = float(np.abs(table).max())
    differ = np.flatnonzero(np.abs(ex - ey) > 1e-9 * scale)
    return differ.size == 0 or ey[differ[0]] > ex[differ[0]]


# ----------------------------------------------------------------------------------------
# generation == full, wherever the full LPs run
# ----------------------------------------------------------------------------------------


@st.composite
def games(draw, max_players: int = 7) -> TUGame:
    n = draw(st.integers(2, max_players))
    kind = draw(st.sampled_from(["floats", "ties", "convex", "bankruptcy", "majority"]))
    if kind == "floats":
        values = draw(st.lists(st.floats(-10, 10), min_size=2**n - 1, max_size=2**n - 1))
        return TUGame(np.concatenate([[0.0], values]))
    if kind == "ties":
        values = draw(st.lists(st.integers(-2, 2), min_size=2**n - 1, max_size=2**n - 1))
        return TUGame(np.concatenate([[0.0], values]).astype(float))
    weights = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), float)
    if kind == "convex":
        return TUGame((incidence(n) @ weights) ** 2)
    if kind == "bankruptcy":
        return bankruptcy_game(draw(st.floats(0.1, 0.9)) * weights.sum(), weights)
    return weighted_majority_game(weights.sum() / 2 + 0.5, weights)


def assert_same_sequence(game: TUGame, method: str) -> None:
    full = getattr(game, method)(algorithm="full")
    generated = getattr(game, method)(algorithm="generation")
    magnitude = float(np.abs(game.values).max()) or 1.0
    np.testing.assert_allclose(generated.values, full.values, rtol=0, atol=1e-9 * magnitude)
    assert generated.algorithm == "generation"
    assert full.algorithm == "full"
    # the first level is the (pre-)imputation least-core value either way
    assert generated.levels[0] == pytest.approx(full.levels[0], abs=1e-9 * magnitude)


@settings(max_examples=80)
@given(games())
def test_generation_matches_full_lp_on_small_games(game: TUGame) -> None:
    assert_same_sequence(game, "prenucleolus")
    singletons = game.values[2 ** np.arange(game.n_players)]
    if singletons.sum() <= game.values[-1]:
        assert_same_sequence(game, "nucleolus")
    full, generated = game.core(algorithm="full"), game.core(algorithm="generation")
    magnitude = float(np.abs(game.values).max()) or 1.0
    assert generated.epsilon == pytest.approx(full.epsilon, abs=1e-9 * magnitude)
    assert generated.nonempty == full.nonempty
    # the generated least-core point is in the least core of the whole game
    assert game.excesses(generated.allocation.values)[1:-1].max() <= (
        generated.epsilon + 1e-9 * magnitude
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", ["random", "convex", "flow"])
def test_generation_matches_full_lp_on_larger_games(kind: str, seed: int) -> None:
    n = 11
    rng = np.random.default_rng(seed)
    if kind == "random":
        game = TUGame(np.concatenate([[0.0], rng.normal(size=2**n - 1)]))
        assert_same_sequence(game, "prenucleolus")
        return
    if kind == "convex":
        game = TUGame((incidence(n) @ rng.uniform(0, 2, n)) ** 2)
    else:
        game = flow_game(n, seed)
    assert_same_sequence(game, "nucleolus")
    assert_same_sequence(game, "prenucleolus")


# ----------------------------------------------------------------------------------------
# 15 to 20 players: known answers
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "seed"), [(15, 0), (18, 1), (20, 2)])
def test_bankruptcy_nucleolus_is_the_talmud_rule_up_to_20_players(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    claims = rng.uniform(1, 100, n)
    for fraction in (0.3, 0.7):
        estate = fraction * claims.sum()
        result = bankruptcy_game(estate, claims).nucleolus()
        assert result.algorithm == "generation"
        assert result.max_lp_rows < 2**n // 100
        np.testing.assert_allclose(
            result.values, talmud_rule(estate, claims), rtol=0, atol=1e-9 * claims.sum()
        )


def test_symmetric_game_of_16_players_splits_equally() -> None:
    n = 16
    sizes = incidence(n).sum(axis=1)
    game = TUGame(np.sqrt(sizes) * sizes)
    for result in (game.nucleolus(), game.prenucleolus()):
        np.testing.assert_allclose(result.values, game.values[-1] / n, rtol=1e-10)


def test_glove_game_of_18_players_pays_the_scarce_side() -> None:
    """8 left gloves, 10 right: the core is the single point (1 each left, 0 each right)."""
    result = glove_game(8, 10).nucleolus()
    np.testing.assert_allclose(result.values, [1.0] * 8 + [0.0] * 10, atol=1e-9)


def test_majority_of_17_has_the_symmetric_least_core_value() -> None:
    """[9; 1, ..., 1]: by symmetry the equal split is in the least core, epsilon = 1 - 9/17."""
    game = weighted_majority_game(9, np.ones(17))
    core = game.core()
    assert core.algorithm == "generation"
    assert not core.nonempty
    assert core.epsilon == pytest.approx(1 - 9 / 17, rel=1e-9)


@pytest.mark.parametrize("kind", ["convex", "flow"])
def test_nucleolus_of_16_players_is_lexicographically_minimal(kind: str) -> None:
    """No nearby imputation has a lexicographically smaller sorted excess vector."""
    n = 16
    rng = np.random.default_rng(3)
    if kind == "convex":
        game = TUGame((incidence(n) @ rng.uniform(0, 2, n)) ** 2)
    else:
        game = flow_game(n, 3)
    result = game.nucleolus()
    x = result.values
    table = game.values
    singletons = table[2 ** np.arange(n)]
    # move only the players above their own worth, so small steps stay imputations
    movable = x > singletons + 1e-6 * np.abs(table).max()
    assert movable.sum() >= 2
    checked = 0
    for step in (1e-2, 1e-4):
        for _ in range(10):
            direction = np.where(movable, rng.normal(size=n), 0.0)
            direction[movable] -= direction[movable].mean()
            y = x + step * np.abs(table).max() * direction
            if np.any(y < singletons):
                continue
            checked += 1
            assert lexicographically_no_better(table, x, y)
    assert checked > 0
    if kind == "convex":  # convex games have a core, and the nucleolus lies in it
        assert game.in_core(x)


# ----------------------------------------------------------------------------------------
# the final check catches a wrong answer; diagnostics and refusals
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["full", "generation"])
def test_final_check_rejects_a_wrong_lp_answer(monkeypatch, algorithm: str) -> None:
    original = _tu._excess_lp

    def off_by_a_little(*args, **kwargs):
        x, epsilon, duals = original(*args, **kwargs)
        shifted = x.copy()
        shifted[0] += 1e-3
        shifted[1] -= 1e-3
        return shifted, epsilon, duals

    monkeypatch.setattr(_tu, "_excess_lp", off_by_a_little)
    with pytest.raises(SolverError, match="failed its check on every coalition"):
        weighted_majority_game(2, [1, 1, 1]).nucleolus(algorithm=algorithm)


def test_generation_keeps_the_lps_small() -> None:
    game = TUGame((incidence(12) @ np.linspace(0.5, 2, 12)) ** 2)
    full = game.nucleolus(algorithm="full")
    generated = game.nucleolus(algorithm="generation")
    assert full.max_lp_rows == 2**12 - 2  # every proper coalition
    assert generated.max_lp_rows < 2**12 // 20
    assert game.nucleolus().algorithm == "generation"  # auto, above AUTO_FULL_LP_PLAYERS


def test_algorithm_is_checked_and_the_full_lp_refused_when_too_big() -> None:
    with pytest.raises(InvalidParameterError, match="algorithm must be"):
        glove_game(1, 2).nucleolus(algorithm="simplex")
    big = glove_game(8, 9)
    with pytest.raises(InvalidParameterError, match=r"2\*\*17 = 131,072 rows.*generation"):
        big.nucleolus(algorithm="full")
    with pytest.raises(InvalidParameterError, match="algorithm='full'"):
        big.core(algorithm="full")
