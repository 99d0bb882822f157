"""Supply networks: the welfare-maximising flow, Nash-in-Nash bargaining over every
bilateral agreement, and the network's coalition game (Shapley value, nucleolus, core)."""

from __future__ import annotations

from ._coop import CooperativeResult, coalition_values, cooperative, network_game
from ._flow import FlowResult, flow
from ._model import Agreement, Market, Producer, Route, SupplyNetwork
from ._nash import NashInNashResult, nash_in_nash

__all__: list[str] = [
    "Agreement",
    "CooperativeResult",
    "FlowResult",
    "Market",
    "NashInNashResult",
    "Producer",
    "Route",
    "SupplyNetwork",
    "coalition_values",
    "cooperative",
    "flow",
    "nash_in_nash",
    "network_game",
]
