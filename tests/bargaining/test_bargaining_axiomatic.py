"""Axiomatic solutions: properties (hypothesis), independent numerical oracles, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import pipeline_games as pg

SOLVERS = [pg.nash, pg.kalai_smorodinsky, pg.egalitarian, pg.utilitarian]
finite = st.floats(-50.0, 50.0, allow_nan=False, allow_infinity=False)
positive = st.floats(0.2, 5.0)


@st.composite
def linear_problems(draw):
    surplus = draw(st.floats(1.0, 200.0))
    rate = draw(positive)
    d0 = draw(st.floats(-20.0, surplus * 0.8))
    d1 = draw(st.floats(-20.0, rate * (surplus - d0) * 0.8))
    return pg.BargainingProblem.linear(surplus, (d0, d1), rate=rate)


@st.composite
def power_problems(draw):
    surplus = draw(st.floats(1.0, 100.0))
    scale = draw(positive)
    exponent = draw(st.floats(0.15, 1.0))
    d0 = draw(st.floats(-10.0, surplus * 0.8))
    top = scale * (surplus - d0) ** exponent
    d1 = draw(st.floats(-10.0, top * 0.8))
    return pg.BargainingProblem.power(surplus, (d0, d1), scale=scale, exponent=exponent)


@st.composite
def points_problems(draw):
    count = draw(st.integers(2, 8))
    points = np.array(
        draw(
            st.lists(
                st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 10.0)),
                min_size=count,
                max_size=count,
            )
        )
    )
    problem = pg.BargainingProblem.from_points(points, (0.0, 0.0))
    vertices = problem.frontier.vertices
    # A disagreement point strictly inside: a convex combination of the hull's vertices, shrunk.
    weights = np.array(
        draw(st.lists(st.floats(0.01, 1.0), min_size=len(vertices), max_size=len(vertices)))
    )
    centre = (weights / weights.sum()) @ vertices
    shrink = draw(st.floats(0.0, 0.9))
    disagreement = shrink * centre
    return pg.BargainingProblem.from_points(points, tuple(disagreement))


any_problem = st.one_of(linear_problems(), power_problems(), points_problems())


def _frontier_gap(problem, payoffs):
    return problem.frontier.value(payoffs[..., 0]) - payoffs[..., 1]


@settings(max_examples=60)
@given(any_problem, st.sampled_from(SOLVERS))
def test_pareto_optimal_and_individually_rational(problem, solver):
    outcome = solver(problem)
    d0, d1 = problem.disagreement
    scale = 1.0 + np.abs(outcome.payoffs).max()
    if bool(outcome.agreement):
        gap = float(_frontier_gap(problem, outcome.payoffs))
        if solver in (pg.nash, pg.utilitarian):
            # Strongly Pareto optimal: on the frontier.
            assert abs(gap) <= 1e-7 * scale
        else:
            # KS and egalitarian are weakly Pareto optimal: no point is better for both, so the
            # point is on the frontier or on a vertical (free-disposal) part of the boundary.
            horizontal_gap = float(
                problem.frontier.inverse(outcome.payoffs[1]) - outcome.payoffs[0]
            )
            assert min(abs(gap), abs(horizontal_gap)) <= 1e-7 * scale
    assert outcome.payoffs[0] >= d0 - 1e-9 * scale
    assert outcome.payoffs[1] >= d1 - 1e-9 * scale


@settings(max_examples=40)
@given(st.floats(1.0, 100.0), st.floats(-10.0, 10.0), st.sampled_from(SOLVERS))
def test_symmetric_problems_give_equal_payoffs(surplus, d, solver):
    if 2 * d >= surplus:
        d = surplus / 4
    for problem in (
        pg.BargainingProblem.linear(surplus, (d, d)),
        pg.BargainingProblem.from_points(
            [[0, surplus], [surplus, 0], [0.6 * surplus, 0.6 * surplus * 1.0]],
            (max(d, 0.0), max(d, 0.0)),
        ),
    ):
        payoffs = solver(problem).payoffs
        assert payoffs[0] == pytest.approx(payoffs[1], rel=1e-9, abs=1e-9)


@settings(max_examples=40)
@given(
    points_problems(),
    st.floats(0.1, 10.0),
    st.floats(0.1, 10.0),
    finite,
    finite,
    st.floats(0.05, 0.95),
    st.sampled_from(["nash", "ks"]),
)
def test_nash_and_ks_are_invariant_to_positive_affine_rescaling(
    problem, a0, a1, b0, b1, weight, which
):
    vertices = problem.frontier.vertices
    d0, d1 = (float(x) for x in problem.disagreement)
    ideal = np.array([float(x) for x in problem.ideal_point()])
    # Gains that survive rounding after the shift (a gain of 1e-200 vanishes next to b = 1).
    assume(np.all(ideal - [d0, d1] > 1e-6))
    scaled_points = vertices * [a0, a1] + [b0, b1]
    scaled = pg.BargainingProblem.from_points(scaled_points, (a0 * d0 + b0, a1 * d1 + b1))
    if which == "nash":
        original, transformed = pg.nash(problem, weight), pg.nash(scaled, weight)
    else:
        original, transformed = pg.kalai_smorodinsky(problem), pg.kalai_smorodinsky(scaled)
    expected = original.payoffs * [a0, a1] + [b0, b1]
    np.testing.assert_allclose(transformed.payoffs, expected, rtol=1e-7, atol=1e-7)


@settings(max_examples=40)
@given(linear_problems(), st.floats(0.1, 10.0), st.floats(0.1, 10.0), finite, finite)
def test_nash_affine_invariance_on_linear_frontiers(problem, a0, a1, b0, b1):
    surplus, rate = float(problem.frontier.surplus), float(problem.frontier.rate)
    d0, d1 = (float(x) for x in problem.disagreement)
    # u1 = rate (S - u0) maps to u1' = rate' (S' - u0') with rate' = a1 rate / a0.
    new_rate = a1 * rate / a0
    new_surplus = a0 * surplus + b0 + b1 / new_rate
    scaled = pg.BargainingProblem.linear(
        max(new_surplus, 0.0), (a0 * d0 + b0, a1 * d1 + b1), rate=new_rate
    )
    if new_surplus < 0:
        return
    np.testing.assert_allclose(
        pg.nash(scaled, 0.3).payoffs,
        pg.nash(problem, 0.3).payoffs * [a0, a1] + [b0, b1],
        rtol=1e-9,
        atol=1e-7,
    )


@settings(max_examples=40)
@given(points_problems(), st.floats(0.05, 0.95))
def test_nash_independence_of_irrelevant_alternatives(problem, weight):
    solution = pg.nash(problem, weight)
    if not bool(solution.agreement):
        return
    star = solution.payoffs
    vertices = problem.frontier.vertices
    # Keep the solution and only the vertices on one side of it: a smaller feasible set.
    kept = np.vstack([star, vertices[vertices[:, 0] <= star[0]]])
    smaller = pg.BargainingProblem.from_points(kept, problem.disagreement)
    np.testing.assert_allclose(pg.nash(smaller, weight).payoffs, star, rtol=1e-8, atol=1e-8)
    kept = np.vstack([star, vertices[vertices[:, 0] >= star[0]]])
    smaller = pg.BargainingProblem.from_points(kept, problem.disagreement)
    np.testing.assert_allclose(pg.nash(smaller, weight).payoffs, star, rtol=1e-8, atol=1e-8)


@settings(max_examples=40)
@given(
    st.floats(1.0, 50.0),
    st.floats(0.2, 3.0),
    st.floats(1.0, 3.0),
    st.floats(0.2, 1.0),
    st.floats(-5.0, 0.5),
)
def test_kalai_smorodinsky_monotonicity(surplus, scale, factor, exponent, d0_share):
    # Raising player 1's frontier while player 0's ideal payoff stays put cannot hurt player 1.
    d0 = d0_share * surplus
    small = pg.BargainingProblem.power(surplus, (d0, 0.0), scale=scale, exponent=exponent)
    large = pg.BargainingProblem.power(surplus, (d0, 0.0), scale=scale * factor, exponent=exponent)
    np.testing.assert_allclose(small.ideal_point()[0], large.ideal_point()[0])
    assert pg.kalai_smorodinsky(large).payoffs[1] >= pg.kalai_smorodinsky(small).payoffs[1] - 1e-9


def _log_nash_product(u0, surplus, scale, exponent, d0, d1, weight):
    u1 = scale * (surplus - u0) ** exponent
    return weight * np.log(u0 - d0) + (1.0 - weight) * np.log(u1 - d1)


def _nash_by_minimize_scalar(surplus, scale, exponent, d0, d1, weight):
    """Independent oracle: maximize the log Nash product with scipy's bounded Brent method.

    The search variable is ``log(S - u0)`` so that optima close to ``u0 = S`` (player 1 left
    with little) are located with relative, not absolute, precision.
    """
    t_min = (max(d1, 0.0) / scale) ** (1.0 / exponent)

    def objective(log_room):
        return -_log_nash_product(
            surplus - np.exp(log_room), surplus, scale, exponent, d0, d1, weight
        )

    low = np.log(t_min) if t_min > 0 else np.log(surplus - d0) - 60.0
    high = np.log(surplus - d0)
    options = {"xatol": 1e-14, "maxiter": 10_000}
    log_room = minimize_scalar(objective, bounds=(low, high), method="bounded", options=options).x
    return surplus - np.exp(log_room)


def test_nash_power_frontier_matches_minimize_scalar_pointwise():
    rng = np.random.default_rng(7)
    n = 300
    surplus = rng.uniform(1.0, 100.0, n)
    scale = rng.uniform(0.2, 5.0, n)
    exponent = rng.uniform(0.1, 1.0, n)
    weight = rng.uniform(0.05, 0.95, n)
    d0 = rng.uniform(-10.0, 0.5, n) * surplus / 10
    d1 = rng.uniform(-0.5, 0.6, n) * scale * (surplus - d0) ** exponent
    problem = pg.BargainingProblem.power(surplus, (d0, d1), scale=scale, exponent=exponent)
    outcome = pg.nash(problem, weight)
    assert outcome.agreement.all()
    for i in range(n):
        args = (surplus[i], scale[i], exponent[i], d0[i], d1[i], weight[i])
        expected = _nash_by_minimize_scalar(*args)
        ours, theirs = (
            _log_nash_product(outcome.payoffs[i, 0], *args),
            _log_nash_product(expected, *args),
        )
        # The Nash product agrees to 1e-9 relative, and ours is never the worse of the two.
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
        assert ours >= theirs - 1e-13 * max(1.0, abs(theirs))
        # An optimizer that compares objective values can only place a flat maximum to about
        # sqrt(machine epsilon) of the bracket; the location is checked to that precision.
        assert outcome.payoffs[i, 0] == pytest.approx(expected, rel=1e-6, abs=1e-6 * surplus[i])
        # The payoff pair is on the frontier.
        assert outcome.payoffs[i, 1] == pytest.approx(
            scale[i] * (surplus[i] - outcome.payoffs[i, 0]) ** exponent[i], rel=1e-12
        )


def test_nash_linear_closed_form_agrees_with_points_frontier():
    rng = np.random.default_rng(3)
    for _ in range(50):
        surplus, rate = rng.uniform(1, 50), rng.uniform(0.3, 3)
        d0 = rng.uniform(-5, surplus / 2)
        d1 = rng.uniform(-5, rate * (surplus - d0) / 2)
        weight = rng.uniform(0, 1)
        line = pg.BargainingProblem.linear(surplus, (d0, d1), rate=rate)
        # The same frontier as a two-point hull that extends well beyond the IR region.
        far = 100.0
        points = [[-far, rate * (surplus + far)], [surplus + far, -rate * far]]
        hull = pg.BargainingProblem.from_points(points, (d0, d1))
        np.testing.assert_allclose(
            pg.nash(line, weight).payoffs, pg.nash(hull, weight).payoffs, rtol=1e-9, atol=1e-9
        )


def test_textbook_values():
    problem = pg.BargainingProblem.linear(100.0, (10.0, 30.0))
    # Symmetric Nash on a line: equal split of the gain 60.
    np.testing.assert_allclose(pg.nash(problem).payoffs, [40.0, 60.0])
    np.testing.assert_allclose(pg.nash(problem, weight=1.0).payoffs, [70.0, 30.0])
    np.testing.assert_allclose(pg.nash(problem, weight=0.0).payoffs, [10.0, 90.0])
    # u1 = sqrt(1 - u0), d = 0: Nash maximizes u0 sqrt(1 - u0) -> u0 = 2/3.
    circle = pg.BargainingProblem.power(1.0, exponent=0.5)
    np.testing.assert_allclose(pg.nash(circle).payoffs, [2 / 3, np.sqrt(1 / 3)], rtol=1e-12)
    # KS on the same frontier: u0 = u1 = t with t = sqrt(1 - t) -> t = (sqrt(5) - 1) / 2.
    golden = (np.sqrt(5) - 1) / 2
    np.testing.assert_allclose(pg.kalai_smorodinsky(circle).payoffs, [golden, golden], rtol=1e-12)
    np.testing.assert_allclose(pg.egalitarian(circle).payoffs, [golden, golden], rtol=1e-12)


@settings(max_examples=40)
@given(any_problem)
def test_egalitarian_equal_gains_and_ks_proportional_gains(problem):
    d0, d1 = (float(x) for x in problem.disagreement)
    egalitarian = pg.egalitarian(problem)
    scale = 1.0 + np.abs(egalitarian.payoffs).max()
    if bool(egalitarian.agreement):
        gains = egalitarian.payoffs - [d0, d1]
        assert gains[0] == pytest.approx(gains[1], abs=1e-7 * scale)
    ks = pg.kalai_smorodinsky(problem)
    ideal = np.array([float(x) for x in problem.ideal_point()])
    if bool(ks.agreement):
        gains = ks.payoffs - [d0, d1]
        ideal_gains = ideal - [d0, d1]
        # gains are proportional to ideal gains: cross product vanishes
        cross = gains[0] * ideal_gains[1] - gains[1] * ideal_gains[0]
        assert abs(cross) <= 1e-6 * (1.0 + np.abs(ideal_gains).max()) ** 2


@settings(max_examples=40)
@given(points_problems())
def test_utilitarian_maximizes_the_sum_against_a_brute_force_grid(problem):
    outcome = pg.utilitarian(problem)
    d0, d1 = (float(x) for x in problem.disagreement)
    if not bool(outcome.agreement):
        # Only when no point gives both players strictly more than d.
        assert float(problem.frontier.value(d0)) <= d1
        return
    ideal0 = float(problem.ideal_point()[0])
    grid = np.linspace(d0, ideal0, 2001)
    best = np.max(grid + problem.frontier.value(grid))
    assert outcome.payoffs.sum() >= best - 1e-9


def test_no_gains_gives_disagreement_without_error():
    problem = pg.BargainingProblem.linear(np.array([100.0, 50.0]), (40.0, 30.0))
    for solver in SOLVERS:
        outcome = solver(problem)
        np.testing.assert_array_equal(outcome.agreement, [True, False])
        np.testing.assert_allclose(outcome.payoffs[1], [40.0, 30.0])


def test_broadcasting_matches_pointwise_solutions():
    surplus = np.arange(1.0, 13.0).reshape(3, 4) * 10
    weight = np.array([0.1, 0.4, 0.6, 0.9])
    problem = pg.BargainingProblem.linear(surplus, (1.0, np.array([2.0, 3.0, 4.0, 5.0])))
    outcome = pg.nash(problem, weight)
    assert outcome.payoffs.shape == (3, 4, 2)
    for i in range(3):
        for j in range(4):
            single = pg.nash(pg.BargainingProblem.linear(surplus[i, j], (1.0, 2.0 + j)), weight[j])
            np.testing.assert_allclose(outcome.payoffs[i, j], single.payoffs, rtol=1e-15)
    power = pg.BargainingProblem.power(surplus, (0.0, 0.0), exponent=np.array([0.3, 0.5, 0.7, 1.0]))
    outcome = pg.nash(power, weight)
    assert outcome.payoffs.shape == (3, 4, 2)
    single = pg.nash(pg.BargainingProblem.power(surplus[2, 1], exponent=0.5), weight[1])
    np.testing.assert_allclose(outcome.payoffs[2, 1], single.payoffs, rtol=1e-12)


def test_shares_are_not_defined_without_agreement():
    # The second point's disagreement payoffs (80 + 40) exceed the surplus of 100: no deal.
    problem = pg.BargainingProblem.linear(100.0, ([10.0, 80.0], [30.0, 40.0]))
    for outcome in (pg.nash(problem), pg.kalai_smorodinsky(problem), pg.egalitarian(problem)):
        assert outcome.agreement.tolist() == [True, False]
        np.testing.assert_allclose(outcome.shares[0], outcome.payoffs[0] / 100.0)
        assert np.isnan(outcome.shares[1]).all()
        np.testing.assert_allclose(outcome.payoffs[1], [80.0, 40.0])


def test_outcome_helpers():
    outcome = pg.nash(pg.BargainingProblem.linear([10.0, 20.0], (0.0, 0.0)), 0.25)
    np.testing.assert_allclose(outcome.shares, [[0.25, 0.75], [0.25, 0.75]])
    frame = outcome.to_frame()
    assert list(frame.columns) == [
        "payoff_buyer",
        "payoff_seller",
        "share_buyer",
        "share_seller",
        "agreement",
    ]
    assert frame["payoff_seller"].tolist() == [7.5, 15.0]
    with pytest.raises(NotImplementedError):
        outcome.labels()
    labels = pg.nash(pg.BargainingProblem.linear(1.0, players=("China", "Turkmenistan"))).to_dict()
    assert labels["players"] == ["China", "Turkmenistan"]
