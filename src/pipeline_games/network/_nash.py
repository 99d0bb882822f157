"""Nash-in-Nash bargaining over every agreement of a supply network.

Every agreement ``a`` (a supply contract, or a transit agreement) fixes a price ``p_a`` per
unit of the volume ``q_a`` it covers. With all agreements in place the flow is the
welfare-maximising flow ``x(A)``. Country ``i``'s payoff is its gross profit on the flow
(value of its markets, less production and transport costs it bears, plus sales to fringe
markets) plus the payments it receives less those it makes:

``pi_i(A) = g_i(x(A)) + sum_b p_b q_b(A) ([i sells b] - [i pays b])``.

Agreement ``a`` is a Nash bargain between its seller side ``S_a`` and buyer side ``B_a``
with buyer weight ``w_a`` (Horn and Wolinsky 1988; Collard-Wexler, Gowrisankaran and Lee
2019): the price maximises ``(Delta_B)^w_a (Delta_S)^(1 - w_a)`` where
``Delta_X = pi_X(A) - pi_X(A \\ a)``. Payments are transfers, so the frontier is linear
and the first-order condition is

``w_a Delta_S = (1 - w_a) Delta_B``,

each side's gain being its share of the agreement's joint gain.

The disagreement flows ``x(A \\ a)`` hold every other agreement at its terms (passive
beliefs): each other supply contract ``b`` delivers its volume ``q_b(A)`` at its price
(on its cheapest routes that remain; less only if those cannot carry it), so a buyer is
never made to take, nor allowed to call, a rival's unit beyond its contract; the flows no
contract covers (a fringe's sales, a producer's sales to fringe markets or its own market,
which need at most transit agreements) are re-optimised for welfare with what capacity and
market volume is left. ``x(A \\ a)`` does not depend on the prices, so ``Delta_X`` is
affine in them:

``Delta_X = [g_X(A) - g_X(A \\ a)] + sum_b p_b s_X(b) (q_b(A) - q_b(A \\ a))``,

with ``s_X(b) = [seller of b in X] - [payer of b in X]``. Stacking the conditions gives one
square linear system in the prices per parameter point, solved exactly (batched
`numpy.linalg.solve`). An agreement that carries nothing in ``x(A)`` has no gain to
split; its price is the seller's reservation price (the producer's unit cost on its
cheapest route for a supply contract, zero for a transit agreement).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, broadcast_named
from .._results import Result
from ..errors import InvalidParameterError
from ._flow import (
    Flattened,
    block_size,
    check_method,
    market_quantities,
    market_values,
    solve_block,
)
from ._model import SupplyNetwork

__all__ = ["NashInNashResult", "nash_in_nash"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False, repr=False)
class NashInNashResult(Result):
    """Nash-in-Nash prices, volumes and payoffs over a grid of parameter points.

    Arrays have the grid's shape ``(...)`` followed by one axis over ``agreements``
    (``price``, ``volume``, ``payment``, ``seller_gain``, ``buyer_gain``, ``seller_share``,
    ``buyer_weight``, ``used``, ``seller_alternative``, ``buyer_alternative``), over
    ``countries`` (``payoff``, ``share``) or over ``routes`` (``flows``); ``surplus`` and
    ``stable`` have the grid's shape.

    Attributes
    ----------
    price
        Price per unit of each agreement (money per volume); for an unused agreement, its
        seller's reservation price.
    volume, payment
        Volume covered and ``price * volume``, paid by the agreement's payer (the buyer of a
        supply contract, the producer for a transit agreement) to its seller.
    seller_gain, buyer_gain
        Each side's payoff with the agreement less its payoff without it (every other
        supply contract delivering its volume, the uncontracted flows re-optimised); they
        split the joint gain
        ``1 - buyer_weight : buyer_weight``.
    seller_share
        ``seller_gain / (seller_gain + buyer_gain)`` (``1 - buyer_weight`` where the joint
        gain is zero).
    used
        Whether the agreement carries flow.
    seller_alternative, buyer_alternative
        The route onto which most of the side's flow moves when the agreement breaks (the
        alternative that binds), or ``"none"``.
    payoff, share
        Each country's payoff and its share of the total ``surplus``.
    stable
        Every agreement gives both sides a gain >= 0 (else some agreement would not form).
    determinate
        The bargains pin down every price. Where they do not (a degenerate network: e.g.
        some price can move without changing any side's gain), the prices are the
        minimum-norm solution of the price system and the division among the parties of
        the undetermined agreements is one of many.

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("S", cost=10.0)], [Market("B", price=50.0)],
    ...                     [Route("r", ("S", "B"), capacity=2.0)])
    >>> result = nash_in_nash(net)
    >>> result
    NashInNashResult(method='nash_in_nash', shape=())
    >>> float(result.price[0]), result.payoff.tolist()
    (30.0, [40.0, 40.0])
    """

    agreements: tuple[str, ...]
    kinds: tuple[str, ...]
    countries: tuple[str, ...]
    routes: tuple[str, ...]
    price: FloatArray
    volume: FloatArray
    payment: FloatArray
    seller_gain: FloatArray
    buyer_gain: FloatArray
    seller_share: FloatArray
    buyer_weight: FloatArray
    used: NDArray[np.bool_]
    seller_alternative: NDArray[np.str_]
    buyer_alternative: NDArray[np.str_]
    payoff: FloatArray
    share: FloatArray
    surplus: FloatArray
    flows: FloatArray
    stable: NDArray[np.bool_]
    determinate: NDArray[np.bool_]
    method: str = "nash_in_nash"

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.surplus.shape)

    def labels(self) -> NDArray[np.str_]:
        """The binding alternatives, ``"buyer: <route>; seller: <route>"`` per agreement."""
        return np.char.add(
            np.char.add(np.char.add("buyer: ", self.buyer_alternative), "; seller: "),
            self.seller_alternative,
        )

    def _frame_columns(self) -> dict[str, Any]:
        size = int(np.prod(self.shape, dtype=np.int64))
        columns: dict[str, Any] = {
            "surplus": self.surplus.reshape(size),
            "stable": self.stable.reshape(size),
            "determinate": self.determinate.reshape(size),
        }
        for field_name, names in (
            ("payoff", self.countries),
            ("share", self.countries),
            ("price", self.agreements),
            ("volume", self.agreements),
            ("payment", self.agreements),
            ("flows", self.routes),
        ):
            flat = getattr(self, field_name).reshape(size, len(names))
            for j, name in enumerate(names):
                columns[f"{field_name}[{name}]"] = flat[:, j]
        return columns

    def agreement_table(self, point: tuple[int, ...] = ()) -> Any:
        """One row per agreement at one parameter point (a pandas DataFrame).

        Examples
        --------
        >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
        >>> net = SupplyNetwork([Producer("S", cost=10.0)], [Market("B", price=50.0)],
        ...                     [Route("r", ("S", "B"), capacity=2.0)])
        >>> nash_in_nash(net).agreement_table()["price"].tolist()
        [30.0]
        """
        import pandas as pd

        point = tuple(point)
        return pd.DataFrame(
            {
                "kind": self.kinds,
                "price": self.price[point],
                "volume": self.volume[point],
                "payment": self.payment[point],
                "seller_gain": self.seller_gain[point],
                "buyer_gain": self.buyer_gain[point],
                "seller_share": self.seller_share[point],
                "seller_alternative": self.seller_alternative[point],
                "buyer_alternative": self.buyer_alternative[point],
            },
            index=pd.Index(self.agreements, name="agreement"),
        )

    def country_table(self, point: tuple[int, ...] = ()) -> Any:
        """One row per country at one parameter point: payoff and share (pandas).

        Examples
        --------
        >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
        >>> net = SupplyNetwork([Producer("S", cost=10.0)], [Market("B", price=50.0)],
        ...                     [Route("r", ("S", "B"), capacity=2.0)])
        >>> nash_in_nash(net, buyer_weight=0.25).country_table()["share"].tolist()
        [0.75, 0.25]
        """
        import pandas as pd

        point = tuple(point)
        return pd.DataFrame(
            {"payoff": self.payoff[point], "share": self.share[point]},
            index=pd.Index(self.countries, name="country"),
        )


class _Structure:
    """Index arrays of a network's agreements, computed once."""

    def __init__(self, network: SupplyNetwork) -> None:
        self.network = network
        countries = network.countries
        cindex = {c: i for i, c in enumerate(countries)}
        n_c, n_a, n_r = len(countries), len(network.agreements), len(network.routes)
        self.n_c, self.n_a, self.n_r = n_c, n_a, n_r
        producer_of = {p.name: i for i, p in enumerate(network.producers)}
        market_of = {m.name: i for i, m in enumerate(network.markets)}
        # scenario masks: all agreements, then each one broken
        self.masks = np.ones((1 + n_a, n_r), dtype=bool)
        self.route_agreement = np.zeros((n_r, n_a))
        self.side_s = np.zeros((n_a, n_c))
        self.side_b = np.zeros((n_a, n_c))
        self.sells = np.zeros((n_a, n_c))
        self.pays = np.zeros((n_a, n_c))
        self.is_supply = np.zeros(n_a, dtype=bool)
        self.route_supply = np.full(n_r, -1, dtype=np.intp)  # each route's supply contract
        for a, agreement in enumerate(network.agreements):
            self.masks[1 + a, list(agreement.routes)] = False
            self.route_agreement[list(agreement.routes), a] = 1.0
            self.side_s[a, cindex[agreement.seller]] = 1.0
            for buyer in agreement.buyers:
                self.side_b[a, cindex[buyer]] = 1.0
            self.sells[a, cindex[agreement.seller]] = 1.0
            self.pays[a, cindex[agreement.payer]] = 1.0
            self.is_supply[a] = agreement.kind == "supply"
            if agreement.kind == "supply":
                self.route_supply[list(agreement.routes)] = a
        # s_X(b) for the two sides of every agreement a: (a, b)
        self.sign_s = self.side_s @ self.sells.T - self.side_s @ self.pays.T
        self.sign_b = self.side_b @ self.sells.T - self.side_b @ self.pays.T
        # gross profit: markets to their countries, route net revenue to the cost bearer
        self.market_owner = np.zeros((len(network.markets), n_c))
        for m, market in enumerate(network.markets):
            if not market.fringe:
                self.market_owner[m, cindex[market.name]] = 1.0
        self.bearer = np.zeros((n_r, n_c))
        self.fringe_market_route = np.zeros(n_r, dtype=bool)
        for r, route in enumerate(network.routes):
            producer = network.producers[producer_of[route.producer]]
            market = network.markets[market_of[route.market]]
            payer = market.name if producer.fringe else producer.name
            self.bearer[r, cindex[payer]] = 1.0
            self.fringe_market_route[r] = market.fringe
        # alternative routes per side: routes outside a that touch the side's countries
        members = [set(route.path) for route in network.routes]
        self.alt_s = np.zeros((n_a, n_r), dtype=bool)
        self.alt_b = np.zeros((n_a, n_r), dtype=bool)
        for a, agreement in enumerate(network.agreements):
            for r in range(n_r):
                if r in agreement.routes:
                    continue
                self.alt_s[a, r] = agreement.seller in members[r]
                self.alt_b[a, r] = bool(members[r] & set(agreement.buyers))
        self.route_labels = np.array([*network.route_names, "none"])

    def gross(self, c: Any, x: FloatArray) -> FloatArray:
        """Gross profit of every country at flows ``x`` (rows, R) -> (rows, C)."""
        values = market_values(c, market_quantities(c, x))
        fringe_price = c.value[:, c.route_market, 0]
        unit = c.cost_p[:, c.route_producer] + c.cost_r
        net = np.where(self.fringe_market_route, fringe_price, 0.0) - unit
        return values @ self.market_owner + (net * x) @ self.bearer

    def reservation(self, c: Any) -> FloatArray:
        """Seller's reservation price of every agreement (rows, A)."""
        out = np.zeros((c.n, self.n_a))
        for a, agreement in enumerate(self.network.agreements):
            if agreement.kind == "supply":
                routes = list(agreement.routes)
                out[:, a] = c.cost_p[:, c.route_producer[routes[0]]] + c.cost_r[:, routes].min(
                    axis=1
                )
        return out


