"""Throughput of the sweep engine (``python benchmarks/bench_sweep.py [--quick]``).

Prints points/s and the ratios the sweep issue asks for:

1. in memory: a grid sweep of ``nash`` (linear frontier) and of ``rubinstein`` with outside
   options (swept discount factor; and, taken by the compiled kernels, scalar discounts)
   against calling the solver directly on the same (pre-built) flat arrays -- the issue's
   baseline -- and, stricter, on the grid's axes shaped to broadcast. Each is timed with
   the compiled kernels (numba, when installed: a sweep of at least ``MIN_POINTS`` points
   runs them in every chunk) and with the numpy kernels, and the engine overhead is the
   sweep against the direct call *with the same kernels*; ``--clock cpu`` times them by
   this process's CPU time, which other jobs on a shared machine do not inflate;
2. to disk: the same sweeps writing chunk files, against the sequential bandwidth of a
   large fsync'd write to the same file system, measured in the same run.

Every timing is the best of ``--repeat`` runs (default 5): the machine this was developed on
is shared, and the best run is the one least disturbed by other jobs.
3. peak memory (peak RSS of a child process) of a 10**8-point sweep to disk;
4. Dask with N worker processes (``--dask-workers 1,2,4``) on a CPU-bound solver (Nash on a
   power frontier, solved by Newton iteration per point), default chunk size, each a
   ``LocalCluster`` reached by its scheduler address as a remote cluster would be.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import best_cpu_time, best_time

import pipeline_games as pg
from pipeline_games.bargaining import _fused


def grid_arrays(over: dict) -> dict[str, np.ndarray]:
    """Flat input columns of the whole grid (what a user without the sweep engine builds)."""
    axes = [np.linspace(*spec) for spec in over.values()]
    mesh = np.meshgrid(*axes, indexing="ij")
    return {name: grid.ravel() for name, grid in zip(over, mesh, strict=True)}


def grid_blocks(over: dict) -> dict[str, np.ndarray]:
    """The grid's axes shaped to broadcast, ``(n0, 1)`` and ``(1, n1)``: no repeated inputs."""
    axes = [np.linspace(*spec) for spec in over.values()]
    return {
        name: axis.reshape([-1 if k == position else 1 for k in range(len(axes))])
        for position, (name, axis) in enumerate(zip(over, axes, strict=True))
    }


def disk_bandwidth(folder: Path, size: int, repeat: int) -> float:
    """Bytes/s of one large sequential write, fsync'd, to ``folder`` (best of ``repeat``)."""
    data = np.random.default_rng(0).integers(0, 255, size, dtype=np.uint8).tobytes()
    path = folder / "bandwidth.bin"

    def write() -> None:
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    return size / best_time_then(write, path.unlink, repeat)


def best_time_then(function, cleanup, repeat: int) -> float:
    """Best wall-clock time of ``function`` over ``repeat`` runs, running ``cleanup`` after
    each, untimed (deleting a sweep's output is not part of the sweep)."""
    return best_times_then(function, cleanup, repeat)[0]


def best_times_then(function, cleanup, repeat: int) -> tuple[float, float]:
    """Best wall-clock time and best CPU time (this process, all its threads) of
    ``function`` over ``repeat`` runs, each followed by ``cleanup``, untimed."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        cleanup()
    return min(walls), min(cpus)


def directory_bytes(folder: Path) -> int:
    """Bytes of the chunk files (Zarr ``<array>/c/...``; the old ``chunk-*.npys`` too)."""
    files = [*folder.glob("*/c/**/*"), *folder.glob("chunk-*.npys")]
    return sum(path.stat().st_size for path in files if path.is_file())


def with_kernels(compiled: bool, call):
    """Run ``call`` with the compiled kernels allowed from ``MIN_POINTS`` (as shipped) or
    switched off (``MIN_POINTS`` out of reach: direct calls and sweeps take numpy)."""
    saved = _fused.MIN_POINTS
    if not compiled:
        _fused.MIN_POINTS = 2**62
    try:
        return call()
    finally:
        _fused.MIN_POINTS = saved


def ran_compiled(call) -> bool:
    """Whether ``call`` ran a compiled kernel (the fused entry points report whether their
    kernel took the inputs)."""
    taken = []
    saved = _fused.nash_linear, _fused.rubinstein_linear

    def spy(function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            taken.append(result)
            return result

        return wrapper

    _fused.nash_linear, _fused.rubinstein_linear = (spy(function) for function in saved)
    try:
        call()
    finally:
        _fused.nash_linear, _fused.rubinstein_linear = saved
    return any(taken)


def compile_cost() -> None:
    """Seconds a fresh process spends compiling the kernels of its first compiled sweep (what
    each process-pool or Dask worker pays once): the first sweep's time minus the second's."""
    script = """
