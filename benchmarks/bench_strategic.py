"""Throughput of the strategic-games solvers against naive baselines in the same process.

1. ``solve_2x2`` on 10**6 random 2x2 games against nashpy's support enumeration on 10**3
   games, per game (target: >= 300x), with the equilibrium sets compared on the games both
   solved.
2. Vectorized backward induction of the ESPO route-choice game on a parameter grid
   against calling it once per parameter point.

Run: ``python benchmarks/bench_strategic.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import nashpy
import numpy as np

from pipeline_games.strategic import espo_route_choice, solve_2x2


def _same(mine, theirs, atol=1e-7):
    if len(mine) != len(theirs):
        return False
    return all(
        any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in theirs)
        for x, y in mine
    )


def bench_2x2(n_batch: int, n_nashpy: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n_batch, 2, 2))
    B = rng.normal(size=(n_batch, 2, 2))
    solve_2x2(A[:1000], B[:1000])  # warm up
    start = time.perf_counter()
    result = solve_2x2(A, B)
    batch_time = time.perf_counter() - start
    per_game_batch = batch_time / n_batch

    start = time.perf_counter()
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in range(n_nashpy):
            found.append(list(nashpy.Game(A[n], B[n]).support_enumeration()))
    nashpy_time = time.perf_counter() - start
    per_game_nashpy = nashpy_time / n_nashpy

    identical = sum(_same(result.equilibria(n), found[n]) for n in range(n_nashpy))
    print(
        f"solve_2x2: {n_batch:,} games in {batch_time:.3f} s = {n_batch / batch_time:,.0f} games/s"
    )
    print(
        f"nashpy support enumeration: {n_nashpy:,} games in {nashpy_time:.3f} s = "
        f"{n_nashpy / nashpy_time:,.0f} games/s"
    )
    print(f"per-game speed-up: {per_game_nashpy / per_game_batch:,.0f}x (target >= 300x)")
    print(f"identical equilibrium sets on the {n_nashpy:,} games compared: {identical:,}")
    counts = np.bincount(result.count, minlength=5)
    print(
        f"equilibria per game (1..4) over the batch: {counts[1:].tolist()}; degenerate: {int(result.degenerate.sum())}"
    )


def bench_backward_induction(n_grid: int, n_loop: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    price = rng.uniform(40, 102, n_grid)
    rate = rng.uniform(0.05, 0.15, n_grid)
    start = time.perf_counter()
    game = espo_route_choice(oil_price=price, russia_discount_rate=rate)
    vector_time = time.perf_counter() - start
    start = time.perf_counter()
    same = 0
    for n in range(n_loop):
        single = espo_route_choice(oil_price=price[n], russia_discount_rate=rate[n])
        same += str(single.outcome) == game.outcome[n]
    loop_time = time.perf_counter() - start
    print(
        f"espo_route_choice vectorized: {n_grid:,} points in {vector_time:.3f} s = "
        f"{n_grid / vector_time:,.0f} points/s"
    )
    print(
        f"one call per point: {n_loop:,} points in {loop_time:.3f} s = {n_loop / loop_time:,.0f} points/s"
    )
    print(
        f"per-point speed-up: {(loop_time / n_loop) / (vector_time / n_grid):,.0f}x; "
        f"same outcome on {same:,}/{n_loop:,} points"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for development")
    args = parser.parse_args()
    if args.quick:
        bench_2x2(10**5, 200)
        bench_backward_induction(10**5, 100)
    else:
        bench_2x2(10**6, 10**3)
        bench_backward_induction(10**6, 500)


if __name__ == "__main__":
    main()
