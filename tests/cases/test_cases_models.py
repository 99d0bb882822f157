"""The regime, diversification, route-choice and investment adapters inside the cases.

Expected values come from the rule applied by hand, closed forms of the models, or the
modules' own sourced defaults called directly (not through the case machinery).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.cases._claims import HOLDS
from pipeline_games.cases._adapters import INVESTMENT_OUTCOMES, ROUTE_OUTCOMES

SHIPPED = pg.cases.list_cases()
REGIME_ARGS = {
    "buyer_dependence": "buyer_dependence",
    "seller_dependence": "seller_dependence",
    "buyer_outside_option": "buyer_outside_option",
    "seller_outside_option": "seller_outside_option",
    "shared_assets": "shared_assets",
}


def _claim(case, claim_id, samples=1024, seed=0):
    return {r.claim.id: r for r in case.check(samples=samples, seed=seed).results}[claim_id]


def _same_number(parameter, sourced):
    assert (parameter.value, parameter.low, parameter.high) == (
        sourced.value,
        sourced.low,
        sourced.high,
    )
    assert parameter.kind == sourced.kind
    assert parameter.source == sourced.source


# -- parameters are the modules' sourced numbers, not new ones ------------------------
@pytest.mark.parametrize("name", SHIPPED)
def test_cases_regime_inputs_are_the_casebook_numbers(name):
    case = pg.cases.load(name)
    dyad = pg.casebook_dyads()[name]
    for argument, attribute in REGIME_ARGS.items():
        parameter = case.parameters[case.mapping["regime"][argument]]
        _same_number(parameter, getattr(dyad, attribute))
        assert parameter.unit == "share"


def test_cases_route_and_investment_parameters_are_the_games_numbers():
    oil = pg.cases.load("china-russia-oil")
    for argument, target in oil.mapping["route_choice"].items():
        if argument in ("volume", "kazakh_volume"):
            continue
        _same_number(oil.parameters[target], pg.espo_route_parameters()[argument])
    # The ESPO volume and the Kazakh line's capacity are the case's own sourced volumes.
    assert oil.parameters["volume"].value == pg.espo_route_parameters()["volume"].value
    kazakh = pg.cases.load("china-kazakhstan-oil")
    for argument, target in kazakh.mapping["investment"].items():
        if argument == "stage2_volume":
            assert target == "volume"
            continue
        _same_number(kazakh.parameters[target], pg.kazakhstan_investment_parameters()[argument])


# -- regime --------------------------------------------------------------------------
def test_cases_regime_by_hand():
    """The rule by hand: important >= 0.10, dependent if important and option < 0.5,
    shared if equity >= 0.25."""
    expected = {
        # 50/50 CNPC-KMG venture: shared assets make it mutual dependence.
        "china-kazakhstan-oil": "mutual_dependence",
        # Russia 0.22 / option 0.7 and China 0.142 / 0.858: both important, none dependent.
        "china-russia-oil": "alternatives_on_both_sides",
        # Gazprom 0.19 / option 0.6, China 0.423 / 1.0.
        "china-russia-gas": "alternatives_on_both_sides",
        # Turkmenistan 0.754 with option 0.326 < 0.5 is dependent, China (option 1.0) is not.
        "china-turkmenistan-gas": "one_sided_dependence",
    }
    for name, label in expected.items():
        solution = pg.cases.load(name).solve()
        assert {out["regime"] for out in solution.outputs.values()} == {label}
        assert label == pg.casebook_dyads()[name].source_regime


def test_cases_regime_robustness_russia_gas_closed_form():
    """Only Gazprom's redeployable share, uniform on [0.3, 0.9], can move the regime: it is
    'alternatives' iff the share is >= 0.5, a probability of 2/3."""
    result = _claim(pg.cases.load("china-russia-gas"), "regime")
    assert result.verdict == HOLDS
    assert result.robustness == pytest.approx(2 / 3, abs=0.02)


def test_cases_regime_is_vectorized_over_samples():
    case = pg.cases.load("china-russia-gas")
    columns = case.evaluate(seller_redeployable_share=np.array([0.3, 0.49, 0.5, 0.9]))
    assert columns["regime@2014"].tolist() == [
        "one_sided_dependence",
        "one_sided_dependence",
        "alternatives_on_both_sides",
        "alternatives_on_both_sides",
    ]
    assert columns["seller_dependent@2014"].tolist() == [1.0, 1.0, 0.0, 0.0]


# -- diversification -----------------------------------------------------------------
def _marginal_by_hand(w, alpha, option, cost_share):
    """d u_B / d o over K: w theta^(gamma - 1) [w (1 - o) / (1 - alpha) - 1] + D / K."""
    gamma = alpha / (1 - alpha)
    theta = 1 - w * (1 - option)
    return w * theta ** (gamma - 1) * (w * (1 - option) / (1 - alpha) - 1) + cost_share


def test_cases_diversification_closed_form_at_base():
    """w = 0.15 / (0.05 + 0.15) = 0.75, alpha = 0.5 (gamma = 1), o = 0.326, D/K = 0.1:
    u_B / K = w x (1 - w x) - d x with x = 1 - o, so x* = (w - d) / (2 w^2)."""
    out = pg.cases.load("china-turkmenistan-gas").solve().outputs[2014]
    w, x, d = 0.75, 1 - 0.326, 0.1
    assert out["diversification_buyer_weight"] == pytest.approx(w)
    assert out["diversification_buyer_payoff"] == pytest.approx(w * x * (1 - w * x) - d * x)
    assert out["diversification_marginal_gain"] == pytest.approx(
        _marginal_by_hand(w, 0.5, 0.326, d)
    )
    assert out["buyer_optimal_seller_option"] == pytest.approx(1 - (w - d) / (2 * w * w))
    # D*(o) / K = -(marginal without D): the bracket is barely positive, so D* = 0.
    assert out["critical_defensive_cost_share"] == 0.0


def test_cases_diversification_robustness_matches_the_condition():
    """The claim's robustness equals the share of the box where the closed-form condition
    D > D*(o) holds; the two claims (derivative sign, optimum above current) agree."""
    case = pg.cases.load("china-turkmenistan-gas")
    box = pg.cases.sample_box(case, 1024, seed=0)
    w = box["turkmen_rate"] / (box["china_rate"] + box["turkmen_rate"])
    expected = np.mean(
        _marginal_by_hand(
            w,
            box["investment_elasticity"],
            box["seller_redeployable_share"],
            box["defensive_cost_share"],
        )
        > 0
    )
    check = {r.claim.id: r for r in case.check(samples=1024, seed=0).results}
    assert check["diversification-pays-china"].robustness == pytest.approx(expected, abs=2e-3)
    assert check["china-optimal-turkmen-option-above-current"].robustness == pytest.approx(
        expected, abs=2e-3
    )


# -- route choice --------------------------------------------------------------------
def test_cases_route_choice_at_2009_is_the_games_default():
    out = pg.cases.load("china-russia-oil").solve().outputs[2009]
    game = pg.espo_route_choice(kazakh_supply_share=10.0 / 15.0)
    assert out["route_outcome"] == str(game.outcome) == "China branch with loan"
    assert out["russia_builds_china_branch"] == 1.0
    assert out["kazakh_supply_share"] == pytest.approx(10 / 15)
    assert out["russia_route_payoff"] == pytest.approx(float(game.solution.payoffs[1]))


def _annuity(rate, years):
    return (1 - (1 + rate) ** -years) / rate


def test_cases_kazakh_pipeline_derivatives_closed_form():
    """On the China-branch-with-loan path Russia earns a_R B (P (1 - kappa phi) - t_C) - K_C
    + loan value, with kappa = kazakh_volume / volume: d/d kazakh_volume = -a_R B P phi / V.
    Its best alternative (the Pacific route) does not depend on kappa, so the branch's
    advantage falls at the same rate: the 'pushed to the China branch' claim fails."""
    slope = -_annuity(0.10, 20) * (15 * 7.33 / 1000) * 61.0 * 0.05 / 15.0
    check = {r.claim.id: r for r in pg.cases.load("china-russia-oil").check(samples=0).results}
    weakened = check["kazakh-pipeline-weakened-russia-route-game"]
    pushed = check["kazakh-pipeline-pushed-russia-to-china-branch"]
    assert weakened.verdict == HOLDS
    assert weakened.details["derivative"] == pytest.approx(slope, rel=1e-6)
    assert pushed.details["derivative"] == pytest.approx(slope, rel=1e-6)


def test_cases_route_label_robustness_is_the_share_of_samples():
    """Robustness of a label claim = share of the box where the game, called directly with
    the sampled numbers, ends on the expected outcome."""
    case = pg.cases.load("china-russia-oil")
    box = pg.cases.sample_box(case, 256, seed=5)
    game = pg.espo_route_choice(
        volume=box["volume"],
        kazakh_supply_share=np.minimum(1.0, box["kazakh_pipeline_volume_2006"] / box["volume"]),
        **{k: box[f"espo_{k}"] for k in pg.espo_route_parameters() if f"espo_{k}" in box},
    )
    expected = float(np.mean(game.outcome == "China branch with loan"))
    assert _claim(case, "route-choice-2009", samples=256, seed=5).robustness == expected
    assert set(np.unique(game.outcome)) <= set(ROUTE_OUTCOMES)


# -- Kazakhstan sequential investment ------------------------------------------------
def test_cases_investment_at_2006_is_the_games_default():
    out = pg.cases.load("china-kazakhstan-oil").solve().outputs[2006]
    game = pg.kazakhstan_sequential_investment()
    assert out["investment_outcome"] == str(game.outcome) == game.historical
    assert out["china_investment_payoff"] == pytest.approx(float(game.solution.payoffs[0]))
    assert out["kazakhstan_investment_payoff"] == pytest.approx(float(game.solution.payoffs[1]))


def test_cases_investment_outcomes_are_known_labels():
    regions = pg.kazakhstan_investment_regions("hold_up_share", "disruption_loss", num=15)
    assert set(regions.shares) <= set(INVESTMENT_OUTCOMES)
    result = _claim(pg.cases.load("china-kazakhstan-oil"), "staged-venture-is-spe", 256)
    assert result.verdict == HOLDS
    assert 0.0 < result.robustness < 1.0
    assert math.isfinite(result.robustness)
