"""The cooperative view of a supply network: its characteristic function as a TU game.

``v(S)`` is the gross surplus coalition ``S`` secures on its own: the welfare-maximising
flow over the routes whose every country (producer, transit states, buying country) is in
``S``; competitive fringes (an LNG market price, a third-country buyer) are open to every
coalition. The same flow model as the bargaining, so the two divisions of the surplus --
Nash-in-Nash payoffs and the Shapley value or nucleolus of ``v`` -- can be set side by
side (Hubert and Ikonnikova 2011 applied the Shapley value to the Eurasian gas network).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._results import Result
from ..coalition._tu import MAX_TABULATED_PLAYERS, TUGame
from ..errors import InvalidParameterError
from ._flow import check_method, check_network, surplus_for_masks
from ._model import SupplyNetwork

__all__ = ["CooperativeResult", "coalition_values", "cooperative", "network_game"]

FloatArray = NDArray[np.float64]


def usable_routes(route_bits: NDArray[np.int64], n_players: int) -> NDArray[np.bool_]:
    """``usable[S, r]``: route ``r`` needs only members of coalition ``S`` (bitmasks)."""
    masks = np.arange(1 << n_players, dtype=np.int64)
    return (masks[:, None] & route_bits[None, :]) == route_bits[None, :]


def values_by_route_sets(
    network: SupplyNetwork, usable: NDArray[np.bool_], method: str
) -> FloatArray:
    """Surplus for every row of ``usable`` (coalitions x routes), one solve per distinct set."""
    unique, inverse = np.unique(usable, axis=0, return_inverse=True)
    worth = surplus_for_masks(network, unique, method)  # (U, *shape)
    table = worth[np.asarray(inverse).reshape(-1)]  # (2^n, *shape)
    return np.moveaxis(table, 0, -1)


def coalition_values(network: SupplyNetwork, *, method: str = "auto") -> FloatArray:
    """The characteristic function: ``v(S)`` for every coalition of ``network.countries``.

    Returns an array ``(..., 2**n)`` over the network's parameter points; coalition ``S``
    sits at index ``sum(2**i for i in S)`` (the layout of `TUGame`).

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=2.0)], transit=["T"])
    >>> coalition_values(net).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0]
    """
    method = check_method(method)
    check_network(network)
    n = len(network.countries)
    if n > MAX_TABULATED_PLAYERS:
        raise InvalidParameterError(
            f"a network game is tabulated: countries must number at most "
            f"{MAX_TABULATED_PLAYERS}; got {n}"
        )
    index = {c: i for i, c in enumerate(network.countries)}
    bits = np.array(
        [sum(1 << index[c] for c in members) for members in network.route_members()],
        dtype=np.int64,
    )
    return values_by_route_sets(network, usable_routes(bits, n), method)


def network_game(
    network: SupplyNetwork, point: tuple[int, ...] = (), *, method: str = "auto"
) -> TUGame:
    """The TU game of ``network`` at one parameter point (players: ``network.countries``).

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> network_game(net).shapley().to_dict()
    {'P': 2.0, 'B': 2.0, 'T': 2.0}
    """
    table = coalition_values(network, method=method)
    try:
        index = tuple(point)
    except TypeError:
        index = None
    valid = index is not None and len(index) == len(network.shape)
    valid = valid and all(
        isinstance(i, int | np.integer) and not isinstance(i, bool) and -n <= i < n
        for i, n in zip(index or (), network.shape, strict=False)
    )
    if not valid:
        raise InvalidParameterError(
            f"point must index the network's parameter grid of shape {network.shape} (a tuple "
            f"of {len(network.shape)} integers within it); got {point!r}"
        )
    return TUGame(np.array(table[index]), network.countries)


def _shapley_weights(n: int) -> FloatArray:
    return np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )


@dataclass(frozen=True, eq=False, repr=False)
class CooperativeResult(Result):
    """The coalition game over a grid of parameter points: ``values`` ``(..., 2**n)``,
    the Shapley value ``shapley`` and its ``share`` of the grand coalition's worth
    ``surplus`` (``(..., n)``, ``(..., n)`` and ``(...)``).

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "B"), capacity=[1.0, 2.0])])
    >>> cooperative(net).shapley.tolist()
    [[1.0, 1.0], [2.0, 2.0]]
    """

    countries: tuple[str, ...]
    values: FloatArray
    shapley: FloatArray
    share: FloatArray
    surplus: FloatArray
    method: str = "cooperative"

    @property
    def players(self) -> tuple[str, ...]:
        return self.countries

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.surplus.shape)

    def game(self, point: tuple[int, ...] = ()) -> TUGame:
        """The `TUGame` at one point (for nucleolus and core).

        Examples
        --------
        >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
        >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
        ...                     [Route("r", ("P", "B"), capacity=1.0)])
        >>> cooperative(net).game().nucleolus().values.tolist()
        [1.0, 1.0]
        """
        return TUGame(np.array(self.values[tuple(point)]), self.countries)


def cooperative(network: SupplyNetwork, *, method: str = "auto") -> CooperativeResult:
    """The coalition game of ``network`` and its Shapley value at every parameter point.

    The Shapley value is exact, ``phi_i = sum_{S not containing i} |S|! (n-|S|-1)! / n!
    (v(S + i) - v(S))``, vectorized over the points.

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> cooperative(net).share.tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    """
    values = coalition_values(network, method=method)
    n = len(network.countries)
    masks = np.arange(1 << n, dtype=np.int64)
    sizes = np.array([int(m).bit_count() for m in range(1 << n)])
    weights = _shapley_weights(n)
    shapley = np.empty((*values.shape[:-1], n))
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        marginal = values[..., without | (1 << i)] - values[..., without]
        shapley[..., i] = marginal @ weights[sizes[without]]
    surplus = values[..., -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(surplus[..., None] > 0.0, shapley / surplus[..., None], 0.0)
    return CooperativeResult(network.countries, values, shapley, share, np.array(surplus))
