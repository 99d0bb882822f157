"""On-disk layout of a sweep: one file per chunk plus a JSON manifest, written atomically.

A sweep directory holds

* ``manifest.json`` -- what was swept (target, space, chunking, column names and dtypes)
  and, for every finished chunk, its file name, row count and SHA-256;
* ``chunk-000000.npys``, ``chunk-000001.npys``, ... -- one file per chunk: a sequence of
  uncompressed ``.npy`` records (NPY format 1.0, as ``numpy.save`` writes them, one after
  the other). The first record holds the names of the others: ``__chunk__`` (``[index,
  start, stop]``), then the stored arrays (outputs such as an ``(n, 2)`` ``payoffs``
  array, and for samples the input columns). Each record can be read with
  ``numpy.lib.format.read_array`` from an open file, in order.

The arrays go from the solver to the file without intermediate copies (no archive is built
in memory); the SHA-256 is computed over the same buffers as they are written. Every file is
written to a temporary name in the same directory, flushed and ``fsync``-ed, then renamed
over its final name (``os.replace`` is atomic on POSIX and Windows), so a crash leaves
either the old file or the new one, never a torn one. The directory itself is ``fsync``-ed
when the manifest is written (which makes the renames of the chunks it lists durable), not
after every chunk. Workers write chunk files; only the driver writes the manifest. A chunk whose file
is missing, or whose bytes do not match the checksum in the manifest (corrupt, truncated or
from another sweep), counts as not done: [`sweep`][pipeline_games.sweeps.sweep] with
``resume=True`` recomputes it and [`load_sweep`][pipeline_games.sweeps.load_sweep] leaves it out with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import struct
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
    "MANIFEST",
    "ChunkChecksumWarning",
    "atomic_write",
    "chunk_file_name",
    "read_chunk",
    "read_manifest",
    "verified_chunks",
    "write_chunk",
    "write_manifest",
]

MANIFEST = "manifest.json"
FORMAT = "pipeline_games.sweep/2"


class ChunkChecksumWarning(UserWarning):
    """A chunk file is missing or does not match its checksum; it is treated as not done.

    [`load_sweep`][pipeline_games.sweeps.load_sweep] issues it for each such chunk and leaves the chunk
    out; ``resume=True`` recomputes it.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("chunk 3 does not match its checksum", ChunkChecksumWarning)
    >>> caught[0].category.__name__
    'ChunkChecksumWarning'
    """


def chunk_file_name(index: int) -> str:
    """File name of chunk ``index``.

    Examples
    --------
    >>> chunk_file_name(7)
    'chunk-000007.npys'
    """
    return f"chunk-{index:06d}.npys"


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


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
    _write_atomically(Path(path), [data])
    _fsync_directory(Path(path).parent)


def _write_atomically(path: Path, pieces: Iterable[bytes | memoryview]) -> str:
    """Write ``pieces`` to a temporary file, fsync it, rename it to ``path``; return the
    SHA-256 of the bytes written (computed over the same buffers, not re-read)."""
    digest = hashlib.sha256()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as handle:
            for piece in pieces:
                digest.update(piece)  # releases the GIL on large buffers, like write
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return digest.hexdigest()


def _npy_pieces(array: NDArray[Any]) -> tuple[bytes, memoryview]:
    """The NPY 1.0 header of ``array`` and its data as a byte view (no copy if contiguous)."""
    array = np.ascontiguousarray(array)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    return header.getvalue(), array.reshape(-1).view(np.uint8).data


def write_chunk(
    directory: Path, index: int, start: int, stop: int, columns: Mapping[str, NDArray[Any]]
) -> dict[str, Any]:
    """Write one chunk file atomically; return its manifest entry (file, rows, sha256).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     entry = write_chunk(Path(folder), 0, 0, 2, {"payoffs": np.ones((2, 2))})
    ...     read_chunk(Path(folder), entry)["payoffs"]
    array([[1., 1.],
           [1., 1.]])
    """
    arrays: dict[str, NDArray[Any]] = {
        "__chunk__": np.array([index, start, stop], dtype=np.int64),
        **columns,
    }
    pieces: list[bytes | memoryview] = [*_npy_pieces(np.array(list(arrays)))]
    for array in arrays.values():
        pieces.extend(_npy_pieces(array))
    name = chunk_file_name(index)
    digest = _write_atomically(Path(directory) / name, pieces)
    return {"file": name, "rows": stop - start, "sha256": digest}


def _npy_records(buffer: bytearray) -> Iterator[NDArray[Any]]:
    """The arrays of consecutive NPY records in ``buffer``, as views of it (no copy)."""
    offset = 0
    while offset < len(buffer):
        (header_length,) = struct.unpack_from("<H", buffer, offset + 8)
        end_of_header = offset + 10 + header_length
        stream = io.BytesIO(bytes(buffer[offset:end_of_header]))
        np.lib.format.read_magic(stream)
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        count = int(np.prod(shape, dtype=np.int64))
        array = np.frombuffer(buffer, dtype=dtype, count=count, offset=end_of_header)
        yield array.reshape(shape, order="F" if fortran_order else "C")
        offset = end_of_header + count * dtype.itemsize


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def read_chunk(directory: Path, entry: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """Read a chunk file after checking its SHA-256 against ``entry``.

    Raises
    ------
    PipelineGamesError
        If the file is missing or its checksum does not match.
    """
    path = Path(directory) / entry["file"]
    data = None
    if path.exists():
        data = bytearray(path.stat().st_size)
        with open(path, "rb", buffering=0) as handle:
            view, done = memoryview(data), 0
            while done < len(data) and (count := handle.readinto(view[done:])):
                done += count
    if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise PipelineGamesError(
            f"chunk file {path} is {'missing' if data is None else 'corrupt or foreign'} "
            "(SHA-256 does not match the manifest)"
        )
    records = _npy_records(data)
    names = [str(name) for name in next(records)]
    return dict(zip(names, records, strict=True))


def write_manifest(directory: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` atomically."""
    text = json.dumps(manifest, indent=1, sort_keys=True)
    atomic_write(Path(directory) / MANIFEST, text.encode())


def read_manifest(directory: Path) -> dict[str, Any]:
    """Read a sweep directory's manifest.

    Raises
    ------
    PipelineGamesError
        If there is no readable manifest of this format.
    """
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PipelineGamesError(f"{path} is not a readable sweep manifest: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise PipelineGamesError(
            f"{path} has format {manifest.get('format')!r}; expected {FORMAT!r}"
        )
    return manifest


def verified_chunks(directory: Path, manifest: Mapping[str, Any], *, warn: bool) -> set[int]:
    """Indices of the manifest's chunks whose files exist and match their checksums."""
    good: set[int] = set()
    bad: list[str] = []
    for key, entry in manifest.get("chunks", {}).items():
        path = Path(directory) / entry["file"]
        if path.exists() and _sha256_of(path) == entry["sha256"]:
            good.add(int(key))
        else:
            bad.append(entry["file"])
    if bad and warn:
        warnings.warn(
            f"{len(bad)} chunk file(s) in {directory} are missing or fail their SHA-256 check "
            f"and are treated as not done: {', '.join(sorted(bad)[:5])}"
            f"{' ...' if len(bad) > 5 else ''}",
            ChunkChecksumWarning,
            stacklevel=3,
        )
    return good
