"""The two case games: backward induction against a brute-force SPE, hand-derived moves, and
argument validation. Parameters come from the case files (``Case.adapter_arguments``) over
their ranges; where a test needs a particular value it derives it by hand from the others.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from _support import spe_reference
from pipeline_games.cases import load, sample_box
from pipeline_games.cases._adapters import INVESTMENT_OUTCOMES, ROUTE_OUTCOMES
from pipeline_games.cases._games import (
    ESPO_ROUTE_MEANINGS,
    KAZAKHSTAN_INVESTMENT_MEANINGS,
    espo_route_choice,
    espo_route_regions,
    kazakhstan_investment_regions,
    kazakhstan_sequential_investment,
    route_game_arguments,
)
from pipeline_games.errors import InvalidParameterError
from pipeline_games.strategic import NfgGame, read_nfg, strategic_form, write_nfg

GAMES = {
    "investment": ("china-kazakhstan-oil", kazakhstan_sequential_investment),
    "route_choice": ("china-russia-oil", espo_route_choice),
}


def _case_with(adapter: str):
    for name in ("china-kazakhstan-oil", "china-russia-oil", "china-russia-gas",
                 "china-turkmenistan-gas"):  # fmt: skip
        case = load(name)
        if adapter in case.adapters:
            return case
    pytest.skip(f"no shipped case uses the {adapter} adapter")


def _arguments(adapter: str, samples: int = 0, seed: int = 0, year: int | None = None):
    """The game's keyword arguments from the case file: base values, or a Sobol sample of
    the case's ranges, in force in ``year`` (default the last epoch)."""
    case = _case_with(adapter)
    values = case.base if samples == 0 else sample_box(case, samples, seed)
    year = case.years[-1] if year is None else year
    args = case.adapter_arguments(adapter, case.epoch_values(values, year))
    if adapter == "route_choice":
        args = route_game_arguments(args)
    return args


def _scalars(args):
    return {k: float(np.asarray(v)) for k, v in args.items()}


@pytest.mark.parametrize("adapter", sorted(GAMES))
def test_case_trees_match_brute_force_spe(adapter):
    solve = GAMES[adapter][1]
    case = _case_with(adapter)
    points = 24
    for year in case.years:
        args = _arguments(adapter, samples=points, seed=5, year=year)
        game = solve(**args)
        for point in range(points):
            spe = spe_reference.brute_force_spe(game.tree, (point,))
            got = {name: int(game.solution.choices[name][point]) for name in game.solution.choices}
            assert got in spe, (year, point)


def test_case_games_take_every_parameter_from_the_case_file():
    investment = _arguments("investment")
    assert set(investment) == set(KAZAKHSTAN_INVESTMENT_MEANINGS)
    route = _arguments("route_choice")
    assert set(route) == set(ESPO_ROUTE_MEANINGS)
    assert str(kazakhstan_sequential_investment(**investment).outcome) in INVESTMENT_OUTCOMES
    assert str(espo_route_choice(**route).outcome) in ROUTE_OUTCOMES


def test_case_adapters_report_the_games_outcomes():
    for adapter, (_, solve) in GAMES.items():
        case = _case_with(adapter)
        for year in case.years:
            args = _arguments(adapter, year=year)
            expected = str(solve(**args).outcome)
            label = "investment_outcome" if adapter == "investment" else "route_outcome"
            assert case.solve().outputs[year][label] == expected


def _annuity(rate: float, years: float) -> float:
    return years if rate == 0 else (1 - (1 + rate) ** -years) / rate


