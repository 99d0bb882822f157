"""The source's dependence regimes, as an explicit rule with parameters.

The report's transaction-cost section sorts China's pipeline dyads by how much each side
depends on the other and whether the assets are shared. This module states that sorting as
a rule on numbers, so that a dyad's regime follows from its inputs and moves when they (or
the thresholds) move.

Inputs (order (buyer, seller) everywhere)
-----------------------------------------
``dependence``
    Each side's share of its trade in the commodity that goes through this partner (the
    buyer's import share from the seller; the seller's export share to the buyer).
``outside_option``
    Each side's redeployable share: the part of the relationship's volume it could place
    with other partners (or other uses) if the relationship ended. ``1 - outside_option``
    is the specificity of its position in the trade.
``shared_assets``
    The share of the dyad's jointly used specific asset (the cross-border pipeline) that
    the two sides own together, measured as the smaller partner's equity (0.5 for a 50/50
    venture, 0 when each side owns its own section).

The rule
--------
1. A side is *important-trading* when its dependence is at least ``importance_threshold``,
   and *dependent* when it is important-trading and its outside option is below
   ``outside_option_threshold``.
2. **Mutual dependence** (regime 1): both sides are dependent, or the specific asset is
   shared (``shared_assets >= shared_assets_threshold``). Co-ownership of an asset that is
   worth little outside the dyad gives each side a hostage (Williamson 1983), whatever its
   trade shares.
3. **One-sided dependence** (regime 3): exactly one side is dependent.
4. **Alternatives on both sides** (regime 2): neither is dependent, but the trade is
   important to both.
5. **No dependence** (spot market): otherwise.

Default thresholds and why
--------------------------
``importance_threshold = 0.10``: a partner that carries a tenth of a side's trade cannot be
replaced without a visible reallocation; below that the trade is marginal for that side.
``outside_option_threshold = 0.5``: below one half, most of the value of a side's position
in the trade is quasi-rent exposed to the partner. ``shared_assets_threshold = 0.25``: a
quarter of the equity is the usual size of a blocking minority, the stake that gives its
holder a say over the asset, and so makes the asset a hostage for both. These are
assumptions: the source gives no numbers; change them and the classification follows.

References
----------
Williamson, O. E. (1983). Credible commitments: using hostages to support exchange.
*American Economic Review* 73(4), 519-540.
Hirschman, A. O. (1945). *National Power and the Structure of Foreign Trade*. University
of California Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_pair, broadcast_named, stack_last
from ..errors import InvalidParameterError
from ..sources import SourcedValue

__all__ = [
    "REGIMES",
    "REGIME_ALTERNATIVES",
    "REGIME_MUTUAL",
    "REGIME_NONE",
    "REGIME_ONE_SIDED",
    "DyadInputs",
    "RegimeResult",
    "casebook_dyads",
    "classify_dyad",
    "classify_regime",
]

FloatArray = NDArray[np.float64]

#: No dependence: a spot market will do.
REGIME_NONE = 0
#: Mutual dependence with shared assets (the source's regime 1).
REGIME_MUTUAL = 1
#: Mutual importance, alternatives on both sides (the source's regime 2).
REGIME_ALTERNATIVES = 2
#: One-sided dependence (the source's regime 3).
REGIME_ONE_SIDED = 3
#: Regime names, indexed by the codes above.
REGIMES = (
    "no_dependence",
    "mutual_dependence",
    "alternatives_on_both_sides",
    "one_sided_dependence",
)


@dataclass(frozen=True, eq=False)
class RegimeResult:
    """Regime of each dyad and the facts that decided it.

    Attributes
    ----------
    regime
        ``int8`` codes (:data:`REGIME_NONE`, :data:`REGIME_MUTUAL`,
        :data:`REGIME_ALTERNATIVES`, :data:`REGIME_ONE_SIDED`).
    dependent
        Boolean array ``(..., 2)``: is the buyer / the seller dependent.
    important
        Boolean array ``(..., 2)``: is the trade important to the buyer / the seller.
    shared
        Boolean array: is the specific asset shared.
    method, parameters
        ``"regime_rule"``, inputs and thresholds.
    players
        ``("buyer", "seller")``.

    Examples
    --------
    >>> out = classify_regime(dependence=(0.5, 0.75), outside_option=(1.0, 0.3))
    >>> str(out.labels()), str(out.dependent_side())
    ('one_sided_dependence', 'seller')
    """

    regime: NDArray[np.int8]
    dependent: NDArray[np.bool_]
    important: NDArray[np.bool_]
    shared: NDArray[np.bool_]
    method: str = "regime_rule"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")

    def labels(self) -> NDArray[np.str_]:
        """Regime names, per dyad."""
        return np.array(REGIMES)[self.regime]

    def dependent_side(self) -> NDArray[np.str_]:
        """``"none"``, ``"buyer"``, ``"seller"`` or ``"both"``: who is dependent."""
        code = self.dependent[..., 0].astype(np.intp) + 2 * self.dependent[..., 1]
        return np.array(["none", self.players[0], self.players[1], "both"])[code]


def classify_regime(
    dependence: Any,
    outside_option: Any,
    shared_assets: ArrayLike = 0.0,
    *,
    importance_threshold: ArrayLike = 0.10,
    outside_option_threshold: ArrayLike = 0.5,
    shared_assets_threshold: ArrayLike = 0.25,
) -> RegimeResult:
    """Sort dyads into the source's regimes by the rule in the module docstring.

    Parameters
    ----------
    dependence
        ``(buyer, seller)`` trade shares through the partner, each in ``[0, 1]``.
    outside_option
        ``(buyer, seller)`` redeployable shares, each in ``[0, 1]``.
    shared_assets
        Jointly owned share of the specific asset, in ``[0, 0.5]`` (0.5 = a 50/50 venture).
    importance_threshold, outside_option_threshold, shared_assets_threshold
        The rule's thresholds (see the module docstring for the defaults' rationale).

    Examples
    --------
    >>> str(classify_regime((0.05, 0.25), (0.9, 0.5), shared_assets=0.5).labels())
    'mutual_dependence'
    >>> str(classify_regime((0.14, 0.22), (0.86, 0.7)).labels())
    'alternatives_on_both_sides'
    >>> str(classify_regime((0.02, 0.05), (0.9, 0.9)).labels())
    'no_dependence'
    """
    dep_buyer, dep_seller = as_pair(dependence, "dependence", low=0.0, high=1.0)
    opt_buyer, opt_seller = as_pair(outside_option, "outside_option", low=0.0, high=1.0)
    shared_array = as_array(shared_assets, "shared_assets", low=0.0, high=0.5)
    importance = as_array(importance_threshold, "importance_threshold", low=0.0, high=1.0)
    option_cut = as_array(outside_option_threshold, "outside_option_threshold", low=0.0, high=1.0)
    shared_cut = as_array(
        shared_assets_threshold, "shared_assets_threshold", low=0.0, high=0.5, low_open=True
    )
    shape = broadcast_named(
        **{
            "dependence[0]": dep_buyer,
            "dependence[1]": dep_seller,
            "outside_option[0]": opt_buyer,
            "outside_option[1]": opt_seller,
            "shared_assets": shared_array,
            "importance_threshold": importance,
            "outside_option_threshold": option_cut,
            "shared_assets_threshold": shared_cut,
        }
    )
    important_buyer = dep_buyer >= importance
    important_seller = dep_seller >= importance
    dependent_buyer = important_buyer & (opt_buyer < option_cut)
    dependent_seller = important_seller & (opt_seller < option_cut)
    shared = np.broadcast_to(shared_array >= shared_cut, shape)
    regime = np.full(shape, REGIME_NONE, dtype=np.int8)
    regime[np.broadcast_to(important_buyer & important_seller, shape)] = REGIME_ALTERNATIVES
    regime[np.broadcast_to(dependent_buyer ^ dependent_seller, shape)] = REGIME_ONE_SIDED
    regime[np.broadcast_to(dependent_buyer & dependent_seller, shape) | shared] = REGIME_MUTUAL
    dependent = np.zeros((*shape, 2), dtype=bool)
    dependent[..., 0] = dependent_buyer
    dependent[..., 1] = dependent_seller
    important = np.zeros((*shape, 2), dtype=bool)
    important[..., 0] = important_buyer
    important[..., 1] = important_seller
    return RegimeResult(
        regime=regime,
        dependent=dependent,
        important=important,
        shared=np.array(shared),
        parameters={
            "dependence": stack_last(dep_buyer, dep_seller, shape),
            "outside_option": stack_last(opt_buyer, opt_seller, shape),
            "shared_assets": shared_array,
            "importance_threshold": importance,
            "outside_option_threshold": option_cut,
            "shared_assets_threshold": shared_cut,
        },
    )


# -- sourced inputs for the four casebook dyads ------------------------------------------
@dataclass(frozen=True)
class DyadInputs:
    """The regime rule's inputs for one dyad, each a :class:`SourcedValue`.

    Attributes
    ----------
    name
        A short name, e.g. ``"china-turkmenistan-gas"``.
    buyer_dependence, seller_dependence, buyer_outside_option, seller_outside_option,
    shared_assets
        The rule's inputs (see :func:`classify_regime`).
    source_regime
        The regime the source assigns (one of :data:`REGIMES`): the claim to check.
    period
        The years the figures describe.

    Examples
    --------
    >>> dyad = casebook_dyads()["china-turkmenistan-gas"]
    >>> dyad.buyer_dependence.value
    0.514
    """

    name: str
    buyer_dependence: SourcedValue
    seller_dependence: SourcedValue
    buyer_outside_option: SourcedValue
    seller_outside_option: SourcedValue
    shared_assets: SourcedValue
    source_regime: str
    period: str

    def values(self, which: str = "value") -> dict[str, Any]:
        """Keyword arguments for :func:`classify_regime` at ``value``, ``low`` or ``high``.

        Examples
        --------
        >>> casebook_dyads()["china-kazakhstan-oil"].values()["shared_assets"]
        0.5
        """
        if which not in ("value", "low", "high"):
            raise InvalidParameterError(f"which must be 'value', 'low' or 'high'; got {which!r}")
        return {
            "dependence": (
                getattr(self.buyer_dependence, which),
                getattr(self.seller_dependence, which),
            ),
            "outside_option": (
                getattr(self.buyer_outside_option, which),
                getattr(self.seller_outside_option, which),
            ),
            "shared_assets": getattr(self.shared_assets, which),
        }


SEED_REPORT = "seed 000_640d1bb6b6977cc8.txt (2019 report)"
SEED_REVIEW = "seed 004_dd7d01e41afda489.txt (Jan. 2014 review)"
CALIBRATION = "shared/CALIBRATION.md"


def casebook_dyads() -> dict[str, DyadInputs]:
    """Sourced inputs of the regime rule for the four casebook dyads.

    Every number carries its range and source; ``kind`` says whether it is reported,
    derived or an assumption. Shares are fractions (unit ``"share"``).

    Examples
    --------
    >>> sorted(casebook_dyads())
    ['china-kazakhstan-oil', 'china-russia-gas', 'china-russia-oil', 'china-turkmenistan-gas']
    """
    share = "share"
    return {
        "china-kazakhstan-oil": DyadInputs(
            name="china-kazakhstan-oil",
            buyer_dependence=SourcedValue(
                0.047,
                0.047,
                0.047,
                share,
                "reported",
                f"{SEED_REPORT}, ch. 3 sec. 2(1): Kazakhstan 0.4 Mb/d = 4.7% of China's "
                "8.48 Mb/d crude imports in 2017",
            ),
            seller_dependence=SourcedValue(
                0.25,
                0.15,
                0.35,
                share,
                "assumption",
                "0.4 Mb/d to China (seed report, 2017) against Kazakh crude exports of "
                "roughly 1.2-1.5 Mb/d (public trade statistics, not in the seeds)",
            ),
            buyer_outside_option=SourcedValue(
                0.9,
                0.7,
                1.0,
                share,
                "assumption",
                "China can replace a 4.7% supplier with seaborne crude; the report "
                "(ch. 3 sec. 3) stresses limited overland alternatives, hence the low end",
            ),
            seller_outside_option=SourcedValue(
                0.5,
                0.3,
                0.7,
                share,
                "assumption",
                f"{SEED_REPORT}, ch. 3 sec. 2(1): Kazakh exports once limited to Russia, "
                "CPC to Europe slowed; eastern fields have few westward outlets",
            ),
            shared_assets=SourcedValue(
                0.5,
                0.5,
                0.5,
                share,
                "reported",
                f"{SEED_REPORT}, ch. 3 sec. 2(1) and sec. 3: 2007 CNPC-KMG 50/50 investment "
                "in the remaining east-west section; the countries share the pipeline",
            ),
            source_regime=REGIMES[REGIME_MUTUAL],
            period="2007-2017",
        ),
        "china-russia-oil": DyadInputs(
            name="china-russia-oil",
            buyer_dependence=SourcedValue(
                0.142,
                0.11,
                0.142,
                share,
                "reported",
                f"{SEED_REPORT}, ch. 3 sec. 2(1): Russia 1.2 Mb/d = 14.2% of China's crude "
                "imports in 2017 (low: 11% by rail in 2006)",
            ),
            seller_dependence=SourcedValue(
                0.22,
                0.15,
                0.3,
                share,
                "assumption",
                "1.2 Mb/d to China (seed report, 2017) against Russian crude exports of "
                "about 5 Mb/d (public statistics, not in the seeds)",
            ),
            buyer_outside_option=SourcedValue(
                0.858,
                0.7,
                1.0,
                share,
                "derived",
                "1 - 0.142: the rest of China's crude imports come from the seaborne market "
                f"({SEED_REPORT}, ch. 3 sec. 2(1))",
            ),
            seller_outside_option=SourcedValue(
                0.7,
                0.5,
                0.9,
                share,
                "assumption",
                f"{SEED_REPORT}, ch. 3 sec. 3 (Russia's pipelines can serve Europe and the "
                f"Asia-Pacific); {CALIBRATION} sec. 2b: ESPO-1 carries 30 Mt/yr of which "
                "the China spur takes 15, the rest goes to the Pacific port Kozmino",
            ),
            shared_assets=SourcedValue(
                0.0,
                0.0,
                0.0,
                share,
                "reported",
                f"{SEED_REPORT}, ch. 3 sec. 2(1); {CALIBRATION} sec. 2b: Transneft owns the "
                "Russian spur, CNPC the Mohe-Daqing section; no jointly owned line; "
                "the 2013 Tianjin refinery venture is not counted: a refinery can run "
                "other crude, so it is not specific to the dyad",
            ),
            source_regime=REGIMES[REGIME_ALTERNATIVES],
            period="2009-2017",
        ),
        "china-turkmenistan-gas": DyadInputs(
            name="china-turkmenistan-gas",
            buyer_dependence=SourcedValue(
                0.514,
                0.359,
                0.514,
                share,
                "reported",
                f"{SEED_REVIEW}: 21.3 bcm in 2012 = 51.4% of China's gas imports (low: "
                f"32.2 of 89.8 bcm in 2017, {SEED_REPORT}, ch. 3 sec. 2(2), derived)",
            ),
            seller_dependence=SourcedValue(
                0.754,
                0.65,
                0.77,
                share,
                "derived",
                f"32.2 bcm to China in 2017 ({SEED_REPORT}) over 32.2 + 10.5 bcm, the "
                f"10-11 bcm/yr Russia has bought since 2010 ({CALIBRATION} sec. 2f); "
                "low adds ~6 bcm/yr of small exports to Iran (assumption)",
            ),
            buyer_outside_option=SourcedValue(
                1.0,
                0.6,
                1.0,
                share,
                "derived",
                f"{SEED_REPORT}, ch. 3 sec. 3: China will be able to import from Russia as "
                "much as from Turkmenistan; Power of Siberia 38 bcm/yr vs 32.2 bcm, capped "
                "at 1 (low: Power of Siberia ramp-up, assumption)",
            ),
            seller_outside_option=SourcedValue(
                0.326,
                0.0,
                0.528,
                share,
                "derived",
                f"10.5 / 32.2: Russian purchases ({CALIBRATION} sec. 2f) relative to the "
                "volume sent to China; low 0 (Russian purchases at Gazprom's discretion and "
                "declining, seed report ch. 3 sec. 3); high (11 + 6) / 32.2 with 11 bcm/yr to Russia "
                "and ~6 bcm/yr to Iran, the same Iran assumption as seller_dependence",
            ),
            shared_assets=SourcedValue(
                0.0,
                0.0,
                0.0,
                share,
                "assumption",
                "the Turkmen section of the line is Turkmen-owned; the Uzbek and Kazakh "
                "sections are ventures of CNPC with the transit states, not with "
                "Turkmenistan (public project descriptions, not in the seeds); "
                "CNPC's Bagtyiarlyk PSA (seed report, ch. 3 sec. 2(2)) is China's own "
                "asset inside Turkmenistan, a one-way hostage, not a shared asset",
            ),
            source_regime=REGIMES[REGIME_ONE_SIDED],
            period="2012-2017",
        ),
        "china-russia-gas": DyadInputs(
            name="china-russia-gas",
            buyer_dependence=SourcedValue(
                0.423,
                0.136,
                0.423,
                share,
                "derived",
                f"38 bcm/yr (May 2014 SPA, {SEED_REPORT} ch. 3 sec. 2(2)) over China's "
                "89.8 bcm of imports in 2017; low: over 280 bcm expected by 2040 (IEA, seed)",
            ),
            seller_dependence=SourcedValue(
                0.19,
                0.19,
                0.21,
                share,
                "derived",
                f"38 / (38 + 161.5): Gazprom's 2013 exports to Europe ({CALIBRATION} sec. "
                "2f); high with the 146.6 bcm 2014 long-term volume",
            ),
            buyer_outside_option=SourcedValue(
                1.0,
                0.6,
                1.0,
                share,
                "derived",
                f"65 bcm/yr Turkmen SPA ({SEED_REVIEW}) exceeds the 38 bcm/yr from Russia, "
                "plus LNG (seed report ch. 3 sec. 2(2)); capped at 1",
            ),
            seller_outside_option=SourcedValue(
                0.6,
                0.3,
                0.9,
                share,
                "assumption",
                f"{SEED_REPORT}, ch. 3 sec. 3: Russia builds pipelines that can export to "
                "Europe and the Asia-Pacific (Western route, Eastern Gas Program LNG); "
                "low end: the Power of Siberia fields are not linked to the European grid",
            ),
            shared_assets=SourcedValue(
                0.0,
                0.0,
                0.0,
                share,
                "reported",
                f"{SEED_REPORT}, ch. 3 sec. 2(2): Chinese upstream participation was blocked "
                "until 2014; the line is Gazprom's",
            ),
            source_regime=REGIMES[REGIME_ALTERNATIVES],
            period="2014-2019",
        ),
    }


def classify_dyad(dyad: DyadInputs, which: str = "value", **thresholds: Any) -> RegimeResult:
    """Classify a :class:`DyadInputs` at its ``value`` (or ``low`` / ``high``) inputs.

    Examples
    --------
    >>> dyads = casebook_dyads()
    >>> str(classify_dyad(dyads["china-turkmenistan-gas"]).labels())
    'one_sided_dependence'
    """
    return classify_regime(**dyad.values(which), **thresholds)
