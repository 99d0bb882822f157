"""Benchmark start-up: ``import pipeline_games`` and ``pipeline-games --help`` / ``--version``.

Run ``python benchmarks/bench_import.py`` (``--repeat N``, default 7). Each figure is the best
of N fresh interpreters (the run least disturbed by other processes), measured in this run
beside two references: an empty interpreter (``python -c pass``) and ``import numpy``. It
prints each time, the time above the empty interpreter, and the ratio to ``import numpy``.
The targets of issue 17 are ``--help`` and ``--version`` under 0.3 s and ``import
pipeline_games`` under 0.5 s; it also lists which heavy modules each command loaded (none of
scipy.optimize, nashpy, pint, pydantic, matplotlib, pandas should be loaded by the first
three).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

HEAVY = ("scipy.optimize", "nashpy", "pint", "pydantic", "matplotlib", "pandas", "numpy")

COMMANDS = {
    "python -c pass (reference)": "pass",
    "import numpy (reference)": "import numpy",
    "import pipeline_games": "import pipeline_games",
    "pipeline-games --version": (
        "import sys; sys.argv = ['pipeline-games', '--version']\n"
        "from pipeline_games.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit): main()"
    ),
    "pipeline-games --help": (
        "import sys; sys.argv = ['pipeline-games', '--help']\n"
        "from pipeline_games.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit): main()"
    ),
    "pg.nash (first use)": "import pipeline_games as pg; pg.nash",
}

_REPORT_MODULES = "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"


def best_time(code: str, repeat: int) -> float:
    """Best wall-clock time of ``repeat`` fresh interpreters running ``code``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def loaded_heavy(code: str) -> list[str]:
    """The heavy modules that ``code`` leaves in ``sys.modules``."""
    result = subprocess.run(
        [sys.executable, "-c", code + _REPORT_MODULES], check=True, capture_output=True, text=True
    )
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    return [name for name in HEAVY if name in modules]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters per figure")
    args = parser.parse_args()
    times = {label: best_time(code, args.repeat) for label, code in COMMANDS.items()}
    empty = times["python -c pass (reference)"]
    numpy = times["import numpy (reference)"]
    print(f"best of {args.repeat} fresh interpreters, {sys.executable}")
    print(f"{'what':<30}{'seconds':>9}{'above empty':>13}{'/ import numpy':>16}  heavy modules")
    for label, seconds in times.items():
        heavy = ", ".join(loaded_heavy(COMMANDS[label])) or "-"
        print(
            f"{label:<30}{seconds:>9.3f}{seconds - empty:>13.3f}{seconds / numpy:>16.2f}  {heavy}"
        )


if __name__ == "__main__":
    main()
