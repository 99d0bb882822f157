"""The result of a sweep: input and output columns, in memory or backed by a sweep directory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError, MissingExtraError
from ._grid import Grid, Sample
from ._store import read_chunk
from .._results import Result

__all__ = ["SweepResult"]


@dataclass(frozen=True, eq=False, repr=False)
class SweepResult(Result):
    """Inputs and outputs of a sweep as named 1-D columns, one row per point.

    A sweep run with ``out=DIR`` returns a result backed by that directory: columns are read
    (and their checksums verified) chunk by chunk only when asked for, so a result of
    ``10**8`` points costs no memory until it is read. A partial run (killed, or loaded
    with [`load_sweep`][pipeline_games.sweeps.load_sweep] before it finished) holds the finished
    chunks only; [`points`][pipeline_games.sweeps.SweepResult.points] says which points they are.

    Attributes
    ----------
    space
        The `Grid` or
        `Sample` swept.
    input_names, output_names
        Column names.
    chunk_size
        Points per chunk.
    chunks
        Indices of the finished chunks, increasing.
    target
        Description of the target (as stored in the manifest).
    directory
        The sweep directory, or ``None`` for an in-memory sweep.
    entries
        Manifest entries of the finished chunks (directory-backed results).
    data
        The stored arrays of an in-memory sweep (see ``layout``).
    layout
        Stored array name -> the columns it holds: a 1-D array is one column, an ``(n, k)``
        array (such as ``payoffs``) holds ``k`` columns, exposed as views
        (``payoffs[:, 0]``). Empty: every stored array is the column of the same name.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.sweep(pg.nash, over={"weight": (0.0, 1.0, 3)}, surplus=10.0,
    ...                   progress=False)
    >>> result["weight"], result["payoff_buyer"]
    (array([0. , 0.5, 1. ]), array([ 0.,  5., 10.]))
    >>> result.to_frame().columns.tolist()
    ['weight', 'payoff_buyer', 'payoff_seller', 'agreement']
    """

    space: Grid | Sample
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    chunk_size: int
    chunks: tuple[int, ...]
    target: Mapping[str, Any] = field(default_factory=dict)
    directory: Path | None = None
    entries: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    data: Mapping[str, NDArray[Any]] | None = None
    layout: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        """Number of points in the whole sweep (finished or not)."""
        return self.space.n_points

    @property
    def n_chunks(self) -> int:
        """Number of chunks in the whole sweep."""
        return -(-self.n_points // self.chunk_size)

    @property
    def complete(self) -> bool:
        """Whether every chunk is finished."""
        return len(self.chunks) == self.n_chunks

    @property
    def missing_chunks(self) -> tuple[int, ...]:
        """Indices of the chunks not (validly) finished."""
        done = set(self.chunks)
        return tuple(index for index in range(self.n_chunks) if index not in done)

    @property
    def method(self) -> str:
        """``"grid"`` or the sampling method."""
        return self.space.method

    def _bounds(self, index: int) -> tuple[int, int]:
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.n_points)

    def iter_chunks(self) -> Iterator[tuple[int, int, dict[str, NDArray[Any]]]]:
        """Yield ``(start, stop, columns)`` for each finished chunk, reading one at a time."""
        for index in self.chunks:
            start, stop = self._bounds(index)
            if self.data is not None:
                stored = self._split({key: value[start:stop] for key, value in self.data.items()})
            else:
                assert self.directory is not None
                arrays = read_chunk(self.directory, self.entries[index])
                arrays.pop("__chunk__", None)
                stored = self._split(arrays)
            if not self.space.stores_inputs:
                stored = {**self.space.chunk(start, stop, index), **stored}
            yield start, stop, {name: stored[name] for name in self.names}

    def _split(self, stored: Mapping[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        """Columns of stored arrays: ``(n, k)`` arrays split into ``k`` column views."""
        columns: dict[str, NDArray[Any]] = {}
        for name, array in stored.items():
            names = self.layout.get(name, (name,))
            if array.ndim == 1:
                columns[names[0]] = array
            else:
                columns.update((column, array[:, k]) for k, column in enumerate(names))
        return columns

    @property
    def names(self) -> tuple[str, ...]:
        """All column names: inputs then outputs."""
        return (*self.input_names, *self.output_names)

    @cached_property
    def points(self) -> NDArray[np.int64]:
        """Flat index (in the whole sweep) of each row."""
        if not self.chunks:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([np.arange(*self._bounds(index)) for index in self.chunks])

    @cached_property
    def columns(self) -> dict[str, NDArray[Any]]:
        """Every column, concatenated over the finished chunks (reads them all)."""
        if self.data is not None and self.complete:
            stored = self._split(self.data)
            if not self.space.stores_inputs:
                stored.update(self.space.chunk(0, self.n_points, 0))
            return {name: stored[name] for name in self.names}
        parts: dict[str, list[NDArray[Any]]] = {name: [] for name in self.names}
        for _, _, columns in self.iter_chunks():
            for name in self.names:
                parts[name].append(columns[name])
        return {
            name: np.concatenate(pieces) if pieces else np.empty(0)
            for name, pieces in parts.items()
        }

    def __getitem__(self, name: str) -> NDArray[Any]:
        if name not in self.names:
            raise KeyError(f"no column {name!r}; columns are {', '.join(self.names)}")
        return self.columns[name]

    def __len__(self) -> int:
        """Number of finished rows."""
        return sum(stop - start for start, stop in map(self._bounds, self.chunks))

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per finished point, indexed by ``point`` (needs ``data``)."""
        pd = _pandas()
        frame = pd.DataFrame(self.columns)
        frame.index = pd.Index(self.points, name="point")
        return frame

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` on the grid's axes (grid sweeps, complete; ``xarray`` extra).

        Examples
        --------
        >>> import pipeline_games as pg
        >>> result = pg.sweep(pg.nash, over={"surplus": (0, 10, 3), "weight": (0, 1, 2)},
        ...                   progress=False)
        >>> result.to_xarray()["payoff_buyer"].shape
        (3, 2)
        """
        try:
            import xarray as xr
        except ImportError as exc:
            raise MissingExtraError("xarray", "xarray", "SweepResult.to_xarray") from exc
        if not isinstance(self.space, Grid):
            raise InvalidParameterError(
                f"to_xarray needs a grid sweep; this one is method={self.method!r} (use to_frame)"
            )
        if not self.complete:
            raise InvalidParameterError(
                f"to_xarray needs a complete grid; {len(self.missing_chunks)} of "
                f"{self.n_chunks} chunks are missing (resume the sweep first)"
            )
        shape = self.space.shape
        columns = self.columns
        return xr.Dataset(
            {name: (self.input_names, columns[name].reshape(shape)) for name in self.output_names},
            coords=dict(zip(self.input_names, self.space.axes, strict=True)),
            attrs={"target": str(dict(self.target))},
        )

    def to_parquet(self, path: str | Path) -> Path:
        """Write a Parquet file chunk by chunk (bounded memory; needs the ``data`` extra)."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise MissingExtraError("pyarrow", "data", "SweepResult.to_parquet") from exc
        path = Path(path)
        writer = None
        try:
            for start, stop, columns in self.iter_chunks():
                table = pa.table({"point": np.arange(start, stop), **columns})
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
        return path

    def to_csv(self, path: str | Path) -> Path:
        """Write a CSV file chunk by chunk (bounded memory; needs the ``data`` extra)."""
        pd = _pandas()
        path = Path(path)
        with open(path, "w", newline="") as handle:
            header = True
            for start, stop, columns in self.iter_chunks():
                frame = pd.DataFrame(columns, index=pd.RangeIndex(start, stop, name="point"))
                frame.to_csv(handle, header=header)
                header = False
            if header:
                handle.write(",".join(("point", *self.names)) + "\n")
        return path


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingExtraError("pandas", "data", "sweep tables") from exc
    return pd
