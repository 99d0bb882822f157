"""Model adapters: how a case's parameters become solver calls.

A case file names the adapters it uses in ``[model] adapters = [...]`` and maps each
adapter argument onto one of its parameters in ``[model.<adapter>]``. An adapter is a
function ``params -> outputs``: ``params`` maps argument names to float arrays (all
broadcastable, typically one value per sample of the uncertainty box) and ``outputs``
maps quantity names to arrays of the broadcast shape. Claims refer to these quantity
names. One call evaluates every sample at once.

Outputs keep their types: ``agreement`` is bool, ``binding`` the int8 code of
[`pipeline_games.Outcome`][pipeline_games.bargaining.Outcome], labels are strings, everything else float. Where there is no
agreement, payoffs are the outside options and prices and shares are NaN (not defined).

Examples
--------
>>> import numpy as np
>>> out = ADAPTERS["bargaining"].function({**ADAPTERS["bargaining"].defaults,
...     "volume": np.array(10.0), "buyer_value": np.array(300.0),
...     "seller_cost": np.array(100.0), "money_factor": 0.001,
...     "buyer_rate": np.array(0.1), "seller_rate": np.array(0.1)})
>>> float(out["surplus"]), round(float(out["buyer_share"]), 3)  # 1 / (1 + exp(-0.1))
(2.0, 0.525)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..bargaining import BargainingProblem, Outcome, rubinstein
from ..errors import CaseFileError, InvalidParameterError
from ..strategic import GameTree
from ..transaction import (
    REGIMES,
    buyer_optimal_outside_option,
    buyer_payoff,
    classify_regime,
    critical_defensive_cost,
    diversification,
    joint_venture,
    long_term_contract,
    marginal_diversification_gain,
    spot,
)
from ._games import (
    _INVESTMENT_GAME_ARGS,
    _ROUTE_GAME_ARGS,
    espo_route_choice,
    kazakhstan_sequential_investment,
    route_game_arguments,
)

if TYPE_CHECKING:
    from ._case import Case

__all__ = [
    "ADAPTERS",
    "INVESTMENT_OUTCOMES",
    "ROUTE_OUTCOMES",
    "Adapter",
    "money_factor",
    "nash_weight_from_rates",
]

FloatArray = NDArray[np.float64]
Params = Mapping[str, FloatArray]
#: Adapter outputs: float arrays, or string arrays for label quantities.
Outputs = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class Adapter:
    """A named model adapter.

    Attributes
    ----------
    name
        The name used in ``[model] adapters``.
    function
        ``params -> outputs`` (vectorized over the arrays in ``params``).
    required, optional
        Argument names the case must (may) map onto parameters; optional ones have the
        defaults in ``defaults``.
    outputs
        Quantity names the adapter returns (claims may refer to them).
    labels
        Quantities that are labels (string arrays) -> the labels they can take; a
        ``label`` claim must name one of these quantities and one of its labels, and the
        other claim types only numeric quantities.
    description
        One line for the docs and ``show``.
    prepare
        ``case -> constant arguments`` the adapter derives from the case itself (unit
        factors from the parameters' units, the network), or ``None``.
    reads
        ``case -> parameter names`` whose values in force the adapter receives as
        ``params["values"]`` (the network's capacities and prices), or ``None``.
    check_units
        ``{argument: unit} -> problem`` (an empty string when the units fit), run when a
        case is loaded, or ``None``.

    Examples
    --------
    >>> adapter = ADAPTERS["regime"]
    >>> adapter.required[:2], adapter.labels["regime"][3]
    (('buyer_dependence', 'seller_dependence'), 'one_sided_dependence')
    """

    name: str
    function: Callable[[Mapping[str, Any]], Outputs]
    required: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str
    optional: tuple[str, ...] = ()
    defaults: Mapping[str, float] = field(default_factory=dict)
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    prepare: Callable[[Case], dict[str, Any]] | None = None
    reads: Callable[[Case], tuple[str, ...]] | None = None
    check_units: Callable[[Mapping[str, str]], str] | None = None


_MONEY = "USD_bn/yr"


def money_factor(case: Case, adapter: str = "bargaining") -> float:
    """The factor that turns ``volume x [volume_conversion] x price`` into USD bn/yr, from the
    units of the parameters the case maps onto those arguments.

    Examples
    --------
    It is ``conversion(volume unit x [conversion unit] x price unit, "USD_bn/yr")``: for a
    volume in bcm/yr priced in USD/kcm,

    >>> from pipeline_games.cases import conversion
    >>> round(conversion("(bcm/yr) * (USD/kcm)", "USD_bn/yr"), 12)
    0.001
    """
    from ._market import conversion

    mapping = case.mapping[adapter]
    units = []
    for arg in ("volume", "volume_conversion", "buyer_value"):
        target = mapping.get(arg)
        if isinstance(target, str):
            units.append(case.parameters[target].unit)
    product = " * ".join(f"({unit})" for unit in units)
    try:
        return round(conversion(product, _MONEY), 15)
    except CaseFileError as exc:
        raise CaseFileError(
            f"{case.path}: model.{adapter}: volume x price must be money per year "
            f"({_MONEY}); {exc}. For crude in Mt/yr priced per barrel, map "
            "volume_conversion onto a barrels-per-tonne parameter"
        ) from None


def _bargaining_units(units: Mapping[str, str]) -> str:
    prices = {arg: units[arg] for arg in _PRICE_ARGS if arg in units}
    if len(set(prices.values())) > 1:
        return f"the prices and costs must share one unit; got {prices}"
    volumes = {arg: units[arg] for arg in _VOLUME_ARGS if arg in units}
    if len(set(volumes.values())) > 1:
        return f"the volumes must share one unit; got {volumes}"
    rates = {arg: units[arg] for arg in ("buyer_rate", "seller_rate") if arg in units}
    if any(unit != "1/yr" for unit in rates.values()):
        return f"discount rates are per year (1/yr); got {rates}"
    return ""


_PRICE_ARGS = ("buyer_value", "seller_cost", "buyer_alt_price", "seller_alt_netback")
_VOLUME_ARGS = ("volume", "buyer_alt_volume", "seller_alt_volume")


def _bargaining(params: Params) -> Outputs:
    """Rubinstein bargaining over the yearly joint gain of the pipeline trade.

    Where the parties do not agree, payoffs are their outside options and the price and the
    shares are NaN (there is no price without a deal).
    """
    volume = params["volume"]
    money = params["money_factor"] * params["volume_conversion"]
    margin = params["buyer_value"] - params["seller_cost"]
    surplus = np.maximum(volume * margin * money, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        buyer_cover = np.clip(np.where(volume > 0, params["buyer_alt_volume"] / volume, 0.0), 0, 1)
        seller_cover = np.clip(
            np.where(volume > 0, params["seller_alt_volume"] / volume, 0.0), 0, 1
        )
    buyer_unit_gain = np.maximum(params["buyer_value"] - params["buyer_alt_price"], 0.0)
    seller_unit_gain = np.maximum(params["seller_alt_netback"] - params["seller_cost"], 0.0)
    buyer_outside = buyer_cover * volume * buyer_unit_gain * money
    seller_outside = seller_cover * volume * seller_unit_gain * money
    outcome: Outcome = rubinstein(
        BargainingProblem.linear(surplus),
        rates=(params["buyer_rate"], params["seller_rate"]),
        period=params["period"],
        outside_options=(buyer_outside, seller_outside),
        breakdown=params["breakdown"],
    )
    agreement = np.asarray(outcome.agreement, dtype=bool)
    shape = agreement.shape
    buyer = np.where(agreement, outcome.payoffs[..., 0], np.broadcast_to(buyer_outside, shape))
    seller = np.where(agreement, outcome.payoffs[..., 1], np.broadcast_to(seller_outside, shape))
    stake = np.asarray(params["buyer_upstream_stake"], dtype=np.float64)
    if not np.all((stake >= 0.0) & (stake < 1.0)):  # NaN fails too
        bad = stake[~((stake >= 0.0) & (stake < 1.0))].flat[0] if stake.ndim else stake
        raise InvalidParameterError(
            "buyer_upstream_stake (the bargaining adapter's buyer's share of the seller's "
            f"upstream asset) must be in [0, 1); got {float(bad)!r}"
        )
    per_unit = volume * money
    with np.errstate(divide="ignore", invalid="ignore"):
        # Buyer's total = volume*(value - price)*money + stake*volume*(price - cost)*money.
        price = (params["buyer_value"] - stake * params["seller_cost"] - buyer / per_unit) / (
            1.0 - stake
        )
        buyer_share = buyer / surplus
    defined = agreement & (surplus > 0)
    return {
        "surplus": np.broadcast_to(surplus, shape).astype(np.float64),
        "buyer_outside_option": np.broadcast_to(buyer_outside, shape).astype(np.float64),
        "seller_outside_option": np.broadcast_to(seller_outside, shape).astype(np.float64),
        "buyer_payoff": buyer,
        "seller_payoff": seller,
        "buyer_share": np.where(defined, buyer_share, np.nan),
        "seller_share": np.where(defined, 1.0 - buyer_share, np.nan),
        "buyer_net_gain": buyer - buyer_outside,
        "seller_net_gain": seller - seller_outside,
        "price": np.where(defined & (per_unit > 0), price, np.nan),
        "agreement": agreement,
        "binding": np.asarray(outcome.binding, dtype=np.int8),
    }


def _governance(params: Params) -> Outputs:
    """Hold-up loss (first-best surplus minus the form's surplus) under spot and shared assets."""
    common = {
        "scale": params["scale"],
        "alpha": params["alpha"],
        "unit_cost": params["unit_cost"],
    }
    s, w = params["specificity"], params["buyer_weight"]
    first_best = long_term_contract(
        s, w, renegotiation_probability=0.0, enforcement_cost=0.0, **common
    ).surplus
    spot_surplus = spot(s, w, **common).surplus
    shared = joint_venture(
        s,
        w,
        buyer_equity=params["buyer_equity"],
        venture_cost=params["venture_cost"],
        **common,
    ).surplus
    return {
        "holdup_loss_spot": first_best - spot_surplus,
        "holdup_loss_shared_assets": first_best - shared,
        "shared_assets_gain": shared - spot_surplus,
    }


def _regime(params: Params) -> Outputs:
    """The source's dependence regime by the rule of [`pipeline_games.classify_regime`][pipeline_games.transaction.classify_regime]."""
    result = classify_regime(
        dependence=(params["buyer_dependence"], params["seller_dependence"]),
        outside_option=(params["buyer_outside_option"], params["seller_outside_option"]),
        shared_assets=params["shared_assets"],
        importance_threshold=params["importance_threshold"],
        outside_option_threshold=params["outside_option_threshold"],
        shared_assets_threshold=params["shared_assets_threshold"],
    )
    return {
        "regime": np.asarray(result.labels()),
        "buyer_dependent": np.asarray(result.dependent[..., 0], dtype=bool),
        "seller_dependent": np.asarray(result.dependent[..., 1], dtype=bool),
    }


def nash_weight_from_rates(buyer_rate: Any, seller_rate: Any) -> FloatArray:
    """The buyer's Nash weight ``r_seller / (r_buyer + r_seller)`` implied by the discount
    rates: the limit of Rubinstein's split as the bargaining period shrinks (Binmore,
    Rubinstein and Wolinsky 1986).

    Examples
    --------
    >>> round(float(nash_weight_from_rates(0.05, 0.15)), 12)
    0.75
    """
    buyer, seller = np.asarray(buyer_rate, np.float64), np.asarray(seller_rate, np.float64)
    return np.asarray(seller / (buyer + seller))


def _diversification(params: Params) -> Outputs:
    """China's payoff in the diversification model at the seller's outside option.

    Money is in units of the trade's first-best value ``K`` (the value at ``o = 1``), so the
    defensive cost is given as a share of it.
    """
    common = {
        "buyer_weight": nash_weight_from_rates(params["buyer_rate"], params["seller_rate"]),
        "scale": params["scale"],
        "alpha": params["alpha"],
        "unit_cost": params["unit_cost"],
    }
    first_best = diversification(1.0, **common).value
    defensive = params["defensive_cost_share"] * first_best
    option = params["seller_outside_option"]
    payoff = buyer_payoff(option, defensive_cost=defensive, **common)
    marginal = marginal_diversification_gain(option, defensive_cost=defensive, **common)
    best = buyer_optimal_outside_option(defensive_cost=defensive, **common)
    critical = critical_defensive_cost(option, **common)
    return {
        "diversification_buyer_weight": np.asarray(common["buyer_weight"], dtype=np.float64),
        "diversification_buyer_payoff": payoff / first_best,
        "diversification_marginal_gain": marginal / first_best,
        "buyer_optimal_seller_option": best.outside_option,
        "seller_option_shortfall": best.outside_option - option,
        "critical_defensive_cost_share": critical / first_best,
    }


ROUTE_OUTCOMES = (
    "China branch with loan",
    "China branch, no loan",
    "Pacific route",
    "hold out, later China branch",
)
INVESTMENT_OUTCOMES = (
    "no entry",
    "stage 1 only",
    "staged entry, alone, no hold-up",
    "staged entry, alone, hold-up",
    "staged entry, 50/50 venture, no hold-up",
    "staged entry, 50/50 venture, hold-up",
)


def _route_choice(params: Params) -> Outputs:
    """ESPO route choice (`espo_route_choice`) by backward induction."""
    arguments = route_game_arguments(params)
    game = espo_route_choice(**arguments)
    tree: GameTree = game.tree

    def russia_value(action: str) -> FloatArray:
        """Russia's payoff at the terminal node of ``action`` after China offers the loan."""
        node: Any = tree.root
        for step in ("offer loan", action):
            node = node.actions[step]
        return np.asarray(node.payoffs[1], dtype=np.float64)

    branch, pacific, holdout = (russia_value(a) for a in ("China branch", "Pacific", "hold out"))
    outcome = np.asarray(game.outcome)
    return {
        "route_outcome": outcome,
        "russia_builds_china_branch": np.asarray(np.char.startswith(outcome, "China branch")),
        "kazakh_supply_share": np.asarray(arguments["kazakh_supply_share"]),
        "russia_route_payoff": game.solution.payoffs[..., 1],
        "china_route_payoff": game.solution.payoffs[..., 0],
        "russia_branch_advantage": branch - np.maximum(pacific, holdout),
    }


def _investment(params: Params) -> Outputs:
    """Kazakhstan sequential investment (`kazakhstan_sequential_investment`)."""
    game = kazakhstan_sequential_investment(
        stage2_volume=params["stage2_volume"],
        **{name: params[name] for name in _INVESTMENT_GAME_ARGS},
    )
    return {
        "investment_outcome": np.asarray(game.outcome),
        "china_investment_payoff": game.solution.payoffs[..., 0],
        "kazakhstan_investment_payoff": game.solution.payoffs[..., 1],
    }


def _network(params: Mapping[str, Any]) -> Outputs:
    """Shares of the transit network's value by Shapley value and nucleolus, per step."""
    from ._transit import network_shares

    return network_shares(params)


def _network_prepare(case: Case) -> dict[str, Any]:
    from ._transit import network_arguments

    return network_arguments(case)


def _network_reads(case: Case) -> tuple[str, ...]:
    from ._transit import network_arguments

    return tuple(network_arguments(case)["network_parameters"])


_REGIME_THRESHOLDS = {
    "importance_threshold": 0.10,
    "outside_option_threshold": 0.5,
    "shared_assets_threshold": 0.25,
}

_BARGAINING_DEFAULTS = {
    "buyer_alt_volume": 0.0,
    "buyer_alt_price": 0.0,
    "seller_alt_volume": 0.0,
    "seller_alt_netback": 0.0,
    "period": 1.0,
    "breakdown": 0.0,
    "buyer_upstream_stake": 0.0,
    "volume_conversion": 1.0,
}

#: The adapter registry: name -> [`Adapter`][pipeline_games.cases.Adapter].
ADAPTERS: dict[str, Adapter] = {
    "bargaining": Adapter(
        name="bargaining",
        function=_bargaining,
        required=(
            "volume",
            "buyer_value",
            "seller_cost",
            "buyer_rate",
            "seller_rate",
        ),
        optional=tuple(_BARGAINING_DEFAULTS),
        defaults=_BARGAINING_DEFAULTS,
        prepare=lambda case: {"money_factor": money_factor(case)},
        check_units=_bargaining_units,
        outputs=(
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
        ),
        description=(
            "Rubinstein alternating offers over the yearly joint gain "
            "volume*(buyer_value-seller_cost) in USD bn/yr (units from the case); each side's "
            "outside option is the "
            "gain on the part of the volume its alternative covers"
        ),
    ),
    "regime": Adapter(
        name="regime",
        function=_regime,
        required=(
            "buyer_dependence",
            "seller_dependence",
            "buyer_outside_option",
            "seller_outside_option",
            "shared_assets",
        ),
        optional=tuple(_REGIME_THRESHOLDS),
        defaults=_REGIME_THRESHOLDS,
        outputs=("regime", "buyer_dependent", "seller_dependent"),
        labels={"regime": REGIMES},
        description=(
            "the source's dependence regime by the explicit rule of "
            "pipeline_games.classify_regime (trade shares, redeployable shares, shared assets)"
        ),
    ),
    "governance": Adapter(
        name="governance",
        function=_governance,
        required=("specificity", "buyer_weight", "buyer_equity"),
        optional=("venture_cost", "scale", "alpha", "unit_cost"),
        defaults={"venture_cost": 0.0, "scale": 1.0, "alpha": 0.5, "unit_cost": 1.0},
        outputs=("holdup_loss_spot", "holdup_loss_shared_assets", "shared_assets_gain"),
        description=(
            "hold-up loss (first best minus surplus) under spot bargaining and under shared "
            "assets / a joint venture (pipeline_games.transaction)"
        ),
    ),
    "diversification": Adapter(
        name="diversification",
        function=_diversification,
        required=(
            "seller_outside_option",
            "buyer_rate",
            "seller_rate",
            "alpha",
            "defensive_cost_share",
        ),
        optional=("scale", "unit_cost"),
        defaults={"scale": 1.0, "unit_cost": 1.0},
        outputs=(
            "diversification_buyer_weight",
            "diversification_buyer_payoff",
            "diversification_marginal_gain",
            "buyer_optimal_seller_option",
            "seller_option_shortfall",
            "critical_defensive_cost_share",
        ),
        description=(
            "when raising the seller's outside option pays the buyer "
            "(pipeline_games.diversification; Nash weight from the discount rates, money in "
            "units of the trade's first-best value)"
        ),
    ),
    "network": Adapter(
        name="network",
        function=_network,
        required=("lines",),
        outputs=("seller_shapley_share", "buyer_shapley_share", "seller_nucleolus_share"),
        description=(
            "the case's transit network ([network] table; pipeline_games.coalition): shares "
            "of the grand coalition's value by Shapley value and nucleolus in the step given "
            "by the lines parameter"
        ),
        prepare=_network_prepare,
        reads=_network_reads,
    ),
    "route_choice": Adapter(
        name="route_choice",
        function=_route_choice,
        required=("volume", "kazakh_volume", *_ROUTE_GAME_ARGS),
        outputs=(
            "route_outcome",
            "russia_builds_china_branch",
            "kazakh_supply_share",
            "russia_route_payoff",
            "china_route_payoff",
            "russia_branch_advantage",
        ),
        labels={"route_outcome": ROUTE_OUTCOMES},
        description=(
            "ESPO route choice by backward induction (pipeline_games.espo_route_choice); "
            "China's Kazakh supply share = min(1, kazakh_volume / volume); payoffs USD bn PV"
        ),
    ),
    "investment": Adapter(
        name="investment",
        function=_investment,
        required=("stage2_volume", *_INVESTMENT_GAME_ARGS),
        outputs=(
            "investment_outcome",
            "china_investment_payoff",
            "kazakhstan_investment_payoff",
        ),
        labels={"investment_outcome": INVESTMENT_OUTCOMES},
        description=(
            "Kazakhstan sequential investment by backward induction "
            "(pipeline_games.kazakhstan_sequential_investment); payoffs USD bn PV"
        ),
    ),
}
from ._linked import supply_network_adapter  # noqa: E402  (needs Adapter defined)

ADAPTERS["supply_network"] = supply_network_adapter()

# Adapters of the oil cases and the time machinery live in their own modules.
from ._oil import OIL_ADAPTERS  # noqa: E402
from ._timing import TIMING_ADAPTERS  # noqa: E402

ADAPTERS.update({**OIL_ADAPTERS, **TIMING_ADAPTERS})
