"""The case library: sourced case files, loader, model adapters and claim checking.

Examples
--------
>>> import pipeline_games as pg
>>> case = pg.cases.load("china-turkmenistan-gas")
>>> case.title
'China-Turkmenistan gas: the Central Asia-China Gas Pipeline'
"""

from __future__ import annotations

from ._claims import CaseSolution, CheckResult, ClaimResult, check_case, sample_box, solve_case
from ._library import case_path, list_cases, load
from ._schema import Case, Claim, Epoch, Parameter
from ._sources import SourcedValue
from ._adapters import ADAPTERS, Adapter, adapter_status

__all__ = [
    "ADAPTERS",
    "Adapter",
    "Case",
    "CaseSolution",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "Epoch",
    "Parameter",
    "SourcedValue",
    "adapter_status",
    "case_path",
    "check_case",
    "list_cases",
    "load",
    "sample_box",
    "solve_case",
]
