"""Tests of TUGame: Shapley, Banzhaf, least core and nucleolus against independent oracles."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from pipeline_games import InvalidParameterError
from pipeline_games.coalition import (
    TUGame,
    airport_game,
    bankruptcy_game,
    glove_game,
    weighted_majority_game,
)

# ----------------------------------------------------------------------------------------
# independent oracles (written from the definitions, not from the code under test)
# ----------------------------------------------------------------------------------------


def members(mask: int, n: int) -> list[int]:
    return [i for i in range(n) if mask >> i & 1]


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


def brute_force_banzhaf(table: np.ndarray) -> np.ndarray:
    n = int(math.log2(len(table)))
    beta = np.zeros(n)
    for i in range(n):
        for mask in range(1 << n):
            if not mask >> i & 1:
                beta[i] += table[mask | (1 << i)] - table[mask]
    return beta / 2 ** (n - 1)


def littlechild_owen(costs: np.ndarray) -> np.ndarray:
    """Shapley value of the airport game, closed form (Littlechild and Owen 1973)."""
    order = np.argsort(costs, kind="stable")
    sorted_costs = costs[order]
    n = len(costs)
    shares = np.zeros(n)
    previous = 0.0
    running = 0.0
    for k in range(n):
        running += (sorted_costs[k] - previous) / (n - k)
        previous = sorted_costs[k]
        shares[order[k]] = running
    return shares


def bisect(function, low: float, high: float) -> float:
    for _ in range(200):
        middle = (low + high) / 2
        if function(middle) > 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def talmud_rule(estate: float, claims: np.ndarray) -> np.ndarray:
    """Aumann-Maschler (1985): constrained equal awards / losses on half-claims."""
    half = claims / 2
    if estate <= claims.sum() / 2:
        level = bisect(lambda lam: np.minimum(half, lam).sum() - estate, 0.0, claims.max())
        return np.minimum(half, level)
    loss = claims.sum() - estate
    level = bisect(lambda mu: np.minimum(half, mu).sum() - loss, 0.0, claims.max())
    return claims - np.minimum(half, level)


def random_arrival_rule(estate: float, claims: np.ndarray) -> np.ndarray:
    """O'Neill (1982): claimants arrive in random order and are paid in full while it lasts."""
    n = len(claims)
    award = np.zeros(n)
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        left = estate
        for player in order:
            paid = min(claims[player], left)
            award[player] += paid
            left -= paid
    return award / len(orders)


def bondareva_margin(table: np.ndarray) -> float:
    """``min sum(x) s.t. x(S) >= v(S)`` minus ``v(N)``: <= 0 iff the core is non-empty."""
    n = int(math.log2(len(table)))
    rows = np.array([[mask >> i & 1 for i in range(n)] for mask in range(1, 1 << n)], float)
    result = linprog(
        np.ones(n), A_ub=-rows, b_ub=-table[1:], bounds=[(None, None)] * n, method="highs-ipm"
    )
    assert result.status == 0
    return float(result.fun - table[-1])


def bondareva_core_nonempty(table: np.ndarray) -> bool:
    """Core non-empty iff min sum(x) s.t. x(S) >= v(S) for all S is <= v(N) (Bondareva)."""
    n = int(math.log2(len(table)))
    rows = np.array([[mask >> i & 1 for i in range(n)] for mask in range(1, 1 << n)], float)
    result = linprog(
        np.ones(n),
        A_ub=-rows,
        b_ub=-table[1:],
        bounds=[(None, None)] * n,
        method="highs-ipm",
    )
    assert result.status == 0
    return result.fun <= table[-1] + 1e-7 * max(1.0, np.abs(table).max())


def sorted_excesses(table: np.ndarray, x: np.ndarray) -> np.ndarray:
    n = len(x)
    proper = range(1, (1 << n) - 1)
    excess = [table[m] - sum(x[i] for i in members(m, n)) for m in proper]
    return np.sort(excess)[::-1]


