"""Case reports: Markdown and self-contained HTML from one Jinja2 template set.

``templates/report.j2`` says what a report contains, once; ``templates/markdown.j2`` and
``templates/html.j2`` say how each building block (heading, paragraph, table, figure) is
written in each format. The same context feeds both, so the two reports cannot drift apart.

A report has the claims (verdict at the base values, robustness over the defined samples with
its sampling error, the shares defined and with no deal, and the test restated with the
model's numbers), the backtest (model vs published outcomes, with a score), the outcome per
epoch (column headers in words with units), the other models, the epochs (and why an epoch
changes nothing), the figures (each with a caption and alt text), the parameters and the
sources by bibliography key.

Examples
--------
>>> import pipeline_games as pg
>>> check = pg.cases.load("china-russia-gas").check(samples=16)
>>> header, rows = claims_rows(check)
>>> header[1], rows[0][0]
('verdict at base values', 'regime')
"""

from __future__ import annotations

import base64
import io
import itertools
import math
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._case import Case, Claim
    from ._claims import BacktestResult, CaseSolution, CheckResult, ClaimResult
    from ._plot import CaseFigure

__all__ = [
    "BargainingQuantities",
    "CaseReport",
    "ReproduceResult",
    "backtest_rows",
    "bargaining_quantities",
    "claims_rows",
    "parameter_rows",
    "quantity_label",
    "reproduce",
    "solution_rows",
    "write_case_report",
]

Cell = Any  # a string, or {"code": name} for a name set in code type

_MONEY = "USD bn/yr"
_PV = "USD bn, present value"
_FIRST_BEST = "share of the trade's first-best value"
_HOLDUP = "model units: the hold-up model's value at scale 1"

#: Each output quantity in words, with its unit (``None``: a label or a yes/no flag).
_QUANTITIES: dict[str, tuple[str, str | None]] = {
    "surplus": ("joint gain of the trade", _MONEY),
    "buyer_outside_option": ("{buyer}'s outside option", _MONEY),
    "seller_outside_option": ("{seller}'s outside option", _MONEY),
    "buyer_payoff": ("{buyer}'s payoff", _MONEY),
    "seller_payoff": ("{seller}'s payoff", _MONEY),
    "buyer_share": ("{buyer}'s share of the joint gain", "share, 0-1"),
    "seller_share": ("{seller}'s share of the joint gain", "share, 0-1"),
    "buyer_net_gain": ("{buyer}'s gain over its outside option", _MONEY),
    "seller_net_gain": ("{seller}'s gain over its outside option", _MONEY),
    "price": ("price", "{price_unit}"),
    "agreement": ("agreement", None),
    "binding": ("binding outside option", None),
    "regime": ("dependence regime", None),
    "buyer_dependent": ("{buyer} dependent on the trade", None),
    "seller_dependent": ("{seller} dependent on the trade", None),
    "holdup_loss_spot": ("hold-up loss under spot bargaining", _HOLDUP),
    "holdup_loss_shared_assets": ("hold-up loss with shared assets (joint venture)", _HOLDUP),
    "shared_assets_gain": ("gain of shared assets over spot bargaining", _HOLDUP),
    "diversification_buyer_weight": ("{buyer}'s Nash weight from the discount rates", "0-1"),
    "diversification_buyer_payoff": ("{buyer}'s payoff in the diversification model", _FIRST_BEST),
    "diversification_marginal_gain": (
        "{buyer}'s gain from a slightly better {seller} outside option",
        f"{_FIRST_BEST} per unit of option",
    ),
    "buyer_optimal_seller_option": (
        "{seller}'s outside option that is best for {buyer}",
        "redeployable share, 0-1",
    ),
    "seller_option_shortfall": (
        "best-for-{buyer} option minus {seller}'s actual option",
        "redeployable share",
    ),
    "critical_defensive_cost_share": (
        "defensive cost above which diversification pays {buyer}",
        _FIRST_BEST,
    ),
    "seller_shapley_share": ("{seller}'s Shapley share of the network's value", "share, 0-1"),
    "buyer_shapley_share": ("{buyer}'s Shapley share of the network's value", "share, 0-1"),
    "seller_nucleolus_share": ("{seller}'s nucleolus share of the network's value", "share, 0-1"),
    "net_joint_gain": ("joint gain of the deal over the outside options", _MONEY),
    "net_buyer_outside_option": ("{buyer}'s outside option", _MONEY),
    "net_seller_outside_option": ("{seller}'s outside option", _MONEY),
    "net_buyer_payoff": ("{buyer}'s payoff", _MONEY),
    "net_seller_payoff": ("{seller}'s payoff", _MONEY),
    "net_buyer_share": ("{buyer}'s share of the joint gain", "share, 0-1"),
    "net_seller_share": ("{seller}'s share of the joint gain", "share, 0-1"),
    "net_dyad_payoff": ("payoff of {buyer} and {seller} together", _MONEY),
    "net_price": ("price", "{price_unit}"),
    "route_outcome": ("outcome of the route game", None),
    "russia_builds_china_branch": ("Russia builds the China branch", None),
    "kazakh_supply_share": ("share of the volume China can replace via Kazakhstan", "share, 0-1"),
    "russia_route_payoff": ("Russia's payoff in the route game", _PV),
    "china_route_payoff": ("China's payoff in the route game", _PV),
    "russia_branch_advantage": (
        "Russia's gain from the China branch over its best alternative",
        _PV,
    ),
    "investment_outcome": ("outcome of the investment game", None),
    "china_investment_payoff": ("China's payoff in the investment game", _PV),
    "kazakhstan_investment_payoff": ("Kazakhstan's payoff in the investment game", _PV),
}

