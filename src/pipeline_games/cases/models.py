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

__all__ = ["ADAPTERS", "Adapter", "adapter_status"]

FloatArray = NDArray[np.float64]
Params = Mapping[str, FloatArray]


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
    description
        One line for the docs and ``show``.
    """

    name: str
    function: Callable[[Params], dict[str, FloatArray]] | None
    required: tuple[str, ...]
    outputs: tuple[str, ...]
    description: str
    optional: tuple[str, ...] = ()
    defaults: Mapping[str, float] = field(default_factory=dict)
    unavailable_reason: str = ""
    needs: tuple[str, tuple[str, ...]] | None = None


def _bargaining(params: Params) -> dict[str, FloatArray]:
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


def _governance(params: Params) -> dict[str, FloatArray]:
    """Hold-up loss (first-best surplus minus the form's surplus) under spot and shared assets."""
    import importlib

    transaction: Any = importlib.import_module("pipeline_games.transaction")
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


_LINE_STEPS = {2: ("A", "B"), 3: ("A", "B", "C"), 4: ("A", "B", "C", "D")}


@functools.lru_cache(maxsize=1)
def network_path() -> Any:
    """Shapley/nucleolus per country of the Central Asia network as lines A-D are added.

    Uses :func:`pipeline_games.coalition.line_expansion_path` with its own sourced defaults.
    """
    import importlib

    coalition: Any = importlib.import_module("pipeline_games.coalition")
    return coalition.line_expansion_path(tuple(_LINE_STEPS.values()))


def _network(params: Params) -> dict[str, FloatArray]:
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
    # Adapters for solver families that live on other branches. They are registered so
    # claims can name their quantities; until the solver lands they are reported as
    # 'not evaluated'.
    "regime": Adapter(
        name="regime",
        function=None,
        required=(),
        outputs=("regime",),
        description="the source's three dependence regimes (pipeline_games.transaction)",
        unavailable_reason="pipeline_games.transaction regime rule not merged yet",
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
        unavailable_reason="pipeline_games.transaction governance model not merged yet",
        needs=("pipeline_games.transaction", ("spot", "joint_venture", "long_term_contract")),
    ),
    "diversification": Adapter(
        name="diversification",
        function=None,
        required=(),
        outputs=("buyer_payoff_diversified", "buyer_gain_from_diversification"),
        description="when raising the seller's outside option pays the buyer (pipeline_games.transaction)",
        unavailable_reason="pipeline_games.transaction diversification model not merged yet",
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
        function=None,
        required=(),
        outputs=("russia_builds_china_branch",),
        description="ESPO route-choice game by backward induction (pipeline_games.strategic)",
        unavailable_reason="pipeline_games.strategic route-choice game not merged yet",
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
