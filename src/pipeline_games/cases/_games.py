"""Two case games as game trees: Kazakhstan sequential investment and the ESPO route choice.

Both are stylised models of moves described in chapter 3 of the NIDS China Security Report
2020 (bibliography key ``nids_csr2020``). The games have no numbers of their own: every
parameter is required, and the case files (``china-kazakhstan-oil``, ``china-russia-oil``)
give each its value, ``[low, high]`` range, unit, kind and source. Money is in USD billions of
present value, prices in USD/bbl, volumes in Mt/yr. Player order is ``(buyer, seller)``:
China is player 0.

The models are small on purpose; their assumptions are not tuned to reproduce history. The
region functions sweep two parameters on a grid (one vectorized backward induction) and
report where the historical path is the subgame-perfect outcome and where it is not.

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("china-russia-oil")
>>> values = case.epoch_values(case.base, case.years[-1])
>>> game = espo_route_choice(**route_game_arguments(case.adapter_arguments("route_choice", values)))
>>> game.historical, game.outcome.shape
('China branch with loan', ())
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int, check_memory
from .._results import Result
from ..errors import InvalidParameterError
from ..strategic._extensive import (
    DecisionNode,
    GameTree,
    SubgamePerfectResult,
    TerminalNode,
    backward_induction,
)

__all__ = [
    "ESPO_ROUTE_MEANINGS",
    "KAZAKHSTAN_INVESTMENT_MEANINGS",
    "CaseGame",
    "OutcomeRegions",
    "espo_route_choice",
    "espo_route_regions",
    "kazakhstan_investment_regions",
    "kazakhstan_sequential_investment",
    "route_game_arguments",
]

FloatArray = NDArray[np.float64]
Params = Mapping[str, FloatArray]


#: What each parameter of `kazakhstan_sequential_investment` stands for.
KAZAKHSTAN_INVESTMENT_MEANINGS: dict[str, str] = {
    "stage1_cost": "capex of stage 1, sunk by China on entry",
    "stage2_cost": "capex of the line to China (stage 2 and the east-west section)",
    "stage1_volume": "crude moved by stage 1 from China's fields",
    "stage2_volume": "crude moved to China by the full line",
    "margin": "operating surplus per barrel, before the state's fiscal take",
    "years": "operating life",
    "discount_rate": "common discount rate",
    "fiscal_take": "Kazakhstan's share of operating surplus",
    "hold_up_share": "share of China's quasi-rent Kazakhstan takes by changing the rules / holding up",
    "rule_change_cost": "Kazakhstan's cost of each hold-up or rule change",
    "kmg_share": "KMG's share in the joint venture",
    "diversification_value": "Kazakhstan's gain from a second export route, once the line to China runs",
    "disruption_loss": "share of the venture's surplus destroyed by a hold-up conflict",
    "barrels_per_tonne": "barrels of crude per tonne",
}

#: What each parameter of `espo_route_choice` stands for.
ESPO_ROUTE_MEANINGS: dict[str, str] = {
    "oil_price": "crude price",
    "volume": "China branch contract volume",
    "years": "contract length",
    "loan": "loan-for-oil",
    "loan_rate": "interest rate of the loan",
    "russia_discount_rate": "Russian companies' cost of funds",
    "china_discount_rate": "China's opportunity cost of funds",
    "kazakh_supply_share": "share of ESPO volume China could replace via Kazakhstan",
    "buyer_discount": "price discount a sole buyer with full alternative supply can impose on a dedicated line",
    "asia_premium": "extra price in the Asia-Pacific market",
    "pacific_transport": "cost to bring a barrel to the Pacific coast once the extension exists",
    "china_transport": "cost to bring a barrel to the Chinese border",
    "pacific_capex": "Russia's capex to extend the line to the Pacific, for this volume",
    "holdout_gain": "price premium Russia could get by holding out, if China had no alternative supply",
    "delay_years": "how long holding out postpones the deal",
    "branch_capex_russia": "Russia's capex for the China branch",
    "branch_capex_china": "China's capex for the Mohe-Daqing side",
    "security_premium": "China's value of an overland barrel over a seaborne one",
    "barrels_per_tonne": "barrels of crude per tonne",
}

#: Units of the parameters of both games (they decide what values are allowed).
GAME_UNITS: dict[str, str] = {
    "stage1_cost": "USD bn",
    "stage2_cost": "USD bn",
    "stage1_volume": "Mt/yr",
    "stage2_volume": "Mt/yr",
    "margin": "USD/bbl",
    "years": "yr",
    "discount_rate": "1/yr",
    "fiscal_take": "share",
    "hold_up_share": "share",
    "rule_change_cost": "USD bn",
    "kmg_share": "share",
    "diversification_value": "USD bn",
    "disruption_loss": "share",
    "barrels_per_tonne": "bbl/t",
    "oil_price": "USD/bbl",
    "volume": "Mt/yr",
    "loan": "USD bn",
    "loan_rate": "1/yr",
    "russia_discount_rate": "1/yr",
    "china_discount_rate": "1/yr",
    "kazakh_supply_share": "share",
    "buyer_discount": "share of price",
    "asia_premium": "share of price",
    "pacific_transport": "USD/bbl",
    "china_transport": "USD/bbl",
    "pacific_capex": "USD bn",
    "holdout_gain": "share of price",
    "delay_years": "yr",
    "branch_capex_russia": "USD bn",
    "branch_capex_china": "USD bn",
    "security_premium": "USD/bbl",
}


@dataclass(frozen=True, eq=False, repr=False)
class CaseGame(Result):
    """A solved case game: the tree, its backward-induction solution and the parameters.

    Attributes
    ----------
    tree
        The [`GameTree`][pipeline_games.strategic.GameTree] (payoffs are arrays over the parameter grid).
    solution
        The [`SubgamePerfectResult`][pipeline_games.strategic.SubgamePerfectResult].
    parameters
        Parameter name -> the array used.
    outcome
        Name of the terminal node reached on the equilibrium path (grid shape).
    historical
        Name of the terminal node that matches what happened.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> game = kazakhstan_sequential_investment(
    ...     **case.adapter_arguments("investment", case.epoch_values(case.base, case.years[-1])))
    >>> game.historical
    'staged entry, 50/50 venture, no hold-up'
    """

    tree: GameTree
    solution: SubgamePerfectResult
    parameters: dict[str, FloatArray]
    outcome: NDArray[np.str_]
    historical: str

    @property
    def is_historical(self) -> NDArray[np.bool_]:
        """Whether the equilibrium path is the historical one (grid shape)."""
        return np.asarray(self.outcome == self.historical)


@dataclass(frozen=True, eq=False, repr=False)
class OutcomeRegions(Result):
    """Equilibrium outcomes over a two-parameter grid.

    Attributes
    ----------
    x_name, y_name
        The swept parameters.
    x, y
        Their grid values; ``outcome[j, i]`` belongs to ``(x[i], y[j])``.
    outcome
        ``(len(y), len(x))`` names of the equilibrium terminal nodes.
    historical
        The historical outcome's name.
    shares
        Outcome name -> share of grid points where it is the equilibrium.
    fixed
        The other parameters' values.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> args = case.adapter_arguments("route_choice", case.epoch_values(case.base, case.years[-1]))
    >>> price, rate = (case.parameters[case.mapping["route_choice"][name]]
    ...                for name in ("oil_price", "russia_discount_rate"))
    >>> regions = espo_route_regions(route_game_arguments(args), "oil_price",
    ...     "russia_discount_rate", x_range=(price.low, price.high),
    ...     y_range=(rate.low, rate.high), num=5)
    >>> regions.outcome.shape
    (5, 5)
    """

    x_name: str
    y_name: str
    x: FloatArray
    y: FloatArray
    outcome: NDArray[np.str_]
    historical: str
    shares: dict[str, float]
    fixed: dict[str, float]

    @property
    def historical_mask(self) -> NDArray[np.bool_]:
        """Where the historical outcome is the subgame-perfect one."""
        return np.asarray(self.outcome == self.historical)


def _resolve(names: Mapping[str, str], params: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    """Validate a game's keyword arguments: every name in ``names``, nothing else."""
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise InvalidParameterError(f"unknown parameter(s) {unknown}; allowed: {sorted(names)}")
    missing = sorted(set(names) - set(params))
    if missing:
        raise InvalidParameterError(
            f"missing parameter(s) {missing}: the game has no defaults; take them from the "
            "case file (Case.adapter_arguments)"
        )
    return {
        name: as_array(params[name], name, **_VALID_BY_UNIT.get(GAME_UNITS[name], {}))
        for name in names
    }


