"""Exceptions raised by pipeline_games.

Every error the toolkit raises on purpose derives from :class:`PipelineGamesError`, and
each also subclasses the built-in exception a Python user would expect (``ValueError``
for bad values, ``ImportError`` for a missing optional extra), so ``except ValueError``
keeps working in code that does not know this package.

Examples
--------
>>> from pipeline_games.errors import InvalidParameterError
>>> issubclass(InvalidParameterError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "CaseFileError",
    "InvalidParameterError",
    "MissingExtraError",
    "PipelineGamesError",
    "SolverError",
]


class PipelineGamesError(Exception):
    """Base class of every error raised on purpose by pipeline_games."""


class InvalidParameterError(PipelineGamesError, ValueError):
    """A parameter has the wrong shape, type or value.

    The message names the parameter, the offending value (or its first offending index)
    and what is allowed.
    """


class CaseFileError(PipelineGamesError, ValueError):
    """A case file (TOML) is malformed, incomplete or inconsistent.

    The message names the file, the key path inside it and what is expected.
    """


class SolverError(PipelineGamesError, RuntimeError):
    """A numerical solver failed to converge or returned an inconsistent answer."""


class MissingExtraError(PipelineGamesError, ImportError):
    """An optional dependency (an install extra) is needed but not installed."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}; "
            f'install it with: pip install "pipeline_games[{extra}]"'
        )
        self.package = package
        self.extra = extra