def _weights(
    network: SupplyNetwork,
    buyer_weight: ArrayLike | Mapping[str, ArrayLike] | None,
    rates: Mapping[str, ArrayLike] | None,
) -> list[FloatArray]:
    """The buyer weight of every agreement (arrays that broadcast with the network)."""
    names = network.agreement_names
    if rates is not None:
        if buyer_weight is not None:
            raise InvalidParameterError("give buyer_weight or rates, not both")
        if not isinstance(rates, Mapping):
            raise InvalidParameterError(
                f"rates must map countries to discount rates; got {rates!r}"
            )
        checked = {}
        for country, rate in rates.items():
            if country not in network.countries:
                raise InvalidParameterError(
                    f"rates names an unknown country {country!r}; countries are "
                    f"{list(network.countries)}"
                )
            checked[country] = as_array(rate, f"rate of {country!r}", low=0.0, low_open=True)
        out = []
        for agreement in network.agreements:
            for country in (agreement.seller, *agreement.buyers):
                if country not in checked:
                    raise InvalidParameterError(
                        f"rates must give a rate for {country!r} (party to {agreement.name!r})"
                    )
            seller = checked[agreement.seller]
            buyer = sum(checked[b] for b in agreement.buyers) / len(agreement.buyers)
            out.append(seller / (buyer + seller))
        return out
    if buyer_weight is None:
        buyer_weight = 0.5
    if isinstance(buyer_weight, Mapping):
        for name in buyer_weight:
            if name not in names:
                raise InvalidParameterError(
                    f"buyer_weight names an unknown agreement {name!r}; agreements are {list(names)}"
                )
        return [
            as_array(buyer_weight.get(name, 0.5), f"buyer_weight of {name!r}", low=0.0, high=1.0)
            for name in names
        ]
    weight = as_array(buyer_weight, "buyer_weight", low=0.0, high=1.0)
    return [weight] * len(names)


