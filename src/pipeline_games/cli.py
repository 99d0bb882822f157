"""Command-line interface: ``pipeline-games``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pipeline-games`` console script."""
    print("pipeline-games: under construction", file=sys.stderr)
    return 0
