"""Command-line interface: ``pipeline-games``.

Subcommands are added by the subpackages that own them: this module defines ``solve`` for
the bargaining solvers and asks `pipeline_games.cases._cli` and
`pipeline_games.sweeps._cli` to register theirs (``register(subparsers)``). Only the
module of the command being run is imported, so ``pipeline-games --help`` and ``--version``
load neither scipy nor the case layer.

Conventions shared by every subcommand:

* ``--out DIR`` names an output directory; ``--json`` prints strict JSON (``null`` where a
  number is not defined, never ``NaN``).
* Exit status ([`EXIT_CODES`][pipeline_games.cli.EXIT_CODES]): 0 success (a claim that fails is a finding, not an
  error); 1 with ``--strict``, when a claim fails at the base values (``check``,
  ``reproduce``); 2 a usage or input error, with a message naming the option; 130
  interrupted (Ctrl-C); 141 standard output closed early (``... | head``), quietly, as Unix
  tools do.

Examples
--------
>>> main(["solve", "nash", "--surplus", "100", "--disagreement", "10", "30"])
nash solution (agreement: yes)
player      payoff    share of joint payoff
--------  --------  -----------------------
buyer           40                      0.4
seller          60                      0.6
0
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import InvalidParameterError, PipelineGamesError

__all__ = [
    "BARGAINING_SOLVERS",
    "COMMANDS",
    "EXIT_CODES",
    "build_parser",
    "main",
    "print_json",
    "print_table",
]

#: Solver names accepted by ``pipeline-games solve`` (dashes or underscores).
BARGAINING_SOLVERS = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian", "rubinstein")

#: Exit status of ``pipeline-games`` and what it means.
EXIT_CODES = {
    0: "success (a claim that fails at the base values is a finding, not an error)",
    1: "with --strict: a claim fails at the base values (check, reproduce)",
    2: "usage or input error (the message names the option or file)",
    130: "interrupted (Ctrl-C)",
    141: "standard output closed early (e.g. '| head'): stops quietly",
}
EXIT_OK, EXIT_CLAIM_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141

#: Subcommand -> (module whose ``register(subparsers)`` adds it, one line of help). The top
#: level's ``--help`` is built from this table without importing those modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "solve": (__name__, "solve a bargaining problem with a named solver, or a shipped case"),
    "list": ("pipeline_games.cases._cli", "list the shipped cases"),
    "show": ("pipeline_games.cases._cli", "show a case's parameters, epochs and claims"),
    "check": ("pipeline_games.cases._cli", "check a case's claims and their robustness"),
    "report": ("pipeline_games.cases._cli", "write a case's Markdown and HTML report"),
    "reproduce": (
        "pipeline_games.cases._cli",
        "reproduce every shipped case: claims, backtest, reports",
    ),
    "sweep": ("pipeline_games.sweeps._cli", "sweep a solver or a case over a grid or a sample"),
    "sensitivity": ("pipeline_games.sweeps._cli", "tornado or Sobol sensitivity of an output"),
}

_EPILOG = (
    "exit status: 0 success (a failing claim is a finding); 1 with --strict, a claim fails;\n"
    "2 usage or input error; 130 interrupted; 141 output closed early (| head)\n\n"
    "example:\n  pipeline-games reproduce --out reports/"
)

SOLVE_EXAMPLES = """\
examples:
  pipeline-games solve nash --surplus 100 --disagreement 10 30 --weight 0.6
  pipeline-games solve kalai-smorodinsky --surplus 100 --disagreement 10 30 --json
  pipeline-games solve nash --frontier power --exponent 0.5 --surplus 4
  pipeline-games solve rubinstein --surplus 1 --discount 0.9 0.8 --outside-options 0 0.6
  pipeline-games solve rubinstein --surplus 1 --rates 0.1 0.3 --period 0.01
  pipeline-games solve china-russia-gas --epoch 2014 --set china_value=500
