"""Two case games as game trees: Kazakhstan sequential investment and the ESPO route choice.

Both are stylised models of moves described in the casebook (chapter 3 of the 2019 report in
``seeds/000_640d1bb6b6977cc8.txt``). Every parameter has a default value, a ``[low, high]``
range, a unit, a kind (``reported`` | ``derived`` | ``assumption``) and a source, returned by
:func:`kazakhstan_investment_parameters` and :func:`espo_route_parameters`. Money is in USD
billions of present value, prices in USD/bbl, volumes in Mt/yr. Player order is
``(buyer, seller)``: China is player 0.

The models are small on purpose; their assumptions are not tuned to reproduce history. The
region functions sweep two parameters on a grid (one vectorized backward induction) and
report where the historical path is the subgame-perfect outcome and where it is not.

Examples
--------
>>> from pipeline_games.strategic import espo_route_choice
>>> game = espo_route_choice()
>>> str(game.outcome)
'China branch with loan'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_int
from ..errors import InvalidParameterError
from ._sources import SourcedValue
from ..strategic._extensive import (
from .._results import Result
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
    "espo_route_parameters",
    "espo_route_regions",
    "kazakhstan_investment_parameters",
    "kazakhstan_investment_regions",
    "kazakhstan_sequential_investment",
]

FloatArray = NDArray[np.float64]
SEED_REPORT = "seeds/000_640d1bb6b6977cc8.txt, ch. 3"
BARRELS_PER_TONNE = 7.33


#: What each parameter of :func:`kazakhstan_sequential_investment` stands for.
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
}

#: What each parameter of :func:`espo_route_choice` stands for.
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
}


@dataclass(frozen=True, eq=False, repr=False)
class CaseGame(Result):
    """A solved case game: the tree, its backward-induction solution and the parameters.

    Attributes
    ----------
    tree
        The :class:`GameTree` (payoffs are arrays over the parameter grid).
    solution
        The :class:`SubgamePerfectResult`.
    parameters
        Parameter name -> the array used.
    outcome
        Name of the terminal node reached on the equilibrium path (grid shape).
    historical
        Name of the terminal node that matches what happened.

    Examples
    --------
    >>> game = kazakhstan_sequential_investment()
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
    >>> regions = espo_route_regions(num=5)
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


def _resolve(
    defaults: Mapping[str, SourcedValue], params: Mapping[str, ArrayLike]
) -> dict[str, FloatArray]:
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise InvalidParameterError(f"unknown parameter(s) {unknown}; allowed: {sorted(defaults)}")
    values = {}
    for name, meta in defaults.items():
        raw = params.get(name, meta.value)
        values[name] = as_array(raw, name, **_VALID_BY_UNIT.get(meta.unit, {}))
    return values


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
}


