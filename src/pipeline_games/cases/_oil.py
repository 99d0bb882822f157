"""Adapters of the two oil cases: a crude trade with route-split costs, and loan-for-oil.

``oil_trade``
    Bargaining over a crude pipeline trade. Each sale bears only its own costs: the deal's
    barrels bear the seller's production cost and the transport of *this* route to the
    buyer's border; the seller's alternative (another outlet) is valued at its own price less
    the production cost, its own transport and the capex it still needs (annualised); the
    buyer's alternative (other overland crude) at the buyer's value less its delivered price.
    Instead, ``seller_alt_value`` and ``buyer_alt_value`` may give each side's alternative
    directly, per barrel of the deal (e.g. computed on a linked supply network: a
    ``from_network`` parameter with output ``outside_option_per_unit``); the outside option
    is then the deal's barrels times that value, and the side's ``*_alt_*`` arguments are
    not used.
    Capex that the deal itself still needs (each side's part of a new line) is annualised
    with the capital recovery factor and taken off the joint gain. Two contract structures:

    * ``indexed = 0``: the price splits the gain by Rubinstein's alternating offers with
      outside options (`pipeline_games.rubinstein`);
    * ``indexed = 1``: the price is a market index (``index_price``, e.g. the Kozmino FOB
      price for the ESPO spur) and the parties only decide whether to trade: a deal needs a
      positive joint gain and each side at least its outside option at that price.

    Where there is no deal, payoffs are the outside options and price and shares are NaN.

``loan_for_oil``
    The governance of the seller's specific investment (`pipeline_games.transaction`):
    spot trade, a plain long-term contract and a prepayment loan (loan-for-oil), with a
    technology calibrated to the case (the first-best investment is the loan's principal,
    its value the present value of the contracted barrels' margin), plus what each side's own
    cost of funds makes a loan at the agreed rate worth. It says which form each side
    prefers and how much of each barrel's price repays the loan.

Money is in USD billions (per year for flows, present value for the loan); prices are per
barrel; volumes in Mt/yr turned into barrels by the case's barrels-per-tonne parameter.

Examples
--------
>>> import numpy as np
>>> args = {**OIL_ADAPTERS["oil_trade"].defaults, "money_factor": 0.001, "capex_factor": 1.0,
...         "volume": np.array(10.0), "barrels_per_tonne": np.array(7.0),
...         "buyer_value": np.array(60.0), "seller_production_cost": np.array(20.0),
...         "seller_transport": np.array(10.0), "buyer_rate": np.array(0.1),
...         "seller_rate": np.array(0.1)}
>>> out = OIL_ADAPTERS["oil_trade"].function(args)
>>> round(float(out["surplus"]), 6)  # 70 Mbbl/yr x 30 USD/bbl = USD 2.1 bn/yr
2.1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..bargaining import BargainingProblem, rubinstein
from ..errors import CaseFileError, InvalidParameterError
from ..transaction import long_term_contract, prepayment_loan, spot

if TYPE_CHECKING:
    from ._adapters import Adapter
    from ._case import Case

__all__ = ["GOVERNANCE_LABELS", "OIL_ADAPTERS", "annuity_factor"]

FloatArray = NDArray[np.float64]

#: Labels of the ``governance_form`` output of ``loan_for_oil``.
GOVERNANCE_LABELS = ("spot", "long_term_contract", "prepayment_loan", "not viable")


def annuity_factor(rate: Any, years: Any) -> FloatArray:
    """Present value of 1 a year for ``years`` years at ``rate`` (``years`` at rate 0).

    Examples
    --------
    >>> round(float(annuity_factor(0.06, 20)), 4)
    11.4699
    >>> float(annuity_factor(0.0, 20))
    20.0
    """
    r = np.asarray(rate, dtype=np.float64)
    t = np.asarray(years, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -np.expm1(-t * np.log1p(r)) / r
    return np.asarray(np.where(np.abs(r) < 1e-12, t, value), dtype=np.float64)


def _factor(case: Case, adapter: str, arguments: tuple[str, ...], target: str) -> float:
    """Conversion factor of the product of the mapped arguments' units into ``target``."""
    from ._market import conversion

    mapping = case.mapping[adapter]
    names = [mapping.get(arg) for arg in arguments]
    units = [case.parameters[name].unit for name in names if isinstance(name, str)]
    product = " * ".join(f"({unit})" for unit in units) or "dimensionless"
    try:
        return round(conversion(product, target), 15)
    except CaseFileError as exc:
        raise CaseFileError(
            f"{case.path}: model.{adapter}: {' x '.join(arguments)} must be in {target}; {exc}"
        ) from None


