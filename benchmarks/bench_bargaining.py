"""Throughput of the bargaining solvers against memory bandwidth and a naive scipy loop.

Run: ``python benchmarks/bench_bargaining.py`` (``--quick`` for 10x smaller sizes,
``--repeat N`` for the best of N runs; the default 5). Add ``--numpy-only`` to measure only
the numpy kernels (the compiled ones need numba, the ``fast`` extra).

What it prints, all measured in this one process:

* numpy triad bandwidth ``a = b + s * c`` on 10^8 float64 (STREAM convention: 24 bytes per
  element), the reference for memory-bound solvers, measured before *and* after the kernels
  (the machine may be shared: the table uses the larger of the two, the stricter ratio);
* for each memory-bound kernel, with the numpy kernel and (if numba is installed) the fused
  compiled one: points/s, the essential bytes per point (each per-point input read once,
  the ``(n, 2)`` payoffs written once: 8 B per per-point input + 16 B), the resulting GB/s,
  and the ratio to the triad bandwidth, against the targets of issue 18:
  ``nash`` on a linear frontier (surplus and both disagreement payoffs per point, 40 B;
  target 50%), ``rubinstein`` with outside options and a scalar disagreement point (surplus
  and both options per point, 40 B; target 50%) and with a per-point disagreement point
  (surplus, both disagreement payoffs and the seller's option per point, 48 B, and all five
  per point, 56 B; target 30%);
* the same kernels once more writing into preallocated outputs (``out=``, reused across
  the runs exactly as the triad reuses its output array), which leaves out the operating
  system's zeroing of newly allocated pages (``--no-out`` skips these rows);
* points/s of ``nash`` on a power frontier (Newton iterations, compute-bound) against a naive
  per-point loop of ``scipy.optimize.minimize_scalar`` on the log Nash product (target >= 300x).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import best_time
from scipy.optimize import minimize_scalar

import pipeline_games as pg
from pipeline_games.bargaining import _fused


def best_cpu_time(function, repeat: int) -> float:
    """Best CPU time (this process) of ``repeat`` runs: robust to time-slicing on a busy machine."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def timed(function, repeat: int, clock: str) -> float:
    return (
        best_time(function, repeat=repeat) if clock == "wall" else best_cpu_time(function, repeat)
    )


def triad_bandwidth(n: int, repeat: int, clock: str) -> float:
    """Bytes/s of ``a = b + s * c`` with numpy (two passes with ``out=``), 24 bytes per element."""
    b, c = np.random.default_rng(0).random((2, n))
    a = np.empty(n)
    scalar = 3.0

    def triad() -> None:
        np.multiply(c, scalar, out=a)
        np.add(a, b, out=a)

    return 24.0 * n / timed(triad, repeat, clock)


