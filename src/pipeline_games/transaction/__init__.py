"""Transaction-cost models: hold-up, governance forms, regimes and diversification."""

from __future__ import annotations

__all__: list[str] = []