_ADAPTER_WORDS = {
    "bargaining": "bargaining",
    "oil_trade": "bargaining",
    "supply_network": "bargaining",
    "regime": "regime",
    "governance": "governance",
    "diversification": "diversification",
    "network": "transit network",
    "route_choice": "route game",
    "investment": "investment game",
}

_VERDICT_WORDS = {"holds": "holds", "fails": "fails", "not defined": "not defined"}


# -- the bargaining quantities of a case ---------------------------------------------------
@dataclass(frozen=True)
class BargainingQuantities:
    """The names of a case's bargaining quantities, by the adapter that provides them.

    ``gain_over_options``: the joint gain is the gain of the deal over the two outside
    options (each side's payoff is its outside option plus its share of the joint gain), not
    the whole value the two sides split (``supply_network``). ``binding``: the name of the
    binding-option code, ``None`` where the adapter has none.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> bargaining_quantities(pg.cases.load("china-russia-gas")).joint_gain
    'net_joint_gain'
    """

    adapter: str
    joint_gain: str
    buyer_payoff: str
    seller_payoff: str
    buyer_outside_option: str
    seller_outside_option: str
    buyer_share: str
    seller_share: str
    price: str
    agreement: str = "agreement"
    binding: str | None = None
    gain_over_options: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """The outcome table's quantities, in order."""
        names = (self.joint_gain, self.buyer_outside_option, self.seller_outside_option,
                 self.buyer_payoff, self.seller_payoff, self.buyer_share, self.price,
                 self.agreement, self.binding)  # fmt: skip
        return tuple(n for n in names if n is not None)

    def total(self, outputs: Mapping[str, Any]) -> float:
        """The whole value the two sides split in one epoch (USD bn/yr): the joint gain, plus
        the outside options where the joint gain is measured over them."""
        total = float(outputs[self.joint_gain])
        if self.gain_over_options:
            total += float(outputs[self.buyer_outside_option])
            total += float(outputs[self.seller_outside_option])
        return total


_PLAIN: dict[str, str] = {
    "joint_gain": "surplus",
    "buyer_payoff": "buyer_payoff",
    "seller_payoff": "seller_payoff",
    "buyer_outside_option": "buyer_outside_option",
    "seller_outside_option": "seller_outside_option",
    "buyer_share": "buyer_share",
    "seller_share": "seller_share",
    "price": "price",
    "binding": "binding",
}


def bargaining_quantities(case: Case) -> BargainingQuantities | None:
    """The names of ``case``'s bargaining quantities (joint gain, payoffs, outside options,
    shares, price), by the first of its adapters that provides them; ``None`` when it has
    none (its reports then have no frontier, outcome path or outcome table).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> bargaining_quantities(pg.cases.load("china-russia-oil")).joint_gain
    'surplus'
    >>> bargaining_quantities(pg.cases.load("china-russia-gas")).buyer_payoff
    'net_buyer_payoff'
    """
    for adapter in case.adapters:
        if adapter in ("bargaining", "oil_trade"):
            return BargainingQuantities(
                adapter,
                joint_gain=_PLAIN["joint_gain"],
                buyer_payoff=_PLAIN["buyer_payoff"],
                seller_payoff=_PLAIN["seller_payoff"],
                buyer_outside_option=_PLAIN["buyer_outside_option"],
                seller_outside_option=_PLAIN["seller_outside_option"],
                buyer_share=_PLAIN["buyer_share"],
                seller_share=_PLAIN["seller_share"],
                price=_PLAIN["price"],
                binding=_PLAIN["binding"],
            )
        if adapter == "supply_network":
            return BargainingQuantities(
                adapter,
                joint_gain="net_joint_gain",
                buyer_payoff="net_buyer_payoff",
                seller_payoff="net_seller_payoff",
                buyer_outside_option="net_buyer_outside_option",
                seller_outside_option="net_seller_outside_option",
                buyer_share="net_buyer_share",
                seller_share="net_seller_share",
                price="net_price",
                gain_over_options=True,
            )
    return None


# -- words and numbers --------------------------------------------------------------------
def _price_unit(case: Case) -> str:
    from ._claims import quantity_unit

    names = bargaining_quantities(case)
    unit = quantity_unit(case, names.price if names is not None else "price")
    if unit is None and names is not None and names.gain_over_options:
        # the network's prices: the unit of the prices the network model reads, if one
        units = {
            case.parameters[n].unit
            for n in _feeds(case, names.adapter)
            if n.endswith("_price") and n in case.parameters
        }
        unit = units.pop() if len(units) == 1 else None
    return unit or "per unit of the case's volume"


def quantity_label(case: Case, quantity: str, *, unit: bool = True) -> str:
    """A model quantity in words, with its unit in parentheses.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-gas")
    >>> quantity_label(case, "buyer_outside_option"), quantity_label(case, "price")
    ("China's outside option (USD bn/yr)", 'price (USD/kcm)')
    """
    words, which = _QUANTITIES.get(quantity, (quantity.replace("_", " "), None))
    names = {"buyer": case.dyad[0], "seller": case.dyad[1], "price_unit": _price_unit(case)}
    text = words.format(**names)
    if unit and which is not None:
        text += f" ({which.format(**names)})"
    return text


def _num(value: Any, digits: int = 4) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return "not defined"
        return f"{number:.{digits}g}"
    return str(value)


