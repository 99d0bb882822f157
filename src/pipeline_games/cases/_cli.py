"""Case commands of the ``pipeline-games`` CLI (list, show, check, report, reproduce).

The main parser in [`pipeline_games.cli`][pipeline_games.cli] calls `register` to add them, and
delegates ``solve CASE`` to `solve_case`. The conventions (``--out DIR``, strict
``--json``, exit status) are those of [`pipeline_games.cli`][pipeline_games.cli].

Examples
--------
>>> from pipeline_games.cli import main
>>> main(["list"])  # doctest: +ELLIPSIS
case ...
china-kazakhstan-oil ...
0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..cli import EXIT_CLAIM_FAILED, EXIT_OK, print_json, print_table
from ..errors import CaseFileError, InvalidParameterError

DEFAULT_SAMPLES = 1024
DEFAULT_OUT = "reports"


def _case_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="a shipped case name (see 'list') or a path to a .toml file")


def _parser(subparsers: Any, name: str, help_text: str, examples: list[str]) -> Any:
    from ..cli import COMMANDS

    lines = "\n".join(f"  {example}" for example in examples)
    return subparsers.add_parser(
        name,
        help=COMMANDS.get(name, ("", help_text))[1],
        description=help_text,
        epilog=f"example{'s' if len(examples) > 1 else ''}:\n{lines}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _sampling(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples",
        type=int,
        default=DEFAULT_SAMPLES,
        metavar="N",
        help="scrambled Sobol samples of the parameter box for robustness and the backtest's "
        f"model ranges (default {DEFAULT_SAMPLES})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the Sobol sample (default 0)")


def _out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"directory to write the reports into, created if missing (default {DEFAULT_OUT}/)",
    )


def _json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--json", action="store_true", help=f"print {what} as strict JSON (default: tables)"
    )


def _strict(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if a claim fails at the base values (default: exit 0, a "
        "failing claim is a finding)",
    )


def register(subparsers: Any) -> None:
    """Add the case subcommands to the ``pipeline-games`` parser."""
    parser = _parser(subparsers, "list", "List the shipped cases.", ["pipeline-games list --json"])
    _json(parser, "the list")
    parser.set_defaults(func=_list)

    parser = _parser(
        subparsers,
        "show",
        "Show a case: parameters with units, ranges and sources; epochs; claims; backtest points.",
        ["pipeline-games show china-russia-gas"],
    )
    _case_arg(parser)
    _json(parser, "the case")
    parser.set_defaults(func=_show)

    parser = _parser(
        subparsers,
        "check",
        "Check a case's claims: the verdict at the base values, and the robustness over the "
        "samples where the claim is defined, with its sampling error, the share defined and "
        "the share with no deal.",
        [
            "pipeline-games check china-russia-gas --samples 512 --seed 1",
            "pipeline-games check china-russia-gas --strict || echo 'a claim fails'",
        ],
    )
    _case_arg(parser)
    _sampling(parser)
    _strict(parser)
    _json(parser, "the verdicts")
    parser.set_defaults(func=_check)

    parser = _parser(
        subparsers,
        "report",
        "Write a case's report: Markdown and HTML (figures embedded), and the figures as PNG "
        "and SVG.",
        ["pipeline-games report china-turkmenistan-gas --out reports/"],
    )
    _case_arg(parser)
    _out(parser)
    _sampling(parser)
    _json(parser, "the files written")
    parser.set_defaults(func=_report)

    parser = _parser(
        subparsers,
        "reproduce",
        "Reproduce every shipped case: solve, check the claims, backtest, write the reports "
        "and an index; print a line per case as it goes, then the claims and backtest tables.",
        ["pipeline-games reproduce --out reports/"],
    )
    _out(parser)
    _sampling(parser)
    _strict(parser)
    _json(parser, "the claims and backtest of every case")
    parser.set_defaults(func=_reproduce)


def _list(args: argparse.Namespace) -> int:
    from ._library import list_cases, load

    rows = []
    for name in list_cases():
        case = load(name)
        rows.append({"name": name, "title": case.title, "epochs": list(case.years)})
    if args.json:
        print_json(rows)
        return EXIT_OK
    print_table(
        ["case", "title", "epochs"],
        [[r["name"], r["title"], ", ".join(str(y) for y in r["epochs"])] for r in rows],
    )
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from ._library import load
    from ._report import parameter_rows

    case = load(args.case)
    if args.json:
        print_json(
            {
                "name": case.name,
                "title": case.title,
                "dyad": list(case.dyad),
                "parameters": parameter_rows(case),
                "epochs": [
                    {"year": e.year, "label": e.label, "source": e.source, "set": dict(e.changes)}
                    for e in case.epochs
                ],
                "adapters": list(case.adapters),
                "claims": [{"id": c.id, "statement": c.statement} for c in case.claims],
                "backtest": [
                    {
                        "id": b.id,
                        "quantity": b.quantity,
                        "observed": list(b.observed),
                        "unit": b.unit,
                    }
                    for b in case.backtest_points
                ],
            }
        )
        return EXIT_OK
    print(f"{case.title} ({case.name})\n{case.summary}\n")
    print_table(
        ["parameter", "value", "unit", "low", "high", "kind", "source"],
        [
            [r["name"], r["value"], r["unit"], r["low"], r["high"], r["kind"], r["source"]]
            for r in parameter_rows(case)
        ],
        disable_numparse=False,
    )
    print("\nepochs:")
    print_table(
        ["year", "what moved", "parameters set"],
        [
            [
                e.year,
                e.label,
                ", ".join(f"{k} <- {v}" for k, v in e.changes.items()) or "(base values)",
            ]
            for e in case.epochs
        ],
    )
    print(f"\nmodel adapters: {', '.join(case.adapters)}\n\nclaims:")
    print_table(["claim", "statement"], [[c.id, c.statement] for c in case.claims])
    if case.backtest_points:
        print("\nbacktest points:")
        print_table(
            ["point", "quantity", "observed", "unit"],
            [
                [b.id, b.quantity, f"{b.observed[0]:g} to {b.observed[1]:g}", b.unit]
                for b in case.backtest_points
            ],
        )
    else:
        print("\nbacktest points: none")
    return EXIT_OK


def _parse_sets(items: list[str]) -> dict[str, float]:
    overrides: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidParameterError(f"--set expects NAME=VALUE; got {item!r}")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise InvalidParameterError(
                f"--set {name.strip()}: expected a number; got {value!r}"
            ) from None
    return overrides


def solve_case(args: argparse.Namespace) -> int:
    """Solve a shipped case (``pipeline-games solve CASE``)."""
    from ._library import case_path, load
    from ._report import solution_table

    try:
        case_path(args.target)
    except CaseFileError:
        raise InvalidParameterError(
            f"unknown solver or case {args.target!r}; solvers: nash, kalai-smorodinsky, "
            "egalitarian, utilitarian, rubinstein; cases: see 'pipeline-games list'"
        ) from None
    case = load(args.target)
    try:
        solution = case.solve(epoch=args.epoch, overrides=_parse_sets(args.set))
    except CaseFileError as exc:
        message = str(exc).split(": ", 1)[-1]
        if args.epoch is not None and "epoch" in message:
            raise InvalidParameterError(f"--epoch {args.epoch}: {message}") from None
        raise InvalidParameterError(f"--set: {message}") from None
    if args.json:
        print_json(solution.to_dict())
        return EXIT_OK
    print(f"{case.title}: outcome per epoch at the base values")
    print_table(*solution_table(solution), disable_numparse=True)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from ._library import load
    from ._report import CLAIM_COLUMNS, claims_rows

    case = load(args.case)
    result = case.check(samples=args.samples, seed=args.seed)
    if args.json:
        print_json(result.to_dict())
    else:
        print_table(*claims_rows(result, plus_minus="+-", compact=True), disable_numparse=True)
        print(f"\n{result.samples} Sobol samples, seed {result.seed}. {CLAIM_COLUMNS}.")
    return EXIT_CLAIM_FAILED if args.strict and result.failed else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from ._library import load
    from ._report import output_folder, write_case_report

    case = load(args.case)
    report = write_case_report(
        case, output_folder(args.out, "--out"), samples=args.samples, seed=args.seed
    )
    if args.json:
        print_json({"case": case.name, "files": [str(p) for p in report.paths]})
        return EXIT_OK
    print(f"{case.name}: report written to {report.paths[0]} and {report.paths[1]}")
    for path in report.paths[2:]:
        print(f"  figure {path}")
    return EXIT_OK


def _case_line(report: Any) -> str:
    backtest = report.backtest
    score = (
        f"backtest {backtest.inside}/{len(backtest.rows)} inside"
        if backtest.rows
        else "no backtest points"
    )
    return (
        f"{report.case.name}: claims {report.held} held, {report.failed} failed"
        f"{_not_defined(report)}; {score}; {report.seconds:.1f} s"
    )


def _not_defined(report: Any) -> str:
    count = sum(r.verdict == "not defined" for r in report.check.results)
    return f", {count} not defined" if count else ""


def _reproduce(args: argparse.Namespace) -> int:
    from ._report import CLAIM_COLUMNS, backtest_rows, claims_rows, output_folder, reproduce

    progress = sys.stderr if args.json else sys.stdout

    def on_case(report: Any) -> None:
        print(_case_line(report), file=progress, flush=True)

    result = reproduce(
        output_folder(args.out, "--out"), samples=args.samples, seed=args.seed, on_case=on_case
    )
    failed = any(report.failed for report in result.reports)
    status = EXIT_CLAIM_FAILED if args.strict and failed else EXIT_OK
    if args.json:
        print_json(result.to_dict())
        return status
    claims_body = []
    backtest_body = []
    claims_header: list[str] = []
    backtest_header: list[str] = []
    for report in result.reports:
        claims_header, rows = claims_rows(report.check, plus_minus="+-", compact=True)
        claims_body += [[report.case.name, *row[:5]] for row in rows]
        backtest_header, rows = backtest_rows(report.backtest, compact=True)
        backtest_body += [[report.case.name, *row] for row in rows]
    print("\nclaims:")
    print_table(["case", *claims_header[:5]], claims_body, disable_numparse=True)
    print(f"({args.samples} Sobol samples, seed {args.seed}. {CLAIM_COLUMNS}.)")
    print("\nbacktest:")
    if backtest_body:
        print_table(["case", *backtest_header], backtest_body, disable_numparse=True)
    for report in result.reports:
        if not report.backtest.rows:
            print(f"{report.case.name}: no backtest points")
    inside = sum(r.backtest.inside for r in result.reports)
    points = sum(len(r.backtest.rows) for r in result.reports)
    share = f" ({inside / points:.2f})" if points else ""
    print(f"\nbacktest score: {inside} of {points} points inside the published range{share}")
    print(f"\nreports written to {Path(args.out)}/ (index: {result.index})")
    return status