def test_kazakhstan_rule_change_pays_for_the_venture_stake_alone():
    # With h = 0 nothing is taken by a hold-up, yet a rule change forces the 50/50 venture,
    # in which KMG earns s ((1 - tau) V2 - c2). Kazakhstan changes the rules iff that
    # exceeds the cost k of the change; otherwise China builds alone.
    p = _scalars(_arguments("investment"))
    a = _annuity(p["discount_rate"], p["years"])
    per_margin = {
        k: p[f"{k}_volume"] * p["barrels_per_tonne"] * a / 1000 for k in ("stage1", "stage2")
    }
    tau, s = p["fiscal_take"], p["kmg_share"]
    # a margin at which both stages pay twice over
    margin = 2 * max(p["stage1_cost"] / ((1 - tau) * per_margin["stage1"]),
                     p["stage2_cost"] / ((1 - tau) * per_margin["stage2"]), 1e-9)  # fmt: skip
    v2 = per_margin["stage2"] * margin
    threshold = s * ((1 - tau) * v2 - p["stage2_cost"])
    assert threshold > 0
    base = {**p, "margin": margin, "hold_up_share": 0.0}
    cheap = kazakhstan_sequential_investment(**{**base, "rule_change_cost": 0.9 * threshold})
    assert str(cheap.solution.chosen("Kazakhstan after stage 1")) == "change rules"
    assert str(cheap.outcome) == "staged entry, 50/50 venture, no hold-up"
    costly = kazakhstan_sequential_investment(**{**base, "rule_change_cost": 1.1 * threshold})
    assert str(costly.solution.chosen("Kazakhstan after stage 1")) == "keep rules"
    assert str(costly.outcome) == "staged entry, alone, no hold-up"


def test_kazakhstan_venture_not_held_up_when_conflict_destroys_enough():
    # In the venture a hold-up gains h (1 - s) (1 - tau) V2 and costs KMG s d (1 - tau) V2
    # plus k: with d >= h (1 - s) / s it never pays.
    p = _scalars(_arguments("investment"))
    s = p["kmg_share"]
    h = np.array([0.1, 0.3, 0.5])
    game = kazakhstan_sequential_investment(
        **{**p, "hold_up_share": h, "disruption_loss": min(1.0, 0.5 * (1 - s) / s + 0.01)}
    )
    assert game.solution.chosen("Kazakhstan after venture").tolist() == ["respect"] * 3


def test_kazakhstan_no_entry_when_margins_are_zero():
    p = _scalars(_arguments("investment"))
    game = kazakhstan_sequential_investment(**{**p, "margin": 0.0, "diversification_value": 0.0})
    if p["stage1_cost"] > 0:
        assert str(game.outcome) == "no entry"
        np.testing.assert_array_equal(game.solution.payoffs, [0.0, 0.0])


def test_espo_loan_worth_nothing_to_russia_at_the_loan_rate():
    p = _scalars(_arguments("route_choice"))
    same = espo_route_choice(**{**p, "russia_discount_rate": p["loan_rate"]})
    assert abs(float(same.parameters["loan_value_to_russia"])) <= 1e-12 * max(p["loan"], 1.0)
    dearer = espo_route_choice(**{**p, "russia_discount_rate": p["loan_rate"] + 0.04})
    if p["loan"] > 0:
        # L (1 - a_R / a_L) with a_R < a_L
        a_r = _annuity(p["loan_rate"] + 0.04, p["years"])
        a_l = _annuity(p["loan_rate"], p["years"])
        expected = p["loan"] * (1 - a_r / a_l)
        assert float(dearer.parameters["loan_value_to_russia"]) == pytest.approx(expected)


def test_espo_pacific_never_chosen_when_its_capex_is_prohibitive():
    args = _arguments("route_choice", samples=64, seed=4)
    args["pacific_capex"] = np.full(64, 1e6)
    game = espo_route_choice(**args)
    assert not (game.outcome == "Pacific route").any()


def test_regions_agree_with_pointwise_solutions():
    base = _arguments("route_choice")
    x_range = (0.5 * float(base["oil_price"]), 1.5 * float(base["oil_price"]) + 1.0)
    regions = espo_route_regions(
        base, "oil_price", "russia_discount_rate", x_range=x_range, y_range=(0.02, 0.2), num=7
    )
    assert abs(sum(regions.shares.values()) - 1.0) < 1e-12
    for j in (0, 3, 6):
        for i in (0, 2, 6):
            single = espo_route_choice(
                **{**base, "oil_price": regions.x[i], "russia_discount_rate": regions.y[j]}
            )
            assert str(single.outcome) == regions.outcome[j, i]
    kz = kazakhstan_investment_regions(
        _arguments("investment"),
        "hold_up_share",
        "margin",
        x_range=(0, 0.6),
        y_range=(0, 20),
        num=5,
    )
    assert kz.outcome.shape == (5, 5)
    assert kz.historical_mask.dtype == bool