def _binding_words(case: Case, code: Any) -> str:
    buyer, seller = case.dyad
    return {0: "none", 1: f"{buyer}'s", 2: f"{seller}'s", 3: "both"}.get(int(code), str(code))


def _value(case: Case, quantity: str, value: Any) -> str:
    if quantity == "binding":
        return _binding_words(case, value)
    if isinstance(value, str):
        return value.replace("_", " ")
    return _num(value)


def _source(key: str, locator: str) -> str:
    if not key:
        return ""
    return f"{key}, {locator}" if locator else key


# -- claims -------------------------------------------------------------------------------
def _test_words(case: Case, claim: Claim, details: Mapping[str, Any]) -> str:
    """The claim's test restated with the model's numbers at the base values."""
    from ._claims import quantity_unit
    from ._grammar import parse_derivative, parse_reference

    test = claim.test

    def unit_of(reference: str) -> str:
        try:
            _, quantity = parse_reference(reference)
        except ValueError:
            return ""
        unit = quantity_unit(case, quantity)
        return f" {unit}" if unit and unit != "share" else ""

    kind = test["type"]
    if kind == "compare":
        right, left_value, right_value = test["right"], details.get("left"), details.get("right")
        digits = 4
        if (
            _num(left_value) == _num(right_value)
            and isinstance(left_value, float)
            and isinstance(right_value, float)
            and left_value != right_value
        ):
            digits = 10  # close but not equal: enough digits to see which is larger
        right_text = (
            f"{right} = {_num(right_value, digits)}"
            if isinstance(right, str)
            else _num(right_value, digits)
        )
        return (
            f"{test['left']} = {_num(left_value, digits)}{unit_of(test['left'])} "
            f"{test['op']} {right_text}"
        )
    if kind == "threshold":
        return (
            f"{test['quantity']} = {_num(details.get('value'))}{unit_of(test['quantity'])} "
            f"{test['op']} {_num(details.get('threshold'))}"
        )
    if kind == "sign":
        quantity, parameter = parse_derivative(test["quantity"])
        sign = "> 0" if test["expect"] == "+" else "< 0"
        return (
            f"d {quantity} / d {parameter} at {test['at']} = {_num(details.get('derivative'))} "
            f"(expected {sign})"
        )
    value = details.get("value")
    return (
        f"{test['quantity']} = {_value(case, 'regime', value)} "
        f"(expected {str(test['equals']).replace('_', ' ')})"
    )


def _share(value: float, error: float | None = None, plus_minus: str = "±") -> str:
    if not math.isfinite(value):
        return "not defined"
    if error is None or not math.isfinite(error):
        return f"{value:.2f}"
    return f"{value:.2f} {plus_minus} {error:.2f}"


def claims_rows(
    check: CheckResult, plus_minus: str = "±", *, compact: bool = False
) -> tuple[list[str], list[list[str]]]:
    """The claims table: header and one row per claim (the same columns in the CLI and the
    reports; ``compact``: short headers for a terminal, explained by `CLAIM_COLUMNS`).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> header, rows = claims_rows(pg.cases.load("china-russia-gas").check(samples=16))
    >>> len(header) == len(rows[0]) == 6
    True
    """
    if compact:
        header = ["claim", "verdict at base", f"robustness {plus_minus} s.e.",
                  f"defined {plus_minus} s.e.", f"no deal {plus_minus} s.e.",
                  "the test at base values"]  # fmt: skip
    else:
        header = [
            "claim",
            "verdict at base values",
            f"robustness (share of defined samples where it holds, {plus_minus} 1 s.e.)",
            f"share of samples where defined ({plus_minus} 1 s.e.)",
            f"share of samples with no deal ({plus_minus} 1 s.e.)",
            "the test at the base values",
        ]
    rows = []
    for result in check.results:
        rows.append(
            [
                result.claim.id,
                _VERDICT_WORDS.get(result.verdict, result.verdict),
                _share(result.robustness, result.robustness_error, plus_minus),
                _share(result.defined, result.defined_error, plus_minus),
                _share(result.no_deal, result.no_deal_error, plus_minus),
                _test_words(check.case, result.claim, result.details),
            ]
        )
    return header, rows


def _claims_section(check: CheckResult) -> dict[str, Any]:
    header, rows = claims_rows(check)
    statements = [
        [
            r.claim.id,
            r.claim.statement,
            _source(r.claim.source, r.claim.locator),
            r.claim.note,
        ]
        for r in check.results
    ]
    n = check.samples
    return {
        "notes": [
            f"Each claim of the source is a test of the model. It is evaluated at the base "
            f"values of the parameters (the verdict) and on {n} scrambled Sobol samples (seed "
            f"{check.seed}) of the box of every parameter that has a range. A claim is defined "
            "on a sample when every number it compares is defined there: a price or a share "
            "is not defined where the parties do not agree.",
            "Robustness is the share of the defined samples in which the claim holds, with "
            "its binomial sampling error (± 1 standard error, sqrt(p (1 - p) / n)); beside it "
            "are the share of samples on which the claim is defined and the share with no "
            "deal in an epoch the claim refers to, each with its sampling error (n: all "
            "samples). A claim that fails at the base values is a finding, not an error.",
        ],
        "header": header,
        "rows": rows,
        "reading": [
            "How to read the last column: it restates each test with the model's numbers at "
            "the base values. A comparison shows its left-hand side (left) and its right-hand "
            "side (right), each with its value; a threshold shows the quantity and the "
            "threshold; a sign test shows the derivative of the quantity with respect to the "
            "parameter (a central finite difference, in the quantity's unit per unit of the "
            "parameter) and the sign the claim expects; a label test shows the label the "
            "model gives and the one the claim expects. epoch[YEAR].q is the quantity q at "
            "the values in force in YEAR; base.q is q before the first epoch. 'not defined' "
            "means there is no deal at the base values.",
        ],
        "statements_header": ["claim", "statement of the source", "source", "note"],
        "statements": statements,
    }


