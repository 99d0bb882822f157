"""Sweeps at scale: grids and samples, chunked resumable execution, executors, sensitivity."""

from __future__ import annotations

__all__: list[str] = []
