"""Throughput of case evaluation: every adapter of a shipped case in every epoch.

Run ``python benchmarks/bench_cases.py`` (``--samples N``, default 4096; ``--quick`` for
1024; ``--cases a,b`` for some cases only; ``--repeat R`` best of R, default 3).

For every case in ``cases/`` it draws ``N`` Sobol samples of the case's box with
`pipeline_games.cases.sample_box` (the points a sweep or the claim checker evaluates) and
times, with this process's CPU time (robust to other jobs on a shared machine):

* ``adapters``: every adapter's outputs in every epoch (`Case.adapter_outputs` per year),
  the bargaining-type outputs of the case; samples/s;
* ``evaluate``: `Case.evaluate` (the sweep engine's entry point: the adapters and, for a
  case with a ``[timing]`` table, the timing game of every epoch); samples/s;
* the reference, measured in the same run: the same adapter evaluation one sample at a
  time (a per-sample loop over a few samples, extrapolated), and the ratio of the
  vectorized figure to it;
* the ratio of the adapters' figure to the target of issue 18 (1 M samples/s).

The load average of the machine is printed with the results.
"""

from __future__ import annotations

import argparse
import os

from _timing import best_cpu_time

from pipeline_games.cases import list_cases, load
from pipeline_games.cases._claims import sample_box

TARGET = 1e6


def adapters(case, box) -> None:
    for year in case.years:
        case.adapter_outputs(box, year)


def measure(name: str, samples: int, args: argparse.Namespace) -> tuple[float, float, float]:
    """Samples/s of the adapters, of `Case.evaluate` and of the per-sample loop."""
    case = load(name)
    box = sample_box(case, samples, seed=0)
    adapters(case, box)  # warm-up (imports, compilation)
    rate = samples / best_cpu_time(lambda: adapters(case, box), args.repeat)
    evaluate = float("nan")
    if not args.no_evaluate:
        case.evaluate(**box)
        evaluate = samples / best_cpu_time(lambda: case.evaluate(**box), args.repeat)
    single = [{k: v[i : i + 1] for k, v in box.items()} for i in range(args.loop)]

    def loop() -> None:
        for one in single:
            adapters(case, one)

    loop_rate = args.loop / best_cpu_time(loop, max(1, args.repeat - 1))
    return rate, evaluate, loop_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--quick", action="store_true", help="1024 samples")
    parser.add_argument("--cases", default=None, help="comma-separated case names")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop", type=int, default=8, help="samples of the per-sample loop")
    parser.add_argument("--no-evaluate", action="store_true", help="skip Case.evaluate")
    args = parser.parse_args()
    samples = 1024 if args.quick else args.samples
    names = list_cases() if args.cases is None else args.cases.split(",")
    print(f"load average before: {os.getloadavg()[0]:.2f}; {samples} Sobol samples per case")
    header = (
        f"{'case':24s} {'adapters/s':>12s} {'evaluate/s':>12s} {'loop/s':>10s} "
        f"{'vs loop':>8s} {'vs 1M/s':>8s}"
    )
    print(header)
    for name in names:
        rate, evaluate, loop_rate = measure(name, samples, args)
        print(
            f"{name:24s} {rate:12,.0f} {evaluate:12,.0f} {loop_rate:10,.0f} "
            f"{rate / loop_rate:7.1f}x {rate / TARGET:8.4f}",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