"""

#: Defaults of the bargaining options (``None`` in the parser, so that an option given for a
#: case, where it has no meaning, can be detected and refused).
BARGAINING_DEFAULTS: dict[str, Any] = {
    "surplus": 100.0,
    "disagreement": (0.0, 0.0),
    "frontier": "linear",
    "rate": 1.0,
    "scale": 1.0,
    "exponent": 0.5,
    "players": ("buyer", "seller"),
    "weight": 0.5,
    "discount": None,
    "rates": None,
    "period": 1.0,
    "first_mover": 0,
    "outside_options": None,
    "inside_options": None,
    "breakdown": 0.0,
    "horizon": None,
}

#: The solvers each solver option applies to (the problem options apply to all solvers).
SOLVER_OPTIONS: dict[str, tuple[str, ...]] = {
    "weight": ("nash",),
    **dict.fromkeys(
        (
            "discount",
            "rates",
            "period",
            "first_mover",
            "outside_options",
            "inside_options",
            "breakdown",
            "horizon",
        ),
        ("rubinstein",),
    ),
}

#: Metavars of the two-valued options, used to name one of the two values in messages.
_PAIR_METAVARS: dict[str, tuple[str, str]] = {
    "disagreement": ("D0", "D1"),
    "players": ("P0", "P1"),
    "discount": ("DELTA0", "DELTA1"),
    "rates": ("R0", "R1"),
    "outside_options": ("W0", "W1"),
    "inside_options": ("G0", "G1"),
}


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _speak_flags(message: str) -> str:
    """Rewrite a solver's message about its Python arguments in terms of the CLI options.

    ``"discount[0] must be in (0, 1); got 1.2"`` becomes ``"--discount DELTA0 must be in
    (0, 1); got 1.2"``.

    Examples
    --------
    >>> _speak_flags("weight must be in [0, 1]; got 1.5")
    '--weight must be in [0, 1]; got 1.5'
    >>> _speak_flags("rates[1] must be > 0; got -1")
    '--rates R1 must be > 0; got -1'
    """

    def replace(match: re.Match[str]) -> str:
        name, index = match.group(1), match.group(2)
        if index is not None and name in _PAIR_METAVARS:
            return f"{_option(name)} {_PAIR_METAVARS[name][int(index)]}"
        return _option(name)

    names = "|".join(sorted(BARGAINING_DEFAULTS, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])({names})(?:\[(\d)\])?(?= must| =)", replace, message)


def _bargaining_options(args: argparse.Namespace) -> dict[str, Any]:
    """The bargaining options with their defaults filled in; case options are refused."""
    if args.set or args.epoch is not None:
        given = "--set" if args.set else "--epoch"
        raise InvalidParameterError(
            f"{given} applies to a case (see 'pipeline-games list'), not to the solver "
            f"{args.target!r}"
        )
    return {
        name: default if getattr(args, name) is None else getattr(args, name)
        for name, default in BARGAINING_DEFAULTS.items()
    }


def _problem_from_args(options: dict[str, Any]) -> Any:
    from .bargaining import BargainingProblem

    disagreement = tuple(options["disagreement"])
    players = tuple(options["players"])
    if options["frontier"] == "linear":
        return BargainingProblem.linear(
            options["surplus"], disagreement, rate=options["rate"], players=players
        )
    return BargainingProblem.power(
        options["surplus"],
        disagreement,
        scale=options["scale"],
        exponent=options["exponent"],
        players=players,
    )


def _refuse_foreign_options(args: argparse.Namespace, name: str) -> None:
    """Refuse a solver option given to a solver it does not apply to (one message format)."""
    for option, solvers in SOLVER_OPTIONS.items():
        if getattr(args, option) is not None and name.replace("_", "-") not in solvers:
            raise InvalidParameterError(
                f"{_option(option)} applies only to the solver {' and '.join(solvers)}, "
                f"not to {name.replace('_', '-')}"
            )
    if name == "rubinstein" and (args.discount is None) == (args.rates is None):
        given = "both" if args.discount is not None else "neither"
        raise InvalidParameterError(
            "rubinstein needs exactly one of --discount DELTA0 DELTA1 (discount factors per "
            "period, each in (0, 1)) or --rates R0 R1 (discount rates > 0, per unit of time, "
            f"with --period); got {given}"
        )


def _solve_bargaining(args: argparse.Namespace) -> int:
    from . import bargaining

    name = args.target.replace("-", "_")
    _refuse_foreign_options(args, name)
    options = _bargaining_options(args)
    try:
        problem = _problem_from_args(options)
        if name == "nash":
            outcome = bargaining.nash(problem, weight=options["weight"])
        elif name == "rubinstein":

            def pair(key: str) -> tuple[float, float] | None:
                return None if options[key] is None else tuple(options[key])

            outcome = bargaining.rubinstein(
                problem,
                discount=pair("discount"),
                rates=pair("rates"),
                period=options["period"],
                first_mover=options["first_mover"],
                outside_options=pair("outside_options"),
                inside_options=pair("inside_options"),
                breakdown=options["breakdown"],
                horizon=options["horizon"],
            )
        else:
            solver: Callable[..., Any] = getattr(bargaining, name)
            outcome = solver(problem)
    except InvalidParameterError as exc:
        raise InvalidParameterError(_speak_flags(str(exc))) from None
    agreement = bool(outcome.agreement)
    if args.json:
        payload = outcome.to_dict()
        if not agreement:
            payload["shares"] = None  # shares of a deal that is not made are not defined
        print_json(payload)
        return EXIT_OK
    print(f"{outcome.method} solution (agreement: {'yes' if agreement else 'no'})")
    rows = [
        [player, float(outcome.payoffs[index]), float(outcome.shares[index])]
        if agreement
        else [player, float(outcome.payoffs[index])]
        for index, player in enumerate(outcome.players)
    ]
    if agreement:
        print_table(["player", "payoff", "share of joint payoff"], rows)
    else:
        print_table(["player", "payoff without agreement"], rows)
        print("shares: not defined (no agreement)")
    if outcome.binding is not None:
        print(f"binding outside option: {outcome.labels()}")
    return EXIT_OK


def _solve(args: argparse.Namespace) -> int:
    if args.target.replace("_", "-") in BARGAINING_SOLVERS:
        return _solve_bargaining(args)
    for name in BARGAINING_DEFAULTS:
        if getattr(args, name) is None:
            continue
        solvers = SOLVER_OPTIONS.get(name)
        applies = (
            f"applies only to the solver {' and '.join(solvers)}"
            if solvers
            else f"applies to the bargaining solvers ({', '.join(BARGAINING_SOLVERS)})"
        )
        raise InvalidParameterError(
            f"{_option(name)} {applies}, not to the case {args.target!r}; change a case "
            "parameter with --set NAME=VALUE"
        )
    from .cases import _cli as cases_cli

    return cases_cli.solve_case(args)


def _default(name: str) -> str:
    value = BARGAINING_DEFAULTS[name]
    if isinstance(value, tuple):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def register(subparsers: Any) -> None:
    """Add the ``solve`` subcommand to the ``pipeline-games`` parser."""
    parser = subparsers.add_parser(
        "solve",
        help=COMMANDS["solve"][1],
        description="Solve one bargaining problem with a named solver, or solve a shipped "
        "case at its base values (every epoch, or one with --epoch).",
        epilog=SOLVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target", help=f"a solver ({', '.join(BARGAINING_SOLVERS)}) or a case (see 'list')"
    )
    problem = parser.add_argument_group("bargaining problem (solvers only)")
    problem.add_argument(
        "--surplus", type=float, help=f"size of the pie (default {_default('surplus')})"
    )
    problem.add_argument(
        "--disagreement",
        type=float,
        nargs=2,
        metavar=_PAIR_METAVARS["disagreement"],
        help="disagreement payoffs of player 0 (buyer) and player 1 (seller) "
        f"(default {_default('disagreement')})",
    )
    problem.add_argument(
        "--frontier",
        choices=("linear", "power"),
        help="shape of the frontier: linear u1 = rate (S - u0) or power u1 = c (S - u0)^a "
        f"(default {_default('frontier')})",
    )
    problem.add_argument(
        "--rate", type=float, help=f"linear frontier's exchange rate (default {_default('rate')})"
    )
    problem.add_argument(
        "--scale", type=float, help=f"power frontier's scale c (default {_default('scale')})"
    )
    problem.add_argument(
        "--exponent",
        type=float,
        help=f"power frontier's exponent a, in (0, 1] (default {_default('exponent')})",
    )
    problem.add_argument(
        "--players",
        nargs=2,
        metavar=_PAIR_METAVARS["players"],
        help=f"names of the two players (default {_default('players')})",
    )
    solver = parser.add_argument_group("solver options")
    solver.add_argument(
        "--weight",
        type=float,
        help=f"nash only: bargaining weight of player 0, in [0, 1] (default {_default('weight')})",
    )
    solver.add_argument(
        "--discount",
        type=float,
        nargs=2,
        metavar=_PAIR_METAVARS["discount"],
        help="rubinstein: discount factor per period of each player, in (0, 1) "
        "(give --discount or --rates; no default)",
    )
    solver.add_argument(
        "--rates",
        type=float,
        nargs=2,
        metavar=_PAIR_METAVARS["rates"],
        help="rubinstein: discount rate of each player per unit of time, > 0, used with "
        "--period (give --discount or --rates; no default)",
    )
    solver.add_argument(
        "--period",
        type=float,
        help=f"rubinstein with --rates: length of a bargaining period (default {_default('period')})",
    )
    solver.add_argument(
        "--first-mover",
        type=int,
        choices=(0, 1),
        help=f"rubinstein: the player who proposes first (default {_default('first_mover')})",
    )
    solver.add_argument(
        "--outside-options",
        type=float,
        nargs=2,
        metavar=_PAIR_METAVARS["outside_options"],
        help="rubinstein: what each player gets by walking away (default: none, i.e. 0 0)",
    )
    solver.add_argument(
        "--inside-options",
        type=float,
        nargs=2,
        metavar=_PAIR_METAVARS["inside_options"],
        help="rubinstein: each player's payoff per period while they disagree "
        "(default: none, i.e. 0 0)",
    )
    solver.add_argument(
        "--breakdown",
        type=float,
        help="rubinstein: probability that talks break down after a rejection, in [0, 1] "
        f"(default {_default('breakdown')})",
    )
    solver.add_argument(
        "--horizon",
        type=int,
        help="rubinstein: number of periods of a finite game (default: infinite horizon)",
    )
    case = parser.add_argument_group("case options (cases only)")
    case.add_argument(
        "--epoch", type=int, metavar="YEAR", help="solve only this epoch (default: every epoch)"
    )
    case.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a case parameter's base value (repeatable; default: none)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print strict JSON instead of a table (default: off)"
    )
    parser.set_defaults(func=_solve)


def _register(subparsers: Any, module_name: str) -> None:
    module = sys.modules[__name__] if module_name == __name__ else None
    if module is None:
        module = importlib.import_module(module_name)
    module.register(subparsers)


def build_parser(command: str | None = None, *, lazy: bool = False) -> argparse.ArgumentParser:
    """The argument parser of ``pipeline-games``.

    By default every subcommand is registered in full. With ``lazy=True`` only ``command``'s
    module is imported and registered (``None``: none, enough for ``--help`` and
    ``--version``); the other subcommands are listed with their one line of help.

    Examples
    --------
    >>> parser = build_parser(lazy=True)
    >>> sorted(parser.parse_args(["list"]).__dict__)
    ['command']
    """
    parser = argparse.ArgumentParser(
        prog="pipeline-games",
        description="Negotiation game theory for China's oil and gas pipeline deals.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if not lazy:
        wanted = {module for module, _ in COMMANDS.values()}
    else:
        wanted = {COMMANDS[command][0]} if command in COMMANDS else set()
    registered: set[str] = set()
    for name, (module_name, help_text) in COMMANDS.items():
        if name in subparsers.choices:
            continue
        if module_name in wanted and module_name not in registered:
            registered.add(module_name)
            _register(subparsers, module_name)  # adds this command and its siblings
        if name not in subparsers.choices:
            subparsers.add_parser(name, help=help_text, add_help=False)
    return parser


def _version() -> str:
    from . import __version__

    return f"pipeline-games {__version__}"


def _command_word(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), or None."""
    return next((word for word in argv if not word.startswith("-")), None)


