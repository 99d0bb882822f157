r"""Discriminating alignment: Williamson's governance-cost curves over asset specificity.

Williamson (1991) compares three discrete structures by their governance cost as a function
of asset specificity ``k``. Here each is linear:

.. math::

    M(k) = m_0 + m_1 k, \qquad X(k) = x_0 + x_1 k, \qquad H(k) = h_0 + h_1 k,

for market, hybrid and hierarchy. The usual ordering is ``m0 < x0 < h0`` (the hierarchy
carries the largest set-up, bureaucratic cost) and ``m1 > x1 > h1 >= 0`` (the market is
the most exposed to hold-up as specificity grows, the hierarchy the least). Then the market
is cheapest for small ``k``, the hierarchy for large ``k``, with switch points

.. math::

    k_1 = \frac{x_0 - m_0}{m_1 - x_1}, \qquad k_2 = \frac{h_0 - x_0}{x_1 - h_1},
    \qquad k_{MH} = \frac{h_0 - m_0}{m_1 - h_1}.

The hybrid is cheapest on ``(k1, k2)`` when ``k1 < k2``; otherwise it is never strictly
cheapest and the market gives way to the hierarchy directly at ``k_MH``.

References
----------
Williamson, O. E. (1991). Comparative economic organization: the analysis of discrete
structural alternatives. *Administrative Science Quarterly* 36(2), 269-296.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import _where_first, as_array, as_pair, broadcast_named, check_memory
from .._results import Result
from ..errors import InvalidParameterError

__all__ = [
    "ALIGNMENT_FORMS",
    "AlignmentResult",
    "discriminating_alignment",
    "governance_costs",
    "switch_points",
]

FloatArray = NDArray[np.float64]

#: The three structures, in the order of the last axis of `AlignmentResult.costs`.
ALIGNMENT_FORMS = ("market", "hybrid", "hierarchy")

#: Williamson's ordering assumptions, as text for error messages.
_ORDERING = "m0 < x0 < h0 and m1 > x1 > h1 >= 0"


def _curves(
    market: Any, hybrid: Any, hierarchy: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate ``(intercept, slope)`` pairs and Williamson's ordering."""
    m0, m1 = as_pair(market, "market")
    x0, x1 = as_pair(hybrid, "hybrid")
    h0, h1 = as_pair(hierarchy, "hierarchy")
    broadcast_named(
        **{
            "market[0]": m0,
            "market[1]": m1,
            "hybrid[0]": x0,
            "hybrid[1]": x1,
            "hierarchy[0]": h0,
            "hierarchy[1]": h1,
        }
    )
    checks = (
        (m0 < x0, "market[0] < hybrid[0]", m0),
        (x0 < h0, "hybrid[0] < hierarchy[0]", x0),
        (m1 > x1, "market[1] > hybrid[1]", m1),
        (x1 > h1, "hybrid[1] > hierarchy[1]", x1),
        (h1 >= 0.0, "hierarchy[1] >= 0", h1),
    )
    for holds, text, value in checks:
        holds = np.asarray(holds)
        if not holds.all():
            bad = np.broadcast_to(~holds, holds.shape)
            where = _where_first(bad, np.broadcast_to(value, holds.shape).astype(np.float64))
            raise InvalidParameterError(
                f"governance-cost curves must satisfy {_ORDERING} (intercept, slope per "
                f"form); {text} fails (value {where})"
            )
    return m0, m1, x0, x1, h0, h1


@dataclass(frozen=True, eq=False, repr=False)
class AlignmentResult(Result):
    """Governance costs, switch points and the cheapest structure per specificity level.

    Attributes
    ----------
    costs
        Array ``(..., 3)``: ``M(k)``, ``X(k)``, ``H(k)`` (``nan`` columns are never produced).
    best
        Index into `ALIGNMENT_FORMS` of the cheapest structure (ties to the earlier).
    market_hybrid, hybrid_hierarchy, market_hierarchy
        Switch points ``k1``, ``k2`` and ``k_MH``.
    hybrid_viable
        Whether ``k1 < k2`` (the hybrid is cheapest on an interval).
    method, parameters
        ``"discriminating_alignment"`` and the curves used.

    Examples
    --------
    >>> out = discriminating_alignment([0.5, 0.8, 1.5], market=(1, 3), hybrid=(2, 1.5),
    ...                                hierarchy=(3, 0.5))
    >>> out.labels().tolist()
    ['market', 'hybrid', 'hierarchy']
    """

    costs: FloatArray
    best: NDArray[np.intp]
    market_hybrid: FloatArray
    hybrid_hierarchy: FloatArray
    market_hierarchy: FloatArray
    hybrid_viable: NDArray[np.bool_]
    method: str = "discriminating_alignment"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def labels(self) -> NDArray[np.str_]:
        """Names of the cheapest structures."""
        return np.array(ALIGNMENT_FORMS)[self.best]


