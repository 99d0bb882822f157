"""Bargaining problems and their solutions: axiomatic (Nash, Kalai-Smorodinsky, egalitarian,
utilitarian), alternating offers (Rubinstein with outside and inside options, breakdown
risk and a finite horizon) and stochastic bargaining on a Markov chain of states (Merlo and
Wilson), with delay and the timing of agreement."""

from __future__ import annotations

from ._alternating import rubinstein
from ._axiomatic import egalitarian, kalai_smorodinsky, nash, utilitarian
from ._outcome import BINDING_BOTH, BINDING_NONE, BINDING_OUTSIDE_0, BINDING_OUTSIDE_1, Outcome
from ._problem import BargainingProblem, Frontier, LinearFrontier, PointsFrontier, PowerFrontier
from ._stochastic import (
    AgreementTiming,
    StochasticBargainingResult,
    alternating_states,
    stochastic_bargaining,
)

__all__ = [
    "BINDING_BOTH",
    "BINDING_NONE",
    "BINDING_OUTSIDE_0",
    "BINDING_OUTSIDE_1",
    "AgreementTiming",
    "BargainingProblem",
    "Frontier",
    "LinearFrontier",
    "Outcome",
    "PointsFrontier",
    "PowerFrontier",
    "StochasticBargainingResult",
    "alternating_states",
    "egalitarian",
    "kalai_smorodinsky",
    "nash",
    "rubinstein",
    "stochastic_bargaining",
    "utilitarian",
]
