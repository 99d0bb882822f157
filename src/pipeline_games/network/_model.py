"""The supply network: producers, routes, markets and the transit states a route crosses.

A `SupplyNetwork` is plain data, validated once at construction. Every numeric
input (capacities, costs, values, prices) may be a number or an array; all of them
broadcast together to the network's `SupplyNetwork.shape`, the shape of the grid of
parameter points that every solver returns.

Units are the user's: volumes in one unit (e.g. bcm/yr), money per unit of volume in one
unit (e.g. USD per thousand cubic metres); surpluses, payments and payoffs are then in
volume x money-per-volume (bcm/yr x USD/kcm = USD million per year).

Examples
--------
>>> net = SupplyNetwork(
...     producers=[Producer("Producer A", capacity=30.0, cost=20.0)],
...     markets=[Market("Buyer C", price=100.0, capacity=25.0)],
...     routes=[Route("main", ("Producer A", "Transit B", "Buyer C"), capacity=40.0,
...                   cost=5.0)],
...     transit=["Transit B"],
... )
>>> net.countries
('Producer A', 'Buyer C', 'Transit B')
>>> [a.name for a in net.agreements]
['Producer A -> Buyer C', 'Transit B: Producer A']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, broadcast_named
from ..errors import InvalidParameterError

__all__ = ["Agreement", "Market", "Producer", "Route", "SupplyNetwork"]

FloatArray = NDArray[np.float64]


def _number(value: Any, name: str, **checks: Any) -> FloatArray:
    """A checked float64 array (read-only), for a numeric input of the network."""
    array = np.array(as_array(value, name, **checks), dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Producer:
    """A seller of the good: a country's production, or a competitive fringe.

    Parameters
    ----------
    name
        The producing country (a player), or, for a fringe, the fringe's name (not a
        player: e.g. ``"LNG"``).
    capacity
        Most it can supply in total over all its routes (``inf`` for no limit).
    cost
        Unit production cost; the unit cost on a route is this plus the route's ``cost``.
    fringe
        A competitive fringe sells any volume up to ``capacity`` at ``cost`` (e.g. LNG at
        a price): it strikes no bargain and earns nothing; the buyer pays the fringe price
        and the route's cost. A fringe's routes may not cross transit states.

    Examples
    --------
    >>> Producer("Producer A", capacity=30.0, cost=20.0).name
    'Producer A'
    >>> Producer("Producer A", capacity=-1.0)
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: capacity of producer 'Producer A' must be >= 0; got -1
    """

    name: str
    capacity: Any = math.inf
    cost: Any = 0.0
    fringe: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(
                f"producer name must be a non-empty string; got {self.name!r}"
            )
        what = f"producer {self.name!r}"
        object.__setattr__(
            self, "capacity", _number(self.capacity, f"capacity of {what}", low=0.0, allow_inf=True)
        )
        object.__setattr__(self, "cost", _number(self.cost, f"cost of {what}"))
        object.__setattr__(self, "fringe", bool(self.fringe))


@dataclass(frozen=True, eq=False)
class Market:
    """A buyer of the good with a value schedule, or a competitive fringe buying at a price.

    The value of volume ``Q`` is piecewise linear and concave: the first ``steps[0][0]``
    units are worth ``steps[0][1]`` each, the next ``steps[1][0]`` units ``steps[1][1]``
    each, and so on, with non-increasing unit values. ``price`` and ``capacity`` are a
    shortcut for one step ``[(capacity, price)]``.

    Parameters
    ----------
    name
        The buying country (a player), or, for a fringe, the fringe's name (not a player:
        e.g. a third-country market).
    price, capacity
        One step: ``capacity`` units (``inf`` for no limit) worth ``price`` each.
    steps
        Several steps ``[(volume, unit value), ...]``, unit values non-increasing; only
        the last volume may be ``inf``.
    fringe
        A competitive fringe buys up to ``capacity`` at ``price`` (one step only): it
        strikes no bargain and earns nothing; sellers receive the price.

    Examples
    --------
    >>> Market("Buyer C", steps=[(10.0, 120.0), (15.0, 80.0)]).steps[1][1]
    array(80.)
    >>> Market("Buyer C")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: market 'Buyer C' has no value: give price= (with capacity=) or steps=[(volume, unit value), ...]
    """

    name: str
    price: Any = None
    capacity: Any = math.inf
    steps: Any = None
    fringe: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(
                f"market name must be a non-empty string; got {self.name!r}"
            )
        what = f"market {self.name!r}"
        if self.steps is None and self.price is None:
            raise InvalidParameterError(
                f"{what} has no value: give price= (with capacity=) or "
                "steps=[(volume, unit value), ...]"
            )
        if self.steps is not None and self.price is not None:
            raise InvalidParameterError(f"{what}: give price= or steps=, not both")
        raw = [(self.capacity, self.price)] if self.steps is None else list(self.steps)
        if not raw:
            raise InvalidParameterError(f"steps of {what} must not be empty")
        steps = []
        for k, item in enumerate(raw):
            try:
                volume, value = item
            except (TypeError, ValueError) as exc:
                raise InvalidParameterError(
                    f"step {k} of {what} must be a pair (volume, unit value); got {item!r}"
                ) from exc
            last = k == len(raw) - 1
            volume = _number(volume, f"volume of step {k} of {what}", low=0.0, allow_inf=last)
            value = _number(value, f"unit value of step {k} of {what}")
            steps.append((volume, value))
        for k in range(1, len(steps)):
            rising = steps[k][1] > steps[k - 1][1]
            if np.any(rising):
                raise InvalidParameterError(
                    f"unit values of {what} must not increase from step to step (a concave "
                    f"value schedule); step {k} is worth more than step {k - 1}"
                )
        if self.fringe and len(steps) != 1:
            raise InvalidParameterError(
                f"{what} is a fringe: it buys at one price (give price= and capacity=)"
            )
        object.__setattr__(self, "steps", tuple(steps))
        object.__setattr__(self, "price", steps[0][1] if len(steps) == 1 else None)
        object.__setattr__(self, "capacity", steps[0][0] if len(steps) == 1 else None)
        object.__setattr__(self, "fringe", bool(self.fringe))


@dataclass(frozen=True, eq=False)
class Route:
    """A pipeline: from a producer, across transit states, to a market.

    Parameters
    ----------
    name
        The route's name.
    path
        ``(producer, transit state, ..., market)``: the names of a `Producer`, of
        the transit states crossed in order (countries of the network), and of a
        `Market`.
    capacity
        Most the route carries (finite, >= 0).
    cost
        Transport cost per unit (operating cost, not a tariff: tariffs are the payments of
        the transit agreements).
    opens
        The year it opens (``None``: always open); see `SupplyNetwork.in_year`.

    Examples
    --------
    >>> Route("main", ("Producer A", "Transit B", "Buyer C"), capacity=40.0).transit
    ('Transit B',)
    """

    name: str
    path: tuple[str, ...]
    capacity: Any
    cost: Any = 0.0
    opens: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(f"route name must be a non-empty string; got {self.name!r}")
        what = f"route {self.name!r}"
        if isinstance(self.path, str) or not isinstance(self.path, Iterable):
            raise InvalidParameterError(
                f"path of {what} must be a sequence of names; got {self.path!r}"
            )
        path = tuple(self.path)
        if len(path) < 2 or not all(isinstance(p, str) for p in path):
            raise InvalidParameterError(
                f"path of {what} must name a producer, any transit states and a market; got {path}"
            )
        if len(set(path)) != len(path):
            raise InvalidParameterError(
                f"path of {what} must not visit a country twice; got {path}"
            )
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "capacity", _number(self.capacity, f"capacity of {what}", low=0.0))
        object.__setattr__(self, "cost", _number(self.cost, f"cost of {what}"))
        if self.opens is not None and (
            isinstance(self.opens, bool) or not isinstance(self.opens, int)
        ):
            raise InvalidParameterError(
                f"opens of {what} must be a year (int) or None; got {self.opens!r}"
            )

    @property
    def producer(self) -> str:
        return self.path[0]

    @property
    def market(self) -> str:
        return self.path[-1]

    @property
    def transit(self) -> tuple[str, ...]:
        return self.path[1:-1]


@dataclass(frozen=True)
class Agreement:
    """One bilateral agreement of the network (built by `SupplyNetwork`).

    A *supply* contract: ``seller`` is the producer, ``buyers`` the market's country; the
    buyer pays a price per unit delivered over ``routes``. A *transit* agreement:
    ``seller`` is the transit state, ``buyers`` the users of the routes it covers (the
    producer and the buying countries, fringes excepted); the producer pays a fee per unit
    crossing.

    Examples
    --------
    >>> Agreement("P -> B", "supply", "P", ("B",), "B", (0,)).payer
    'B'
    """

    name: str
    kind: str
    seller: str
    buyers: tuple[str, ...]
    payer: str
    routes: tuple[int, ...] = field(default=())


@dataclass(frozen=True, eq=False, init=False)
class SupplyNetwork:
    """Producers, markets and routes; the agreements a route needs follow from them.

    Parameters
    ----------
    producers, markets, routes
        The network's parts (see `Producer`, `Market`, `Route`).
    transit
        Countries that only transit (a producing or buying country may transit too,
        without being listed here).
    transit_capacity
        Optional ``{country: most it lets cross in total over all routes}``; with it the
        flows are solved by linear programming.

    Notes
    -----
    A route can carry flow only with every agreement it needs in place: the supply
    contract between its producer and its market's country (none when either is a fringe
    or both are the same country) and, for each transit state it crosses, the transit
    agreement between that state and the producer's routes' users. One supply contract per
    producer and buying country (covering all routes between them); one transit agreement
    per transit state and producer (covering all that producer's routes across the state,
    whatever market they serve: a state that could be played off between two agreements
    covering routes of the same producer would otherwise have no determinate price).

    Examples
    --------
    >>> net = SupplyNetwork(
    ...     [Producer("P", capacity=10.0, cost=1.0)], [Market("B", price=5.0)],
    ...     [Route("r", ("P", "B"), capacity=8.0)],
    ... )
    >>> net.shape, net.countries
    ((), ('P', 'B'))
    """

    producers: tuple[Producer, ...]
    markets: tuple[Market, ...]
    routes: tuple[Route, ...]
    transit: tuple[str, ...]
    transit_capacity: Mapping[str, FloatArray]
    countries: tuple[str, ...]
    agreements: tuple[Agreement, ...]
    shape: tuple[int, ...]

    def __init__(
        self,
        producers: Sequence[Producer],
        markets: Sequence[Market],
        routes: Sequence[Route],
        transit: Sequence[str] = (),
        *,
        transit_capacity: Mapping[str, ArrayLike] | None = None,
    ) -> None:
        producers = tuple(producers)
        markets = tuple(markets)
        routes = tuple(routes)
        transit = (transit,) if isinstance(transit, str) else tuple(transit)
        for items, kind, cls in (
            (producers, "producers", Producer),
            (markets, "markets", Market),
            (routes, "routes", Route),
        ):
            for item in items:
                if not isinstance(item, cls):
                    raise InvalidParameterError(
                        f"{kind} must be {cls.__name__} objects; got {item!r}"
                    )
            names = [item.name for item in items]
            if len(set(names)) != len(names):
                dup = sorted({n for n in names if names.count(n) > 1})
                raise InvalidParameterError(f"{kind} must have distinct names; {dup} repeat")
        if not producers or not markets:
            raise InvalidParameterError("a network needs at least one producer and one market")
        producer_of = {p.name: p for p in producers}
        market_of = {m.name: m for m in markets}
        countries: list[str] = []
        for name in [
            *(p.name for p in producers if not p.fringe),
            *(m.name for m in markets if not m.fringe),
            *transit,
        ]:
            if not isinstance(name, str) or not name:
                raise InvalidParameterError(f"transit must list country names; got {name!r}")
            if name not in countries:
                countries.append(name)
        fringes = {p.name for p in producers if p.fringe} | {m.name for m in markets if m.fringe}
        for name in transit:
            if name in fringes:
                raise InvalidParameterError(f"transit state {name!r} is the name of a fringe")
        # -- routes ------------------------------------------------------------------------
        for route in routes:
            what = f"route {route.name!r}"
            if route.producer not in producer_of:
                raise InvalidParameterError(
                    f"{what} starts at {route.producer!r}, which is not a producer; producers "
                    f"are {list(producer_of)}"
                )
            if route.market not in market_of:
                raise InvalidParameterError(
                    f"{what} ends at {route.market!r}, which is not a market; markets are "
                    f"{list(market_of)}"
                )
            for stop in route.transit:
                if stop not in countries:
                    raise InvalidParameterError(
                        f"{what} crosses an unknown country {stop!r}; countries are {countries}"
                        " (list transit-only countries in transit=)"
                    )
            producer, market = producer_of[route.producer], market_of[route.market]
            if producer.fringe and market.fringe:
                raise InvalidParameterError(f"{what} joins two fringes; nobody would trade on it")
            if producer.fringe and route.transit:
                raise InvalidParameterError(
                    f"{what} starts at the fringe {producer.name!r} and may not cross transit "
                    "states (a competitive fringe strikes no transit agreement)"
                )
        # -- transit capacities ------------------------------------------------------------
        limits: dict[str, FloatArray] = {}
        if transit_capacity is not None and not isinstance(transit_capacity, Mapping):
            raise InvalidParameterError(
                "transit_capacity must be a mapping of country names to capacities; got "
                f"{transit_capacity!r}"
            )
        for name, value in dict(transit_capacity or {}).items():
            if name not in countries:
                raise InvalidParameterError(
                    f"transit_capacity names an unknown country {name!r}; countries are {countries}"
                )
            limits[name] = _number(value, f"transit_capacity of {name!r}", low=0.0, allow_inf=True)
        # -- agreements --------------------------------------------------------------------
        found: dict[tuple[str, ...], list[int]] = {}
        for index, route in enumerate(routes):
            producer, market = producer_of[route.producer], market_of[route.market]
            if not producer.fringe and not market.fringe and producer.name != market.name:
                found.setdefault(("supply", producer.name, market.name), []).append(index)
            for stop in route.transit:
                found.setdefault(("transit", stop, producer.name), []).append(index)
        agreements = []
        for key, indices in found.items():
            if key[0] == "supply":
                _, p, m = key
                agreements.append(Agreement(f"{p} -> {m}", "supply", p, (m,), m, tuple(indices)))
            else:
                _, t, p = key
                users = [p] + [
                    routes[i].market for i in indices if not market_of[routes[i].market].fringe
                ]
                agreements.append(
                    Agreement(
                        f"{t}: {p}", "transit", t, tuple(dict.fromkeys(users)), p, tuple(indices)
                    )
                )
        # -- shape -------------------------------------------------------------------------
        named: dict[str, Any] = {}
        for producer in producers:
            named[f"capacity of producer {producer.name!r}"] = producer.capacity
            named[f"cost of producer {producer.name!r}"] = producer.cost
        for market in markets:
            for k, (volume, value) in enumerate(market.steps):
                named[f"volume of step {k} of market {market.name!r}"] = volume
                named[f"unit value of step {k} of market {market.name!r}"] = value
        for r in routes:
            named[f"capacity of route {r.name!r}"] = r.capacity
            named[f"cost of route {r.name!r}"] = r.cost
        for name, value in limits.items():
            named[f"transit_capacity of {name!r}"] = value
        shape = broadcast_named(**named)
        object.__setattr__(self, "producers", producers)
        object.__setattr__(self, "markets", markets)
        object.__setattr__(self, "routes", routes)
        object.__setattr__(self, "transit", transit)
        object.__setattr__(self, "transit_capacity", limits)
        object.__setattr__(self, "countries", tuple(countries))
        object.__setattr__(self, "agreements", tuple(agreements))
        object.__setattr__(self, "shape", tuple(shape))

    def __repr__(self) -> str:
        return (
            f"SupplyNetwork(countries={len(self.countries)}, producers={len(self.producers)}, "
            f"markets={len(self.markets)}, routes={len(self.routes)}, "
            f"agreements={len(self.agreements)}, shape={self.shape})"
        )

    # -- views ---------------------------------------------------------------------------
    @property
    def route_names(self) -> tuple[str, ...]:
        """Names of the routes, in order."""
        return tuple(r.name for r in self.routes)

    @property
    def agreement_names(self) -> tuple[str, ...]:
        """Names of the agreements, in order."""
        return tuple(a.name for a in self.agreements)

    def in_year(self, year: int) -> SupplyNetwork:
        """The network without the routes that open after ``year``.

        Examples
        --------
        >>> net = SupplyNetwork(
        ...     [Producer("P")], [Market("B", price=5.0)],
        ...     [Route("old", ("P", "B"), 8.0), Route("new", ("P", "B"), 8.0, opens=2020)],
        ... )
        >>> net.in_year(2019).route_names
        ('old',)
        """
        if isinstance(year, bool) or not isinstance(year, int | np.integer):
            raise InvalidParameterError(f"year must be an int; got {year!r}")
        kept = [r for r in self.routes if r.opens is None or r.opens <= year]
        return SupplyNetwork(
            self.producers,
            self.markets,
            kept,
            self.transit,
            transit_capacity=self.transit_capacity,
        )

    def game(self, point: tuple[int, ...] = ()) -> Any:
        """The network's TU game at one parameter point (see `network_game`).

        Examples
        --------
        >>> net = SupplyNetwork([Producer("P")], [Market("B", price=2.0)],
        ...                     [Route("r", ("P", "B"), 3.0)])
        >>> net.game().values.tolist()
        [0.0, 0.0, 0.0, 6.0]
        """
        from ._coop import network_game

        return network_game(self, point)

    def route_members(self) -> list[frozenset[str]]:
        """For each route, the countries (players) whose consent it needs."""
        fringes = {p.name for p in self.producers if p.fringe} | {
            m.name for m in self.markets if m.fringe
        }
        return [frozenset(s for s in r.path if s not in fringes) for r in self.routes]
