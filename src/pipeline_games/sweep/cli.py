"""Sweep commands of the ``pipeline-games`` CLI (sweep, sensitivity)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add the sweep subcommands to the ``pipeline-games`` parser."""
