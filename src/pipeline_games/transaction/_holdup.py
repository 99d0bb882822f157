r"""The hold-up problem: a specific investment, its appropriable quasi-rent, ex-post bargaining.

The model
---------
One party, the *investor* (the seller by default: a producer building fields and a pipeline
that lead to one buyer), sinks an asset of size ``k`` at cost ``c k`` (``c = unit_cost``).
Inside the relationship the asset yields ``V(k) = a k^alpha`` (``a = scale``,
``0 < alpha < 1``). Outside it, a share ``s = specificity`` of that value is lost: the
investor's next-best use is worth ``(1 - s) V(k)``. The difference, ``s V(k)``, is the
*appropriable quasi-rent* of Klein, Crawford and Alchian (1978).

Contracts are incomplete, so the terms of trade are settled after ``k`` is sunk, by Nash
bargaining over ``V(k)`` with disagreement point "investor gets its outside value
``(1 - s) V(k)``, the partner gets 0" (the partner's own best alternative is normalised to
zero). With investor weight ``beta`` the investor receives

.. math::

    (1 - s) V(k) + \beta\, s V(k) = \theta V(k), \qquad \theta = 1 - s (1 - \beta),

and the partner receives ``(1 - beta) s V(k)``: the part of the quasi-rent it appropriates.
Anticipating this, the investor maximises ``theta V(k) - c k``, which gives

.. math::

    k^* = \left(\frac{\alpha a \theta}{c}\right)^{1/(1-\alpha)},

while the first best (maximising the joint surplus ``V(k) - c k``) is the same formula with
``theta = 1``. Because ``theta <= 1`` the investor under-invests whenever ``s > 0`` and
``beta < 1`` (Williamson 1985; Grossman and Hart 1986; Hart and Moore 1990). At the optimum
``a k^alpha = c k / (alpha theta)``, so the joint surplus is ``c k (1 / (alpha theta) - 1)``
and the efficiency loss is the first-best surplus minus that.

References
----------
Klein, B., Crawford, R. G. and Alchian, A. A. (1978). Vertical integration, appropriable
rents, and the competitive contracting process. *Journal of Law and Economics* 21(2).
Williamson, O. E. (1985). *The Economic Institutions of Capitalism*. Free Press.
Grossman, S. J. and Hart, O. D. (1986). The costs and benefits of ownership. *Journal of
Political Economy* 94(4), 691-719.
Hart, O. and Moore, J. (1990). Property rights and the nature of the firm. *Journal of
Political Economy* 98(6), 1119-1158.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import broadcast_named, check_memory
from .._results import Result
from ..errors import InvalidParameterError
from ._shared import at_share, bargained, check, checked, investment, technology

__all__ = ["HoldupResult", "holdup", "investment_for_share", "surplus_for_share"]

FloatArray = NDArray[np.float64]

INVESTORS = ("buyer", "seller")


def investment_for_share(
    share: ArrayLike, scale: ArrayLike, alpha: ArrayLike, unit_cost: ArrayLike = 1.0
) -> FloatArray:
    """Investment chosen by a party that keeps a share ``share`` of the value it creates.

    Maximises ``share * a k^alpha - unit_cost * k``: ``k = (alpha a share / c)^(1/(1-alpha))``.
    ``share = 1`` gives the first-best investment.

    Parameters
    ----------
    share
        Effective marginal share ``theta`` of ``V(k)`` the investor keeps, in ``[0, 1]``
        (values above 1 are allowed: a party can be over-rewarded at the margin).
    scale, alpha
        ``V(k) = scale * k**alpha``, ``scale > 0``, ``0 < alpha < 1``.
    unit_cost
        Cost of one unit of the asset, ``> 0``.

    Examples
    --------
    >>> float(investment_for_share(1.0, scale=2.0, alpha=0.5))  # (0.5 * 2)^2
    1.0
    >>> float(investment_for_share(0.5, scale=2.0, alpha=0.5))
    0.25
    """
    p = technology(scale, alpha, unit_cost)
    return investment(check(share, "share"), p["scale"], p["alpha"], p["unit_cost"])


def surplus_for_share(
    share: ArrayLike, scale: ArrayLike, alpha: ArrayLike, unit_cost: ArrayLike = 1.0
) -> FloatArray:
    """Joint surplus ``V(k) - c k`` when the investor keeps the marginal share ``share``.

    Equal to ``c k (1 / (alpha share) - 1)`` at ``k = investment_for_share(share, ...)``;
    maximal (the first best) at ``share = 1``.

    Examples
    --------
    >>> float(surplus_for_share(1.0, scale=2.0, alpha=0.5))  # V(1) - 1
    1.0
    >>> float(surplus_for_share(0.5, scale=2.0, alpha=0.5))  # 2 * 0.5 - 0.25
    0.75
    """
    p = technology(scale, alpha, unit_cost)
    return at_share(check(share, "share"), p).surplus


@dataclass(frozen=True, eq=False, repr=False)
class HoldupResult(Result):
    """Equilibrium of the hold-up model, for one parameter point or an array of them.

    Attributes
    ----------
    investment
        The investor's equilibrium investment ``k*``.
    first_best_investment
        The investment that maximises the joint surplus.
    joint_surplus
        ``V(k*) - c k*``.
    first_best_surplus
        ``V(k_FB) - c k_FB``.
    efficiency_loss
        ``first_best_surplus - joint_surplus`` (``>= 0``).
    payoffs
        Array ``(..., 2)`` in (buyer, seller) order: each side's payoff net of the
        investment cost (only the investor pays it).
    quasi_rent
        The appropriable quasi-rent ``s V(k*)`` at stake in the ex-post bargaining.
    appropriated
        The part of the quasi-rent the non-investor takes, ``(1 - beta) s V(k*)``.
    investor_share
        ``theta = 1 - s (1 - beta)``: the investor's marginal share of ``V``.
    investor
        ``"seller"`` or ``"buyer"``.
    method
        ``"holdup"``.
    parameters
        The model's parameters (arrays as validated).
    players
        ``("buyer", "seller")``.

    Examples
    --------
    >>> out = holdup(specificity=1.0, buyer_weight=0.5, scale=2.0, alpha=0.5)
    >>> float(out.investment), float(out.first_best_investment)
    (0.25, 1.0)
    >>> out.payoffs  # buyer takes half the quasi-rent 2 * 0.5; seller 0.5 - 0.25
    array([0.5 , 0.25])
    """

    investment: FloatArray
    first_best_investment: FloatArray
    joint_surplus: FloatArray
    first_best_surplus: FloatArray
    efficiency_loss: FloatArray
    payoffs: FloatArray
    quasi_rent: FloatArray
    appropriated: FloatArray
    investor_share: FloatArray
    investor: str
    method: str = "holdup"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the parameter grid."""
        return tuple(self.payoffs.shape[:-1])


