"""Tests of the two case games: provenance, hand-derived cases, brute-force SPE."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest
from pipeline_games.cases._sources import SourcedValue

from pipeline_games.errors import InvalidParameterError
from pipeline_games.strategic import (
    ESPO_ROUTE_MEANINGS,
    KAZAKHSTAN_INVESTMENT_MEANINGS,
    NfgGame,
    espo_route_choice,
    espo_route_parameters,
    espo_route_regions,
    kazakhstan_investment_parameters,
    kazakhstan_investment_regions,
    kazakhstan_sequential_investment,
    read_nfg,
    strategic_form,
    write_nfg,
)

_spec = importlib.util.spec_from_file_location(
    "strategic_spe_reference_cases", pathlib.Path(__file__).with_name("strategic_spe_reference.py")
)
spe_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(spe_reference)


@pytest.mark.parametrize(
    ("table", "meanings"),
    [
        (kazakhstan_investment_parameters, KAZAKHSTAN_INVESTMENT_MEANINGS),
        (espo_route_parameters, ESPO_ROUTE_MEANINGS),
    ],
)
def test_every_parameter_has_provenance(table, meanings):
    assert set(table()) == set(meanings)
    for name, meta in table().items():
        assert isinstance(meta, SourcedValue)
        assert meta.kind in {"reported", "derived", "assumption"}, name
        assert meta.low <= meta.value <= meta.high, name
        assert meta.unit, name
        assert meta.source, name
        assert meanings[name], name


def test_reported_figures_match_calibration():
    espo = espo_route_parameters()
    assert espo["loan"].value == 25.0  # China Daily 2009
    assert espo["volume"].value == 15.0
    assert espo["years"].value == 20.0
    assert espo["loan_rate"].value == 0.06
    kz = kazakhstan_investment_parameters()
    assert kz["kmg_share"].value == 0.5  # 2007 50/50 agreement
    assert (kz["stage2_volume"].low, kz["stage2_volume"].high) == (10.0, 20.0)


def _random_points(table, rng, count):
    return {
        name: rng.uniform(meta.low, meta.high, size=count) if meta.low < meta.high else meta.value
        for name, meta in table.items()
    }


@pytest.mark.parametrize(
    ("solve", "table"),
    [
        (kazakhstan_sequential_investment, kazakhstan_investment_parameters),
        (espo_route_choice, espo_route_parameters),
    ],
)
def test_case_trees_match_brute_force_spe(solve, table):
    rng = np.random.default_rng(21)
    params = _random_points(table(), rng, 40)
    game = solve(**params)
    for point in range(40):
        spe = spe_reference.brute_force_spe(game.tree, (point,))
        got = {name: int(game.solution.choices[name][point]) for name in game.solution.choices}
        assert got in spe, point


def test_kazakhstan_rule_change_pays_for_the_venture_stake_alone():
    # With h = 0 nothing is taken, yet the rule change forces the 50/50 venture, in which
    # KMG earns s ((1 - tau) V2 - c2) with V2 = 10 Mt * 7.33 * 8 USD * annuity(8%, 20y)
    # = 5.757 bn: 0.5 * (0.5 * 5.757 - 0.7) = 1.089 bn. Kazakhstan changes the rules iff
    # that exceeds the cost k; otherwise China builds alone (it keeps all of the line).
    cheap = kazakhstan_sequential_investment(hold_up_share=0.0, rule_change_cost=0.3)
    assert str(cheap.solution.chosen("Kazakhstan after stage 1")) == "change rules"
    assert str(cheap.outcome) == "staged entry, 50/50 venture, no hold-up"
    costly = kazakhstan_sequential_investment(hold_up_share=0.0, rule_change_cost=1.2)
    assert str(costly.solution.chosen("Kazakhstan after stage 1")) == "keep rules"
    assert str(costly.outcome) == "staged entry, alone, no hold-up"
    edge = kazakhstan_sequential_investment(hold_up_share=0.0, rule_change_cost=[1.07, 1.11])
    assert edge.solution.chosen("Kazakhstan after stage 1").tolist() == [
        "change rules",
        "keep rules",
    ]


def test_kazakhstan_venture_not_held_up_when_conflict_destroys_enough():
    # In the venture, a hold-up gains h (1 - s) (1 - tau) V2 and costs KMG s d (1 - tau) V2
    # plus k: with s = 0.5 and d >= h it never pays.
    game = kazakhstan_sequential_investment(
        hold_up_share=np.array([0.1, 0.3, 0.5]), disruption_loss=0.5, rule_change_cost=0.01
    )
    assert game.solution.chosen("Kazakhstan after venture").tolist() == ["respect"] * 3
    assert (
        game.solution.chosen("rules changed: Kazakhstan after venture").tolist() == ["respect"] * 3
    )


def test_kazakhstan_no_entry_when_even_the_best_case_loses():
    # Margin 1 USD/bbl: stage 1 earns (1 - 0.5) * 4 * 7.33 * 1 * 9.818 / 1000 = 0.144 bn
    # < 0.33 bn cost, and the line adds at most 0.5 * 0.72 - 0.7 < 0: China stays out.
    game = kazakhstan_sequential_investment(margin=1.0)
    assert str(game.outcome) == "no entry"
    np.testing.assert_array_equal(game.solution.payoffs, [0.0, 0.0])


def test_espo_loan_worth_nothing_to_russia_at_the_loan_rate():
    game = espo_route_choice(russia_discount_rate=0.06, loan_rate=0.06)
    assert abs(float(game.parameters["loan_value_to_russia"])) < 1e-12
    higher = espo_route_choice(russia_discount_rate=0.10)
    assert float(higher.parameters["loan_value_to_russia"]) > 0


def test_espo_pacific_never_chosen_when_its_capex_is_prohibitive():
    rng = np.random.default_rng(4)
    params = _random_points(espo_route_parameters(), rng, 200)
    params["pacific_capex"] = 1000.0
    game = espo_route_choice(**params)
    assert not (game.outcome == "Pacific route").any()


def test_espo_costlier_russian_funds_never_push_russia_to_the_pacific():
    # Higher cost of funds shrinks every annuity (the Pacific route's larger upfront capex
    # weighs more) and raises the loan's value: the Pacific route can only lose ground.
    rates = np.linspace(0.05, 0.15, 21)
    rng = np.random.default_rng(9)
    for _ in range(20):
        params = {
            k: float(v[0]) if np.ndim(v) else v
            for k, v in _random_points(espo_route_parameters(), rng, 1).items()
        }
        params["russia_discount_rate"] = rates
        pacific = espo_route_choice(**params).outcome == "Pacific route"
        # once not Pacific, never Pacific again as the rate rises
        assert not np.any(np.diff(pacific.astype(int)) > 0)


def test_regions_agree_with_pointwise_solutions():
    regions = espo_route_regions(num=7)
    assert abs(sum(regions.shares.values()) - 1.0) < 1e-12
    for j in (0, 3, 6):
        for i in (0, 2, 6):
            single = espo_route_choice(
                **{regions.x_name: regions.x[i], regions.y_name: regions.y[j]}
            )
            assert str(single.outcome) == regions.outcome[j, i]
    kz = kazakhstan_investment_regions("hold_up_share", "margin", num=5)
    assert kz.outcome.shape == (5, 5)
    assert kz.historical_mask.dtype == bool


def test_unknown_parameter_named():
    with pytest.raises(InvalidParameterError, match="unknown parameter"):
        espo_route_choice(oil_prize=50.0)
    with pytest.raises(InvalidParameterError, match="is not a parameter"):
        espo_route_regions("oil_price", "colour")


def test_case_tree_strategic_form_round_trips_through_gambit_and_keeps_the_spe(tmp_path):
    game = kazakhstan_sequential_investment()
    payoffs, labels = strategic_form(game.tree)
    nfg = NfgGame.from_payoffs(
        payoffs,
        title="Kazakhstan sequential investment",
        players=game.tree.players,
        strategy_labels=labels,
    )
    write_nfg(nfg, tmp_path / "kz.nfg", version="outcome")
    again = read_nfg(tmp_path / "kz.nfg")
    np.testing.assert_array_equal(again.payoffs, payoffs)
    # The backward-induction payoffs are the payoffs of some pure Nash equilibrium.
    nash = again.pure_equilibria(tol=1e-9)
    assert any(np.allclose(values, game.solution.payoffs) for values in nash.payoffs)


@pytest.mark.parametrize(
    ("solver", "name", "value"),
    [
        ("kazakhstan_sequential_investment", "hold_up_share", 2.0),
        ("kazakhstan_sequential_investment", "hold_up_share", -1.0),
        ("kazakhstan_sequential_investment", "stage1_cost", -0.5),
        ("espo_route_choice", "kazakh_supply_share", 1.5),
        ("espo_route_choice", "loan_rate", -0.01),
    ],
)
def test_case_games_reject_values_their_units_do_not_allow(solver, name, value):
    import pipeline_games.strategic as strategic

    with pytest.raises(InvalidParameterError, match=name):
        getattr(strategic, solver)(**{name: value})