# -- backtest -----------------------------------------------------------------------------
#: The compact claims columns explained in one line (printed under the CLI's table).
CLAIM_COLUMNS = (
    "robustness: share of the defined samples in which the claim holds; defined: share of "
    "samples where every number the claim compares exists; no deal: share of samples "
    "without agreement in an epoch the claim refers to; each with one sampling error"
)


def backtest_rows(
    backtest: BacktestResult, *, compact: bool = False
) -> tuple[list[str], list[list[str]]]:
    """The backtest table: point, model value, model 5-95% range, observed range, unit,
    inside (same columns in the CLI and reports).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> header, rows = backtest_rows(pg.cases.load("china-russia-gas").backtest(samples=16))
    >>> header[:3]
    ['backtest point', 'model at base values', 'model 5-95% range over the samples']
    """
    if compact:
        header = ["point", "model at base", "model 5-95%", "observed", "unit", "inside?"]
    else:
        header = [
            "backtest point",
            "model at base values",
            "model 5-95% range over the samples",
            "observed range (published)",
            "unit",
            "inside the observed range?",
        ]
    rows = [
        [
            row.point.id,
            _num(row.model),
            f"{_num(row.model_low)} to {_num(row.model_high)}",
            f"{_num(row.observed[0])} to {_num(row.observed[1])}",
            row.unit,
            "yes" if row.inside else "no",
        ]
        for row in backtest.rows
    ]
    return header, rows


def score_line(backtest: BacktestResult) -> str:
    """One line: points inside the published range / all points.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> score_line(pg.cases.load("china-russia-gas").backtest(samples=16))[:9]
    'backtest '
    """
    if not backtest.rows:
        return f"backtest of {backtest.case.name}: no backtest points"
    return (
        f"backtest score of {backtest.case.name}: {backtest.inside} of {len(backtest.rows)} "
        f"points inside the published range ({backtest.score:.2f})"
    )


def _backtest_section(backtest: BacktestResult) -> dict[str, Any]:
    header, rows = backtest_rows(backtest)
    header = [*header, "what was observed", "source"]
    rows = [
        [*cells, row.point.statement, _source(row.point.source, row.point.locator)]
        for cells, row in zip(rows, backtest.rows, strict=True)
    ]
    return {
        "rows": rows,
        "header": header,
        "notes": [
            "Each backtest point is a published outcome that the case does not take as an "
            "input. The model's value at the base values counts as a hit when it lies inside "
            "the published range; the 5-95% range over the samples shows how far plausible "
            "inputs move it. A miss is a finding: the case page says which mechanism or input "
            "drives it.",
        ],
        "score": (
            f"Score: {backtest.inside} of {len(backtest.rows)} points inside the published "
            f"range ({backtest.score:.2f})."
            if backtest.rows
            else ""
        ),
        "empty": (
            "This case has no backtest points yet: no published outcome that the case does "
            "not take as an input is encoded in its [[backtest]] table."
        ),
    }


# -- outcome per epoch --------------------------------------------------------------------
def solution_rows(solution: CaseSolution) -> tuple[list[str], list[list[str]]]:
    """The bargaining outcome per epoch: headers in words with units, one row per epoch
    (no rows for a case without bargaining quantities, see `bargaining_quantities`).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> header, rows = solution_rows(pg.cases.load("china-russia-oil").solve())
    >>> header[1], header[7]
    ('joint gain of the trade (USD bn/yr)', 'price (USD/bbl)')
    """
    case = solution.case
    names = bargaining_quantities(case)
    if names is None:
        return ["epoch (year)"], []
    first = next(iter(solution.outputs.values()), {})
    shown = [q for q in names.columns if q in first]
    header = ["epoch (year)", *(quantity_label(case, q) for q in shown)]
    rows = [
        [str(year), *(_value(case, q, outputs[q]) for q in shown)]
        for year, outputs in solution.outputs.items()
    ]
    return header, rows


def solution_table(solution: CaseSolution) -> tuple[list[str], list[list[str]]]:
    """Every model's outcome per epoch, one row per quantity and one column per epoch (the
    bargaining outcome first): the form that fits a terminal.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> header, rows = solution_table(pg.cases.load("china-russia-gas").solve(epoch=2014))
    >>> header, rows[0]
    (['quantity (unit)', '2014'], ['joint gain of the deal over the outside options (USD bn/yr)', '4.646'])
    """
    header, rows = other_rows(solution)
    if bargaining_quantities(solution.case) is not None:
        first, by_epoch = solution_rows(solution)
        bargaining = [[name, *(row[i] for row in by_epoch)] for i, name in enumerate(first)]
        rows = bargaining[1:] + rows
    return header, rows


def other_rows(solution: CaseSolution) -> tuple[list[str], list[list[str]]]:
    """Outputs other than the bargaining outcome of `solution_rows`: one row per quantity,
    one column per epoch (the other adapters' first, then the rest of the bargaining
    adapter's).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> header, rows = other_rows(pg.cases.load("china-russia-gas").solve())
    >>> rows[0][:2]
    ['dependence regime', 'alternatives on both sides']
    """
    from ._adapters import ADAPTERS

    case = solution.case
    first = next(iter(solution.outputs.values()), {})
    bargaining = bargaining_quantities(case)
    main = bargaining.adapter if bargaining is not None else None
    shown = set(bargaining.columns) if bargaining is not None else set()
    order = [a for a in case.adapters if a != main] + ([main] if main is not None else [])
    names = list(
        dict.fromkeys(
            q
            for adapter in order
            for q in ADAPTERS[adapter].outputs
            if q in first and q not in shown
        )
    )
    header = ["quantity (unit)", *(str(year) for year in solution.outputs)]
    rows = [
        [quantity_label(case, q), *(_value(case, q, out[q]) for out in solution.outputs.values())]
        for q in names
    ]
    return header, rows


