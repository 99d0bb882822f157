"""Bargaining problems and their solutions: axiomatic (Nash, Kalai-Smorodinsky, egalitarian,
utilitarian) and alternating offers (Rubinstein with outside and inside options, breakdown
risk and a finite horizon)."""

from __future__ import annotations

from ._alternating import rubinstein
from ._axiomatic import egalitarian, kalai_smorodinsky, nash, utilitarian
from ._outcome import BINDING_BOTH, BINDING_NONE, BINDING_OUTSIDE_0, BINDING_OUTSIDE_1, Outcome
from ._problem import BargainingProblem, Frontier, LinearFrontier, PointsFrontier, PowerFrontier

__all__ = [
    "BINDING_BOTH",
    "BINDING_NONE",
    "BINDING_OUTSIDE_0",
    "BINDING_OUTSIDE_1",
    "BargainingProblem",
    "Frontier",
    "LinearFrontier",
    "Outcome",
    "PointsFrontier",
    "PowerFrontier",
    "egalitarian",
    "kalai_smorodinsky",
    "nash",
    "rubinstein",
    "utilitarian",
]