def nash_in_nash(
    network: SupplyNetwork,
    buyer_weight: ArrayLike | Mapping[str, ArrayLike] | None = None,
    *,
    rates: Mapping[str, ArrayLike] | None = None,
    method: str = "auto",
) -> NashInNashResult:
    """Nash-in-Nash bargaining over every agreement of ``network`` (see the module notes).

    Parameters
    ----------
    network
        The supply network; its numeric inputs may be arrays over parameter points.
    buyer_weight
        Bargaining weight of each agreement's buyer side, in ``[0, 1]``: one value (or
        array) for all agreements, or ``{agreement name: weight}`` (0.5 for those not
        named). Default 0.5.
    rates
        Instead of weights: ``{country: discount rate}``; agreement ``a`` then has buyer
        weight ``r_seller / (r_buyer + r_seller)`` (the limit of alternating offers), the
        users of a transit agreement taking the mean of their rates.
    method
        Flow solver: ``"auto"``, ``"merit"`` or ``"lp"`` (see `flow`).

    Returns
    -------
    NashInNashResult

    Examples
    --------
    Two sellers of capacity 10 and a buyer who values the first 10 units at 100 and the
    next 10 at 60: each seller is paid for the marginal block it adds.

    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork(
    ...     [Producer("S1", capacity=10.0, cost=20.0), Producer("S2", capacity=10.0, cost=20.0)],
    ...     [Market("B", steps=[(10.0, 100.0), (10.0, 60.0)])],
    ...     [Route("r1", ("S1", "B"), 10.0), Route("r2", ("S2", "B"), 10.0)],
    ... )
    >>> nash_in_nash(net).price.tolist()     # 20 + (60 - 20) / 2
    [40.0, 40.0]
    """
    method = check_method(method)
    if not isinstance(network, SupplyNetwork):
        raise InvalidParameterError(f"network must be a SupplyNetwork; got {network!r}")
    weights = _weights(network, buyer_weight, rates)
    shape = broadcast_named(
        network=np.broadcast_to(0.0, network.shape),
        **{
            f"buyer_weight of {n!r}": w
            for n, w in zip(network.agreement_names, weights, strict=True)
        },
    )
    st = _Structure(network)
    flat = Flattened(network, shape)
    size = flat.size
    n_a, n_c, n_r = st.n_a, st.n_c, st.n_r
    weight_flat = np.empty((size, n_a))
    for a, w in enumerate(weights):
        weight_flat[:, a] = np.broadcast_to(w, shape).reshape(-1)
    out = {
        "price": np.empty((size, n_a)),
        "volume": np.empty((size, n_a)),
        "seller_gain": np.empty((size, n_a)),
        "buyer_gain": np.empty((size, n_a)),
        "used": np.empty((size, n_a), dtype=bool),
        "seller_alternative": np.empty((size, n_a), dtype=np.intp),
        "buyer_alternative": np.empty((size, n_a), dtype=np.intp),
        "payoff": np.empty((size, n_c)),
        "flows": np.empty((size, n_r)),
        "stable": np.empty(size, dtype=bool),
        "determinate": np.empty(size, dtype=bool),
    }
    step = block_size(st.masks.shape[0], size)
    for start in range(0, size, step):
        stop = min(size, start + step)
        _solve_block(st, flat.block(start, stop), weight_flat[start:stop], method, out, start)
    price, volume = out["price"], out["volume"]
    payment = price * volume
    gains = out["seller_gain"] + out["buyer_gain"]
    scale = np.abs(out["payoff"]).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        seller_share = np.where(
            gains > 1e-12 * scale, out["seller_gain"] / gains, 1.0 - weight_flat
        )
    surplus = out["payoff"].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(surplus[:, None] > 0.0, out["payoff"] / surplus[:, None], 0.0)

    def shaped(array: NDArray[Any], *tail: int) -> NDArray[Any]:
        return array.reshape((*shape, *tail))

    return NashInNashResult(
        agreements=network.agreement_names,
        kinds=tuple(a.kind for a in network.agreements),
        countries=network.countries,
        routes=network.route_names,
        price=shaped(price, n_a),
        volume=shaped(volume, n_a),
        payment=shaped(payment, n_a),
        seller_gain=shaped(out["seller_gain"], n_a),
        buyer_gain=shaped(out["buyer_gain"], n_a),
        seller_share=shaped(seller_share, n_a),
        buyer_weight=shaped(weight_flat, n_a),
        used=shaped(out["used"], n_a),
        seller_alternative=shaped(st.route_labels[out["seller_alternative"]], n_a),
        buyer_alternative=shaped(st.route_labels[out["buyer_alternative"]], n_a),
        payoff=shaped(out["payoff"], n_c),
        share=shaped(share, n_c),
        surplus=shaped(surplus),
        flows=shaped(out["flows"], n_r),
        stable=shaped(out["stable"]),
        determinate=shaped(out["determinate"]),
    )