def _units(groups: Mapping[str, tuple[str, ...]]) -> Any:
    """A unit check: the arguments of each group share one unit, rates are 1/yr."""

    def check(units: Mapping[str, str]) -> str:
        for name, members in groups.items():
            found = {arg: units[arg] for arg in members if arg in units}
            if len(set(found.values())) > 1:
                return f"the {name} must share one unit; got {found}"
        rates = {arg: unit for arg, unit in units.items() if arg.endswith("_rate")}
        if any(unit != "1/yr" for unit in rates.values()):
            return f"rates are per year (1/yr); got {rates}"
        return ""

    return check


# -- oil_trade ------------------------------------------------------------------------------
_TRADE_PRICES = (
    "seller_alt_value",
    "buyer_alt_value",
    "buyer_value",
    "seller_production_cost",
    "seller_transport",
    "buyer_alt_price",
    "seller_alt_price",
    "seller_alt_transport",
    "index_price",
)
_TRADE_DEFAULTS: dict[str, float] = {
    "buyer_alt_volume": 0.0,
    "buyer_alt_price": 0.0,
    "seller_alt_volume": 0.0,
    "seller_alt_price": 0.0,
    "seller_alt_transport": 0.0,
    "seller_alt_capex": 0.0,
    "seller_alt_value": float("nan"),
    "buyer_alt_value": float("nan"),
    "buyer_capex": 0.0,
    "seller_capex": 0.0,
    "asset_life": 20.0,
    "capital_rate": 0.08,
    "indexed": 0.0,
    "index_price": 0.0,
    "period": 1.0,
    "breakdown": 0.0,
}
TRADE_OUTPUTS = (
    "surplus",
    "buyer_outside_option",
    "seller_outside_option",
    "buyer_payoff",
    "seller_payoff",
    "buyer_share",
    "seller_share",
    "buyer_net_gain",
    "seller_net_gain",
    "price",
    "agreement",
    "binding",
    "bargained_price",
    "buyer_weight",
    "seller_alt_margin",
)


def _trade_prepare(case: Case) -> dict[str, Any]:
    return {
        "money_factor": _factor(
            case, "oil_trade", ("volume", "barrels_per_tonne", "buyer_value"), "USD_bn/yr"
        ),
        "capex_factor": _factor(case, "oil_trade", ("seller_capex",), "USD_bn")
        if isinstance(case.mapping["oil_trade"].get("seller_capex"), str)
        else 1.0,
    }


class _Arguments(dict[str, Any]):
    """An adapter's arguments as float64 arrays; a missing one is a named error listing every
    required argument that is missing (not a bare KeyError)."""

    def __init__(self, adapter: str, params: Mapping[str, Any]) -> None:
        super().__init__({k: np.asarray(v, dtype=np.float64) for k, v in params.items()})
        self.adapter = adapter

    def __missing__(self, key: str) -> Any:
        required = OIL_ADAPTERS[self.adapter].required
        missing = sorted({key, *(name for name in required if name not in self)})
        raise InvalidParameterError(
            f"adapter {self.adapter!r} is missing argument(s) {missing}; build its arguments "
            "with Case.adapter_arguments"
        )