def lex_less_or_equal(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    for left, right in zip(a, b, strict=True):
        if left < right - tol:
            return True
        if left > right + tol:
            return False
    return True


# ----------------------------------------------------------------------------------------
# strategies
# ----------------------------------------------------------------------------------------

values_element = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@st.composite
def random_games(draw, min_players: int = 2, max_players: int = 5) -> TUGame:
    n = draw(st.integers(min_players, max_players))
    # small integers make ties (degenerate LPs); floats make generic games
    element = draw(st.sampled_from([values_element, st.integers(-3, 3).map(float)]))
    table = np.array(draw(st.lists(element, min_size=2**n - 1, max_size=2**n - 1)))
    return TUGame(np.concatenate([[0.0], table]))


@st.composite
def convex_games(draw, min_players: int = 2, max_players: int = 5) -> TUGame:
    """v(S) = (a(S))**2 + b(S) with a >= 0: supermodular, hence a non-empty core."""
    n = draw(st.integers(min_players, max_players))
    a = np.array(draw(st.lists(st.floats(0, 3), min_size=n, max_size=n)))
    b = np.array(draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)))
    masks = np.arange(1 << n)
    incidence = (masks[:, None] >> np.arange(n)) & 1
    return TUGame((incidence @ a) ** 2 + incidence @ b)


# ----------------------------------------------------------------------------------------
# Shapley axioms and brute force
# ----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(random_games(max_players=6))
def test_shapley_matches_brute_force_permutations(game: TUGame) -> None:
    np.testing.assert_allclose(game.shapley().values, brute_force_shapley(game.values), atol=1e-9)


@settings(max_examples=40)
@given(random_games())
def test_shapley_efficiency(game: TUGame) -> None:
    assert game.shapley().total == pytest.approx(game.values[-1], abs=1e-9)


@settings(max_examples=30)
@given(random_games())
def test_shapley_symmetry(game: TUGame) -> None:
    n = game.n_players
    swap = [1, 0, *range(2, n)]
    swapped = TUGame(game.permuted(swap).values, game.players)
    symmetric = game + swapped  # players 0 and 1 now interchangeable
    phi = symmetric.shapley().values
    assert phi[0] == pytest.approx(phi[1], abs=1e-9)


@settings(max_examples=30)
@given(random_games(min_players=1, max_players=4), st.floats(-5, 5))
def test_shapley_dummy_player_gets_its_constant(game: TUGame, constant: float) -> None:
    n = game.n_players
    # add player n with v(S ∪ {n}) = v(S) + constant
    table = np.concatenate([game.values, game.values + constant])
    extended = TUGame(table)
    phi = extended.shapley().values
    assert phi[n] == pytest.approx(constant, abs=1e-9)
    np.testing.assert_allclose(phi[:n], game.shapley().values, atol=1e-9)


@settings(max_examples=30)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(*[random_games(n, n)] * 2)))
def test_shapley_additivity(pair: tuple[TUGame, TUGame]) -> None:
    first, second = pair
    np.testing.assert_allclose(
        (first + second).shapley().values,
        first.shapley().values + second.shapley().values,
        atol=1e-9,
    )


@settings(max_examples=25)
@given(random_games(max_players=6))
def test_banzhaf_matches_brute_force(game: TUGame) -> None:
    np.testing.assert_allclose(game.banzhaf().values, brute_force_banzhaf(game.values), atol=1e-9)


def test_banzhaf_normalized_sums_to_grand_value() -> None:
    game = weighted_majority_game(4, [3, 2, 1, 1])
    assert game.banzhaf(normalized=True).total == pytest.approx(1.0)


@settings(max_examples=25)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=8))
def test_airport_game_matches_littlechild_owen(costs: list[float]) -> None:
    cost = np.array(costs)
    np.testing.assert_allclose(
        airport_game(cost).shapley().values, littlechild_owen(cost), atol=1e-9
    )


def test_shapley_sampling_is_reproducible_and_near_exact() -> None:
    rng = np.random.default_rng(7)
    table = np.concatenate([[0.0], rng.normal(size=2**6 - 1)])
    game = TUGame(table)
    exact = game.shapley("exact").values
    first = game.shapley("sampling", samples=20_000, seed=3)
    second = game.shapley("sampling", samples=20_000, seed=3)
    np.testing.assert_array_equal(first.values, second.values)
    assert first.standard_errors is not None
    assert np.all(first.standard_errors > 0)
    assert np.all(np.abs(first.values - exact) < 5 * first.standard_errors)
    assert first.method == "shapley-sampling"
    assert first.samples == 20_000
    assert first.seed == 3


def test_shapley_sampling_on_a_lazy_large_game() -> None:
    n = 40
    game = weighted_majority_game(21, np.ones(n))  # symmetric: Shapley value 1/n each
    assert not game.is_tabulated
    estimate = game.shapley(samples=2000, seed=0)
    assert estimate.method == "shapley-sampling"
    assert estimate.total == pytest.approx(1.0)  # efficiency holds sample by sample
    assert np.all(np.abs(estimate.values - 1 / n) < 5 * estimate.standard_errors + 1e-12)
    with pytest.raises(InvalidParameterError, match="lazy"):
        game.shapley("exact")


