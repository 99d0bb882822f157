"""Chunked sweep execution: serial, a process pool or Dask, into memory or a Zarr store."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_int
from ..bargaining import _fused
from ..errors import InvalidParameterError, MissingExtraError, SolverError
from ._grid import Chunking, Grid, Sample, axis_from_description, make_space
from ._result import SweepResult, output_order
from ._store import (
    FORMAT,
    META,
    ChunkChecksumWarning,
    StoreLayout,
    SweepStoreError,
    identity_of,
    read_metadata,
    read_spec,
    remove_receipts,
    remove_temporaries,
    sweep_lock,
    verified_chunks,
    write_chunk,
    write_metadata,
    write_spec,
)
from ._target import default_box, resolve_target, warn_overridden

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "EXECUTORS",
    "SweepRepairWarning",
    "check_fits_in_memory",
    "load_sweep",
    "repair_sweep",
    "sweep",
]

#: Points per chunk at most, by default: 2**18, a few MB per chunk, big enough to amortize
#: overhead. Grid chunks are whole rows of the trailing axes (see
#: `Chunking`), so they may hold fewer.
DEFAULT_CHUNK_SIZE = 1 << 18
EXECUTORS = ("serial", "processes", "dask")
#: Threads writing chunk files (checksum, write, fsync) while the serial executor computes
#: the next chunk; at most one more chunk than this is held in memory at once.
WRITER_THREADS = 2
#: Shortest string column width (characters) a store reserves for a string output.
MIN_STRING_WIDTH = 32


@dataclass(frozen=True)
class Plan:
    """What every worker needs to compute and store a chunk (pickled to workers)."""

    target: Any
    space: Grid | Sample
    chunking: Chunking
    layout: Mapping[str, tuple[str, ...]]  # stored array -> its columns
    store: StoreLayout | None = None
    directory: str | None = None
    identity: str = ""
    #: ``"compiled"`` or ``"numpy"``: the bargaining kernels every chunk runs (`_fused.forced`)
    kernels: str = "numpy"


def _evaluate(
    target: Any,
    space: Grid | Sample,
    start: int,
    stop: int,
    columns: Any,
    out: Mapping[str, NDArray[Any]] | None = None,
) -> Any:
    """Outputs of points ``start .. stop - 1`` as stored arrays.

    A target with ``evaluate_stored`` (a `SolverTarget`)
    gets a grid chunk as broadcastable blocks (chunks cover whole grid rows) and returns flat
    arrays, possibly with several columns (``payoffs``, ``(n, 2)``); any other target gets
    1-D input columns and returns 1-D output columns. ``out``: arrays for the stored outputs
    that the target fills (only for targets that `accepts_out`).
    """
    evaluate_stored = getattr(target, "evaluate_stored", None)
    if evaluate_stored is None:
        if columns is None:
            columns = space.chunk(start, stop, 0)
        return {name: np.asarray(value) for name, value in target.evaluate(**columns).items()}
    if columns is None:
        assert isinstance(space, Grid)  # samples always pass their columns
        columns = space.block(start, stop) or space.chunk(start, stop)
    if out is not None:
        return evaluate_stored(out=out, **columns)
    return evaluate_stored(**columns)


def _chunk_arrays(
    plan: Plan, index: int, buffers: Mapping[str, NDArray[Any]] | None = None
) -> tuple[int, int, dict[str, NDArray[Any]]]:
    """Evaluate chunk ``index``: its bounds and the arrays to store (inputs of samples first).

    Every chunk runs the sweep's kernels (``plan.kernels``), whatever its size. ``buffers``:
    arrays of the whole sweep's outputs, whose rows of this chunk the target fills
    (``out=``) instead of returning new arrays to copy.
    """
    start, stop = plan.chunking.bounds(index)
    space = plan.space
    inputs = space.chunk(start, stop, index) if space.stores_inputs else None
    out = None if buffers is None else {name: buffers[name][start:stop] for name in plan.layout}
    with _fused.forced(plan.kernels == "compiled"):
        stored = _evaluate(plan.target, space, start, stop, inputs, out)
    for name, columns in plan.layout.items():
        if name not in stored:
            raise SolverError(f"target output {name!r} is missing from chunk {index}")
        expected = (stop - start,) if len(columns) == 1 else (stop - start, len(columns))
        if np.shape(stored[name]) != expected:
            raise SolverError(
                f"target output {name!r} must have shape {expected} for this chunk; "
                f"got shape {np.shape(stored[name])}"
            )
    if inputs is not None:
        stored = {**inputs, **stored}
    return start, stop, stored


def split_columns(
    stored: Mapping[str, NDArray[Any]], layout: Mapping[str, tuple[str, ...]]
) -> dict[str, NDArray[Any]]:
    """Columns of stored arrays: an ``(n, k)`` array gives ``k`` column views."""
    columns: dict[str, NDArray[Any]] = {}
    for name, array in stored.items():
        names = layout.get(name, (name,))
        if np.ndim(array) == 1:
            columns[names[0]] = array
        else:
            columns.update((column, array[:, k]) for k, column in enumerate(names))
    return columns


def _store_chunk(
    plan: Plan, index: int, start: int, stop: int, stored: Mapping[str, NDArray[Any]]
) -> tuple[int, Any]:
    assert plan.store is not None
    assert plan.directory is not None
    receipt = write_chunk(
        Path(plan.directory),
        plan.store,
        plan.identity,
        index,
        plan.chunking.coords(index),
        start,
        stop,
        split_columns(stored, plan.layout),
    )
    return index, receipt


def _compute_chunk(
    plan: Plan, index: int, buffers: Mapping[str, NDArray[Any]] | None = None
) -> tuple[int, Any]:
    """Compute chunk ``index``; write it to the store (``plan.directory``) or return it."""
    start, stop, stored = _chunk_arrays(plan, index, buffers)
    if plan.directory is None:
        return index, stored
    return _store_chunk(plan, index, start, stop, stored)


def _serial(
    tasks: Iterable[int], plan: Plan, buffers: Mapping[str, NDArray[Any]] | None = None
) -> Iterator[tuple[int, Any]]:
    if plan.directory is None:
        for index in tasks:
            yield _compute_chunk(plan, index, buffers)
        return
    # Overlap computing the next chunk with writing (checksum, fsync) the previous ones:
    # checksums and file I/O release the GIL.
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as writers:
        running: set[Future[tuple[int, Any]]] = set()
        for index in tasks:
            chunk = _chunk_arrays(plan, index)
            running.add(writers.submit(partial(_store_chunk, plan, index, *chunk)))
            while len(running) > WRITER_THREADS:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


#: Seconds between a worker's checks that its driver is still alive.
PARENT_CHECK_INTERVAL = 0.2


def _die_with_parent(parent: int) -> None:
    """Worker initializer: exit as soon as the driver process ``parent`` is gone.

    A worker whose driver was killed is reparented (to init or a subreaper), so its parent
    pid changes; a daemon thread checks it every `PARENT_CHECK_INTERVAL` seconds and
    ends the worker at once, even in the middle of a chunk. (Linux's ``PR_SET_PDEATHSIG`` is
    not used: it fires when the *thread* that started the worker ends, not the process.)
    """
    if os.getppid() != parent:  # the driver died before this worker started
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_INTERVAL)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="pipeline-games-parent-watch", daemon=True).start()


def _processes(tasks: list[int], plan: Plan, workers: int) -> Iterator[tuple[int, Any]]:
    context = multiprocessing.get_context("spawn")
    pending = iter(tasks)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        running: set[Future[tuple[int, Any]]] = set()
        for index in itertools.islice(pending, 2 * workers):
            running.add(pool.submit(_compute_chunk, plan, index))
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                following = next(pending, None)
                if following is not None:
                    running.add(pool.submit(_compute_chunk, plan, following))


def _local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded worker processes.

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also switches off
    glibc's adaptive ``mmap`` threshold: every temporary array of 128 KiB or more (the
    solvers' cache-sized blocks) is then ``mmap``-ed and unmapped again, and each use pays
    fresh page faults. Measured here, that made a worker run the same chunk about 3x slower
    than the driver. The sweep's workers keep glibc's defaults instead (their memory is
    bounded by the chunk size anyway); the other pre-spawn settings are kept.
    """
    import dask
    from distributed import LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )


