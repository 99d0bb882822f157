"""The network adapter's nucleolus share at every point of a sweep, against the LP
nucleolus of `TUGame` point by point (the reference), and `nucleoli` on generic games."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games.cases import load
from pipeline_games.cases._claims import sample_box
from pipeline_games.cases._transit import network_arguments, nucleoli, step_supply_network
from pipeline_games.coalition import TUGame
from pipeline_games.network import cooperative


def _reference(worth, players):
    return np.array([TUGame(w, tuple(players)).nucleolus().values for w in worth])


@pytest.fixture(scope="module")
def turkmen():
    return load("china-turkmenistan-gas")


def test_nucleolus_share_is_defined_and_exact_over_a_sweep(turkmen):
    samples = 40  # more than the 16 points the share used to be limited to
    box = sample_box(turkmen, samples, seed=5)
    out = turkmen.outputs_at(box, 2014)
    share = np.asarray(out["seller_nucleolus_share"])
    assert share.shape == (samples,)
    assert np.all(np.isfinite(share))
    # Independently: each point's network game, its LP nucleolus, over its grand value.
    args = network_arguments(turkmen)
    values = turkmen.epoch_values(box, 2014)
    step = int(np.rint(np.asarray(values[turkmen.mapping["network"]["lines"]]).reshape(-1)[0]))
    net = step_supply_network(args["network"], values, step, args["money_factor"])
    players = list(net.countries)
    worth = np.maximum(np.broadcast_to(cooperative(net).values, (samples, 1 << len(players))), 0)
    seller = turkmen.dyad[1]
    expected = _reference(worth, players)[:, players.index(seller)] / worth[:, -1]
    np.testing.assert_allclose(share, expected, rtol=1e-9, atol=1e-12)


def _random_games(rng, m, n):
    """Superadditive-ish random games: v(S) = (sum of members' weights)^2 + noise, >= 0."""
    masks = np.arange(1 << n)
    members = (masks[:, None] >> np.arange(n)) & 1
    base = rng.uniform(0.5, 2.0, n)
    worth = (members @ base) ** 2
    games = worth[None, :] * rng.uniform(0.9, 1.1, (m, 1 << n))
    games[:, 0] = 0.0
    return games


@pytest.mark.parametrize("n", [3, 4, 5])
def test_nucleoli_equal_the_lp_nucleolus_game_by_game(n, monkeypatch):
    rng = np.random.default_rng(n)
    games = _random_games(rng, 30, n)
    games = np.concatenate([games, games[:5]])  # repeated games are solved once
    players = tuple(f"p{i}" for i in range(n))
    solved = []
    lp = TUGame.nucleolus
    monkeypatch.setattr(TUGame, "nucleolus", lambda g, **k: solved.append(1) or lp(g, **k))
    got = nucleoli(games, players)
    monkeypatch.undo()
    assert 1 <= len(solved) < 30  # nearby games share a certified structure
    ref = _reference(games, players)
    scale = np.abs(games).max(axis=1, keepdims=True)
    np.testing.assert_allclose(got / scale, ref / scale, atol=1e-9)


def test_nucleoli_with_a_null_player_at_its_bound():
    """A player who adds nothing gets v({i}) = 0: the binding imputation bound is reused."""
    rng = np.random.default_rng(7)
    games3 = _random_games(rng, 20, 3)
    # Player 3 is null: v(S + 3) = v(S).
    games = np.concatenate([games3, games3], axis=1)
    players = ("a", "b", "c", "null")
    got = nucleoli(games, players)
    np.testing.assert_allclose(got[:, 3], 0.0, atol=1e-12)
    ref = _reference(games, players)
    np.testing.assert_allclose(got, ref, atol=1e-9 * np.abs(games).max())


@settings(max_examples=25)
@given(
    exponent=st.floats(min_value=-12, max_value=12),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_nucleoli_scale_with_the_game(exponent, seed):
    factor = 10.0**exponent
    games = _random_games(np.random.default_rng(seed), 6, 4)
    players = ("a", "b", "c", "d")
    one = nucleoli(games, players)
    scaled = nucleoli(games * factor, players)
    np.testing.assert_allclose(scaled / factor, one, rtol=1e-9, atol=1e-9 * np.abs(games).max())
