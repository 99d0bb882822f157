"""The result type shared by every bargaining solver."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import stack_last
from .._results import Result, plain
from ..errors import MissingExtraError

__all__ = [
    "BINDING_BOTH",
    "BINDING_NONE",
    "BINDING_OUTSIDE_0",
    "BINDING_OUTSIDE_1",
    "Outcome",
]

FloatArray = NDArray[np.float64]

#: No outside option binds: the outcome is the one without outside options.
BINDING_NONE = 0
#: Player 0's (the buyer's) outside option binds.
BINDING_OUTSIDE_0 = 1
#: Player 1's (the seller's) outside option binds.
BINDING_OUTSIDE_1 = 2
#: Both outside options bind (``BINDING_OUTSIDE_0 | BINDING_OUTSIDE_1``).
BINDING_BOTH = 3


@dataclass(frozen=True, eq=False, repr=False)
class Outcome(Result):
    """What a bargaining solver returns, for one parameter point or an array of them.

    Attributes
    ----------
    payoffs
        Array of shape ``(..., 2)``: each player's payoff, in the order of ``players``.
    agreement
        Boolean array of shape ``(...)``: whether the players agree. Where they do not,
        ``payoffs`` are what they get without agreement (the disagreement point, or the
        outside options in alternating offers).
    disagreement
        ``(d0, d1)``: the disagreement point the solution was measured from, as the
        problem's arrays (broadcastable to [`shape`][pipeline_games.bargaining.Outcome.shape], not copied to it).
    method
        The solver's name, e.g. ``"nash"`` or ``"rubinstein"``.
    parameters
        The solver's arguments other than the problem (weights, discount factors, ...).
    players
        The players' names; default ``("buyer", "seller")``.
    binding
        ``int8`` array of shape ``(...)`` for alternating-offers solutions: a bit mask of
        the outside options that bind (`BINDING_NONE`, `BINDING_OUTSIDE_0`,
        `BINDING_OUTSIDE_1`, `BINDING_BOTH`); ``None`` for the other solvers.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> out = pg.nash(pg.BargainingProblem.linear(100.0, (10.0, 30.0)), weight=0.5)
    >>> out.payoffs, bool(out.agreement)
    (array([40., 60.]), True)
    >>> out.shares
    array([0.4, 0.6])
    >>> out.gains
    array([30., 30.])
    """

    payoffs: FloatArray
    agreement: NDArray[np.bool_]
    disagreement: tuple[FloatArray, FloatArray]
    method: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    players: tuple[str, str] = ("buyer", "seller")
    binding: NDArray[np.int8] | None = None

    @classmethod
    def from_blocks(
        cls,
        arrays: Mapping[str, Any],
        problem: Any,
        method: str,
        parameters: Mapping[str, Any],
    ) -> Outcome:
        """Assemble an outcome from a blocked kernel's ``payoffs``, ``agreement`` (and ``binding``)."""
        return cls(
            payoffs=arrays["payoffs"],
            agreement=arrays["agreement"],
            disagreement=problem.disagreement,
            method=method,
            parameters=parameters,
            players=problem.players,
            binding=arrays.get("binding"),
        )

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the parameter grid (``payoffs.shape[:-1]``)."""
        return tuple(self.payoffs.shape[:-1])

    @cached_property
    def shares(self) -> FloatArray:
        """Each player's share of the joint payoff of an agreement, ``payoffs / payoffs.sum(-1)``.

        NaN where the players do not agree (there is no agreement to share: the payoffs are
        what each side gets on its own) and where the joint payoff is zero.

        Examples
        --------
        >>> import pipeline_games as pg
        >>> problem = pg.BargainingProblem.linear(100.0, ([10.0, 80.0], [30.0, 40.0]))
        >>> pg.nash(problem).shares
        array([[0.4, 0.6],
               [nan, nan]])
        """
        total = self.payoffs.sum(axis=-1, keepdims=True)
        defined = (total != 0.0) & np.asarray(self.agreement)[..., np.newaxis]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(defined, self.payoffs / total, np.nan)

    @cached_property
    def gains(self) -> FloatArray:
        """Each player's gain over the disagreement point, ``payoffs - disagreement``."""
        return self.payoffs - stack_last(*self.disagreement, self.shape)

    def labels(self) -> NDArray[np.str_]:
        """Which outside option binds, in words (``"none"``, ``"buyer"``, ``"seller"``, ``"both"``).

        Raises ``NotImplementedError`` for solvers that have no outside options.
        """
        if self.binding is None:
            raise NotImplementedError(
                f"Outcome of {self.method} has no labels (no outside options)"
            )
        labels = np.array(["none", self.players[0], self.players[1], "both"])
        return labels[self.binding]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (nested lists) of the outcome.

        Examples
        --------
        >>> import pipeline_games as pg
        >>> d = pg.nash(pg.BargainingProblem.linear(10.0)).to_dict()
        >>> d["payoffs"], d["agreement"], d["method"]
        ([5.0, 5.0], True, 'nash')
        """
        result: dict[str, Any] = {
            "method": self.method,
            "players": list(self.players),
            "parameters": {key: plain(value) for key, value in self.parameters.items()},
            "payoffs": self.payoffs.tolist(),
            "shares": plain(self.shares),  # null where there is no agreement
            "agreement": self.agreement.tolist(),
            "disagreement": stack_last(*self.disagreement, self.shape).tolist(),
        }
        if self.binding is not None:
            result["binding"] = self.labels().tolist()
        return result

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per parameter point (needs the ``data`` extra).

        Columns: ``payoff_<player>``, ``share_<player>``, ``agreement`` and, for
        alternating offers, ``binding``.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the dev extra
            raise MissingExtraError("pandas", "data", "Outcome.to_frame") from exc
        flat_payoffs = self.payoffs.reshape(-1, 2)
        flat_shares = self.shares.reshape(-1, 2)
        columns: dict[str, Any] = {}
        for index, player in enumerate(self.players):
            columns[f"payoff_{player}"] = flat_payoffs[:, index]
        for index, player in enumerate(self.players):
            columns[f"share_{player}"] = flat_shares[:, index]
        columns["agreement"] = np.broadcast_to(self.agreement, self.shape).reshape(-1)
        if self.binding is not None:
            columns["binding"] = self.labels().reshape(-1)
        return pd.DataFrame(columns)
