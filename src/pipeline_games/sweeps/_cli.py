"""Sweep commands of the ``pipeline-games`` CLI (sweep, sensitivity).

Examples
--------
>>> import argparse, tempfile
>>> parser = argparse.ArgumentParser(prog="pipeline-games")
>>> register(parser.add_subparsers())
>>> with tempfile.TemporaryDirectory() as folder:
...     args = parser.parse_args(["sweep", "nash", "--over", "surplus=0:100:11", "--out", folder,
...                               "--no-progress"])
...     args.func(args)
11 points in 1 chunks written to ...
0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import InvalidParameterError

SWEEP_EXAMPLES = """\
examples:
  pipeline-games sweep nash --over surplus=0:100:11 --over weight=0:1:5 --out runs/nash
  pipeline-games sweep rubinstein --set outside_options.1=0.3 --over discount.0=0.5:0.99:50 \\
      --out runs/rub --executor processes
  pipeline-games sweep nash --samples 4096 --method sobol --over weight=0:1 \\
      --over disagreement.1=0:50 --out runs/sobol
  pipeline-games sweep nash --over surplus=0:100:1001 --out runs/nash --resume
"""

SENSITIVITY_EXAMPLES = """\
examples:
  pipeline-games sensitivity nash --over weight=0.4:0.6 --over disagreement.0=0:20
  pipeline-games sensitivity rubinstein --method sobol --samples 1024 \\
      --over discount.0=0.8:0.99 --over outside_options.1=0:60 --output payoff_seller
