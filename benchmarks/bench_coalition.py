"""Benchmark the coalition solvers: exact Shapley at n = 20, nucleolus at n = 10.

Run ``python benchmarks/bench_coalition.py`` (full sizes) or ``--quick`` (small sizes).
Prints time, peak memory (tracemalloc, which sees numpy's allocations) and ratios against
baselines run in the same process:

* exact Shapley: a plain Python double loop over players and coalitions (the textbook
  formula), and a straightforward numpy version that gathers ``v(S ∪ i) - v(S)`` with
  fancy indexing (one temporary of the table's size per player);
* Monte Carlo Shapley on the same game, for the time per sampled permutation;
* nucleolus: the number of LPs and the time against a single least-core LP.
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
    central_asia_network,
    weighted_majority_game,
)


def measure(function: Callable[[], Any], repeat: int = 1) -> tuple[Any, float, float]:
    """Return (result, best seconds, peak MiB over the calls)."""
    best = math.inf
    peak = 0.0
    result = None
    for _ in range(repeat):
        tracemalloc.start()
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        peak = max(peak, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        best = min(best, elapsed)
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
    naive, naive_seconds, _ = measure(lambda: naive_shapley(small.values))
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

    print(f"\n== nucleolus, n = {n_nucleolus}")
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
            masks = np.arange(2**n_nucleolus)
            incidence = (masks[:, None] >> np.arange(n_nucleolus)) & 1
            tab = (incidence @ rng.uniform(0, 2, n_nucleolus)) ** 2
        g = TUGame(tab)
        result, nuc_seconds, nuc_peak = measure(lambda g=g: g.nucleolus(), repeat=3)
        _, core_seconds, _ = measure(lambda g=g: g.core(), repeat=3)
        print(
            f"  {label}: {nuc_seconds * 1e3:8.1f} ms, {result.n_programs} LPs, peak "
            f"{nuc_peak:5.1f} MiB; one least-core LP {core_seconds * 1e3:.1f} ms "
            f"(ratio x{nuc_seconds / core_seconds:.1f})"
        )

    print("\n== Central Asia network game (7 players, one LP per distinct usable-line set)")
    net = central_asia_network()
    game_ca, build_seconds, _ = measure(net.game, repeat=3)
    print(f"  build v(S) for all {2 ** len(net.players)} coalitions: {build_seconds * 1e3:.1f} ms")
    _, solve_seconds, _ = measure(lambda: (game_ca.shapley(), game_ca.nucleolus()), repeat=3)
    print(f"  Shapley + nucleolus: {solve_seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
