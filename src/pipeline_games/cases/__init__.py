"""The case layer: sourced case files, the market dataset, adapters, claims and backtest.

Everything specific to China's pipeline negotiations lives here and in the case files under
the repository's top-level ``cases/`` folder (shipped in the wheel); the generic packages
(bargaining, transaction, coalition, strategic, sweeps) know nothing of it.

Examples
--------
>>> import pipeline_games as pg
>>> case = pg.cases.load("china-turkmenistan-gas")
>>> case.dyad
('China', 'Turkmenistan')
"""

from __future__ import annotations

from ._adapters import ADAPTERS, Adapter
from ._bibliography import Reference, bibliography, cite
from ._case import BacktestPoint, Case, Claim, Epoch, Parameter, read_case_file
from ._claims import (
    BacktestResult,
    BacktestRow,
    CaseSolution,
    CheckResult,
    ClaimResult,
    backtest_case,
    check_case,
    sample_box,
    solve_case,
)
from ._games import (
    CaseGame,
    OutcomeRegions,
    espo_route_choice,
    espo_route_regions,
    kazakhstan_investment_regions,
    kazakhstan_sequential_investment,
    route_game_arguments,
)
from ._library import case_path, cases_dir, list_cases, load
from ._market import MarketData, conversion, factors, market_data, unit_registry
from ._plot import (
    NetworkFlows,
    ShareComparison,
    case_figures,
    network_flows,
    network_layout,
    outcome_path_figure,
    share_comparison,
    shares_figure,
    supply_network_epochs,
    supply_network_figure,
)
from ._schema import case_file_schema
from ._transit import CoalitionPath, case_network, network_path, solution_path

__all__ = [
    "ADAPTERS",
    "Adapter",
    "BacktestPoint",
    "BacktestResult",
    "BacktestRow",
    "Case",
    "CaseGame",
    "CaseSolution",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "CoalitionPath",
    "Epoch",
    "MarketData",
    "NetworkFlows",
    "OutcomeRegions",
    "Parameter",
    "Reference",
    "ShareComparison",
    "backtest_case",
    "bibliography",
    "case_figures",
    "case_file_schema",
    "case_network",
    "case_path",
    "cases_dir",
    "check_case",
    "cite",
    "conversion",
    "espo_route_choice",
    "espo_route_regions",
    "factors",
    "kazakhstan_investment_regions",
    "kazakhstan_sequential_investment",
    "list_cases",
    "load",
    "market_data",
    "network_flows",
    "network_layout",
    "network_path",
    "outcome_path_figure",
    "read_case_file",
    "route_game_arguments",
    "sample_box",
    "share_comparison",
    "shares_figure",
    "solution_path",
    "solve_case",
    "supply_network_epochs",
    "supply_network_figure",
    "unit_registry",
]