def test_weighted_majority_shapley_known_value() -> None:
    # [3; 2, 1, 1]: player 0 is pivotal in 4 of 6 orders
    np.testing.assert_allclose(
        weighted_majority_game(3, [2, 1, 1]).shapley().values, [2 / 3, 1 / 6, 1 / 6]
    )


def test_glove_game_values() -> None:
    game = glove_game(2, 3)
    assert game.value(["L1", "R1", "R2"]) == 1.0
    assert game.value(["L1", "L2", "R1", "R2", "R3"]) == 2.0
    assert game.value(["R1", "R2"]) == 0.0


# ----------------------------------------------------------------------------------------
# core and least core
# ----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(random_games(max_players=5))
def test_least_core_epsilon_sign_matches_bondareva(game: TUGame) -> None:
    result = game.core()
    margin = bondareva_margin(game.values)
    scale = max(1.0, float(np.abs(game.values).max()))
    if abs(margin) > 1e-6 * scale:  # outside the band where the two tolerances disagree
        assert result.nonempty == (margin <= 0.0)
    assert result.nonempty == (result.epsilon <= result.tol)
    # the least-core point is efficient and its largest excess is epsilon
    excess = game.excesses(result.allocation.values)
    assert excess[-1] == pytest.approx(0.0, abs=1e-7)
    assert excess[1:-1].max() == pytest.approx(result.epsilon, abs=1e-7)
    if result.nonempty:
        assert game.in_core(result.allocation.values, tol=1e-7)


def test_core_of_three_player_majority_is_empty_with_epsilon_one_third() -> None:
    result = weighted_majority_game(2, [1, 1, 1]).core()
    assert not result.nonempty
    assert result.epsilon == pytest.approx(1 / 3)


@settings(max_examples=25)
@given(convex_games())
def test_convex_game_has_shapley_in_core(game: TUGame) -> None:
    # Shapley (1971): for convex games the Shapley value lies in the core
    assert game.core().nonempty
    assert game.in_core(game.shapley().values, tol=1e-7)


def test_in_core_membership() -> None:
    game = glove_game(1, 2)
    assert game.in_core([1.0, 0.0, 0.0])
    assert not game.in_core([0.9, 0.1, 0.0])
    assert not game.in_core([1.0, 0.0, 0.1])  # not efficient


# ----------------------------------------------------------------------------------------
# nucleolus
# ----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(st.one_of(random_games(max_players=5), convex_games(max_players=6)))
def test_nucleolus_in_core_when_core_nonempty(game: TUGame) -> None:
    singles = game.values[1 << np.arange(game.n_players)]
    if singles.sum() > game.values[-1] + 1e-6:
        with pytest.raises(InvalidParameterError, match="imputation"):
            game.nucleolus()
        return
    if singles.sum() > game.values[-1] - 1e-6:
        return  # on the edge: rounding decides, nothing to test
    result = game.nucleolus()
    x = result.values
    assert x.sum() == pytest.approx(game.values[-1], abs=1e-7)
    assert np.all(x >= singles - 1e-7)
    if bondareva_core_nonempty(game.values):
        assert game.in_core(x, tol=1e-6)


@settings(max_examples=25)
@given(random_games(max_players=4), st.randoms(use_true_random=False))
def test_prenucleolus_is_lexicographically_minimal(game: TUGame, random) -> None:
    """Against the definition: no nearby efficient point has a smaller sorted excess vector."""
    x = game.prenucleolus().values
    best = sorted_excesses(game.values, x)
    n = game.n_players
    rng = np.random.default_rng(random.randint(0, 2**31))
    for _ in range(40):
        direction = rng.normal(size=n)
        direction -= direction.mean()
        for step in (1e-3, 1e-1, 1.0):
            other = x + step * direction
            assert lex_less_or_equal(best, sorted_excesses(game.values, other), tol=1e-7)


@settings(max_examples=25)
@given(random_games(max_players=4), st.randoms(use_true_random=False))
def test_nucleolus_is_lexicographically_minimal_over_imputations(game: TUGame, random) -> None:
    n = game.n_players
    singles = game.values[1 << np.arange(n)]
    surplus = game.values[-1] - singles.sum()
    if surplus < 0:
        return
    x = game.nucleolus().values
    best = sorted_excesses(game.values, x)
    rng = np.random.default_rng(random.randint(0, 2**31))
    for _ in range(60):
        other = singles + surplus * rng.dirichlet(np.ones(n))  # a random imputation
        assert lex_less_or_equal(best, sorted_excesses(game.values, other), tol=1e-7)
        mixed = 0.9 * x + 0.1 * other
        assert lex_less_or_equal(best, sorted_excesses(game.values, mixed), tol=1e-7)