def _outcome_section(solution: CaseSolution) -> dict[str, Any]:
    case = solution.case
    buyer, seller = case.dyad
    names = bargaining_quantities(case)
    if names is None:
        return {"rows": []}
    header, rows = solution_rows(solution)
    if names.gain_over_options:
        gain = (
            "The joint gain is what the deal adds, in the supply network, to the two sides' "
            "outside options; each side's outside option is what it earns in the network "
            "without the deal (its other routes and customers) in that epoch, and each side's "
            "payoff is its outside option plus its share of the joint gain."
        )
    else:
        gain = (
            "The joint gain is the yearly value of the trade over its cost (volume x (buyer's "
            "value - seller's cost)); each side's outside option is what it earns without the "
            "deal from the alternative it has in that epoch."
        )
    reading = []
    if names.binding is not None:
        reading.append(
            "Binding outside option: by the outside option principle an outside option "
            "constrains the split only when it exceeds what the side would get from "
            "alternating offers without it. 'none': neither binds, the split follows from the "
            f"two sides' patience alone; '{buyer}'s': {buyer} gets exactly its outside option "
            f"and {seller} the rest; '{seller}'s': {seller} gets exactly its outside option "
            f"and {buyer} the rest; 'both': both options bind, so the gain to split is their "
            "sum or less."
        )
    return {
        "header": header,
        "rows": rows,
        "notes": [
            f"{buyer} buys and {seller} sells. {gain} Money is in {_MONEY}; the price is in "
            f"{_price_unit(case)}. Where the parties do not agree, the payoffs are the outside "
            "options and the price and the shares are not defined.",
        ],
        "reading": reading,
    }


def _other_section(solution: CaseSolution) -> dict[str, Any]:
    case = solution.case
    header, rows = other_rows(solution)
    if not rows:
        return {"rows": []}
    notes = [
        "Outputs of the case's other models, per epoch, in words with their units. Money of "
        f"the route and investment games is in {_PV}; the diversification model measures "
        "money as a share of the trade's first-best value; the hold-up model's losses are in "
        "its own units (its value at scale 1).",
    ]
    reading = []
    if "regime" in case.adapters:
        reading.append(_regime_reading(case))
    return {"header": header, "rows": rows, "notes": notes, "reading": reading}


def _regime_reading(case: Case) -> str:
    args = case.adapter_arguments("regime", case.epoch_values(case.base, case.years[-1]))
    importance = float(args["importance_threshold"])
    option = float(args["outside_option_threshold"])
    shared = float(args["shared_assets_threshold"])
    buyer, seller = case.dyad
    return (
        f"Regime flags: '{buyer} dependent on the trade' (and the same for {seller}) is 'yes' "
        f"when the trade with the partner is at least {importance:g} of the side's total "
        f"(the trade share) and less than {option:g} of what it puts into the trade could be "
        "redeployed elsewhere (the redeployable share, its outside option). The regime "
        "follows from the flags: mutual dependence when both sides are dependent or they "
        f"share at least {shared:g} of the specific assets; one-sided dependence when exactly "
        "one side is dependent; alternatives on both sides when the trade matters to both but "
        "neither is dependent; no dependence otherwise."
    )


# -- epochs -------------------------------------------------------------------------------
def _feeds(case: Case, adapter: str) -> set[str]:
    """The parameters whose values reach ``adapter`` (mapped ones, those a derived mapped
    parameter is computed from, and those the adapter reads)."""
    from ._adapters import ADAPTERS

    names = {t for t in case.mapping.get(adapter, {}).values() if isinstance(t, str)}
    reads = ADAPTERS[adapter].reads
    if reads is not None:
        names |= set(reads(case))
    pending = list(names)
    while pending:
        name = pending.pop()
        parameter = case.parameters.get(name)
        if parameter is None or parameter.origin != "derived":
            continue
        for term in (*parameter.terms[0], *parameter.terms[1]):
            if term.parameter is not None and term.parameter not in names:
                names.add(term.parameter)
                pending.append(term.parameter)
    return names


#: Inputs of a model that its outputs repeat (not part of the outcome).
_NOT_OUTCOME = frozenset(
    {
        "surplus",
        "buyer_outside_option",
        "seller_outside_option",
        "buyer_net_gain",
        "seller_net_gain",
        "kazakh_supply_share",
        "diversification_buyer_weight",
    }
)


def _same_outputs(a: Mapping[str, Any], b: Mapping[str, Any], names: Sequence[str]) -> bool:
    for name in names:
        x, y = a.get(name), b.get(name)
        if isinstance(x, float) and isinstance(y, float):
            if math.isnan(x) and math.isnan(y):
                continue
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15):
                return False
        elif x != y:
            return False
    return True


