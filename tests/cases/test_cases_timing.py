"""Time in the cases: a synthetic two-state case file, written in tmp_path, against closed forms.

The synthetic case uses the generic ``bargaining`` adapter: the yearly joint gain is
``volume x (value - cost) x 0.001`` USD bn/yr (1 bcm/yr, prices in USD/kcm), the seller's
outside option ``alt_volume x (alt - cost) x 0.001``. State 0 (year 2000) has a rich seller
alternative, state 1 (year 2005, absorbing) none. Both sides discount at the same rate, so
Merlo and Wilson's efficiency result applies: the parties agree exactly where stopping is
optimal for the stake. Every expectation below is computed here from the file's numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pipeline_games.cases import read_case_file
from pipeline_games.cases._timing import TIMING_OUTPUTS, case_timing
from pipeline_games.errors import CaseFileError

YEAR0, YEAR1 = 2000, 2005


def write_case(
    folder: Path,
    *,
    alt: float = 400.0,
    advance: float = 0.25,
    rate: float = 0.1,
    scale: float = 1.0,
    timing: str = "",
    extra: str = "",
    name: str = "synthetic-timing",
) -> Path:
    """A two-epoch case; ``scale`` multiplies every price (the units of money)."""
    text = f"""
[case]
name = "{name}"
title = "Synthetic two-state case"
dyad = ["A", "B"]

[parameters.volume]
value = 1.0
unit = "bcm/yr"
kind = "assumption"
reason = "test"

[parameters.value]
value = {300.0 * scale!r}
unit = "USD/kcm"
kind = "assumption"
reason = "test"

[parameters.cost]
value = {100.0 * scale!r}
unit = "USD/kcm"
kind = "assumption"
reason = "test"

[parameters.alt]
value = {alt * scale!r}
unit = "USD/kcm"
kind = "assumption"
reason = "test"

[parameters.alt_late]
value = {100.0 * scale!r}
unit = "USD/kcm"
kind = "assumption"
reason = "test"

[parameters.alt_volume]
value = 1.0
unit = "bcm/yr"
kind = "assumption"
reason = "test"

[parameters.rate]
value = {rate!r}
low = {rate / 2!r}
high = {rate * 2!r}
unit = "1/yr"
kind = "assumption"
reason = "test"

[parameters.advance]
value = {advance!r}
low = 0.1
high = 0.9
unit = "share"
kind = "assumption"
reason = "test"

[[epochs]]
year = {YEAR0}
label = "rich seller alternative"

[[epochs]]
year = {YEAR1}
label = "no seller alternative"
set = {{ alt = "alt_late" }}

[model]
adapters = ["bargaining"]

[model.bargaining]
volume = "volume"
buyer_value = "value"
seller_cost = "cost"
buyer_rate = "rate"
seller_rate = "rate"
seller_alt_volume = "alt_volume"
seller_alt_netback = "alt"

