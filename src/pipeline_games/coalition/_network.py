"""Pipeline networks as TU games: who can block a line gets a share of the rent.

A `PipelineNetwork` has nodes (countries) with a role, and lines. A *producer* sells
gas at a per-unit production ``cost`` up to its ``capacity``; a *transit* state lets gas
cross at a per-unit ``cost`` (its real operating cost, not a tariff: tariffs are transfers
inside a coalition), up to its ``capacity``; a *buyer* values gas at a per-unit ``price`` up
to its ``capacity``. A `Line` is a route ``producer -> transit ... -> buyer`` with a
capacity; gas that enters a line stays on it to the end.

The characteristic function: a coalition ``S`` may use a line only when every node on it
is in ``S`` (a transit state outside ``S`` can block the line). ``v(S)`` is the largest
surplus ``sum_lines (price - production cost - transit costs) * flow`` over the usable
lines, subject to line, producer, transit and buyer capacities. Since ``v(S)`` depends on
``S`` only through the set of usable lines, one flow problem is solved per distinct set of
usable lines.

A `PipelineNetwork` is a view of a `SupplyNetwork`
(`PipelineNetwork.supply_network`): producers and buyers become producers and
markets (one step at the buyer's price), transit operating costs are added to each line's
transport cost, and finite transit capacities become the supply network's
``transit_capacity``. Its flows are those of the one network model of the package (exact:
the vectorized merit order, or `scipy.optimize.linprog` with HiGHS when a transit
state has a capacity).

Units: with capacities in bcm/yr and prices and costs in USD per thousand cubic metres
(USD/kcm), ``capacity * price`` is in USD million per year; ``value_scale=1e-3`` turns
values into USD billion per year (the project's money unit).

Examples
--------
>>> net = PipelineNetwork(
...     [Node("producer", "producer", cost=10), Node("transit", "transit", cost=5),
...      Node("buyer", "buyer", price=50)],
...     [Line("L", ("producer", "transit", "buyer"), capacity=20)],
... )
>>> net.value(["producer", "transit", "buyer"])
700.0
>>> net.value(["producer", "buyer"])
0.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_array
from ..errors import InvalidParameterError
from ._tu import MAX_TABULATED_PLAYERS, TUGame

__all__ = ["Line", "Node", "PipelineNetwork"]

ROLES = ("producer", "transit", "buyer")


def _scalar(value: Any, name: str, **checks: Any) -> float:
    """A checked number (not an array) as a float."""
    array = as_array(value, name, **checks)
    if array.ndim != 0:
        raise InvalidParameterError(f"{name} must be a single number; got an array of shape "
                                    f"{array.shape}")  # fmt: skip
    return float(array)


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(f"{what} must be a non-empty string; got {value!r}")
    return value


def _sequence(value: Any, what: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidParameterError(f"{what} must be a sequence; got {value!r}")
    return tuple(value)


@dataclass(frozen=True)
class Node:
    """A country (player) in a pipeline network.

    Parameters
    ----------
    name
        Player name.
    role
        ``"producer"``, ``"transit"`` or ``"buyer"``.
    capacity
        Producer: export supply; transit: throughput limit; buyer: import limit (same
        volume unit as line capacities; ``inf`` for no limit).
    price
        Buyer only: value of one unit of gas delivered (e.g. USD/kcm).
    cost
        Producer: production cost per unit; transit: transit operating cost per unit.

    Examples
    --------
    >>> Node("Buyer C", "buyer", price=300.0)
    Node(name='Buyer C', role='buyer', capacity=inf, price=300.0, cost=0.0)
    >>> Node("Buyer C", "consumer")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: role of node 'Buyer C' must be one of ('producer', 'transit', 'buyer'); got 'consumer'
    """

    name: str
    role: str
    capacity: float = math.inf
    price: float = 0.0
    cost: float = 0.0

    def __post_init__(self) -> None:
        _name(self.name, "name of a node")
        if not isinstance(self.role, str) or self.role not in ROLES:
            raise InvalidParameterError(
                f"role of node {self.name!r} must be one of {ROLES}; got {self.role!r}"
            )
        capacity = _scalar(
            self.capacity, f"capacity of node {self.name!r}", low=0.0, allow_inf=True
        )
        price = _scalar(self.price, f"price of node {self.name!r}")
        cost = _scalar(self.cost, f"cost of node {self.name!r}")
        if self.role != "buyer" and price != 0.0:
            raise InvalidParameterError(
                f"price of node {self.name!r} must be 0 for a {self.role} (only buyers have "
                f"a price); got {price}"
            )
        if self.role == "buyer" and cost != 0.0:
            raise InvalidParameterError(
                f"cost of node {self.name!r} must be 0 for a buyer (put it in the price); "
                f"got {cost}"
            )
        object.__setattr__(self, "capacity", capacity)
        object.__setattr__(self, "price", price)
        object.__setattr__(self, "cost", cost)


@dataclass(frozen=True)
class Line:
    """A pipeline route: ``path[0]`` a producer, ``path[-1]`` a buyer, transit states between.

    Examples
    --------
    >>> Line("A", ("Producer A", "Transit B", "Buyer C"), capacity=20.0)
    Line(name='A', path=('Producer A', 'Transit B', 'Buyer C'), capacity=20.0)
    """

    name: str
    path: tuple[str, ...]
    capacity: float

    def __post_init__(self) -> None:
        _name(self.name, "name of a line")
        path = _sequence(self.path, f"path of line {self.name!r}")
        for stop in path:
            _name(stop, f"a node on the path of line {self.name!r}")
        if len(path) < 2:
            raise InvalidParameterError(
                f"path of line {self.name!r} must have at least a producer and a buyer; got {path}"
            )
        if len(set(path)) != len(path):
            raise InvalidParameterError(
                f"path of line {self.name!r} must not visit a node twice; got {path}"
            )
        capacity = _scalar(self.capacity, f"capacity of line {self.name!r}", low=0.0)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "capacity", capacity)


@dataclass(frozen=True, eq=False, init=False)
class PipelineNetwork:
    """Countries and pipeline lines; its TU game is `game`.

    Parameters
    ----------
    nodes
        The countries; their order is the player order of the game.
    lines
        The routes. Each must start at a producer, end at a buyer and cross only transit
        nodes, all listed in ``nodes``.
    value_scale
        Factor applied to every coalition value (e.g. ``1e-3`` to turn bcm/yr x USD/kcm
        into USD bn/yr).

    Examples
    --------
    >>> net = PipelineNetwork(
    ...     [Node("P", "producer", cost=10), Node("T1", "transit", cost=5),
    ...      Node("T2", "transit", cost=10), Node("B", "buyer", price=50, capacity=20)],
    ...     [Line("north", ("P", "T1", "B"), 15), Line("south", ("P", "T2", "B"), 10)],
    ... )
    >>> {name: round(value, 2) for name, value in net.game().shapley().to_dict().items()}
    {'P': 237.5, 'T1': 137.5, 'T2': 62.5, 'B': 237.5}
    """

    nodes: tuple[Node, ...]
    lines: tuple[Line, ...]
    value_scale: float

    def __init__(
        self, nodes: Sequence[Node], lines: Sequence[Line], *, value_scale: float = 1.0
    ) -> None:
        node_tuple = _sequence(nodes, "nodes")
        line_tuple = _sequence(lines, "lines")
        if not node_tuple:
            raise InvalidParameterError("nodes must not be empty")
        for node in node_tuple:
            if not isinstance(node, Node):
                raise InvalidParameterError(f"nodes must be Node objects; got {node!r}")
        names = [node.name for node in node_tuple]
        if len(set(names)) != len(names):
            raise InvalidParameterError(f"node names must be distinct; got {names}")
        if len(names) > MAX_TABULATED_PLAYERS:
            raise InvalidParameterError(
                f"nodes must number at most {MAX_TABULATED_PLAYERS}; got {len(names)}"
            )
        roles = {node.name: node.role for node in node_tuple}
        for line in line_tuple:
            if not isinstance(line, Line):
                raise InvalidParameterError(f"lines must be Line objects; got {line!r}")
        line_names = [line.name for line in line_tuple]
        if len(line_names) > 62:
            raise InvalidParameterError(f"lines must number at most 62; got {len(line_names)}")
        if len(set(line_names)) != len(line_names):
            raise InvalidParameterError(f"line names must be distinct; got {line_names}")
        for line in line_tuple:
            if not isinstance(line, Line):
                raise InvalidParameterError(f"lines must be Line objects; got {line!r}")
            for stop in line.path:
                if stop not in roles:
                    raise InvalidParameterError(
                        f"line {line.name!r} names an unknown node {stop!r}; nodes are {names}"
                    )
            expected = ["producer"] + ["transit"] * (len(line.path) - 2) + ["buyer"]
            got = [roles[stop] for stop in line.path]
            if got != expected:
                raise InvalidParameterError(
                    f"line {line.name!r} must run producer -> transit ... -> buyer; "
                    f"its path {line.path} has roles {got}"
                )
        scale = _scalar(value_scale, "value_scale", low=0.0, low_open=True)
        object.__setattr__(self, "nodes", node_tuple)
        object.__setattr__(self, "lines", line_tuple)
        object.__setattr__(self, "value_scale", scale)

    @property
    def players(self) -> tuple[str, ...]:
        """Node names, in player order."""
        return tuple(node.name for node in self.nodes)

    @property
    def supply_network(self) -> Any:
        """The same network as a `SupplyNetwork`.

        Examples
        --------
        >>> net = PipelineNetwork(
        ...     [Node("P", "producer", cost=10), Node("T", "transit", cost=5),
        ...      Node("B", "buyer", price=50)],
        ...     [Line("L", ("P", "T", "B"), 20)],
        ... )
        >>> float(net.supply_network.routes[0].cost)
        5.0
        """
        from ..network._model import Market, Producer, Route, SupplyNetwork

        by_name = {node.name: node for node in self.nodes}
        producers = [
            Producer(n.name, capacity=n.capacity, cost=n.cost)
            for n in self.nodes
            if n.role == "producer"
        ]
        markets = [
            Market(n.name, price=n.price, capacity=n.capacity)
            for n in self.nodes
            if n.role == "buyer"
        ]
        transit = [n.name for n in self.nodes if n.role == "transit"]
        routes = [
            Route(
                line.name,
                line.path,
                line.capacity,
                cost=sum(by_name[s].cost for s in line.path[1:-1]),
            )
            for line in self.lines
        ]
        limits = {
            n.name: n.capacity
            for n in self.nodes
            if n.role == "transit" and not math.isinf(n.capacity)
        }
        return SupplyNetwork(producers, markets, routes, transit, transit_capacity=limits)

    def line_margins(self) -> dict[str, float]:
        """Surplus per unit on each line: buyer price - production cost - transit costs.

        Examples
        --------
        >>> net = PipelineNetwork(
        ...     [Node("P", "producer", cost=10), Node("B", "buyer", price=50)],
        ...     [Line("L", ("P", "B"), 1)],
        ... )
        >>> net.line_margins()
        {'L': 40.0}
        """
        by_name = {node.name: node for node in self.nodes}
        return {
            line.name: by_name[line.path[-1]].price - sum(by_name[s].cost for s in line.path[:-1])
            for line in self.lines
        }

    def _line_masks(self) -> NDArray[np.int64]:
        index = {name: i for i, name in enumerate(self.players)}
        return np.array(
            [sum(1 << index[stop] for stop in line.path) for line in self.lines], dtype=np.int64
        ).reshape(len(self.lines))

    def value(self, coalition: Iterable[str] | str) -> float:
        """``v(S)``: the best surplus the members of ``coalition`` alone can deliver.

        Examples
        --------
        >>> net = PipelineNetwork(
        ...     [Node("P", "producer"), Node("B", "buyer", price=2)], [Line("L", ("P", "B"), 3)]
        ... )
        >>> net.value({"P", "B"})
        6.0
        """
        if isinstance(coalition, str):
            members: tuple[Any, ...] = (coalition,)
        elif isinstance(coalition, Iterable):
            members = tuple(coalition)
        else:
            raise InvalidParameterError(
                f"a coalition must be a player's name or an iterable of names; got {coalition!r}"
            )
        for member in members:
            if not isinstance(member, str) or member not in self.players:
                raise InvalidParameterError(
                    f"coalition {members} names an unknown player {member!r}; "
                    f"players are {list(self.players)}"
                )
        usable = np.array([set(line.path) <= set(members) for line in self.lines], dtype=bool)
        if not usable.any():
            return 0.0
        from ..network._flow import surplus_for_masks

        worth = float(surplus_for_masks(self.supply_network, usable[None])[0])
        return max(0.0, worth) * self.value_scale

    def game(self) -> TUGame:
        """The TU game: ``v(S)`` for every coalition, one flow problem per distinct set of
        usable lines.

        Examples
        --------
        >>> net = PipelineNetwork(
        ...     [Node("P", "producer"), Node("B", "buyer", price=2)], [Line("L", ("P", "B"), 3)]
        ... )
        >>> net.game().values
        array([0., 0., 0., 6.])
        """
        n = len(self.nodes)
        if not self.lines:
            return TUGame(np.zeros(1 << n), self.players)
        from ..network._coop import usable_routes, values_by_route_sets

        usable = usable_routes(self._line_masks(), n)
        table = values_by_route_sets(self.supply_network, usable, "auto")
        return TUGame(np.maximum(table, 0.0) * self.value_scale, self.players)
