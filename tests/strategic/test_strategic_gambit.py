"""Tests of Gambit .nfg reading and writing."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline_games.errors import CaseFileError, InvalidParameterError
from pipeline_games.strategic import NfgGame, NormalFormGame, parse_nfg, read_nfg, write_nfg

DATA = pathlib.Path(__file__).with_name("data")

# Selten's game from the format documentation, derived by hand from the profile order
# (player 1 fastest): (1,1) 1 1, (2,1) 0 2, (3,1) 0 2, (1,2) 1 1, (2,2) 0 3, (3,2) 2 0.
SELTEN_P1 = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 2.0]])
SELTEN_P2 = np.array([[1.0, 1.0], [2.0, 3.0], [2.0, 0.0]])


def test_documented_payoff_example():
    game = read_nfg(DATA / "e02_payoff.nfg")
    assert game.title == "Selten (IJGT, 75), Figure 2, normal form"
    assert game.players == ("Player 1", "Player 2")
    assert game.strategy_labels == (("1", "2", "3"), ("1", "2"))
    np.testing.assert_array_equal(game.payoffs[0], SELTEN_P1)
    np.testing.assert_array_equal(game.payoffs[1], SELTEN_P2)
    assert game.outcome_table is None


def test_documented_outcome_example_is_the_same_game():
    game = read_nfg(DATA / "e02_outcome.nfg")
    np.testing.assert_array_equal(game.payoffs[0], SELTEN_P1)
    np.testing.assert_array_equal(game.payoffs[1], SELTEN_P2)
    np.testing.assert_array_equal(game.outcome_table, [[1, 4], [2, 5], [3, 6]])
    assert game.outcome_names == ("",) * 6


def test_selten_pure_equilibrium_by_hand():
    # Player 1's best replies: row 1 vs column 1, row 3 vs column 2. Player 2: indifferent
    # at row 1, column 2 at row 2, column 1 at row 3. Only (row 1, column 1) is mutual.
    game = read_nfg(DATA / "e02_payoff.nfg")
    assert game.pure_equilibria().profiles.tolist() == [[0, 0]]
    assert game.to_normal_form().pure_equilibria().supports() == [(("1",), ("1",))]


def test_three_player_outcome_file_with_null_outcome_and_rationals():
    game = read_nfg(DATA / "three_player_outcome.nfg")
    assert game.players == ("China", "Kazakhstan", "Russia")
    assert game.comment.startswith("outcome 0")
    assert game.shape == (2, 2, 2)
    # Profiles in file order (player 1 fastest): 1 0 2 0 3 0 3 0.
    assert game.outcome_table[0, 0, 0] == 1
    assert game.outcome_table[1, 0, 0] == 0
    assert game.outcome_table[0, 1, 0] == 2
    assert game.outcome_table[0, 1, 1] == 3
    np.testing.assert_array_equal(game.payoffs[:, 0, 0, 0], [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(game.payoffs[:, 1, 1, 1], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(game.payoffs[:, 0, 1, 1], [-2.0, -0.5, 1.5])
    with pytest.raises(InvalidParameterError, match="two-player game"):
        game.to_normal_form()


@pytest.mark.parametrize("name", ["e02_payoff.nfg", "e02_outcome.nfg", "three_player_outcome.nfg"])
@pytest.mark.parametrize("version", ["payoff", "outcome"])
def test_documented_files_round_trip(name, version, tmp_path):
    game = read_nfg(DATA / name)
    path = tmp_path / "copy.nfg"
    write_nfg(game, path, version=version)
    again = read_nfg(path)
    assert again.title == game.title
    assert again.players == game.players
    assert again.strategy_labels == game.strategy_labels
    assert again.comment == game.comment
    np.testing.assert_array_equal(again.payoffs, game.payoffs)
    if version == "outcome" and game.outcome_table is not None:
        np.testing.assert_array_equal(again.outcome_table, game.outcome_table)
        assert again.outcome_names == game.outcome_names


def test_written_payoff_file_matches_documented_layout():
    game = read_nfg(DATA / "e02_payoff.nfg")
    text = write_nfg(game)
    assert "{ 3 2 }" in text
    assert text.split("\n")[-2] == "1 1 0 2 0 2 1 1 0 3 2 0"


label = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\\"), max_size=6)


@settings(max_examples=40)
@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=4).flatmap(
        lambda shape: arrays(
            np.float64,
            (len(shape), *shape),
            elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        )
    ),
    label,
    st.sampled_from(["payoff", "outcome"]),
)
def test_random_games_round_trip(payoffs, title, version):
    n = payoffs.shape[0]
    players = [f'p"{i}' for i in range(n)]
    labels = [[f"{title}{k}" for k in range(s)] for s in payoffs.shape[1:]]
    game = NfgGame.from_payoffs(payoffs, title=title, players=players, strategy_labels=labels)
    again = parse_nfg(write_nfg(game, version=version))
    np.testing.assert_array_equal(again.payoffs, payoffs)
    assert again.title == title
    assert again.players == tuple(players)
    assert again.strategy_labels == tuple(tuple(g) for g in labels)


def test_normal_form_game_round_trip_keeps_labels():
    game = NormalFormGame(
        [[3, 0], [5, 1]],
        [[3, 5], [0, 1]],
        players=("China", "Russia"),
        strategy_labels=(("cooperate", "defect"), ("cooperate", "defect")),
    )
    back = parse_nfg(write_nfg(game, version="outcome")).to_normal_form()
    assert back.players == ("China", "Russia")
    assert back.strategy_labels == game.strategy_labels
    np.testing.assert_array_equal(back.A, game.A)
    np.testing.assert_array_equal(back.B, game.B)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('EFG 2 R "x" { "A" }', "line 1: a strategic game file starts with 'NFG'"),
        ('NFG 2 R "x" { "A" }', "line 1: only version 1"),
        ('NFG 1 R "x"\n{ A B } { 2 2 }', "line 2: expected '}' closing the list of players"),
        ('NFG 1 R "x" { "A" "B" }\n{ 2 0 }', "line 2: expected a number of strategies"),
        ('NFG 1 R "x" { "A" "B" } { 2 }', "line 1: 2 players but strategies given for 1"),
        ('NFG 1 R "x" { "A" "B" } { 2 2 }\n1 1 0 0\n2 2 x 3\n', "line 3: expected a payoff"),
        ('NFG 1 R "x" { "A" "B" } { 2 2 }\n\n1 1 0 0 2\n', "line 3: payoff list has 5 numbers"),
        (
            'NFG 1 R "x" { "A" "B" } { { "a" } { "b" } }\n{\n{ "o" 1 2 3 }\n}\n1',
            "line 3: outcome 1 ('o') has 3 payoffs; expected 2",
        ),
        (
            'NFG 1 R "x" { "A" "B" } { { "a" } { "b" } }\n{ { "o" 1 2 } }\n\n2',
            "line 4: outcome number 2 does not exist",
        ),
        (
            'NFG 1 R "x" { "A" "B" } { { "a" } { "b" } }\n{ { "o" 1 2 } }\n1 1',
            "outcome list has 2 entries",
        ),
        ('NFG 1 R "x" { "A" "B" } { 1 1 }\n1 1/0', "line 2: expected a payoff"),
    ],
)
def test_malformed_files_name_the_line(text, fragment):
    with pytest.raises(CaseFileError) as info:
        parse_nfg(text, source="bad.nfg")
    message = str(info.value)
    assert message.startswith("bad.nfg, line ")
    assert fragment in message


def test_write_rejects_unknown_version():
    with pytest.raises(InvalidParameterError, match="version must be"):
        write_nfg(NormalFormGame(np.eye(2)), version="table")


def test_unreadable_nfg_inputs_raise_named_errors(tmp_path):
    from pipeline_games.errors import CaseFileError, InvalidParameterError
    from pipeline_games.strategic import parse_nfg, read_nfg

    with pytest.raises(CaseFileError, match="cannot be read"):
        read_nfg(tmp_path / "missing.nfg")
    with pytest.raises(CaseFileError, match="cannot be read"):
        read_nfg(tmp_path)
    with pytest.raises(InvalidParameterError, match="as a str"):
        parse_nfg(b"NFG 1 R")


def test_strategy_counts_that_cannot_fit_are_refused_before_building_the_game():
    from pipeline_games.errors import CaseFileError
    from pipeline_games.strategic import parse_nfg

    huge = 'NFG 1 R "x" { "a" "b" }\n{ 100000000 100000000 }\n1 2'
    with pytest.raises(CaseFileError, match=r"line 2: .*100000000 x 100000000.*GiB"):
        parse_nfg(huge)
    short = 'NFG 1 R "x" { "a" "b" } { 1000 1000 } 1 2 3'
    with pytest.raises(CaseFileError, match=r"1,000,000 profiles.*MiB.*only 43 characters"):
        parse_nfg(short)
