r"""When does the buyer gain from raising the dependent seller's outside option?

A claim of transaction-cost economics about one-sided dependence: the buyer does best by
supporting the dependent seller's export diversification, because a seller locked into one
buyer fears hold-up and protects itself in ways that are costly for the buyer too. This module makes the claim a
condition on parameters.

The model
---------
The seller sinks ``e`` at cost ``c e`` (fields, processing, upkeep, cooperation) that is worth
``V(e) = a e^alpha`` in trade with the buyer. A share ``o`` of that value (the
``outside_option``: the part the seller could realise with other buyers, over other
routes) is redeployable. Ex post the two bargain (Nash, buyer weight ``w``)
over ``V`` with disagreement point ``(0, o V)``; the buyer's own alternatives are
normalised to zero. So

.. math::

    u_B = w (1 - o) V(e) - D (1 - o), \qquad u_S = (1 - w(1 - o)) V(e) - c e.

The seller's marginal share is ``theta(o) = 1 - w (1 - o)``, so it invests
``e*(o) = (alpha a theta / c)^(1/(1-alpha))`` and ``V(e*) = K theta^gamma`` with
``gamma = alpha / (1 - alpha)`` and ``K = a (alpha a / c)^gamma``. The term
``D (1 - o)`` is the buyer's cost of the seller's *defensive behaviour* (delay, refused
audits, supply risk), assumed proportional to the share of the seller's value that is
locked into the relationship; ``D = defensive_cost`` is its size when ``o = 0``.

The condition. With ``x = 1 - o``,

.. math::

    \frac{d u_B}{d o} = w K \theta^{\gamma - 1}\Big[\frac{w x}{1 - \alpha} - 1\Big] + D,

so raising the outside option pays the buyer exactly when

.. math::

    D > w K \theta^{\gamma - 1}\Big[1 - \frac{w (1 - o)}{1 - \alpha}\Big].

The first term is the rent the buyer gives up, net of the extra value the better-protected
seller creates; the second is the defensive cost avoided. At ``o = 0`` the condition reads
``D > w K (1 - w)^{gamma - 1} (1 - w / (1 - alpha))``: it holds even with ``D = 0`` when
``w > 1 - alpha`` (the buyer's grip is so strong that the seller's under-investment costs the
buyer more than the rent it extracts).

The buyer-optimal outside option. ``u_B`` rises then falls in ``x`` (the bracket above is
increasing in ``x`` where ``d u_B / d x`` can vanish), so ``o*`` is unique: ``o* = 1`` if
``D >= w K``; ``o* = 0`` if ``d u_B / d o <= 0`` at ``o = 0``; otherwise the root of the
first-order condition, found by vectorized bisection. With ``D = 0`` it is the closed form
``o* = max(0, 1 - (1 - alpha) / w)``.

References
----------
Williamson, O. E. (1983). Credible commitments: using hostages to support exchange.
*American Economic Review* 73(4), 519-540.
Grossman, S. J. and Hart, O. D. (1986). *Journal of Political Economy* 94(4).
Hart, O. and Moore, J. (1990). *Journal of Political Economy* 98(6).
Klein, B., Crawford, R. G. and Alchian, A. A. (1978). *Journal of Law and Economics* 21(2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import broadcast_named, check_memory
from .._results import Result
from .._roots import bisect_decreasing
from ._shared import _overflow_error, at_share, bargained, check, checked, technology

__all__ = [
    "DiversificationOutcome",
    "buyer_optimal_outside_option",
    "buyer_payoff",
    "critical_defensive_cost",
    "diversification",
    "diversification_gain",
    "marginal_diversification_gain",
]

FloatArray = NDArray[np.float64]


def _parameters(
    buyer_weight: ArrayLike,
    scale: ArrayLike,
    alpha: ArrayLike,
    unit_cost: ArrayLike,
    defensive_cost: ArrayLike,
    **options: ArrayLike,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], tuple[int, ...]]:
    """The checked outside options, the checked model parameters, and their joint shape."""
    technology_parameters = technology(scale, alpha, unit_cost)
    p = {
        "buyer_weight": check(buyer_weight, "buyer_weight"),
        **technology_parameters,
        "defensive_cost": check(defensive_cost, "defensive_cost"),
    }
    checked_options = checked(**options)
    shape = broadcast_named(**checked_options, **p)
    check_memory(shape, 200, "diversification")
    return checked_options, p, shape


def _constant(p: Mapping[str, FloatArray]) -> FloatArray:
    """``K = a (alpha a / c)^gamma`` so that ``V(e*(theta)) = K theta^gamma``."""
    alpha = p["alpha"]
    gamma = alpha / (1.0 - alpha)
    with np.errstate(over="ignore"):
        constant = p["scale"] * (alpha * p["scale"] / p["unit_cost"]) ** gamma
    if not np.isfinite(constant).all():
        raise _overflow_error(
            "the value of trade", ~np.isfinite(constant), 1.0, p["scale"], alpha, p["unit_cost"]
        )
    return constant


def _buyer_payoff(option: FloatArray, p: Mapping[str, FloatArray]) -> FloatArray:
    w, alpha = p["buyer_weight"], p["alpha"]
    locked = 1.0 - option
    theta = 1.0 - w * locked
    return (
        w * locked * _constant(p) * theta ** (alpha / (1.0 - alpha)) - p["defensive_cost"] * locked
    )


def _marginal(option: FloatArray, p: Mapping[str, FloatArray]) -> FloatArray:
    w, alpha = p["buyer_weight"], p["alpha"]
    locked = 1.0 - option
    theta = 1.0 - w * locked
    gamma = alpha / (1.0 - alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        # theta^(gamma - 1) [w x / (1 - alpha) - 1]; theta = 0 only when w = 1 and o = 0.
        bracket = w * locked / (1.0 - alpha) - 1.0
        level = np.where(theta > 0.0, theta ** (gamma - 1.0), np.where(gamma >= 1.0, 0.0, np.inf))
        term = np.where(bracket == 0.0, 0.0, level * bracket)
    return w * _constant(p) * term + p["defensive_cost"]


@dataclass(frozen=True, eq=False, repr=False)
class DiversificationOutcome(Result):
    """Outcome of the diversification model at given (or buyer-optimal) outside options.

    Attributes
    ----------
    outside_option
        The seller's redeployable share ``o``.
    investment
        The seller's investment ``e*(o)``.
    value
        ``V(e*)``, the value of trade.
    payoffs
        Array ``(..., 2)``, (buyer, seller): ``u_B`` (net of the defensive cost) and ``u_S``
        (net of the investment cost).
    quasi_rent
        The seller's quasi-rent locked in the relationship, ``(1 - o) V``.
    defensive_loss
        The buyer's cost of the seller's defensive behaviour, ``D (1 - o)``.
    marginal_gain
        ``d u_B / d o`` at ``outside_option``.
    method, parameters
        ``"diversification"`` or ``"buyer_optimal_outside_option"``, and the parameters.
    players
        ``("buyer", "seller")``.

    Examples
    --------
    >>> out = diversification(0.0, buyer_weight=0.4, scale=2.0, alpha=0.5)
    >>> float(out.investment), out.payoffs  # theta = 0.6: e = 0.36, V = 1.2
    (0.36, array([0.48, 0.36]))
    """

    outside_option: FloatArray
    investment: FloatArray
    value: FloatArray
    payoffs: FloatArray
    quasi_rent: FloatArray
    defensive_loss: FloatArray
    marginal_gain: FloatArray
    method: str = "diversification"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")


def _outcome(
    option: FloatArray, p: Mapping[str, FloatArray], shape: tuple[int, ...], method: str
) -> DiversificationOutcome:
    w = p["buyer_weight"]
    chosen = at_share(1.0 - w * (1.0 - option), p, shape)
    value = chosen.value
    defensive_loss = np.broadcast_to(p["defensive_cost"] * (1.0 - option), shape)
    # Ex-post split by the bargaining core: disagreement (0, o V), buyer weight w.
    payoffs = bargained(
        value, (0.0, option * value), w, shape, buyer_cost=defensive_loss, seller_cost=chosen.cost
    )
    return DiversificationOutcome(
        outside_option=np.array(np.broadcast_to(option, shape)),
        investment=np.array(chosen.investment),
        value=value,
        payoffs=payoffs,
        quasi_rent=(1.0 - option) * value,
        defensive_loss=np.array(defensive_loss),
        marginal_gain=np.array(np.broadcast_to(_marginal(option, p), shape)),
        method=method,
        parameters=dict(p),
    )


def diversification(
    outside_option: ArrayLike,
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    defensive_cost: ArrayLike = 0.0,
) -> DiversificationOutcome:
    """Solve the diversification model at the given seller outside options.

    Parameters
    ----------
    outside_option
        ``o`` in ``[0, 1]``: the share of the seller's value it could realise with other buyers.
    buyer_weight
        ``w`` in ``[0, 1]``: the buyer's Nash weight.
    scale, alpha, unit_cost
        ``V(e) = scale e^alpha`` (``scale > 0``, ``0 < alpha < 1``), cost ``unit_cost e``.
    defensive_cost
        ``D >= 0``: the buyer's cost of the seller's defensive behaviour when ``o = 0``.

    Examples
    --------
    >>> diversification([0.0, 0.5], buyer_weight=0.4, scale=2.0, alpha=0.5).payoffs[:, 0]
    array([0.48, 0.32])
    """
    options, p, shape = _parameters(
        buyer_weight, scale, alpha, unit_cost, defensive_cost, outside_option=outside_option
    )
    return _outcome(options["outside_option"], p, shape, "diversification")


def buyer_payoff(
    outside_option: ArrayLike,
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    defensive_cost: ArrayLike = 0.0,
) -> FloatArray:
    """The buyer's payoff ``u_B(o) = w (1 - o) K theta^gamma - D (1 - o)`` (closed form).

    Parameters are those of [`diversification`][pipeline_games.transaction.diversification].

    Examples
    --------
    >>> buyer_payoff([0.0, 0.5], buyer_weight=0.4, scale=2.0, alpha=0.5, defensive_cost=0.2)
    array([0.28, 0.22])
    """
    options, p, _ = _parameters(
        buyer_weight, scale, alpha, unit_cost, defensive_cost, outside_option=outside_option
    )
    return np.asarray(_buyer_payoff(options["outside_option"], p))


def marginal_diversification_gain(
    outside_option: ArrayLike,
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    defensive_cost: ArrayLike = 0.0,
) -> FloatArray:
    """``d u_B / d o``: positive exactly where raising the seller's outside option pays the buyer.

    Parameters are those of [`diversification`][pipeline_games.transaction.diversification].

    Examples
    --------
    >>> marginal_diversification_gain(0.0, buyer_weight=0.4, scale=2.0, alpha=0.5)
    array(-0.16)
    """
    options, p, _ = _parameters(
        buyer_weight, scale, alpha, unit_cost, defensive_cost, outside_option=outside_option
    )
    return np.asarray(_marginal(options["outside_option"], p))


def diversification_gain(
    from_option: ArrayLike,
    to_option: ArrayLike,
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    defensive_cost: ArrayLike = 0.0,
) -> FloatArray:
    """The buyer's gain ``u_B(to_option) - u_B(from_option)`` from moving the seller's option.

    Parameters are those of [`diversification`][pipeline_games.transaction.diversification]; ``from_option`` and ``to_option`` in
    ``[0, 1]``.

    Examples
    --------
    >>> diversification_gain(0.0, 0.5, buyer_weight=0.4, scale=2.0, alpha=0.5,
    ...                      defensive_cost=0.2)
    array(-0.06)
    """
    options, p, _ = _parameters(
        buyer_weight,
        scale,
        alpha,
        unit_cost,
        defensive_cost,
        from_option=from_option,
        to_option=to_option,
    )
    return np.asarray(
        _buyer_payoff(options["to_option"], p) - _buyer_payoff(options["from_option"], p)
    )


def critical_defensive_cost(
    outside_option: ArrayLike = 0.0,
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
) -> FloatArray:
    """The defensive cost above which raising the seller's outside option pays the buyer.

    ``D_crit(o) = max(0, w K theta^(gamma - 1) [1 - w (1 - o) / (1 - alpha)])``: at
    ``outside_option = o``, ``d u_B / d o > 0`` if and only if ``D > D_crit(o)`` (for
    ``D_crit > 0``; when ``D_crit = 0`` any ``D >= 0`` works, strictly if the bracket is
    negative).

    Examples
    --------
    >>> critical_defensive_cost(0.0, buyer_weight=0.4, scale=2.0, alpha=0.5)
    array(0.16)
    >>> critical_defensive_cost(0.0, buyer_weight=0.8, scale=2.0, alpha=0.5)  # w > 1 - alpha
    array(0.)
    """
    options, p, _ = _parameters(
        buyer_weight, scale, alpha, unit_cost, 0.0, outside_option=outside_option
    )
    return np.asarray(np.maximum(-_marginal(options["outside_option"], p), 0.0))


def buyer_optimal_outside_option(
    *,
    buyer_weight: ArrayLike = 0.5,
    scale: ArrayLike = 1.0,
    alpha: ArrayLike = 0.5,
    unit_cost: ArrayLike = 1.0,
    defensive_cost: ArrayLike = 0.0,
) -> DiversificationOutcome:
    """The seller outside option ``o*`` in ``[0, 1]`` that maximises the buyer's payoff.

    Parameters are those of [`diversification`][pipeline_games.transaction.diversification] (without ``outside_option``).

    Returns
    -------
    DiversificationOutcome
        Evaluated at ``o*``, with ``method="buyer_optimal_outside_option"``.

    Examples
    --------
    >>> out = buyer_optimal_outside_option(buyer_weight=0.8, alpha=0.5)  # D = 0
    >>> round(float(out.outside_option), 12)  # 1 - (1 - alpha) / w
    0.375
    >>> out = buyer_optimal_outside_option(buyer_weight=0.4, scale=2.0, alpha=0.5,
    ...                                    defensive_cost=0.2)
    >>> round(float(out.outside_option), 9), bool(abs(out.marginal_gain) < 1e-9)
    (0.0625, True)
    """
    _, p, shape = _parameters(buyer_weight, scale, alpha, unit_cost, defensive_cost)
    w, alpha_array = p["buyer_weight"], p["alpha"]
    # In x = 1 - o, the first-order condition w K h(x) = D has h decreasing on
    # [0, (1 - alpha) / w], where h >= 0; beyond it d u_B / d x <= -D <= 0.
    with np.errstate(divide="ignore"):
        upper = np.minimum(1.0, np.where(w > 0.0, (1.0 - alpha_array) / np.maximum(w, 1e-300), 1.0))

    def excess(locked: FloatArray) -> FloatArray:  # d u_B / d x, decreasing on the bracket
        return -_marginal(1.0 - locked, p)

    locked = bisect_decreasing(
        excess, np.zeros(shape), np.array(np.broadcast_to(upper, shape), dtype=np.float64)
    )
    option = np.clip(1.0 - locked, 0.0, 1.0)
    return _outcome(option, p, shape, "buyer_optimal_outside_option")