def _dask(tasks: list[int], plan: Plan, workers: int, address: Any) -> Iterator[tuple[int, Any]]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise MissingExtraError("distributed", "dask", 'executor="dask"') from exc
    cluster = None
    if address is None:
        cluster = _local_cluster(workers)
        client = Client(cluster)
    elif isinstance(address, str):
        client = Client(address)
    else:  # an existing distributed.Client
        client = address
    token = uuid.uuid4().hex[:12]
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        shared = client.scatter(plan, broadcast=True, hash=False)  # sent once, not per task
        pending = iter(tasks)

        def submit(index: int) -> Any:
            return client.submit(
                _compute_chunk, shared, index, key=f"pg-sweep-{token}-{index}", pure=False
            )

        first = [submit(index) for index in itertools.islice(pending, 3 * n_workers)]
        completed = as_completed(first)
        for future in completed:
            following = next(pending, None)
            if following is not None:  # keep the workers' queues full before waiting
                completed.add(submit(following))
            result = future.result()
            future.release()
            yield result
    finally:
        if address is None or isinstance(address, str):
            client.close()
        if cluster is not None:
            cluster.close()


def _progress_bar(total: int, initial: int, progress: bool | str) -> Any:
    from tqdm.auto import tqdm

    if progress not in (True, False, "always"):
        raise InvalidParameterError(f"progress must be True, False or 'always'; got {progress!r}")
    disable = True if progress is False else (False if progress == "always" else None)
    return tqdm(
        total=total,
        initial=initial,
        unit="pt",
        unit_scale=True,
        disable=disable,
        desc="sweep",
        smoothing=0.1,
    )


