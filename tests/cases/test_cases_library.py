"""Shipped cases: load, solve, claim verdicts at the base values, robustness, sweep protocol."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.cases._claims import FAILS, HOLDS, NOT_EVALUATED

SHIPPED = ["china-kazakhstan-oil", "china-russia-gas", "china-russia-oil", "china-turkmenistan-gas"]

# Verdicts at the base values, as documented in docs/cases/<case>.md and README.md.
DOCUMENTED = {
    "china-kazakhstan-oil": {
        "regime": HOLDS,
        "shared-assets-lower-holdup": HOLDS,
        "kazakh-position-weak-1990s": HOLDS,
        "western-options-help-kazakhstan": FAILS,
        "staged-venture-is-spe": HOLDS,
    },
    "china-russia-gas": {
        "regime": HOLDS,
        "china-position-rose-2006-2014": HOLDS,
        "china-position-rose-2009": FAILS,
        "more-central-asian-gas-helps-china-2012": HOLDS,
        "upstream-lever-2014": HOLDS,
        "price-2014-in-verified-range": FAILS,
    },
    "china-russia-oil": {
        "regime": HOLDS,
        "kazakh-pipeline-weakened-russia": FAILS,
        "crisis-moved-russia-to-china-branch": HOLDS,
        "route-choice-2009": HOLDS,
        "kazakh-pipeline-weakened-russia-route-game": HOLDS,
        "kazakh-pipeline-pushed-russia-to-china-branch": FAILS,
        "price-2013-matches-verified-deal": FAILS,
    },
    "china-turkmenistan-gas": {
        "regime": HOLDS,
        "russian-cut-weakened-turkmenistan": FAILS,
        "russian-gas-weakens-turkmenistan": FAILS,
        "diversification-pays-china": HOLDS,
        "china-optimal-turkmen-option-above-current": HOLDS,
        "line-d-transit-shares": HOLDS,
    },
}


def test_pure_bargaining_cannot_make_turkmen_options_pay_china():
    # The contrast behind the diversification claim: with bargaining alone (no hold-up or
    # opportunism cost), raising Turkmenistan's outside option (its Russian offtake) can
    # never raise China's payoff; the source's claim needs the efficiency channel.
    case = pg.cases.load("china-turkmenistan-gas")
    base = {name: np.atleast_1d(float(value)) for name, value in case.base.items()}
    raised = dict(base, russia_offtake=base["russia_offtake"] + 1.0)
    before = case.evaluate(**base)["buyer_payoff@2014"]
    after = case.evaluate(**raised)["buyer_payoff@2014"]
    assert after[0] <= before[0] + 1e-12


def test_cases_list_is_the_four_shipped_cases():
    assert pg.cases.list_cases() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_cases_load_and_solve_every_epoch(name):
    case = pg.cases.load(name)
    solution = case.solve()
    assert list(solution.outputs) == list(case.years)
    for out in solution.outputs.values():
        assert out["agreement"] == 1.0
        # Payoffs split the surplus (linear frontier) and respect the outside options.
        assert math.isclose(
            out["buyer_payoff"] + out["seller_payoff"], out["surplus"], rel_tol=1e-12
        )
        assert out["buyer_payoff"] >= out["buyer_outside_option"] - 1e-12
        assert out["seller_payoff"] >= out["seller_outside_option"] - 1e-12
    for parameter in case.parameters.values():
        assert parameter.source
        assert parameter.kind in {"reported", "derived", "assumption"}
        assert parameter.low <= parameter.value <= parameter.high


@pytest.mark.parametrize("name", SHIPPED)
def test_cases_verdicts_match_the_docs(name):
    check = pg.cases.load(name).check(samples=64, seed=3)
    verdicts = {r.claim.id: r.verdict for r in check.results}
    assert verdicts == DOCUMENTED[name]
    for r in check.results:
        assert 0.0 <= r.robustness <= 1.0
        assert not r.reason


def test_cases_russia_gas_matches_rubinstein_closed_form():
    """2006: no outside option binds, buyer proposes: x = S (1 - d_s) / (1 - d_b d_s).
    2014: China's outside option w binds: x = S - d_s (S - w) (Muthoo 1999, ch. 5)."""
    out = pg.cases.load("china-russia-gas").solve().outputs
    surplus_2006 = 68 * (420 - 200) / 1000
    delta_b, delta_s = math.exp(-0.08), math.exp(-0.08)
    expected_2006 = surplus_2006 * (1 - delta_s) / (1 - delta_b * delta_s)
    assert math.isclose(out[2006]["buyer_payoff"], expected_2006, rel_tol=1e-12)
    surplus_2014 = 38 * (420 - 200) / 1000
    w_2014 = 38 * (420 - 280) / 1000  # 55 bcm of Central Asian gas covers all 38 bcm
    expected_2014 = surplus_2014 - math.exp(-0.15) * (surplus_2014 - w_2014)
    assert math.isclose(out[2014]["buyer_payoff"], expected_2014, rel_tol=1e-12)
    assert out[2014]["binding"] == 1.0  # BINDING_OUTSIDE_0


