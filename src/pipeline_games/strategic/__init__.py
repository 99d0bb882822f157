"""Strategic games: normal form (nashpy inside), batched 2x2 solver, Gambit files, backward induction."""

from __future__ import annotations

from .batched import MAX_EXTREME_EQUILIBRIA_2X2, Batch2x2Result, solve_2x2
from .normal_form import (
    EliminationResult,
    EquilibriumSet,
    NormalFormGame,
    PureEquilibria,
    pure_nash_equilibria,
)

__all__: list[str] = [
    "MAX_EXTREME_EQUILIBRIA_2X2",
    "Batch2x2Result",
    "EliminationResult",
    "EquilibriumSet",
    "NormalFormGame",
    "PureEquilibria",
    "pure_nash_equilibria",
    "solve_2x2",
]
