"""Case commands of the ``pipeline-games`` CLI (list, show, check, report, reproduce).

The main parser in :mod:`pipeline_games.cli` calls :func:`register` to add them, and
delegates ``solve CASE`` to :func:`solve_case`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import InvalidParameterError


def register(subparsers: Any) -> None:
    """Add the case subcommands to the ``pipeline-games`` parser."""


def solve_case(args: argparse.Namespace) -> int:
    """Solve a shipped case (``pipeline-games solve CASE``)."""
    raise InvalidParameterError(f"unknown solver or case {args.target!r}")