def _describe_target(target: Any) -> dict[str, Any]:
    describe = getattr(target, "describe", None)
    if callable(describe):
        return dict(describe())
    kind = type(target)
    return {
        "kind": "object",
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "name": str(getattr(target, "name", "")),
        "base": {key: float(value) for key, value in dict(target.base).items()},
    }


def _canonical_names(target: Any) -> Any:
    canonical = getattr(target, "canonical", None)
    if callable(canonical):
        return canonical
    allowed = tuple(target.parameter_names)

    def check(name: str) -> str:
        if name not in allowed:
            raise InvalidParameterError(
                f"parameter name must be one of {', '.join(allowed)}; got {name!r}"
            )
        return name

    return check


def _check_not_fixed_and_swept(
    names: tuple[str, ...], fixed: Mapping[str, Any], canonical: Any
) -> None:
    """Refuse a parameter given both a fixed value and a range (one of them would be dropped).

    A fixed pair may still supply the other half of a pair one half of which is swept
    (``disagreement=(5, 0)`` with ``over={"disagreement.seller": ...}``): that is by design.
    """
    for key, value in fixed.items():
        try:
            name = canonical(key)
        except InvalidParameterError:
            continue  # a pair or a setting: not a single parameter
        if name in names:
            raise InvalidParameterError(
                f"{name} is both fixed ({key}={value!r}) and swept (in over); "
                "give it in one place only"
            )


def _probe(target: Any, space: Grid | Sample) -> dict[str, NDArray[Any]]:
    """Evaluate the target on a few points that use every swept value, before anything runs.

    A grid probe cycles each axis through all its values (as many points as the longest
    axis); a sample probe takes the two corners of the box. Bad values then fail here with
    the solver's own message, before a folder is written; the outputs tell the columns and
    their dtypes.
    """
    if isinstance(space, Grid):
        count = max(len(axis) for axis in space.axes)
        probe = {
            name: np.resize(axis, count) for name, axis in zip(space.names, space.axes, strict=True)
        }
    else:
        count = 2
        probe = {
            name: np.array([low, high])
            for name, low, high in zip(space.names, space.lows, space.highs, strict=True)
        }
    evaluate_stored = getattr(target, "evaluate_stored", None)
    outputs = evaluate_stored(**probe) if evaluate_stored else target.evaluate(**probe)
    arrays = {name: np.asarray(value) for name, value in outputs.items()}
    if not arrays:
        raise SolverError("the target returned no output columns")
    for name, array in arrays.items():
        if array.shape[:1] != (count,) or array.ndim > 2:
            raise SolverError(
                f"target output {name!r} must have one row per point ({count} here); "
                f"got shape {array.shape}"
            )
        if array.dtype.kind not in "biufU":
            raise SolverError(
                f"target output {name!r} has dtype {array.dtype}; a sweep stores numbers, "
                "booleans and strings"
            )
    return arrays


def _available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    try:  # pragma: no cover - not Linux
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 1 << 62