[timing]
buyer_rate = "rate"
seller_rate = "rate"
advance = "advance"
{timing}
{extra}
"""
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def flows(alt: float, scale: float = 1.0) -> tuple[float, float]:
    """Net yearly gains (joint gain less the seller's option) in states 0 and 1, USD bn/yr."""
    gain = (300.0 - 100.0) * scale * 1e-3
    option0 = max(alt - 100.0, 0.0) * scale * 1e-3
    return gain - option0, gain


def timing_of(path: Path, **values: float) -> dict[str, np.ndarray]:
    result = case_timing(read_case_file(path), values or None)
    return {
        "at_once": result.agrees_at_once,
        "expected": result.expected_agreement_year,
        "probability": result.agreement_probability,
        "by_year": result.agreement_by_year,
        "calendar": result.calendar,
        "converged": result.converged,
    }


@pytest.mark.parametrize("protocol", ["random", "alternating"])
def test_waiting_for_the_better_state_matches_optimal_stopping(
    tmp_path: Path, protocol: str
) -> None:
    # present values: the stake is the state's own net gain; state 0's is negative
    path = write_case(tmp_path, timing=f'values = "present_values"\nprotocol = "{protocol}"')
    out = timing_of(path)
    pi0, pi1 = flows(400.0)
    assert pi0 < 0 < pi1
    np.testing.assert_array_equal(out["at_once"], [0.0, 1.0])
    p = 0.25
    # from state 0 the deal comes in the first period spent in state 1: delay 1/p years
    assert out["expected"][0] == pytest.approx(YEAR0 + 1.0 / p, rel=1e-9)
    assert out["expected"][1] == pytest.approx(YEAR1, rel=1e-12)
    np.testing.assert_allclose(out["probability"], [1.0, 1.0], rtol=1e-9)
    # by the end of year YEAR0 + n, n periods have passed a move: 1 - (1 - p)^n
    n = out["calendar"] - YEAR0
    np.testing.assert_allclose(out["by_year"], 1.0 - (1.0 - p) ** n, rtol=1e-9, atol=1e-12)
    assert bool(out["converged"])


def test_a_small_gain_now_waits_for_a_bigger_stake(tmp_path: Path) -> None:
    # state 0 has a positive but small stake; with present values and a common discount
    # factor, waiting is optimal iff delta p pi1 / (1 - delta (1 - p)) > pi0
    alt, rate, p = 250.0, 0.1, 0.25
    pi0, pi1 = flows(alt)
    delta = math.exp(-rate)
    wait_value = delta * p * pi1 / (1.0 - delta * (1.0 - p))
    assert 0 < pi0 < wait_value
    path = write_case(tmp_path, alt=alt, timing='values = "present_values"\nprotocol = "random"')
    np.testing.assert_array_equal(timing_of(path)["at_once"], [0.0, 1.0])
    # the same gains read as flows that go on after a deal: agree at once iff the current
    # net flow is positive (a deal struck now still earns the later state's flows)
    path = write_case(tmp_path, alt=alt, timing='values = "flows"', name="flows-case")
    np.testing.assert_array_equal(timing_of(path)["at_once"], [1.0, 1.0])


def test_flows_wait_while_the_net_flow_is_negative(tmp_path: Path) -> None:
    # present value of the stake along the chain is positive, yet the current flow is not
    alt, rate, p = 400.0, 0.1, 0.25
    f0, f1 = flows(alt)
    delta = math.exp(-rate)
    x1 = f1 / (1.0 - delta)
    x0 = (f0 + delta * p * x1) / (1.0 - delta * (1.0 - p))
    assert f0 < 0 < x0
    path = write_case(tmp_path, alt=alt, timing='values = "flows"')
    out = timing_of(path)
    np.testing.assert_array_equal(out["at_once"], [0.0, 1.0])
    assert out["expected"][0] == pytest.approx(YEAR0 + 1.0 / p, rel=1e-9)


def test_opting_out_ends_the_talks(tmp_path: Path) -> None:
    # with opt-out options the seller takes its rich alternative in state 0 for good:
    # no deal from state 0 (probability 0, no expected year); a deal at once in state 1
    path = write_case(
        tmp_path, timing='values = "present_values"\noptions = "opt_out"\nprotocol = "random"'
    )
    out = timing_of(path)
    np.testing.assert_array_equal(out["at_once"], [0.0, 1.0])
    assert out["probability"][0] == 0.0
    assert np.isnan(out["expected"][0])
    assert out["expected"][1] == YEAR1
    assert bool(out["converged"])


@pytest.mark.parametrize("scale", [1e-9, 1e-3, 1e3, 1e9])
def test_units_of_money_do_not_matter(tmp_path: Path, scale: float) -> None:
    base = timing_of(write_case(tmp_path, alt=250.0, timing='values = "present_values"'))
    scaled = timing_of(
        write_case(
            tmp_path, alt=250.0, scale=scale, timing='values = "present_values"', name="scaled"
        )
    )
    np.testing.assert_array_equal(scaled["at_once"], base["at_once"])
    np.testing.assert_allclose(scaled["expected"], base["expected"], rtol=1e-9)


def test_vectorized_over_parameter_arrays(tmp_path: Path) -> None:
    path = write_case(tmp_path, timing='values = "present_values"')
    advance = np.array([0.2, 0.5, 0.8])
    out = timing_of(path, advance=advance)
    np.testing.assert_allclose(out["expected"][:, 0], YEAR0 + 1.0 / advance, rtol=1e-9)
    assert out["at_once"].shape == (3, 2)


def test_claims_and_backtest_read_the_timing(tmp_path: Path) -> None:
    p = 0.25
    expected = YEAR0 + 1.0 / p
    extra = f"""
[[claims]]
id = "deal-in-the-later-state"
statement = "synthetic"
source = "merlo_wilson_1995"
test = {{ type = "threshold", quantity = "epoch[{YEAR1}].agrees_at_once", op = ">=", value = 1 }}

[[claims]]
id = "wait-in-the-first-state"
statement = "synthetic"
source = "merlo_wilson_1995"
test = {{ type = "threshold", quantity = "epoch[{YEAR0}].agrees_at_once", op = "<=", value = 0 }}

[[backtest]]
id = "expected-year"
statement = "synthetic"
quantity = "epoch[{YEAR0}].expected_agreement_year"
observed = [{expected - 0.01}, {expected + 0.01}]
unit = "year"
source = "merlo_wilson_1995"
"""
    case = read_case_file(write_case(tmp_path, timing='values = "present_values"', extra=extra))
    check = case.check(samples=32, seed=0)
    assert [r.verdict for r in check.results] == ["holds", "holds"]
    backtest = case.backtest(samples=32, seed=0)
    assert backtest.rows[0].model == pytest.approx(expected, rel=1e-12)
    assert backtest.rows[0].inside
    # over the sampled box (advance in [0.1, 0.9]) the expected year spans 2000 + 1/p
    assert backtest.rows[0].model_low >= YEAR0 + 1 / 0.9 - 1e-9
    assert backtest.rows[0].model_high <= YEAR0 + 1 / 0.1 + 1e-9
    solved = case.solve()
    assert set(TIMING_OUTPUTS) <= set(solved.outputs[YEAR0])


@pytest.mark.parametrize(
    ("timing", "key"),
    [
        ('advance = "rate"', "timing.advance"),
        ('surplus = "nope"', "timing.surplus"),
        ('buyer_rate = "advance"', "timing.buyer_rate"),
        ('advance = ["advance", "advance"]', "timing.advance"),
        ("rates_epoch = 1999", "timing.rates_epoch"),
        ('options = "maybe"', "timing.options"),
    ],
)
def test_bad_timing_tables_name_the_key(tmp_path: Path, timing: str, key: str) -> None:
    path = write_case(tmp_path)
    text = path.read_text()
    head, _, tail = text.partition("[timing]\n")
    lines = [
        line for line in tail.splitlines() if not line.startswith(timing.split(" =")[0] + " =")
    ]
    path.write_text(head + "[timing]\n" + timing + "\n" + "\n".join(lines) + "\n")
    with pytest.raises(CaseFileError, match=key.replace(".", r"\.")):
        read_case_file(path)


def test_timing_is_not_an_adapter_to_list(tmp_path: Path) -> None:
    path = write_case(tmp_path)
    path.write_text(
        path.read_text().replace('adapters = ["bargaining"]', 'adapters = ["bargaining", "timing"]')
    )
    with pytest.raises(CaseFileError, match=r"model\.adapters"):
        read_case_file(path)


def test_a_case_without_timing_has_no_timing(tmp_path: Path) -> None:
    path = write_case(tmp_path)
    text = path.read_text()
    path.write_text(text[: text.index("[timing]")])
    case = read_case_file(path)
    assert not set(TIMING_OUTPUTS) & set(case.outputs_at(case.base, YEAR0))
    with pytest.raises(CaseFileError, match="no \\[timing\\] table"):
        case_timing(case)
