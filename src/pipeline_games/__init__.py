"""pipeline_games: negotiation game theory for China's oil and gas pipeline deals.

The public API is re-exported here; research code imports it as ``import pipeline_games as pg``.
Each subpackage declares its public names in ``__all__`` and they are collected below.

Examples
--------
>>> import pipeline_games as pg
>>> problem = pg.BargainingProblem.linear(surplus=100.0, disagreement=(10.0, 30.0))
>>> pg.nash(problem).payoffs
array([40., 60.])
"""

from __future__ import annotations

from . import bargaining, cases, coalition, network, strategic, sweeps, transaction
from .bargaining import *  # noqa: F403
from .coalition import *  # noqa: F403
from .errors import (
    CaseFileError,
    InvalidParameterError,
    MissingExtraError,
    PipelineGamesError,
    SolverError,
)
from .network import *  # noqa: F403
from .strategic import *  # noqa: F403
from .sweeps import *  # noqa: F403
from .transaction import *  # noqa: F403

__version__ = "0.2.0"

__all__ = [
    "CaseFileError",
    "InvalidParameterError",
    "MissingExtraError",
    "PipelineGamesError",
    "SolverError",
    "__version__",
    "bargaining",
    "cases",
    "coalition",
    "network",
    "strategic",
    "sweeps",
    "transaction",
    *bargaining.__all__,
    *coalition.__all__,
    *network.__all__,
    *strategic.__all__,
    *sweeps.__all__,
    *transaction.__all__,
]
