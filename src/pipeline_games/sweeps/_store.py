"""On-disk layout of a sweep: a Zarr v3 store, with a receipt per chunk, written atomically.

A sweep directory is a `Zarr v3 <https://zarr-specs.readthedocs.io/en/latest/v3/core/>`_
group that ``xarray.open_zarr``, ``zarr.open_group``, ``dask.array.from_zarr`` and Zarr
libraries in other languages open without pipeline_games:

* ``zarr.json`` -- the root group. Its attributes hold, under ``"pipeline_games"``, what was
  swept (target, space, chunk shape, the sweep's *identity*, whether it is complete); it also
  carries the arrays' metadata inline (consolidated metadata), so a reader opens the store
  with one file read;
* one array per column, all on the same dimensions: for a grid sweep the swept parameters
  (``dimension_names``), each also stored as a 1-D coordinate array of its values, so
  ``xarray.open_zarr(out)`` is a labelled dataset; for a sample sweep one dimension
  ``point``, with the sampled inputs as arrays beside the outputs;
* every array is cut into the same chunks (Zarr's regular chunk grid; see
  `Chunking`), stored uncompressed: the values in C
  order, little-endian, padded to the full chunk shape at the edges, followed by their
  CRC32C (Zarr's ``crc32c`` codec, which every Zarr reader checks on read);
* ``_pipeline_games/`` -- a group of bookkeeping that readers ignore: ``spec.json`` (a copy
  of the sweep's settings), ``lock`` (who is writing) and ``chunks/<i>.json``, the *receipt*
  of chunk ``i``: its index, the sweep's identity, its range of points and the CRC32C of each
  of its files.

A chunk counts as done only when its receipt names this sweep and this index and every file
it lists exists, has the expected size and matches its checksum; anything else (missing,
truncated, corrupt, copied from another chunk or from another sweep) counts as not done:
`sweep` with ``resume=True`` recomputes it and
`load_sweep` leaves it out with a
`ChunkChecksumWarning`. Every file is written to a temporary name in its directory,
then renamed over its final name (``os.replace`` is atomic), data files before the receipt,
so a crash of the process (even ``SIGKILL``) leaves either a finished chunk or one that is
not done. The receipt is ``fsync``-ed before its rename; the data files are not (see
`SYNC_DATA_FILES`): after a crash of the operating system or a power loss, the data of
the last chunks may be lost, and their receipts then fail verification, so the chunks are
recomputed -- nothing wrong is ever read as done. Workers write chunks; only the driver,
which holds the folder's lock, writes the metadata.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import socket
import sys
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import PipelineGamesError

__all__ = [
    "FORMAT",
    "META",
    "ChunkChecksumWarning",
    "StoreLayout",
    "SweepLockedError",
    "SweepStoreError",
    "atomic_write",
    "identity_of",
    "read_chunk",
    "read_metadata",
    "sweep_lock",
    "verified_chunks",
    "write_chunk",
    "write_metadata",
]

FORMAT = "pipeline_games.sweep/3"
#: The bookkeeping group inside a sweep store.
META = "_pipeline_games"
ROOT = "zarr.json"


class SweepStoreError(PipelineGamesError):
    """A sweep directory is unreadable, inconsistent or cannot be written.

    Examples
    --------
    >>> issubclass(SweepStoreError, PipelineGamesError)
    True
    """


class SweepLockedError(SweepStoreError):
    """Another sweep holds the folder's lock (the message says which process, where, since when).

    Examples
    --------
    >>> issubclass(SweepLockedError, SweepStoreError)
    True
    """


class ChunkChecksumWarning(UserWarning):
    """A chunk is missing, corrupt or foreign; it is treated as not done.

    `load_sweep` issues it and leaves such chunks out; ``resume=True``
    recomputes them.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("chunk 3 does not match its checksum", ChunkChecksumWarning)
    >>> caught[0].category.__name__
    'ChunkChecksumWarning'
    """


def _crc32c() -> Any:
    import google_crc32c

    return google_crc32c


def identity_of(spec: Mapping[str, Any]) -> str:
    """The sweep's identity: SHA-256 of its settings as canonical JSON (hex, 32 characters).

    Examples
    --------
    >>> identity_of({"a": 1}) == identity_of({"a": 1}), len(identity_of({"a": 1}))
    (True, 32)
    """
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# -- atomic files -----------------------------------------------------------------------------
def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


#: Whether each data file of a chunk is ``fsync``-ed before its rename (the receipt always
#: is). Off: a chunk's three or four ``fsync`` calls cost half the disk throughput here, and
#: the receipt's checksums already catch a data file that an OS crash left empty or short.
SYNC_DATA_FILES = False


def _write_atomically(path: Path, pieces: Iterable[Any], sync: bool = True) -> None:
    """Write ``pieces`` to a temporary file beside ``path`` (``fsync``-ed if ``sync``), then
    rename it to ``path`` (atomic: readers see the old file or the whole new one)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except IsADirectoryError as exc:
        raise SweepStoreError(
            f"cannot write {path}: a directory is in the way of a file of the sweep store "
            "(remove it, then resume)"
        ) from exc
    finally:
        if temporary.exists():
            temporary.unlink()


