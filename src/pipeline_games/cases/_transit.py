"""The transit network of a case file (``[network]``) as a coalition game.

A case's ``[network]`` table names its nodes (producers, transit states, buyers), the lines
(the ordered countries each crosses) and which lines exist in each numbered step; every
number (capacities, costs, prices) is a parameter of the case. `case_network` builds
the [`PipelineNetwork`][pipeline_games.coalition.PipelineNetwork] of a step at given parameter values;
`network_path` tabulates each country's Shapley value and nucleolus over the steps;
the ``network`` adapter reports the shares of the case's seller and buyer in the step its
``lines`` parameter selects.

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("china-turkmenistan-gas")
>>> path = network_path(case)
>>> path.steps == tuple(sorted(case.network.steps, key=int))
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._results import Result
from ..coalition import Line, Node, PipelineNetwork, TUGame
from ..errors import CaseFileError, InvalidParameterError, MissingExtraError

if TYPE_CHECKING:
    from ._case import Case
    from ._schema import NetworkSpec

__all__ = [
    "NUCLEOLUS_TOL",
    "CoalitionPath",
    "case_network",
    "network_arguments",
    "network_path",
    "network_shares",
    "nucleoli",
    "step_supply_network",
]

FloatArray = NDArray[np.float64]


def _network_parameters(spec: NetworkSpec) -> tuple[str, ...]:
    names = []
    for node in spec.nodes.values():
        names += [n for n in (node.capacity, node.cost, node.price) if n is not None]
    names += [line.capacity for line in spec.lines.values()]
    return tuple(dict.fromkeys(names))


def _scalar(value: Any, name: str) -> float:
    """A finite number given for a network parameter, or a named error."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        array = np.asarray(value) if isinstance(value, np.ndarray) else None
        if array is None or array.ndim != 0 or array.dtype.kind not in "iuf":
            raise InvalidParameterError(f"{name} must be a number; got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InvalidParameterError(f"{name} must be finite; got {value!r}")
    return number


def case_network(
    spec: NetworkSpec, values: Mapping[str, float], step: int, money_factor: float
) -> PipelineNetwork:
    """The network of ``step`` at scalar parameter ``values`` (values in ``money`` units).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-turkmenistan-gas")
    >>> args = network_arguments(case)
    >>> values = case.epoch_values(case.base, case.years[-1])
    >>> step = max(case.network.steps, key=int)
    >>> net = case_network(case.network, values, int(step), args["money_factor"])
    >>> sorted(line.name for line in net.lines) == sorted(case.network.steps[step])
    True
    """
    from ._schema import NetworkSpec

    if not isinstance(spec, NetworkSpec):
        raise InvalidParameterError(
            f"spec must be a case's [network] table (a NetworkSpec); got {type(spec).__name__}"
        )
    steps = sorted(spec.steps, key=int)
    if isinstance(step, bool) or not isinstance(step, int | np.integer | str):
        raise InvalidParameterError(
            f"step must be one of the network's steps {steps}; got {step!r}"
        )
    key = str(step)
    if key not in spec.steps:
        raise InvalidParameterError(
            f"step must be one of the network's steps {steps}; got {step!r}"
        )
    if not isinstance(values, Mapping):
        raise InvalidParameterError(
            f"values must be a mapping of parameter names to numbers; got {values!r}"
        )

    def number(name: str | None, default: float) -> float:
        if name is None:
            return default
        if name not in values:
            raise InvalidParameterError(f"values must give the network parameter {name!r}")
        return _scalar(values[name], name)

    nodes = []
    for name, node in spec.nodes.items():
        if node.role == "producer":
            nodes.append(
                Node(
                    name,
                    "producer",
                    capacity=number(node.capacity, np.inf),
                    cost=number(node.cost, 0.0),
                )
            )
        elif node.role == "transit":
            nodes.append(Node(name, "transit", cost=number(node.cost, 0.0)))
        else:
            nodes.append(
                Node(
                    name,
                    "buyer",
                    capacity=number(node.capacity, np.inf),
                    price=number(node.price, 0.0),
                )
            )
    lines = [
        Line(name, tuple(spec.lines[name].route), float(values[spec.lines[name].capacity]))
        for name in spec.steps[key]
    ]
    return PipelineNetwork(nodes, lines, value_scale=money_factor)


def network_arguments(case: Case) -> dict[str, Any]:
    """The network adapter's constants: the spec, the dyad, the money factor."""
    from ._market import conversion

    spec = case.network
    if spec is None:
        raise CaseFileError(f"{case.path}: network: the network adapter needs a [network] table")
    capacity_unit = case.parameters[next(iter(spec.lines.values())).capacity].unit
    price_unit = next(
        case.parameters[node.price].unit for node in spec.nodes.values() if node.price is not None
    )
    factor = conversion(f"({capacity_unit}) * ({price_unit})", spec.money)
    return {
        "network": spec,
        "dyad": case.dyad,
        "money_factor": factor,
        "network_parameters": _network_parameters(spec),
    }


#: Relative tolerance of `nucleoli`'s certificate (in units of each game's ``max |v(S)|``).
NUCLEOLUS_TOL = 1e-9


class _NucleolusBasis:
    """The stage structure of one solved nucleolus, reusable on other games.

    The nucleolus of a game is found by a sequence of LPs; stage ``k`` fixes the coalitions
    ``T_k`` (positive dual) at its level ``e_k``. On another game of the same players,
    solve ``x(S) + e_k = v(S)`` (``S`` in ``T_k``) with ``x(N) = v(N)``: if that
    allocation is primal feasible in every stage (each coalition still free at stage ``k``
    has excess at most ``e_k``, and ``x_i >= v({i})``), the first game's duals certify every
    stage's optimum (they do not depend on ``v``), so it is the nucleolus there too. Only
    structure's imputation bounds that bind (``x_i = v({i})``; their duals may be positive)
    must bind on the other game too: they join the equations, so a game where they cannot
    hold fails the residual check.
    """

    def __init__(self, tight: Sequence[Sequence[int]], n: int, bound: Sequence[int]) -> None:
        masks = np.arange(1 << n, dtype=np.int64)
        self.members = ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)
        stages = len(tight)
        rows, fixed_rows = [], [self.members[-1]]
        free = np.zeros((stages, 1 << n), dtype=bool)
        for k, group in enumerate(tight):
            basis = np.linalg.svd(np.array(fixed_rows), full_matrices=False)[2]
            rank = int(np.sum(np.linalg.svd(np.array(fixed_rows), compute_uv=False) > 1e-9))
            basis = basis[:rank]
            residual = self.members - (self.members @ basis.T) @ basis
            free[k] = np.linalg.norm(residual, axis=1) > 1e-9
            for mask in group:
                row = np.zeros(n + stages)
                row[:n] = self.members[mask]
                row[n + k] = 1.0
                rows.append((mask, row))
                fixed_rows.append(self.members[mask])
        for i in bound:
            row = np.zeros(n + stages)
            row[i] = 1.0
            rows.append((1 << int(i), row))
        efficiency = np.zeros(n + stages)
        efficiency[:n] = 1.0
        self.masks = np.array([mask for mask, _ in rows] + [(1 << n) - 1], dtype=np.int64)
        self.matrix = np.array([row for _, row in rows] + [efficiency])
        self.solve = np.linalg.pinv(self.matrix)
        self.free = free
        self.n = n

    def apply(self, worth: FloatArray, tol: float) -> tuple[FloatArray, NDArray[np.bool_]]:
        """Candidate nucleoli of the games ``worth`` (one per row) and whether each is
        certified."""
        n = self.n
        rhs = worth[:, self.masks]
        z = rhs @ self.solve.T
        magnitude = np.maximum(np.abs(worth).max(axis=1), np.finfo(float).tiny)
        slack = tol * magnitude
        ok = np.all(np.abs(z @ self.matrix.T - rhs) <= slack[:, None], axis=1)
        x, levels = z[:, :n], z[:, n:]
        excess = worth - x @ self.members.T
        for k in range(self.free.shape[0]):
            over = excess[:, self.free[k]] - levels[:, k : k + 1]
            ok &= np.all(over <= slack[:, None], axis=1)
        singletons = worth[:, np.int64(1) << np.arange(n)]
        ok &= np.all(x >= singletons - slack[:, None], axis=1)
        return x, ok