def switch_points(
    market: Any, hybrid: Any, hierarchy: Any
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Williamson's switch points ``(k1, k2, k_MH)`` for linear cost curves.

    Parameters
    ----------
    market, hybrid, hierarchy
        ``(intercept, slope)`` of each curve (numbers or broadcastable arrays), satisfying
        ``m0 < x0 < h0`` and ``m1 > x1 > h1 >= 0``.

    Returns
    -------
    tuple of arrays
        ``k1`` where ``M = X``, ``k2`` where ``X = H``, ``k_MH`` where ``M = H``.

    Raises
    ------
    InvalidParameterError
        When the ordering assumptions fail, naming the failing inequality.

    Examples
    --------
    >>> k1, k2, kmh = switch_points(market=(1, 3), hybrid=(2, 1.5), hierarchy=(3, 0.5))
    >>> round(float(k1), 6), float(k2), float(kmh)
    (0.666667, 1.0, 0.8)
    >>> switch_points(market=(2, 3), hybrid=(1, 1.5), hierarchy=(3, 0.5))
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: governance-cost curves must satisfy m0 < x0 < h0 and m1 > x1 > h1 >= 0 (intercept, slope per form); market[0] < hybrid[0] fails (value 2)
    """
    m0, m1, x0, x1, h0, h1 = _curves(market, hybrid, hierarchy)
    return (x0 - m0) / (m1 - x1), (h0 - x0) / (x1 - h1), (h0 - m0) / (m1 - h1)


def governance_costs(
    specificity: ArrayLike, market: Any, hybrid: Any, hierarchy: Any
) -> FloatArray:
    """``(M(k), X(k), H(k))`` stacked on a last axis of length 3.

    Parameters
    ----------
    specificity
        Asset specificity ``k >= 0`` (any units; the curves' slopes are per unit of ``k``).
    market, hybrid, hierarchy
        ``(intercept, slope)`` of each curve, ordered as in [`switch_points`][pipeline_games.transaction.switch_points].

    Examples
    --------
    >>> governance_costs(1.0, market=(1, 3), hybrid=(2, 1.5), hierarchy=(3, 0.5))
    array([4. , 3.5, 3.5])
    """
    k = as_array(specificity, "specificity", low=0.0)
    m0, m1, x0, x1, h0, h1 = _curves(market, hybrid, hierarchy)
    shape = broadcast_named(specificity=k, market=m0 + m1, hybrid=x0 + x1, hierarchy=h0 + h1)
    check_memory(shape, 40, "governance_costs")
    costs = np.empty((*shape, 3), dtype=np.float64)
    costs[..., 0] = m0 + m1 * k
    costs[..., 1] = x0 + x1 * k
    costs[..., 2] = h0 + h1 * k
    return costs


def discriminating_alignment(
    specificity: ArrayLike, market: Any, hybrid: Any, hierarchy: Any
) -> AlignmentResult:
    """The cheapest governance structure at each level of asset specificity.

    Parameters
    ----------
    specificity
        Asset specificity ``k >= 0``.
    market, hybrid, hierarchy
        ``(intercept, slope)`` of each curve, ordered as in [`switch_points`][pipeline_games.transaction.switch_points].

    Examples
    --------
    >>> out = discriminating_alignment(0.9, market=(1, 3), hybrid=(2.5, 1.5),
    ...                                hierarchy=(3, 0.5))
    >>> bool(out.hybrid_viable), str(out.labels())  # k1 = 1 > k2 = 0.5
    (False, 'hierarchy')
    """
    costs = governance_costs(specificity, market, hybrid, hierarchy)
    k1, k2, kmh = switch_points(market, hybrid, hierarchy)
    return AlignmentResult(
        costs=costs,
        best=np.argmin(costs, axis=-1),
        market_hybrid=k1,
        hybrid_hierarchy=k2,
        market_hierarchy=kmh,
        hybrid_viable=np.asarray(k1 < k2),
        parameters={"market": market, "hybrid": hybrid, "hierarchy": hierarchy},
    )