"""


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise InvalidParameterError(f"{what} must be a number; got {text!r}") from exc


def _parse_over(items: list[str], *, grid: bool) -> dict[str, Any]:
    ranges: dict[str, Any] = {}
    for item in items:
        name, equals, spec = item.partition("=")
        parts = spec.split(":")
        expected = "lo:hi:n" if grid else "lo:hi"
        if not equals or not name or len(parts) != (3 if grid else 2):
            raise InvalidParameterError(f"--over must be NAME={expected}; got {item!r}")
        low = _number(parts[0], f"low end of {name}")
        high = _number(parts[1], f"high end of {name}")
        if grid:
            count = _number(parts[2], f"number of points of {name}")
            ranges[name] = (low, high, int(count) if count.is_integer() else count)
        else:
            ranges[name] = (low, high)
    return ranges


def _parse_set(items: list[str]) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise InvalidParameterError(f"--set must be NAME=VALUE; got {item!r}")
        if name in ("frontier",):
            fixed[name] = value
        elif name in ("first_mover", "horizon"):
            fixed[name] = int(_number(value, name))
        else:
            fixed[name] = _number(value, name)
    return fixed


def _target(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from ._target import SWEEP_SOLVERS

    fixed = _parse_set(args.set)
    if args.target.replace("-", "_") in SWEEP_SOLVERS:
        return args.target, fixed
    if fixed:
        raise InvalidParameterError("--set applies to solver targets only")
    return args.target, {}


def _sweep(args: argparse.Namespace) -> int:
    from ._run import sweep

    target, fixed = _target(args)
    grid = args.samples is None
    progress: bool | str = False if args.no_progress else ("always" if args.progress else True)
    result = sweep(
        target,
        over=_parse_over(args.over, grid=grid) or None,
        samples=args.samples,
        method="grid" if grid else args.method,
        seed=args.seed,
        chunk_size=args.chunk_size,
        out=args.out,
        executor=args.executor,
        resume=args.resume,
        progress=progress,
        workers=args.workers,
        address=args.address,
        **fixed,
    )
    print(f"{result.n_points} points in {result.n_chunks} chunks written to {args.out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from ._sensitivity import sobol_indices, tornado

    target, fixed = _target(args)
    over = _parse_over(args.over, grid=False) or None
    rows: list[dict[str, Any]]
    if args.method == "oat":
        swing = tornado(target, over, output=args.output, **fixed)
        rows = [
            {"parameter": name, "low": lo, "high": hi, "at_low": at_lo, "at_high": at_hi}
            for name, lo, hi, at_lo, at_hi in zip(
                swing.names, swing.lows, swing.highs, swing.at_low, swing.at_high, strict=True
            )
        ]
        header = f"tornado of {swing.output} (base {swing.base_output:.6g})"
        result: Any = swing
    else:
        indices = sobol_indices(
            target, over, samples=args.samples, output=args.output, seed=args.seed, **fixed
        )
        rows = [
            {"parameter": name, "first_order": s1, "total": st}
            for name, s1, st in zip(indices.names, indices.first, indices.total, strict=True)
        ]
        header = f"Sobol indices of {indices.output} ({indices.n_evaluations} evaluations)"
        result = indices
    if args.json:
        print(json.dumps({"title": header, "rows": rows}, indent=2, default=float))
    else:
        print(header)
        keys = list(rows[0])
        print("".join(f"{key:>16}" for key in keys))
        for row in rows:
            print(
                "".join(
                    f"{value:>16}" if isinstance(value, str) else f"{value:>16.6g}"
                    for value in row.values()
                )
            )
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        axes = result.plot()
        axes.figure.savefig(args.plot, bbox_inches="tight")
        print(f"plot written to {args.plot}")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="a solver (nash, rubinstein, ...) or a case name")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a solver argument, e.g. surplus=50, disagreement.1=30, frontier=power",
    )


def register(subparsers: Any) -> None:
    """Add the ``sweep`` and ``sensitivity`` subcommands to the ``pipeline-games`` parser."""
    from ._grid import SWEEP_METHODS
    from ._run import DEFAULT_CHUNK_SIZE, EXECUTORS

    parser = subparsers.add_parser(
        "sweep",
        help="sweep a solver or a case over a grid or a sample, to a directory",
        description="Evaluate a solver or a case over a grid (--over NAME=lo:hi:n ...) or a "
        "sample (--samples N --method sobol --over NAME=lo:hi ...), chunk by chunk, into a "
        "resumable output directory.",
        epilog=SWEEP_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    parser.add_argument(
        "--over",
        action="append",
        default=[],
        metavar="NAME=lo:hi[:n]",
        help="a swept parameter: lo:hi:n for a grid, lo:hi with --samples (repeatable)",
    )
    parser.add_argument("--samples", type=int, help="number of sampled points (not a grid)")
    parser.add_argument(
        "--method", choices=[m for m in SWEEP_METHODS if m != "grid"], default="sobol"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--chunk-size",
        type=int,
        help=f"points per chunk (default about {DEFAULT_CHUNK_SIZE}, aligned to grid rows)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument("--executor", choices=EXECUTORS, default="serial")
    parser.add_argument("--workers", type=int, help="worker processes (default: CPU count)")
    parser.add_argument("--address", help="address of a running Dask scheduler")
    parser.add_argument("--resume", action="store_true", help="compute only missing chunks")
    parser.add_argument("--progress", action="store_true", help="progress bar even if not a TTY")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_sweep)

    sensitivity = subparsers.add_parser(
        "sensitivity",
        help="one-at-a-time (tornado) or Sobol sensitivity of a solver or a case",
        description="Sensitivity of an output to parameters over their ranges: tornado "
        "(one at a time around the base point) or first-order and total Sobol indices.",
        epilog=SENSITIVITY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(sensitivity)
    sensitivity.add_argument(
        "--over",
        action="append",
        default=[],
        metavar="NAME=lo:hi",
        help="a parameter's range (repeatable; default: the case's ranges)",
    )
    sensitivity.add_argument("--method", choices=("oat", "sobol"), default="oat")
    sensitivity.add_argument("--samples", type=int, default=1024, help="Sobol base sample size")
    sensitivity.add_argument("--seed", type=int, default=0)
    sensitivity.add_argument("--output", help="output column (default: the first)")
    sensitivity.add_argument("--plot", metavar="FILE", help="save the plot (png, svg, pdf)")
    sensitivity.add_argument("--json", action="store_true", help="print JSON")
    sensitivity.set_defaults(func=_sensitivity)
