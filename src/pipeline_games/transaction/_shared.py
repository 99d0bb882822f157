"""Private pieces the transaction-cost models share.

Every model in this package has one party sink an asset ``k`` at cost ``c k`` that is worth
``V(k) = a k^alpha`` inside the relationship, choose ``k`` knowing it keeps a marginal share
``theta`` of ``V``, and split ``V`` ex post by Nash bargaining. This module holds that
technology once: the allowed range of each named parameter, the induced investment and its
value, and the ex-post split (through [`pipeline_games.nash`][pipeline_games.bargaining.nash]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, broadcast_named, stack_last
from ..bargaining import BargainingProblem, nash
from ..errors import InvalidParameterError

FloatArray = NDArray[np.float64]

_UNIT = {"low": 0.0, "high": 1.0}
_NON_NEGATIVE = {"low": 0.0}
_POSITIVE = {"low": 0.0, "low_open": True}

#: Allowed values of the models' parameters, as keyword arguments of ``as_array``. One name,
#: one meaning across the hold-up, governance and diversification models (the alignment
#: model's unbounded ``specificity`` and the regime rule's inputs are checked where defined).
RANGES: dict[str, dict[str, Any]] = {
    "specificity": _UNIT,
    "buyer_weight": _UNIT,
    "scale": _POSITIVE,
    "alpha": {"low": 0.0, "high": 1.0, "low_open": True, "high_open": True},
    "unit_cost": _POSITIVE,
    "share": _UNIT,
    "renegotiation_probability": _UNIT,
    "enforcement_cost": _NON_NEGATIVE,
    "buyer_equity": {"low": 0.0, "high": 1.0, "low_open": True, "high_open": True},
    "venture_cost": _NON_NEGATIVE,
    "interest_rate": _NON_NEGATIVE,
    "default_penalty": {"low": 0.0, "allow_inf": True},
    "loan_cost": _NON_NEGATIVE,
    "bureaucratic_cost": _NON_NEGATIVE,
    "incentive_dilution": {"low": 0.0, "high": 1.0, "high_open": True},
    "defensive_cost": _NON_NEGATIVE,
    "outside_option": _UNIT,
    "from_option": _UNIT,
    "to_option": _UNIT,
}


def check(value: ArrayLike, name: str) -> FloatArray:
    """``value`` as a float64 array, checked against ``RANGES[name]``."""
    return as_array(value, name, **RANGES[name])


def checked(**values: ArrayLike) -> dict[str, FloatArray]:
    """Check each named value (in the order given) and return them by name."""
    return {name: as_array(value, name, **RANGES[name]) for name, value in values.items()}


def technology(scale: ArrayLike, alpha: ArrayLike, unit_cost: ArrayLike) -> dict[str, FloatArray]:
    """Check the technology ``V(k) = scale k^alpha`` and the unit cost."""
    return checked(scale=scale, alpha=alpha, unit_cost=unit_cost)


#: Largest decimal exponent of a finite float64 (``1.8e308``), less a margin for the products
#: (``V = a k^alpha``, ``c k``) formed from the investment.
_LOG10_FINITE = 307.0


def _overflow_error(
    what: str,
    mask: NDArray[np.bool_],
    theta: ArrayLike,
    scale: ArrayLike,
    alpha: ArrayLike,
    unit_cost: ArrayLike,
) -> InvalidParameterError:
    """A named error for the first point where the model leaves the float64 range."""
    arrays = np.broadcast_arrays(
        mask,
        *(np.asarray(item, dtype=np.float64) for item in (theta, scale, alpha, unit_cost)),
    )
    where, theta_b, scale_b, alpha_b, cost_b = arrays
    flat = int(np.argmax(where.ravel()))
    t, a, al, c = (float(item.ravel()[flat]) for item in (theta_b, scale_b, alpha_b, cost_b))
    with np.errstate(divide="ignore"):
        exponent = np.log10(al * a * t / c) / (1.0 - al)
    index = "" if where.ndim == 0 else f" at index {np.unravel_index(flat, where.shape)}"
    return InvalidParameterError(
        f"{what} overflows float64{index}: the investment (alpha*scale*share/unit_cost)"
        f"**(1/(1-alpha)) is about 1e{exponent:.0f} with alpha={al:.10g}, scale={a:.10g}, "
        f"unit_cost={c:.10g}, share={t:.10g}. The model is finite only where "
        f"log10(alpha*scale*share/unit_cost)/(1-alpha) + log10(max(scale, unit_cost)) < "
        f"{_LOG10_FINITE:.0f}: lower alpha, or measure scale and unit_cost in units whose "
        "ratio alpha*scale/unit_cost is nearer 1"
    )


def investment(
    theta: ArrayLike, scale: ArrayLike, alpha: ArrayLike, unit_cost: ArrayLike
) -> FloatArray:
    """``argmax_k theta a k^alpha - c k = (alpha a theta / c)^(1 / (1 - alpha))``.

    Raises `InvalidParameterError` (naming the values and the finite range) where
    the investment overflows float64 (``alpha`` near 1 with ``alpha a / c`` above 1),
    instead of returning ``inf`` and NaN surpluses, and naming every shape where the
    arguments do not broadcast together.
    """
    broadcast_named(share=theta, scale=scale, alpha=alpha, unit_cost=unit_cost)
    alpha_array = np.asarray(alpha, dtype=np.float64)
    base = np.multiply(alpha_array, scale) * np.asarray(theta, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        chosen = np.asarray(
            (base / np.asarray(unit_cost, dtype=np.float64)) ** (1.0 / (1.0 - alpha_array)),
            dtype=np.float64,
        )
    if not np.isfinite(chosen).all():
        raise _overflow_error(
            "the investment", ~np.isfinite(chosen), theta, scale, alpha, unit_cost
        )
    return chosen


class AtShare(NamedTuple):
    """What an investor keeping the marginal share ``theta`` of ``V`` does."""

    investment: FloatArray
    value: FloatArray
    cost: FloatArray

    @property
    def surplus(self) -> FloatArray:
        """The joint surplus ``V(k) - c k``."""
        return self.value - self.cost


def at_share(
    theta: ArrayLike, p: Mapping[str, FloatArray], shape: tuple[int, ...] | None = None
) -> AtShare:
    """Investment ``k``, value ``V(k)`` and cost ``c k`` at the marginal share ``theta``.

    ``p`` holds checked ``scale``, ``alpha`` and ``unit_cost``; with ``shape`` the investment
    is broadcast to it first, so that the value and the cost have the full shape.
    """
    chosen = investment(theta, p["scale"], p["alpha"], p["unit_cost"])
    if shape is not None:
        chosen = np.broadcast_to(chosen, shape)
    with np.errstate(over="ignore"):
        value = np.multiply(p["scale"], np.power(chosen, p["alpha"]))  # V(k) = a k^alpha
        cost = p["unit_cost"] * chosen
    bad = ~(np.isfinite(value) & np.isfinite(cost))
    if bad.any():
        raise _overflow_error(
            "the value or the cost of the investment",
            bad,
            theta,
            p["scale"],
            p["alpha"],
            p["unit_cost"],
        )
    return AtShare(chosen, value, cost)


def bargained(
    value: ArrayLike,
    disagreement: tuple[ArrayLike, ArrayLike],
    buyer_weight: ArrayLike,
    shape: tuple[int, ...],
    *,
    buyer_cost: FloatArray | None = None,
    seller_cost: FloatArray | None = None,
) -> FloatArray:
    """(buyer, seller) payoffs: the Nash split of ``value``, less each side's own costs.

    The split is [`pipeline_games.nash`][pipeline_games.bargaining.nash] on ``BargainingProblem.linear(value,
    disagreement)`` with the buyer (player 0) holding ``buyer_weight``.
    """
    ex_post = nash(BargainingProblem.linear(value, disagreement), weight=buyer_weight).payoffs
    buyer, seller = ex_post[..., 0], ex_post[..., 1]
    return stack_last(
        buyer if buyer_cost is None else buyer - buyer_cost,
        seller if seller_cost is None else seller - seller_cost,
        shape,
    )
