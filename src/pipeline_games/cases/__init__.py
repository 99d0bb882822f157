"""The case library: sourced case files, loader, claims."""

from __future__ import annotations

__all__: list[str] = []
