"""Hostile input gets a named error; work that cannot finish or fit is refused up front;
the finite horizon has a closed form on linear frontiers (checked against the loop)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg
from pipeline_games._arrays import as_array, as_int, as_pair, check_memory
from pipeline_games.errors import InvalidParameterError

LINE = pg.BargainingProblem.linear(100.0, (10.0, 30.0))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0.7", "got the string '0.7'"),
        (b"1", "got the string b'1'"),
        (True, "got the boolean True"),
        (np.bool_(False), "got the boolean False"),
        ([0.5, True], "got the boolean True"),
        (np.array([True, False]), "dtype bool"),
        (1 + 0j, "complex number"),
        (np.array([0.5 + 0j]), "complex numbers are not allowed"),
        (10**400, "integer of 401 digits"),
        ([1.0, -(10**309)], "integer of 310 digits"),
        ([[0.1, 0.2], [0.3]], "not ragged"),
        (["0.1"], "string '0.1'"),
        (object(), "must be a number or an array of numbers"),
        (None, "got None"),
        (np.array(["1"]), "convert text to numbers first"),
    ],
)
def test_non_numbers_are_refused_by_name(value, fragment):
    with pytest.raises(InvalidParameterError, match=r"^weight must") as info:
        pg.nash(LINE, weight=value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: pg.BargainingProblem.linear("100"),
        lambda: pg.BargainingProblem.linear(100.0, ("1", 2.0)),
        lambda: pg.BargainingProblem.linear(100.0, "ab"),
        lambda: pg.BargainingProblem.power(100.0, exponent=True),
        lambda: pg.BargainingProblem.from_points([[0, 1j], [1, 0]]),
        lambda: pg.rubinstein(LINE, discount=(0.9, "0.9")),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), breakdown=False),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), outside_options=(10**400, 0.0)),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), horizon="10"),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), horizon=True),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), first_mover=1e400),
        lambda: pg.rubinstein(LINE, discount=(0.9, 0.9), horizon=float("nan")),
        lambda: pg.holdup("0.5"),
        lambda: pg.spot(0.5, buyer_weight=True),
        lambda: pg.best_governance(0.5, scale=np.array([1 + 1j])),
        lambda: pg.discriminating_alignment(0.5, ("1", 3), (2, 1.5), (3, 0.5)),
        lambda: pg.classify_regime((True, 0.5), (0.5, 0.5)),
        lambda: pg.diversification(10**400),
        lambda: pg.buyer_optimal_outside_option(defensive_cost="0"),
    ],
)
def test_every_entry_point_refuses_non_numbers(call):
    with pytest.raises(InvalidParameterError):
        call()


def test_accepted_numeric_kinds_are_unchanged():
    float_array = np.array([1.0, 2.0])
    assert as_array(float_array, "x") is float_array  # no copy on the hot path
    np.testing.assert_array_equal(as_array(np.array([1, 2], dtype=np.int32), "x"), [1.0, 2.0])
    np.testing.assert_array_equal(as_array([1, 2.5, np.float32(3)], "x"), [1.0, 2.5, 3.0])
    assert float(as_array(2**70, "x")) == 2.0**70
    assert as_int(np.int64(5), "n") == 5
    first, second = as_pair(np.array([1, 2]), "pair")
    assert (float(first), float(second)) == (1.0, 2.0)


def test_work_beyond_memory_is_refused_before_allocating():
    huge = pg.BargainingProblem.linear(np.ones((10**5, 1)), (0.0, 0.0))
    weights = np.full(10**5, 0.5)
    for call in (
        lambda: pg.nash(huge, weight=weights),
        lambda: pg.rubinstein(huge, discount=(0.9, np.full(10**5, 0.9))),
    ):
        with pytest.raises(
            InvalidParameterError, match=r"10,000,000,000 points.*stream it with out="
        ):
            call()
    with pytest.raises(InvalidParameterError, match="GiB"):
        pg.holdup(np.zeros((10**5, 1)), np.full(10**5, 0.5))
    with pytest.raises(InvalidParameterError, match=r"needs? 1\.0 GiB .* limit is 0\.5 GiB"):
        check_memory((2**27,), 8, "test", limit=2**29)


def test_long_finite_horizon_on_a_nonlinear_frontier_is_refused_with_its_cost():
    power = pg.BargainingProblem.power(1.0)
    with pytest.raises(InvalidParameterError, match=r"about [\d,]+ s \(the limit is 60 s\)"):
        pg.rubinstein(power, discount=(0.9999999, 0.9999999), horizon=10**9)
    # A fast-converging one of the same length is fine: the loop stops once nothing moves.
    long = pg.rubinstein(power, discount=(0.9, 0.9), horizon=10**9)
    infinite = pg.rubinstein(power, discount=(0.9, 0.9))
    np.testing.assert_allclose(long.payoffs, infinite.payoffs, rtol=1e-12)


def test_billion_period_horizon_on_a_line_is_instant_and_exact():
    """delta = 1 - 1e-7, T = 1e9: the closed form against Rubinstein's finite-T formula.

    With equal discount factors and no options, x_T = (1 - (-delta)^T) / (1 + delta) for the
    first proposer's share (Stahl 1972; Rubinstein 1982, the finite-horizon case).
    """
    delta = 1.0 - 1e-7
    for horizon in (10**9, 10**9 + 1):
        out = pg.rubinstein(
            pg.BargainingProblem.linear(1.0), discount=(delta, delta), horizon=horizon
        )
        expected = (1.0 - (-delta) ** horizon) / (1.0 + delta)
        np.testing.assert_allclose(out.payoffs[0], expected, rtol=1e-12)


def _loop(problem, discount, breakdown, mover, horizon, options):
    """Backward induction period by period on a linear frontier (the oracle)."""
    (d0, d1), surplus, rate = problem.disagreement, problem.frontier.surplus, problem.frontier.rate
    # Rejecting: breakdown (prob. p) gives d, else a period of d then the continuation.
    a0, b0 = (
        breakdown * d0 + (1 - breakdown) * (1 - discount[0]) * d0,
        (1 - breakdown) * discount[0],
    )
    a1, b1 = (
        breakdown * d1 + (1 - breakdown) * (1 - discount[1]) * d1,
        (1 - breakdown) * discount[1],
    )
    w0, w1 = options if options is not None else (-np.inf, -np.inf)
    last = mover if horizon % 2 == 1 else 1 - mover
    x = surplus - max(w1, d1) / rate if last == 0 else max(w0, d0)
    proposer = last
    for _ in range(horizon - 1):
        proposer = 1 - proposer
        if proposer == 0:
            x = surplus - max(w1, a1 + b1 * rate * (surplus - x)) / rate
        else:
            x = max(w0, a0 + b0 * x)
    return x


@settings(max_examples=300)
@given(
    surplus=st.floats(1.0, 10.0),
    d=st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0)),
    rate=st.floats(0.5, 2.0),
    discount=st.tuples(st.floats(0.05, 0.99), st.floats(0.05, 0.99)),
    breakdown=st.floats(0.0, 0.5),
    mover=st.integers(0, 1),
    horizon=st.integers(1, 60),
    options=st.one_of(st.none(), st.tuples(st.floats(-1.0, 6.0), st.floats(-1.0, 6.0))),
)
def test_finite_horizon_closed_form_matches_period_by_period_induction(
    surplus, d, rate, discount, breakdown, mover, horizon, options
):
    problem = pg.BargainingProblem.linear(surplus, d, rate=rate)
    out = pg.rubinstein(
        problem,
        discount=discount,
        breakdown=breakdown,
        first_mover=mover,
        horizon=horizon,
        outside_options=options,
    )
    if bool(out.agreement):
        expected = _loop(problem, discount, breakdown, mover, horizon, options)
        np.testing.assert_allclose(out.payoffs[0], expected, rtol=1e-12, atol=1e-12 * surplus)
        np.testing.assert_allclose(
            out.payoffs[1], rate * (surplus - expected), rtol=1e-11, atol=1e-11 * surplus * rate
        )


def test_a_horizon_beyond_a_float_gives_the_infinite_horizon_outcome():
    # 10**400 periods cannot be converted to a float; the finite-horizon outcome has then
    # converged to the stationary one to the last bit.
    problem = pg.BargainingProblem.linear(10.0, (1.0, 2.0))
    finite = pg.rubinstein(problem, discount=(0.9, 0.8), horizon=10**400)
    infinite = pg.rubinstein(problem, discount=(0.9, 0.8))
    np.testing.assert_allclose(finite.payoffs, infinite.payoffs, rtol=1e-12)


def test_memory_refusal_names_sizes_beyond_a_float():
    with pytest.raises(InvalidParameterError, match=r"GiB"):
        check_memory((10**200, 10**200), 17, "x")