def _annuity(rate: FloatArray, years: FloatArray) -> FloatArray:
    """Present value of 1 a year for ``years`` years at ``rate`` (``years`` if rate = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (1.0 - (1.0 + rate) ** (-years)) / rate
    return np.where(rate == 0.0, years, value)


def _regions(
    solve: Callable[..., CaseGame],
    defaults: Mapping[str, SourcedValue],
    x: str,
    y: str,
    x_range: tuple[float, float] | None,
    y_range: tuple[float, float] | None,
    num: int,
    fixed: Mapping[str, ArrayLike],
) -> OutcomeRegions:
    for name in (x, y):
        if name not in defaults:
            raise InvalidParameterError(f"{name!r} is not a parameter; allowed: {sorted(defaults)}")
    if x == y:
        raise InvalidParameterError(f"x and y must differ; got {x!r} twice")
    num = as_int(num, "num", low=2)
    x_low, x_high = x_range if x_range is not None else (defaults[x].low, defaults[x].high)
    y_low, y_high = y_range if y_range is not None else (defaults[y].low, defaults[y].high)
    x_values = np.linspace(x_low, x_high, num)
    y_values = np.linspace(y_low, y_high, num)
    grid_x, grid_y = np.meshgrid(x_values, y_values)
    game = solve(**{**fixed, x: grid_x, y: grid_y})
    names, counts = np.unique(game.outcome, return_counts=True)
    shares = {str(n): float(c) / game.outcome.size for n, c in zip(names, counts, strict=True)}
    fixed_values = {
        name: float(np.asarray(fixed.get(name, meta.value)))
        for name, meta in defaults.items()
        if name not in (x, y)
    }
    return OutcomeRegions(
        x, y, x_values, y_values, game.outcome, game.historical, shares, fixed_values
    )


# -- Kazakhstan: sequential investment --------------------------------------------------
def kazakhstan_investment_parameters() -> dict[str, SourcedValue]:
    """Default parameters of :func:`kazakhstan_sequential_investment`, with provenance.

    Examples
    --------
    >>> p = kazakhstan_investment_parameters()
    >>> p["kmg_share"].value, p["kmg_share"].kind
    (0.5, 'reported')
    """
    kz = f"{SEED_REPORT} (China-Kazakhstan oil, Fig. 3.6-3.7 narrative)"
    return {
        "stage1_cost": SourcedValue(
            0.33,
            0.2,
            0.8,
            "USD bn",
            "derived",
            "Kenkiyak-Atyrau 448 km (Xinhua 2005, CALIBRATION 2e) at the Atasu-Alashankou cost "
            "per km (USD 0.7 bn / 962 km, RFE/RL 2006, CALIBRATION 2e); range an assumption",
        ),
        "stage2_cost": SourcedValue(
            0.7,
            0.7,
            2.7,
            "USD bn",
            "reported",
            "Atasu-Alashankou USD 0.7 bn (RFE/RL 2006, CALIBRATION 2e); high end: whole "
            "Atyrau-Dushanzi system ~USD 3 bn (Xinhua 2004) less stage 1",
        ),
        "stage1_volume": SourcedValue(
            4.0,
            2.0,
            8.0,
            "Mt/yr",
            "assumption",
            "order of the 4 Mt first-year throughput of the China line (Xinhua 2007, "
            "CALIBRATION 2e); stage-1 volume itself not reported",
        ),
        "stage2_volume": SourcedValue(
            10.0,
            10.0,
            20.0,
            "Mt/yr",
            "reported",
            "initial 10 Mt/yr, design 20 Mt/yr (Xinhua 2005, RFE/RL 2006, CALIBRATION 2e)",
        ),
        "margin": SourcedValue(
            8.0,
            1.0,
            20.0,
            "USD/bbl",
            "assumption",
            "not in the sources; operating margin of field plus pipeline after costs",
        ),
        "years": SourcedValue(20.0, 10.0, 30.0, "yr", "assumption", "project life; not reported"),
        "discount_rate": SourcedValue(0.08, 0.05, 0.12, "1/yr", "assumption", "not reported"),
        "fiscal_take": SourcedValue(
            0.5, 0.3, 0.7, "share", "assumption", "PSA terms not reported; typical state take range"
        ),
        "hold_up_share": SourcedValue(
            0.25,
            0.0,
            0.5,
            "share",
            "assumption",
            f"bounded by the 2004 rule that KMG hold 50% or more ({kz}); the part of the "
            "investor's quasi-rent taken without compensation is not reported",
        ),
        "rule_change_cost": SourcedValue(
            0.3,
            0.0,
            2.0,
            "USD bn",
            "assumption",
            "not reported: reputation cost with other investors, legal cost",
        ),
        "kmg_share": SourcedValue(
            0.5,
            0.5,
            0.5,
            "share",
            "reported",
            f"2007 CNPC-KMG agreement to invest 50% each in the east-west section ({kz})",
        ),
        "diversification_value": SourcedValue(
            1.0,
            0.0,
            5.0,
            "USD bn",
            "assumption",
            f"Kazakhstan's exports were limited to Russia in the 1990s ({SEED_REPORT}); value of "
            "a non-Russian outlet not reported",
        ),
        "disruption_loss": SourcedValue(0.5, 0.0, 1.0, "share", "assumption", "not reported"),
    }


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
    (volume x 7.33 bbl/t x margin x annuity), China's stake earns ``(1 - tau)`` of them and
    Kazakhstan's fiscal take ``tau``; the line adds ``D`` to Kazakhstan (a non-Russian
    outlet). All payoffs are in USD bn of present value.

    Parameters
    ----------
    **params
        Any of :func:`kazakhstan_investment_parameters` (numbers or broadcastable arrays);
        the others take their defaults.

    Returns
    -------
    CaseGame
        ``historical`` is ``"staged entry, 50/50 venture, no hold-up"``; the path may
        pass through a rule change (as in 2004) or not.

    Examples
    --------
    >>> game = kazakhstan_sequential_investment(margin=[2.0, 8.0])
    >>> game.outcome.tolist()
    ['no entry', 'staged entry, 50/50 venture, no hold-up']
    """
    p = _resolve(kazakhstan_investment_parameters(), params)
    annuity = _annuity(p["discount_rate"], p["years"])
    v1 = p["stage1_volume"] * BARRELS_PER_TONNE * p["margin"] * annuity / 1000.0  # USD bn
    v2 = p["stage2_volume"] * BARRELS_PER_TONNE * p["margin"] * annuity / 1000.0
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
    outcome = solution.outcome()
    # One label per economic outcome: whether the rules changed on the way is in the path.
    outcome = np.char.replace(outcome.astype(str), "rules changed: ", "")
    outcome = np.where(outcome == "no entry", "no entry", np.char.add("staged entry, ", outcome))
    outcome = np.where(outcome == "staged entry, stage 1 only", "stage 1 only", outcome)
    return CaseGame(
        tree, solution, p, np.asarray(outcome), "staged entry, 50/50 venture, no hold-up"
    )