@settings(max_examples=25)
@given(random_games(max_players=5), st.randoms(use_true_random=False))
def test_nucleolus_invariant_to_relabelling(game: TUGame, random) -> None:
    n = game.n_players
    order = list(range(n))
    random.shuffle(order)
    moved = game.permuted(order)
    first = game.prenucleolus().values
    second = moved.prenucleolus().values
    np.testing.assert_allclose(second, first[order], atol=1e-6)


@settings(max_examples=25)
@given(random_games(max_players=5))
def test_prenucleolus_first_level_is_least_core_epsilon(game: TUGame) -> None:
    result = game.prenucleolus()
    assert result.levels[0] == pytest.approx(game.core().epsilon, abs=1e-7)
    assert np.all(np.diff(result.levels) <= 1e-7)  # levels never increase
    assert result.n_programs == len(result.levels)


@settings(max_examples=25)
@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 15))
def test_two_player_nucleolus_is_the_standard_solution(v1: float, v2: float, v12: float) -> None:
    game = TUGame([0.0, v1, v2, v12])
    expected = np.array([v1, v2]) + (v12 - v1 - v2) / 2
    np.testing.assert_allclose(game.prenucleolus().values, expected, atol=1e-7)
    if v12 >= v1 + v2:
        np.testing.assert_allclose(game.nucleolus().values, expected, atol=1e-7)


@pytest.mark.parametrize(
    ("estate", "claims"),
    [
        (100.0, [100.0, 200.0, 300.0]),  # the Talmud's three estates
        (200.0, [100.0, 200.0, 300.0]),
        (300.0, [100.0, 200.0, 300.0]),
        (150.0, [10.0, 40.0, 60.0, 120.0]),
        (35.0, [10.0, 40.0, 60.0, 120.0]),
    ],
)
def test_bankruptcy_nucleolus_is_talmud_and_shapley_is_random_arrival(
    estate: float, claims: list[float]
) -> None:
    claim = np.array(claims)
    game = bankruptcy_game(estate, claim)
    np.testing.assert_allclose(game.nucleolus().values, talmud_rule(estate, claim), atol=1e-6)
    np.testing.assert_allclose(game.shapley().values, random_arrival_rule(estate, claim), atol=1e-9)


@settings(max_examples=20)
@given(
    st.lists(st.floats(1, 100), min_size=2, max_size=5),
    st.floats(0.01, 0.99),
)
def test_bankruptcy_rules_on_random_claims(claims: list[float], fraction: float) -> None:
    claim = np.array(claims)
    estate = fraction * claim.sum()
    game = bankruptcy_game(estate, claim)
    np.testing.assert_allclose(game.nucleolus().values, talmud_rule(estate, claim), atol=1e-6)
    np.testing.assert_allclose(game.shapley().values, random_arrival_rule(estate, claim), atol=1e-8)