def nucleoli(
    worth: FloatArray, players: Sequence[str], *, tol: float = NUCLEOLUS_TOL
) -> FloatArray:
    """The nucleolus of each game in ``worth`` (shape ``(m, 2**n)``, tables indexed by
    bitmask), shape ``(m, n)``.

    Identical games are solved once. A game is solved by the sequence of LPs of
    `TUGame.nucleolus` only when the stage structure of the last game solved does not
    certify it (see
    `_NucleolusBasis`): games near one another share a structure, so a sweep of ``m``
    points costs a few LP sequences and ``O(m 2**n)`` array work, not ``m`` LP sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from pipeline_games.coalition import bankruptcy_game
    >>> games = np.stack([bankruptcy_game(e, [100, 200, 300]).values for e in (200, 210, 220)])
    >>> nucleoli(games, ("a", "b", "c"))  # Aumann-Maschler: the Talmud rule
    array([[50., 75., 75.],
           [50., 80., 80.],
           [50., 85., 85.]])
    """
    worth = np.asarray(worth, dtype=np.float64)
    unique, inverse = np.unique(worth, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    n = len(players)
    out = np.full((len(unique), n), np.nan)
    pending = np.arange(len(unique))
    while pending.size:
        first = int(pending[0])
        result = TUGame(unique[first], tuple(players)).nucleolus(tol=tol)
        out[first] = result.values
        pending = pending[1:]
        singletons = unique[first, np.int64(1) << np.arange(n)]
        magnitude = float(np.abs(unique[first]).max())
        bound = np.flatnonzero(result.values - singletons <= 1e3 * tol * magnitude)
        if pending.size:
            basis = _NucleolusBasis(result.tight_coalitions, n, bound.tolist())
            x, ok = basis.apply(unique[pending], tol)
            out[pending[ok]] = x[ok]
            pending = pending[~ok]
    return out[inverse]


def step_supply_network(
    spec: NetworkSpec, values: Mapping[str, Any], step: int, money_factor: float
) -> Any:
    """The `SupplyNetwork` of ``step`` with array ``values``
    (values in ``money`` units: prices and costs are multiplied by ``money_factor``), the
    same network as `case_network`'s ``PipelineNetwork.supply_network``.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-turkmenistan-gas")
    >>> args = network_arguments(case)
    >>> current = case.epoch_values(case.base, 2014)
    >>> net = step_supply_network(args["network"], current, 4, args["money_factor"])
    >>> net.route_names
    ('A', 'B', 'C', 'D', 'CAC')
    """
    from ..network import Market, Producer, Route, SupplyNetwork

    key = str(int(step))
    if key not in spec.steps:
        raise InvalidParameterError(
            f"lines must be one of the network's steps {sorted(spec.steps, key=int)}; got {step}"
        )

    def number(name: str | None, default: float) -> Any:
        return default if name is None else np.asarray(values[name], dtype=np.float64)

    producers, markets, transit = [], [], []
    for name, node in spec.nodes.items():
        if node.role == "producer":
            cost = number(node.cost, 0.0) * money_factor
            producers.append(Producer(name, capacity=number(node.capacity, np.inf), cost=cost))
        elif node.role == "buyer":
            price = number(node.price, 0.0) * money_factor
            markets.append(Market(name, price=price, capacity=number(node.capacity, np.inf)))
        else:
            transit.append(name)
    routes = []
    for line_name in spec.steps[key]:
        line = spec.lines[line_name]
        cost = sum((number(spec.nodes[s].cost, 0.0) for s in line.route[1:-1]), 0.0)
        routes.append(
            Route(
                line_name, tuple(line.route), number(line.capacity, 0.0), cost=cost * money_factor
            )
        )
    return SupplyNetwork(producers, markets, routes, transit)


def network_shares(params: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """Shares of the grand value by Shapley value and nucleolus, for each parameter point.

    The Shapley value is exact and vectorized over all points (one coalition table per step,
    `pipeline_games.network.cooperative`); the nucleolus is exact at every point
    (`nucleoli`: one LP sequence per stage structure, certified on the other points).
    """
    from ..network import cooperative

    spec: NetworkSpec = params["network"]
    buyer, seller = params["dyad"]
    names = params["network_parameters"]
    values = params["values"]
    money = float(params["money_factor"])
    lines = np.rint(np.asarray(params["lines"], dtype=np.float64)).astype(np.int64)
    columns = [lines, *(np.asarray(values[n], dtype=np.float64) for n in names)]
    shape = np.broadcast_shapes(*(c.shape for c in columns))
    flat = {n: np.broadcast_to(values[n], shape).reshape(-1) for n in names}
    steps = np.broadcast_to(lines, shape).reshape(-1)
    size = steps.size
    out = np.full((size, 3), np.nan)
    for step in np.unique(steps):
        rows = np.flatnonzero(steps == step)
        sub = {n: flat[n][rows] for n in names}
        network = step_supply_network(spec, sub, int(step), money)
        coop = cooperative(network)
        players = list(network.countries)
        total = np.maximum(coop.values[..., -1], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(total != 0.0, total, np.nan)
            for column, country in ((0, seller), (1, buyer)):
                shapley = coop.shapley[..., players.index(country)]
                out[rows, column] = np.broadcast_to(shapley, rows.shape) / scale
        worth = np.maximum(np.broadcast_to(coop.values, (rows.size, 1 << len(players))), 0.0)
        nucleolus = nucleoli(worth, players)[:, players.index(seller)]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[rows, 2] = nucleolus / scale
    out = out.reshape((*shape, 3))
    return {
        "seller_shapley_share": out[..., 0],
        "buyer_shapley_share": out[..., 1],
        "seller_nucleolus_share": out[..., 2],
    }


@dataclass(frozen=True, eq=False, repr=False)
class CoalitionPath(Result):
    """How solution concepts move along a sequence of games (one row per step).

    Attributes
    ----------
    steps
        One label per step.
    players
        Column names.
    parameter
        What changes from step to step.
    grand_value
        ``v(N)`` at each step, shape ``(steps,)``.
    shapley, nucleolus
        Each player's Shapley value and nucleolus, shape ``(steps, players)``.
    least_core_epsilon
        Least-core epsilon at each step (``<= 0`` iff the core is non-empty).

    Examples
    --------
    >>> path = solution_path([TUGame([0, 0, 0, 1], ("a", "b"))], ["only"], "example")
    >>> path.to_dict()["shapley"]
    {'only': {'a': 0.5, 'b': 0.5}}
    """

    steps: tuple[str, ...]
    players: tuple[str, ...]
    parameter: str
    grand_value: FloatArray
    shapley: FloatArray
    nucleolus: FloatArray
    least_core_epsilon: FloatArray

    method: str = "shapley and nucleolus per step"

    @property
    def core_nonempty(self) -> NDArray[np.bool_]:
        """Whether the core is non-empty at each step (epsilon <= 1e-9 of the scale)."""
        scale = np.maximum(1.0, np.abs(self.grand_value))
        return self.least_core_epsilon <= 1e-9 * scale

    def shares(self, concept: str = "shapley") -> FloatArray:
        """Payoffs as shares of ``v(N)`` (0 where ``v(N) = 0``).

        Examples
        --------
        >>> path = solution_path([TUGame([0, 0, 0, 4], ("a", "b"))], ["s"], "x")
        >>> path.shares("nucleolus")
        array([[0.5, 0.5]])
        """
        if concept not in ("shapley", "nucleolus"):
            raise InvalidParameterError(
                f"concept must be 'shapley' or 'nucleolus'; got {concept!r}"
            )
        payoffs = self.shapley if concept == "shapley" else self.nucleolus
        total = self.grand_value[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total != 0.0, payoffs / np.where(total != 0, total, 1.0), 0.0)

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict: concept -> step label -> player -> value."""

        def table(array: FloatArray) -> dict[str, dict[str, float]]:
            return {
                label: {p: float(v) for p, v in zip(self.players, row, strict=True)}
                for label, row in zip(self.steps, array, strict=True)
            }

        return {
            "parameter": self.parameter,
            "grand_value": dict(zip(self.steps, self.grand_value.tolist(), strict=True)),
            "least_core_epsilon": dict(
                zip(self.steps, self.least_core_epsilon.tolist(), strict=True)
            ),
            "shapley": table(self.shapley),
            "nucleolus": table(self.nucleolus),
        }

    def to_frame(self) -> Any:
        """A long pandas DataFrame (step, player, shapley, nucleolus); needs ``[data]``."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingExtraError("pandas", "data", "CoalitionPath.to_frame") from exc
        steps = len(self.steps)
        n = len(self.players)
        return pd.DataFrame(
            {
                "step": np.repeat(np.array(self.steps, dtype=object), n),
                "player": np.tile(np.array(self.players, dtype=object), steps),
                "shapley": self.shapley.ravel(),
                "nucleolus": self.nucleolus.ravel(),
                "grand_value": np.repeat(self.grand_value, n),
            }
        )


def solution_path(
    games: Sequence[TUGame | PipelineNetwork],
    labels: Sequence[str],
    parameter: str,
) -> CoalitionPath:
    """Shapley value, nucleolus and least core of each game in a sequence.

    All games must have the same players in the same order.

    Examples
    --------
    >>> path = solution_path([TUGame([0, 0, 0, 1], ("L", "R"))], ["1"], "x")
    >>> path.nucleolus
    array([[0.5, 0.5]])
    """
    if isinstance(games, str | bytes) or not isinstance(games, Iterable):
        raise InvalidParameterError(f"games must be a sequence of TU games; got {games!r}")
    if isinstance(labels, str | bytes) or not isinstance(labels, Iterable):
        raise InvalidParameterError(f"labels must be a sequence of labels; got {labels!r}")
    tu_games = [g.game() if isinstance(g, PipelineNetwork) else g for g in games]
    for game in tu_games:
        if not isinstance(game, TUGame):
            raise InvalidParameterError(
                f"games must be TUGame or PipelineNetwork objects; got {game!r}"
            )
    label_tuple = tuple(str(label) for label in labels)
    if len(label_tuple) != len(tu_games) or not tu_games:
        raise InvalidParameterError(
            f"labels must have one entry per game ({len(tu_games)}); got {len(label_tuple)}"
        )
    players = tu_games[0].players
    for game in tu_games:
        if game.players != players:
            raise InvalidParameterError(f"games must share players {players}; got {game.players}")
    return CoalitionPath(
        steps=label_tuple,
        players=players,
        parameter=parameter,
        grand_value=np.array([g.values[-1] for g in tu_games]),
        shapley=np.array([g.shapley().values for g in tu_games]),
        nucleolus=np.array([g.nucleolus().values for g in tu_games]),
        least_core_epsilon=np.array([g.core().epsilon for g in tu_games]),
    )


def network_path(case: Case, year: int | None = None) -> CoalitionPath:
    """Shapley value and nucleolus per country in every step of the case's network, at the
    base values in force in ``year`` (default: the last epoch).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> import numpy as np
    >>> path = network_path(load("china-turkmenistan-gas"))
    >>> path.shapley.shape == (len(path.steps), len(path.players))
    True
    >>> bool(np.allclose(path.shapley.sum(axis=1), path.grand_value))
    True
    """
    from ._case import Case

    if not isinstance(case, Case):
        raise InvalidParameterError(f"case must be a Case; got {case!r}")
    args = network_arguments(case)
    spec: NetworkSpec = args["network"]
    current = case.epoch_values(case.base, case.years[-1] if year is None else year)
    values = {name: float(current[name]) for name in args["network_parameters"]}
    steps = sorted(spec.steps, key=int)
    networks = [case_network(spec, values, int(step), args["money_factor"]) for step in steps]
    return solution_path(networks, steps, "lines")
