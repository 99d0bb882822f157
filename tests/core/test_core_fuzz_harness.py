"""The fuzz harness's NaN judgement (``tests/_support/fuzz.py``) and the finding behind it:
a case output may be NaN only where its adapter says it is not defined."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pipeline_games as pg
from _support import fuzz
from pipeline_games.cases._oil import OIL_ADAPTERS

NAN = math.nan
MONEY = 1e-3  # Mt/yr x bbl/t x USD/bbl = 1e6 USD/yr = 1e-3 USD bn/yr


def _annuity(rate: float, years: float) -> float:
    """Present value of 1 a year, by summing the discounted payments."""
    return sum((1.0 + rate) ** -t for t in range(1, int(years) + 1))


def _loan(price: list[float]) -> dict[str, np.ndarray]:
    return OIL_ADAPTERS["loan_for_oil"].function(
        {
            **{k: np.asarray(v) for k, v in OIL_ADAPTERS["loan_for_oil"].defaults.items()},
            "money_factor": np.asarray(MONEY),
            "loan_factor": np.asarray(1.0),
            "volume": np.asarray(15.0),
            "barrels_per_tonne": np.asarray(7.33),
            "price": np.asarray(price),
            "seller_production_cost": np.asarray(20.0),
            "seller_transport": np.asarray(0.5),
            "years": np.asarray(20.0),
            "loan": np.asarray(25.0),
            "loan_rate": np.asarray(0.06),
            "buyer_rate": np.asarray(0.08),
            "seller_rate": np.asarray(0.08),
            "buyer_funds_rate": np.asarray(0.04),
            "seller_funds_rate": np.asarray(0.07),
            "seller_alt_volume": np.asarray(1.0),
            "seller_alt_price": np.asarray(25.0),
            "seller_alt_transport": np.asarray(1.0),
        }
    )


def test_an_unviable_loan_keeps_what_does_not_depend_on_the_technology() -> None:
    out = _loan([30.0, 90.0])
    barrels = 15.0 * 7.33 * MONEY
    a_loan = _annuity(0.06, 20)
    # at 30 USD/bbl the contracted margin (9.5) over 20 years is worth less than the loan
    assert a_loan * barrels * (30.0 - 20.5) < 25.0
    assert out["governance_form"][0] == "not viable"
    # the gains that compare calibrated forms are not defined there ...
    for name in ("loan_gain_buyer", "loan_gain_seller", "loan_gain_min", "loan_surplus_gain"):
        assert np.isnan(out[name][0]), name
        assert np.isfinite(out[name][1]), name
    # ... what borrowing at 6% instead of 7% / 4% is worth, the debt service and the
    # specificity are, by their own formulas (discounted payments summed)
    seller = 25.0 * (1.0 - _annuity(0.07, 20) / a_loan)
    buyer = 25.0 * (_annuity(0.04, 20) / a_loan - 1.0)
    np.testing.assert_allclose(out["loan_financing_gain_seller"], [seller, seller], rtol=1e-9)
    np.testing.assert_allclose(out["loan_financing_gain_buyer"], [buyer, buyer], rtol=1e-9)
    service = 25.0 / a_loan / barrels
    np.testing.assert_allclose(out["loan_debt_service"], [service, service], rtol=1e-9)
    np.testing.assert_allclose(out["loan_debt_share"], [service / 30.0, service / 90.0], rtol=1e-9)
    # the alternative outlet earns 25 - 20 - 1 = 4 of the margin 30 - 20.5 = 9.5 (and of 69.5)
    np.testing.assert_allclose(out["loan_specificity"], [1 - 4 / 9.5, 1 - 4 / 69.5], rtol=1e-12)


def test_no_margin_no_specificity() -> None:
    out = _loan([20.0])  # the price does not cover production and transport
    assert out["governance_form"][0] == "not viable"
    assert np.isnan(out["loan_specificity"][0])
    assert np.isfinite(out["loan_debt_service"][0])


def test_the_shipped_oil_case_is_nan_only_where_not_defined() -> None:
    solution = pg.cases.load("china-russia-oil").solve()
    assert fuzz.case_nan_paths(solution) == []
    # 2004: the margin at 34 USD/bbl does not repay the 25 bn principal: not viable
    assert solution.outputs[2004]["governance_form"] == "not viable"
    assert np.isnan(solution.outputs[2004]["loan_gain_min"])
    assert np.isfinite(solution.outputs[2004]["loan_debt_share"])


@pytest.mark.parametrize(
    ("columns", "flagged"),
    [
        ({"price@2004": NAN, "agreement@2004": False}, []),
        ({"price@2004": NAN, "agreement@2004": True}, ["[2004]['price']"]),
        ({"price@2004": np.array([NAN, 1.0]), "agreement@2004": np.array([False, True])}, []),
        (
            {"price@2004": np.array([1.0, NAN]), "agreement@2004": np.array([False, True])},
            ["[2004]['price']"],
        ),
        ({"price@2004": NAN}, ["[2004]['price']"]),  # no marker: nothing explains it
        ({"surplus@2004": NAN, "agreement@2004": False}, ["[2004]['surplus']"]),
        ({"loan_gain_min@1": NAN, "governance_form@1": "not viable"}, []),
        ({"loan_gain_min@1": NAN, "governance_form@1": "spot"}, ["[1]['loan_gain_min']"]),
        ({"net_side_price@1": NAN, "net_side_volume@1": 0.0}, []),
        ({"net_side_price@1": NAN, "net_side_volume@1": 2.0}, ["[1]['net_side_price']"]),
        ({"net_transit_payoff@1": np.array([NAN, NAN])}, []),
        ({"net_transit_payoff@1": np.array([NAN, 1.0])}, ["[1]['net_transit_payoff']"]),
    ],
)
def test_case_nan_paths_explains_only_what_the_adapters_leave_undefined(columns, flagged) -> None:
    assert fuzz.case_nan_paths(columns) == flagged


def test_check_nan_paths_allows_nan_robustness_only_without_defined_samples() -> None:
    check = pg.cases.load("china-russia-oil").check(samples=4, seed=0)
    assert fuzz.check_nan_paths(check) == []
    first = check.results[0]
    spoiled = type(check)(
        **{
            **{f: getattr(check, f) for f in check.__dataclass_fields__},
            "results": (
                type(first)(
                    **{
                        **{f: getattr(first, f) for f in first.__dataclass_fields__},
                        "robustness": NAN,
                        "defined": 1.0,
                    }
                ),
            ),
        }
    )
    assert fuzz.check_nan_paths(spoiled) == [".results[0].robustness"]