def _size_text(size: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"


def check_fits_in_memory(n_points: int, bytes_per_point: int, what: str) -> None:
    """Refuse, before starting, work whose results cannot fit in the memory available.

    Raises
    ------
    InvalidParameterError
        Naming the size needed and the size available.

    Examples
    --------
    >>> check_fits_in_memory(10, 17, "a sweep")
    >>> check_fits_in_memory(10**10, 17, "an in-memory sweep")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: an in-memory sweep of 10000000000 points needs ...
    """
    n_points = as_int(n_points, "n_points", low=0)
    bytes_per_point = as_int(bytes_per_point, "bytes_per_point", low=0)
    if not isinstance(what, str):
        raise InvalidParameterError(f"what must be a description (a string); got {what!r}")
    needed = n_points * bytes_per_point
    available = _available_memory()
    if needed > available:
        raise InvalidParameterError(
            f"{what} of {n_points} points needs {_size_text(needed)} of memory "
            f"({bytes_per_point} B per point) but {_size_text(available)} is available; "
            "stream it to disk with out=DIR (CLI --out) or ask for fewer points"
        )


def _check_fits_on_disk(directory: Path, n_points: int, bytes_per_point: int) -> None:
    needed = n_points * bytes_per_point
    probe = directory
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:  # pragma: no cover
        return
    if needed > free:
        raise InvalidParameterError(
            f"a sweep of {n_points} points needs about {_size_text(needed)} on disk "
            f"({bytes_per_point} B per point) but {probe} has {_size_text(free)} free"
        )


def sweep(
    target: Any,
    over: Mapping[str, Any] | None = None,
    *,
    samples: int | None = None,
    method: str | None = None,
    seed: int = 0,
    chunk_size: int | None = None,
    out: str | os.PathLike[str] | None = None,
    executor: str = "serial",
    resume: bool = False,
    progress: bool | str = True,
    workers: int | None = None,
    address: Any = None,
    **fixed: Any,
) -> SweepResult:
    """Evaluate a solver or a case over a grid or a sample of parameter points, in chunks.

    Parameters
    ----------
    target
        A bargaining solver (``pg.nash`` or ``"nash"``), a
        `sweep_target`, a case (or case name), or any object
        with ``parameter_names``, ``bounds``, ``base`` and ``evaluate``.
    over
        ``{name: (low, high, n)}`` (a tuple: a range) or ``{name: values}`` (a list or 1-D
        array: those values) for a grid; ``{name: (low, high)}`` for samples (default: the
        target's bounds, those of its parameters that can vary). Names as in
        `pipeline_games.sweeps._target` (``disagreement.buyer``,
        ``outside_options.seller``, ...) or as in the case file.
    samples, method, seed
        Number of points, ``"grid"`` (the default without ``samples``) or one of ``"lhs"``,
        ``"sobol"`` (the default with ``samples``), ``"halton"``, ``"random"`` (see `pipeline_games.sweeps._grid`), and the seed (a
        whole number >= 0) from which every chunk's draws are derived.
    chunk_size
        Points per chunk at most: memory use is a few times ``chunk_size`` points per
        worker, whatever the sweep's size. Grid chunks are whole rows of the trailing axes
        (see `Chunking`), so that solver targets receive
        broadcastable blocks. Default: `DEFAULT_CHUNK_SIZE`.
    out
        Directory of a Zarr v3 store to write the results into, chunk by chunk (atomically,
        with a checksum per chunk); ``xarray.open_zarr(out)`` opens it. ``None`` keeps the
        results in memory (refused, before starting, if they cannot fit).
    executor, workers, address
        ``"serial"``, ``"processes"`` (a process pool of ``workers``, default the CPU count;
        the workers exit when the driver dies) or ``"dask"`` (a ``distributed.LocalCluster``
        of ``workers`` single-threaded worker processes, or the scheduler at ``address``; an
        existing ``distributed.Client`` is accepted too). Results are identical whatever the
        executor.
    resume
        Continue the sweep in ``out``: only chunks without a valid receipt (missing,
        corrupt, foreign) are computed. Lost or truncated store metadata is rebuilt. The
        sweep keeps the bargaining kernels it was started with: a sweep of at least
        ``2**20`` points runs the compiled (numba) kernels in every chunk where numba is
        installed, a smaller one numpy's; a store records ``"kernels": "compiled"`` in its
        settings, and resuming it without numba is refused.
    progress
        ``True``: a progress bar (points/s, ETA) when stderr is a terminal; ``"always"``:
        even when it is not; ``False``: none.
    **fixed
        Fixed values: a solver's arguments (see `sweep_target`)
        or a case's parameters (``china_value=500.0``).

    Returns
    -------
    SweepResult
        In memory, or backed by ``out`` (read lazily). ``computed`` lists the chunks this
        call computed.

    Raises
    ------
    SweepLockedError
        If another sweep is writing into ``out``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.sweep(pg.nash, over={"surplus": (0.0, 100.0, 3), "weight": (0.0, 1.0, 2)},
    ...                   disagreement=(0.0, 0.0), progress=False)
    >>> result["surplus"], result["payoff_buyer"]
    (array([  0.,   0.,  50.,  50., 100., 100.]), array([  0.,   0.,   0.,  50.,   0., 100.]))
    """
    if not isinstance(resume, bool):
        raise InvalidParameterError(f"resume must be True or False; got {resume!r}")
    if resume and out is None:
        raise InvalidParameterError("resume=True needs out=DIR: the folder of the sweep to resume")
    if executor not in EXECUTORS:
        raise InvalidParameterError(
            f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}"
        )
    if progress not in (True, False, "always"):
        raise InvalidParameterError(f"progress must be True, False or 'always'; got {progress!r}")
    if method is None:
        method = "grid" if samples is None else "sobol"
    resolved = resolve_target(target, **fixed)
    canonical = _canonical_names(resolved)
    space = make_space(
        over,
        samples=samples,
        method=method,
        seed=as_int(seed, "seed", low=0),
        bounds=default_box(resolved),
        canonical=canonical,
    )
    _check_not_fixed_and_swept(space.names, fixed, canonical)
    if over:
        warn_overridden(resolved, space.names)
    limit = DEFAULT_CHUNK_SIZE if chunk_size is None else as_int(chunk_size, "chunk_size", low=1)
    n_workers = as_int(workers, "workers", low=1) if workers is not None else os.cpu_count() or 1
    probe = _probe(resolved, space)
    chunking = Chunking.from_limit(space.shape, limit)
    layout = _stored_layout(resolved, probe)
    bytes_per_point = sum(
        array.dtype.itemsize * max(1, array.size // len(array)) for array in probe.values()
    )
    if space.stores_inputs:
        bytes_per_point += 8 * len(space.names)
    description_of_target = _describe_target(resolved)
    settings = {
        "target": description_of_target,
        "space": space.describe(),
        "chunk_shape": list(chunking.chunk_shape),
        "n_points": space.n_points,
    }
    kernels = _fused.sweep_kernels(space.n_points)
    shares: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple(
        tuple(pair) for pair in getattr(resolved, "shares", ())
    )
    columns = [column for columns in layout.values() for column in columns]
    directory = None if out is None else Path(out)
    if directory is None:
        check_fits_in_memory(space.n_points, bytes_per_point, "an in-memory sweep")
        plan = Plan(resolved, space, chunking, layout, kernels=kernels)
        buffers = None
        if executor == "serial" and getattr(resolved, "accepts_out", False):
            buffers = {
                name: np.empty((space.n_points, *probe[name].shape[1:]), dtype=probe[name].dtype)
                for name in layout
            }
        done: list[int] = []
        return _run(
            plan,
            done,
            executor,
            n_workers,
            address,
            progress,
            description_of_target,
            columns,
            shares,
            buffers,
        )
    store = _store_layout(space, chunking, layout, probe)
    with sweep_lock(directory):
        if resume:
            kernels = _resumed_kernels(directory, settings, kernels)
        spec = _spec(settings, kernels)
        identity = identity_of(spec)
        manifest = {
            "format": FORMAT,
            "identity": identity,
            "spec": spec,
            "layout": store.describe(),
            "columns": columns,
            "shares": [list(pair) for pair in shares],
            "complete": False,
        }
        done = _prepare_directory(directory, manifest, store, chunking, resume, bytes_per_point)
        plan = Plan(
            resolved, space, chunking, layout, store, str(directory), identity, kernels=kernels
        )
        result = _run(
            plan,
            done,
            executor,
            n_workers,
            address,
            progress,
            description_of_target,
            columns,
            shares,
        )
        if result.complete:
            write_metadata(directory, store, {**manifest, "complete": True})
    return result


def _spec(settings: Mapping[str, Any], kernels: str) -> dict[str, Any]:
    """The sweep's settings as stored (JSON-ready), whose hash is its identity.

    A sweep that runs the compiled kernels records ``"kernels": "compiled"``: its identity
    then differs from the same sweep's with the numpy kernels (whose settings, and identity,
    are those of earlier versions), so that chunks of the two are never mixed.
    """
    spec = dict(settings)
    if kernels == "compiled":
        spec["kernels"] = "compiled"
    return json.loads(json.dumps(spec))


def _resumed_kernels(directory: Path, settings: Mapping[str, Any], kernels: str) -> str:
    """The kernels of the sweep being resumed in ``directory``: those it was started with.

    A sweep started with the numpy kernels (numba missing or ``PIPELINE_GAMES_NUMBA=0``,
    or an earlier version) finishes with them; one started with the compiled kernels needs
    them again, and without numba it is refused by name rather than finished with kernels
    that may differ in the last bit. ``kernels`` (this run's own choice) is returned when the
    store holds no readable settings or other settings (the resume is refused later).
    """
    if not directory.is_dir():
        return kernels
    try:
        found: Mapping[str, Any] | None = read_metadata(directory)
    except SweepStoreError:
        found = read_spec(directory)
    if not isinstance(found, Mapping):
        return kernels
    for choice in ("numpy", "compiled"):
        if found.get("identity") == identity_of(_spec(settings, choice)):
            if choice == "compiled" and _fused.numba is None:
                raise InvalidParameterError(
                    f"the sweep in {str(directory)!r} was started with the compiled kernels "
                    "(numba), which are not available here (numba missing or "
                    "PIPELINE_GAMES_NUMBA=0); resume it where numba is installed (the fast "
                    "extra), or start it again in another directory"
                )
            return choice
    return kernels


def _stored_layout(target: Any, probe: Mapping[str, NDArray[Any]]) -> dict[str, tuple[str, ...]]:
    """Stored array -> the columns it holds (``(n, k)`` arrays hold ``k`` columns)."""
    declared = dict(getattr(target, "stored_layout", {}) or {})
    layout: dict[str, tuple[str, ...]] = {}
    for name, array in probe.items():
        if array.ndim == 2:
            columns = tuple(declared.get(name, ()))
            if len(columns) != array.shape[1]:
                columns = tuple(f"{name}_{k}" for k in range(array.shape[1]))
            layout[name] = columns
        else:
            layout[name] = tuple(declared.get(name, (name,)))[:1] or (name,)
    return layout


def _store_layout(
    space: Grid | Sample,
    chunking: Chunking,
    layout: Mapping[str, tuple[str, ...]],
    probe: Mapping[str, NDArray[Any]],
) -> StoreLayout:
    variables: dict[str, str] = {}
    if isinstance(space, Sample):
        variables.update((name, "<f8") for name in space.names)
    for name, columns in layout.items():
        dtype = probe[name].dtype
        if dtype.kind == "U":
            dtype = np.dtype(f"<U{max(MIN_STRING_WIDTH, dtype.itemsize // 4)}")
        variables.update((column, dtype.newbyteorder("<").str) for column in columns)
    attributes: dict[str, dict[str, Any]] = {}
    if "binding" in variables:
        attributes["binding"] = {
            "flag_masks": [1, 2],
            "flag_meanings": "buyer_option_binds seller_option_binds",
            "description": "bit 1: player 0's outside option binds; bit 2: player 1's",
        }
    dims = list(space.names) if isinstance(space, Grid) else ["point"]
    coords = (
        {name: axis.tolist() for name, axis in zip(space.names, space.axes, strict=True)}
        if isinstance(space, Grid)
        else {}
    )
    return StoreLayout(
        dims, list(space.shape), list(chunking.chunk_shape), variables, coords, attributes
    )


def _run(
    plan: Plan,
    done: list[int],
    executor: str,
    n_workers: int,
    address: Any,
    progress: bool | str,
    description_of_target: Mapping[str, Any],
    columns: list[str],
    shares: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...],
    buffers: dict[str, NDArray[Any]] | None = None,
) -> SweepResult:
    """Compute the chunks not in ``done``; in memory, ``buffers`` (serial executor only) are
    the result's output arrays, filled in place by the target (no copy)."""
    space, chunking = plan.space, plan.chunking
    finished = set(done)
    todo = [index for index in range(chunking.n_chunks) if index not in finished]
    if executor == "serial":
        results = _serial(todo, plan, buffers)
    elif executor == "processes":
        results = _processes(todo, plan, n_workers)
    else:
        results = _dask(todo, plan, n_workers, address)
    data: dict[str, NDArray[Any]] | None = None if buffers is None else dict(buffers)
    computed: list[int] = []
    done_points = sum(stop - start for start, stop in map(chunking.bounds, finished))
    with _progress_bar(space.n_points, done_points, progress) as bar:
        for index, payload in results:
            start, stop = chunking.bounds(index)
            if plan.directory is None:
                if data is None:
                    data = {}
                for name, array in payload.items():
                    if name not in data:
                        data[name] = np.empty(
                            (space.n_points, *np.shape(array)[1:]), dtype=np.asarray(array).dtype
                        )
                    rows = data[name][start:stop]
                    if not _same_memory(array, rows):  # not already written in place
                        rows[...] = array
            finished.add(index)
            computed.append(index)
            bar.update(stop - start)
    return SweepResult(
        space=space,
        input_names=space.names,
        output_names=output_order(columns, shares),
        chunking=chunking,
        chunks=tuple(sorted(finished)),
        target=description_of_target,
        directory=None if plan.directory is None else Path(plan.directory),
        data=data,
        layout=dict(plan.layout),
        store=plan.store,
        identity=plan.identity,
        shares=shares,
        computed=tuple(sorted(computed)),
    )