def _idle_options(case: Case, solution: CaseSolution, previous: int, year: int) -> str:
    """Why moving outside options leave the bargaining outcome alone (or "" if they do not
    move)."""
    before, after = solution.outputs[previous], solution.outputs[year]
    moved = []
    for side, name in zip(case.dyad, ("buyer", "seller"), strict=True):
        key = f"{name}_outside_option"
        if not math.isclose(float(before[key]), float(after[key]), abs_tol=1e-15):
            moved.append(
                f"{side}'s outside option moves from {_num(before[key])} to {_num(after[key])} {_MONEY}"
            )
    if not moved:
        return ""
    if int(after["binding"]) == 0 and int(before["binding"]) == 0:
        return (
            "; ".join(moved)
            + ", but it stays below what that side gets from bargaining, so it does not bind "
            "and the split (set by the two sides' patience) is unchanged"
        )
    return "; ".join(moved) + ", but the binding constraint leaves the split where it was"


def unchanged_epochs(solution: CaseSolution) -> list[str]:
    """For every epoch whose outcome of a model does not change from the epoch before, why.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> notes = unchanged_epochs(pg.cases.load("china-turkmenistan-gas").solve())
    >>> any("regime" in note for note in notes)
    True
    """
    from ._adapters import ADAPTERS

    case = solution.case
    bargaining = bargaining_quantities(case)
    years = [y for y in case.years if y in solution.outputs]
    notes = []
    for previous, year in itertools.pairwise(years):
        epoch = next(e for e in case.epochs if e.year == year)
        before = case.epoch_values(case.base, previous)
        after = case.epoch_values(case.base, year)
        for adapter in case.adapters:
            outputs = [q for q in ADAPTERS[adapter].outputs if q not in _NOT_OUTCOME]
            if not _same_outputs(solution.outputs[previous], solution.outputs[year], outputs):
                continue
            words = _ADAPTER_WORDS.get(adapter, adapter)
            sets = list(epoch.changes)
            feeding = [name for name in sets if name in _feeds(case, adapter)]
            if not sets:
                why = "this epoch sets no parameter"
            elif not feeding:
                why = (
                    f"none of the parameters this epoch sets ({', '.join(sets)}) feeds the "
                    f"{words} model"
                )
            else:
                moved = [n for n in feeding if not math.isclose(float(before[n]), float(after[n]))]
                if not moved:
                    why = "the parameters it sets that feed the model keep their values (" + (
                        "; ".join(
                            f"{n} = {_num(after[n])} {case.parameters[n].unit}" for n in feeding
                        )
                        + ")"
                    )
                elif (
                    bargaining is not None
                    and adapter == bargaining.adapter
                    and bargaining.binding is not None
                    and (options := _idle_options(case, solution, previous, year))
                ):
                    why = options
                else:
                    why = (
                        "the values it sets change ("
                        + "; ".join(
                            f"{n}: {_num(before[n])} to {_num(after[n])} {case.parameters[n].unit}"
                            for n in moved
                        )
                        + ") but the outcome does not respond to them at these values (for "
                        "instance an outside option that stays below what bargaining gives, "
                        "or a label whose thresholds are not crossed)"
                    )
            notes.append(f"{year}: the {words} outcome is the same as in {previous}: {why}.")
    return notes


def _epochs_section(solution: CaseSolution) -> dict[str, Any]:
    case = solution.case
    rows = []
    for epoch in case.epochs:
        values = case.epoch_values(case.base, epoch.year)
        changes = "; ".join(
            f"{target} takes {source} = {_num(values[target])} {case.parameters[target].unit}"
            for target, source in epoch.changes.items()
        )
        source = _source(epoch.source, epoch.locator)
        rows.append([str(epoch.year), epoch.label, changes or "base values", source])
    return {
        "header": ["epoch (year)", "what moved", "parameters set (value in force)", "source"],
        "rows": rows,
        "unchanged_intro": "Epochs in which a model's outcome does not change, and why:",
        "unchanged": unchanged_epochs(solution),
    }


# -- parameters and sources ---------------------------------------------------------------
def parameter_rows(case: Case) -> list[dict[str, Any]]:
    """One dict per parameter: name, value, unit, low, high, kind, source, locator, reason.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> parameter_rows(load("china-russia-gas"))[0]["name"]
    'mmbtu_per_kcm'
    """
    return [
        {
            "name": p.name,
            "value": p.value,
            "unit": p.unit,
            "low": p.low,
            "high": p.high,
            "kind": p.kind,
            "source": p.source,
            "locator": p.locator,
            "reason": p.reason,
            "description": p.description,
        }
        for p in case.parameters.values()
    ]


def _parameters_section(case: Case) -> dict[str, Any]:
    rows = []
    for p in case.parameters.values():
        if p.origin == "derived":
            spread = "follows the parameters it derives from"
        elif p.high > p.low:
            spread = f"{_num(p.low)} to {_num(p.high)}"
        else:
            spread = "fixed"
        where = _source(p.source, p.locator)
        if p.kind == "assumption" and p.reason:
            where = f"{where}; assumption: {p.reason}" if where else f"assumption: {p.reason}"
        rows.append([{"code": p.name}, p.description, _num(p.value), p.unit, spread, p.kind, where])
    return {
        "notes": [
            "Every parameter with its value, unit and plausible range (sampled by the "
            "robustness checks), its kind (reported, derived or assumption) and its source "
            "(bibliography key and locator; an assumption gives its reason)."
        ],
        "header": ["parameter", "meaning", "value", "unit", "range", "kind", "source"],
        "rows": rows,
    }


def _source_keys(case: Case) -> list[str]:
    return sorted(
        {p.source for p in case.parameters.values() if p.source}
        | {c.source for c in case.claims}
        | {e.source for e in case.epochs if e.source}
        | {b.source for b in case.backtest_points}
    )


