"""The source's dependence regimes, as an explicit rule with parameters.

Transaction-cost studies of bilateral trade sort buyer-seller dyads by how much each side
depends on the other and whether the specific assets are shared. This module states that sorting as
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

from .._arrays import as_array, as_pair, broadcast_named, check_memory, stack_last
from .._results import Result

__all__ = [
    "REGIMES",
    "REGIME_ALTERNATIVES",
    "REGIME_MUTUAL",
    "REGIME_NONE",
    "REGIME_ONE_SIDED",
    "RegimeResult",
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


@dataclass(frozen=True, eq=False, repr=False)
class RegimeResult(Result):
    """Regime of each dyad and the facts that decided it.

    Attributes
    ----------
    regime
        ``int8`` codes (`REGIME_NONE`, `REGIME_MUTUAL`,
        `REGIME_ALTERNATIVES`, `REGIME_ONE_SIDED`).
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
    check_memory(shape, 80, "classify_regime")
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
