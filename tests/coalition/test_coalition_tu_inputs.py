"""Bad input to the TU-game API gets an InvalidParameterError that names the parameter, the
value and what is allowed; work that cannot fit is refused (or kept lazy) before it starts."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline_games.coalition import (
    Allocation,
    TUGame,
    airport_game,
    bankruptcy_game,
    glove_game,
    weighted_majority_game,
)
from pipeline_games.errors import InvalidParameterError

MAJORITY = weighted_majority_game(2, [1, 1, 1])
BIG_INT = 10**400


@pytest.mark.parametrize("call", ["core", "nucleolus", "prenucleolus", "is_superadditive"])
@pytest.mark.parametrize(
    ("tol", "message"),
    [
        (float("nan"), "tol must be finite; got nan"),
        (float("inf"), "tol must be finite"),
        (-1e-9, r"tol must be in (\[|\()0, 1\)"),
        (1.5, r"tol must be in (\[|\()0, 1\)"),
        ("1e-9", "tol must be a real number.*str"),
        (True, "tol must be a real number.*boolean"),
        (1e-9 + 0j, "tol must be a real number.*complex"),
        (BIG_INT, "tol must be a real number.*too large for float64"),
        ([1e-9, 1e-8], "tol must be a single number"),
    ],
)
def test_bad_tolerances_are_refused(call: str, tol, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        getattr(MAJORITY, call)(tol=tol)


def test_bad_tolerance_of_in_core_and_zero_for_nucleolus() -> None:
    with pytest.raises(InvalidParameterError, match="tol must be finite; got nan"):
        MAJORITY.in_core([1 / 3] * 3, tol=float("nan"))
    with pytest.raises(InvalidParameterError, match=r"tol must be in \(0, 1\)"):
        MAJORITY.nucleolus(tol=0.0)
    assert MAJORITY.core(tol=0.0).nonempty is False  # zero is a valid tolerance here


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0, BIG_INT, 1, 2], "values must be a real number.*too large for float64"),
        (np.array([0, 1 + 1j, 1, 2]), "values must hold real numbers.*complex128"),
        ([0, 1 + 1j, 1, 2], "values must be a real number.*complex"),
        (["0", "1", "1", "2"], "values must be a real number.*str '0'"),
        (np.array(["0", "1", "1", "2"]), "values must hold real numbers"),
        ([False, True, True, True], "values must be a real number.*boolean"),
        ([0.0, 1.0, True, 2.0], "values must be a real number.*boolean"),
        (np.array([False, True, True, True]), "values must hold real numbers.*bool"),
        ([0, None, 1, 2], "values must be a real number.*NoneType"),
        ([[0, 1], [1, "2"]], "values must be a real number.*str"),
    ],
)
def test_values_must_be_real_numbers(values, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        TUGame(values)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bankruptcy_game(BIG_INT, [1.0, 2.0]), "estate must be.*too large"),
        (lambda: bankruptcy_game(1.0, [1.0, "2"]), "claims must be.*str"),
        (lambda: bankruptcy_game(True, [1.0, 2.0]), "estate must be.*boolean"),
        (lambda: bankruptcy_game(1.0, np.array([1 + 0j, 2])), "claims must hold real"),
        (lambda: airport_game([1.0, BIG_INT]), "costs must be.*too large"),
        (lambda: airport_game([1.0, True]), "costs must be.*boolean"),
        (lambda: weighted_majority_game("2", [1, 1, 1]), "quota must be.*str '2'"),
        (lambda: weighted_majority_game(2, [1, True, 1]), "weights must be.*boolean"),
        (lambda: weighted_majority_game(2 + 0j, [1, 1, 1]), "quota must be.*complex"),
        (lambda: glove_game(True, 2), "left must be a whole number; got True"),
        (lambda: glove_game("1", 2), "left must be a whole number; got '1'"),
        (lambda: glove_game(1.5, 2), "left must be a whole number; got 1.5"),
        (lambda: MAJORITY * True, "scale must be.*boolean"),
        (lambda: MAJORITY * "2", "scale must be.*str"),
        (lambda: MAJORITY * BIG_INT, "scale must be.*too large"),
        (lambda: MAJORITY * float("nan"), "scale must be finite"),
        (lambda: MAJORITY.in_core([1, True, 0]), "allocation must be.*boolean"),
        (lambda: MAJORITY.excesses(["1", 0, 0]), "allocation must be.*str"),
        (lambda: MAJORITY.permuted(["a", "b", "c"]), "order must be.*str"),
        (lambda: MAJORITY.permuted([0, 1, 1]), "order must be a permutation of 0..2"),
        (lambda: MAJORITY.permuted([0.5, 1, 2]), "order must be a permutation"),
        (lambda: MAJORITY.banzhaf(normalized="yes"), "normalized must be True or False"),
        (lambda: MAJORITY.shapley(5), "method must be"),
    ],
)
def test_bad_numbers_are_refused_with_their_name(call, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        call()


def test_from_dict_from_function_and_mask_function_check_their_values() -> None:
    with pytest.raises(InvalidParameterError, match=r"values\[\('a',\)\] must be.*str"):
        TUGame.from_dict({("a",): "1"}, players=("a", "b"), default=0.0)
    with pytest.raises(InvalidParameterError, match=r"default must be.*boolean"):
        TUGame.from_dict({("a",): 1.0}, players=("a", "b"), default=False)
    with pytest.raises(InvalidParameterError, match="values must be a mapping"):
        TUGame.from_dict([(("a",), 1.0)], players=("a", "b"))
    with pytest.raises(InvalidParameterError, match=r"function\(coalition\) must be.*complex"):
        TUGame.from_function(lambda s: 1j * len(s), players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="numbers, not booleans"):
        TUGame.from_mask_function(lambda m: m > 0, players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="one value per mask"):
        TUGame.from_mask_function(lambda m: np.zeros(3), players=("a", "b"))
    with pytest.raises(InvalidParameterError, match="function must be callable"):
        TUGame.from_mask_function([0, 1, 1, 2], players=("a", "b"))


@pytest.mark.parametrize("seed", [-1, 1.5, 2.0, True, "3", np.float64(1.0), [1, 2]])
def test_seeds_must_be_non_negative_integers(seed) -> None:
    with pytest.raises(InvalidParameterError, match="seed must be None or a non-negative integer"):
        glove_game(1, 2).shapley("sampling", samples=10, seed=seed)


def test_valid_seeds_reproduce() -> None:
    game = glove_game(1, 2)
    first = game.shapley("sampling", samples=50, seed=np.int64(7)).values
    np.testing.assert_array_equal(first, game.shapley("sampling", samples=50, seed=7).values)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TUGame([0, 1, 1, 2], players=("a", "a")), "distinct"),
        (lambda: TUGame([0, 1, 1, 2], players=(1, "1")), "distinct"),
        (lambda: TUGame([0, 1, 1, 2], players="ab"), "not a single string"),
        (lambda: TUGame.from_dict({}, players=("a", "a"), default=0.0), "distinct"),
        (lambda: TUGame.from_function(len, players=("a", "a")), "distinct"),
        (lambda: TUGame.from_mask_function(lambda m: m * 1.0, ("a", "a")), "distinct"),
        (lambda: airport_game([1.0, 2.0], players=("x", "x")), "distinct"),
        (lambda: bankruptcy_game(1.0, [1.0, 2.0], players=("x", "x")), "distinct"),
        (lambda: weighted_majority_game(1, [1, 1], players=("x", "x")), "distinct"),
        (lambda: Allocation(np.array([1.0, 2.0]), ("x", "x"), "manual"), "distinct"),
        (lambda: Allocation(np.array([1.0, 2.0]), ("x",), "manual"), "one entry per player"),
    ],
)
def test_duplicate_or_malformed_player_names_are_refused(make, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        make()


# ----------------------------------------------------------------------------------------
# work that cannot fit
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "size"),
    [
        (lambda: glove_game(15, 16), "16 GiB"),
        (lambda: airport_game(np.arange(1.0, 32.0)), "16 GiB"),
        (lambda: bankruptcy_game(10.0, np.ones(30)), "8 GiB"),
    ],
)
def test_games_too_big_to_tabulate_stay_lazy_and_name_the_size(make, size: str) -> None:
    game = make()  # returns at once: nothing of size 2**n is built
    assert not game.is_tabulated
    expected = f"{size}.*n = 24 players"
    with pytest.raises(InvalidParameterError, match=expected):
        _ = game.values
    for method in (game.nucleolus, game.core, game.banzhaf):
        with pytest.raises(InvalidParameterError, match=expected):
            method()


def test_lazy_textbook_games_have_the_right_values() -> None:
    rng = np.random.default_rng(0)
    glove = glove_game(15, 16)
    costs = rng.uniform(1, 10, 31)
    airport = airport_game(costs)
    claims = rng.uniform(1, 10, 30)
    estate = 0.6 * claims.sum()
    bankrupt = bankruptcy_game(estate, claims)
    for _ in range(20):
        members = np.flatnonzero(rng.random(31) < 0.5)
        names = [glove.players[i] for i in members]
        lefts = sum(1 for i in members if i < 15)
        assert glove.value(names) == min(lefts, len(members) - lefts)
        chosen = [airport.players[i] for i in members]
        assert airport.value(chosen) == (costs[members].max() if members.size else 0.0)
        inside = members[members < 30]
        worth = max(0.0, estate - (claims.sum() - claims[inside].sum())) if inside.size else 0
        assert bankrupt.value([bankrupt.players[i] for i in inside]) == pytest.approx(worth)


def test_lazy_airport_game_sampling_matches_littlechild_owen() -> None:
    """Monte Carlo Shapley on the lazy 31-player airport game: the sequential split."""
    costs = np.arange(1.0, 32.0)
    estimate = airport_game(costs).shapley(samples=2000, seed=3)
    expected = np.cumsum(np.diff(np.r_[0.0, costs]) / (31 - np.arange(31)))
    error = np.abs(estimate.values - expected)
    assert np.all(error <= 5 * estimate.standard_errors + 1e-12)


def test_impossible_player_counts_are_refused_before_building_anything() -> None:
    with pytest.raises(InvalidParameterError, match=r"left=1e\+300, right=1.*at most 62"):
        glove_game(1e300, 1)
    with pytest.raises(InvalidParameterError, match="70 players; at most 62"):
        glove_game(40, 30)
    with pytest.raises(InvalidParameterError, match="at most 62"):
        airport_game(np.ones(63))
    with pytest.raises(InvalidParameterError, match=r"2\*\*25.*256 MiB.*from_mask_function"):
        TUGame(np.zeros(2**25))


def test_sampling_that_cannot_finish_is_refused_and_the_limit_can_be_raised() -> None:
    game = glove_game(1, 2)
    with pytest.raises(InvalidParameterError, match=r"samples = 1e\+300.*max_evaluations"):
        game.shapley("sampling", samples=1e300, seed=0)
    with pytest.raises(InvalidParameterError, match="max_evaluations = 30"):
        game.shapley("sampling", samples=20, seed=0, max_evaluations=30)
    raised = game.shapley("sampling", samples=20, seed=0, max_evaluations=60)
    assert raised.samples == 20
    with pytest.raises(InvalidParameterError, match="samples must be a whole number"):
        game.shapley("sampling", samples=True)


def test_superadditivity_check_refuses_work_beyond_its_limit() -> None:
    game = glove_game(8, 8)
    with pytest.raises(InvalidParameterError, match=r"4\*\*16 = 4.295e\+09 coalition pairs"):
        game.is_superadditive()
    assert glove_game(2, 3).is_superadditive(max_evaluations=4**5)
    with pytest.raises(InvalidParameterError, match="max_evaluations = 1000"):
        glove_game(2, 3).is_superadditive(max_evaluations=1000)
