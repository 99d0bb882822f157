"""Throughput of the strategic-games solvers against peers measured in the same process.

1. ``solve_2x2`` on 10**6 random 2x2 games against nashpy's support enumeration on 10**3
   games, per game (target: >= 10,000x), with the equilibrium sets compared on the games
   both solved.
2. All equilibria of random integer n x n games (n = 6, 8, 10, 12), exact mode, against
   Gambit's ``enummixed_solve`` (pygambit, rational arithmetic) on the same games, with the
   exact equilibrium sets compared (target: at least as fast).
3. Vectorized backward induction of an entry-deterrence tree on a parameter grid against
   calling it once per parameter point.

Each line prints the figure, the reference measured in the same run and the ratio.
Run: ``python benchmarks/bench_strategic.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from fractions import Fraction

import numpy as np

from pipeline_games.strategic import (
    DecisionNode,
    GameTree,
    NormalFormGame,
    TerminalNode,
    backward_induction,
    solve_2x2,
)

#: ``time.perf_counter`` (wall clock) or ``time.process_time`` (this process's CPU time,
#: which other jobs on a shared machine do not inflate); set by ``--clock``.
CLOCK = time.perf_counter


def _best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = CLOCK()
        function()
        times.append(CLOCK() - start)
    return min(times)


def _same(mine, theirs, atol=1e-7):
    if len(mine) != len(theirs):
        return False
    return all(
        any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in theirs)
        for x, y in mine
    )


def bench_2x2(n_batch: int, n_nashpy: int, repeat: int, seed: int = 0) -> None:
    import nashpy

    from pipeline_games.strategic import _batched

    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n_batch, 2, 2))
    B = rng.normal(size=(n_batch, 2, 2))
    solve_2x2(A, B)  # warm up (compiles the numba kernel where it is used)
    batch_time = _best(lambda: solve_2x2(A, B), repeat)
    result = solve_2x2(A, B)
    kernel = "numpy"
    if _batched.numba is not None and n_batch >= _batched.MIN_COMPILED_GAMES:
        kernel = "compiled (numba)"
        saved = _batched.MIN_COMPILED_GAMES
        _batched.MIN_COMPILED_GAMES = 1 << 62
        try:
            numpy_time = _best(lambda: solve_2x2(A, B), repeat)
        finally:
            _batched.MIN_COMPILED_GAMES = saved
    found = []

    def run_nashpy() -> None:
        found.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for n in range(n_nashpy):
                found.append(list(nashpy.Game(A[n], B[n]).support_enumeration()))

    nashpy_time = _best(run_nashpy, max(1, repeat // 2))
    identical = sum(_same(result.equilibria(n), found[n]) for n in range(n_nashpy))
    ours = n_batch / batch_time
    theirs = n_nashpy / nashpy_time
    clock = "CPU time" if CLOCK is time.process_time else "wall clock"
    print(f"solve_2x2 ({kernel} kernel), {n_batch:,} games, best of {repeat}, {clock}:")
    print(f"  {ours:,.0f} games/s")
    print(f"  reference: nashpy support enumeration, {n_nashpy:,} games: {theirs:,.0f} games/s")
    print(f"  ratio: {ours / theirs:,.0f}x (target >= 10,000x)")
    if kernel != "numpy":
        rate = n_batch / numpy_time
        print(f"  numpy kernel (the tests' oracle): {rate:,.0f} games/s = {rate / theirs:,.0f}x")
    print(f"  same equilibrium sets as nashpy on {identical:,} of the {n_nashpy:,} games")


def _gambit_set(game):
    import pygambit as gbt

    g = gbt.Game.from_arrays(game.A.astype(int).tolist(), game.B.astype(int).tolist())
    result = gbt.nash.enummixed_solve(g, rational=True)
    first, second = list(g.players)
    return {
        (
            tuple(Fraction(str(eq[s])) for s in first.strategies),
            tuple(Fraction(str(eq[s])) for s in second.strategies),
        )
        for eq in result.equilibria
    }


def bench_enumeration(sizes: list[int], games: int, seed: int = 1) -> None:
    try:
        import pygambit  # noqa: F401
    except ImportError:
        print("all equilibria of n x n games: pygambit not installed, skipped")
        return
    rng = np.random.default_rng(seed)
    print("all equilibria of random integer n x n games (payoffs 0..99), exact:")
    for n in sizes:
        ours_total = gambit_total = 0.0
        same = 0
        counts = []
        for _ in range(games):
            game = NormalFormGame(rng.integers(0, 100, (n, n)), rng.integers(0, 100, (n, n)))
            start = time.perf_counter()
            result = game.equilibria(exact=True)
            ours_total += time.perf_counter() - start
            start = time.perf_counter()
            theirs = _gambit_set(game)
            gambit_total += time.perf_counter() - start
            same += set(result.exact_strategies) == theirs
            counts.append(len(result))
        print(
            f"  {n}x{n}: ours {ours_total / games:.3f} s/game, reference Gambit enummixed "
            f"(rational) {gambit_total / games:.3f} s/game, ratio {gambit_total / ours_total:.1f}x "
            f"faster; same sets on {same}/{games} games; equilibria per game {counts}"
        )


def _entry_tree(fight_cost):
    return GameTree(
        DecisionNode(
            0,
            {
                "out": TerminalNode((0.0, 2.0)),
                "in": DecisionNode(
                    1,
                    {
                        "fight": TerminalNode((-1.0, 2.0 - fight_cost)),
                        "accommodate": TerminalNode((1.0, 1.0)),
                    },
                    name="incumbent",
                ),
            },
            name="entrant",
        ),
        players=("entrant", "incumbent"),
    )


def bench_backward_induction(n_grid: int, n_loop: int, seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 2, n_grid)
    vector_time = _best(lambda: backward_induction(_entry_tree(cost)), 3)
    result = backward_induction(_entry_tree(cost))
    start = time.perf_counter()
    same = 0
    for n in range(n_loop):
        single = backward_induction(_entry_tree(float(cost[n])))
        same += str(single.chosen("entrant")) == result.chosen("entrant")[n]
    loop_time = time.perf_counter() - start
    ours = n_grid / vector_time
    theirs = n_loop / loop_time
    print(f"backward induction, vectorized: {n_grid:,} points: {ours:,.0f} points/s")
    print(f"  reference: one call per point ({n_loop:,} points): {theirs:,.0f} points/s")
    print(f"  ratio: {ours / theirs:,.0f}x; same choice on {same:,}/{n_loop:,} points")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for development")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="time by the wall clock or by this process's CPU time (default: wall)",
    )
    parser.add_argument("--only-2x2", action="store_true", help="run the solve_2x2 figure only")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.only_2x2:
        bench_2x2(10**5 if args.quick else 10**6, 200 if args.quick else 10**3, repeat=5)
    elif args.quick:
        bench_2x2(10**5, 200, repeat=3)
        bench_enumeration([6, 8], games=2)
        bench_backward_induction(10**5, 100)
    else:
        bench_2x2(10**6, 10**3, repeat=5)
        bench_enumeration([6, 8, 10, 12], games=3)
        bench_backward_induction(10**6, 500)


if __name__ == "__main__":
    main()
