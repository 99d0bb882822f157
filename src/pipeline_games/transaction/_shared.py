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

from .._arrays import as_array, stack_last
from ..bargaining import BargainingProblem, nash

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


def investment(
    theta: ArrayLike, scale: ArrayLike, alpha: ArrayLike, unit_cost: ArrayLike
) -> FloatArray:
    """``argmax_k theta a k^alpha - c k = (alpha a theta / c)^(1 / (1 - alpha))`` (unchecked)."""
    alpha_array = np.asarray(alpha, dtype=np.float64)
    base = np.multiply(alpha_array, scale) * np.asarray(theta, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        return np.asarray(
            (base / np.asarray(unit_cost, dtype=np.float64)) ** (1.0 / (1.0 - alpha_array)),
            dtype=np.float64,
        )


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
    value = np.multiply(p["scale"], np.power(chosen, p["alpha"]))  # V(k) = a k^alpha
    return AtShare(chosen, value, p["unit_cost"] * chosen)


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