import time, pipeline_games as pg
surplus = (50.0, 150.0, 1024)
for solver, over in (
    ("nash", {"surplus": surplus, "weight": (0.0, 1.0, 1024)}),
    ("rubinstein", {"surplus": surplus, "outside_options.seller": (0.0, 60.0, 1024)}),
):
    times = []
    for _ in range(2):
        start = time.perf_counter()
        pg.sweep(solver, over=over, progress=False)
        times.append(time.perf_counter() - start)
    print(solver, times[0] - times[1], times[1])
"""
    child = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    print("\ncompilation, once per process (first 2**20-point sweep minus the second, wall):")
    for line in child.stdout.splitlines():
        solver, extra, second = line.split()
        print(f"  {solver:22s} {float(extra):12.2f} s  (the sweep itself: {float(second):.3f} s)")


def in_memory_and_disk(
    n: int, folder: Path, bandwidth: float, repeat: int, clock: str = "wall", disk: bool = True
) -> None:
    timer = best_time if clock == "wall" else best_cpu_time
    side = round(n**0.5)
    cases = {
        "nash (linear)": (
            "nash",
            {"surplus": (50.0, 150.0, side), "weight": (0.0, 1.0, side)},
            {"disagreement": (10.0, 30.0)},
            lambda a: pg.nash(
                pg.BargainingProblem.linear(a["surplus"], (10.0, 30.0)), weight=a["weight"]
            ),
        ),
        "rubinstein + outside options": (
            "rubinstein",
            {"discount.0": (0.5, 0.99, side), "outside_options.1": (0.0, 60.0, side)},
            {"surplus": 100.0, "discount": (0.9, 0.9), "outside_options": (0.0, 0.0)},
            lambda a: pg.rubinstein(
                pg.BargainingProblem.linear(100.0),
                discount=(a["discount.0"], 0.9),
                outside_options=(0.0, a["outside_options.1"]),
            ),
        ),
        "rubinstein + options, scalar discounts": (
            "rubinstein",
            {"surplus": (50.0, 150.0, side), "outside_options.1": (0.0, 60.0, side)},
            {"discount": (0.9, 0.8), "outside_options": (0.0, 0.0)},
            lambda a: pg.rubinstein(
                pg.BargainingProblem.linear(a["surplus"]),
                discount=(0.9, 0.8),
                outside_options=(0.0, a["outside_options.1"]),
            ),
        ),
    }
    print(f"\nin memory: best of {repeat}, {clock} clock")
    for label, (solver, over, fixed, direct) in cases.items():
        points = side * side
        arrays = grid_arrays(over)
        blocks = grid_blocks(over)

        def swept(solver=solver, over=over, fixed=fixed) -> None:
            pg.sweep(solver, over=over, progress=False, **fixed)

        def flat(direct=direct, arrays=arrays) -> None:
            direct(arrays)

        def broadcast(direct=direct, blocks=blocks) -> None:
            direct(blocks)

        print(f"\n{label}: {points:.3g} points")
        direct_times = {}
        for compiled in (True, False) if _fused.numba is not None else (False,):
            kernel = "compiled" if compiled else "numpy"
            used = [
                with_kernels(compiled, lambda call=call: ran_compiled(call))  # also compiles
                for call in (flat, swept)
            ]
            if compiled and not any(used):
                print("  (the compiled kernels do not take this layout: numpy as below)")
                continue
            direct_time, block_time, sweep_time = (
                with_kernels(compiled, lambda call=call: timer(call, repeat))
                for call in (flat, broadcast, swept)
            )
            direct_times[compiled] = direct_time
            ran = "/".join("compiled" if flag else "numpy" for flag in used)
            print(f"  {kernel} kernels (direct/sweep ran: {ran})")
            print(f"    direct, flat arrays    {points / direct_time:12.4g} pt/s")
            print(f"    direct, broadcast axes {points / block_time:12.4g} pt/s")
            print(f"    sweep, in memory       {points / sweep_time:12.4g} pt/s")
            print(
                f"    sweep-engine overhead  {sweep_time / direct_time - 1:+12.1%}  "
                "(same kernels; target <= +10%)"
            )
            print(f"    ... vs broadcast call  {sweep_time / block_time - 1:+12.1%}")
        if not disk:
            continue
        out = folder / solver.replace(" ", "_")
        written = 0

        def to_disk(solver=solver, over=over, fixed=fixed, out=out) -> None:
            pg.sweep(solver, over=over, progress=False, out=out, **fixed)

        def remove(out=out) -> None:
            nonlocal written
            written = directory_bytes(out)
            shutil.rmtree(out)

        disk_time, disk_cpu = best_times_then(to_disk, remove, repeat)
        shipped = _fused.numba is not None and ran_compiled(flat)
        direct_time = direct_times.get(shipped, direct_times[False])
        print(f"  to disk (kernels as shipped: {'compiled' if shipped else 'numpy'})")
        print(f"    sweep, to disk, wall   {points / disk_time:12.4g} pt/s")
        print(f"    sweep, to disk, CPU    {points / disk_cpu:12.4g} pt/s (all threads)")
        to_disk_time = disk_time if clock == "wall" else disk_cpu
        print(
            f"    to-disk overhead       {to_disk_time / direct_time - 1:+12.1%}  (vs the direct "
            f"call in memory, {clock} clock)"
        )
        print(
            f"  bytes written          {written / 1e6:12.1f} MB ({written / points:.1f} B/pt), "
            f"{written / disk_time / 1e6:.0f} MB/s"
        )
        print(
            f"  disk-write ratio       {written / disk_time / bandwidth:12.1%} of fsync'd "
            f"sequential write ({bandwidth / 1e6:.0f} MB/s)"
        )


# The child's peak RSS is read from /proc/self/status (VmHWM, this process's own address
# space) where there is one: ru_maxrss of a process started by fork/vfork + exec also counts
# the parent's peak RSS at the fork, which is the benchmark's own (about 1 GB here).
CHILD = """
import resource
import sys
import pipeline_games as pg
side = int(sys.argv[2])
pg.sweep("nash", over={"surplus": (50.0, 150.0, side), "weight": (0.0, 1.0, side)},
         out=sys.argv[1], progress=False, disagreement=(10.0, 30.0))
try:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak)  # kB
"""


def peak_memory(n: int, folder: Path) -> None:
    side = round(n**0.5)
    out = folder / "big"
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(side)],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    rss = int(child.stdout.split()[-1]) * 1024  # the child's own peak RSS (kB)
    written = directory_bytes(out)
    result = pg.load_sweep(out)
    shutil.rmtree(out)
    print(f"\n{side * side:.3g}-point nash sweep to disk in a child process")
    print(f"  time                   {elapsed:12.1f} s ({side * side / elapsed:.4g} pt/s)")
    print(f"  written                {written / 1e9:12.2f} GB in {result.n_chunks} chunks")
    print(f"  peak memory (VmHWM)    {rss / 2**30:12.3f} GiB  (target < 2 GiB)")


def dask_scaling(n: int, folder: Path, repeat: int, counts: tuple[int, ...] = (1, 2)) -> None:
    """Rates with a ``LocalCluster`` of each worker count, passed as a cluster address."""
    from distributed import Client

    from pipeline_games.sweeps._run import _local_cluster  # the cluster executor="dask" starts

    over = {"weight": (0.05, 0.95, 1000), "disagreement.seller": (0.0, 1.0, n // 1000)}
    fixed = {"frontier": "power", "surplus": 4.0, "exponent": 0.5}
    times = {}
    for workers in counts:
        with _local_cluster(workers) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("pipeline_games"))  # warm the workers

            def run(address=cluster.scheduler_address, workers=workers) -> None:
                pg.sweep(
                    "nash",
                    over=over,
                    executor="dask",
                    address=address,  # a "tcp://..." address, as for a remote cluster
                    progress=False,
                    out=folder / f"dask{workers}",
                    **fixed,
                )

            times[workers] = best_time_then(
                run, lambda workers=workers: shutil.rmtree(folder / f"dask{workers}"), repeat
            )

    def serial_run() -> None:
        pg.sweep("nash", over=over, progress=False, out=folder / "s", **fixed)

    serial = best_time_then(serial_run, lambda: shutil.rmtree(folder / "s"), repeat)
    points = 1000 * (n // 1000)
    print(
        f"\nnash on a power frontier (Newton per point), {points:.3g} points, to disk "
        "(cluster start-up and deleting the output not timed)"
    )
    print(f"  serial                 {points / serial:12.4g} pt/s")
    for workers in counts:
        print(
            f"  dask, {workers} worker(s)       {points / times[workers]:12.4g} pt/s"
            f"  ({times[counts[0]] / times[workers]:.2f}x of {counts[0]})"
        )
    if 1 in times and 2 in times:
        print(f"  speed-up 2 vs 1        {times[1] / times[2]:12.2f}x  (target >= 1.8x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--skip-big", action="store_true", help="skip the 10**8-point run")
    parser.add_argument("--big-only", action="store_true", help="only the 10**8-point run")
    parser.add_argument("--skip-dask", action="store_true", help="skip the Dask scaling run")
    parser.add_argument("--dask-only", action="store_true", help="only the Dask scaling run")
    parser.add_argument("--repeat", type=int, default=5, help="best of N timings (default 5)")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="clock of the in-memory timings: wall (default) or this process's CPU time",
    )
    parser.add_argument("--skip-disk", action="store_true", help="in-memory timings only")
    parser.add_argument(
        "--dask-workers", default="1,2", help="worker counts of the Dask table (default 1,2)"
    )
    parser.add_argument(
        "--dask-points",
        type=float,
        default=None,
        help="points of the Dask sweep (default 8e6; 1e6 with --quick)",
    )
    args = parser.parse_args()
    n_memory = 10**6 if args.quick else 10**7
    n_big = 10**7 if args.quick else 10**8
    n_dask = int(args.dask_points or (10**6 if args.quick else 8 * 10**6))
    repeat = args.repeat
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as name:
        folder = Path(name)
        if args.big_only:
            peak_memory(n_big, folder)
            return
        counts = tuple(int(count) for count in args.dask_workers.split(","))
        if args.dask_only:
            dask_scaling(n_dask, folder, repeat=min(repeat, 3), counts=counts)
            return
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        bandwidth = 0.0
        if not args.skip_disk:
            bandwidth = disk_bandwidth(folder, (64 if args.quick else 512) * 2**20, repeat=3)
            print(f"sequential fsync'd write: {bandwidth / 1e6:.0f} MB/s (best of 3)")
        in_memory_and_disk(n_memory, folder, bandwidth, repeat, args.clock, not args.skip_disk)
        if _fused.numba is not None:
            compile_cost()
        if not args.skip_dask:
            dask_scaling(n_dask, folder, repeat=min(repeat, 3), counts=counts)
        if not args.skip_big:
            peak_memory(n_big, folder)


if __name__ == "__main__":
    main()