def test_cases_epochs_are_cumulative():
    case = pg.cases.load("china-russia-gas")
    values = case.epoch_values(case.base, 2014)
    assert values["central_asia_volume"] == 55.0  # set in 2012, still in force in 2014
    assert values["volume"] == 38.0
    assert case.epoch_values(case.base, 2009)["volume"] == 68.0


def test_cases_robustness_reproducible_with_seed():
    case = pg.cases.load("china-russia-oil")
    first = [r.robustness for r in case.check(samples=128, seed=7).results]
    second = [r.robustness for r in case.check(samples=128, seed=7).results]
    other = [r.robustness for r in case.check(samples=128, seed=8).results]
    assert first == second
    assert first != other


def test_cases_sample_box_stays_in_bounds():
    case = pg.cases.load("china-turkmenistan-gas")
    box = pg.cases.sample_box(case, 256, seed=0)
    for name, (low, high) in case.bounds.items():
        assert box[name].shape == (256,)
        assert np.all(box[name] >= low)
        assert np.all(box[name] <= high)


def test_cases_sweep_target_protocol():
    case = pg.cases.load("china-russia-gas")
    assert set(case.parameter_names) == set(case.bounds) == set(case.base)
    grid = np.linspace(350.0, 550.0, 5)
    columns = case.evaluate(china_value=grid)
    assert columns["surplus@2006"].shape == (5,)
    np.testing.assert_allclose(columns["surplus@2006"], 68 * (grid - 200) / 1000)


def test_cases_solve_with_overrides_and_single_epoch():
    case = pg.cases.load("china-russia-gas")
    solution = case.solve(epoch=2006, overrides={"russia_cost": 150.0})
    assert list(solution.outputs) == [2006]
    assert math.isclose(solution.outputs[2006]["surplus"], 68 * (420 - 150) / 1000)
    with pytest.raises(pg.CaseFileError, match="no epoch 2007"):
        case.solve(epoch=2007)
    with pytest.raises(pg.CaseFileError, match="no such parameter"):
        case.solve(overrides={"nonsense": 1.0})


def test_cases_kazakhstan_holdup_loss_closed_form():
    """Spot: theta = 1 - w s = 0.6, k = (alpha theta)^2 = 0.09, surplus 0.3 - 0.09 = 0.21;
    first best k = 0.25, surplus 0.25; a 50/50 venture with w = 0.5 restores the first best."""
    out = pg.cases.load("china-kazakhstan-oil").solve().outputs[2013]
    assert out["holdup_loss_spot"] == pytest.approx(0.04)
    assert out["holdup_loss_shared_assets"] == pytest.approx(0.0, abs=1e-12)


def test_cases_unavailable_adapter_is_never_passed(monkeypatch):
    """An adapter whose solver is missing: its claims are 'not evaluated', never passed."""
    from pipeline_games.cases import models

    missing = dataclasses.replace(
        models.ADAPTERS["diversification"], function=None, unavailable_reason="not installed"
    )
    monkeypatch.setitem(models.ADAPTERS, "diversification", missing)
    check = pg.cases.load("china-turkmenistan-gas").check(samples=8)
    verdicts = {r.claim.id: r for r in check.results}
    assert verdicts["diversification-pays-china"].verdict == NOT_EVALUATED
    assert verdicts["diversification-pays-china"].robustness is None
    assert "not installed" in verdicts["diversification-pays-china"].reason
    assert verdicts["regime"].verdict == HOLDS


def test_cases_report_without_matplotlib_says_so(tmp_path, monkeypatch):
    import sys

    from pipeline_games.cases._report import write_case_report

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    paths = write_case_report(pg.cases.load("china-russia-oil"), tmp_path, samples=8)
    assert [p.suffix for p in paths] == [".md", ".html"]
    assert "Figures not drawn" in paths[0].read_text(encoding="utf-8")


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reproduced():
    """Verdict and robustness of every claim as `pipeline-games reproduce` computes them."""
    return {
        (name, r.claim.id): (r.verdict, f"{r.robustness:.2f}")
        for name in SHIPPED
        for r in pg.cases.load(name).check(samples=1024, seed=0).results
    }


def test_cases_docs_index_table_is_what_reproduce_prints(reproduced):
    text = (REPO / "docs" / "cases" / "index.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (china-[a-z-]+) \| ([a-z0-9-]+) \| (\w+) \| ([0-9.]+) \|$", text, re.M)
    assert {(case, claim): (verdict, share) for case, claim, verdict, share in rows} == reproduced


@pytest.mark.parametrize("name", SHIPPED)
def test_cases_docs_case_page_verdicts(name, reproduced):
    """Each case page's table: `claim-id` (...) | verdict (in bold if it fails) ... | share."""
    text = (REPO / "docs" / "cases" / f"{name}.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)`[^|]*\| \**(holds|fails)\b[^|]*\| ([0-9.]+)", text, re.M)
    documented = {claim: (verdict, share) for claim, verdict, share in rows}
    assert documented == {claim: v for (case, claim), v in reproduced.items() if case == name}


def test_cases_readme_claims_are_what_reproduce_prints(reproduced):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^(china-[a-z-]+) +([a-z0-9-]+) +(holds|fails) +([0-9.]+)$", text, re.M)
    assert len(rows) >= 5
    for case, claim, verdict, share in rows:
        assert reproduced[(case, claim)] == (verdict, share)
