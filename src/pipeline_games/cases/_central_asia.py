"""The Central Asia-China gas network as a coalition game.

Turkmen gas reaches China over lines A, B and C (Turkmenistan -> Uzbekistan -> Kazakhstan ->
China) and, once built, line D (Turkmenistan -> Uzbekistan -> Tajikistan -> Kyrgyzstan ->
China). Russia buys over the Central Asia-Center (CAC) pipeline (Turkmenistan -> Uzbekistan
-> Kazakhstan -> Russia); Iran, optionally, over a direct link. Every number is in
:func:`central_asia_parameters` with its source, kind (reported / derived / assumption)
and range; :func:`central_asia_network` turns keyword arguments (defaults from that table)
into a :class:`~pipeline_games.coalition._network.PipelineNetwork` whose values are in
USD bn/yr. :func:`line_expansion_path` and :func:`alternative_buyer_path` tabulate each
country's Shapley value and nucleolus as lines are added or the alternative buyer grows.

Examples
--------
>>> path = line_expansion_path()
>>> path.labels
('A+B', 'A+B+C', 'A+B+C+D')
>>> bool(path.shapley[0, path.players.index("Tajikistan")] == 0.0)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array
from ..errors import InvalidParameterError, MissingExtraError
from ._sources import SourcedValue
from ..coalition._network import Line, Node, PipelineNetwork
from ..coalition._tu import TUGame
from .._results import Result

__all__ = [
    "CENTRAL_ASIA_LINES",
    "CoalitionPath",
    "alternative_buyer_path",
    "central_asia_network",
    "central_asia_parameters",
    "line_expansion_path",
    "solution_path",
]

FloatArray = NDArray[np.float64]

TURKMENISTAN = "Turkmenistan"
UZBEKISTAN = "Uzbekistan"
KAZAKHSTAN = "Kazakhstan"
TAJIKISTAN = "Tajikistan"
KYRGYZSTAN = "Kyrgyzstan"
CHINA = "China"
RUSSIA = "Russia"
IRAN = "Iran"

#: Routes of the four Central Asia-China lines (seed 004, Table 1).
CENTRAL_ASIA_LINES: dict[str, tuple[str, ...]] = {
    "A": (TURKMENISTAN, UZBEKISTAN, KAZAKHSTAN, CHINA),
    "B": (TURKMENISTAN, UZBEKISTAN, KAZAKHSTAN, CHINA),
    "C": (TURKMENISTAN, UZBEKISTAN, KAZAKHSTAN, CHINA),
    "D": (TURKMENISTAN, UZBEKISTAN, TAJIKISTAN, KYRGYZSTAN, CHINA),
}
RUSSIA_ROUTE = (TURKMENISTAN, UZBEKISTAN, KAZAKHSTAN, RUSSIA)
IRAN_ROUTE = (TURKMENISTAN, IRAN)


_SEED_TABLE = "seed 004 (Jan. 2014 review of China-Russia relations), Table 1 'Turkmenistan-China Natural Gas Lines'"


def central_asia_parameters() -> dict[str, SourcedValue]:
    """Every number of the Central Asia network, with source, kind and ``[low, high]``.

    Volumes in bcm/yr, prices and costs in USD per thousand cubic metres (USD/kcm).
    Transit costs are real operating costs of moving gas across a country (compression,
    fuel, upkeep), not tariffs: tariffs are transfers that the game's division of the
    surplus replaces.

    Examples
    --------
    >>> p = central_asia_parameters()
    >>> p["line_C_capacity"].as_tuple()[:5]
    (25.0, 25.0, 25.0, 'bcm/yr', 'reported')
    """
    cal = "CALIBRATION.md"
    return {
        "line_A_capacity": SourcedValue(
            20.0, 20.0, 20.0, "bcm/yr", "reported", f"{_SEED_TABLE}: Line A 20 bcm (T,U,K)"
        ),
        "line_B_capacity": SourcedValue(
            10.0, 10.0, 10.0, "bcm/yr", "reported", f"{_SEED_TABLE}: Line B 10 bcm (T,U,K)"
        ),
        "line_C_capacity": SourcedValue(
            25.0,
            25.0,
            25.0,
            "bcm/yr",
            "reported",
            f"{_SEED_TABLE}: Line C 25 bcm (T,U,K); same in {cal} §2d (RFE/RL 2014)",
        ),
        "line_D_capacity": SourcedValue(
            25.0,
            25.0,
            30.0,
            "bcm/yr",
            "reported",
            f"{_SEED_TABLE}: Line D 25 bcm (T,U,Tj,Ky); 30 bcm in {cal} §2d (CNPC text via "
            "kebev.com; Silkroadnews 2014)",
        ),
        "russia_capacity": SourcedValue(
            11.0,
            10.0,
            50.0,
            "bcm/yr",
            "reported",
            f"{cal} §2f: Gazprom offtake of Turkmen gas cut to 10-11 bcm/yr from 2010 "
            "(contract floor 11); CAC capacity 40-50 bcm/yr after degradation (azvision.az)",
        ),
        "turkmen_supply": SourcedValue(
            70.0,
            34.5,
            75.0,
            "bcm/yr",
            "derived",
            "export supply = expected output of 100 bcm/yr by 2020 (seed 000 ch. 3, via "
            f"CASEBOOK case 3) minus an assumed ~30 bcm/yr domestic use; low = 2011 output "
            f"59.5 minus domestic use 25 ({cal} §2f, asian-power.com 2012)",
        ),
        "china_value": SourcedValue(
            300.0,
            227.0,
            400.0,
            "USD/kcm",
            "assumption",
            f"value of a unit of gas to China at its border. Low: Turkmen customs price Apr "
            f"2020, 227 ({cal} §2f, reported); 2013-14 border price ~250-350 ({cal} §2f, not "
            f"verified); high: Power of Siberia contract estimate 350-400, China's alternative "
            f"pipeline supply ({cal} §2a, reported)",
        ),
        "russia_value": SourcedValue(
            262.0,
            150.0,
            272.0,
            "USD/kcm",
            "assumption",
            f"proxy for what Turkmen gas is worth to Russia: Gazprom's average 2014 price to "
            f"FSU/CIS buyers 262.1-272 ({cal} §2f, reported); low end allows for the cost of "
            f"moving it on to those buyers (assumption)",
        ),
        "iran_capacity": SourcedValue(
            0.0,
            0.0,
            20.0,
            "bcm/yr",
            "assumption",
            "Turkmen exports to Iran were small and uncertain (seed 000 ch. 3, via CASEBOOK "
            "case 3); off by default, up to 20 bcm/yr as a what-if (not verified)",
        ),
        "iran_value": SourcedValue(
            150.0,
            100.0,
            250.0,
            "USD/kcm",
            "assumption",
            "Iran's value for Turkmen gas in its gas-rich north: no verified figure; wide range",
        ),
        "production_cost": SourcedValue(
            40.0,
            20.0,
            80.0,
            "USD/kcm",
            "assumption",
            "Turkmen onshore production cost (large conventional fields); no verified figure "
            "in the seeds or CALIBRATION.md; wide range",
        ),
        "transit_cost_Uzbekistan": SourcedValue(
            8.0,
            4.0,
            16.0,
            "USD/kcm",
            "assumption",
            "operating cost of crossing Uzbekistan (a few hundred km of line); about 1-2 "
            "USD/kcm per 100 km (assumption)",
        ),
        "transit_cost_Kazakhstan": SourcedValue(
            15.0,
            8.0,
            30.0,
            "USD/kcm",
            "assumption",
            "operating cost of crossing Kazakhstan, the longest section of the 1,833 km A/B "
            f"line ({cal} §2d, length reported); per-km cost assumed as for Uzbekistan",
        ),
        "transit_cost_Tajikistan": SourcedValue(
            6.0,
            3.0,
            15.0,
            "USD/kcm",
            "assumption",
            f"line D runs ~840 km outside China ({cal} §2d, reported); Tajik section "
            "assumed a few hundred km, mountainous",
        ),
        "transit_cost_Kyrgyzstan": SourcedValue(
            4.0,
            2.0,
            10.0,
            "USD/kcm",
            "assumption",
            f"Kyrgyz section of line D 215 km ({cal} §2d, Silkroadnews 2014, reported); "
            "per-km cost assumed, mountain terrain",
        ),
    }


def _default(name: str) -> float:
    return central_asia_parameters()[name].value


def central_asia_network(
    lines: Sequence[str] = ("A", "B", "C", "D"),
    *,
    line_capacities: Mapping[str, float] | None = None,
    russia_capacity: float | None = None,
    include_iran: bool = False,
    iran_capacity: float | None = None,
    china_value: float | None = None,
    russia_value: float | None = None,
    iran_value: float | None = None,
    production_cost: float | None = None,
    transit_costs: Mapping[str, float] | None = None,
    turkmen_supply: float | None = None,
    china_capacity: float = float("inf"),
) -> PipelineNetwork:
    """The Central Asia gas network, values in USD bn/yr.

    Every keyword left ``None`` takes its value from :func:`central_asia_parameters`.
    Players: Turkmenistan (producer), Uzbekistan, Kazakhstan, Tajikistan, Kyrgyzstan
    (transit), China and Russia (buyers), and Iran (buyer) when ``include_iran``. Tajikistan
    and Kyrgyzstan stay players when line D is absent (they are then null players), so
    tables over steps keep the same columns.

    Parameters
    ----------
    lines
        Which of the lines ``"A"``, ``"B"``, ``"C"``, ``"D"`` exist.
    line_capacities
        Overrides, e.g. ``{"D": 30.0}``.
    russia_capacity
        Capacity of the Russian outlet (CAC pipeline), bcm/yr; 0 removes Russia's line.
    include_iran, iran_capacity, iran_value
        The optional Iranian outlet.
    china_value, russia_value
        Value of a unit of gas to each buyer, USD/kcm.
    production_cost
        Turkmen production cost, USD/kcm.
    transit_costs
        Overrides per transit country, USD/kcm, e.g. ``{"Kazakhstan": 20.0}``.
    turkmen_supply
        Turkmen export supply, bcm/yr.
    china_capacity
        China's import limit over these lines (default unlimited).

    Examples
    --------
    >>> net = central_asia_network(lines=("A", "B"), russia_capacity=0.0)
    >>> net.value(["Turkmenistan", "Uzbekistan", "Kazakhstan", "China"])  # 30 * (300-40-8-15) / 1000
    7.11
    """
    known = set(CENTRAL_ASIA_LINES)
    chosen = tuple(lines)
    for name in chosen:
        if name not in known:
            raise InvalidParameterError(
                f"lines must be drawn from {sorted(known)}; got unknown line {name!r}"
            )
    if len(set(chosen)) != len(chosen):
        raise InvalidParameterError(f"lines must not repeat; got {chosen}")
    capacities = {key: _default(f"line_{key}_capacity") for key in CENTRAL_ASIA_LINES}
    for key, capacity in (line_capacities or {}).items():
        if key not in known:
            raise InvalidParameterError(
                f"line_capacities keys must be drawn from {sorted(known)}; got {key!r}"
            )
        capacities[key] = float(as_array(capacity, f"line_capacities[{key!r}]", low=0.0))
    transit = {
        country: _default(f"transit_cost_{country}")
        for country in (UZBEKISTAN, KAZAKHSTAN, TAJIKISTAN, KYRGYZSTAN)
    }
    for country, cost in (transit_costs or {}).items():
        if country not in transit:
            raise InvalidParameterError(
                f"transit_costs keys must be drawn from {sorted(transit)}; got {country!r}"
            )
        transit[country] = float(as_array(cost, f"transit_costs[{country!r}]", low=0.0))

    def pick(value: float | None, name: str) -> float:
        return _default(name) if value is None else float(value)

    nodes = [
        Node(
            TURKMENISTAN,
            "producer",
            capacity=pick(turkmen_supply, "turkmen_supply"),
            cost=pick(production_cost, "production_cost"),
        ),
        *(Node(country, "transit", cost=cost) for country, cost in transit.items()),
        Node(CHINA, "buyer", capacity=china_capacity, price=pick(china_value, "china_value")),
        Node(RUSSIA, "buyer", price=pick(russia_value, "russia_value")),
    ]
    network_lines = [Line(key, CENTRAL_ASIA_LINES[key], capacities[key]) for key in chosen]
    russia_cap = pick(russia_capacity, "russia_capacity")
    network_lines.append(Line("CAC", RUSSIA_ROUTE, russia_cap))
    if include_iran:
        nodes.append(Node(IRAN, "buyer", price=pick(iran_value, "iran_value")))
        network_lines.append(Line("Iran", IRAN_ROUTE, pick(iran_capacity, "iran_capacity")))
    return PipelineNetwork(nodes, network_lines, value_scale=1e-3)


@dataclass(frozen=True, eq=False, repr=False)
class CoalitionPath(Result):
    """How solution concepts move along a sequence of games (one row per step).

    Attributes
    ----------
    labels
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

    labels: tuple[str, ...]
    players: tuple[str, ...]
    parameter: str
    grand_value: FloatArray
    shapley: FloatArray
    nucleolus: FloatArray
    least_core_epsilon: FloatArray

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
                for label, row in zip(self.labels, array, strict=True)
            }

        return {
            "parameter": self.parameter,
            "grand_value": dict(zip(self.labels, self.grand_value.tolist(), strict=True)),
            "least_core_epsilon": dict(
                zip(self.labels, self.least_core_epsilon.tolist(), strict=True)
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
        steps = len(self.labels)
        n = len(self.players)
        return pd.DataFrame(
            {
                "step": np.repeat(np.array(self.labels, dtype=object), n),
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
    tu_games = [g.game() if isinstance(g, PipelineNetwork) else g for g in games]
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
        labels=label_tuple,
        players=players,
        parameter=parameter,
        grand_value=np.array([g.values[-1] for g in tu_games]),
        shapley=np.array([g.shapley().values for g in tu_games]),
        nucleolus=np.array([g.nucleolus().values for g in tu_games]),
        least_core_epsilon=np.array([g.core().epsilon for g in tu_games]),
    )


def line_expansion_path(
    steps: Sequence[Sequence[str]] = (("A", "B"), ("A", "B", "C"), ("A", "B", "C", "D")),
    **network_options: Any,
) -> CoalitionPath:
    """Shapley value and nucleolus per country as lines are added.

    ``network_options`` go to :func:`central_asia_network` (all but ``lines``).

    Examples
    --------
    >>> path = line_expansion_path(russia_capacity=0.0)
    >>> kz = path.players.index("Kazakhstan")
    >>> bool(path.shapley[2, kz] < path.shapley[1, kz])  # line D bypasses Kazakhstan
    True
    """
    if "lines" in network_options:
        raise InvalidParameterError("lines is set by steps; do not pass it in network_options")
    networks = [central_asia_network(lines=tuple(step), **network_options) for step in steps]
    labels = ["+".join(step) for step in steps]
    return solution_path(networks, labels, "lines")


def alternative_buyer_path(
    capacities: ArrayLike = (0.0, 11.0, 20.0, 30.0, 40.0, 50.0),
    *,
    buyer: str = RUSSIA,
    **network_options: Any,
) -> CoalitionPath:
    """Shapley value and nucleolus per country as an alternative buyer's line grows.

    Parameters
    ----------
    capacities
        Capacities of the buyer's line, bcm/yr (one step each).
    buyer
        ``"Russia"`` (the CAC line) or ``"Iran"`` (which adds Iran as a player).
    network_options
        Passed on to :func:`central_asia_network`.

    Examples
    --------
    >>> path = alternative_buyer_path([0.0, 11.0], lines=("A", "B", "C"))
    >>> path.labels
    ('Russia 0 bcm/yr', 'Russia 11 bcm/yr')
    """
    values = as_array(capacities, "capacities", low=0.0)
    if values.ndim != 1:
        raise InvalidParameterError(f"capacities must be 1-d; got shape {values.shape}")
    if buyer == RUSSIA:
        key = "russia_capacity"
    elif buyer == IRAN:
        key = "iran_capacity"
        network_options = {**network_options, "include_iran": True}
    else:
        raise InvalidParameterError(f"buyer must be 'Russia' or 'Iran'; got {buyer!r}")
    if key in network_options:
        raise InvalidParameterError(f"{key} is set by capacities; do not pass it")
    networks = [
        central_asia_network(**{**network_options, key: float(capacity)}) for capacity in values
    ]
    labels = [f"{buyer} {capacity:g} bcm/yr" for capacity in values]
    return solution_path(networks, labels, key)
