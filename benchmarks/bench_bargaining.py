"""Throughput of the bargaining solvers against memory bandwidth and a naive scipy loop.

Run: ``python benchmarks/bench_bargaining.py`` (add ``--quick`` for 10x smaller sizes).

What it prints, all measured in this one process:

* numpy triad bandwidth ``a = b + s * c`` on 10^8 float64 (STREAM convention: 24 bytes
  per element), the reference for memory-bound solvers;
* points/s of ``nash`` on a linear frontier (per-point surplus and both disagreement
  payoffs: 24 bytes in, 16 bytes out = 40 essential bytes per point) and of ``rubinstein``
  with outside options (per-point surplus and both outside options: 40 bytes), as a share of
  the triad bandwidth (target >= 30%);
* points/s of ``nash`` on a power frontier (Newton iterations, compute-bound) against a naive
  per-point loop of ``scipy.optimize.minimize_scalar`` on the log Nash product (target >= 300x).
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best_time
from scipy.optimize import minimize_scalar

import pipeline_games as pg


def triad_bandwidth(n: int) -> float:
    """Bytes/s of ``a = b + s * c`` with numpy (two passes with ``out=``), 24 bytes per element."""
    b, c = np.random.default_rng(0).random((2, n))
    a = np.empty(n)
    scalar = 3.0

    def triad() -> None:
        np.multiply(c, scalar, out=a)
        np.add(a, b, out=a)

    return 24.0 * n / best_time(triad)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller problem sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n_triad, n_points, n_naive = 10**8 // scale, 10**7 // scale, 10**3 // scale

    bandwidth = triad_bandwidth(n_triad)
    print(f"numpy triad bandwidth: {bandwidth / 1e9:.2f} GB/s ({n_triad:.0e} float64)")

    rng = np.random.default_rng(1)
    surplus = rng.uniform(50.0, 150.0, n_points)
    d0 = rng.uniform(0.0, 20.0, n_points)
    d1 = rng.uniform(0.0, 20.0, n_points)

    def linear_nash() -> object:
        return pg.nash(pg.BargainingProblem.linear(surplus, (d0, d1)), weight=0.5)

    t = best_time(linear_nash)
    rate = n_points / t
    share = 40.0 * rate / bandwidth
    print(
        f"nash, linear frontier: {rate / 1e6:.1f} M points/s = {40 * rate / 1e9:.2f} GB/s "
        f"essential (40 B/point) = {100 * share:.0f}% of triad (target >= 30%)"
    )

    line = pg.BargainingProblem.linear(surplus)
    # Two regimes: options that leave room for a deal everywhere (binding or not), and
    # options that often exhaust the surplus (no deal at about a third of the points).
    for label, w0, w1 in [
        (
            "all points agree",
            rng.uniform(0.0, 0.4, n_points) * surplus,
            rng.uniform(0.0, 0.55, n_points) * surplus,
        ),
        (
            "mixed agree / no deal",
            rng.uniform(0.0, 40.0, n_points),
            rng.uniform(0.0, 80.0, n_points),
        ),
    ]:
        t = best_time(
            lambda w0=w0, w1=w1: pg.rubinstein(line, discount=(0.95, 0.9), outside_options=(w0, w1))
        )
        rate = n_points / t
        share = 40.0 * rate / bandwidth
        print(
            f"rubinstein with outside options, {label}: {rate / 1e6:.1f} M points/s = "
            f"{40 * rate / 1e9:.2f} GB/s essential (40 B/point) = {100 * share:.0f}% of "
            f"triad (target >= 30%)"
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
