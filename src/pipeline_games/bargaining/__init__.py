"""Bargaining: problems (frontier + disagreement point), axiomatic and alternating-offers solutions."""

from __future__ import annotations

from .problem import BargainingProblem, Frontier, LinearFrontier, PointsFrontier, PowerFrontier

__all__ = [
    "BargainingProblem",
    "Frontier",
    "LinearFrontier",
    "PointsFrontier",
    "PowerFrontier",
]
