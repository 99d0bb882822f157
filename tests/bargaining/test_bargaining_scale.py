"""Right at every scale: a problem and the same problem with all payoffs times a factor from
1e-12 to 1e12 have the same solution in those units (1e-9 relative to the problem's size).

Scaling every payoff by ``k`` maps a linear frontier ``(S, rate)`` to ``(k S, rate)``, a power
frontier ``u1 = c (S - u0)^a`` to ``(k S, k^(1 - a) c, a)`` and a frontier from points to
the points times ``k``; disagreement points, outside and inside options scale by ``k``;
weights, discount factors, breakdown risk and horizons do not change.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline_games as pg

FACTOR = st.floats(-12.0, 12.0).map(lambda exponent: 10.0**exponent)
UNIT = st.floats(0.0, 1.0)
LEVEL = st.floats(0.1, 100.0)
RTOL = 1e-9


def assert_scaled(base: np.ndarray, scaled: np.ndarray, factor: float, size: float) -> None:
    """``scaled / factor`` equals ``base`` to 1e-9 of the problem's own size."""
    np.testing.assert_allclose(scaled / factor, base, rtol=RTOL, atol=RTOL * size)


def problems(draw, kind: str):
    """A problem of the given frontier kind as a function of the factor, and its size."""
    surplus = draw(LEVEL)
    d0 = draw(st.floats(0.0, 0.3)) * surplus
    if kind == "linear":
        rate = draw(st.floats(0.2, 5.0))
        d1 = draw(st.floats(0.0, 0.3)) * surplus * rate

        def build(k: float) -> pg.BargainingProblem:
            return pg.BargainingProblem.linear(k * surplus, (k * d0, k * d1), rate=rate)

        return build, surplus * max(rate, 1.0)
    if kind == "power":
        exponent = draw(st.floats(0.2, 1.0))
        scale = draw(st.floats(0.2, 5.0))
        reach = scale * (surplus - d0) ** exponent
        d1 = draw(st.floats(0.0, 0.5)) * reach

        def build(k: float) -> pg.BargainingProblem:
            return pg.BargainingProblem.power(
                k * surplus,
                (k * d0, k * d1),
                scale=k ** (1.0 - exponent) * scale,
                exponent=exponent,
            )

        return build, max(surplus, scale * surplus**exponent)
    points = np.array(draw(st.lists(st.tuples(LEVEL, LEVEL), min_size=2, max_size=6)))
    d = 0.2 * points.min(axis=0)

    def build(k: float) -> pg.BargainingProblem:
        return pg.BargainingProblem.from_points(k * points, (k * d[0], k * d[1]))

    return build, float(points.max())


KINDS = st.sampled_from(["linear", "power", "points"])


@settings(max_examples=150)
@given(data=st.data(), kind=KINDS, factor=FACTOR)
def test_axiomatic_solutions_are_unit_free(data, kind, factor):
    build, size = problems(data.draw, kind)
    weight = data.draw(UNIT)
    base, scaled = build(1.0), build(factor)
    for solve in (
        lambda p: pg.nash(p, weight=weight),
        pg.kalai_smorodinsky,
        pg.egalitarian,
        pg.utilitarian,
    ):
        one, other = solve(base), solve(scaled)
        np.testing.assert_array_equal(one.agreement, other.agreement)
        assert_scaled(one.payoffs, other.payoffs, factor, size)


@settings(max_examples=150)
@given(
    data=st.data(),
    kind=KINDS,
    factor=FACTOR,
    discount=st.tuples(st.floats(0.3, 0.99), st.floats(0.3, 0.99)),
    breakdown=st.floats(0.0, 0.5),
    mover=st.integers(0, 1),
    horizon=st.one_of(st.none(), st.integers(1, 40)),
    with_options=st.booleans(),
    with_inside=st.booleans(),
)
def test_rubinstein_is_unit_free(
    data, kind, factor, discount, breakdown, mover, horizon, with_options, with_inside
):
    build, size = problems(data.draw, kind)
    options = (data.draw(UNIT) * size * 0.6, data.draw(UNIT) * size * 0.6)
    inside = (data.draw(UNIT) * size * 0.2, data.draw(UNIT) * size * 0.2)

    def solve(k: float) -> pg.Outcome:
        return pg.rubinstein(
            build(k),
            discount=discount,
            breakdown=breakdown,
            first_mover=mover,
            horizon=horizon,
            outside_options=(k * options[0], k * options[1]) if with_options else None,
            inside_options=(k * inside[0], k * inside[1]) if with_inside else None,
        )

    one, other = solve(1.0), solve(factor)
    np.testing.assert_array_equal(one.agreement, other.agreement)
    assert_scaled(one.payoffs, other.payoffs, factor, size)
    if one.binding is not None and horizon is None:
        np.testing.assert_array_equal(one.binding, other.binding)


def test_reported_cases_at_small_and_large_scale():
    """The cases of issue 14, each against an independent closed form."""
    tiny = pg.nash(pg.BargainingProblem.power(1e-12, (0, 5e-13), exponent=1.0))
    np.testing.assert_allclose(tiny.payoffs, [2.5e-13, 7.5e-13], rtol=1e-12)
    # u1 = sqrt(S - u0), d = 0, weight 1/2: maximize u0 sqrt(S - u0) -> u0 = 2 S / 3.
    for factor in (1e-12, 1.0, 1e12):
        out = pg.nash(pg.BargainingProblem.power(factor, scale=factor**0.5, exponent=0.5))
        np.testing.assert_allclose(out.payoffs / factor, [2 / 3, 3**-0.5], rtol=1e-12)


def test_nash_corners_at_extreme_weights():
    """Weight 1 gives the buyer its best individually rational point, weight 0 the seller."""
    points = pg.BargainingProblem.from_points([[0, 10], [5, 8], [10, 0]])
    np.testing.assert_array_equal(pg.nash(points, weight=1.0).payoffs, [10.0, 0.0])
    np.testing.assert_array_equal(pg.nash(points, weight=0.0).payoffs, [0.0, 10.0])
    steep = pg.BargainingProblem.power(100.0, exponent=0.01, scale=50.0)
    np.testing.assert_array_equal(pg.nash(steep, weight=1.0).payoffs, [100.0, 0.0])
    np.testing.assert_allclose(pg.nash(steep, weight=0.0).payoffs, [0.0, 50.0 * 100.0**0.01])
    # with a disagreement payoff the seller keeps exactly it
    kept = pg.nash(pg.BargainingProblem.power(100.0, (0.0, 5.0), exponent=0.5), weight=1.0)
    np.testing.assert_allclose(kept.payoffs, [100.0 - 5.0**2, 5.0], rtol=1e-12)
