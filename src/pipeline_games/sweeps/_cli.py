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
computed 11 points in 1 chunk(s); the sweep is complete: 11 points in 1 chunk(s), in ...
0
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from .._arrays import as_int
from .._results import plain
from ..errors import InvalidParameterError

SWEEP_EXAMPLES = """\
examples:
  pipeline-games sweep nash --over surplus=0:100:11 --over weight=0:1:5 --out runs/nash
  pipeline-games sweep rubinstein --set outside_options.seller=0.3 \\
      --over discount.buyer=0.5:0.99:50 --out runs/rub --executor processes
  pipeline-games sweep nash --samples 4096 --method sobol --over weight=0:1 \\
      --over disagreement.seller=0:50 --out runs/sobol --format csv
  pipeline-games sweep my-case.toml --set price=50 --samples 1024 --out runs/my-case
  pipeline-games sweep nash --over surplus=0:100:1001 --out runs/nash --resume
  pipeline-games sweep --repair --out runs/nash
"""

SENSITIVITY_EXAMPLES = """\
examples:
  pipeline-games sensitivity nash --over weight=0.4:0.6 --over disagreement.buyer=0:20
  pipeline-games sensitivity rubinstein --method sobol --samples 1024 \\
      --over discount.buyer=0.8:0.99 --over outside_options.seller=0:60 --column payoff_seller
  pipeline-games sensitivity my-case.toml --method sobol --set price=50
"""


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise InvalidParameterError(f"{what} must be a number; got {text!r}") from exc
    if not math.isfinite(value):
        raise InvalidParameterError(f"{what} must be a finite number; got {text!r}")
    return value


def _whole(text: str, what: str, low: int) -> int:
    """A whole number given as ``4096``, ``4096.0`` or ``1e10``."""
    return as_int(_number(text, what), what, low=low)


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
            ranges[name] = (low, high, _whole(parts[2], f"number of points of {name}", 1))
        else:
            ranges[name] = (low, high)
    return ranges


def _parse_set(items: list[str], *, solver: bool) -> dict[str, Any]:
    fixed: dict[str, Any] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise InvalidParameterError(f"--set must be NAME=VALUE; got {item!r}")
        if solver and name == "frontier":
            fixed[name] = value
        elif solver and name in ("first_mover", "horizon"):
            fixed[name] = _whole(value, name, 0 if name == "first_mover" else 1)
        else:
            fixed[name] = _number(value, name)
    return fixed