def holdup(
    specificity: ArrayLike,
    buyer_weight: ArrayLike = 0.5,
    *,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    investor: str = "seller",
) -> HoldupResult:
    """Solve the hold-up model (see the module docstring) in closed form, vectorized.

    Parameters
    ----------
    specificity
        ``s`` in ``[0, 1]``: share of the asset's value lost outside the relationship.
    buyer_weight
        The buyer's Nash bargaining weight in ``[0, 1]`` in the ex-post bargaining over the
        quasi-rent, as in every dyad function of the package; the investor's weight
        ``beta`` is ``buyer_weight`` when the buyer invests and ``1 - buyer_weight`` when
        the seller does.
    scale, alpha
        ``V(k) = scale * k**alpha`` with ``scale > 0`` and ``0 < alpha < 1``.
    unit_cost
        Cost of one unit of investment, ``> 0``.
    investor
        Which side sinks the asset: ``"seller"`` (default) or ``"buyer"``. Payoffs are
        always returned in (buyer, seller) order.

    Returns
    -------
    HoldupResult

    Raises
    ------
    InvalidParameterError
        Naming the parameter, for values outside the ranges above or non-finite values.

    Notes
    -----
    The ex-post split is computed with [`pipeline_games.nash`][pipeline_games.bargaining.nash] on the linear problem
    ``BargainingProblem.linear(V(k*), disagreement)`` whose disagreement point gives the
    investor its outside value ``(1 - s) V(k*)``; the investment itself has a closed form.

    Examples
    --------
    >>> import numpy as np
    >>> out = holdup(specificity=np.array([0.0, 0.5, 1.0]), buyer_weight=0.5,
    ...              scale=2.0, alpha=0.5)
    >>> out.investment  # ((0.5 * 2 * theta) / 1)^2 with theta = 1, 0.75, 0.5
    array([1.    , 0.5625, 0.25  ])
    >>> out.efficiency_loss
    array([0.    , 0.0625, 0.25  ])
    """
    if not isinstance(investor, str) or investor not in INVESTORS:
        raise InvalidParameterError(f"investor must be 'buyer' or 'seller'; got {investor!r}")
    p = checked(
        specificity=specificity,
        buyer_weight=buyer_weight,
        scale=scale,
        alpha=alpha,
        unit_cost=unit_cost,
    )
    shape = broadcast_named(**p)
    check_memory(shape, 200, "holdup")
    weight = p["buyer_weight"] if investor == "buyer" else 1.0 - p["buyer_weight"]
    theta = 1.0 - p["specificity"] * (1.0 - weight)
    chosen = at_share(theta, p, shape)
    first_best = at_share(1.0, p, shape)
    joint_surplus = chosen.surplus
    # Efficiency loss, computed without cancellation: W(k_FB) - W(k*) >= 0 by construction.
    efficiency_loss = np.maximum(first_best.surplus - joint_surplus, 0.0)
    quasi_rent = p["specificity"] * chosen.value
    outside_value = chosen.value - quasi_rent
    # Ex-post Nash bargaining over V(k*), reusing the bargaining core; player 0 is the buyer.
    if investor == "seller":
        payoffs = bargained(
            chosen.value, (0.0, outside_value), 1.0 - weight, shape, seller_cost=chosen.cost
        )
    else:
        payoffs = bargained(
            chosen.value, (outside_value, 0.0), weight, shape, buyer_cost=chosen.cost
        )
    appropriated = (1.0 - weight) * quasi_rent
    return HoldupResult(
        investment=np.array(chosen.investment),
        first_best_investment=np.array(first_best.investment),
        joint_surplus=joint_surplus,
        first_best_surplus=np.array(np.broadcast_to(first_best.surplus, shape)),
        efficiency_loss=efficiency_loss,
        payoffs=payoffs,
        quasi_rent=quasi_rent,
        appropriated=np.array(np.broadcast_to(appropriated, shape)),
        investor_share=np.array(np.broadcast_to(theta, shape)),
        investor=investor,
        parameters={**p, "investor": investor},
    )