def print_json(value: Any) -> None:
    """Print ``value`` as strict JSON: arrays as lists, non-finite numbers as ``null``.

    Examples
    --------
    >>> print_json({"x": float("nan"), "y": 1.5})
    {
      "x": null,
      "y": 1.5
    }
    """
    import json

    from ._results import plain

    print(json.dumps(plain(value), indent=2, allow_nan=False))


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        if value != value:
            return "not defined"
        return float(f"{value:.6g}")
    return value


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]], **options: Any) -> None:
    """Print rows as a table whose columns line up whatever the length of the cells
    (tabulate's ``simple`` format; NaN shows as "not defined").

    Examples
    --------
    >>> print_table(["case", "score"], [["a-long-case-name", 0.5], ["b", float("nan")]])
    case              score
    ----------------  -----------
    a-long-case-name  0.5
    b                 not defined
    """
    from tabulate import tabulate

    body = [[_cell(value) for value in row] for row in rows]
    print(tabulate(body, headers=list(header), tablefmt="simple", **options))


def _close_stdout() -> None:
    """Point standard output at the null device, so the interpreter's last flush of a
    closed pipe neither fails nor prints a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests, notebooks)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pipeline-games`` console script; returns the exit status
    (see [`EXIT_CODES`][pipeline_games.cli.EXIT_CODES])."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = _command_word(arguments)
    parser = build_parser(command, lazy=command is None or command in COMMANDS)
    try:
        try:
            args = parser.parse_args(arguments)
        except SystemExit as exc:  # --help, --version, or a usage error (argparse: 2)
            sys.stdout.flush()
            return int(exc.code or 0)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return EXIT_USAGE
        try:
            status = int(args.func(args))
        except PipelineGamesError as exc:
            print(f"pipeline-games: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except OSError as exc:  # a folder that cannot be written, a path that is not a file
            print(f"pipeline-games: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        _close_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("pipeline-games: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
