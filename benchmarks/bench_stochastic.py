"""Throughput of stochastic bargaining against a per-point Python value iteration.

Run: ``python benchmarks/bench_stochastic.py`` (``--quick`` for 10x fewer points).

What it prints, all measured in this one process:

* points/s of ``stochastic_bargaining`` on 10^5 parameter points with 8 states (random
  surplus, transition matrix, proposer probabilities and discount factors per point), with
  the default acceleration and with plain iteration (``accelerate=False``);
* points/s of the reference: a Python loop over points, each solved by value iteration on
  its own 8-state arrays (numpy on arrays of 8, the same Bellman map, outside options and
  the same stopping rule), timed on a subsample and extrapolated;
* the ratios (target >= 100x) and the largest difference between the two solutions on the
  subsample, relative to the problem's magnitude.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _timing import best_time

import pipeline_games as pg


def per_point_value_iteration(surplus, transition, d0, d1, p, o0, o1, tol, max_iter=100_000):
    """One point, plain value iteration of the Bellman map (the reference)."""
    v0, v1 = o0.copy(), o1.copy()
    magnitude = max(np.abs(surplus).max(), np.abs(o0).max(), np.abs(o1).max()) or 1.0
    delta = max(d0, d1)
    for _ in range(max_iter):
        c0 = d0 * (transition @ v0)
        c1 = d1 * (transition @ v1)
        r0, r1 = np.maximum(o0, c0), np.maximum(o1, c1)
        x0, x1 = o0 > c0, o1 > c1
        none0 = np.where(x1, o0, r0)
        none1 = np.where(x0, o1, r1)
        gain0, gain1 = surplus - r1, surplus - r0
        new0 = p * np.maximum(gain0, none0) + (1 - p) * np.where(
            (gain1 <= none1) & x1 & ~x0, o0, r0
        )
        new1 = (1 - p) * np.maximum(gain1, none1) + p * np.where(
            (gain0 <= none0) & x0 & ~x1, o1, r1
        )
        change = max(np.abs(new0 - v0).max(), np.abs(new1 - v1).max())
        v0, v1 = new0, new1
        if delta / (1 - delta) * change <= tol * magnitude:
            break
    return np.stack([v0, v1], axis=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer points")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument(
        "--options",
        action="store_true",
        help="add small outside options (a stationary equilibrium in pure strategies then "
        "need not exist: some points do not converge and run to max_iter)",
    )
    args = parser.parse_args()
    n = 10**5 // (10 if args.quick else 1)
    k = 8
    sample = 200 // (10 if args.quick else 1)
    tol = 1e-10

    rng = np.random.default_rng(0)
    surplus = rng.uniform(0.0, 100.0, (n, k)) * (rng.random((n, k)) < 0.7)
    transition = rng.random((n, k, k)) ** 3
    transition /= transition.sum(axis=-1, keepdims=True)
    proposer = rng.random((n, k))
    d0 = rng.uniform(0.8, 0.95, n)
    d1 = rng.uniform(0.8, 0.95, n)
    # Merlo and Wilson's model (no outside options: zeros), or small outside options (at
    # most 5% of the largest surplus) binding here and there.
    o0 = rng.uniform(0.0, 5.0, (n, k)) if args.options else np.zeros((n, k))
    o1 = rng.uniform(0.0, 5.0, (n, k)) if args.options else np.zeros((n, k))
    kwargs = {"proposer": proposer, "outside_options": (o0, o1), "tol": tol}

    results = {}

    def solve(accelerate: bool):
        def run() -> None:
            results[accelerate] = pg.stochastic_bargaining(
                surplus, transition, (d0, d1), accelerate=accelerate, **kwargs
            )

        return run

    fast = best_time(solve(True), args.repeat)
    plain = best_time(solve(False), args.repeat)
    result = results[True]
    print(f"{n} points, {k} states, tol {tol:g}, outside options: {args.options}")
    print(
        f"stochastic_bargaining (accelerated): {n / fast:,.0f} points/s ({fast:.2f} s); "
        f"iterations mean {result.iterations.mean():.1f}, max {result.iterations.max()}; "
        f"converged {result.converged.mean():.4%}"
    )
    print(
        f"stochastic_bargaining (plain iteration): {n / plain:,.0f} points/s ({plain:.2f} s); "
        f"iterations mean {results[False].iterations.mean():.1f}, "
        f"max {results[False].iterations.max()}; converged {results[False].converged.mean():.4%}"
    )

    start = time.perf_counter()
    reference = [
        per_point_value_iteration(
            surplus[i], transition[i], d0[i], d1[i], proposer[i], o0[i], o1[i], tol
        )
        for i in range(sample)
    ]
    loop = (time.perf_counter() - start) / sample
    print(
        f"per-point Python value iteration: {1 / loop:,.0f} points/s "
        f"({loop * 1e3:.2f} ms/point, {sample} points timed, extrapolated: {loop * n:.0f} s "
        f"for {n})"
    )
    magnitude = np.maximum(np.abs(surplus[:sample]).max(axis=1), 1.0)[:, None, None]
    difference = np.abs(np.asarray(result.values[:sample]) - np.array(reference)) / magnitude
    converged = np.asarray(result.converged[:sample])
    print(
        f"largest difference on the subsample (converged points): "
        f"{difference[converged].max():.1e} of the magnitude"
    )
    print(f"ratio, accelerated vs the loop: {loop * n / fast:,.0f}x (target >= 100x)")
    print(f"ratio, plain iteration vs the loop: {loop * n / plain:,.0f}x")

    timing = best_time(lambda: result.timing(start=0, horizon=50), args.repeat)
    print(f"timing(start=0, horizon=50): {n / timing:,.0f} points/s ({timing:.2f} s)")


if __name__ == "__main__":
    main()