def kazakhstan_investment_regions(
    x: str = "hold_up_share",
    y: str = "margin",
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    num: int = 41,
    **fixed: ArrayLike,
) -> OutcomeRegions:
    """Equilibrium outcome of :func:`kazakhstan_sequential_investment` over a 2-D grid.

    Parameters
    ----------
    x, y
        Names of the two swept parameters (default: hold-up share and margin).
    x_range, y_range
        ``(low, high)``; default the parameter's documented range.
    num
        Grid points per axis.
    **fixed
        Values for other parameters.

    Examples
    --------
    >>> regions = kazakhstan_investment_regions(num=11)
    >>> sorted(regions.shares)
    ['no entry', 'staged entry, 50/50 venture, no hold-up', 'staged entry, alone, no hold-up']
    """
    return _regions(
        kazakhstan_sequential_investment,
        kazakhstan_investment_parameters(),
        x,
        y,
        x_range,
        y_range,
        num,
        fixed,
    )


# -- Russia: ESPO route choice ----------------------------------------------------------
def espo_route_parameters() -> dict[str, SourcedValue]:
    """Default parameters of :func:`espo_route_choice`, with provenance.

    Examples
    --------
    >>> espo_route_parameters()["loan_rate"].source.split(";")[0]
    '~6% reported (domain-b.com 18 Feb 2009, CALIBRATION 2b)'
    """
    espo = f"{SEED_REPORT} (China-Russia oil, ESPO)"
    return {
        "oil_price": SourcedValue(
            61.0,
            40.0,
            102.0,
            "USD/bbl",
            "derived",
            "default: Kazakh line's first-year value USD 1.8 bn for 4 Mt = ~450 USD/t (Xinhua 2007, "
            "CALIBRATION 2e) / 7.33 bbl/t; high: implied 2013 Rosneft-CNPC price ~102 USD/bbl "
            f"(CALIBRATION 2c); low 40: assumption for the late-2008 collapse ({espo})",
        ),
        "volume": SourcedValue(
            15.0,
            15.0,
            15.0,
            "Mt/yr",
            "reported",
            "15 Mt/yr for 20 years (China Daily 17 Feb 2009, CALIBRATION 2b)",
        ),
        "years": SourcedValue(
            20.0, 20.0, 20.0, "yr", "reported", "China Daily 2009 (CALIBRATION 2b)"
        ),
        "loan": SourcedValue(
            25.0,
            20.0,
            25.0,
            "USD bn",
            "reported",
            "China Development Bank loan, China Daily 17 Feb 2009; 20-25 pre-deal (RIA Novosti 2008); CALIBRATION 2b",
        ),
        "loan_rate": SourcedValue(
            0.06,
            0.06,
            0.07,
            "1/yr",
            "reported",
            "~6% reported (domain-b.com 18 Feb 2009, CALIBRATION 2b); Russia sought 7% fixed (OGJ 2009)",
        ),
        "russia_discount_rate": SourcedValue(
            0.10,
            0.05,
            0.15,
            "1/yr",
            "assumption",
            f"not reported; stands for the worsened financing of Rosneft/Transneft after 2008 ({espo})",
        ),
        "china_discount_rate": SourcedValue(0.05, 0.03, 0.08, "1/yr", "assumption", "not reported"),
        "kazakh_supply_share": SourcedValue(
            0.67,
            0.0,
            1.0,
            "share",
            "derived",
            "Kazakh line initial 10 Mt/yr (Xinhua 2005, CALIBRATION 2e) / 15 Mt/yr ESPO volume; "
            f"0 = before the Kazakh line ({espo})",
        ),
        "buyer_discount": SourcedValue(
            0.05,
            0.02,
            0.13,
            "share of price",
            "assumption",
            "range from the 2011 dispute: CNPC short-paid 2-3% and asked a 9-13% tariff "
            "coefficient (Helmer; Interfax 31 May 2011; CALIBRATION 2f); default an assumption",
        ),
        "asia_premium": SourcedValue(
            0.03,
            0.0,
            0.08,
            "share of price",
            "assumption",
            "not reported; Asia-Pacific price premium over the China-border price",
        ),
        "pacific_transport": SourcedValue(
            1.5,
            0.5,
            3.0,
            "USD/bbl",
            "assumption",
            "not reported; operating cost of ~2,000 km more pipe from Skovorodino to the coast "
            "(distance: OGJ 2010, CALIBRATION 2f)",
        ),
        "china_transport": SourcedValue(
            0.5,
            0.2,
            1.5,
            "USD/bbl",
            "assumption",
            "not reported; Skovorodino-border 67 km (OGJ 2010, CALIBRATION 2f)",
        ),
        "pacific_capex": SourcedValue(
            5.0,
            2.0,
            12.0,
            "USD bn",
            "assumption",
            "not in the sources; the part of a Pacific extension's cost attributable to 15 of "
            "ESPO-1's 30 Mt/yr (capacity: RIA 2008, CALIBRATION 2b)",
        ),
        "holdout_gain": SourcedValue(
            0.05,
            0.0,
            0.15,
            "share of price",
            "assumption",
            f"not reported; Russia kept its route preference obscure to get better terms ({SEED_REPORT}, ESPO)",
        ),
        "delay_years": SourcedValue(
            2.0,
            1.0,
            4.0,
            "yr",
            "assumption",
            "not reported; the route stayed open from 2008 to 2009 (seed, ch. 3)",
        ),
        "branch_capex_russia": SourcedValue(
            0.1,
            0.05,
            0.5,
            "USD bn",
            "assumption",
            "Russian spur ~64 km (China Economic Review 2008, CALIBRATION 2b); cost not reported",
        ),
        "branch_capex_china": SourcedValue(
            0.7,
            0.7,
            3.0,
            "USD bn",
            "derived",
            "Chinese side ~965 km (CALIBRATION 2b) priced like Atasu-Alashankou, 962 km for USD 0.7 bn "
            "(CALIBRATION 2e); range an assumption",
        ),
        "security_premium": SourcedValue(
            3.0,
            0.0,
            10.0,
            "USD/bbl",
            "assumption",
            f"not reported; value China puts on overland supply avoiding the sea lanes ({SEED_REPORT}, context)",
        ),
    }


