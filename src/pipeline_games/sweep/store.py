"""On-disk layout of a sweep: one file per chunk plus a JSON manifest, written atomically.

A sweep directory holds

* ``manifest.json`` -- what was swept (target, space, chunking, column names and dtypes)
  and, for every finished chunk, its file name, row count and SHA-256;
* ``chunk-000000.npz``, ``chunk-000001.npz``, ... -- one ``numpy`` ``.npz`` archive per
  chunk with the output columns (and, for samples, the input columns), plus a small
  ``__chunk__`` array ``[index, start, stop]``.

Every file is written to a temporary name in the same directory, flushed and ``fsync``-ed,
then renamed over its final name (``os.replace`` is atomic on POSIX and Windows), and the
directory is ``fsync``-ed, so a crash leaves either the old file or the new one, never a
torn one. Workers write chunk files; only the driver writes the manifest. A chunk whose file
is missing, or whose bytes do not match the checksum in the manifest (corrupt, truncated or
from another sweep), counts as not done: :func:`~pipeline_games.sweep.sweep` with
``resume=True`` recomputes it and :func:`load_sweep` leaves it out with a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import uuid
import warnings
from collections.abc import Mapping
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
FORMAT = "pipeline_games.sweep/1"


class ChunkChecksumWarning(UserWarning):
    """A chunk file is missing or does not match its checksum; it is treated as not done."""


def chunk_file_name(index: int) -> str:
    """File name of chunk ``index``.

    Examples
    --------
    >>> chunk_file_name(7)
    'chunk-000007.npz'
    """
    return f"chunk-{index:06d}.npz"


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
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    _fsync_directory(path.parent)


def write_chunk(
    directory: Path, index: int, start: int, stop: int, columns: Mapping[str, NDArray[Any]]
) -> dict[str, Any]:
    """Write one chunk file atomically; return its manifest entry (file, rows, sha256)."""
    buffer = io.BytesIO()
    np.savez(buffer, __chunk__=np.array([index, start, stop], dtype=np.int64), **columns)
    data = buffer.getbuffer()
    digest = hashlib.sha256(data).hexdigest()
    name = chunk_file_name(index)
    atomic_write(Path(directory) / name, data)
    return {"file": name, "rows": stop - start, "sha256": digest}


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
    data = path.read_bytes() if path.exists() else None
    if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise PipelineGamesError(
            f"chunk file {path} is {'missing' if data is None else 'corrupt or foreign'} "
            "(SHA-256 does not match the manifest)"
        )
    with np.load(io.BytesIO(data)) as archive:
        return {key: archive[key] for key in archive.files}


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
