"""Benchmark the coalition solvers: exact Shapley at n = 20, nucleolus up to n = 20.

Run ``python benchmarks/bench_coalition.py`` (full sizes) or ``--quick`` (small sizes).
Prints time, peak memory (tracemalloc, which sees numpy's allocations) and ratios against
baselines run in the same process:

* exact Shapley: a plain Python double loop over players and coalitions (the textbook
  formula), and a straightforward numpy version that gathers ``v(S ∪ i) - v(S)`` with
  fancy indexing (one temporary of the table's size per player);
* Monte Carlo Shapley on the same game, for the time per sampled permutation;
* nucleolus at n = 10: both algorithms, the number of LPs, against a single least-core LP;
* nucleolus at n = 15, 18, 20 by constraint generation on convex games and on a network
  game (max flow on a random series-parallel line network, written below), against the
  full LPs (a row per coalition) where they still run (``--full-max``, default 15), with
  the largest difference between the two answers.
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from pipeline_games.coalition import (
    TUGame,
    bankruptcy_game,
    weighted_majority_game,
)


def measure(
    function: Callable[[], Any], repeat: int = 1, trace: bool = True
) -> tuple[Any, float, float]:
    """Return (result, best seconds, peak MiB).

    The timed runs are not traced; with ``trace`` one more run measures the peak memory
    under tracemalloc (which sees numpy's allocations but slows Python-heavy code a lot:
    scipy's LP set-up several-fold), else the peak is reported as NaN.
    """
    best = math.inf
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    peak = math.nan
    if trace:
        tracemalloc.start()
        function()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, best, peak


def naive_shapley(table: np.ndarray) -> np.ndarray:
    """Textbook loop: for each player, each coalition without it, weight * marginal."""
    n = int(math.log2(len(table)))
    weights = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    phi = np.zeros(n)
    for i in range(n):
        bit = 1 << i
        total = 0.0
        for mask in range(1 << n):
            if not mask & bit:
                total += weights[mask.bit_count()] * (table[mask | bit] - table[mask])
        phi[i] = total
    return phi


def fancy_index_shapley(table: np.ndarray) -> np.ndarray:
    """Straightforward numpy: gather the masks without i, then weights and differences."""
    n = int(math.log2(len(table)))
    masks = np.arange(1 << n)
    sizes = np.array([int(m).bit_count() for m in range(1 << n)]) if n <= 12 else None
    if sizes is None:
        sizes = np.zeros(1 << n, dtype=np.int64)
        for bit in range(n):
            sizes += (masks >> bit) & 1
    weights = np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )
    phi = np.zeros(n)
    for i in range(n):
        without = masks[(masks >> i & 1) == 0]
        phi[i] = np.sum(weights[sizes[without]] * (table[without | (1 << i)] - table[without]))
    return phi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes for development")
    parser.add_argument(
        "--full-max", type=int, default=15, help="largest n for the full-LP reference (<= 16)"
    )
    args = parser.parse_args()
    n_shapley = 14 if args.quick else 20
    n_naive = 12 if args.quick else 16
    n_nucleolus = 7 if args.quick else 10
    rng = np.random.default_rng(2024)

    print(f"== exact Shapley, random game, n = {n_shapley} (2**n = {2**n_shapley:,} values)")
    table = np.concatenate([[0.0], rng.normal(size=2**n_shapley - 1)])
    game = TUGame(table)
    table_mib = table.nbytes / 2**20
    phi, seconds, peak = measure(lambda: game.shapley("exact").values, repeat=3)
    print(
        f"  TUGame.shapley('exact'): {seconds * 1e3:9.1f} ms, peak {peak:6.1f} MiB "
        f"(table itself {table_mib:.1f} MiB)"
    )
    print(
        f"    throughput: {2**n_shapley * n_shapley / seconds / 1e6:.1f} M (player, coalition) pairs/s"
    )
    fancy, fancy_seconds, fancy_peak = measure(lambda: fancy_index_shapley(table))
    assert np.allclose(fancy, phi)
    print(
        f"  numpy fancy-index baseline: {fancy_seconds * 1e3:9.1f} ms, peak {fancy_peak:6.1f} MiB"
        f"  -> speed-up x{fancy_seconds / seconds:.1f}, memory ratio x{fancy_peak / peak:.1f}"
    )

    small = TUGame(np.concatenate([[0.0], rng.normal(size=2**n_naive - 1)]))
    naive, naive_seconds, _ = measure(lambda: naive_shapley(small.values), trace=False)
    fast, fast_seconds, _ = measure(lambda: small.shapley("exact").values, repeat=3)
    assert np.allclose(naive, fast)
    print(
        f"  pure-Python loop baseline at n = {n_naive}: {naive_seconds:8.2f} s vs "
        f"{fast_seconds * 1e3:.2f} ms  -> speed-up x{naive_seconds / fast_seconds:,.0f}"
    )

    samples = 2_000 if args.quick else 10_000
    estimate, mc_seconds, mc_peak = measure(
        lambda: game.shapley("sampling", samples=samples, seed=1)
    )
    error = np.abs(estimate.values - phi).max()
    print(
        f"  Monte Carlo, {samples:,} permutations: {mc_seconds * 1e3:9.1f} ms, peak "
        f"{mc_peak:6.1f} MiB, {samples / mc_seconds:,.0f} permutations/s, max |error| "
        f"{error:.3g} (max s.e. {estimate.standard_errors.max():.3g})"
    )

    print(f"\n== nucleolus, n = {n_nucleolus}: full LPs vs constraint generation")
    for label, values in (
        ("random game (normal values, v(N) large)", None),
        ("convex game (a(S)**2)", "convex"),
        ("bankruptcy game (claims 10..100, estate 100)", "bankruptcy"),
        ("weighted majority game (0/1 values)", "majority"),
    ):
        if values == "bankruptcy":
            tab = bankruptcy_game(100.0, np.arange(1.0, n_nucleolus + 1) * 10).values
        elif values == "majority":
            weights = np.arange(1.0, n_nucleolus + 1)
            tab = weighted_majority_game(weights.sum() / 2 + 1, weights).values
        elif values is None:
            tab = np.concatenate([[0.0], rng.normal(size=2**n_nucleolus - 1)])
            tab[-1] = np.abs(tab).sum() / 4
        else:
            tab = convex_game(n_nucleolus, rng).values
        g = TUGame(tab)
        full, full_seconds, _ = measure(
            lambda g=g: g.nucleolus(algorithm="full"), repeat=3, trace=False
        )
        generated, gen_seconds, gen_peak = measure(
            lambda g=g: g.nucleolus(algorithm="generation"), repeat=3
        )
        _, core_seconds, _ = measure(lambda g=g: g.core(algorithm="full"), repeat=3, trace=False)
        gap = np.abs(full.values - generated.values).max() / np.abs(tab).max()
        print(
            f"  {label}:\n    full {full_seconds * 1e3:8.1f} ms ({full.n_programs} LPs of "
            f"{full.max_lp_rows} rows; one least-core LP {core_seconds * 1e3:.1f} ms)\n"
            f"    generation {gen_seconds * 1e3:8.1f} ms ({generated.n_programs} LPs, at most "
            f"{generated.max_lp_rows} rows, peak {gen_peak:.1f} MiB)  -> ratio "
            f"x{full_seconds / gen_seconds:.1f}, max |difference| {gap:.1e} of max|v|"
        )

    sizes = (12, 13) if args.quick else (15, 18, 20)
    full_max = 12 if args.quick else args.full_max
    print(
        f"\n== nucleolus by constraint generation, n = {', '.join(map(str, sizes))} "
        f"(full LPs up to n = {full_max})"
    )
    check_flow_game(rng)
    rows = []
    for n in sizes:
        for label, make in (("convex", convex_game), ("network", flow_game)):
            g = make(n, np.random.default_rng(n))
            result, seconds, peak = measure(g.nucleolus, repeat=3)
            line = (
                f"  n = {n:2d} {label:8s}: generation {seconds:7.2f} s, {result.n_programs:3d} "
                f"LPs, at most {result.max_lp_rows:4d} rows (full: {2**n - 2:,}), peak "
                f"{peak:6.1f} MiB"
            )
            if n <= full_max:
                full, full_seconds, _ = measure(
                    lambda g=g: g.nucleolus(algorithm="full"), trace=False
                )
                gap = np.abs(full.values - result.values).max() / np.abs(g.values).max()
                line += (
                    f"; full LPs {full_seconds:7.2f} s -> ratio x{full_seconds / seconds:.0f}, "
                    f"max |difference| {gap:.1e} of max|v|"
                )
                rows.append((n, label, seconds, full_seconds))
            else:
                line += "; full LPs not run (--full-max)"
                rows.append((n, label, seconds, None))
            print(line)

    try:  # the case layer owns the Central Asia network
        from pipeline_games.cases._central_asia import central_asia_network
    except Exception as error:  # the case layer may be mid-restructure
        print(f"\n== Central Asia network game: skipped (the case layer does not import: {error})")
        return
    print("\n== Central Asia network game (7 players, one LP per distinct usable-line set)")
    net = central_asia_network()
    game_ca, build_seconds, _ = measure(net.game, repeat=3)
    print(f"  build v(S) for all {2 ** len(net.players)} coalitions: {build_seconds * 1e3:.1f} ms")
    _, solve_seconds, _ = measure(lambda: (game_ca.shapley(), game_ca.nucleolus()), repeat=3)
    print(f"  Shapley + nucleolus: {solve_seconds * 1e3:.1f} ms")


def convex_game(n: int, rng: np.random.Generator) -> TUGame:
    """``v(S) = a(S)**2`` with ``a`` uniform on [0, 2]: supermodular, so the core is large."""
    sums = np.zeros(1)
    for weight in rng.uniform(0, 2, n):
        sums = np.concatenate([sums, sums + weight])
    return TUGame(sums**2)


def flow_routes(n: int, rng: np.random.Generator) -> list[tuple[int, list[int], float]]:
    """A random line network: players 0 and 1 produce, player 2 buys, the rest are transit
    countries. Each producer has four routes to the buyer through 1-3 transit countries."""
    routes = []
    for producer in (0, 1):
        for _ in range(4):
            hops = [int(h) for h in rng.choice(np.arange(3, n), rng.integers(1, 4), False)]
            routes.append((producer, hops, float(rng.integers(1, 10))))
    return routes


def flow_game(n: int, rng: np.random.Generator) -> TUGame:
    """Max flow a coalition controls on a random series-parallel line network.

    Source -> producer p (supply cap) -> its routes (capacity, usable when the coalition
    holds the producer, every transit country on it and the buyer) -> buyer (import cap)
    -> sink. The network is series-parallel, so the max flow is
    ``min(import, sum_p min(supply_p, sum of p's usable route capacities))``, vectorized
    over all ``2**n`` coalitions.
    """
    routes = flow_routes(n, rng)
    supply = rng.integers(5, 20, 2).astype(float)
    import_cap = 25.0
    masks = np.arange(2**n, dtype=np.int64)
    per_producer = [np.zeros(2**n), np.zeros(2**n)]
    for producer, hops, capacity in routes:
        route = (1 << producer) | (1 << 2) | sum(1 << h for h in hops)
        per_producer[producer] += ((masks & route) == route) * capacity
    flow = np.minimum(per_producer[0], supply[0]) + np.minimum(per_producer[1], supply[1])
    game = TUGame(np.minimum(flow, import_cap))
    game_routes[n] = (routes, supply, import_cap)
    return game


game_routes: dict[int, Any] = {}


def check_flow_game(rng: np.random.Generator) -> None:
    """The closed form against scipy's max-flow solver on 200 random coalitions of n = 12."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    n = 12
    game = flow_game(n, np.random.default_rng(n))
    routes, supply, import_cap = game_routes[n]
    for mask in rng.integers(0, 2**n, 200):
        # nodes: 0 source, 1-2 producers, 3.. one node per route, last two buyer and sink
        buyer, sink = 3 + len(routes), 4 + len(routes)
        capacity = np.zeros((sink + 1, sink + 1), dtype=np.int64)
        for p in (0, 1):
            if mask >> p & 1:
                capacity[0, 1 + p] = int(supply[p])
        for k, (producer, hops, cap) in enumerate(routes):
            if all(mask >> h & 1 for h in (producer, 2, *hops)):
                capacity[1 + producer, 3 + k] = int(cap)
                capacity[3 + k, buyer] = int(cap)
        capacity[buyer, sink] = int(import_cap)
        flow = maximum_flow(csr_matrix(capacity), 0, sink).flow_value
        assert flow == game.values[mask], (mask, flow, game.values[mask])
    print("  network game: closed form = scipy maximum_flow on 200 random coalitions (n = 12)")


if __name__ == "__main__":
    main()
