"""Supply networks: the welfare-maximising flow, Nash-in-Nash bargaining over every
bilateral agreement, and the network's coalition game (Shapley value, nucleolus, core)."""

from __future__ import annotations

from ._flow import FlowResult, flow
from ._model import Agreement, Market, Producer, Route, SupplyNetwork

__all__: list[str] = [
    "Agreement",
    "FlowResult",
    "Market",
    "Producer",
    "Route",
    "SupplyNetwork",
    "flow",
]
