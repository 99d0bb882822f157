"""Throughput of the hold-up solver and ``best_governance`` against a per-point scipy loop.

Run: ``python benchmarks/bench_transaction.py`` (add ``--quick`` for 100x smaller sizes).

What it prints, all measured in this one process:

* points/s of ``holdup`` on 10^7 random parameter points (specificity, investor weight,
  scale, alpha), solved in chunks of 10^6 as a sweep would, and the same for
  ``best_governance`` (five forms' surpluses per point);
* points/s of a naive loop that solves each point with ``scipy.optimize.minimize_scalar``
  (the investor's problem and the first best for hold-up; each form's investment for
  ``best_governance``), and the ratio.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
from _timing import best_time
from scipy.optimize import minimize_scalar

import pipeline_games as pg


def argmax_investment(share: float, a: float, alpha: float) -> float:
    """Investment maximising ``share * a k^alpha - k`` by bounded scalar minimisation."""
    upper = 3.0 * (alpha * a * max(share, 1.0)) ** (1.0 / (1.0 - alpha)) + 1e-9
    result = minimize_scalar(
        lambda k: -(share * a * k**alpha - k), bounds=(0.0, upper), method="bounded"
    )
    return float(result.x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100x smaller problem sizes")
    args = parser.parse_args()
    divisor = 100 if args.quick else 1
    n_points, chunk, n_naive = 10**7 // divisor, 10**6 // divisor, 2000 // min(divisor, 10)

    rng = np.random.default_rng(7)
    specificity = rng.uniform(0.0, 1.0, n_points)
    weight = rng.uniform(0.0, 1.0, n_points)
    scale = rng.uniform(0.5, 5.0, n_points)
    alpha = rng.uniform(0.1, 0.9, n_points)

    def chunked(solver: Callable[[slice], object]) -> Callable[[], None]:
        def run() -> None:
            for start in range(0, n_points, chunk):
                solver(slice(start, start + chunk))

        return run

    # -- hold-up -------------------------------------------------------------------------
    def holdup_chunk(part: slice) -> object:
        return pg.holdup(specificity[part], weight[part], scale=scale[part], alpha=alpha[part])

    t_vec = best_time(chunked(holdup_chunk), repeat=2)
    rate_vec = n_points / t_vec

    def holdup_naive() -> None:
        for i in range(n_naive):
            s, b, a, al = specificity[i], weight[i], scale[i], alpha[i]
            argmax_investment(1.0 - s * (1.0 - b), a, al)
            argmax_investment(1.0, a, al)

    t_naive = best_time(holdup_naive, repeat=1)
    rate_naive = n_naive / t_naive
    print(
        f"holdup: {rate_vec / 1e6:.2f} M points/s on {n_points:.0e} points "
        f"(chunks of {chunk:.0e}); scipy loop {rate_naive:.0f} points/s; "
        f"ratio {rate_vec / rate_naive:.0f}x"
    )

    # -- best_governance -----------------------------------------------------------------
    renegotiation = rng.uniform(0.0, 1.0, n_points)
    equity = rng.uniform(0.05, 0.95, n_points)
    costs = rng.uniform(0.0, 0.2, (4, n_points))

    def governance_chunk(part: slice) -> object:
        return pg.best_governance(
            specificity[part],
            weight[part],
            renegotiation_probability=renegotiation[part],
            enforcement_cost=costs[0, part],
            buyer_equity=equity[part],
            venture_cost=costs[1, part],
            loan_cost=costs[2, part],
            bureaucratic_cost=costs[3, part],
            scale=scale[part],
            alpha=alpha[part],
        )

    t_vec = best_time(chunked(governance_chunk), repeat=2)
    rate_vec = n_points / t_vec

    def governance_naive() -> None:
        for i in range(n_naive):
            s, w, a, al = specificity[i], weight[i], scale[i], alpha[i]
            r, sigma = renegotiation[i], equity[i]
            shares = [
                1.0 - w * s,
                (1.0 - r) + r * (1.0 - w * s),
                (1.0 - s) + s * min(w / sigma, (1.0 - w) / (1.0 - sigma)),
                1.0,
                1.0,
            ]
            overhead = [0.0, costs[0, i], costs[1, i], costs[2, i], costs[3, i]]
            surplus = []
            for share, extra in zip(shares, overhead, strict=True):
                k = argmax_investment(share, a, al)
                surplus.append(a * k**al - k - extra)
            int(np.argmax(surplus))

    t_naive = best_time(governance_naive, repeat=1)
    rate_naive = n_naive / t_naive
    print(
        f"best_governance: {rate_vec / 1e6:.2f} M points/s on {n_points:.0e} points "
        f"(chunks of {chunk:.0e}); scipy loop {rate_naive:.0f} points/s; "
        f"ratio {rate_vec / rate_naive:.0f}x"
    )


if __name__ == "__main__":
    main()