def _same_memory(array: Any, rows: NDArray[Any]) -> bool:
    """Whether ``array`` is ``rows`` itself (same start, shape, strides and dtype)."""
    return (
        isinstance(array, np.ndarray)
        and array.shape == rows.shape
        and array.strides == rows.strides
        and array.dtype == rows.dtype
        and array.__array_interface__["data"][0] == rows.__array_interface__["data"][0]
    )


def _only_bookkeeping(directory: Path) -> bool:
    """Whether ``directory`` holds nothing but an (empty) bookkeeping folder and its lock."""
    for entry in directory.iterdir():
        if entry.name != META:
            return False
    return all(entry.name in ("lock",) for entry in (directory / META).iterdir())


def _prepare_directory(
    directory: Path,
    manifest: Mapping[str, Any],
    store: StoreLayout,
    chunking: Chunking,
    resume: bool,
    bytes_per_point: int,
) -> list[int]:
    """Create or reopen a sweep store (holding its lock); return the verified chunks.

    A store whose root metadata is lost or truncated is rebuilt from the copy of the
    settings in ``_pipeline_games/spec.json`` when they match this sweep's; receipts that
    do not verify against the sweep's identity are dropped.
    """
    identity = manifest["identity"]
    if _only_bookkeeping(directory):
        _check_fits_on_disk(directory, int(manifest["spec"]["n_points"]), bytes_per_point)
        write_spec(directory, manifest)
        write_metadata(directory, store, manifest)
        return []
    try:
        found: Mapping[str, Any] | None = read_metadata(directory)
        lost = False
    except SweepStoreError:
        found, lost = read_spec(directory), True
        if found is None and not (directory / META / "chunks").is_dir():
            raise InvalidParameterError(
                f"out={str(directory)!r} is not empty and holds no sweep; choose an empty or "
                "new directory"
            ) from None
    if not resume:
        raise InvalidParameterError(
            f"out={str(directory)!r} already holds a sweep; pass resume=True (CLI --resume) "
            "to finish it, or choose another directory"
        )
    if found is not None and found.get("identity") != identity:
        raise InvalidParameterError(
            f"cannot resume the sweep in {str(directory)!r}: it was started with different "
            "settings (target, fixed values, ranges, method, seed or chunk_size); use another "
            "directory"
        )
    remove_temporaries(directory)
    done = verified_chunks(directory, store, identity, chunking, warn=True)
    remove_receipts(directory, set(done))
    if lost:
        warnings.warn(
            f"the metadata of the sweep in {directory} was missing or unreadable; rebuilt it "
            f"from this sweep's settings, keeping {len(done)} verified chunk(s)",
            SweepRepairWarning,
            stacklevel=3,
        )
    write_spec(directory, manifest)
    write_metadata(directory, store, manifest)
    return done