def test_glove_and_majority_nucleoli() -> None:
    np.testing.assert_allclose(glove_game(1, 2).nucleolus().values, [1.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(
        weighted_majority_game(2, [1, 1, 1]).nucleolus().values, [1 / 3] * 3, atol=1e-9
    )


def test_nucleolus_result_diagnostics() -> None:
    result = glove_game(1, 2).nucleolus()
    assert result.method == "nucleolus"
    assert result.players == ("L1", "R1", "R2")
    assert result.to_dict()["L1"] == pytest.approx(1.0)
    names = result.tight_coalition_names(0)
    assert all(isinstance(c, tuple) for c in names)
    assert len(result.tight_coalitions) == len(result.levels)


def test_nucleolus_differs_from_prenucleolus_when_imputations_bind() -> None:
    # Player 2 alone is worth 4, but the pre-imputation analysis would pay it less.
    game = TUGame.from_dict(
        {"a": 0, "b": 0, "c": 4, ("a", "b"): 10, ("a", "c"): 4, ("b", "c"): 4, ("a", "b", "c"): 10},
        players=("a", "b", "c"),
    )
    nucleolus = game.nucleolus().values
    prenucleolus = game.prenucleolus().values
    assert nucleolus[2] >= 4 - 1e-9
    assert prenucleolus[2] < 4
    # both are lexicographic minima on their own domains
    assert lex_less_or_equal(
        sorted_excesses(game.values, prenucleolus), sorted_excesses(game.values, nucleolus), 1e-9
    )


# ----------------------------------------------------------------------------------------
# constructors and bad input
# ----------------------------------------------------------------------------------------


def test_from_dict_from_function_and_array_agree() -> None:
    players = ("a", "b", "c")
    worth = {
        frozenset(s): float(len(s) ** 2)
        for r in range(4)
        for s in itertools.combinations(players, r)
    }
    from_dict = TUGame.from_dict({tuple(k): v for k, v in worth.items()}, players)
    from_function = TUGame.from_function(lambda s: worth[s], players)
    table = [0, 1, 1, 4, 1, 4, 4, 9]
    np.testing.assert_array_equal(from_dict.values, table)
    np.testing.assert_array_equal(from_function.values, table)
    assert from_dict.shapley().to_dict() == pytest.approx({"a": 3.0, "b": 3.0, "c": 3.0})


def test_allocation_labels_survive() -> None:
    game = TUGame([0, 1, 0, 3], players=("china", "turkmenistan"))
    shapley = game.shapley()
    assert shapley.players == ("china", "turkmenistan")
    assert shapley["china"] == pytest.approx(2.0)
    with pytest.raises(InvalidParameterError, match="player must be one of"):
        shapley["russia"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0.0, 1.0, 2.0], "length 2\\*\\*n"),
        ([1.0, 1.0, 1.0, 2.0], "v\\(empty coalition\\) must be 0"),
        ([0.0, np.nan, 1.0, 2.0], "finite"),
        ([0.0, np.inf, 1.0, 2.0], "finite"),
        ([[0.0, 1.0], [1.0, 2.0]], "1-d"),
        ([0.0], "length 2\\*\\*n"),
    ],
)
def test_bad_tables_raise(values, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        TUGame(values)


def test_bad_players_and_coalitions_raise() -> None:
    with pytest.raises(InvalidParameterError, match="players must have 2 names"):
        TUGame([0, 1, 1, 2], players=("a", "b", "c"))
    with pytest.raises(InvalidParameterError, match="distinct"):
        TUGame([0, 1, 1, 2], players=("a", "a"))
    game = TUGame([0, 1, 1, 2], players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="unknown player 'z'"):
        game.value(["a", "z"])
    with pytest.raises(InvalidParameterError, match="unknown player 'z'"):
        TUGame.from_dict({("z",): 1.0}, players=("a", "b"), default=0.0)
    with pytest.raises(InvalidParameterError, match="missing"):
        TUGame.from_dict({("a",): 1.0}, players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="v\\(empty coalition\\) must be 0"):
        TUGame.from_dict({(): 1.0, ("a",): 1.0}, players=("a", "b"), default=0.0)
    with pytest.raises(InvalidParameterError, match="one entry per player"):
        game.in_core([1.0, 1.0, 0.0])
    with pytest.raises(InvalidParameterError, match="method must be"):
        game.shapley("magic")
    with pytest.raises(InvalidParameterError, match="same players"):
        game + TUGame([0, 1, 1, 2], players=("x", "y"))
    with pytest.raises(InvalidParameterError, match="permutation"):
        game.permuted([0, 0])


def test_textbook_constructors_validate() -> None:
    with pytest.raises(InvalidParameterError, match="estate must be in"):
        bankruptcy_game(700.0, [100.0, 200.0, 300.0])
    with pytest.raises(InvalidParameterError, match="claims must be >= 0"):
        bankruptcy_game(10.0, [-1.0, 20.0])
    with pytest.raises(InvalidParameterError, match="costs must be >= 0"):
        airport_game([-1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="quota"):
        weighted_majority_game(0.0, [1.0, 1.0])
    with pytest.raises(InvalidParameterError, match="left \\+ right"):
        glove_game(0, 0)


def test_nucleolus_needs_nonempty_imputation_set() -> None:
    with pytest.raises(InvalidParameterError, match="imputation set"):
        TUGame([0, 2, 2, 3]).nucleolus()
    # the prenucleolus exists anyway
    np.testing.assert_allclose(TUGame([0, 2, 2, 3]).prenucleolus().values, [1.5, 1.5])


def test_superadditivity_check() -> None:
    assert glove_game(2, 2).is_superadditive()
    assert not TUGame([0, 2, 2, 3]).is_superadditive()