def atomic_write(path: Path, data: bytes | memoryview) -> None:
    """Write ``data`` to ``path`` atomically: temporary file, fsync, rename, fsync directory.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "x.bin"
    ...     atomic_write(target, b"abc")
    ...     target.read_bytes()
    b'abc'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, [data])
    _fsync_directory(path.parent)


def _write_json(path: Path, value: Any) -> None:
    atomic_write(path, json.dumps(value, indent=1, sort_keys=False).encode())


# -- layout and metadata ----------------------------------------------------------------------
def _zarr_type(dtype: np.dtype[Any]) -> tuple[Any, Any]:
    """Zarr v3 ``data_type`` and ``fill_value`` of a numpy dtype."""
    if dtype.kind == "b":
        return "bool", False
    if dtype.kind in "iu":
        return f"{'u' if dtype.kind == 'u' else ''}int{dtype.itemsize * 8}", 0
    if dtype.kind == "f":
        return f"float{dtype.itemsize * 8}", "NaN"
    if dtype.kind == "U":
        # zarr-python's fixed-length UTF-32 type (numpy's own ``<U``): not yet in the v3
        # specification, so other libraries may not read string columns.
        return {"name": "fixed_length_utf32", "configuration": {"length_bytes": dtype.itemsize}}, ""
    raise SweepStoreError(f"a sweep cannot store columns of dtype {dtype}")


class StoreLayout:
    """Shapes, dimensions and columns of a sweep store (built from its spec and outputs).

    ``variables`` maps each stored column to its numpy dtype string (little-endian); every
    column has the dimensions ``dims``, the shape ``shape`` and the chunk shape
    ``chunk_shape``. ``coords`` maps a grid's dimensions to their values.
    """

    def __init__(
        self,
        dims: list[str],
        shape: list[int],
        chunk_shape: list[int],
        variables: Mapping[str, str],
        coords: Mapping[str, list[float]] | None = None,
        attributes: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.dims = list(dims)
        self.shape = [int(n) for n in shape]
        self.chunk_shape = [int(n) for n in chunk_shape]
        self.variables = {
            name: np.dtype(dtype).newbyteorder("<") for name, dtype in variables.items()
        }
        self.coords = dict(coords or {})
        self.attributes = dict(attributes or {})
        self.points_per_chunk = math.prod(self.chunk_shape)

    def describe(self) -> dict[str, Any]:
        return {
            "dims": self.dims,
            "shape": self.shape,
            "chunk_shape": self.chunk_shape,
            "variables": {name: dtype.str for name, dtype in self.variables.items()},
            "attributes": {name: dict(value) for name, value in self.attributes.items()},
        }

    def file(self, directory: Path, name: str, coords: tuple[int, ...]) -> Path:
        """Path of the chunk file of column ``name`` at chunk-grid position ``coords``."""
        return Path(directory, name, "c", *(str(k) for k in coords))

    def file_size(self, name: str) -> int:
        return self.points_per_chunk * self.variables[name].itemsize + 4


def _array_metadata(
    shape: list[int],
    chunk_shape: list[int],
    dtype: np.dtype[Any],
    dims: list[str],
    attributes: Mapping[str, Any],
) -> dict[str, Any]:
    data_type, fill_value = _zarr_type(dtype)
    codecs: list[dict[str, Any]] = [{"name": "bytes"}]
    if dtype.itemsize > 1 or dtype.kind == "U":
        codecs = [{"name": "bytes", "configuration": {"endian": "little"}}]
    codecs.append({"name": "crc32c"})
    return {
        "zarr_format": 3,
        "node_type": "array",
        "shape": list(shape),
        "data_type": data_type,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunk_shape)}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": fill_value,
        "codecs": codecs,
        "attributes": dict(attributes),
        "dimension_names": list(dims),
        "storage_transformers": [],
    }


def _chunk_bytes(array: NDArray[Any], dtype: np.dtype[Any], points: int) -> list[Any]:
    """The pieces of a chunk file: values, zero padding to ``points``, CRC32C (4 bytes, LE)."""
    crc = _crc32c()
    values = np.ascontiguousarray(array, dtype=dtype).reshape(-1)
    data = values.view(np.uint8)  # an array, not a memoryview: google_crc32c takes arrays
    pad = (points - values.size) * dtype.itemsize
    padding = bytes(pad) if pad > 0 else b""
    checksum = crc.extend(crc.value(data), padding) if padding else crc.value(data)
    return [data, padding, int(checksum).to_bytes(4, "little")]


def write_metadata(
    directory: Path,
    layout: StoreLayout,
    manifest: Mapping[str, Any],
) -> None:
    """Write the arrays' metadata, the coordinate arrays and the root ``zarr.json``.

    ``manifest`` goes into the root group's attributes under ``"pipeline_games"``.
    Every file is written atomically (``fsync``-ed, then renamed). The directories are
    ``fsync``-ed once each after all the files below the root (not after every file, which
    cost an ``fsync`` per file), and the root ``zarr.json`` is written last: once it is on
    disk, so is everything it describes.
    """
    directory = Path(directory)
    consolidated: dict[str, Any] = {}
    parents: set[Path] = set()

    def write_json(path: Path, value: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, [json.dumps(value, indent=1, sort_keys=False).encode()])
        parents.add(path.parent)

    for name, dtype in layout.variables.items():
        metadata = _array_metadata(
            layout.shape, layout.chunk_shape, dtype, layout.dims, layout.attributes.get(name, {})
        )
        write_json(directory / name / ROOT, metadata)
        consolidated[name] = metadata
    for name, values in layout.coords.items():
        axis = np.asarray(values, dtype="<f8")
        metadata = _array_metadata([len(axis)], [len(axis)], axis.dtype, [name], {})
        (directory / name / "c").mkdir(parents=True, exist_ok=True)
        _write_atomically(directory / name / "c" / "0", _chunk_bytes(axis, axis.dtype, len(axis)))
        parents.add(directory / name / "c")
        write_json(directory / name / ROOT, metadata)
        consolidated[name] = metadata
    meta_group = {"zarr_format": 3, "node_type": "group", "attributes": {}}
    write_json(directory / META / ROOT, meta_group)
    for parent in sorted(parents, key=lambda path: len(path.parts), reverse=True):
        _fsync_directory(parent)
    consolidated[META] = meta_group
    root = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": {"pipeline_games": dict(manifest)},
        "consolidated_metadata": {
            "kind": "inline",
            "must_understand": False,
            "metadata": consolidated,
        },
    }
    _write_json(directory / ROOT, root)


def write_spec(directory: Path, manifest: Mapping[str, Any]) -> None:
    """Keep a copy of the sweep's settings beside the receipts (for repairs)."""
    _write_json(Path(directory) / META / "spec.json", dict(manifest))


