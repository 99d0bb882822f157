"""Coalitions: TU games (Shapley, Banzhaf, core, nucleolus) and pipeline transit networks."""

from __future__ import annotations

from ._network import Line, Node, PipelineNetwork
from ._tu import (
    Allocation,
    CoreResult,
    NucleolusResult,
    TUGame,
    airport_game,
    bankruptcy_game,
    glove_game,
    weighted_majority_game,
)

__all__: list[str] = [
    "Allocation",
    "CoreResult",
    "Line",
    "Node",
    "NucleolusResult",
    "PipelineNetwork",
    "TUGame",
    "airport_game",
    "bankruptcy_game",
    "glove_game",
    "weighted_majority_game",
]
