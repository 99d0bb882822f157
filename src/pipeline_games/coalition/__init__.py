"""Coalitions: TU games (Shapley, Banzhaf, core, nucleolus) and pipeline transit networks."""

from __future__ import annotations

from .central_asia import (
    CENTRAL_ASIA_LINES,
    CoalitionPath,
    alternative_buyer_path,
    central_asia_network,
    central_asia_parameters,
    line_expansion_path,
    solution_path,
)
from .network import Line, Node, PipelineNetwork
from .tu import (
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
    "CENTRAL_ASIA_LINES",
    "Allocation",
    "CoalitionPath",
    "CoreResult",
    "Line",
    "Node",
    "NucleolusResult",
    "PipelineNetwork",
    "TUGame",
    "airport_game",
    "alternative_buyer_path",
    "bankruptcy_game",
    "central_asia_network",
    "central_asia_parameters",
    "glove_game",
    "line_expansion_path",
    "solution_path",
    "weighted_majority_game",
]
