"""Read and write Gambit strategic-form (``.nfg``) files, payoff and outcome versions.

The format (Gambit documentation, "Game representation formats": "The strategic game
(.nfg) file format, payoff version" and "..., outcome version") in brief:

* a prologue ``NFG 1 R "title" { "Player 1" "Player 2" ... }``;
* then the strategies: either a list of counts ``{ 3 2 }`` or a nested list of labels
  ``{ { "1" "2" "3" } { "1" "2" } }``, followed by an optional quoted comment;
* **payoff version**: a flat list of numbers, every player's payoff for each strategy
  profile in turn;
* **outcome version**: a list of outcomes ``{ { "name" 1, 1 } ... }`` (payoffs may be
  separated by commas) and then one outcome number per profile, outcome ``0`` being the
  null outcome that pays everybody zero.

Profiles are listed with **player 1's strategy changing fastest**, then player 2's, and so
on (like counting, least significant digit first). Whitespace is not significant;
inside quotes ``\\"`` stands for a quote. Numbers may be integers, decimals or rationals
such as ``1/3``.

In arrays, player ``i``'s payoff when player ``j`` plays strategy ``kj`` is
``payoffs[i, k1, ..., kn]`` (zero-based), the layout of
`pure_nash_equilibria`.

Examples
--------
>>> from pipeline_games.strategic import parse_nfg
>>> game = parse_nfg('NFG 1 R "Selten" { "Player 1" "Player 2" } { 3 2 } '
...                  '1 1 0 2 0 2 1 1 0 3 2 0')
>>> game.payoffs[0]           # player 1: rows are its 3 strategies
array([[1., 1.],
       [0., 0.],
       [0., 2.]])
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._arrays import check_memory
from ..errors import CaseFileError, InvalidParameterError
from ._normal_form import (
    NormalFormGame,
    PureEquilibria,
    _check_labels,
    distinct_names,
    pure_nash_equilibria,
)
from ._validate import as_payoffs

__all__ = ["NfgGame", "parse_nfg", "read_nfg", "write_nfg"]

FloatArray = NDArray[np.float64]
_LARGEST = float(np.finfo(np.float64).max)
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|(,)|([^\s{}",]+)', re.DOTALL)


@dataclass(frozen=True, eq=False)
class NfgGame:
    """An n-player strategic game as stored in a Gambit ``.nfg`` file.

    Attributes
    ----------
    title
        The game's title.
    players
        Player names, in file order.
    strategy_labels
        One tuple of strategy labels per player (``"1", "2", ...`` when the file only
        gave counts).
    payoffs
        ``(n, s1, ..., sn)``: ``payoffs[i, k1, ..., kn]`` is player ``i``'s payoff.
    comment
        The optional comment of the prologue.
    outcome_names
        Outcome version only: the outcomes' names, in file order (outcome ``k`` of the
        file is ``outcome_names[k - 1]``); ``None`` for the payoff version.
    outcome_payoffs
        Outcome version: ``(number of outcomes, n)`` payoffs; else ``None``.
    outcome_table
        Outcome version: ``(s1, ..., sn)`` int, the outcome number (0 = null) of each
        profile; else ``None``.
    exact_payoffs
        The payoffs as `Fraction` (object array of the shape of
        ``payoffs``), exactly as written in the file (``0.1`` is one tenth); ``None`` for
        games not read from text or built from floats.

    Player names and strategy labels are kept as written: Gambit accepts two players named
    ``""`` or two strategies with the same label, and so does this class. Where a unique key
    is needed (`to_normal_form`, whose players key result columns) repeated or empty
    names are disambiguated (``"Player 2"``, ``"a (2)"``).

    Examples
    --------
    >>> game = NfgGame.from_normal_form(NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
    >>> game.shape
    (2, 2)
    >>> game.pure_equilibria().profiles
    array([[1, 1]])
    """

    title: str
    players: tuple[str, ...]
    strategy_labels: tuple[tuple[str, ...], ...]
    payoffs: FloatArray
    comment: str = ""
    outcome_names: tuple[str, ...] | None = None
    outcome_payoffs: FloatArray | None = None
    outcome_table: NDArray[np.int64] | None = None
    exact_payoffs: NDArray[np.object_] | None = None

    def __post_init__(self) -> None:
        shape = self.payoffs.shape[1:]
        if self.payoffs.shape[0] != len(self.players) or len(shape) != len(self.players):
            raise InvalidParameterError(
                f"payoffs must have shape (n, s1, ..., sn) with n = {len(self.players)} players; "
                f"got {self.payoffs.shape}"
            )
        _check_labels(self.strategy_labels, shape)

    @property
    def shape(self) -> tuple[int, ...]:
        """Numbers of strategies ``(s1, ..., sn)``."""
        return tuple(int(s) for s in self.payoffs.shape[1:])

    @classmethod
    def from_payoffs(
        cls,
        payoffs: ArrayLike,
        *,
        title: str = "",
        players: Sequence[str] | None = None,
        strategy_labels: Sequence[Sequence[str]] | None = None,
        comment: str = "",
    ) -> NfgGame:
        """Build from a payoff array ``(n, s1, ..., sn)``.

        Examples
        --------
        >>> import numpy as np
        >>> NfgGame.from_payoffs(np.zeros((3, 2, 2, 2))).players
        ('Player 1', 'Player 2', 'Player 3')
        """
        array, exact = as_payoffs(payoffs, "payoffs")
        if array.ndim < 2 or array.shape[0] != array.ndim - 1:
            raise InvalidParameterError(
                f"payoffs must have shape (n, s1, ..., sn); got an array of shape {array.shape}"
            )
        n = array.shape[0]
        if players is not None and (
            isinstance(players, str | bytes) or not isinstance(players, Iterable)
        ):
            raise InvalidParameterError(f"players must be a sequence of {n} names; got {players!r}")
        names = (
            tuple(players) if players is not None else tuple(f"Player {i + 1}" for i in range(n))
        )
        if strategy_labels is None:
            strategy_labels = [[str(k + 1) for k in range(s)] for s in array.shape[1:]]
        labels = _check_labels(strategy_labels, array.shape[1:])
        if len(names) != n:
            raise InvalidParameterError(f"players must be {n} names; got {names!r}")
        return cls(
            str(title),
            tuple(str(p) for p in names),
            labels,
            array,
            str(comment),
            exact_payoffs=exact,
        )

    @classmethod
    def from_normal_form(
        cls, game: NormalFormGame, *, title: str = "", comment: str = ""
    ) -> NfgGame:
        """Build from a two-player `NormalFormGame` (labels kept)."""
        exact = None
        if game._exact is not None:
            exact = np.stack([game._exact[0], game._exact[1]])
        return cls.from_payoffs(
            exact if exact is not None else game.payoff_array,
            title=title,
            players=game.players,
            strategy_labels=game.strategy_labels,
            comment=comment,
        )

    def to_normal_form(self) -> NormalFormGame:
        """The two-player game as a `NormalFormGame` (labels kept).

        Strategy labels are kept as written; player names that are empty or repeated
        (``{ "" "" }`` in a file) become ``"Player 1"``, ``"Player 2"`` (or ``"name (k)"``),
        since a `NormalFormGame` keys its results by player. Exact payoffs (as
        written in the file) are passed on for ``equilibria(exact=True)``.

        Examples
        --------
        >>> game = parse_nfg('NFG 1 D "" { "" "" } { 2 2 } 0.1 0 0 1 0 0 1 0.1')
        >>> nf = game.to_normal_form()
        >>> nf.players, nf.exact_payoffs()[0][0][0]
        (('Player 1', 'Player 2'), Fraction(1, 10))

        Raises
        ------
        InvalidParameterError
            If the game does not have exactly two players.
        """
        if len(self.players) != 2:
            raise InvalidParameterError(
                f"to_normal_form needs a two-player game; this one has {len(self.players)} players"
            )
        source = self.exact_payoffs if self.exact_payoffs is not None else self.payoffs
        return NormalFormGame(
            source[0],
            source[1],
            players=distinct_names(self.players),
            strategy_labels=self.strategy_labels,
        )

    def pure_equilibria(self, *, tol: float = 0.0) -> PureEquilibria:
        """Pure-strategy Nash equilibria (any number of players)."""
        return pure_nash_equilibria(
            self.payoffs, tol=tol, players=self.players, strategy_labels=self.strategy_labels
        )


# -- reading ------------------------------------------------------------------------------
class _Tokens:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.items: list[tuple[str, str, int]] = []  # (kind, value, line)
        line = 1
        position = 0
        for match in _TOKEN.finditer(text):
            line += text.count("\n", position, match.start())
            position = match.start()
            quoted, brace, comma, word = match.groups()
            if quoted is not None:
                self.items.append(("string", quoted.replace('\\"', '"'), line))
            elif brace is not None:
                self.items.append((brace, brace, line))
            elif comma is not None:
                self.items.append((",", ",", line))
            else:
                self.items.append(("word", word, line))
        self.last_line = line + text.count("\n", position)
        self.index = 0

    def error(self, message: str, line: int | None = None) -> CaseFileError:
        if line is None:
            if self.index < len(self.items):
                line = self.items[self.index][2]
            else:  # at the end: the line of the last token
                line = self.items[-1][2] if self.items else self.last_line
        return CaseFileError(f"{self.source}, line {line}: {message}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def next(self, what: str) -> tuple[str, str, int]:
        if self.index >= len(self.items):
            raise self.error(f"unexpected end of file; expected {what}")
        item = self.items[self.index]
        self.index += 1
        return item

    def expect(self, kind: str, what: str) -> tuple[str, str, int]:
        item = self.next(what)
        if item[0] != kind:
            raise self.error(f"expected {what}; found {item[1]!r}", item[2])
        return item

    def number(self, what: str) -> Fraction:
        """The next token as an exact rational (``0.1`` is one tenth, ``1/3`` a third)."""
        kind, value, line = self.next(what)
        if kind != "word":
            raise self.error(f"expected {what}; found {value!r}", line)
        try:
            exact = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise self.error(
                f"expected {what} (a number such as 2, -0.5 or 1/3); found {value!r}", line
            ) from None
        try:
            as_float = float(exact)
        except OverflowError:
            as_float = float("inf")
        if abs(as_float) > _LARGEST:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise self.error(f"{what} {shown} is beyond the float range (|x| < 1.8e308)", line)
        return exact

    def integer(self, what: str, low: int) -> int:
        kind, value, line = self.next(what)
        if kind != "word" or not re.fullmatch(r"[+-]?\d+", value) or int(value) < low:
            raise self.error(f"expected {what} (a whole number >= {low}); found {value!r}", line)
        return int(value)


def _check_game_size(
    tokens: _Tokens, counts: Sequence[int], n_players: int, text: str, line: int | None
) -> None:
    """Refuse, before building anything, strategy counts whose game cannot be held or that
    the file's text is too short to give payoffs for (one number per profile at least)."""
    profiles = math.prod(counts)
    needed = 8 * max(n_players, 1) * profiles  # the float64 payoff array
    try:
        check_memory((profiles,), 8 * max(n_players, 1), "game")
    except InvalidParameterError:
        raise tokens.error(
            f"strategy counts {' x '.join(map(str, counts))} make {profiles:,} profiles, whose "
            f"payoffs need {needed / 2**30:,.1f} GiB: more than this machine's memory allows",
            line,
        ) from None
    if profiles > len(text):  # each profile needs at least one number and a separator
        raise tokens.error(
            f"strategy counts {' x '.join(map(str, counts))} make {profiles:,} profiles (payoffs "
            f"would need {needed / 2**20:,.1f} MiB) but the file has only {len(text):,} "
            "characters: it cannot list a payoff or an outcome for each",
            line,
        )


def parse_nfg(text: str, *, source: str = "<string>") -> NfgGame:
    """Parse the text of a Gambit ``.nfg`` file (payoff or outcome version).

    Parameters
    ----------
    text
        The file's contents.
    source
        Name used in error messages (a path).

    Returns
    -------
    NfgGame

    Raises
    ------
    CaseFileError
        On malformed input; the message gives the source, the line and what was expected.

    Examples
    --------
    >>> parse_nfg('NFG 1 R "t" { "A" "B" } { 2 2 } 1 1 0 0')
    Traceback (most recent call last):
    ...
    pipeline_games.errors.CaseFileError: <string>, line 1: payoff list has 4 numbers; a game with 2 players and 4 profiles needs 8
    """
    if not isinstance(text, str):
        raise InvalidParameterError(
            f"parse_nfg takes the file's text as a str; got {type(text).__name__} "
            "(decode bytes first, or use read_nfg(path))"
        )
    tokens = _Tokens(text, source)
    _, value, line = tokens.next("'NFG'")
    if value != "NFG":
        raise tokens.error(f"a strategic game file starts with 'NFG'; found {value!r}", line)
    _, value, line = tokens.next("the version number 1")
    if value != "1":
        raise tokens.error(f"only version 1 of the .nfg format exists; found {value!r}", line)
    _, value, line = tokens.next("'R' or 'D'")
    if value not in ("R", "D"):
        raise tokens.error(f"expected 'R' after the version number; found {value!r}", line)
    title = tokens.expect("string", "the quoted title")[1]
    tokens.expect("{", "'{' opening the list of players")
    players: list[str] = []
    while (item := tokens.peek()) is not None and item[0] == "string":
        players.append(tokens.next("a player name")[1])
    tokens.expect("}", "'}' closing the list of players (names must be quoted)")
    if not players:
        raise tokens.error("the game has no players")

    # Strategies: counts or nested label lists.
    tokens.expect("{", "'{' opening the strategy counts or labels")
    labels: list[list[str]] = []
    first = tokens.peek()
    if first is not None and first[0] == "{":
        while (item := tokens.peek()) is not None and item[0] == "{":
            tokens.next("'{'")
            group = []
            while (inner := tokens.peek()) is not None and inner[0] == "string":
                group.append(tokens.next("a strategy label")[1])
            tokens.expect("}", "'}' closing a player's strategy labels")
            if not group:
                raise tokens.error(f"player {len(labels) + 1} has no strategies")
            labels.append(group)
        _check_game_size(tokens, [len(group) for group in labels], len(players), text, None)
    else:
        counts: list[int] = []
        count_line = tokens.peek()[2] if tokens.peek() is not None else None  # type: ignore[index]
        while (item := tokens.peek()) is not None and item[0] == "word":
            counts.append(tokens.integer("a number of strategies", 1))
        _check_game_size(tokens, counts, len(players), text, count_line)
        labels = [[str(k + 1) for k in range(count)] for count in counts]
    closing = tokens.expect("}", "'}' closing the strategies")
    if len(labels) != len(players):
        raise tokens.error(
            f"{len(players)} players but strategies given for {len(labels)}", closing[2]
        )
    comment = ""
    item = tokens.peek()
    if item is not None and item[0] == "string":
        comment = tokens.next("comment")[1]
    shape = tuple(len(group) for group in labels)
    n = len(players)
    profiles = math.prod(shape)

    item = tokens.peek()
    outcome_names = outcome_payoffs = outcome_table = None
    if item is not None and item[0] == "{":
        # Outcome version.
        tokens.next("'{'")
        names: list[str] = []
        values: list[list[Fraction]] = []
        while (item := tokens.peek()) is not None and item[0] == "{":
            start = tokens.next("'{'")
            names.append(tokens.expect("string", "the outcome's quoted name")[1])
            row: list[Fraction] = []
            while (inner := tokens.peek()) is not None and inner[0] in ("word", ","):
                if inner[0] == ",":
                    tokens.next(",")
                    continue
                row.append(tokens.number("a payoff"))
            tokens.expect("}", "'}' closing an outcome")
            if len(row) != n:
                raise tokens.error(
                    f"outcome {len(names)} ({names[-1]!r}) has {len(row)} payoffs; expected {n}",
                    start[2],
                )
            values.append(row)
        tokens.expect("}", "'}' closing the list of outcomes")
        table = []
        while tokens.peek() is not None:
            _kind, value, line = tokens.peek()  # type: ignore[misc]
            number = tokens.integer("an outcome number", 0)
            if number > len(names):
                raise tokens.error(
                    f"outcome number {number} does not exist (there are {len(names)} outcomes)",
                    line,
                )
            table.append(number)
        if len(table) != profiles:
            raise tokens.error(
                f"outcome list has {len(table)} entries; the game has {profiles} profiles"
            )
        exact_outcomes = np.empty((len(names) + 1, n), dtype=object)
        exact_outcomes[0] = [Fraction(0)] * n
        for k, row_values in enumerate(values, start=1):
            exact_outcomes[k] = row_values
        outcome_payoffs = exact_outcomes[1:].astype(float).reshape(len(names), n)
        flat = exact_outcomes[np.array(table, dtype=np.intp)]  # (profiles, n), player 1 fastest
        outcome_table = np.array(table, dtype=np.int64).reshape(shape[::-1]).transpose()
        payoffs = flat.reshape((*shape[::-1], n)).transpose((n, *range(n - 1, -1, -1)))
        outcome_names = tuple(names)
    else:
        numbers = []
        while tokens.peek() is not None:
            numbers.append(tokens.number("a payoff"))
        if len(numbers) != profiles * n:
            raise tokens.error(
                f"payoff list has {len(numbers)} numbers; a game with {n} players and "
                f"{profiles} profiles needs {profiles * n}"
            )
        flat = np.empty(len(numbers), dtype=object)
        flat[:] = numbers
        flat = flat.reshape(profiles, n)
        payoffs = flat.reshape((*shape[::-1], n)).transpose((n, *range(n - 1, -1, -1)))
    return NfgGame(
        title=title,
        players=tuple(players),
        strategy_labels=tuple(tuple(group) for group in labels),
        payoffs=np.ascontiguousarray(payoffs.astype(np.float64)),
        comment=comment,
        outcome_names=outcome_names,
        outcome_payoffs=outcome_payoffs,
        outcome_table=outcome_table,
        exact_payoffs=np.ascontiguousarray(payoffs),
    )


def read_nfg(path: str | os.PathLike[str]) -> NfgGame:
    """Read a Gambit ``.nfg`` file (payoff or outcome version).

    Raises
    ------
    CaseFileError
        When the file is malformed (with its path and line number).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pd.nfg"
    >>> _ = path.write_text('NFG 1 R "PD" { "A" "B" } { 2 2 } 3 3 5 0 0 5 1 1')
    >>> read_nfg(path).payoffs[1]
    array([[3., 5.],
           [0., 1.]])
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidParameterError(f"path must be a file path; got {path!r}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: not a text file in UTF-8: {exc}") from exc
    except (OSError, ValueError) as exc:  # missing file, a folder, no permission, a NUL byte
        raise CaseFileError(f"{path}: cannot be read: {exc}") from exc
    return parse_nfg(text, source=str(path))


# -- writing ------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _number(value: float | Fraction) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        shortest = repr(float(value))
        if Fraction(shortest) == value:  # a decimal as written, e.g. 0.1
            return shortest
        return f"{value.numerator}/{value.denominator}"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write_nfg(
    game: NfgGame | NormalFormGame,
    path: str | os.PathLike[str] | None = None,
    *,
    version: str = "payoff",
) -> str:
    """Write a game as a Gambit ``.nfg`` file and return the text.

    Parameters
    ----------
    game
        An `NfgGame` (any number of players) or a `NormalFormGame`.
    path
        Where to write; ``None`` only returns the text.
    version
        ``"payoff"`` (flat payoff list) or ``"outcome"`` (outcomes plus one outcome
        number per profile). For the outcome version the game's own outcomes are used
        when it has them; otherwise each distinct payoff vector becomes one outcome.

    Examples
    --------
    >>> game = NormalFormGame([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                       strategy_labels=(("C", "D"), ("C", "D")))
    >>> print(write_nfg(game))
    NFG 1 R "" { "row" "column" }
    { { "C" "D" } { "C" "D" } }
    ""
    <BLANKLINE>
    3 3 5 0 0 5 1 1
    <BLANKLINE>
    """
    if isinstance(game, NormalFormGame):
        game = NfgGame.from_normal_form(game)
    if not isinstance(game, NfgGame):
        raise InvalidParameterError(f"game must be an NfgGame or a NormalFormGame; got {game!r}")
    if not isinstance(version, str) or version not in ("payoff", "outcome"):
        raise InvalidParameterError(f"version must be 'payoff' or 'outcome'; got {version!r}")
    n = len(game.players)
    order = (*range(n, 0, -1), 0)  # profile axes reversed (player 1 fastest), then player
    flat = game.payoffs.transpose(order).reshape(-1, n)
    exact_flat = (
        game.exact_payoffs.transpose(order).reshape(-1, n)
        if game.exact_payoffs is not None
        else flat
    )
    lines = [f"NFG 1 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }}"]
    default_labels = all(
        group == tuple(str(k + 1) for k in range(len(group))) for group in game.strategy_labels
    )
    if default_labels:  # the documented compact form: strategy counts
        lines.append("{ " + " ".join(str(len(group)) for group in game.strategy_labels) + " }")
    else:
        lines.append(
            "{ "
            + " ".join(
                "{ " + " ".join(_quote(s) for s in group) + " }" for group in game.strategy_labels
            )
            + " }"
        )
    lines.append(_quote(game.comment))
    lines.append("")
    if version == "payoff":
        lines.append(" ".join(_number(v) for v in exact_flat.ravel()))
    else:
        if (
            game.outcome_payoffs is not None
            and game.outcome_table is not None
            and game.outcome_names is not None
        ):
            names = list(game.outcome_names)
            table = game.outcome_table.transpose().ravel()
            outcome_values = list(game.outcome_payoffs)
            for k in range(len(names)):  # exact values where the outcome is used
                used = np.flatnonzero(table == k + 1)
                if len(used):
                    outcome_values[k] = exact_flat[used[0]]
        else:
            _, first, inverse = np.unique(flat, axis=0, return_index=True, return_inverse=True)
            outcome_values = [exact_flat[i] for i in first]
            names = [f"Outcome {k + 1}" for k in range(len(outcome_values))]
            table = np.asarray(inverse).ravel() + 1
        lines.append("{")
        for name, values in zip(names, outcome_values, strict=True):
            lines.append(f"{{ {_quote(name)} {', '.join(_number(v) for v in values)} }}")
        lines.append("}")
        lines.append(" ".join(str(int(k)) for k in table))
    text = "\n".join(lines) + "\n"
    if path is not None:
        if not isinstance(path, str | os.PathLike):
            raise InvalidParameterError(f"path must be a file path or None; got {path!r}")
        try:
            Path(path).write_text(text, encoding="utf-8")
        except (OSError, ValueError) as error:  # a missing folder, a directory, a NUL byte
            raise InvalidParameterError(f"path {str(path)!r} cannot be written: {error}") from None
    return text
