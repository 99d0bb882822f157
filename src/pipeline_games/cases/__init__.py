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
from ._library import case_path, cases_dir, list_cases, load
from ._market import MarketData, conversion, factors, market_data, unit_registry
from ._schema import case_file_schema

__all__ = [
    "ADAPTERS",
    "Adapter",
    "BacktestPoint",
    "BacktestResult",
    "BacktestRow",
    "Case",
    "CaseSolution",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Epoch",
    "MarketData",
    "Parameter",
    "Reference",
    "backtest_case",
    "bibliography",
    "case_file_schema",
    "case_path",
    "cases_dir",
    "check_case",
    "cite",
    "conversion",
    "factors",
    "list_cases",
    "load",
    "market_data",
    "read_case_file",
    "sample_box",
    "solve_case",
    "unit_registry",
]