#: What a parameter's unit allows, whatever its plausible [low, high]: shares lie in [0, 1];
#: money amounts, volumes, durations and rates are not negative. Prices and margins (USD/bbl)
#: are left free: a margin can be negative.
_VALID_BY_UNIT: dict[str, dict[str, Any]] = {
    "share": {"low": 0.0, "high": 1.0},
    "share of price": {"low": 0.0, "high": 1.0},
    "USD bn": {"low": 0.0},
    "Mt/yr": {"low": 0.0},
    "yr": {"low": 0.0},
    "1/yr": {"low": 0.0},
    "bbl/t": {"low": 0.0, "low_open": True},
}


def _range(bounds: tuple[float, float], name: str) -> tuple[float, float]:
    values = as_array(bounds, name)
    if values.shape != (2,) or not values[0] <= values[1]:
        raise InvalidParameterError(f"{name} must be (low, high) with low <= high; got {bounds!r}")
    return float(values[0]), float(values[1])


def _annuity(rate: FloatArray, years: FloatArray) -> FloatArray:
    """Present value of 1 a year for ``years`` years at ``rate`` (``years`` if rate = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (1.0 - (1.0 + rate) ** (-years)) / rate
    return np.where(rate == 0.0, years, value)


#: Memory the case games keep per point of a region grid (about 520 bytes measured with
#: tracemalloc on the route game; doubled for margin).
_REGION_BYTES_PER_POINT = 1024


def _regions(
    solve: Callable[..., CaseGame],
    names: Mapping[str, str],
    base: Mapping[str, ArrayLike],
    x: str,
    y: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    num: int,
) -> OutcomeRegions:
    for name in (x, y):
        if name not in names:
            raise InvalidParameterError(f"{name!r} is not a parameter; allowed: {sorted(names)}")
    if x == y:
        raise InvalidParameterError(f"x and y must differ; got {x!r} twice")
    num = as_int(num, "num", low=2)
    # the games solve about 0.5 KiB per grid point (measured); refuse before the meshgrid
    check_memory(
        (num, num),
        _REGION_BYTES_PER_POINT,
        f"a {num} x {num} region grid (num={num})",
        hint="ask for a smaller num",
    )
    fixed = {}
    for name, value in base.items():
        if name in (x, y):
            continue
        fixed[name] = as_array(value, name, allow_inf=True)
        if fixed[name].ndim != 0:
            raise InvalidParameterError(
                f"{name} must be a single number (it is held fixed while {x} and {y} vary "
                f"over the grid); got an array of shape {fixed[name].shape}"
            )
    x_values = np.linspace(*_range(x_range, "x_range"), num)
    y_values = np.linspace(*_range(y_range, "y_range"), num)
    grid_x, grid_y = np.meshgrid(x_values, y_values)
    game = solve(**{**base, x: grid_x, y: grid_y})
    labels, counts = np.unique(game.outcome, return_counts=True)
    shares = {str(n): float(c) / game.outcome.size for n, c in zip(labels, counts, strict=True)}
    fixed_values = {name: float(value) for name, value in fixed.items()}
    return OutcomeRegions(
        x, y, x_values, y_values, game.outcome, game.historical, shares, fixed_values
    )


# -- Kazakhstan: sequential investment --------------------------------------------------
def _investment_label(terminal: str) -> str:
    """The outcome label of a terminal node of the investment game."""
    label = terminal.replace("rules changed: ", "")
    if label == "no entry":
        return label
    return "stage 1 only" if label == "stage 1 only" else f"staged entry, {label}"


def kazakhstan_sequential_investment(**params: ArrayLike) -> CaseGame:
    """China's staged entry into Kazakh oil, with Kazakhstan able to change the rules.

    Moves (China = player 0, Kazakhstan = player 1):

    1. China **enters** (buys the Aktyubinsk stake and sinks stage 1, cost ``c1``) or
       **stays out** (0, 0).
    2. Kazakhstan **keeps** the rules or **changes** them (the 2004 law: KMG 50% or more),
       taking ``h`` of China's stage-1 quasi-rent at cost ``k``.
    3. China **stops**, builds the line to China **alone** (only if the rules were kept) or
       as a **50/50 venture** with KMG (KMG pays ``s c2`` and owns ``s``).
    4. Kazakhstan **respects** the deal or **holds up**: alone, it takes ``h`` of China's
       whole quasi-rent; in the venture it takes ``h`` of China's share, but the conflict
       destroys ``d`` of the venture's surplus, KMG's own share included (mutual hostages).

    With ``V1`` and ``V2`` the present values of stage-1 and line-to-China operating surplus
    (volume x barrels per tonne x margin x annuity), China's stake earns ``(1 - tau)`` of them and
    Kazakhstan's fiscal take ``tau``; the line adds ``D`` to Kazakhstan (a non-Russian
    outlet). All payoffs are in USD bn of present value.

    Parameters
    ----------
    **params
        Every parameter named in `KAZAKHSTAN_INVESTMENT_MEANINGS` (numbers or
        broadcastable arrays); the game has no defaults.

    Returns
    -------
    CaseGame
        ``historical`` is ``"staged entry, 50/50 venture, no hold-up"``; the path may
        pass through a rule change (as in 2004) or not.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> args = case.adapter_arguments("investment", case.epoch_values(case.base, case.years[-1]))
    >>> margin = case.parameters[case.mapping["investment"]["margin"]]
    >>> game = kazakhstan_sequential_investment(**{**args, "margin": [margin.low, margin.high]})
    >>> game.outcome.shape, game.solution.payoffs.shape
    ((2,), (2, 2))
    """
    p = _resolve(KAZAKHSTAN_INVESTMENT_MEANINGS, params)
    annuity = _annuity(p["discount_rate"], p["years"])
    v1 = p["stage1_volume"] * p["barrels_per_tonne"] * p["margin"] * annuity / 1000.0  # USD bn
    v2 = p["stage2_volume"] * p["barrels_per_tonne"] * p["margin"] * annuity / 1000.0
    tau, h, k, s, d = (
        p[n]
        for n in (
            "fiscal_take",
            "hold_up_share",
            "rule_change_cost",
            "kmg_share",
            "disruption_loss",
        )
    )
    c1, c2, div = p["stage1_cost"], p["stage2_cost"], p["diversification_value"]
    china_stage1 = (1 - tau) * v1 - c1
    kz_stage1 = tau * v1
    taken1 = h * (1 - tau) * v1  # rule change after stage 1

    def after_stage1(
        china0: FloatArray, kz0: FloatArray, may_build_alone: bool, tag: str
    ) -> DecisionNode:
        actions: dict[str, Any] = {"stop": TerminalNode((china0, kz0), name=f"{tag}stage 1 only")}
        if may_build_alone:
            china_alone = china0 + (1 - tau) * v2 - c2
            kz_alone = kz0 + tau * v2 + div
            grab = h * (1 - tau) * (v1 + v2)
            actions["build alone"] = DecisionNode(
                1,
                {
                    "respect": TerminalNode(
                        (china_alone, kz_alone), name=f"{tag}alone, no hold-up"
                    ),
                    "hold up": TerminalNode(
                        (china_alone - grab, kz_alone + grab - k), name=f"{tag}alone, hold-up"
                    ),
                },
                name=f"{tag}Kazakhstan after line built alone",
            )
        china_jv = china0 + (1 - s) * ((1 - tau) * v2 - c2)
        kz_jv = kz0 + s * ((1 - tau) * v2 - c2) + tau * v2 + div
        grab_jv = h * (1 - s) * (1 - tau) * v2
        loss = d * (1 - tau) * v2
        actions["50/50 venture"] = DecisionNode(
            1,
            {
                "respect": TerminalNode((china_jv, kz_jv), name=f"{tag}50/50 venture, no hold-up"),
                "hold up": TerminalNode(
                    (china_jv - grab_jv - (1 - s) * loss, kz_jv + grab_jv - s * loss - k),
                    name=f"{tag}50/50 venture, hold-up",
                ),
            },
            name=f"{tag}Kazakhstan after venture",
        )
        return DecisionNode(0, actions, name=f"{tag}China after rules")

    root = DecisionNode(
        0,
        {
            "stay out": TerminalNode((np.zeros_like(v1), np.zeros_like(v1)), name="no entry"),
            "enter": DecisionNode(
                1,
                {
                    "keep rules": after_stage1(china_stage1, kz_stage1, True, ""),
                    "change rules": after_stage1(
                        china_stage1 - taken1, kz_stage1 + taken1 - k, False, "rules changed: "
                    ),
                },
                name="Kazakhstan after stage 1",
            ),
        },
        name="China entry",
    )
    tree = GameTree(root, players=("China", "Kazakhstan"))
    solution = backward_induction(tree)
    # One label per economic outcome: whether the rules changed on the way is in the path.
    # The few terminal names are relabelled once, then indexed by the terminal reached at
    # each point (what `solution.outcome()` picks), not string-edited point by point.
    terminals = [name for name in solution.reach if name not in solution.values]
    codes = np.argmax(np.stack([solution.reach[name] for name in terminals]), axis=0)
    outcome = np.array([_investment_label(name) for name in terminals])[codes]
    return CaseGame(
        tree, solution, p, np.asarray(outcome), "staged entry, 50/50 venture, no hold-up"
    )


def kazakhstan_investment_regions(
    base: Mapping[str, ArrayLike],
    x: str,
    y: str,
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    num: int = 41,
) -> OutcomeRegions:
    """Equilibrium outcome of `kazakhstan_sequential_investment` over a 2-D grid.

    Parameters
    ----------
    base
        Every parameter of the game (e.g. from ``Case.adapter_arguments``); ``x`` and ``y``
        are replaced by the grid.
    x, y
        Names of the two swept parameters.
    x_range, y_range
        ``(low, high)`` of each axis (e.g. the case parameter's range).
    num
        Grid points per axis.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> base = case.adapter_arguments("investment", case.epoch_values(case.base, case.years[-1]))
    >>> margin = case.parameters[case.mapping["investment"]["margin"]]
    >>> regions = kazakhstan_investment_regions(base, "hold_up_share", "margin",
    ...     x_range=(0.0, 1.0), y_range=(margin.low, margin.high), num=11)
    >>> regions.outcome.shape
    (11, 11)
    """
    return _regions(
        kazakhstan_sequential_investment,
        KAZAKHSTAN_INVESTMENT_MEANINGS,
        base,
        x,
        y,
        x_range,
        y_range,
        num,
    )


_ROUTE_GAME_ARGS = (
    "barrels_per_tonne",
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


def route_game_arguments(params: Params) -> dict[str, FloatArray]:
    """Keyword arguments of `pipeline_games.espo_route_choice` from the route-choice
    adapter's arguments: China's share of the ESPO volume it could replace through
    Kazakhstan is derived from the case's volumes, ``min(1, kazakh_volume / volume)``, as the
    game's own default is (10 / 15 Mt/yr).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> args = case.adapter_arguments("route_choice", case.epoch_values(case.base, case.years[-1]))
    >>> share = float(route_game_arguments(args)["kazakh_supply_share"])
    >>> share == min(1.0, float(args["kazakh_volume"]) / float(args["volume"]))
    True
    """
    if not isinstance(params, Mapping):
        raise InvalidParameterError(f"params must be a mapping of names to values; got {params!r}")
    missing = [n for n in ("volume", "kazakh_volume", *_ROUTE_GAME_ARGS) if n not in params]
    if missing:
        raise InvalidParameterError(f"params must give {', '.join(map(repr, missing))}")
    volume = params["volume"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.clip(np.where(volume > 0, params["kazakh_volume"] / volume, 0.0), 0.0, 1.0)
    return {
        "volume": volume,
        "kazakh_supply_share": share,
        **{name: params[name] for name in _ROUTE_GAME_ARGS},
    }


# -- Russia: ESPO route choice ----------------------------------------------------------
def espo_route_choice(**params: ArrayLike) -> CaseGame:
    """Russia's ESPO route choice after China's loan-for-oil offer (or none).

    Moves: China (player 0) **offers the loan** (``loan`` at ``loan_rate``, repaid in
    equal instalments over ``years``) **or not**; Russia (player 1) then builds the
    **China branch** (taking the loan if offered) or the **Pacific** extension.

    Russia's present values, at its cost of funds ``r_R`` (annuity ``a_R``), with ``B``
    barrels a year (volume x barrels per tonne):

    * Pacific: ``a_R B (P (1 + asia_premium) - pacific_transport) - pacific_capex``;
    * China branch: ``a_R B (P (1 - kazakh_supply_share * buyer_discount) - china_transport)
      - branch_capex_russia`` -- China's alternative supply via Kazakhstan lets it push the
      price of a dedicated line down (the source's "weakened bargaining position");
    * the loan adds ``L (1 - a_R / a_L)``: cash now repaid at ``loan_rate``, worth more the
      higher Russia's cost of funds after the 2008 crisis.

    China's values, at ``r_C``: with the branch, ``a_C B (security_premium (1 -
    kazakh_supply_share) + P kazakh_supply_share buyer_discount) - branch_capex_china``;
    the loan adds ``L (a_C / a_L - 1)``; the Pacific route gives China 0 (its imports by
    sea and via Kazakhstan are the reference).

    Returns
    -------
    CaseGame
        ``outcome`` is one of ``"China branch with loan"``, ``"China branch, no loan"``,
        ``"Pacific route"``; ``historical`` is ``"China branch with loan"``.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> args = route_game_arguments(
    ...     case.adapter_arguments("route_choice", case.epoch_values(case.base, case.years[-1])))
    >>> rate = case.parameters[case.mapping["route_choice"]["russia_discount_rate"]]
    >>> game = espo_route_choice(**{**args, "russia_discount_rate": [rate.low, rate.high]})
    >>> game.outcome.shape
    (2,)
    """
    p = _resolve(ESPO_ROUTE_MEANINGS, params)
    barrels = p["volume"] * p["barrels_per_tonne"] / 1000.0  # bn bbl / yr
    a_russia = _annuity(p["russia_discount_rate"], p["years"])
    a_china = _annuity(p["china_discount_rate"], p["years"])
    a_loan = _annuity(p["loan_rate"], p["years"])
    price = p["oil_price"]
    squeeze = p["kazakh_supply_share"] * p["buyer_discount"]
    russia_pacific = (
        a_russia * barrels * (price * (1 + p["asia_premium"]) - p["pacific_transport"])
        - p["pacific_capex"]
    )
    russia_branch = (
        a_russia * barrels * (price * (1 - squeeze) - p["china_transport"])
        - p["branch_capex_russia"]
    )
    later_price = price * (1 + p["holdout_gain"] * (1 - p["kazakh_supply_share"]))
    wait_russia = (1 + p["russia_discount_rate"]) ** (-p["delay_years"])
    wait_china = (1 + p["china_discount_rate"]) ** (-p["delay_years"])
    russia_holdout = wait_russia * (
        a_russia * barrels * (later_price * (1 - squeeze) - p["china_transport"])
        - p["branch_capex_russia"]
    )
    loan_to_russia = p["loan"] * (1 - a_russia / a_loan)
    china_gain_per_barrel = p["security_premium"] * (1 - p["kazakh_supply_share"]) + price * squeeze
    china_branch = a_china * barrels * china_gain_per_barrel - p["branch_capex_china"]
    china_holdout = wait_china * (
        a_china * barrels * (china_gain_per_barrel - (later_price - price) * (1 - squeeze))
        - p["branch_capex_china"]
    )
    loan_to_china = p["loan"] * (a_china / a_loan - 1)
    zero = np.zeros(np.broadcast_shapes(np.shape(russia_pacific), np.shape(china_holdout)))

    def russia_node(with_loan: bool) -> DecisionNode:
        tag = "with loan" if with_loan else "no loan"
        branch = (
            TerminalNode(
                (china_branch + loan_to_china, russia_branch + loan_to_russia),
                name="China branch with loan",
            )
            if with_loan
            else TerminalNode((china_branch, russia_branch), name="China branch, no loan")
        )
        return DecisionNode(
            1,
            {
                "China branch": branch,
                "Pacific": TerminalNode(
                    (zero, russia_pacific), name=f"Pacific route ({tag} offered)"
                ),
                "hold out": TerminalNode(
                    (china_holdout, russia_holdout), name=f"hold out ({tag} offered)"
                ),
            },
            name=f"Russia route ({tag} offered)",
        )

    root = DecisionNode(
        0, {"no loan": russia_node(False), "offer loan": russia_node(True)}, name="China loan offer"
    )
    tree = GameTree(root, players=("China", "Russia"))
    solution = backward_induction(tree)
    outcome = solution.outcome().astype(str)
    outcome = np.where(np.char.startswith(outcome, "Pacific route"), "Pacific route", outcome)
    outcome = np.where(
        np.char.startswith(outcome, "hold out"), "hold out, later China branch", outcome
    )
    values = {**p, "loan_value_to_russia": loan_to_russia, "loan_value_to_china": loan_to_china}
    return CaseGame(tree, solution, values, np.asarray(outcome), "China branch with loan")


def espo_route_regions(
    base: Mapping[str, ArrayLike],
    x: str,
    y: str,
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    num: int = 41,
) -> OutcomeRegions:
    """Equilibrium outcome of `espo_route_choice` over a 2-D parameter grid.

    Parameters as in `kazakhstan_investment_regions`.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> args = case.adapter_arguments("route_choice", case.epoch_values(case.base, case.years[-1]))
    >>> price = case.parameters[case.mapping["route_choice"]["oil_price"]]
    >>> regions = espo_route_regions(route_game_arguments(args), "oil_price", "loan",
    ...     x_range=(price.low, price.high), y_range=(0.0, 2.0 * float(args["loan"])), num=21)
    >>> round(sum(regions.shares.values()), 12)
    1.0
    """
    return _regions(espo_route_choice, ESPO_ROUTE_MEANINGS, base, x, y, x_range, y_range, num)


#: The investment game's parameters that the case maps directly (``stage2_volume`` is the
#: bargaining volume).
_INVESTMENT_GAME_ARGS = tuple(
    name for name in KAZAKHSTAN_INVESTMENT_MEANINGS if name != "stage2_volume"
)
