"""Model adapters: how a case's parameters become solver calls.

A case file names the adapters it uses in ``[model] adapters = [...]`` and maps each
adapter argument onto one of its parameters in ``[model.<adapter>]``. An adapter is a
function ``params -> outputs``: ``params`` maps argument names to float arrays (all
broadcastable, typically one value per sample of the uncertainty box) and ``outputs``
maps quantity names to arrays of the broadcast shape. Claims refer to these quantity
names. One call evaluates every sample at once.

Adapters whose solver module has not landed yet are still registered (so a claim that
needs them is valid); :func:`adapter_status` says why they are unavailable and the claim
checker reports such claims as *not evaluated*.

Examples
--------
>>> import numpy as np
>>> out = ADAPTERS["bargaining"].function({**ADAPTERS["bargaining"].defaults,
...     "volume": np.array(10.0), "buyer_value": np.array(300.0),
...     "seller_cost": np.array(100.0), "value_scale": np.array(0.001),
...     "buyer_rate": np.array(0.1), "seller_rate": np.array(0.1)})
>>> float(out["surplus"]), round(float(out["buyer_share"]), 3)  # 1 / (1 + exp(-0.1))
(2.0, 0.525)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..transaction._regimes import REGIMES

__all__ = [
    "ADAPTERS",
    "INVESTMENT_OUTCOMES",
    "ROUTE_OUTCOMES",
    "Adapter",
    "adapter_status",
    "nash_weight_from_rates",
    "route_game_arguments",
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
        ``params -> outputs`` (vectorized), or ``None`` if the solver is not available.
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

    Examples
    --------
    >>> adapter = ADAPTERS["regime"]
    >>> adapter.required[:2], adapter.labels["regime"][3]
    (('buyer_dependence', 'seller_dependence'), 'one_sided_dependence')
    """

    name: str
    function: Callable[[Params], Outputs] | None
    required: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str
    optional: tuple[str, ...] = ()
    defaults: Mapping[str, float] = field(default_factory=dict)
    unavailable_reason: str = ""
    needs: tuple[str, tuple[str, ...]] | None = None
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _bargaining(params: Params) -> Outputs:
    """Rubinstein bargaining over the yearly joint gain of the pipeline trade."""
    from ..bargaining import BargainingProblem, rubinstein

    volume = params["volume"]
    scale = params["value_scale"]
    margin = params["buyer_value"] - params["seller_cost"]
    surplus = np.maximum(volume * margin * scale, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        buyer_cover = np.clip(np.where(volume > 0, params["buyer_alt_volume"] / volume, 0.0), 0, 1)
        seller_cover = np.clip(
            np.where(volume > 0, params["seller_alt_volume"] / volume, 0.0), 0, 1
        )
    buyer_unit_gain = np.maximum(params["buyer_value"] - params["buyer_alt_price"], 0.0)
    seller_unit_gain = np.maximum(params["seller_alt_netback"] - params["seller_cost"], 0.0)
    buyer_outside = buyer_cover * volume * buyer_unit_gain * scale
    seller_outside = seller_cover * volume * seller_unit_gain * scale
    problem = BargainingProblem.linear(surplus)
    outcome = rubinstein(
        problem,
        rates=(params["buyer_rate"], params["seller_rate"]),
        period=params["period"],
        outside_options=(buyer_outside, seller_outside),
        breakdown=params["breakdown"],
    )
    buyer, seller = outcome.payoffs[..., 0], outcome.payoffs[..., 1]
    stake = params["buyer_upstream_stake"]
    per_unit = volume * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        # Buyer's total = volume*(value - price)*scale + stake*volume*(price - cost)*scale.
        price = np.where(
            per_unit > 0,
            (params["buyer_value"] - stake * params["seller_cost"] - buyer / per_unit)
            / (1.0 - stake),
            np.nan,
        )
        buyer_share = np.where(surplus > 0, buyer / surplus, np.nan)
    return {
        "surplus": surplus,
        "buyer_outside_option": buyer_outside,
        "seller_outside_option": seller_outside,
        "buyer_payoff": buyer,
        "seller_payoff": seller,
        "buyer_share": buyer_share,
        "seller_share": 1.0 - buyer_share,
        "buyer_net_gain": buyer - buyer_outside,
        "seller_net_gain": seller - seller_outside,
        "price": price,
        "agreement": outcome.agreement.astype(np.float64),
        "binding": np.asarray(outcome.binding, dtype=np.float64),
    }


def _transaction() -> Any:
    """``pipeline_games.transaction`` (its functions ``holdup`` and ``diversification`` shadow
    the modules of the same names, which confuses static imports)."""
    import importlib

    return importlib.import_module("pipeline_games.transaction")


def _governance(params: Params) -> Outputs:
    """Hold-up loss (first-best surplus minus the form's surplus) under spot and shared assets."""
    transaction = _transaction()
    common = {
        "scale": params["scale"],
        "alpha": params["alpha"],
        "unit_cost": params["unit_cost"],
    }
    s, w = params["specificity"], params["buyer_weight"]
    first_best = transaction.long_term_contract(
        s, w, renegotiation_probability=0.0, enforcement_cost=0.0, **common
    ).surplus
    spot_surplus = transaction.spot(s, w, **common).surplus
    shared = transaction.joint_venture(
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
    """The source's dependence regime by the rule of :func:`pipeline_games.classify_regime`."""
    from ..transaction import classify_regime

    result = classify_regime(
        dependence=(params["buyer_dependence"], params["seller_dependence"]),
        outside_option=(params["buyer_outside_option"], params["seller_outside_option"]),
        shared_assets=params["shared_assets"],
        importance_threshold=params["importance_threshold"],
        outside_option_threshold=params["outside_option_threshold"],
        shared_assets_threshold=params["shared_assets_threshold"],
    )
    return {
        "regime": result.labels(),
        "buyer_dependent": result.dependent[..., 0].astype(np.float64),
        "seller_dependent": result.dependent[..., 1].astype(np.float64),
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
    transaction = _transaction()
    common = {
        "buyer_weight": nash_weight_from_rates(params["buyer_rate"], params["seller_rate"]),
        "scale": params["scale"],
        "alpha": params["alpha"],
        "unit_cost": params["unit_cost"],
    }
    first_best = transaction.diversification(1.0, **common).value
    defensive = params["defensive_cost_share"] * first_best
    option = params["seller_outside_option"]
    payoff = transaction.buyer_payoff(option, defensive_cost=defensive, **common)
    marginal = transaction.marginal_diversification_gain(option, defensive_cost=defensive, **common)
    best = transaction.buyer_optimal_outside_option(defensive_cost=defensive, **common)
    critical = transaction.critical_defensive_cost(option, **common)
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
_ROUTE_GAME_ARGS = (
    "oil_price",
    "years",
    "loan",
    "loan_rate",
    "russia_discount_rate",
    "china_discount_rate",
    "buyer_discount",
    "asia_premium",
    "pacific_transport",
    "china_transport",
    "pacific_capex",
    "holdout_gain",
    "delay_years",
    "branch_capex_russia",
    "branch_capex_china",
    "security_premium",
)
_INVESTMENT_GAME_ARGS = (
    "stage1_cost",
    "stage2_cost",
    "stage1_volume",
    "margin",
    "years",
    "discount_rate",
    "fiscal_take",
    "hold_up_share",
    "rule_change_cost",
    "kmg_share",
    "diversification_value",
    "disruption_loss",
)


def route_game_arguments(params: Params) -> dict[str, FloatArray]:
    """Keyword arguments of :func:`pipeline_games.espo_route_choice` from the route-choice
    adapter's arguments: China's share of the ESPO volume it could replace through
    Kazakhstan is derived from the case's volumes, ``min(1, kazakh_volume / volume)``, as the
    game's own default is (10 / 15 Mt/yr).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> args = case.adapter_arguments("route_choice", case.epoch_values(case.base, 2013))
    >>> float(route_game_arguments(args)["kazakh_supply_share"])  # 20 / 25 Mt/yr
    0.8
    """
    volume = params["volume"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.clip(np.where(volume > 0, params["kazakh_volume"] / volume, 0.0), 0.0, 1.0)
    return {
        "volume": volume,
        "kazakh_supply_share": share,
        **{name: params[name] for name in _ROUTE_GAME_ARGS},
    }


def _route_choice(params: Params) -> Outputs:
    """ESPO route choice (:func:`pipeline_games.espo_route_choice`) by backward induction."""
    from ..strategic import espo_route_choice

    arguments = route_game_arguments(params)
    game = espo_route_choice(**arguments)

    def russia_value(action: str) -> FloatArray:
        """Russia's payoff at the terminal node of ``action`` after China offers the loan."""
        node: Any = game.tree.root
        for step in ("offer loan", action):
            node = node.actions[step]
        return np.asarray(node.payoffs[1], dtype=np.float64)

    branch, pacific, holdout = (russia_value(a) for a in ("China branch", "Pacific", "hold out"))
    outcome = np.asarray(game.outcome)
    return {
        "route_outcome": outcome,
        "russia_builds_china_branch": np.char.startswith(outcome, "China branch").astype(
            np.float64
        ),
        "kazakh_supply_share": np.asarray(arguments["kazakh_supply_share"]),
        "russia_route_payoff": game.solution.payoffs[..., 1],
        "china_route_payoff": game.solution.payoffs[..., 0],
        "russia_branch_advantage": branch - np.maximum(pacific, holdout),
    }


def _investment(params: Params) -> Outputs:
    """Kazakhstan sequential investment (:func:`pipeline_games.kazakhstan_sequential_investment`)."""
    from ..strategic import kazakhstan_sequential_investment

    game = kazakhstan_sequential_investment(
        stage2_volume=params["stage2_volume"],
        **{name: params[name] for name in _INVESTMENT_GAME_ARGS},
    )
    return {
        "investment_outcome": np.asarray(game.outcome),
        "china_investment_payoff": game.solution.payoffs[..., 0],
        "kazakhstan_investment_payoff": game.solution.payoffs[..., 1],
    }


_LINE_STEPS = {2: ("A", "B"), 3: ("A", "B", "C"), 4: ("A", "B", "C", "D")}


@functools.lru_cache(maxsize=1)
def network_path() -> Any:
    """Shapley/nucleolus per country of the Central Asia network as lines A-D are added.

    Uses :func:`pipeline_games.coalition.line_expansion_path` with its own sourced defaults.
    """
    import importlib

    coalition: Any = importlib.import_module("pipeline_games.coalition")
    return coalition.line_expansion_path(tuple(_LINE_STEPS.values()))


def _network(params: Params) -> Outputs:
    """Shares of the network's value by Shapley and nucleolus, for 2, 3 or 4 lines."""
    path = network_path()
    lines = np.asarray(params["lines"], dtype=np.float64)
    index = np.clip(np.rint(lines).astype(int) - 2, 0, len(_LINE_STEPS) - 1)
    players = list(path.players)
    total = np.asarray(path.grand_value, dtype=np.float64)
    shapley = np.asarray(path.shapley, dtype=np.float64) / total[:, None]
    nucleolus = np.asarray(path.nucleolus, dtype=np.float64) / total[:, None]
    turkmenistan, china = players.index("Turkmenistan"), players.index("China")
    return {
        "shapley_turkmenistan": shapley[index, turkmenistan],
        "shapley_china": shapley[index, china],
        "nucleolus_turkmenistan": nucleolus[index, turkmenistan],
    }


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
}

#: The adapter registry: name -> :class:`Adapter`.
ADAPTERS: dict[str, Adapter] = {
    "bargaining": Adapter(
        name="bargaining",
        function=_bargaining,
        required=(
            "volume",
            "buyer_value",
            "seller_cost",
            "value_scale",
            "buyer_rate",
            "seller_rate",
        ),
        optional=tuple(_BARGAINING_DEFAULTS),
        defaults=_BARGAINING_DEFAULTS,
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
            "volume*(buyer_value-seller_cost)*value_scale; each side's outside option is the "
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
        outputs=("shapley_turkmenistan", "shapley_china", "nucleolus_turkmenistan"),
        description=(
            "Central Asia transit network (pipeline_games.coalition, its own sourced "
            "capacities and values): shares of the grand value by Shapley and nucleolus "
            "with 2 (A+B), 3 (+C) or 4 (+D) lines"
        ),
        unavailable_reason="pipeline_games.coalition network not merged yet",
        needs=("pipeline_games.coalition", ("line_expansion_path",)),
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


def adapter_status(name: str) -> tuple[bool, str]:
    """Whether adapter ``name`` can be evaluated, and if not, why.

    Examples
    --------
    >>> adapter_status("bargaining")
    (True, '')
    """
    adapter = ADAPTERS[name]
    if adapter.function is None:
        return False, adapter.unavailable_reason or "solver not available"
    if adapter.needs is not None:
        import importlib

        module_name, names = adapter.needs
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return False, adapter.unavailable_reason
        if not all(hasattr(module, attr) for attr in names):
            return False, adapter.unavailable_reason
    return True, ""
