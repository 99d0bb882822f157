"""Timing helper shared by the benchmark scripts (run them as ``python benchmarks/bench_*.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(function: Callable[[], object], repeat: int = 3) -> float:
    """Best wall-clock time of ``repeat`` runs (the one least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_cpu_time(function: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time of this process over ``repeat`` runs: time-slicing by other processes
    on a shared machine does not inflate it (threads of this process add up)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)