def with_kernel(compiled: bool, call):
    """Run ``call`` with the fused compiled kernels on or off."""
    saved = _fused.MIN_POINTS
    _fused.MIN_POINTS = 0 if compiled else 2**62
    try:
        return call()
    finally:
        _fused.MIN_POINTS = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller problem sizes")
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs (default 5)")
    parser.add_argument("--numpy-only", action="store_true", help="skip the numba kernels")
    parser.add_argument(
        "--no-out", action="store_true", help="skip the rows with preallocated outputs (out=)"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="time by wall clock (default) or by this process's CPU time (on a machine shared "
        "with other jobs, CPU time is not inflated by time-slicing)",
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n_triad, n_points, n_naive = 10**8 // scale, 10**7 // scale, 10**3 // scale
    kernels = [False] if args.numpy_only or _fused.numba is None else [False, True]
    if True in kernels:  # compile outside the timings
        with_kernel(
            True,
            lambda: pg.rubinstein(
                pg.BargainingProblem.linear(np.ones(4)), discount=(0.9, 0.9), outside_options=(0, 0)
            ),
        )
        with_kernel(True, lambda: pg.nash(pg.BargainingProblem.linear(np.ones(4))))

    rng = np.random.default_rng(1)
    surplus = rng.uniform(50.0, 150.0, n_points)
    d0 = rng.uniform(0.0, 20.0, n_points)
    d1 = rng.uniform(0.0, 20.0, n_points)
    w0 = rng.uniform(0.0, 0.4, n_points) * surplus
    w1 = rng.uniform(0.0, 0.55, n_points) * surplus
    line = pg.BargainingProblem.linear(surplus)
    nash_out = {"payoffs": np.empty((n_points, 2)), "agreement": np.empty(n_points, bool)}
    rubinstein_out = {**nash_out, "binding": np.empty(n_points, np.int8)}
    for buffer in rubinstein_out.values():
        buffer.fill(0)  # touch the pages once, as the triad's output is touched
    cases = [
        (
            "nash, linear frontier (S, d0, d1)",
            40,
            0.5,
            lambda out=None: pg.nash(
                pg.BargainingProblem.linear(surplus, (d0, d1)), weight=0.5, out=out and nash_out
            ),
        ),
        (
            "rubinstein + options, scalar d (S, w0, w1)",
            40,
            0.5,
            lambda out=None: pg.rubinstein(
                line, discount=(0.95, 0.9), outside_options=(w0, w1), out=out
            ),
        ),
        (
            "rubinstein + options, per-point d (S, d0, d1, w1)",
            48,
            0.3,
            lambda out=None: pg.rubinstein(
                pg.BargainingProblem.linear(surplus, (d0, d1)),
                discount=(0.95, 0.9),
                outside_options=(0.0, w1),
                out=out,
            ),
        ),
        (
            "rubinstein + options, per-point d (S, d0, d1, w0, w1)",
            56,
            0.3,
            lambda out=None: pg.rubinstein(
                pg.BargainingProblem.linear(surplus, (d0, d1)),
                discount=(0.95, 0.9),
                outside_options=(w0, w1),
                out=out,
            ),
        ),
    ]
    modes = [False] if args.no_out else [False, True]
    before = triad_bandwidth(n_triad, args.repeat, args.clock)
    rates = {}
    for label, _, _, call in cases:
        for preallocated in modes:
            for compiled in kernels:
                out = rubinstein_out if preallocated else None
                t = timed(
                    lambda call=call, compiled=compiled, out=out: with_kernel(
                        compiled, lambda: call(out=out)
                    ),
                    args.repeat,
                    args.clock,
                )
                rates[label, preallocated, compiled] = n_points / t
    after = triad_bandwidth(n_triad, args.repeat, args.clock)
    bandwidth = max(before, after)
    print(
        f"clock: {args.clock}; numpy triad bandwidth: {before / 1e9:.2f} GB/s before, {after / 1e9:.2f} GB/s after "
        f"the kernels ({n_triad:.0e} float64; ratios below use {bandwidth / 1e9:.2f})"
    )
    print(
        f"{'kernel':58} {'code':6} {'outputs':7} {'M pt/s':>7} {'B/pt':>4} {'GB/s':>6} "
        f"{'triad':>6} target"
    )
    for label, essential, target, _ in cases:
        for preallocated in modes:
            for compiled in kernels:
                rate = rates[label, preallocated, compiled]
                share = essential * rate / bandwidth
                print(
                    f"{label:58} {'numba' if compiled else 'numpy':6} "
                    f"{'out=' if preallocated else 'fresh':7} {rate / 1e6:7.1f} "
                    f"{essential:4d} {essential * rate / 1e9:6.2f} {100 * share:5.0f}% "
                    f">= {100 * target:.0f}% {'met' if share >= target else 'NOT met'}"
                )

    exponent = rng.uniform(0.2, 0.9, n_points)
    d1 = rng.uniform(0.0, 2.0, n_points)  # below the frontier's reach, so every point has gains
    power = pg.BargainingProblem.power(surplus, (d0, d1), exponent=exponent)
    t_power = best_time(lambda: pg.nash(power, weight=0.4), repeat=2)
    per_point_vectorized = t_power / n_points

    def negative_log_product(u0: float, s: float, a: float, p: float, q: float) -> float:
        return -(0.4 * np.log(u0 - p) + 0.6 * np.log((s - u0) ** a - q))

    def naive_loop() -> None:
        for i in range(n_naive):
            s, a, p, q = surplus[i], exponent[i], d0[i], d1[i]
            upper = s - max(q, 0.0) ** (1.0 / a)
            if upper <= p:  # no gains from trade at this point: nothing to optimize
                continue
            minimize_scalar(
                negative_log_product, bounds=(p, upper), args=(s, a, p, q), method="bounded"
            )

    per_point_naive = best_time(naive_loop, repeat=1) / n_naive
    print(
        f"nash, power frontier: {1 / per_point_vectorized / 1e6:.2f} M points/s; naive "
        f"minimize_scalar loop: {1 / per_point_naive:.0f} points/s; ratio "
        f"{per_point_naive / per_point_vectorized:.0f}x (target >= 300x)"
    )


if __name__ == "__main__":
    main()
