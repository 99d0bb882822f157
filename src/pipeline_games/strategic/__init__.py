"""Strategic games: normal form (nashpy inside), batched 2x2 solver, Gambit files, backward induction."""

from __future__ import annotations

__all__: list[str] = []
