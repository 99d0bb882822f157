"""Stochastic bargaining on a Markov chain of states: closed forms, backward induction,
Merlo and Wilson's efficiency result, absorbing-chain timing, properties and bad input."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError

discounts = st.floats(0.05, 0.97)
probabilities = st.floats(0.0, 1.0)


def random_chain(rng: np.random.Generator, k: int, sparse: bool = False) -> np.ndarray:
    matrix = rng.random((k, k)) ** (4 if sparse else 1)
    return matrix / matrix.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------------------
# one state: the random-proposer Rubinstein game, and pg.rubinstein for alternating offers
# ----------------------------------------------------------------------------------------


@settings(max_examples=80)
@given(st.floats(0.01, 1e3), probabilities, discounts, discounts)
def test_one_state_random_proposer_closed_form(surplus, p, delta0, delta1):
    # v0 = p (pi - delta1 v1) + (1 - p) delta0 v0 and v0 + v1 = pi give
    # v0 = p pi (1 - delta1) / (1 - p delta1 - (1 - p) delta0).
    result = pg.stochastic_bargaining([surplus], [[1.0]], (delta0, delta1), proposer=p, tol=1e-13)
    v0 = p * surplus * (1 - delta1) / (1 - p * delta1 - (1 - p) * delta0)
    np.testing.assert_allclose(
        result.values[0], [v0, surplus - v0], rtol=1e-9, atol=1e-12 * surplus
    )
    assert bool(result.agreement[0])
    assert bool(result.converged)
    assert float(result.deal_probability[0]) == 1.0
    # The proposer keeps pi - c_j; the responder gets c_j = delta_j v_j.
    np.testing.assert_allclose(
        result.offers[0],
        [
            [surplus - delta1 * (surplus - v0), delta1 * (surplus - v0)],
            [delta0 * v0, surplus - delta0 * v0],
        ],
        rtol=1e-9,
        atol=1e-12 * surplus,
    )


def test_one_state_even_split_exact():
    result = pg.stochastic_bargaining(6.0, [[1.0]], (0.9, 0.9))
    np.testing.assert_allclose(result.values, [[3.0, 3.0]], rtol=1e-12)


@settings(max_examples=80)
@given(
    st.floats(1.0, 100.0),
    discounts,
    discounts,
    st.floats(0.0, 0.6),
    st.floats(0.0, 0.6),
    st.booleans(),
)
def test_alternating_one_state_matches_rubinstein(surplus, delta0, delta1, w0, w1, with_options):
    options = (w0 * surplus, w1 * surplus) if with_options else None
    problem = pg.BargainingProblem.linear(surplus)
    first = pg.rubinstein(problem, discount=(delta0, delta1), outside_options=options)
    second = pg.rubinstein(
        problem, discount=(delta0, delta1), outside_options=options, first_mover=1
    )
    assume(bool(first.agreement) and bool(second.agreement))
    chain = pg.alternating_states(
        [surplus], [[1.0]], None if options is None else ([options[0]], [options[1]])
    )
    result = pg.stochastic_bargaining(discount=(delta0, delta1), tol=1e-13, **chain)
    assert bool(result.converged)
    np.testing.assert_allclose(result.values[0], first.payoffs, rtol=1e-9, atol=1e-9 * surplus)
    np.testing.assert_allclose(result.values[1], second.payoffs, rtol=1e-9, atol=1e-9 * surplus)
    assert result.agreement.all()


def test_alternating_states_layout():
    chain = pg.alternating_states([1.0, 2.0], [[0.25, 0.75], [0.5, 0.5]], ([3.0, 4.0], 5.0))
    np.testing.assert_array_equal(chain["surplus"], [1.0, 1.0, 2.0, 2.0])
    np.testing.assert_array_equal(chain["proposer"], [1.0, 0.0, 1.0, 0.0])
    # (state 0, buyer proposes) -> (state t, seller proposes) with P(0, t)
    np.testing.assert_array_equal(
        chain["transition"],
        [[0, 0.25, 0, 0.75], [0.25, 0, 0.75, 0], [0, 0.5, 0, 0.5], [0.5, 0, 0.5, 0]],
    )
    np.testing.assert_array_equal(chain["outside_options"][0], [3.0, 3.0, 4.0, 4.0])
    np.testing.assert_array_equal(chain["outside_options"][1], [5.0, 5.0, 5.0, 5.0])


# ----------------------------------------------------------------------------------------
# a deterministic chain ending in an absorbing state: backward induction on the finite tree
# ----------------------------------------------------------------------------------------


def _stage_game(surplus, p, options, continuation):
    """Expected payoffs of one period, by enumerating the moves of the game tree.

    The proposer opts out, or offers the responder some amount; the responder accepts,
    opts out or rejects (then both get ``continuation``). Offers worth exactly the
    responder's best alternative are accepted; a proposer indifferent between a deal and no
    deal strikes no deal (the solver's convention: a deal needs a strict gain), and a player
    indifferent between opting out and waiting waits.
    """
    expected = [Fraction(0), Fraction(0)]
    for proposer, weight in ((0, p), (1, 1 - p)):
        if weight == 0:
            continue
        i, j = proposer, 1 - proposer
        # The responder's best reply to an offer it will not accept:
        responder_exits = options[j] > continuation[j]
        no_deal = list(options) if responder_exits else list(continuation)
        # The proposer's own opting out:
        if options[i] > no_deal[i]:
            no_deal = list(options)
        # The cheapest acceptable offer:
        offer = max(options[j], continuation[j])
        deal = [None, None]
        deal[i], deal[j] = surplus - offer, offer
        outcome = deal if deal[i] > no_deal[i] else no_deal
        expected[0] += weight * outcome[0]
        expected[1] += weight * outcome[1]
    return expected


@settings(max_examples=60)
@given(
    st.integers(2, 6),
    st.lists(st.integers(0, 100), min_size=6, max_size=6),
    st.lists(st.integers(0, 60), min_size=12, max_size=12),
    st.lists(st.integers(0, 10), min_size=6, max_size=6),
    st.integers(1, 19),
    st.integers(1, 19),
)
def test_deterministic_chain_matches_backward_induction(k, cakes, options, ps, n0, n1):
    # States 0 -> 1 -> ... -> k-1 (absorbing, a one-state game without outside options).
    delta0, delta1 = Fraction(n0, 20), Fraction(n1, 20)
    surplus = [Fraction(c) for c in cakes[:k]]
    o0 = [Fraction(x) for x in options[:k]]
    o1 = [Fraction(x) for x in options[6 : 6 + k]]
    o0[-1] = o1[-1] = Fraction(0)
    p = [Fraction(x, 10) for x in ps[:k]]
    # The absorbing state: exact closed form of the one-state game.
    pi, q = surplus[-1], p[-1]
    last0 = q * pi * (1 - delta1) / (1 - q * delta1 - (1 - q) * delta0) if pi > 0 else Fraction(0)
    values = [None] * k
    values[-1] = (last0, pi - last0 if pi > 0 else Fraction(0))
    for s in range(k - 2, -1, -1):
        continuation = (delta0 * values[s + 1][0], delta1 * values[s + 1][1])
        values[s] = tuple(_stage_game(surplus[s], p[s], (o0[s], o1[s]), continuation))
    transition = np.eye(k, k, 1)
    transition[-1, -1] = 1.0
    result = pg.stochastic_bargaining(
        [float(x) for x in surplus],
        transition,
        (float(delta0), float(delta1)),
        proposer=[float(x) for x in p],
        outside_options=([float(x) for x in o0], [float(x) for x in o1]),
        tol=1e-13,
    )
    assert bool(result.converged)
    np.testing.assert_allclose(
        result.values, np.array(values, dtype=float), rtol=1e-9, atol=1e-9 * max(cakes + options)
    )


# ----------------------------------------------------------------------------------------
# Merlo and Wilson's efficiency result: a common discount factor
# ----------------------------------------------------------------------------------------


def _stopping_values(surplus, transition, delta, tol=1e-14):
    """Optimal stopping of the total surplus: W = max(pi, delta P W), by value iteration."""
    total = np.zeros_like(surplus)
    while True:
        new = np.maximum(surplus, delta * transition @ total)
        if np.abs(new - total).max() <= tol * np.abs(surplus).max():
            return new
        total = new


@settings(max_examples=60)
@given(st.integers(1, 7), st.floats(0.3, 0.97), st.integers(0, 2**31), st.booleans())
def test_common_discount_agreement_is_optimal_stopping(k, delta, seed, random_proposer):
    rng = np.random.default_rng(seed)
    surplus = rng.uniform(-5.0, 100.0, k) * (rng.random(k) < 0.8)
    transition = random_chain(rng, k, sparse=True)
    proposer = rng.random(k) if random_proposer else 0.5
    result = pg.stochastic_bargaining(
        surplus, transition, (delta, delta), proposer=proposer, tol=1e-13
    )
    total = _stopping_values(surplus, transition, delta)
    waiting = delta * transition @ total
    margin = 1e-7 * np.abs(surplus).max()
    clear = np.abs(surplus - waiting) > margin
    np.testing.assert_array_equal(result.agreement[clear], (surplus > waiting)[clear])
    # The players' values add up to the value of the stopping problem.
    np.testing.assert_allclose(
        result.values.sum(axis=-1), total, rtol=1e-9, atol=1e-9 * np.abs(surplus).max()
    )


# ----------------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------------


@st.composite
def problems(draw, options=True):
    k = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    surplus = rng.uniform(0.0, 100.0, k)
    o = (rng.uniform(0.0, 40.0, k), rng.uniform(0.0, 40.0, k)) if options else None
    return {
        "surplus": surplus,
        "transition": random_chain(rng, k, sparse=draw(st.booleans())),
        "discount": (draw(discounts), draw(discounts)),
        "proposer": rng.random(k),
        "outside_options": o,
    }


@settings(max_examples=100)
@given(problems())
def test_values_at_least_outside_options(problem):
    result = pg.stochastic_bargaining(**problem, tol=1e-12, max_iter=2000)
    assume(bool(result.converged))
    o0, o1 = problem["outside_options"]
    slack = 1e-9 * 100.0
    assert np.all(result.values[:, 0] >= o0 - slack)
    assert np.all(result.values[:, 1] >= o1 - slack)
    # ... and the value of waiting at least the discounted expected outside options.
    d0, d1 = problem["discount"]
    transition = problem["transition"]
    assert np.all(result.continuation[:, 0] >= d0 * transition @ o0 - slack)
    assert np.all(result.continuation[:, 1] >= d1 * transition @ o1 - slack)
    # A deal gives each side at least its outside option.
    agreed = np.asarray(result.agreement)
    assert np.all(result.split[agreed] >= np.stack([o0, o1], axis=-1)[agreed] - slack)


@settings(max_examples=100)
@given(problems(options=False), st.data())
def test_raising_surplus_never_delays_agreement(problem, data):
    result = pg.stochastic_bargaining(**problem, tol=1e-12)
    k = len(problem["surplus"])
    state = data.draw(st.integers(0, k - 1))
    raise_by = data.draw(st.floats(0.0, 200.0))
    assume(bool(result.agreement[state]))
    higher = dict(problem)
    higher["surplus"] = problem["surplus"].copy()
    higher["surplus"][state] += raise_by
    raised = pg.stochastic_bargaining(**higher, tol=1e-12)
    assert bool(raised.agreement[state])


@settings(max_examples=60)
@given(problems(), st.floats(-12.0, 12.0))
def test_scale_invariance(problem, exponent):
    factor = 10.0**exponent
    base = pg.stochastic_bargaining(**problem, tol=1e-12, max_iter=2000)
    assume(bool(base.converged))
    scaled_problem = dict(problem)
    scaled_problem["surplus"] = problem["surplus"] * factor
    scaled_problem["outside_options"] = tuple(o * factor for o in problem["outside_options"])
    scaled = pg.stochastic_bargaining(**scaled_problem, tol=1e-12, max_iter=2000)
    assert bool(scaled.converged)
    np.testing.assert_array_equal(scaled.agreement, base.agreement)
    np.testing.assert_allclose(
        scaled.values, base.values * factor, rtol=1e-9, atol=1e-9 * 100.0 * factor
    )
    # The same number of iterations, up to rounding at the stopping threshold.
    assert abs(int(scaled.iterations) - int(base.iterations)) <= 2


def test_vectorized_matches_point_by_point():
    rng = np.random.default_rng(5)
    n, k = 7, 4
    surplus = rng.uniform(0, 50, (n, k))
    transition = np.stack([random_chain(rng, k) for _ in range(n)])
    d0 = rng.uniform(0.5, 0.95, n)
    options = (rng.uniform(0, 5, (n, k)), rng.uniform(0, 5, (n, k)))
    batch = pg.stochastic_bargaining(surplus, transition, (d0, 0.9), outside_options=options)
    assert batch.shape == (n,)
    assert batch.values.shape == (n, k, 2)
    for i in range(n):
        one = pg.stochastic_bargaining(
            surplus[i], transition[i], (d0[i], 0.9), outside_options=(options[0][i], options[1][i])
        )
        np.testing.assert_allclose(batch.values[i], one.values, rtol=1e-12)
        np.testing.assert_array_equal(batch.agreement[i], one.agreement)


def test_broadcasting_a_grid_and_blocks():
    # 3 x 1500 points (more than one block), a shared transition matrix.
    transition = [[0.7, 0.3, 0.0], [0.1, 0.8, 0.1], [0.0, 0.3, 0.7]]
    surplus = np.array([1.0, 6.0, 10.0]) * np.linspace(0.5, 2.0, 1500)[:, None]
    result = pg.stochastic_bargaining(
        surplus, transition, (np.array([0.5, 0.8, 0.95])[:, None], 0.9)
    )
    assert result.shape == (3, 1500)
    assert result.values.shape == (3, 1500, 3, 2)
    one = pg.stochastic_bargaining(surplus[700], transition, (0.8, 0.9))
    np.testing.assert_allclose(result.values[1, 700], one.values, rtol=1e-12)
    timing = result.timing(start=0, horizon=5)
    assert timing.by_period.shape == (3, 1500, 5)


def test_plain_and_accelerated_iteration_agree():
    rng = np.random.default_rng(2)
    surplus = rng.uniform(0, 10, (50, 5))
    transition = np.stack([random_chain(rng, 5) for _ in range(50)])
    fast = pg.stochastic_bargaining(surplus, transition, (0.95, 0.9), tol=1e-12)
    plain = pg.stochastic_bargaining(surplus, transition, (0.95, 0.9), tol=1e-12, accelerate=False)
    assert fast.converged.all()
    assert plain.converged.all()
    np.testing.assert_allclose(fast.values, plain.values, rtol=0, atol=1e-11 * 10)
    assert fast.iterations.max() < plain.iterations.min()


def test_iteration_cap_is_reported():
    result = pg.stochastic_bargaining(
        [1.0, 5.0], [[0.5, 0.5], [0.5, 0.5]], (0.99, 0.99), max_iter=2, accelerate=False
    )
    assert not bool(result.converged)
    assert int(result.iterations) == 2
    assert float(result.change) > 0.0


# ----------------------------------------------------------------------------------------
# timing of agreement
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.05, 0.25, 0.9])
def test_geometric_delay(rate):
    # State 0 has nothing to share and is left for the absorbing deal state 1 with
    # probability `rate`: the deal comes in period t >= 1 with probability (1-rate)^(t-1) rate.
    result = pg.stochastic_bargaining([0.0, 10.0], [[1 - rate, rate], [0.0, 1.0]], (0.9, 0.8))
    np.testing.assert_array_equal(result.agreement, [False, True])
    timing = result.timing(start=0, horizon=30)
    t = np.arange(30)
    np.testing.assert_allclose(timing.by_period, 1 - (1 - rate) ** t, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(timing.expected_delay, 1 / rate, rtol=1e-12)
    np.testing.assert_allclose(timing.probability, 1.0, rtol=1e-12)
    np.testing.assert_allclose(timing.state_distribution, [0.0, 1.0], atol=1e-12)
    assert float(timing.exit_probability) == 0.0


def _paths(result, start, horizon):
    """P(deal by period t) by enumerating every path of states (brute force)."""
    transition = np.asarray(result.parameters["transition"])
    deal = np.asarray(result.deal_probability)
    leave = np.asarray(result.exit_probability)
    k = len(deal)
    by_period = []
    for t in range(horizon):
        total = 0.0
        for path in itertools.product(range(k), repeat=t):
            states = (start, *path)
            weight = 1.0
            for a, b in itertools.pairwise(states):
                weight *= (1 - deal[a] - leave[a]) * transition[a, b]
            total += weight * deal[states[-1]]
        by_period.append(total)
    return np.cumsum(by_period)


def test_timing_matches_path_enumeration_and_series():
    rng = np.random.default_rng(11)
    k = 4
    surplus = np.array([0.5, 3.0, 8.0, 20.0])
    transition = random_chain(rng, k)
    result = pg.stochastic_bargaining(
        surplus,
        transition,
        (0.9, 0.85),
        proposer=[0.2, 0.5, 0.9, 0.5],
        outside_options=([0.0, 1.0, 0.0, 0.0], [0.6, 0.0, 0.0, 0.0]),
    )
    assert not result.agreement.all()  # some delay to time
    timing = result.timing(horizon=6)
    for start in range(k):
        np.testing.assert_allclose(timing.by_period[start], _paths(result, start, 6), rtol=1e-12)
    # Long-run quantities against a long truncated series (geometric tails).
    long = result.timing(horizon=4000)
    pmf = np.diff(long.by_period, prepend=0.0, axis=-1)
    np.testing.assert_allclose(long.by_period[:, -1], timing.probability, rtol=1e-10)
    with np.errstate(invalid="ignore", divide="ignore"):
        series_delay = (pmf * np.arange(4000)).sum(axis=-1) / pmf.sum(axis=-1)
    np.testing.assert_allclose(timing.expected_delay, series_delay, rtol=1e-9)
    np.testing.assert_allclose(
        timing.state_distribution.sum(axis=-1), timing.probability, rtol=1e-12
    )
    np.testing.assert_allclose(timing.probability + timing.exit_probability, 1.0, rtol=1e-12)
    single = result.timing(start=2, horizon=6)
    np.testing.assert_allclose(single.by_period, timing.by_period[2], rtol=1e-15)


def test_never_agreeing_states():
    # States 0 and 1 (nothing to share) form a closed class: no deal, ever, from there.
    transition = [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    result = pg.stochastic_bargaining([0.0, 0.0, 4.0], transition, (0.9, 0.9))
    timing = result.timing(horizon=3)
    np.testing.assert_array_equal(timing.probability, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(timing.expected_delay, [np.inf, np.inf, 0.0])
    np.testing.assert_array_equal(timing.by_period[0], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(result.labels(), ["wait", "wait", "agree"])


def test_opting_out_ends_the_talks():
    # The seller's outside option beats the whole surplus in state 0: it opts out at once.
    result = pg.stochastic_bargaining(
        [5.0, 9.0], [[0.5, 0.5], [0.0, 1.0]], (0.9, 0.9), outside_options=([0.0, 0.0], [6.0, 0.0])
    )
    assert result.labels()[0] == "opt out"
    np.testing.assert_allclose(result.values[0], [0.0, 6.0])
    timing = result.timing(start=0)
    np.testing.assert_allclose([timing.probability, timing.exit_probability], [0.0, 1.0])


# ----------------------------------------------------------------------------------------
# the result contract
# ----------------------------------------------------------------------------------------


def test_result_contract():
    result = pg.stochastic_bargaining(
        [[1.0, 6.0], [2.0, 3.0]], [[0.5, 0.5], [0.2, 0.8]], (0.9, 0.8)
    )
    assert isinstance(result, pg.StochasticBargainingResult)
    assert repr(result) == "StochasticBargainingResult(method='stochastic-bargaining', shape=(2,))"
    assert not result.values.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        result.values[0, 0, 0] = 1.0
    json.dumps(result.to_dict())
    frame = result.to_frame()
    assert len(frame) == 2
    assert {"change", "converged", "values_buyer_1", "agreement_0"} <= set(frame.columns)
    timing = result.timing(start=[0, 1], horizon=2)
    assert repr(timing) == "AgreementTiming(method='agreement-timing', shape=(2,))"
    json.dumps(timing.to_dict())
    assert len(timing.to_frame()) == 2


# ----------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"transition": [[0.5, 0.4], [0.5, 0.5]]}, ["transition rows must sum to 1", "(0,)"]),
        ({"transition": [[1.2, -0.2], [0.5, 0.5]]}, ["transition", "non-negative", "-0.2"]),
        ({"transition": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]}, ["transition", "square"]),
        ({"transition": [[np.nan, 1.0], [0.5, 0.5]]}, ["transition", "nan"]),
        ({"discount": (1.0, 0.9)}, ["discount[0]", "infinite horizon"]),
        ({"discount": (0.9, 0.0)}, ["discount[1]", "(0, 1]"]),
        ({"discount": None}, ["discount"]),
        ({"surplus": [1.0, np.nan]}, ["surplus", "nan"]),
        ({"surplus": [1.0, 2.0, 3.0]}, ["do not broadcast", "surplus has shape (3,)"]),
        ({"proposer": 1.5}, ["proposer", "[0, 1]"]),
        ({"outside_options": ([0.0, np.inf], 0.0)}, ["outside_options[0]", "finite"]),
        ({"discount": (np.full(3, 0.9), np.full(4, 0.9))}, ["do not broadcast", "discount[0]"]),
        ({"tol": 0.0}, ["tol"]),
        ({"max_iter": 0}, ["max_iter"]),
        ({"accelerate": "yes"}, ["accelerate"]),
    ],
)
def test_bad_input_is_named(kwargs, words):
    arguments = {
        "surplus": [1.0, 2.0],
        "transition": [[0.5, 0.5], [0.5, 0.5]],
        "discount": (0.9, 0.9),
        **kwargs,
    }
    with pytest.raises(InvalidParameterError) as error:
        pg.stochastic_bargaining(**arguments)
    for word in words:
        assert word in str(error.value)


def test_bad_timing_input():
    result = pg.stochastic_bargaining([1.0, 2.0], [[0.5, 0.5], [0.5, 0.5]], (0.9, 0.9))
    with pytest.raises(InvalidParameterError, match="start"):
        result.timing(start=2)
    with pytest.raises(InvalidParameterError, match="start"):
        result.timing(start=0.5)
    with pytest.raises(InvalidParameterError, match="horizon"):
        result.timing(horizon=0)


def test_refuses_work_that_does_not_fit_in_memory(monkeypatch):
    from pipeline_games.bargaining import _stochastic

    monkeypatch.setattr(_stochastic, "_available_memory", lambda: 1000)
    with pytest.raises(InvalidParameterError, match="GiB"):
        pg.stochastic_bargaining(np.ones((100, 2)), [[0.5, 0.5], [0.5, 0.5]], (0.9, 0.9))
