"""Case commands of the ``pipeline-games`` CLI (list, show, check, report, reproduce).

The main parser in :mod:`pipeline_games.cli` calls :func:`register` to add them, and
delegates ``solve CASE`` to :func:`solve_case`.

Examples
--------
>>> from pipeline_games.cli import main
>>> main(["list"])  # doctest: +ELLIPSIS
china-kazakhstan-oil ...
0
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import CaseFileError, InvalidParameterError

DEFAULT_SAMPLES = 1024


def _case_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="a shipped case name (see 'list') or a path to a .toml file")


def _parser(subparsers: Any, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def register(subparsers: Any) -> None:
    """Add the case subcommands to the ``pipeline-games`` parser."""
    parser = _parser(subparsers, "list", "list the shipped cases", "pipeline-games list --json")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_list)

    parser = _parser(
        subparsers,
        "show",
        "show a case: parameters with units, ranges and sources; epochs; claims",
        "pipeline-games show china-russia-gas",
    )
    _case_arg(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_show)

    parser = _parser(
        subparsers,
        "check",
        "check a case's claims (verdict at base values and robustness share); exit 1 if one fails",
        "pipeline-games check china-russia-gas --samples 512 --seed 1",
    )
    _case_arg(parser)
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="box samples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Sobol sample")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even if a claim fails")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_check)

    parser = _parser(
        subparsers,
        "report",
        "write a Markdown + HTML report (with figures if matplotlib is installed) for a case",
        "pipeline-games report china-turkmenistan-gas --out reports/",
    )
    _case_arg(parser)
    parser.add_argument("--out", default="reports", help="output directory (default reports/)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(func=_report)

    parser = _parser(
        subparsers,
        "reproduce",
        "solve and check every shipped case, write reports and an index; print the claims table",
        "pipeline-games reproduce --out reports/",
    )
    parser.add_argument("--out", default="reports", help="output directory (default reports/)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the claims table as JSON")
    parser.set_defaults(func=_reproduce)


def _list(args: argparse.Namespace) -> int:
    from ._library import list_cases, load

    rows = []
    for name in list_cases():
        case = load(name)
        rows.append({"name": name, "title": case.title, "epochs": list(case.years)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        years = ", ".join(str(y) for y in row["epochs"])
        print(f"{row['name']:<26}{row['title']}  [epochs {years}]")
    return 0


def _show(args: argparse.Namespace) -> int:
    from ._library import load
    from ._report import parameter_rows

    case = load(args.case)
    if args.json:
        print(
            json.dumps(
                {
                    "name": case.name,
                    "title": case.title,
                    "dyad": list(case.dyad),
                    "parameters": parameter_rows(case),
                    "epochs": [
                        {
                            "year": e.year,
                            "label": e.label,
                            "source": e.source,
                            "set": dict(e.changes),
                        }
                        for e in case.epochs
                    ],
                    "adapters": list(case.adapters),
                    "claims": [{"id": c.id, "statement": c.statement} for c in case.claims],
                },
                indent=2,
            )
        )
        return 0
    print(f"{case.title} ({case.name})\n{case.summary}\n")
    print(f"{'parameter':<28}{'value':>10} {'unit':<10}{'low':>9}{'high':>9}  {'kind':<11}source")
    for row in parameter_rows(case):
        print(
            f"{row['name']:<28}{row['value']:>10.4g} {row['unit']:<10}{row['low']:>9.4g}"
            f"{row['high']:>9.4g}  {row['kind']:<11}{row['source']}"
        )
    print("\nepochs:")
    for epoch in case.epochs:
        changes = ", ".join(f"{k} <- {v}" for k, v in epoch.changes.items()) or "(base values)"
        print(f"  {epoch.year}  {epoch.label}  [{changes}]")
    print(f"\nmodel adapters: {', '.join(case.adapters)}")
    print("claims:")
    for claim in case.claims:
        print(f"  {claim.id}: {claim.statement}")
    return 0


def _parse_sets(items: list[str]) -> dict[str, float]:
    overrides: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InvalidParameterError(f"--set expects NAME=VALUE, got {item!r}")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise InvalidParameterError(
                f"--set {name.strip()}: expected a number, got {value!r}"
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
            f"unknown solver or case {args.target!r}; see 'pipeline-games list'"
        ) from None
    case = load(args.target)
    solution = case.solve(epoch=args.epoch, overrides=_parse_sets(args.set))
    if args.json:
        print(json.dumps(solution.to_dict(), indent=2))
        return 0
    print(f"{case.title}: outcome per epoch (payoffs in USD bn/yr, price per unit)")
    print(solution_table(solution))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ._claims import FAILS
    from ._library import load
    from ._report import claims_table

    case = load(args.case)
    result = case.check(samples=args.samples, seed=args.seed)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(claims_table(result))
    failed = any(r.verdict == FAILS for r in result.results)
    return 1 if failed and not args.no_fail else 0


def _report(args: argparse.Namespace) -> int:
    from ._library import load
    from ._report import write_case_report

    case = load(args.case)
    paths = write_case_report(case, Path(args.out), samples=args.samples, seed=args.seed)
    for path in paths:
        print(path)
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    from ._report import reproduce

    summary = reproduce(Path(args.out), samples=args.samples, seed=args.seed)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    width = max(len("claim"), *(len(row["id"]) for row in summary["claims"])) + 2
    print(f"{'case':<24}{'claim':<{width}}{'verdict':<15}{'robustness':>10}")
    for row in summary["claims"]:
        share = "-" if row["robustness"] is None else f"{row['robustness']:.2f}"
        print(f"{row['case']:<24}{row['id']:<{width}}{row['verdict']:<15}{share:>10}")
    print(f"\nreports written to {summary['index']}")
    return 0
