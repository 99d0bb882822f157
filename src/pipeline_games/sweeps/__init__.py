"""Sweeps at scale: grids and samples, chunked resumable execution, executors, sensitivity.

See [`sweep`][pipeline_games.sweeps.sweep] for the entry point, `target` for how solvers and cases are
evaluated, `grid` for how grid and sample chunks are generated, `store` for the
on-disk format and `sensitivity` for tornado and Sobol analyses.
"""

from __future__ import annotations

from ._grid import SWEEP_METHODS
from ._result import SweepResult
from ._run import load_sweep, sweep
from ._sensitivity import SobolResult, TornadoResult, sobol_indices, tornado
from ._store import ChunkChecksumWarning
from ._target import SWEEP_SOLVERS, SolverTarget, SweepTarget, sweep_target

__all__ = [
    "SWEEP_METHODS",
    "SWEEP_SOLVERS",
    "ChunkChecksumWarning",
    "SobolResult",
    "SolverTarget",
    "SweepResult",
    "SweepTarget",
    "TornadoResult",
    "load_sweep",
    "sobol_indices",
    "sweep",
    "sweep_target",
    "tornado",
]
