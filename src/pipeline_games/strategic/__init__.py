"""Strategic games: normal form (own enumeration algorithms, exact mode), batched 2x2 solver, Gambit files, backward induction."""

from __future__ import annotations

from ._batched import MAX_EXTREME_EQUILIBRIA_2X2, Batch2x2Result, solve_2x2
from ._extensive import (
    ChanceNode,
    DecisionNode,
    GameTree,
    SubgamePerfectResult,
    TerminalNode,
    backward_induction,
    strategic_form,
)
from ._gambit import NfgGame, parse_nfg, read_nfg, write_nfg
from ._normal_form import (
    EliminationResult,
    EquilibriumSet,
    NormalFormGame,
    PureEquilibria,
    pure_nash_equilibria,
)

__all__: list[str] = [
    "MAX_EXTREME_EQUILIBRIA_2X2",
    "Batch2x2Result",
    "ChanceNode",
    "DecisionNode",
    "EliminationResult",
    "EquilibriumSet",
    "GameTree",
    "NfgGame",
    "NormalFormGame",
    "PureEquilibria",
    "SubgamePerfectResult",
    "TerminalNode",
    "backward_induction",
    "parse_nfg",
    "pure_nash_equilibria",
    "read_nfg",
    "solve_2x2",
    "strategic_form",
    "write_nfg",
]