# -- rendering ----------------------------------------------------------------------------
@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline_games.cases", "templates"),
        autoescape=False,  # escaping is the job of the format's macros (html.j2)
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, context: Mapping[str, Any], fmt: str) -> str:
    """Render ``template`` (``"report.j2"`` or ``"index.j2"``) as ``"md"`` or ``"html"``.

    Examples
    --------
    >>> context = {"title": "T", "notes": ["a < b"], "links": [], "claims_notes": [],
    ...            "claims_header": ["x"], "claims_rows": [], "backtest_header": ["y"],
    ...            "backtest_rows": [], "backtest_notes": []}
    >>> "<p>a &lt; b</p>" in render("index.j2", context, "html")
    True
    """
    if fmt not in ("md", "html"):
        raise ValueError(f"fmt must be 'md' or 'html'; got {fmt!r}")
    macros = "markdown.j2" if fmt == "md" else "html.j2"
    text = (
        _environment()
        .get_template(template)
        .render(**context, layout=f"layout.{fmt}.j2", macros=macros)
    )
    lines = [line.rstrip() for line in text.strip().splitlines()]
    cleaned: list[str] = []
    for line in lines:  # at most one blank line in a row
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned) + "\n"


@dataclass(frozen=True)
class CaseReport:
    """What `write_case_report` wrote and computed for one case.

    Examples
    --------
    >>> import pipeline_games as pg, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     report = write_case_report(pg.cases.load("china-russia-gas"), folder, samples=16)
    ...     [p.name for p in report.paths[:2]]
    ['china-russia-gas.md', 'china-russia-gas.html']
    """

    case: Case
    check: CheckResult
    backtest: BacktestResult
    paths: tuple[Path, ...]
    seconds: float

    @property
    def held(self) -> int:
        """Claims that hold at the base values."""
        return sum(r.verdict == "holds" for r in self.check.results)

    @property
    def failed(self) -> int:
        """Claims that fail at the base values."""
        return len(self.check.failed)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``
    (atomic: a reader sees the old file or the whole new one, never a half-written one).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _write_atomically(Path(folder) / "a.txt", b"abc")
    ...     sorted(p.name for p in Path(folder).iterdir())
    ['a.txt']
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def _figure_bytes(figure: Any, fmt: str, **kw: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, **kw)
    return buffer.getvalue()


def _figure_files(figures: Sequence[CaseFigure], out: Path, name: str) -> list[dict[str, Any]]:
    """Write each figure as PNG and SVG into ``out`` (atomically) and return the template's
    entries (file names, the embedded PNG, caption and alt text)."""
    entries = []
    for figure in figures:
        png = out / f"{name}-{figure.stem}.png"
        svg = out / f"{name}-{figure.stem}.svg"
        picture = _figure_bytes(figure.figure, "png", dpi=120)
        _write_atomically(png, picture)
        # the layout is done (and does not depend on the resolution): keep it for the SVG
        engine = figure.figure.get_layout_engine()
        figure.figure.set_layout_engine("none")
        try:
            _write_atomically(svg, _figure_bytes(figure.figure, "svg"))
        finally:
            figure.figure.set_layout_engine(engine)
        data = base64.b64encode(picture).decode("ascii")
        entries.append(
            {
                "stem": figure.stem,
                "file": png.name,
                "svg": svg.name,
                "paths": (png, svg),
                "src": f"data:image/png;base64,{data}",
                "caption": figure.caption,
                "alt": figure.alt,
            }
        )
    return entries


