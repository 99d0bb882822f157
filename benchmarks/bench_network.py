"""Benchmark Nash-in-Nash bargaining on a network the size of a Eurasian gas case.

8 countries (3 producers, 2 buying countries, 3 transit states), 6 routes, 3 markets (two
buyers with value schedules and a fringe export market), 9 agreements: 10 flow problems per
parameter point (all agreements, and each one broken). Run ``python
benchmarks/bench_network.py`` (10^5 points) or ``--quick`` (10^4).

Prints the throughput of :func:`pipeline_games.network.nash_in_nash` (vectorized merit
order) and, in the same run, of the same function with ``method="lp"`` -- a per-point loop
of :func:`scipy.optimize.linprog` (HiGHS) solves doing the same work -- timed on a
subsample and extrapolated; the ratio; the largest difference between the two on the
subsample; and the peak memory of the vectorized run (tracemalloc). Also the coalition
game (256 coalitions) and its Shapley value over the points.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from pipeline_games.network import (
    Market,
    Producer,
    Route,
    SupplyNetwork,
    cooperative,
    nash_in_nash,
)


def eurasian_sized(points: int, seed: int = 0) -> SupplyNetwork:
    rng = np.random.default_rng(seed)

    def u(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, points)

    return SupplyNetwork(
        [
            Producer("Producer A", capacity=u(40, 80), cost=u(20, 60)),
            Producer("Producer D", capacity=u(20, 60), cost=u(30, 90)),
            Producer("Producer E", capacity=u(5, 30), cost=u(20, 70)),
        ],
        [
            Market("Buyer C", steps=[(u(20, 40), u(250, 400)), (u(20, 40), u(120, 240))]),
            Market("Buyer F", steps=[(u(10, 30), u(150, 270)), (u(10, 30), u(60, 140))]),
            Market("Export", price=u(100, 250), capacity=30.0, fringe=True),
        ],
        [
            Route(
                "line 1",
                ("Producer A", "Transit B1", "Transit B2", "Buyer C"),
                55.0,
                cost=u(10, 30),
            ),
            Route(
                "line 2",
                ("Producer A", "Transit B1", "Transit B3", "Buyer C"),
                u(0, 30),
                cost=u(10, 30),
            ),
            Route(
                "line 3",
                ("Producer A", "Transit B1", "Transit B2", "Buyer F"),
                u(10, 45),
                cost=u(5, 20),
            ),
            Route("line 4", ("Producer D", "Buyer C"), u(0, 38), cost=u(10, 40)),
            Route("line 5", ("Producer D", "Export"), 60.0, cost=u(5, 30)),
            Route("line 6", ("Producer E", "Buyer F"), 30.0, cost=u(5, 20)),
        ],
        transit=["Transit B1", "Transit B2", "Transit B3"],
    )


def subsample(net: SupplyNetwork, rows: np.ndarray) -> SupplyNetwork:
    def take(a: np.ndarray) -> np.ndarray:
        return a[rows] if a.ndim else a

    return SupplyNetwork(
        [Producer(p.name, take(p.capacity), take(p.cost), p.fringe) for p in net.producers],
        [
            Market(m.name, steps=[(take(v), take(w)) for v, w in m.steps], fringe=m.fringe)
            for m in net.markets
        ],
        [Route(r.name, r.path, take(r.capacity), take(r.cost)) for r in net.routes],
        net.transit,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10^4 points")
    parser.add_argument("--points", type=int, default=None)
    parser.add_argument("--loop-points", type=int, default=100, help="subsample for the loop")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    points = args.points or (10**4 if args.quick else 10**5)
    net = eurasian_sized(points)
    print(
        f"network: {len(net.countries)} countries, {len(net.routes)} routes, "
        f"{len(net.markets)} markets, {len(net.agreements)} agreements; {points:,} points"
    )
    best = np.inf
    result = None
    for _ in range(args.repeat):
        tracemalloc.start()
        start = time.perf_counter()
        result = nash_in_nash(net)
        best = min(best, time.perf_counter() - start)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert result is not None
    rate = points / best
    output = sum(a.nbytes for a in (result.price, result.payoff, result.flows)) / 2**20
    print(
        f"vectorized Nash-in-Nash: {best:.2f} s = {rate:,.0f} points/s; peak memory "
        f"{peak:.0f} MiB (price, payoff and flow outputs alone {output:.0f} MiB)"
    )
    print(
        f"  stable at {result.stable.mean():.1%} of points, determinate at "
        f"{result.determinate.mean():.1%}; agreements used: "
        f"{result.used.mean():.1%}"
    )

    rows = np.random.default_rng(1).choice(points, args.loop_points, replace=False)
    small = subsample(net, rows)
    start = time.perf_counter()
    looped = nash_in_nash(small, method="lp")
    loop_time = time.perf_counter() - start
    loop_rate = args.loop_points / loop_time
    print(
        f"per-point loop of linprog (HiGHS), {args.loop_points} points: {loop_time:.2f} s = "
        f"{loop_rate:,.1f} points/s (extrapolated to {points:,}: {points / loop_rate:,.0f} s)"
    )
    print(f"ratio: {rate / loop_rate:,.0f}x")
    scale = np.abs(looped.payoff).max()
    diff = np.abs(result.payoff[rows] - looped.payoff).max() / scale
    print(f"largest payoff difference on the subsample, relative to the largest payoff: {diff:.1e}")

    n_coop = max(1000, points // 10)
    coop_net = subsample(net, np.arange(n_coop))
    start = time.perf_counter()
    coop = cooperative(coop_net)
    coop_time = time.perf_counter() - start
    print(
        f"coalition game + Shapley, {n_coop:,} points x 256 coalitions: {coop_time:.2f} s = "
        f"{n_coop / coop_time:,.0f} points/s (grand value check: "
        f"{np.abs(coop.surplus - result.surplus[:n_coop]).max():.1e})"
    )


if __name__ == "__main__":
    main()