# -- argument validation ------------------------------------------------------------------
def test_missing_and_unknown_parameters_are_named():
    args = _scalars(_arguments("route_choice"))
    with pytest.raises(InvalidParameterError, match=r"unknown parameter\(s\) \['oil_prize'\]"):
        espo_route_choice(**args, oil_prize=50.0)
    without = {k: v for k, v in args.items() if k != "loan"}
    with pytest.raises(
        InvalidParameterError, match=r"missing parameter\(s\) \['loan'\].*case file"
    ):
        espo_route_choice(**without)
    with pytest.raises(InvalidParameterError, match="missing parameter"):
        kazakhstan_sequential_investment()
    with pytest.raises(InvalidParameterError, match="is not a parameter"):
        espo_route_regions(args, "oil_price", "colour", x_range=(1, 2), y_range=(1, 2))
    with pytest.raises(InvalidParameterError, match="must differ"):
        espo_route_regions(args, "oil_price", "oil_price", x_range=(1, 2), y_range=(1, 2))


@pytest.mark.parametrize("shape", [(7,), (2, 2)])
def test_regions_refuse_an_array_for_a_fixed_parameter(shape):
    args = {**_scalars(_arguments("route_choice")), "asia_premium": np.ones(shape)}
    with pytest.raises(
        InvalidParameterError, match="asia_premium .*shape " + re.escape(str(shape))
    ):
        espo_route_regions(args, "oil_price", "loan", x_range=(40, 120), y_range=(0, 30))


def test_regions_refuse_a_grid_that_cannot_fit_before_allocating_it():
    args = _scalars(_arguments("route_choice"))
    with pytest.raises(InvalidParameterError, match=r"num=1000000000000.*GiB"):
        espo_route_regions(
            args, "oil_price", "loan", x_range=(40, 120), y_range=(0, 30), num=10**12
        )


@pytest.mark.parametrize(
    ("adapter", "name", "value"),
    [
        ("investment", "hold_up_share", 2.0),  # a share
        ("investment", "hold_up_share", -1.0),
        ("investment", "stage1_cost", -0.5),  # money is not negative
        ("investment", "barrels_per_tonne", 0.0),  # > 0
        ("investment", "years", -1.0),
        ("route_choice", "kazakh_supply_share", 1.5),
        ("route_choice", "loan_rate", -0.01),
        ("route_choice", "buyer_discount", 1.01),
        ("route_choice", "volume", np.nan),
    ],
)
def test_values_outside_what_the_unit_allows_are_refused(adapter, name, value):
    args = _scalars(_arguments(adapter))
    with pytest.raises(InvalidParameterError, match=name):
        GAMES[adapter][1](**{**args, name: value})


def test_case_tree_strategic_form_round_trips_through_gambit_and_keeps_the_spe(tmp_path):
    game = kazakhstan_sequential_investment(**_arguments("investment"))
    payoffs, labels = strategic_form(game.tree)
    nfg = NfgGame.from_payoffs(
        payoffs, title="sequential investment", players=game.tree.players, strategy_labels=labels
    )
    write_nfg(nfg, tmp_path / "kz.nfg", version="outcome")
    again = read_nfg(tmp_path / "kz.nfg")
    np.testing.assert_allclose(again.payoffs, payoffs, rtol=1e-12)
    # The backward-induction payoffs are those of some pure Nash equilibrium.
    nash = again.pure_equilibria(tol=1e-9)
    assert any(np.allclose(values, game.solution.payoffs) for values in nash.payoffs)
