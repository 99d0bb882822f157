"""The optional numba module (the ``fast`` extra), imported in one place for every compiled kernel.

``numba`` is the module, or ``None`` where it is not installed or the environment sets
``PIPELINE_GAMES_NUMBA=0``; the modules with compiled kernels (bargaining, 2x2 games, network
flows) then use their numpy kernels, which are also the oracles of their tests.

Examples
--------
>>> from pipeline_games._numba import numba
>>> numba is None or hasattr(numba, "njit")
True
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("PIPELINE_GAMES_NUMBA", "1") == "0":
        return None
    try:
        import numba as module
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return module


#: The numba module, or ``None`` where it is not installed (or disabled).
numba: ModuleType | None = _load()
