"""Strategic games: normal form (nashpy inside), batched 2x2 solver, Gambit files, backward induction."""

from __future__ import annotations

from .batched import MAX_EXTREME_EQUILIBRIA_2X2, Batch2x2Result, solve_2x2
from .case_games import (
    ESPO_ROUTE_MEANINGS,
    KAZAKHSTAN_INVESTMENT_MEANINGS,
    CaseGame,
    OutcomeRegions,
    espo_route_choice,
    espo_route_parameters,
    espo_route_regions,
    kazakhstan_investment_parameters,
    kazakhstan_investment_regions,
    kazakhstan_sequential_investment,
)
from .extensive import (
    ChanceNode,
    DecisionNode,
    GameTree,
    SubgamePerfectResult,
    TerminalNode,
    backward_induction,
    strategic_form,
)
from .gambit import NfgGame, parse_nfg, read_nfg, write_nfg
from .normal_form import (
    EliminationResult,
    EquilibriumSet,
    NormalFormGame,
    PureEquilibria,
    pure_nash_equilibria,
)

__all__: list[str] = [
    "ESPO_ROUTE_MEANINGS",
    "KAZAKHSTAN_INVESTMENT_MEANINGS",
    "MAX_EXTREME_EQUILIBRIA_2X2",
    "Batch2x2Result",
    "CaseGame",
    "ChanceNode",
    "DecisionNode",
    "EliminationResult",
    "EquilibriumSet",
    "GameTree",
    "NfgGame",
    "NormalFormGame",
    "OutcomeRegions",
    "PureEquilibria",
    "SubgamePerfectResult",
    "TerminalNode",
    "backward_induction",
    "espo_route_choice",
    "espo_route_parameters",
    "espo_route_regions",
    "kazakhstan_investment_parameters",
    "kazakhstan_investment_regions",
    "kazakhstan_sequential_investment",
    "parse_nfg",
    "pure_nash_equilibria",
    "read_nfg",
    "solve_2x2",
    "strategic_form",
    "write_nfg",
]