def _target(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The target and its fixed values (``--set`` works for solvers and cases alike)."""
    from ._target import SWEEP_SOLVERS

    solver = args.target.replace("-", "_") in SWEEP_SOLVERS
    return args.target, _parse_set(args.set, solver=solver)


def _progress(args: argparse.Namespace) -> bool | str:
    return False if args.no_progress else ("always" if args.progress else True)


def _sweep(args: argparse.Namespace) -> int:
    from ._run import repair_sweep, sweep

    if args.repair:
        result = repair_sweep(args.out)
        print(
            f"repaired {args.out}: {len(result.chunks)} of {result.n_chunks} chunk(s) verified "
            f"and kept; the sweep is {'complete' if result.complete else 'not complete'}"
            + ("" if result.complete else " (resume it with --resume)")
        )
        return 0
    if args.target is None:
        raise InvalidParameterError("sweep needs a TARGET (a solver or a case name)")
    target, fixed = _target(args)
    samples = None if args.samples is None else _whole(args.samples, "--samples", 1)
    grid = samples is None
    result = sweep(
        target,
        over=_parse_over(args.over, grid=grid) or None,
        samples=samples,
        method="grid" if grid else args.method,
        seed=args.seed,
        chunk_size=args.chunk_size,
        out=args.out,
        executor=args.executor,
        resume=args.resume,
        progress=_progress(args),
        workers=args.workers,
        address=args.address,
        **fixed,
    )
    computed_points = sum(stop - start for start, stop in map(result._bounds, result.computed))
    if result.computed:
        done = f"computed {computed_points} points in {len(result.computed)} chunk(s)"
    else:
        done = "nothing to compute: every chunk was already done"
    earlier = len(result.chunks) - len(result.computed)
    if earlier and result.computed:
        done += f" ({earlier} chunk(s) were already done)"
    state = "complete" if result.complete else "not complete"
    print(
        f"{done}; the sweep is {state}: {result.n_points} points in {result.n_chunks} "
        f"chunk(s), in {args.out}"
    )
    if args.format != "zarr":
        path = Path(str(Path(args.out)).rstrip("/\\") + f".{args.format}")
        (result.to_csv if args.format == "csv" else result.to_parquet)(path)
        print(f"{len(result)} rows written to {path}")
    return 0


def _check_plot_path(path: str | None) -> None:
    if path is None:
        return
    if "\0" in path:
        raise InvalidParameterError(
            f"--plot must name a file path without a NUL byte; got {path!r}"
        )
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:  # the plot extra is missing: plot() says so
        return
    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix.lstrip(".").lower()
    if suffix not in formats:
        raise InvalidParameterError(
            f"--plot must name a file ending in one of {', '.join(sorted(formats))}; got {path!r}"
        )
    target = Path(path)
    if target.is_dir() or not target.resolve().parent.is_dir():
        raise InvalidParameterError(f"--plot must name a file in an existing folder; got {path!r}")


def _table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    width = {key: max(len(key), *(len(_cell(row[key])) for row in rows)) for key in keys}
    lines = ["  ".join(f"{key:>{width[key]}}" for key in keys)]
    for row in rows:
        lines.append("  ".join(f"{_cell(row[key]):>{width[key]}}" for key in keys))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:.6g}"


def _sensitivity(args: argparse.Namespace) -> int:
    from ._sensitivity import sobol_indices, tornado

    _check_plot_path(args.plot)
    target, fixed = _target(args)
    over = _parse_over(args.over, grid=False) or None
    rows: list[dict[str, Any]]
    if args.method == "oat":
        swing = tornado(target, over, output=args.column, **fixed)
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
            target,
            over,
            samples=_whole(args.samples, "--samples", 2),
            output=args.column,
            seed=args.seed,
            **fixed,
        )
        rows = [
            {
                "parameter": name,
                "first_order": s1,
                "first_order_ci95": c1,
                "total": st,
                "total_ci95": ct,
            }
            for name, s1, c1, st, ct in zip(
                indices.names,
                indices.first,
                indices.first_confidence,
                indices.total,
                indices.total_confidence,
                strict=True,
            )
        ]
        header = (
            f"Sobol indices of {indices.output} ({indices.n_evaluations} evaluations; "
            "ci95: half-width of the 95% bootstrap interval)"
        )
        result = indices
    if args.json:
        print(json.dumps(plain({"title": header, "rows": rows}), indent=2, allow_nan=False))
    else:
        print(header)
        print(_table(rows))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        axes = result.plot()
        axes.figure.savefig(args.plot, bbox_inches="tight")
        plt.close(axes.figure)
        # with --json, stdout holds the JSON document alone
        print(f"plot written to {args.plot}", file=sys.stderr if args.json else sys.stdout)
    return 0


def _fill(text: str) -> str:
    """Paragraphs wrapped for a raw-description help (the examples keep their lines)."""
    import textwrap

    return "\n\n".join(textwrap.fill(p, 79) for p in text.split("\n\n"))


def _common(parser: argparse.ArgumentParser, *, optional_target: bool = False) -> None:
    parser.add_argument(
        "target",
        nargs="?" if optional_target else None,
        help="a solver (nash, rubinstein, ...) or a case name",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a value: a solver argument (surplus=50, disagreement.seller=30, "
        "frontier=power) or a case parameter (china_value=500); repeatable (default: none, "
        "the solver's defaults or the case's base values)",
    )


def register(subparsers: Any) -> None:
    """Add the ``sweep`` and ``sensitivity`` subcommands to the ``pipeline-games`` parser."""
    from ._grid import SWEEP_METHODS
    from ._run import DEFAULT_CHUNK_SIZE, EXECUTORS

    parser = subparsers.add_parser(
        "sweep",
        help="sweep a solver or a case over a grid or a sample, into a Zarr store",
        description=_fill(
            "Evaluate a solver or a case over a grid (--over NAME=lo:hi:n ...) or a "
            "sample (--samples N --method sobol --over NAME=lo:hi ...), chunk by chunk, into a "
            "resumable Zarr v3 store (--out DIR). Without --over, a sample covers the ranges of "
            "the case's parameters that can vary.\n\nThe output folder is a Zarr v3 store: open "
            "it with xarray.open_zarr(DIR) or pipeline_games.load_sweep(DIR); --format "
            "csv|parquet also writes DIR.csv / DIR.parquet."
        ),
        epilog=SWEEP_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser, optional_target=True)
    parser.add_argument(
        "--over",
        action="append",
        default=[],
        metavar="NAME=lo:hi[:n]",
        help="a swept parameter: lo:hi:n for a grid, lo:hi with --samples (repeatable; "
        "default: none, which with --samples and a case sweeps the case's ranges)",
    )
    parser.add_argument(
        "--samples",
        metavar="N",
        help="number of sampled points (not a grid), e.g. 4096 or 1e6 (default: none, a grid "
        "from --over lo:hi:n)",
    )
    parser.add_argument(
        "--method",
        choices=[m for m in SWEEP_METHODS if m != "grid"],
        default="sobol",
        help="sampling method with --samples (default: sobol)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the samples (default: 0)")
    parser.add_argument(
        "--chunk-size",
        type=int,
        help=f"points per chunk at most (default {DEFAULT_CHUNK_SIZE}, whole grid rows)",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="output folder (Zarr store); required, no default: a new or empty folder, or "
        "the sweep's own folder with --resume or --repair",
    )
    parser.add_argument(
        "--format",
        choices=("zarr", "csv", "parquet"),
        default="zarr",
        help="also export the results to DIR.csv or DIR.parquet (default: the store only)",
    )
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="serial",
        help="how the chunks are computed: in this process (serial), a process pool "
        "(processes) or Dask (dask); results are identical (default: serial)",
    )
    parser.add_argument("--workers", type=int, help="worker processes (default: CPU count)")
    parser.add_argument(
        "--address",
        help="address of a running Dask scheduler, with --executor dask (default: none, a "
        "local Dask cluster of --workers processes)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="finish the sweep in --out: compute only missing chunks (default: off, --out "
        "must not hold a sweep)",
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="rebuild the store's metadata in --out from its verified chunks (no TARGET; "
        "default: off)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="progress bar even if stderr is not a terminal (default: only on a terminal)",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (default: a progress bar on a terminal)",
    )
    parser.set_defaults(func=_sweep)

    sensitivity = subparsers.add_parser(
        "sensitivity",
        help="one-at-a-time (tornado) or Sobol sensitivity of a solver or a case",
        description="Sensitivity of an output column to parameters over their ranges: tornado "
        "(one at a time around the base point) or first-order and total Sobol indices with "
        "their 95% confidence half-widths. Without --over, the case's parameters that can "
        "vary.",
        epilog=SENSITIVITY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(sensitivity)
    sensitivity.add_argument(
        "--over",
        action="append",
        default=[],
        metavar="NAME=lo:hi",
        help="a parameter's range (repeatable; default: the case's ranges that can vary)",
    )
    sensitivity.add_argument(
        "--method", choices=("oat", "sobol"), default="oat", help="default: oat (tornado)"
    )
    sensitivity.add_argument(
        "--samples", default="1024", metavar="N", help="Sobol base sample size (default 1024)"
    )
    sensitivity.add_argument("--seed", type=int, default=0, help="default: 0")
    sensitivity.add_argument("--column", help="output column to analyse (default: the first)")
    sensitivity.add_argument("--plot", metavar="FILE", help="save the plot (png, svg, pdf)")
    sensitivity.add_argument("--json", action="store_true", help="print strict JSON")
    sensitivity.set_defaults(func=_sensitivity)
