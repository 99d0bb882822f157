"""Time in the gas cases: the network's outputs as the states of the talks.

China-Russia gas and China-Turkmenistan gas are views of the linked case eurasian-gas; their
``[timing]`` tables read each epoch's supply-network solution as a state of Merlo and
Wilson's bargaining. The expectations below are derived here from the network's outputs,
independently of the timing machinery: the stake of a state is the expected present value of
the agreement's yearly joint gain along the chain (built here from the advance parameters),
and with a common discount rate the agreement set is that of optimal stopping on it.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline_games.cases import check_case, load
from pipeline_games.cases._claims import _Evaluator
from pipeline_games.cases._timing import case_timing

GAS_CASES = {"china-russia-gas": "russia_rate", "china-turkmenistan-gas": "turkmen_rate"}


def chain(case, values) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-year transition matrix, yearly joint gains and the mean discount factor."""
    years = case.years
    k = len(years)
    advance = [
        float(case.epoch_values(values, year)[name])
        for year, name in zip(years[:-1], case.timing.advance, strict=True)
    ]
    transition = np.zeros((k, k))
    for i, a in enumerate(advance):
        transition[i, i], transition[i, i + 1] = 1.0 - a, a
    transition[-1, -1] = 1.0
    gains = np.array(
        [float(case.adapter_outputs(values, year)["net_joint_gain"]) for year in years]
    )
    first = case.epoch_values(values, years[0])
    rate = 0.5 * (float(first[case.timing.buyer_rate]) + float(first[case.timing.seller_rate]))
    return transition, gains, float(np.exp(-rate))


@pytest.mark.parametrize("name", sorted(GAS_CASES))
def test_dyad_payoff_is_the_joint_gain_plus_the_options(name: str) -> None:
    case = load(name)
    for year in case.years:
        out = case.adapter_outputs(case.base, year)
        gain = float(out["net_joint_gain"])
        options = float(out["net_buyer_outside_option"]) + float(out["net_seller_outside_option"])
        total = float(out["net_dyad_payoff"])
        scale = max(abs(total), abs(gain), 1.0)
        assert total == pytest.approx(
            float(out["net_buyer_payoff"]) + float(out["net_seller_payoff"]), abs=1e-12 * scale
        )
        assert total - options == pytest.approx(gain, abs=1e-9 * scale)


@pytest.mark.parametrize("name", sorted(GAS_CASES))
def test_stake_is_the_present_value_of_the_joint_gain_along_the_chain(name: str) -> None:
    case = load(name)
    transition, gains, delta = chain(case, case.base)
    expected = np.linalg.solve(np.eye(len(gains)) - delta * transition, gains)
    stake = case_timing(case).stake
    np.testing.assert_allclose(stake, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


@pytest.mark.parametrize("name", sorted(GAS_CASES))
def test_common_rate_agreement_set_is_optimal_stopping(name: str) -> None:
    """With one discount rate (the seller's set to China's) Merlo and Wilson's efficiency
    result: agree at once exactly where stopping is optimal for the stake."""
    case = load(name)
    values = {**case.base, GAS_CASES[name]: case.base["china_rate"]}
    transition, gains, delta = chain(case, values)
    stake = np.linalg.solve(np.eye(len(gains)) - delta * transition, gains)
    best = stake.copy()
    for _ in range(10_000):
        new = np.maximum(stake, delta * transition @ best)
        if np.max(np.abs(new - best)) <= 1e-14 * np.abs(stake).max():
            break
        best = new
    margin = stake - delta * transition @ best
    clear = np.abs(margin) > 1e-6 * np.abs(stake).max()
    timing = case_timing(case, {GAS_CASES[name]: case.base["china_rate"]})
    assert bool(timing.converged)
    np.testing.assert_array_equal(timing.agrees_at_once[clear], (margin[clear] > 0).astype(float))
    assert clear.sum() >= len(gains) - 2


def test_a_state_without_a_joint_gain_waits_for_the_next() -> None:
    """China-Russia 2008: the Russian routes carry no gas at the base values (zero joint
    gain), the next state has a positive one: no deal at once there, a deal a year later."""
    case = load("china-russia-gas")
    timing = case_timing(case)
    years = list(timing.years)
    gain_2008 = float(case.adapter_outputs(case.base, 2008)["net_joint_gain"])
    gain_2009 = float(case.adapter_outputs(case.base, 2009)["net_joint_gain"])
    assert gain_2008 == 0.0
    assert gain_2009 > 0.0
    i = years.index(2008)
    assert timing.agrees_at_once[i] == 0.0
    assert timing.agrees_at_once[i + 1] == 1.0
    # advance_2008 = 1: the next state comes for sure after one year.
    assert timing.expected_agreement_year[i] == pytest.approx(2009.0, abs=1e-9)


def test_timing_claims_agree_with_the_timing_at_the_base() -> None:
    case = load("china-russia-gas")
    timing = case_timing(case)
    years = list(timing.years)
    check = check_case(case, samples=16)
    verdicts = {r.claim.id: r.verdict for r in check.results}
    for year in (2006, 2008, 2009, 2010, 2012):
        waits = timing.agrees_at_once[years.index(year)] <= 0
        assert verdicts[f"no-deal-at-once-{year}"] == ("holds" if waits else "fails")
    agrees = timing.agrees_at_once[years.index(2014)] >= 1
    assert verdicts["deal-at-once-2014"] == ("holds" if agrees else "fails")


def test_derivative_of_an_adapter_output_bumps_only_its_epoch() -> None:
    """A bump of pos_capacity (0 before 2009) below 38 in 2014 must not reach the 2006 state
    (where it would be a negative capacity): the derivative is the adapters' alone."""
    case = load("china-turkmenistan-gas")
    evaluator = _Evaluator(case, case.base)
    slope = float(evaluator.derivative("d net_price / d pos_capacity", "epoch[2014]"))
    step = 1e-4 * 38.0
    up = case.adapter_outputs(case.base, 2014, {"pos_capacity": step})["net_price"]
    down = case.adapter_outputs(case.base, 2014, {"pos_capacity": -step})["net_price"]
    assert np.isfinite(slope)
    assert slope == pytest.approx((float(up) - float(down)) / (2 * step), rel=1e-9)
