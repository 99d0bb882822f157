"""Coalitions: TU games (Shapley, Banzhaf, core, nucleolus) and pipeline transit networks."""

from __future__ import annotations

__all__: list[str] = []