def _oil_trade(params: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """See the module docstring; outputs in USD bn/yr and the price unit of the case."""
    p = _Arguments("oil_trade", params)
    volume = p["volume"]
    per_unit = volume * p["barrels_per_tonne"] * p["money_factor"]  # USD bn/yr per USD/bbl
    crf = 1.0 / annuity_factor(p["capital_rate"], p["asset_life"])
    capex = p["capex_factor"] * crf  # USD bn/yr per unit of capex
    buyer_capex = p["buyer_capex"] * capex
    seller_capex = p["seller_capex"] * capex
    seller_cost = p["seller_production_cost"] + p["seller_transport"]
    gain = per_unit * (p["buyer_value"] - seller_cost) - buyer_capex - seller_capex
    with np.errstate(divide="ignore", invalid="ignore"):
        seller_cover = np.clip(np.where(volume > 0, p["seller_alt_volume"] / volume, 0.0), 0, 1)
        buyer_cover = np.clip(np.where(volume > 0, p["buyer_alt_volume"] / volume, 0.0), 0, 1)
    seller_alt_margin = (
        p["seller_alt_price"] - p["seller_production_cost"] - p["seller_alt_transport"]
    )
    seller_outside = np.maximum(
        seller_cover * per_unit * seller_alt_margin
        - np.where(seller_cover > 0, p["seller_alt_capex"] * capex, 0.0),
        0.0,
    )
    buyer_outside = np.maximum(
        buyer_cover * per_unit * (p["buyer_value"] - p["buyer_alt_price"]), 0.0
    )
    # Alternatives given per barrel of the deal (e.g. computed on a supply network).
    seller_given = ~np.isnan(p["seller_alt_value"])
    buyer_given = ~np.isnan(p["buyer_alt_value"])
    seller_outside = np.where(
        seller_given, np.maximum(per_unit * p["seller_alt_value"], 0.0), seller_outside
    )
    buyer_outside = np.where(
        buyer_given, np.maximum(per_unit * p["buyer_alt_value"], 0.0), buyer_outside
    )
    seller_alt_margin = np.where(seller_given, p["seller_alt_value"], seller_alt_margin)
    seller_cover = np.where(seller_given, 1.0, seller_cover)
    surplus = np.maximum(gain, 0.0)
    outcome = rubinstein(
        BargainingProblem.linear(surplus),
        rates=(p["buyer_rate"], p["seller_rate"]),
        period=p["period"],
        outside_options=(buyer_outside, seller_outside),
        breakdown=p["breakdown"],
    )
    bargained = np.asarray(outcome.agreement, dtype=bool) & (gain > 0)
    shape = bargained.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        bargained_price = p["buyer_value"] - (outcome.payoffs[..., 0] + buyer_capex) / per_unit
    # The indexed contract: the price is the index; trade happens if both take part.
    index_buyer = per_unit * (p["buyer_value"] - p["index_price"]) - buyer_capex
    index_seller = per_unit * (p["index_price"] - seller_cost) - seller_capex
    index_deal = (gain > 0) & (index_buyer >= buyer_outside) & (index_seller >= seller_outside)
    indexed = np.broadcast_to(p["indexed"] >= 0.5, shape)
    agreement = np.where(indexed, index_deal, bargained)
    buyer_deal = np.where(indexed, index_buyer, outcome.payoffs[..., 0])
    seller_deal = np.where(indexed, index_seller, outcome.payoffs[..., 1])
    buyer = np.where(agreement, buyer_deal, np.broadcast_to(buyer_outside, shape))
    seller = np.where(agreement, seller_deal, np.broadcast_to(seller_outside, shape))
    price = np.where(indexed, np.broadcast_to(p["index_price"], shape), bargained_price)
    with np.errstate(divide="ignore", invalid="ignore"):
        buyer_share = buyer / gain
    defined = agreement & (gain > 0) & (per_unit > 0)
    binding = np.where(indexed, 0, np.asarray(outcome.binding, dtype=np.int8)).astype(np.int8)
    rates = p["buyer_rate"], p["seller_rate"]
    return {
        "surplus": np.broadcast_to(surplus, shape).astype(np.float64),
        "buyer_outside_option": np.broadcast_to(buyer_outside, shape).astype(np.float64),
        "seller_outside_option": np.broadcast_to(seller_outside, shape).astype(np.float64),
        "buyer_payoff": np.asarray(buyer, dtype=np.float64),
        "seller_payoff": np.asarray(seller, dtype=np.float64),
        "buyer_share": np.where(defined, buyer_share, np.nan),
        "seller_share": np.where(defined, 1.0 - buyer_share, np.nan),
        "buyer_net_gain": np.asarray(buyer - buyer_outside, dtype=np.float64),
        "seller_net_gain": np.asarray(seller - seller_outside, dtype=np.float64),
        "price": np.where(defined, price, np.nan),
        "agreement": np.asarray(agreement, dtype=bool),
        "binding": np.asarray(np.where(agreement, binding, 0), dtype=np.int8),
        "bargained_price": np.where(bargained & (per_unit > 0), bargained_price, np.nan),
        "buyer_weight": np.broadcast_to(rates[1] / (rates[0] + rates[1]), shape).astype(np.float64),
        "seller_alt_margin": np.broadcast_to(
            np.where(seller_cover > 0, seller_alt_margin, np.nan), shape
        ).astype(np.float64),
    }


# -- loan_for_oil ---------------------------------------------------------------------------
_LOAN_DEFAULTS: dict[str, float] = {
    "seller_alt_volume": 0.0,
    "seller_alt_price": 0.0,
    "seller_alt_transport": 0.0,
    "renegotiation_probability": 0.2,
    "enforcement_cost": 0.0,
    "loan_cost": 0.0,
}
LOAN_OUTPUTS = (
    "loan_gain_buyer",
    "loan_gain_seller",
    "loan_gain_min",
    "loan_surplus_gain",
    "loan_financing_gain_seller",
    "loan_financing_gain_buyer",
    "loan_specificity",
    "loan_debt_service",
    "loan_debt_share",
    "governance_form",
)


def _loan_prepare(case: Case) -> dict[str, Any]:
    factor = _factor(case, "loan_for_oil", ("volume", "barrels_per_tonne", "price"), "USD_bn/yr")
    loan = _factor(case, "loan_for_oil", ("loan",), "USD_bn")
    return {"money_factor": factor, "loan_factor": loan}


def _loan_for_oil(params: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """Spot, long-term contract and loan-for-oil for the seller's specific investment.

    Technology (`pipeline_games.transaction`): the seller sinks ``k`` (USD bn) at unit
    cost 1, worth ``V(k) = a k^alpha`` in the relationship; the first-best investment is the
    loan's principal ``K`` and its value ``V*`` the present value, at the loan's rate over its
    life, of the contracted barrels' margin (price less production and transport of this
    route). Then ``alpha = K / V*`` and ``a = V* / K^alpha``. The specificity is the share of
    the margin the seller's alternative outlet would not earn:
    ``1 - max(alternative margin, 0) / margin`` (1 when it has none). The buyer's Nash weight
    follows from the bargaining rates. The loan is written at zero interest in the
    transaction model (repayment worth its principal); what borrowing at ``loan_rate``
    instead of at its own cost of funds is worth to each side is added:
    ``K (1 - a(r_seller) / a(r_loan))`` to the seller, ``K (a(r_buyer) / a(r_loan) - 1)`` to
    the buyer (``a`` the annuity factor over the loan's life). Points where the contracted
    margin does not cover the principal (``V* <= K``) are not viable (``governance_form`` is
    ``"not viable"``): there the technology cannot be calibrated (``alpha >= 1``), so the
    gains that compare the forms (``loan_gain_*``, ``loan_surplus_gain``) are NaN, not
    defined; what does not depend on it keeps its value (the financing gains, the debt
    service and its share of the price; the specificity wherever the margin is positive).
    """
    p = _Arguments("loan_for_oil", params)
    barrels = p["volume"] * p["barrels_per_tonne"] * p["money_factor"]  # USD bn/yr per USD/bbl
    margin = p["price"] - p["seller_production_cost"] - p["seller_transport"]
    alt_margin = np.where(
        p["seller_alt_volume"] > 0,
        p["seller_alt_price"] - p["seller_production_cost"] - p["seller_alt_transport"],
        0.0,
    )
    loan = p["loan"] * p["loan_factor"]
    loan_cost = p["loan_cost"] * p["loan_factor"]
    enforcement_cost = p["enforcement_cost"] * p["loan_factor"]
    a_loan = annuity_factor(p["loan_rate"], p["years"])
    value = a_loan * barrels * margin
    shape = np.broadcast_shapes(
        *(np.shape(v) for v in (value, loan, alt_margin, p["buyer_rate"], p["seller_rate"]))
    )
    viable = np.broadcast_to((margin > 0) & (value > loan) & (loan > 0), shape)
    safe_value = np.where(viable, value, 2.0)
    safe_loan = np.where(viable, loan, 1.0)
    alpha = safe_loan / safe_value
    scale = safe_value / safe_loan**alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        specificity = np.where(
            viable, np.clip(1.0 - np.maximum(alt_margin, 0.0) / margin, 0.0, 1.0), 1.0
        )
    weight = p["seller_rate"] / (p["buyer_rate"] + p["seller_rate"])
    common: dict[str, Any] = {"scale": scale, "alpha": alpha, "unit_cost": 1.0}
    forms = (
        spot(specificity, weight, **common),
        long_term_contract(
            specificity,
            weight,
            renegotiation_probability=p["renegotiation_probability"],
            enforcement_cost=enforcement_cost,
            **common,
        ),
        prepayment_loan(specificity, weight, loan_cost=loan_cost, **common),
    )
    finance_seller = loan * (1.0 - annuity_factor(p["seller_funds_rate"], p["years"]) / a_loan)
    finance_buyer = loan * (annuity_factor(p["buyer_funds_rate"], p["years"]) / a_loan - 1.0)
    payoffs = [np.broadcast_to(form.payoffs, (*shape, 2)) for form in forms]
    loan_payoffs = payoffs[2] + np.stack(
        np.broadcast_arrays(finance_buyer, finance_seller), axis=-1
    )
    best_other = np.maximum(payoffs[0], payoffs[1])
    surpluses = np.stack(
        [
            np.broadcast_to(forms[0].surplus, shape),
            np.broadcast_to(forms[1].surplus, shape),
            np.broadcast_to(forms[2].surplus + finance_buyer + finance_seller, shape),
        ],
        axis=-1,
    )
    gain = loan_payoffs - best_other
    labels = np.asarray(GOVERNANCE_LABELS)[np.argmax(surpluses, axis=-1)]

    def masked(array: Any, where: Any = viable) -> FloatArray:
        return np.where(where, np.broadcast_to(array, shape), np.nan).astype(np.float64)

    def whole(array: Any) -> FloatArray:
        return np.broadcast_to(array, shape).astype(np.float64)

    # the debt service exists wherever barrels repay a loan (always where the loan is viable)
    repaid = np.broadcast_to((barrels > 0) & (p["price"] > 0), shape)
    debt_service = np.where(repaid, loan, 0.0) / a_loan / np.where(repaid, barrels, 1.0)  # USD/bbl
    with np.errstate(divide="ignore", invalid="ignore"):
        any_specificity = np.clip(1.0 - np.maximum(alt_margin, 0.0) / margin, 0.0, 1.0)
    return {
        "loan_gain_buyer": masked(gain[..., 0]),
        "loan_gain_seller": masked(gain[..., 1]),
        "loan_gain_min": masked(np.minimum(gain[..., 0], gain[..., 1])),
        "loan_surplus_gain": masked(
            surpluses[..., 2] - np.maximum(surpluses[..., 0], surpluses[..., 1])
        ),
        "loan_financing_gain_seller": whole(finance_seller),
        "loan_financing_gain_buyer": whole(finance_buyer),
        "loan_specificity": masked(any_specificity, np.broadcast_to(margin > 0, shape)),
        "loan_debt_service": masked(debt_service, repaid),
        "loan_debt_share": masked(debt_service / np.where(repaid, p["price"], 1.0), repaid),
        "governance_form": np.where(viable, labels, GOVERNANCE_LABELS[-1]),
    }


def _adapters() -> dict[str, Adapter]:
    from ._adapters import Adapter

    return {
        "oil_trade": Adapter(
            name="oil_trade",
            function=_oil_trade,
            required=(
                "volume",
                "barrels_per_tonne",
                "buyer_value",
                "seller_production_cost",
                "seller_transport",
                "buyer_rate",
                "seller_rate",
            ),
            optional=tuple(_TRADE_DEFAULTS),
            defaults=_TRADE_DEFAULTS,
            outputs=TRADE_OUTPUTS,
            prepare=_trade_prepare,
            check_units=_units(
                {
                    "prices and costs": _TRADE_PRICES,
                    "volumes": ("volume", "buyer_alt_volume", "seller_alt_volume"),
                    "capex figures": ("seller_capex", "buyer_capex", "seller_alt_capex"),
                }
            ),
            description=(
                "crude pipeline trade: each sale bears its own costs (production, this route's "
                "transport, capex still to sink), alternatives valued at their own netbacks; "
                "price by Rubinstein bargaining or by a market index (indexed = 1)"
            ),
        ),
        "loan_for_oil": Adapter(
            name="loan_for_oil",
            function=_loan_for_oil,
            required=(
                "volume",
                "barrels_per_tonne",
                "price",
                "seller_production_cost",
                "seller_transport",
                "years",
                "loan",
                "loan_rate",
                "buyer_rate",
                "seller_rate",
                "buyer_funds_rate",
                "seller_funds_rate",
            ),
            optional=tuple(_LOAN_DEFAULTS),
            defaults=_LOAN_DEFAULTS,
            outputs=LOAN_OUTPUTS,
            labels={"governance_form": GOVERNANCE_LABELS},
            prepare=_loan_prepare,
            check_units=_units(
                {
                    "prices and costs": (
                        "price",
                        "seller_production_cost",
                        "seller_transport",
                        "seller_alt_price",
                        "seller_alt_transport",
                    ),
                    "volumes": ("volume", "seller_alt_volume"),
                    "money figures": ("loan", "loan_cost", "enforcement_cost"),
                }
            ),
            description=(
                "loan-for-oil against spot trade and a plain long-term contract "
                "(pipeline_games.transaction, technology calibrated to the loan and the "
                "contracted margin) plus each side's gain from borrowing at the loan's rate"
            ),
        ),
    }


#: The oil adapters, merged into `pipeline_games.cases.ADAPTERS`.
OIL_ADAPTERS: dict[str, Adapter] = _adapters()
