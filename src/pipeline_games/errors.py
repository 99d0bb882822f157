"""Exceptions raised by pipeline_games.

Every error the toolkit raises on purpose derives from [`PipelineGamesError`][pipeline_games.errors.PipelineGamesError], and
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
    """Base class of every error raised on purpose by pipeline_games.

    Examples
    --------
    >>> from pipeline_games.errors import PipelineGamesError, SolverError
    >>> issubclass(SolverError, PipelineGamesError)
    True
    """


class InvalidParameterError(PipelineGamesError, ValueError):
    """A parameter has the wrong shape, type or value.

    The message names the parameter, the offending value (or its first offending index)
    and what is allowed.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> try:
    ...     pg.rubinstein(pg.BargainingProblem.linear(100.0), discount=(0.95, 1.2))
    ... except ValueError as error:
    ...     print(type(error).__name__, "-", error)
    InvalidParameterError - discount[1] must be in (0, 1); got 1.2
    """


class CaseFileError(PipelineGamesError, ValueError):
    """A case file (TOML) is malformed, incomplete or inconsistent.

    The message names the file, the key path inside it and what is expected.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> try:
    ...     pg.cases.load("no-such-case")
    ... except pg.CaseFileError as error:
    ...     print(str(error)[:34])
    no-such-case: no such case; shippe
    """


class SolverError(PipelineGamesError, RuntimeError):
    """A numerical solver failed to converge or returned an inconsistent answer.

    Examples
    --------
    >>> from pipeline_games.errors import SolverError
    >>> issubclass(SolverError, RuntimeError)
    True
    """


class MissingExtraError(PipelineGamesError, ImportError):
    """An optional dependency (an install extra) is needed but not installed.

    Examples
    --------
    >>> from pipeline_games.errors import MissingExtraError
    >>> error = MissingExtraError("pandas", "data", "Outcome.to_frame")
    >>> print(error)
    Outcome.to_frame needs the optional package 'pandas'; install it with: pip install "pipeline_games[data]"
    >>> isinstance(error, ImportError), error.extra
    (True, 'data')
    """

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}; "
            f'install it with: pip install "pipeline_games[{extra}]"'
        )
        self.package = package
        self.extra = extra
