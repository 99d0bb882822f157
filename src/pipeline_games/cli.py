"""Command-line interface: ``pipeline-games``.

Subcommands are added by the subpackages that own them: this module defines ``solve`` for
the bargaining solvers and asks :mod:`pipeline_games.cases._cli` and
:mod:`pipeline_games.sweeps._cli` to register theirs (``register(subparsers)``).

Examples
--------
>>> main(["solve", "nash", "--surplus", "100", "--disagreement", "10", "30"])
nash solution (agreement: yes)
player              payoff     share
buyer                   40    0.4000
seller                  60    0.6000
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import InvalidParameterError, PipelineGamesError

__all__ = ["BARGAINING_SOLVERS", "build_parser", "main"]

#: Solver names accepted by ``pipeline-games solve`` (dashes or underscores).
BARGAINING_SOLVERS = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian", "rubinstein")

SOLVE_EXAMPLES = """\
examples:
  pipeline-games solve nash --surplus 100 --disagreement 10 30 --weight 0.6
  pipeline-games solve kalai-smorodinsky --surplus 100 --disagreement 10 30 --json
  pipeline-games solve nash --frontier power --exponent 0.5 --surplus 4
  pipeline-games solve rubinstein --surplus 1 --discount 0.9 0.8 --outside-options 0 0.6
  pipeline-games solve rubinstein --surplus 1 --rates 0.1 0.3 --period 0.01
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


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


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


def _solve_bargaining(args: argparse.Namespace) -> int:
    from . import bargaining

    options = _bargaining_options(args)
    problem = _problem_from_args(options)
    name = args.target.replace("-", "_")
    rubinstein_only = (
        "discount",
        "rates",
        "period",
        "first_mover",
        "outside_options",
        "inside_options",
        "breakdown",
        "horizon",
    )
    if name != "rubinstein":
        for option in rubinstein_only:
            if getattr(args, option) is not None:
                raise InvalidParameterError(f"{_option(option)} applies to rubinstein, not {name}")
    if name != "nash" and args.weight is not None:
        raise InvalidParameterError(f"--weight applies to nash, not {name}")
    if name == "nash":
        outcome = bargaining.nash(problem, weight=options["weight"])
    elif name == "rubinstein":
        outcome = bargaining.rubinstein(
            problem,
            discount=None if options["discount"] is None else tuple(options["discount"]),
            rates=None if options["rates"] is None else tuple(options["rates"]),
            period=options["period"],
            first_mover=options["first_mover"],
            outside_options=None
            if options["outside_options"] is None
            else tuple(options["outside_options"]),
            inside_options=None
            if options["inside_options"] is None
            else tuple(options["inside_options"]),
            breakdown=options["breakdown"],
            horizon=options["horizon"],
        )
    else:
        solver: Callable[..., Any] = getattr(bargaining, name)
        outcome = solver(problem)
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2))
        return 0
    payoffs, shares = outcome.payoffs, outcome.shares
    print(f"{outcome.method} solution (agreement: {'yes' if bool(outcome.agreement) else 'no'})")
    print(f"{'player':<12}{'payoff':>14}{'share':>10}")
    for index, player in enumerate(outcome.players):
        print(f"{player:<12}{payoffs[index]:>14.6g}{shares[index]:>10.4f}")
    if outcome.binding is not None:
        print(f"binding outside option: {outcome.labels()}")
    return 0


def _solve(args: argparse.Namespace) -> int:
    if args.target.replace("_", "-") in BARGAINING_SOLVERS:
        return _solve_bargaining(args)
    given = [_option(name) for name in BARGAINING_DEFAULTS if getattr(args, name) is not None]
    if given:
        raise InvalidParameterError(
            f"{', '.join(given)} appl{'y' if len(given) > 1 else 'ies'} to the bargaining "
            f"solvers ({', '.join(BARGAINING_SOLVERS)}), not to the case {args.target!r}; "
            "change a case parameter with --set NAME=VALUE"
        )
    from .cases import _cli as cases_cli

    return cases_cli.solve_case(args)


def _add_solve(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "solve",
        help="solve a bargaining problem (or a case: see 'list')",
        description="Solve one bargaining problem with a named solver, or solve a shipped case.",
        epilog=SOLVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", help=f"a solver ({', '.join(BARGAINING_SOLVERS)}) or a case name")
    problem = parser.add_argument_group("bargaining problem")
    problem.add_argument("--surplus", type=float, help="size of the pie (default 100)")
    problem.add_argument(
        "--disagreement",
        type=float,
        nargs=2,
        metavar=("D0", "D1"),
        help="disagreement payoffs of player 0 (buyer) and player 1 (seller)",
    )
    problem.add_argument("--frontier", choices=("linear", "power"), help="default linear")
    problem.add_argument("--rate", type=float, help="linear frontier exchange rate (default 1)")
    problem.add_argument("--scale", type=float, help="power frontier scale c (default 1)")
    problem.add_argument("--exponent", type=float, help="power frontier exponent a (default 0.5)")
    problem.add_argument("--players", nargs=2, metavar=("P0", "P1"), help="default buyer seller")
    solver = parser.add_argument_group("solver options")
    solver.add_argument("--weight", type=float, help="Nash weight of player 0 (default 0.5)")
    solver.add_argument("--discount", type=float, nargs=2, metavar=("DELTA0", "DELTA1"))
    solver.add_argument("--rates", type=float, nargs=2, metavar=("R0", "R1"))
    solver.add_argument("--period", type=float, help="with --rates (default 1)")
    solver.add_argument("--first-mover", type=int, choices=(0, 1), help="default 0")
    solver.add_argument("--outside-options", type=float, nargs=2, metavar=("W0", "W1"))
    solver.add_argument("--inside-options", type=float, nargs=2, metavar=("G0", "G1"))
    solver.add_argument("--breakdown", type=float, help="default 0")
    solver.add_argument("--horizon", type=int)
    case = parser.add_argument_group("case options")
    case.add_argument("--epoch", type=int, help="solve only this epoch (year) of a case")
    case.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a case parameter (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_solve)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pipeline-games`` with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="pipeline-games",
        description="Negotiation game theory for China's oil and gas pipeline deals.",
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_solve(subparsers)
    from .cases import _cli as cases_cli
    from .sweeps import _cli as sweep_cli

    cases_cli.register(subparsers)
    sweep_cli.register(subparsers)
    return parser


def _version() -> str:
    from . import __version__

    return f"pipeline-games {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pipeline-games`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except PipelineGamesError as exc:
        print(f"pipeline-games: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be written, a path that is not a file, ...
        print(f"pipeline-games: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
