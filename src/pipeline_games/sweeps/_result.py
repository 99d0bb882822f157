"""The result of a sweep: input and output columns, in memory or backed by a sweep directory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._results import Result, plain
from ..errors import InvalidParameterError, MissingExtraError
from ._grid import Chunking, Grid, Sample
from ._store import StoreLayout, read_chunk

__all__ = ["SweepResult"]


@dataclass(frozen=True, eq=False, repr=False)
class SweepResult(Result):
    """Inputs and outputs of a sweep as named 1-D columns, one row per point.

    A sweep run with ``out=DIR`` returns a result backed by that Zarr store: columns are read
    (and their checksums verified) chunk by chunk only when asked for, so a result of
    ``10**8`` points costs no memory until it is read. A partial run (killed, or loaded
    with `load_sweep` before it finished) holds the finished
    chunks only; `points` says which points they are.

    Columns: the swept inputs, then the outputs; for a bargaining solver
    ``payoff_<player>``, ``share_<player>`` (each player's share of the joint payoff, NaN
    where it is zero; computed when read, not stored), ``agreement`` and, for
    ``rubinstein``, ``binding`` -- the names of `Outcome.to_frame`.

    Attributes
    ----------
    space
        The `Grid` or
        `Sample` swept.
    input_names, output_names
        Column names.
    chunking
        How the space is cut into chunks (`Chunking`).
    chunks
        Indices of the finished chunks, increasing.
    target
        Description of the target (as stored in the store's metadata).
    directory
        The sweep store, or ``None`` for an in-memory sweep.
    data
        The stored arrays of an in-memory sweep (see ``layout``).
    layout
        Stored array name -> the columns it holds: a 1-D array is one column, an ``(n, k)``
        array (such as ``payoffs``) holds ``k`` columns, exposed as views.
    store
        Dimensions, shapes and column dtypes of the store (store-backed results).
    identity
        The sweep's identity (a hash of its settings), recorded in every chunk's receipt.
    shares
        ``(share columns, payoff columns)`` pairs computed when read.
    computed
        The chunks the call that returned this result computed (empty for a finished
        sweep resumed, or a loaded one).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> result = pg.sweep(pg.nash, over={"weight": (0.0, 1.0, 3)}, surplus=10.0,
    ...                   progress=False)
    >>> result["weight"], result["payoff_buyer"]
    (array([0. , 0.5, 1. ]), array([ 0.,  5., 10.]))
    >>> result.to_frame().columns.tolist()
    ['weight', 'payoff_buyer', 'payoff_seller', 'share_buyer', 'share_seller', 'agreement']
    """

    space: Grid | Sample
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    chunking: Chunking
    chunks: tuple[int, ...]
    target: Mapping[str, Any] = field(default_factory=dict)
    directory: Path | None = None
    data: Mapping[str, NDArray[Any]] | None = None
    layout: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    store: StoreLayout | None = None
    identity: str = ""
    shares: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    computed: tuple[int, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the space: the grid's axes' lengths, or ``(n_points,)`` for samples."""
        return tuple(self.space.shape)

    @property
    def n_points(self) -> int:
        """Number of points in the whole sweep (finished or not)."""
        return self.space.n_points

    @property
    def n_chunks(self) -> int:
        """Number of chunks in the whole sweep."""
        return self.chunking.n_chunks

    @property
    def chunk_size(self) -> int:
        """Points in a whole (not edge) chunk."""
        return self.chunking.points_per_chunk

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
        return self.chunking.bounds(index)

    def _derive(self, columns: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        """Add the share columns (``payoff / joint payoff``, NaN where that is zero)."""
        for share_names, payoff_names in self.shares:
            payoffs = [columns[name] for name in payoff_names]
            total = sum(payoffs[1:], payoffs[0])
            with np.errstate(divide="ignore", invalid="ignore"):
                for name, payoff in zip(share_names, payoffs, strict=True):
                    columns[name] = np.where(total != 0.0, payoff / total, np.nan)
        return columns

    def iter_chunks(self) -> Iterator[tuple[int, int, dict[str, NDArray[Any]]]]:
        """Yield ``(start, stop, columns)`` for each finished chunk, reading one at a time."""
        for index in self.chunks:
            start, stop = self._bounds(index)
            if self.data is not None:
                stored = _split(
                    {key: value[start:stop] for key, value in self.data.items()}, self.layout
                )
            else:
                assert self.directory is not None
                assert self.store is not None
                stored = read_chunk(
                    self.directory,
                    self.store,
                    self.identity,
                    index,
                    (start, stop),
                    self.chunking.coords(index),
                )
            if not self.space.stores_inputs:
                stored = {**self.space.chunk(start, stop, index), **stored}
            stored = self._derive(stored)
            yield start, stop, {name: stored[name] for name in self.names}

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
            stored = _split(self.data, self.layout)
            if not self.space.stores_inputs:
                stored.update(self.space.chunk(0, self.n_points, 0))
            stored = self._derive(stored)
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

    def to_dict(self) -> dict[str, Any]:
        """Plain Python: method, shape, completeness and every finished column (NaN -> None)."""
        return {
            "method": self.method,
            "shape": list(self.shape),
            "complete": self.complete,
            "points": plain(self.points),
            "columns": plain(self.columns),
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per finished point, indexed by ``point``."""
        pd = _pandas()
        frame = pd.DataFrame(self.columns)
        frame.index = pd.Index(self.points, name="point")
        return frame

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset``: on the grid's axes (grid sweeps) or on ``point`` (samples).

        A store-backed result is opened lazily with ``xarray.open_zarr`` (points of
        unfinished chunks read as NaN); an in-memory grid must be complete. Needs the
        ``xarray`` extra.

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
        if self.directory is not None:
            try:
                dataset = xr.open_zarr(self.directory, consolidated=True)
            except ImportError as exc:
                raise MissingExtraError("zarr", "xarray", "SweepResult.to_xarray") from exc
            for share_names, payoff_names in self.shares:
                total = sum(dataset[name] for name in payoff_names)
                for share, payoff in zip(share_names, payoff_names, strict=True):
                    dataset[share] = (dataset[payoff] / total).where(total != 0.0)
            return dataset
        if isinstance(self.space, Grid) and not self.complete:
            raise InvalidParameterError(
                f"to_xarray needs a complete grid; {len(self.missing_chunks)} of "
                f"{self.n_chunks} chunks are missing (resume the sweep first)"
            )
        columns = self.columns
        if isinstance(self.space, Grid):
            shape = self.space.shape
            return xr.Dataset(
                {
                    name: (self.input_names, columns[name].reshape(shape))
                    for name in self.output_names
                },
                coords=dict(zip(self.input_names, self.space.axes, strict=True)),
            )
        return xr.Dataset(
            {name: ("point", columns[name]) for name in self.names},
            coords={"point": self.points},
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


def output_order(
    columns: Iterable[str], shares: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]
) -> tuple[str, ...]:
    """Output column names with each group of share columns right after its payoff columns.

    Examples
    --------
    >>> output_order(["payoff_a", "payoff_b", "agreement"],
    ...              [(("share_a", "share_b"), ("payoff_a", "payoff_b"))])
    ('payoff_a', 'payoff_b', 'share_a', 'share_b', 'agreement')
    """
    order = list(columns)
    for share_names, payoff_names in shares:
        at = max(order.index(name) for name in payoff_names) + 1
        order[at:at] = list(share_names)
    return tuple(order)


def _split(
    stored: Mapping[str, NDArray[Any]], layout: Mapping[str, tuple[str, ...]]
) -> dict[str, NDArray[Any]]:
    """Columns of stored arrays: ``(n, k)`` arrays split into ``k`` column views."""
    columns: dict[str, NDArray[Any]] = {}
    for name, array in stored.items():
        names = layout.get(name, (name,))
        if array.ndim == 1:
            columns[names[0]] = array
        else:
            columns.update((column, array[:, k]) for k, column in enumerate(names))
    return columns


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingExtraError("pandas", "data", "sweep tables") from exc
    return pd