def _price_system(
    st: _Structure,
    c: Any,
    weight: FloatArray,
    x_all: FloatArray,
    x_without: FloatArray,
    g_all: FloatArray,
) -> tuple[FloatArray, NDArray[np.bool_], dict[str, FloatArray]]:
    """Prices solving the bargains' first-order conditions given the flows.

    ``x_all`` (n, R) are the flows with every agreement, ``x_without`` (A, n, R) those with
    each agreement broken; the conditions are linear in the prices.
    """
    n, n_a, n_r = c.n, st.n_a, st.n_r
    q_all = x_all @ st.route_agreement  # (n, A)
    q_without = np.einsum("anr,rb->nab", x_without, st.route_agreement)  # (n, a, b)
    g_without = st.gross(c.repeat(n_a), x_without.reshape(n_a * n, n_r)).reshape(n_a, n, -1)
    d_gross = g_all[None] - g_without  # (a, n, C)
    g_s = np.einsum("anc,ac->na", d_gross, st.side_s)
    g_b = np.einsum("anc,ac->na", d_gross, st.side_b)
    d_q = q_all[:, None, :] - q_without  # (n, a, b)
    vol_scale = c.cap_r.sum(axis=1)
    used = q_all > 1e-9 * vol_scale[:, None]
    w = weight[:, :, None]
    matrix = d_q * (w * st.sign_s[None] - (1.0 - w) * st.sign_b[None])
    rhs = -(weight * g_s - (1.0 - weight) * g_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_scale = np.where(used, 1.0 / q_all, 1.0)
    matrix *= row_scale[:, :, None]
    rhs = rhs * row_scale
    eye = np.broadcast_to(np.eye(n_a), (n, n_a, n_a))
    matrix = np.where(used[:, :, None], matrix, eye)
    rhs = np.where(used, rhs, st.reservation(c))
    singular_values = np.linalg.svd(matrix, compute_uv=False)
    determinate = singular_values[:, -1] > 1e-10 * singular_values[:, 0]
    price = np.empty((n, n_a))
    if determinate.all():
        price[:] = np.linalg.solve(matrix, rhs[..., None])[..., 0]
    else:
        good = np.flatnonzero(determinate)
        bad = np.flatnonzero(~determinate)
        if good.size:
            price[good] = np.linalg.solve(matrix[good], rhs[good, :, None])[..., 0]
        price[bad] = (np.linalg.pinv(matrix[bad], rcond=1e-10) @ rhs[bad, :, None])[..., 0]
    parts = {"q_all": q_all, "d_q": d_q, "g_s": g_s, "g_b": g_b, "used": used}
    return price, determinate, parts


def _disagreement_flows(st: _Structure, c: Any, x_all: FloatArray, method: str) -> FloatArray:
    """Flows ``(A, n, R)`` with each agreement broken and every other supply contract held.

    Each other supply contract ``b`` delivers its volume ``q_b(A)`` (or what its routes
    that remain can carry, if less), on its cheapest remaining routes; then every flow no
    contract covers (a fringe's sales, a producer's sales to fringe markets or its own
    market) is re-optimised for welfare with the capacities and market volumes left.
    """
    n, n_a, n_r = c.n, st.n_a, st.n_r
    keep = st.masks[1:]  # (A, R): routes that remain with each agreement broken
    big = c.repeat(n_a)
    rows = n_a * n
    available = np.broadcast_to(keep[:, None, :], (n_a, n, n_r)).reshape(rows, n_r)
    cap_r = np.where(available, big.cap_r, 0.0)
    held = np.broadcast_to(x_all @ st.route_agreement, (n_a, n, n_a)).reshape(rows, n_a)
    unit = big.cost_p[:, big.route_producer] + big.cost_r
    x1 = np.zeros((rows, n_r))
    for b in np.flatnonzero(st.is_supply):
        routes = np.flatnonzero(st.route_supply == b)
        order = routes[np.argsort(unit[:, routes], axis=1, kind="stable")]  # (rows, k)
        caps = np.take_along_axis(cap_r, order, axis=1)
        before = np.cumsum(caps, axis=1) - caps
        fill = np.clip(held[:, b : b + 1] - before, 0.0, caps)
        np.put_along_axis(x1, order, fill, axis=1)
    # what is left for the flows no contract covers
    produced = np.zeros_like(big.cap_p)
    np.add.at(produced.T, big.route_producer, x1.T)
    crossed = x1 @ big.transit_incidence.T
    delivered = market_quantities(big, x1)  # (rows, M)
    start = np.zeros_like(big.volume)
    np.cumsum(big.volume[..., :-1], axis=-1, out=start[..., 1:])
    bound = start + big.volume
    with np.errstate(invalid="ignore"):
        volume = np.clip(bound - delivered[..., None], 0.0, None) - np.clip(
            start - delivered[..., None], 0.0, None
        )
    volume = np.where(np.isnan(volume), big.volume, volume)
    free = (st.route_supply < 0)[None, :] & available
    rest = _replace(
        big,
        cap_r=np.where(free, cap_r, 0.0),
        cap_p=np.maximum(big.cap_p - produced, 0.0),
        cap_t=np.maximum(big.cap_t - crossed, 0.0),
        volume=volume,
    )
    x2 = solve_block(rest, np.ones((1, n_r), dtype=bool), method)[0]
    return (x1 + x2).reshape(n_a, n, n_r)


def _replace(c: Any, **arrays: FloatArray) -> Any:
    """A copy of the compiled block ``c`` with some of its arrays replaced."""
    fields = {
        name: getattr(c, name)
        for name in ("cap_p", "cost_p", "cap_r", "cost_r", "volume", "value", "cap_t")
    }
    fields.update({k: np.ascontiguousarray(v, dtype=np.float64) for k, v in arrays.items()})
    return type(c)(
        c.n,
        fields["cap_p"],
        fields["cost_p"],
        fields["cap_r"],
        fields["cost_r"],
        fields["volume"],
        fields["value"],
        fields["cap_t"],
        c.route_producer,
        c.route_market,
        c.transit_incidence,
    )


def _solve_block(
    st: _Structure,
    c: Any,
    weight: FloatArray,
    method: str,
    out: dict[str, NDArray[Any]],
    offset: int,
) -> None:
    n, n_r = c.n, st.n_r
    x_all = solve_block(c, st.masks[:1], method)[0]  # (n, R)
    g_all = st.gross(c, x_all)  # (n, C)
    x_without = _disagreement_flows(st, c, x_all, method)
    vol_scale = c.cap_r.sum(axis=1)
    price, determinate, parts = _price_system(st, c, weight, x_all, x_without, g_all)
    q_all, d_q, g_s, g_b, used = (parts[k] for k in ("q_all", "d_q", "g_s", "g_b", "used"))
    transfer_s = np.einsum("nab,ab,nb->na", d_q, st.sign_s, price)
    transfer_b = np.einsum("nab,ab,nb->na", d_q, st.sign_b, price)
    seller_gain = g_s + transfer_s
    buyer_gain = g_b + transfer_b
    q_used = np.where(used, q_all, 0.0)
    payoff = g_all + (price * q_used) @ (st.sells - st.pays)
    money = np.abs(payoff).sum(axis=1) + np.abs(g_all).sum(axis=1)
    tol = 1e-9 * np.maximum(money, np.finfo(float).tiny)
    stable = ((seller_gain >= -tol[:, None]) & (buyer_gain >= -tol[:, None])).all(axis=1)
    # binding alternatives: the route that takes most of a side's diverted flow
    dx = x_without.transpose(1, 0, 2) - x_all[:, None, :]  # (n, a, R)
    threshold = 1e-9 * vol_scale[:, None, None]
    alternatives = {}
    for key, mask in (("seller_alternative", st.alt_s), ("buyer_alternative", st.alt_b)):
        gain = np.where(mask[None] & (dx > threshold), dx, -np.inf)
        best = np.argmax(gain, axis=-1)
        alternatives[key] = np.where(np.isfinite(gain.max(axis=-1)), best, n_r)
    rows = slice(offset, offset + n)
    out["price"][rows] = price
    out["volume"][rows] = q_used
    out["seller_gain"][rows] = seller_gain
    out["buyer_gain"][rows] = buyer_gain
    out["used"][rows] = used
    out["seller_alternative"][rows] = alternatives["seller_alternative"]
    out["buyer_alternative"][rows] = alternatives["buyer_alternative"]
    out["payoff"][rows] = payoff
    out["flows"][rows] = x_all
    out["stable"][rows] = stable
    out["determinate"][rows] = determinate
