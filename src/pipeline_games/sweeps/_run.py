"""Chunked sweep execution: serial, a process pool or Dask, with resumable output."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_int
from ..errors import InvalidParameterError, MissingExtraError, SolverError
from ._grid import Grid, Sample, axis_from_description, make_space
from ._result import SweepResult
from ._store import (
    FORMAT,
    MANIFEST,
    read_manifest,
    verified_chunks,
    write_chunk,
    write_manifest,
)
from ._target import resolve_target

__all__ = ["DEFAULT_CHUNK_SIZE", "EXECUTORS", "load_sweep", "sweep"]

#: Points per chunk by default: 2**18, a few MB per chunk, big enough to amortize overhead.
DEFAULT_CHUNK_SIZE = 1 << 18
EXECUTORS = ("serial", "processes", "dask")
#: Threads writing chunk files (checksum, write, fsync) while the serial executor computes
#: the next chunk; at most one more chunk than this is held in memory at once.
WRITER_THREADS = 2
#: Seconds between manifest rewrites while a sweep runs (always rewritten at the end).
MANIFEST_INTERVAL = 0.5


def _evaluate(
    target: Any,
    space: Grid | Sample,
    start: int,
    stop: int,
    columns: dict[str, NDArray[Any]] | None,
) -> tuple[dict[str, NDArray[Any]], dict[str, tuple[str, ...]]]:
    """Outputs of points ``start .. stop - 1`` as stored arrays, and the columns of each.

    A target with ``evaluate_stored`` (a [`SolverTarget`][pipeline_games.sweeps.SolverTarget])
    gets a grid chunk as broadcastable blocks where the chunk covers whole grid rows, and
    returns flat arrays, possibly with several columns (``payoffs``, ``(n, 2)``); any other
    target gets 1-D input columns and returns 1-D output columns. ``columns`` are the
    chunk's 1-D input columns when the caller needs them anyway (samples store them).
    """
    evaluate_stored = getattr(target, "evaluate_stored", None)
    if evaluate_stored is None:
        assert columns is not None
        outputs = dict(target.evaluate(**columns))
        return outputs, {name: (name,) for name in outputs}
    if columns is None:
        assert isinstance(space, Grid)  # samples always pass their columns
        columns = space.block(start, stop) or space.chunk(start, stop)
    outputs = evaluate_stored(**columns)
    layout = target.stored_layout
    return outputs, {name: tuple(layout[name]) for name in outputs}


def _chunk_columns(
    target: Any, space: Grid | Sample, chunk_size: int, index: int
) -> tuple[int, int, dict[str, NDArray[Any]], dict[str, Any]]:
    """Evaluate chunk ``index``: its bounds, the arrays to store and their description."""
    start = index * chunk_size
    stop = min(start + chunk_size, space.n_points)
    needs_columns = space.stores_inputs or not hasattr(target, "evaluate_stored")
    inputs = space.chunk(start, stop, index) if needs_columns else None
    stored, layout = _evaluate(target, space, start, stop, inputs)
    dtypes: dict[str, str] = {}
    for name, array in stored.items():
        expected = (stop - start,) if len(layout[name]) == 1 else (stop - start, len(layout[name]))
        if np.shape(array) != expected:
            raise SolverError(
                f"target output {name!r} must have shape {expected} for this chunk; "
                f"got shape {np.shape(array)}"
            )
        dtypes.update((column, np.asarray(array).dtype.str) for column in layout[name])
    if space.stores_inputs:
        assert inputs is not None
        stored = {**inputs, **stored}
        layout = {**{name: (name,) for name in inputs}, **layout}
    return start, stop, stored, {"dtypes": dtypes, "layout": layout}


def _store_chunk(
    directory: str,
    index: int,
    start: int,
    stop: int,
    stored: Mapping[str, NDArray[Any]],
    description: dict[str, Any],
) -> tuple[int, Any]:
    entry = write_chunk(Path(directory), index, start, stop, stored)
    return index, {**entry, **description}


def _compute_chunk(
    target: Any, space: Grid | Sample, chunk_size: int, index: int, directory: str | None
) -> tuple[int, Any]:
    """Compute chunk ``index``; write its file (``directory``) or return its arrays."""
    start, stop, stored, description = _chunk_columns(target, space, chunk_size, index)
    if directory is None:
        return index, (stored, description)
    return _store_chunk(directory, index, start, stop, stored, description)


def _serial(tasks: Iterable[int], job: tuple[Any, ...]) -> Iterator[tuple[int, Any]]:
    target, space, chunk_size, directory = job
    if directory is None:
        for index in tasks:
            yield _compute_chunk(target, space, chunk_size, index, None)
        return
    # Overlap computing the next chunk with writing (checksum, fsync) the previous ones:
    # hashing and file I/O release the GIL.
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as writers:
        running: set[Future[tuple[int, Any]]] = set()
        for index in tasks:
            chunk = _chunk_columns(target, space, chunk_size, index)
            running.add(writers.submit(partial(_store_chunk, directory, index, *chunk)))
            while len(running) > WRITER_THREADS:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()


def _processes(tasks: list[int], job: tuple[Any, ...], workers: int) -> Iterator[tuple[int, Any]]:
    context = multiprocessing.get_context("spawn")
    target, space, chunk_size, directory = job
    pending = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running: set[Future[tuple[int, Any]]] = set()
        for index in pending:
            running.add(
                pool.submit(partial(_compute_chunk, target, space, chunk_size, index, directory))
            )
            if len(running) >= 2 * workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                following = next(pending, None)
                if following is not None:
                    running.add(
                        pool.submit(
                            partial(_compute_chunk, target, space, chunk_size, following, directory)
                        )
                    )


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


def _dask(
    tasks: list[int], job: tuple[Any, ...], workers: int, address: Any
) -> Iterator[tuple[int, Any]]:
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
        pending = iter(tasks)

        def submit(index: int) -> Any:
            return client.submit(
                _compute_chunk, *job[:3], index, job[3], key=f"pg-sweep-{token}-{index}"
            )

        first = [submit(index) for index in itertools.islice(pending, 2 * n_workers)]
        completed = as_completed(first)
        for future in completed:
            result = future.result()
            future.release()
            yield result
            following = next(pending, None)
            if following is not None:
                completed.add(submit(following))
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


def _check_not_fixed_and_swept(names: tuple[str, ...], fixed: Mapping[str, Any]) -> None:
    """Refuse a parameter given both a fixed value and a range (one of them would be dropped).

    A fixed pair may still supply the other half of a pair one half of which is swept
    (``disagreement=(5, 0)`` with ``over={"disagreement.1": ...}``): that is by design.
    """
    for name in names:
        if name in fixed:
            raise InvalidParameterError(
                f"{name} is both fixed ({name}={fixed[name]!r}) and swept (in over); "
                "give it in one place only"
            )


def _probe(target: Any, space: Grid | Sample) -> None:
    """Evaluate the target on a few points that use every swept value, before anything runs.

    A grid probe cycles each axis through all its values (as many points as the longest
    axis); a sample probe takes the two corners of the box. Bad values then fail here with
    the solver's own message, before a folder or manifest is written.
    """
    if isinstance(space, Grid):
        count = max(len(axis) for axis in space.axes)
        probe = {
            name: np.resize(axis, count) for name, axis in zip(space.names, space.axes, strict=True)
        }
    else:
        probe = {
            name: np.array([low, high])
            for name, low, high in zip(space.names, space.lows, space.highs, strict=True)
        }
    target.evaluate(**probe)


def sweep(
    target: Any,
    over: Mapping[str, Any] | None = None,
    *,
    samples: int | None = None,
    method: str = "grid",
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
        A bargaining solver (``pg.nash`` or ``"nash"``; fixed arguments as ``**fixed``), a
        [`sweep_target`][pipeline_games.sweeps.sweep_target], a case (or case name), or any object
        with ``parameter_names``, ``bounds``, ``base`` and ``evaluate``.
    over
        ``{name: (low, high, n)}`` (a tuple: a range) or ``{name: values}`` (a list or 1-D
        array: those values) for a grid; ``{name: (low,
        high)}`` for samples (default: the target's ``bounds``). Names as in
        `pipeline_games.sweeps._target` (``disagreement.0``, ``outside_options.seller``,
        ...) or as in the case file.
    samples, method, seed
        Number of points, ``"grid"`` (default) or one of ``"lhs"``, ``"sobol"``,
        ``"halton"``, ``"random"`` (see `pipeline_games.sweeps._grid`), and the seed
        from which every chunk's draws are derived.
    chunk_size
        Points per chunk: memory use is a few times ``chunk_size`` points per worker,
        whatever the sweep's size. Default: `DEFAULT_CHUNK_SIZE`, rounded down for a
        grid to whole rows of its trailing axes (see
        `aligned_chunk_size`), so that solver targets
        receive each chunk as broadcastable blocks rather than repeated input columns.
    out
        Directory to write ``manifest.json`` and one ``.npys`` file per chunk into
        (atomically). ``None`` keeps the results in memory.
    executor, workers, address
        ``"serial"``, ``"processes"`` (a process pool of ``workers``, default the CPU count)
        or ``"dask"`` (a ``distributed.LocalCluster`` of ``workers`` single-threaded worker
        processes, or the scheduler at ``address``; an existing ``distributed.Client`` is
        accepted too). Results are identical whatever the executor.
    resume
        Continue the sweep in ``out``: only chunks missing from the manifest, or whose file
        fails its checksum, are computed.
    progress
        ``True``: a progress bar (points/s, ETA) when stderr is a terminal; ``"always"``:
        even when it is not; ``False``: none.
    **fixed
        Fixed arguments of a solver target (see [`sweep_target`][pipeline_games.sweeps.sweep_target]).

    Returns
    -------
    SweepResult
        In memory, or backed by ``out`` (read lazily).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.sweep(pg.nash, over={"surplus": (0.0, 100.0, 3), "weight": (0.0, 1.0, 2)},
    ...                   disagreement=(0.0, 0.0), progress=False)
    >>> result["surplus"], result["payoff_buyer"]
    (array([  0.,   0.,  50.,  50., 100., 100.]), array([  0.,   0.,   0.,  50.,   0., 100.]))
    """
    if resume and out is None:
        raise InvalidParameterError("resume=True needs out=DIR: the folder of the sweep to resume")
    resolved = resolve_target(target, **fixed)
    space = make_space(
        over,
        samples=samples,
        method=method,
        seed=as_int(seed, "seed", low=0),
        bounds=dict(resolved.bounds),
        canonical=_canonical_names(resolved),
    )
    _check_not_fixed_and_swept(space.names, fixed)
    _probe(resolved, space)
    if chunk_size is not None:
        size = as_int(chunk_size, "chunk_size", low=1)
    elif isinstance(space, Grid):
        size = space.aligned_chunk_size(DEFAULT_CHUNK_SIZE)
    else:
        size = DEFAULT_CHUNK_SIZE
    if executor not in EXECUTORS:
        raise InvalidParameterError(
            f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}"
        )
    n_workers = as_int(workers, "workers", low=1) if workers is not None else os.cpu_count() or 1
    n_chunks = -(-space.n_points // size)
    description_of_target = _describe_target(resolved)
    spec = json.loads(
        json.dumps(
            {
                "target": description_of_target,
                "space": space.describe(),
                "chunk_size": size,
                "n_points": space.n_points,
            }
        )
    )
    directory = None if out is None else Path(out)
    manifest: dict[str, Any] = {}
    done: set[int] = set()
    if directory is not None:
        manifest, done = _prepare_directory(directory, spec, resume)
    todo = [index for index in range(n_chunks) if index not in done]
    job = (resolved, space, size, None if directory is None else str(directory))
    if executor == "serial":
        results = _serial(todo, job)
    elif executor == "processes":
        results = _processes(todo, job, n_workers)
    else:
        results = _dask(todo, job, n_workers, address)

    data: dict[str, NDArray[Any]] | None = None
    output_names: list[str] = [name for name, _ in manifest.get("outputs", [])]
    layout: dict[str, tuple[str, ...]] = {
        name: tuple(columns) for name, columns in manifest.get("layout", {}).items()
    }
    done_points = sum(min(size, space.n_points - index * size) for index in done)
    last_write = time.monotonic()
    with _progress_bar(space.n_points, done_points, progress) as bar:
        for index, payload in results:
            start = index * size
            stop = min(start + size, space.n_points)
            if directory is None:
                stored, description = payload
                if data is None:
                    data = {
                        name: np.empty((space.n_points, *array.shape[1:]), dtype=array.dtype)
                        for name, array in stored.items()
                    }
                for name, array in stored.items():
                    data[name][start:stop] = array
            else:
                description = {key: payload.pop(key) for key in ("dtypes", "layout")}
                manifest["chunks"][str(index)] = payload
            if not output_names:
                output_names = list(description["dtypes"])
                layout = dict(description["layout"])
                if directory is not None:
                    manifest["outputs"] = [[n, d] for n, d in description["dtypes"].items()]
                    manifest["layout"] = {name: list(cols) for name, cols in layout.items()}
            if directory is not None and time.monotonic() - last_write > MANIFEST_INTERVAL:
                write_manifest(directory, manifest)
                last_write = time.monotonic()
            done.add(index)
            bar.update(stop - start)
    if directory is not None:
        manifest["complete"] = len(done) == n_chunks
        write_manifest(directory, manifest)
    if not output_names and n_chunks:
        raise SolverError("the sweep produced no output columns")  # pragma: no cover
    return SweepResult(
        space=space,
        input_names=space.names,
        output_names=tuple(output_names),
        chunk_size=size,
        chunks=tuple(sorted(done)),
        target=description_of_target,
        directory=directory,
        entries={int(key): entry for key, entry in manifest.get("chunks", {}).items()},
        data=data,
        layout=layout,
    )


def _prepare_directory(
    directory: Path, spec: Mapping[str, Any], resume: bool
) -> tuple[dict[str, Any], set[int]]:
    """Create or reopen a sweep directory; return its manifest and the verified chunks."""
    if (directory / MANIFEST).exists():
        if not resume:
            raise InvalidParameterError(
                f"out={str(directory)!r} already holds a sweep; pass resume=True (CLI --resume) "
                "to finish it, or choose another directory"
            )
        manifest = read_manifest(directory)
        if manifest.get("spec") != spec:
            raise InvalidParameterError(
                f"cannot resume the sweep in {str(directory)!r}: it was started with different "
                "settings (target, ranges, method, seed or chunk_size); use another directory"
            )
        for leftover in directory.glob(".*.tmp"):  # temporary files of a killed run
            leftover.unlink(missing_ok=True)
        done = verified_chunks(directory, manifest, warn=True)
        manifest["chunks"] = {
            key: entry for key, entry in manifest["chunks"].items() if int(key) in done
        }
        return manifest, done
    if directory.exists() and any(directory.iterdir()):
        raise InvalidParameterError(
            f"out={str(directory)!r} is not empty and holds no sweep manifest; choose an empty "
            "or new directory"
        )
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT, "spec": dict(spec), "chunks": {}, "complete": False}
    write_manifest(directory, manifest)
    return manifest, set()


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


def load_sweep(directory: str | os.PathLike[str]) -> SweepResult:
    """Open a finished or partial sweep directory.

    Chunks whose files are missing or fail their SHA-256 check are left out, with a
    [`ChunkChecksumWarning`][pipeline_games.sweeps.ChunkChecksumWarning]; ``result.missing_chunks``
    lists what a ``resume`` would compute.

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
    path = Path(directory)
    manifest = read_manifest(path)
    spec = manifest["spec"]
    good = verified_chunks(path, manifest, warn=True)
    entries = {int(key): entry for key, entry in manifest["chunks"].items() if int(key) in good}
    space = _space_from(spec["space"])
    return SweepResult(
        space=space,
        input_names=space.names,
        output_names=tuple(name for name, _ in manifest.get("outputs", [])),
        chunk_size=int(spec["chunk_size"]),
        chunks=tuple(sorted(entries)),
        target=spec["target"],
        directory=path,
        entries=entries,
        layout={name: tuple(columns) for name, columns in manifest.get("layout", {}).items()},
    )