def report_context(
    solution: CaseSolution,
    check: CheckResult,
    backtest: BacktestResult,
    figures: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The context of ``templates/report.j2`` for one case.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> case = pg.cases.load("china-russia-gas")
    >>> context = report_context(case.solve(), case.check(samples=16), case.backtest(samples=16))
    >>> "nids_csr2020" in [key for key, _ in context["sources"]]
    True
    """
    from ._adapters import ADAPTERS
    from ._bibliography import cite

    case = solution.case
    buyer, seller = case.dyad
    models = "; ".join(
        f"{_ADAPTER_WORDS.get(name, name)}: {ADAPTERS[name].description}" for name in case.adapters
    )
    intro = [
        f"{buyer} (buyer) and {seller} (seller). Epochs: {', '.join(str(y) for y in case.years)}.",
        *(p.strip() for p in case.summary.split("\n\n") if p.strip()),
        f"Models: {models}.",
    ]
    return {
        "title": case.title,
        "intro": intro,
        "claims": _claims_section(check),
        "backtest": _backtest_section(backtest),
        "outcome": _outcome_section(solution),
        "other": _other_section(solution),
        "epochs": _epochs_section(solution),
        "figures": list(figures),
        "parameters": _parameters_section(case),
        "sources_note": "Every source the case cites, by its key in the project's "
        "bibliography (cases/bibliography.toml).",
        "sources": [[key, cite(key)] for key in _source_keys(case)],
    }


def output_folder(out: object, name: str = "out") -> Path:
    """The folder ``out`` as a `Path`, created if missing; a named error if it cannot be.

    Examples
    --------
    >>> output_folder(12)
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: out must be a folder path (a str or pathlib.Path); got int
    """
    from ..errors import InvalidParameterError

    if not isinstance(out, str | Path):
        raise InvalidParameterError(
            f"{name} must be a folder path (a str or pathlib.Path); got {type(out).__name__}"
        )
    if "\0" in str(out):
        raise InvalidParameterError(
            f"{name} must be a folder path without NUL bytes; got {str(out)!r}"
        )
    path = Path(out)
    if str(out) == "":
        raise InvalidParameterError(f"{name} must be a folder path; got an empty string")
    try:
        if path.exists() and not path.is_dir():
            raise InvalidParameterError(
                f"{name} must be a folder; {str(path)!r} exists and is not a folder"
            )
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(
            f"{name}: cannot create or use the folder {str(path)!r} ({exc.strerror or exc})"
        ) from exc
    return path


def write_case_report(
    case: Case, out: Path | str, samples: int = 1024, seed: int = 0
) -> CaseReport:
    """Solve, check and backtest ``case``; write ``<name>.md``, ``<name>.html`` and the
    figures (PNG and SVG) into ``out``.

    The HTML report embeds its figures and stands alone; the Markdown report links the PNG
    files beside it.
    """
    from .._arrays import as_int
    from ._plot import case_figures

    start = time.perf_counter()
    samples = as_int(samples, "samples", low=0, high=2**26)
    seed = as_int(seed, "seed", low=0)
    out = output_folder(out)
    solution = case.solve()
    check = case.check(samples=samples, seed=seed)
    backtest = case.backtest(samples=max(samples, 1), seed=seed)
    figures = _figure_files(case_figures(solution, check, backtest), out, case.name)
    context = report_context(solution, check, backtest, figures)
    md_path = out / f"{case.name}.md"
    html_path = out / f"{case.name}.html"
    md_path.write_text(render("report.j2", context, "md"), encoding="utf-8")
    html_path.write_text(render("report.j2", context, "html"), encoding="utf-8")
    paths = [md_path, html_path, *(p for f in figures for p in f["paths"])]
    return CaseReport(case, check, backtest, tuple(paths), time.perf_counter() - start)


@dataclass(frozen=True)
class ReproduceResult:
    """Every case's report, and the index written by `reproduce`.

    Examples
    --------
    >>> ReproduceResult((), Path("index.md"), 16, 0).to_dict()["cases"]
    []
    """

    reports: tuple[CaseReport, ...]
    index: Path
    samples: int
    seed: int
    paths: tuple[Path, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per case, its claims and backtest (``None`` for what is not defined)."""
        from .._results import plain

        return plain(
            {
                "index": str(self.index),
                "samples": self.samples,
                "seed": self.seed,
                "cases": [
                    {
                        "case": r.case.name,
                        "held": r.held,
                        "failed": r.failed,
                        "seconds": r.seconds,
                        "claims": r.check.to_dict()["claims"],
                        "backtest": r.backtest.to_dict(),
                        "files": [str(p) for p in r.paths],
                    }
                    for r in self.reports
                ],
            }
        )


def reproduce(
    out: Path | str,
    samples: int = 1024,
    seed: int = 0,
    on_case: Callable[[CaseReport], None] | None = None,
) -> ReproduceResult:
    """Report every shipped case into ``out`` and write ``index.md`` / ``index.html``.

    ``on_case`` is called with each case's `CaseReport` as soon as it is written (the
    command line prints a line per case as it goes).
    """
    from ._library import list_cases, load

    out = output_folder(out)
    reports = []
    for name in list_cases():
        report = write_case_report(load(name), out, samples, seed)
        reports.append(report)
        if on_case is not None:
            on_case(report)
    claims_header, claims_body = _index_claims(reports)
    backtest_header, backtest_body = _index_backtest(reports)
    inside = sum(r.backtest.inside for r in reports)
    points = sum(len(r.backtest.rows) for r in reports)
    context = {
        "title": "pipeline_games: reproduced cases",
        "notes": [
            f"Claims checked on {samples} scrambled Sobol samples (seed {seed}) of each case's "
            "parameter box; the backtest's model ranges come from the same samples.",
        ],
        "links": [
            {"link": f"{r.case.name}.html", "text": f"{r.case.name}: {r.case.title}"}
            for r in reports
        ],
        "claims_notes": [
            "Robustness: share of the defined samples in which the claim holds; defined: "
            "share of samples where every number the claim compares exists; no deal: share "
            "of samples without agreement in an epoch the claim refers to; each ± 1 sampling "
            "error."
        ],
        "claims_header": claims_header,
        "claims_rows": claims_body,
        "backtest_header": backtest_header,
        "backtest_rows": backtest_body,
        "backtest_notes": [
            f"Score: {inside} of {points} points inside the published range."
            if points
            else "No case has backtest points yet.",
            *(f"{r.case.name} has no backtest points." for r in reports if not r.backtest.rows),
        ],
    }
    index_md = out / "index.md"
    index_md.write_text(render("index.j2", context, "md"), encoding="utf-8")
    index_html = out / "index.html"
    index_html.write_text(render("index.j2", context, "html"), encoding="utf-8")
    return ReproduceResult(tuple(reports), index_md, samples, seed, (index_md, index_html))


def _index_claims(reports: Sequence[CaseReport]) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for report in reports:
        header, body = claims_rows(report.check)
        rows += [[report.case.name, *row] for row in body]
    return ["case", *header], rows


def _index_backtest(reports: Sequence[CaseReport]) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for report in reports:
        header, body = backtest_rows(report.backtest)
        rows += [[report.case.name, *row] for row in body]
    return ["case", *header], rows


def claim_result_words(result: ClaimResult) -> str:
    """One claim's verdict and robustness in a line.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> claim_result_words(pg.cases.load("china-russia-gas").check(samples=16).results[0])[:13]
    'regime: holds'
    """
    return (
        f"{result.claim.id}: {result.verdict} at base, robustness "
        f"{_share(result.robustness, result.robustness_error)}"
    )