class SweepRepairWarning(UserWarning):
    """A sweep store's metadata was rebuilt from its settings and verified chunk receipts.

    Examples
    --------
    >>> import warnings
    >>> issubclass(SweepRepairWarning, UserWarning)
    True
    """


def _space_from(description: Mapping[str, Any]) -> Grid | Sample:
    names = tuple(description["names"])
    if description["method"] == "grid":
        return Grid(names, tuple(axis_from_description(axis) for axis in description["axes"]))
    return Sample(
        names,
        np.array(description["lows"], dtype=np.float64),
        np.array(description["highs"], dtype=np.float64),
        int(description["n_points"]),
        description["method"],
        int(description["seed"]),
    )


def _open(
    directory: Path, manifest: Mapping[str, Any]
) -> tuple[Grid | Sample, Chunking, StoreLayout]:
    try:
        spec = manifest["spec"]
        space = _space_from(spec["space"])
        chunking = Chunking(space.shape, tuple(int(n) for n in spec["chunk_shape"]))
        described = manifest["layout"]
        store = StoreLayout(
            described["dims"],
            described["shape"],
            described["chunk_shape"],
            described["variables"],
            {name: axis.tolist() for name, axis in zip(space.names, space.axes, strict=True)}
            if isinstance(space, Grid)
            else {},
            described.get("attributes", {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SweepStoreError(
            f"the sweep metadata in {directory} is incomplete ({type(exc).__name__}: {exc})"
        ) from exc
    return space, chunking, store


def _stored_manifest(path: Path) -> tuple[dict[str, Any], bool]:
    """The store's manifest and whether it came from the spare copy (root metadata lost)."""
    try:
        return read_metadata(path), False
    except SweepStoreError:
        spare = read_spec(path)
        if spare is None:
            raise
        return spare, True


def _store_path(directory: Any) -> Path:
    """The folder of a sweep store, or a named error for what cannot be one."""
    if not isinstance(directory, str | os.PathLike) or "\0" in str(directory):
        raise InvalidParameterError(f"directory must be a folder path; got {directory!r}")
    return Path(directory)


def load_sweep(directory: str | os.PathLike[str]) -> SweepResult:
    """Open a finished or partial sweep store.

    Chunks without a valid receipt (missing, corrupt or foreign files) are left out, with a
    `ChunkChecksumWarning`; ``result.missing_chunks`` lists
    what a ``resume`` would compute. If the root metadata is lost, the copy of the settings
    kept beside the receipts is used (with a warning).

    Examples
    --------
    >>> import tempfile
    >>> import pipeline_games as pg
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = pg.sweep("nash", over={"weight": (0, 1, 5)}, out=folder, chunk_size=2,
    ...                  progress=False)
    ...     loaded = pg.load_sweep(folder)
    ...     loaded.complete, loaded.n_chunks, loaded["payoff_seller"].tolist()
    (True, 3, [100.0, 75.0, 50.0, 25.0, 0.0])
    """
    path = _store_path(directory)
    manifest, spare = _stored_manifest(path)
    if spare:
        warnings.warn(
            f"the root metadata of {path} is missing or unreadable; reading it with the copy in "
            f"{META}/spec.json (`pipeline-games sweep --repair --out {path}` rebuilds it)",
            SweepRepairWarning,
            stacklevel=2,
        )
    space, chunking, store = _open(path, manifest)
    identity = str(manifest.get("identity", ""))
    good = verified_chunks(path, store, identity, chunking, warn=True)
    shares = tuple((tuple(a), tuple(b)) for a, b in manifest.get("shares", []))
    columns = list(manifest.get("columns", []))
    return SweepResult(
        space=space,
        input_names=space.names,
        output_names=output_order(columns, shares),
        chunking=chunking,
        chunks=tuple(good),
        target=manifest["spec"].get("target", {}),
        directory=path,
        store=store,
        identity=identity,
        shares=shares,
    )


def repair_sweep(directory: str | os.PathLike[str]) -> SweepResult:
    """Rebuild a sweep store's metadata and drop the receipts that do not verify.

    The settings come from the root metadata or, if it is lost or truncated, from the copy
    in ``_pipeline_games/spec.json``; every chunk whose receipt and files verify against the
    sweep's identity is kept. (If both are lost, resume the sweep with its settings:
    ``resume=True`` rebuilds the store from the receipts that match them.)

    Examples
    --------
    >>> import tempfile, warnings
    >>> from pathlib import Path
    >>> import pipeline_games as pg
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = pg.sweep("nash", over={"weight": (0, 1, 5)}, out=folder, chunk_size=2,
    ...                  progress=False)
    ...     _ = (Path(folder) / "zarr.json").write_text("{trunc")
    ...     repaired = pg.repair_sweep(folder)
    ...     repaired.complete, pg.load_sweep(folder)["payoff_buyer"].tolist()
    (True, [0.0, 25.0, 50.0, 75.0, 100.0])
    """
    path = _store_path(directory)
    if not path.is_dir():
        raise InvalidParameterError(f"{str(path)!r} is not a sweep folder")
    with sweep_lock(path):
        manifest, _ = _stored_manifest(path)
        _space, chunking, store = _open(path, manifest)
        identity = str(manifest["identity"])
        remove_temporaries(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ChunkChecksumWarning)
            good = verified_chunks(path, store, identity, chunking, warn=False)
        remove_receipts(path, set(good))
        complete = len(good) == chunking.n_chunks
        write_spec(path, {**manifest, "complete": False})
        write_metadata(path, store, {**manifest, "complete": complete})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChunkChecksumWarning)
        return load_sweep(path)