def espo_route_choice(**params: ArrayLike) -> CaseGame:
    """Russia's ESPO route choice after China's loan-for-oil offer (or none).

    Moves: China (player 0) **offers the loan** (``loan`` at ``loan_rate``, repaid in
    equal instalments over ``years``) **or not**; Russia (player 1) then builds the
    **China branch** (taking the loan if offered) or the **Pacific** extension.

    Russia's present values, at its cost of funds ``r_R`` (annuity ``a_R``), with ``B``
    barrels a year (volume x 7.33):

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
    >>> game = espo_route_choice(oil_price=102.0, russia_discount_rate=[0.05, 0.10])
    >>> game.outcome.tolist()
    ['Pacific route', 'China branch with loan']
    """
    p = _resolve(espo_route_parameters(), params)
    barrels = p["volume"] * BARRELS_PER_TONNE / 1000.0  # bn bbl / yr
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
    x: str = "oil_price",
    y: str = "russia_discount_rate",
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    num: int = 41,
    **fixed: ArrayLike,
) -> OutcomeRegions:
    """Equilibrium outcome of :func:`espo_route_choice` over a 2-D parameter grid.

    Default axes: the oil price and the share of ESPO volume China could replace through
    Kazakhstan, the two changes the source credits for Russia's 2009 choice.

    Examples
    --------
    >>> regions = espo_route_regions(num=21)
    >>> round(regions.shares["China branch with loan"], 2) > 0
    True
    """
    return _regions(espo_route_choice, espo_route_parameters(), x, y, x_range, y_range, num, fixed)
