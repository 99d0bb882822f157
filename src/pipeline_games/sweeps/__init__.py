"""Sweeps at scale: grids and samples, chunked resumable execution, executors, sensitivity.

See [`sweep`][pipeline_games.sweeps.sweep] for the entry point, `target` for how solvers and cases are
evaluated, `grid` for how grid and sample chunks are generated, `store` for the
on-disk format and `sensitivity` for tornado and Sobol analyses.
"""

from __future__ import annotations

from ._grid import SWEEP_METHODS
from ._result import SweepResult
from ._run import SweepRepairWarning, check_fits_in_memory, load_sweep, repair_sweep, sweep
from ._sensitivity import SobolResult, TornadoResult, sobol_indices, tornado
from ._store import ChunkChecksumWarning, SweepLockedError, SweepStoreError
from ._target import (
    SWEEP_SOLVERS,
    OverriddenParameterWarning,
    SolverTarget,
    SweepTarget,
    sweep_target,
)

__all__ = [
    "SWEEP_METHODS",
    "SWEEP_SOLVERS",
    "ChunkChecksumWarning",
    "OverriddenParameterWarning",
    "SobolResult",
    "SolverTarget",
    "SweepLockedError",
    "SweepRepairWarning",
    "SweepResult",
    "SweepStoreError",
    "SweepTarget",
    "TornadoResult",
    "check_fits_in_memory",
    "load_sweep",
    "repair_sweep",
    "sobol_indices",
    "sweep",
    "sweep_target",
    "tornado",
]
