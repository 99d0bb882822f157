"""Two-player bargaining problems: a utility frontier plus a disagreement point.

Player order is always ``(buyer, seller)`` unless the problem's ``players`` say otherwise.
Player 0's utility is ``u1`` (the horizontal axis), player 1's is ``u2``.

Three frontier families are provided:

* [`LinearFrontier`][pipeline_games.bargaining.LinearFrontier]: ``u2 = rate * (surplus - u1)``, transferable utility with an
  optional exchange rate between the two sides' utilities;
* [`PowerFrontier`][pipeline_games.bargaining.PowerFrontier]: ``u2 = scale * (surplus - u1) ** exponent`` with
  ``0 < exponent <= 1``, a strictly concave frontier when ``exponent < 1``;
* [`PointsFrontier`][pipeline_games.bargaining.PointsFrontier]: the upper-right boundary of the convex hull of a finite set of
  utility pairs (with free disposal).

Every numeric field of the linear and power families broadcasts, so one
[`BargainingProblem`][pipeline_games.bargaining.BargainingProblem] can hold a single problem or ``10**7`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import as_array, as_pair, broadcast_named
from ..errors import InvalidParameterError

__all__ = [
    "BargainingProblem",
    "Frontier",
    "LinearFrontier",
    "PointsFrontier",
    "PowerFrontier",
]

FloatArray = NDArray[np.float64]
DEFAULT_PLAYERS = ("buyer", "seller")


@dataclass(frozen=True, eq=False)
class Frontier:
    """Base class of Pareto frontiers ``u2 = value(u1)``, non-increasing and concave.

    Subclasses implement [`value`][pipeline_games.bargaining.Frontier.value] (``-inf`` where ``u1`` is not attainable) and
    [`inverse`][pipeline_games.bargaining.Frontier.inverse] (the largest ``u1`` compatible with a given ``u2``). Both are
    vectorized and broadcast against the frontier's own parameters.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> frontier = pg.BargainingProblem.linear(100.0).frontier
    >>> isinstance(frontier, pg.Frontier), frontier.kind
    (True, 'linear')
    """

    kind: ClassVar[str] = "abstract"

    @property
    def shape(self) -> tuple[int, ...]:  # pragma: no cover - overridden
        raise NotImplementedError

    def arrays(self) -> dict[str, FloatArray]:
        """The frontier's parameter arrays by field name (what a blocked kernel slices)."""
        return {item.name: getattr(self, item.name) for item in fields(self)}

    def value(self, u1: ArrayLike) -> FloatArray:  # pragma: no cover - overridden
        """Player 1's best utility when player 0 gets ``u1``."""
        raise NotImplementedError

    def inverse(self, u2: ArrayLike) -> FloatArray:  # pragma: no cover - overridden
        """Player 0's best utility when player 1 gets ``u2``."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class LinearFrontier(Frontier):
    """``u2 = rate * (surplus - u1)`` for every real ``u1`` (transferable utility).

    ``rate`` converts player 0's utility units into player 1's: a transfer of one unit
    from player 0 is worth ``rate`` units to player 1.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> frontier = pg.BargainingProblem.linear(100.0, rate=2.0).frontier
    >>> float(frontier.value(40.0)), float(frontier.inverse(60.0))
    (120.0, 70.0)
    """

    surplus: FloatArray
    rate: FloatArray
    kind: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        _set(self, "surplus", as_array(self.surplus, "surplus", low=0.0))
        _set(self, "rate", as_array(self.rate, "rate", low=0.0, low_open=True))
        self.shape  # noqa: B018 - shapes must broadcast

    @property
    def shape(self) -> tuple[int, ...]:
        return broadcast_named(surplus=self.surplus, rate=self.rate)

    def value(self, u1: ArrayLike) -> FloatArray:
        return self.rate * (self.surplus - np.asarray(u1, dtype=np.float64))

    def inverse(self, u2: ArrayLike) -> FloatArray:
        return self.surplus - np.asarray(u2, dtype=np.float64) / self.rate


@dataclass(frozen=True, eq=False)
class PowerFrontier(Frontier):
    """``u2 = scale * (surplus - u1) ** exponent`` for ``u1 <= surplus``.

    Player 0 can get at most ``surplus`` (then player 1 gets 0); with free disposal any
    ``u2 <= 0`` is compatible with ``u1 = surplus``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> frontier = pg.BargainingProblem.power(surplus=100.0, scale=1.5, exponent=0.5).frontier
    >>> frontier.value([19.0, 100.0])
    array([13.5,  0. ])
    """

    surplus: FloatArray
    scale: FloatArray
    exponent: FloatArray
    kind: ClassVar[str] = "power"

    def __post_init__(self) -> None:
        _set(self, "surplus", as_array(self.surplus, "surplus", low=0.0))
        _set(self, "scale", as_array(self.scale, "scale", low=0.0, low_open=True))
        _set(
            self,
            "exponent",
            as_array(self.exponent, "exponent", low=0.0, high=1.0, low_open=True),
        )
        self.shape  # noqa: B018 - shapes must broadcast

    @property
    def shape(self) -> tuple[int, ...]:
        return broadcast_named(surplus=self.surplus, scale=self.scale, exponent=self.exponent)

    def value(self, u1: ArrayLike) -> FloatArray:
        room = self.surplus - np.asarray(u1, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            result = self.scale * np.maximum(room, 0.0) ** self.exponent
        return np.where(room >= 0.0, result, -np.inf)

    def inverse(self, u2: ArrayLike) -> FloatArray:
        level = np.maximum(np.asarray(u2, dtype=np.float64), 0.0) / self.scale
        return self.surplus - level ** (1.0 / self.exponent)


@dataclass(frozen=True, eq=False)
class PointsFrontier(Frontier):
    """Piecewise-linear frontier through ``vertices`` (u1 increasing, u2 decreasing).

    Built by [`BargainingProblem.from_points`][pipeline_games.bargaining.BargainingProblem.from_points]: the strictly Pareto-efficient part of
    the convex hull of a finite set of utility pairs. With free disposal, ``u1`` below the
    first vertex is compatible with the first vertex's ``u2`` and any ``u2`` below the last
    vertex with the last vertex's ``u1``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> problem = pg.BargainingProblem.from_points([[0, 10], [5, 8], [10, 0], [2, 2]])
    >>> problem.frontier.vertices  # (2, 2) is dominated and dropped
    array([[ 0., 10.],
           [ 5.,  8.],
           [10.,  0.]])
    >>> float(problem.frontier.value(7.5))
    4.0
    """

    vertices: FloatArray
    kind: ClassVar[str] = "points"

    def __post_init__(self) -> None:
        vertices = as_array(self.vertices, "vertices")
        if vertices.ndim != 2 or vertices.shape[1] != 2:
            raise InvalidParameterError(
                "vertices must be an array of shape (k, 2), one utility pair per row; got "
                f"shape {vertices.shape}"
            )
        first, second = vertices[:, 0], vertices[:, 1]
        if np.any(np.diff(first) <= 0.0) or np.any(np.diff(second) >= 0.0):
            raise InvalidParameterError(
                "vertices must run with u1 strictly increasing and u2 strictly decreasing (a "
                "Pareto-efficient chain; BargainingProblem.from_points builds one from any "
                f"points); got {vertices[:6].tolist()!r}"[:400]
            )
        _set(self, "vertices", vertices)

    @property
    def shape(self) -> tuple[int, ...]:
        return ()

    def value(self, u1: ArrayLike) -> FloatArray:
        first, second = self.vertices[:, 0], self.vertices[:, 1]
        return np.interp(
            np.asarray(u1, dtype=np.float64), first, second, left=second[0], right=-np.inf
        )

    def inverse(self, u2: ArrayLike) -> FloatArray:
        first, second = self.vertices[::-1, 0], self.vertices[::-1, 1]
        return np.interp(
            np.asarray(u2, dtype=np.float64), second, first, left=first[0], right=-np.inf
        )


def check_problem(problem: object) -> BargainingProblem:
    """Return ``problem`` if it is a [`BargainingProblem`][pipeline_games.bargaining.BargainingProblem], else raise a clear error.

    Examples
    --------
    >>> check_problem(5)
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: problem must be a BargainingProblem (build one with BargainingProblem.linear, .power or .from_points); got int
    """
    if not isinstance(problem, BargainingProblem):
        raise InvalidParameterError(
            "problem must be a BargainingProblem (build one with BargainingProblem.linear, "
            f".power or .from_points); got {type(problem).__name__}"
        )
    return problem


def _set(frontier: Frontier, name: str, value: FloatArray) -> None:
    """Store a checked field of a frozen frontier."""
    object.__setattr__(frontier, name, value)


def _players(players: object) -> tuple[str, str]:
    """Two player names; a single string is refused rather than split into characters."""
    if isinstance(players, str) or not isinstance(players, tuple | list) or len(players) != 2:
        raise InvalidParameterError(
            f"players must be two names, e.g. ('buyer', 'seller'); got {players!r}"
        )
    first, second = players  # __post_init__ checks that both are strings
    return (first, second)


def _pareto_hull(points: FloatArray) -> FloatArray:
    """Vertices of the upper-right boundary of the convex hull of ``points``.

    Returns the strictly efficient chain, ``u1`` increasing and ``u2`` decreasing, with
    collinear interior points removed (Andrew's monotone chain on the upper hull).
    """
    order = np.lexsort((points[:, 1], points[:, 0]))  # u0 ascending, ties by u1 ascending
    ordered = points[order]
    # Scanning from the right, keep a point only if it beats in u1 every point to its right
    # (among equal u0 the highest u1 is seen first, so the rest are dropped).
    keep = []
    best = -np.inf
    for index in range(len(ordered) - 1, -1, -1):
        if ordered[index, 1] > best:
            keep.append(index)
            best = ordered[index, 1]
    efficient = ordered[keep[::-1]]
    hull: list[FloatArray] = []
    for point in efficient:
        while len(hull) >= 2:
            (ax, ay), (bx, by) = hull[-2], hull[-1]
            cross = (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)
            if cross >= 0.0:  # b lies on or below the chord a-point: not a hull vertex
                hull.pop()
            else:
                break
        hull.append(point)
    return np.array(hull, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """A two-player bargaining problem: a Pareto frontier and a disagreement point.

    Build one with [`linear`][pipeline_games.bargaining.BargainingProblem.linear], [`power`][pipeline_games.bargaining.BargainingProblem.power] or [`from_points`][pipeline_games.bargaining.BargainingProblem.from_points]. All numeric
    fields broadcast together; [`shape`][pipeline_games.bargaining.BargainingProblem.shape] is the shape of the parameter grid.

    Attributes
    ----------
    frontier
        The Pareto frontier ``u2 = frontier.value(u1)``.
    disagreement
        ``(d0, d1)``: what each player gets if no agreement is reached (arrays).
    players
        Names of the two players, in order; default ``("buyer", "seller")``.

    Examples
    --------
    >>> import numpy as np
    >>> problem = BargainingProblem.linear(surplus=np.array([100.0, 120.0]),
    ...                                    disagreement=(10.0, 30.0))
    >>> problem.shape
    (2,)
    >>> problem.has_gains()
    array([ True,  True])
    """

    frontier: Frontier
    disagreement: tuple[FloatArray, FloatArray]
    players: tuple[str, str] = DEFAULT_PLAYERS

    def __post_init__(self) -> None:
        players = self.players
        if (
            not isinstance(players, tuple | list)
            or len(players) != 2
            or not all(isinstance(p, str) for p in players)
        ):
            raise InvalidParameterError(
                f"players must be two names (strings); got {players!r}"[:300]
            )
        if players[0] == players[1]:
            raise InvalidParameterError(
                f"players must be two distinct names; got {players[0]!r} twice"[:300]
            )
        if not isinstance(self.frontier, LinearFrontier | PowerFrontier | PointsFrontier):
            raise InvalidParameterError(
                "frontier must be a LinearFrontier, PowerFrontier or PointsFrontier (or build "
                "the problem with BargainingProblem.linear, .power or .from_points); got "
                f"{type(self.frontier).__name__}"
            )
        object.__setattr__(self, "players", tuple(players))
        object.__setattr__(self, "disagreement", as_pair(self.disagreement, "disagreement"))
        # Fail at construction, not inside a solver, when shapes do not broadcast.
        self.shape  # noqa: B018

    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of all the problem's parameters."""
        first, second = self.disagreement
        return broadcast_named(
            frontier=np.broadcast_to(False, self.frontier.shape),
            **{"disagreement[0]": first, "disagreement[1]": second},
        )

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def linear(
        cls,
        surplus: ArrayLike,
        disagreement: Any = (0.0, 0.0),
        *,
        rate: ArrayLike = 1.0,
        players: tuple[str, str] = DEFAULT_PLAYERS,
    ) -> BargainingProblem:
        """Split a surplus: ``u0 + u1 / rate = surplus``.

        Parameters
        ----------
        surplus
            Size of the pie, ``>= 0`` (broadcasts).
        disagreement
            ``(d0, d1)``, each a number or array (broadcasts); default ``(0, 0)``.
        rate
            Units of player 1's utility per unit given up by player 0, ``> 0``.
        players
            Names of the two players.

        Examples
        --------
        >>> p = BargainingProblem.linear(100.0, (10.0, 30.0))
        >>> float(p.frontier.value(40.0))
        60.0
        """
        frontier = LinearFrontier(surplus=surplus, rate=rate)  # type: ignore[arg-type]  # checked there
        return cls(frontier, disagreement, _players(players))  # disagreement checked there

    @classmethod
    def power(
        cls,
        surplus: ArrayLike,
        disagreement: Any = (0.0, 0.0),
        *,
        scale: ArrayLike = 1.0,
        exponent: ArrayLike = 0.5,
        players: tuple[str, str] = DEFAULT_PLAYERS,
    ) -> BargainingProblem:
        """Concave frontier ``u1 = scale * (surplus - u0) ** exponent``.

        Parameters
        ----------
        surplus
            Player 0's largest attainable utility, ``>= 0``.
        disagreement
            ``(d0, d1)``; default ``(0, 0)``.
        scale
            ``> 0``.
        exponent
            In ``(0, 1]``; 1 gives a linear frontier with ``rate = scale``.
        players
            Names of the two players.

        Examples
        --------
        >>> p = BargainingProblem.power(4.0, exponent=0.5)
        >>> float(p.frontier.value(0.0))
        2.0
        """
        frontier = PowerFrontier(surplus=surplus, scale=scale, exponent=exponent)  # type: ignore[arg-type]
        return cls(frontier, disagreement, _players(players))

    @classmethod
    def from_points(
        cls,
        points: ArrayLike,
        disagreement: Any = (0.0, 0.0),
        *,
        players: tuple[str, str] = DEFAULT_PLAYERS,
    ) -> BargainingProblem:
        """Frontier of the convex hull of a finite set of utility pairs.

        Parameters
        ----------
        points
            Array of shape ``(k, 2)``: attainable utility pairs (lotteries over them are
            attainable too, hence the convex hull).
        disagreement
            ``(d0, d1)``; may broadcast to many disagreement points for one frontier.
        players
            Names of the two players.

        Examples
        --------
        >>> p = BargainingProblem.from_points([[0, 10], [6, 8], [10, 0], [2, 2]])
        >>> p.frontier.vertices
        array([[ 0., 10.],
               [ 6.,  8.],
               [10.,  0.]])
        """
        array = as_array(points, "points")
        if array.ndim != 2 or array.shape[1] != 2:
            raise InvalidParameterError(
                f"points must be an array of shape (k, 2), one utility pair per row; "
                f"got shape {array.shape}"
            )
        frontier = PointsFrontier(vertices=_pareto_hull(array))
        return cls(frontier, disagreement, _players(players))

    # -- derived quantities -------------------------------------------------------------
    def ideal_point(self) -> tuple[FloatArray, FloatArray]:
        """Each player's best individually rational utility ``(I0, I1)``.

        ``I0`` is the most player 0 can get when player 1 gets its disagreement payoff,
        ``I1`` the converse: the utopia point used by Kalai-Smorodinsky.
        """
        first, second = self.disagreement
        return self.frontier.inverse(second), self.frontier.value(first)

    def has_gains(self) -> NDArray[np.bool_]:
        """Boolean array: does some feasible point give both players strictly more than ``d``?"""
        first, second = self.disagreement
        gains = self.frontier.value(first) > second
        return np.broadcast_to(gains, self.shape)