def read_spec(directory: Path) -> dict[str, Any] | None:
    """The copy of the settings in ``_pipeline_games/spec.json``, or ``None``."""
    try:
        value = json.loads((Path(directory) / META / "spec.json").read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) and value.get("format") == FORMAT else None


def read_metadata(directory: Path) -> dict[str, Any]:
    """The ``pipeline_games`` attributes of a sweep store's root group.

    Raises
    ------
    SweepStoreError
        If there is no readable root ``zarr.json`` with a sweep of this format.
    """
    path = Path(directory) / ROOT
    try:
        root = json.loads(path.read_text())
        manifest = root["attributes"]["pipeline_games"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SweepStoreError(
            f"{path} is not a readable sweep store ({type(exc).__name__}: {exc}); if the sweep's "
            "chunks are there, `pipeline-games sweep --repair --out DIR` (or resume=True) "
            "rebuilds it"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise SweepStoreError(f"{path} holds format {found!r}; expected {FORMAT!r}")
    return manifest


# -- chunks -----------------------------------------------------------------------------------
def receipt_path(directory: Path, index: int) -> Path:
    return Path(directory) / META / "chunks" / f"{index}.json"


def write_chunk(
    directory: Path,
    layout: StoreLayout,
    identity: str,
    index: int,
    coords: tuple[int, ...],
    start: int,
    stop: int,
    columns: Mapping[str, NDArray[Any]],
) -> dict[str, Any]:
    """Write one chunk (a file per column, then its receipt), each atomically.

    Returns the receipt.
    """
    directory = Path(directory)
    checksums: dict[str, int] = {}
    for name, dtype in layout.variables.items():
        array = columns[name]
        if dtype.kind == "U" and np.asarray(array).dtype.itemsize > dtype.itemsize:
            raise SweepStoreError(
                f"column {name!r} of chunk {index} holds strings longer than the "
                f"{dtype.itemsize // 4} characters its first evaluation had"
            )
        pieces = _chunk_bytes(array, dtype, layout.points_per_chunk)
        path = layout.file(directory, name, coords)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, pieces, sync=SYNC_DATA_FILES)
        checksums[name] = int.from_bytes(pieces[-1], "little")
    receipt = {
        "index": index,
        "sweep": identity,
        "start": start,
        "stop": stop,
        "crc32c": checksums,
    }
    path = receipt_path(directory, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, [json.dumps(receipt).encode()])
    return receipt


def _read_file(path: Path, size: int) -> bytearray:
    data = bytearray(size)
    with open(path, "rb", buffering=0) as handle:
        view, done = memoryview(data), 0
        while done < size and (count := handle.readinto(view[done:])):
            done += count
    return data


def _check_receipt(
    receipt: Any, layout: StoreLayout, identity: str, index: int, bounds: tuple[int, int]
) -> str | None:
    """Why ``receipt`` is not a valid receipt of chunk ``index`` of this sweep, or ``None``."""
    if receipt is None:
        return "its receipt is missing or not valid JSON"
    if not isinstance(receipt, dict):
        return "its receipt is not a JSON object"
    if receipt.get("sweep") != identity:
        return "its receipt belongs to another sweep"
    if receipt.get("index") != index:
        return f"its receipt is that of chunk {receipt.get('index')!r}"
    if (receipt.get("start"), receipt.get("stop")) != bounds:
        return "its receipt lists other points"
    checksums = receipt.get("crc32c")
    if not isinstance(checksums, dict) or set(checksums) != set(layout.variables):
        return "its receipt has no checksum for every column"
    return None


def _verify(
    directory: Path,
    layout: StoreLayout,
    receipt: Mapping[str, Any],
    coords: tuple[int, ...],
    *,
    keep: bool,
) -> tuple[str | None, dict[str, NDArray[Any]]]:
    """Check (and, with ``keep``, decode) the files of a chunk; return (problem, columns)."""
    crc = _crc32c()
    columns: dict[str, NDArray[Any]] = {}
    count = int(receipt["stop"]) - int(receipt["start"])
    for name, dtype in layout.variables.items():
        path = layout.file(directory, name, coords)
        size = layout.file_size(name)
        if path.is_dir():
            return f"{path} is a directory, not a chunk file", {}
        try:
            if path.stat().st_size != size:
                return f"{path} has {path.stat().st_size} bytes; expected {size}", {}
            data = _read_file(path, size)
        except OSError:
            return f"{path} is missing", {}
        payload = np.frombuffer(data, dtype=np.uint8, count=size - 4)
        stored = int.from_bytes(data[-4:], "little")
        if crc.value(payload) != stored or stored != receipt["crc32c"][name]:
            return f"{path} does not match its checksum (corrupt or foreign)", {}
        if keep:
            columns[name] = np.frombuffer(data, dtype=dtype, count=count)
    return None, columns


def read_chunk(
    directory: Path,
    layout: StoreLayout,
    identity: str,
    index: int,
    bounds: tuple[int, int],
    coords: tuple[int, ...],
) -> dict[str, NDArray[Any]]:
    """Read chunk ``index`` after checking its receipt and every file's checksum.

    Raises
    ------
    SweepStoreError
        If the receipt or a file is missing, malformed, corrupt or foreign.
    """
    receipt = _load_receipt(directory, index)
    problem = _check_receipt(receipt, layout, identity, index, bounds)
    columns: dict[str, NDArray[Any]] = {}
    if problem is None:
        problem, columns = _verify(directory, layout, receipt, coords, keep=True)
    if problem is not None:
        raise SweepStoreError(f"chunk {index} of {directory} cannot be read: {problem}")
    return columns


def _load_receipt(directory: Path, index: int) -> Any:
    path = receipt_path(directory, index)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def verified_chunks(
    directory: Path,
    layout: StoreLayout,
    identity: str,
    chunking: Any,
    *,
    warn: bool,
) -> list[int]:
    """Indices of the chunks whose receipts and files verify, increasing.

    Receipts that fail (and receipts of chunks the sweep does not have) are reported in one
    `ChunkChecksumWarning` when ``warn``.
    """
    folder = Path(directory) / META / "chunks"
    good: list[int] = []
    bad: list[str] = []
    names = sorted(os.listdir(folder)) if folder.is_dir() else []
    for name in names:
        stem, _dot, suffix = name.partition(".")
        if name.startswith(".") or suffix != "json":
            continue
        if not stem.isdigit() or int(stem) >= chunking.n_chunks:
            bad.append(f"{name}: no such chunk (the sweep has {chunking.n_chunks})")
            continue
        index = int(stem)
        receipt = _load_receipt(directory, index)
        problem = _check_receipt(receipt, layout, identity, index, chunking.bounds(index))
        if problem is None:
            problem, _ = _verify(directory, layout, receipt, chunking.coords(index), keep=False)
        if problem is None:
            good.append(index)
        else:
            bad.append(f"chunk {index}: {problem}")
    if bad and warn:
        warnings.warn(
            f"{len(bad)} chunk(s) in {directory} are missing, corrupt or foreign and are treated "
            f"as not done: {'; '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}",
            ChunkChecksumWarning,
            stacklevel=3,
        )
    return sorted(good)


def remove_temporaries(directory: Path) -> None:
    """Delete the temporary files a killed run left behind."""
    for leftover in Path(directory).rglob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def remove_receipts(directory: Path, keep: set[int]) -> None:
    """Delete the receipts of chunks not in ``keep`` (invalid ones, before a resume)."""
    folder = Path(directory) / META / "chunks"
    if not folder.is_dir():
        return
    for path in folder.glob("*.json"):
        if not (path.stem.isdigit() and int(path.stem) in keep):
            path.unlink(missing_ok=True)


# -- lock -------------------------------------------------------------------------------------
@contextlib.contextmanager
def sweep_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on a sweep folder (``_pipeline_games/lock``) while writing.

    Raises
    ------
    SweepLockedError
        If another process holds it; the message names its pid, host and start time.
    SweepStoreError
        If the folder cannot be created or its lock file opened (a NUL byte in the path, a
        file where a folder is expected, no permission); the message names the folder.
    """
    folder = Path(directory) / META
    path = folder / "lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL byte
        raise SweepStoreError(
            f"the sweep folder (out) {str(directory)!r} cannot be created or locked: {exc}; "
            "give a path to a folder that can be written"
        ) from exc
    try:
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise SweepLockedError(_holder(path, directory)) from exc
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)  # os.pwrite does not exist on Windows
        os.write(descriptor, json.dumps(holder).encode())
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _holder(path: Path, directory: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        who = f"pid {holder['pid']} on {holder['host']}, since {holder['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        who = "a process that has not yet said who it is"
    return (
        f"{directory} is being written by another sweep ({who}); wait for it to finish or "
        "choose another folder"
    )
