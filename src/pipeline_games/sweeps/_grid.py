"""Parameter spaces of a sweep: full grids and samples, generated chunk by chunk.

A space has ``n_points`` points numbered ``0 .. n_points - 1`` and is cut into chunks of
``chunk_size`` consecutive points; chunk ``i`` holds points ``[i * chunk_size, (i + 1) *
chunk_size)``. Each chunk's inputs are computed from the chunk alone, never from the whole
space, so memory stays bounded and any chunk can be (re)computed on its own with identical
results:

* `Grid` -- the Cartesian product of per-parameter axes in C order (the last name
  varies fastest). A chunk's inputs come from its flat index range by integer division
  (what ``numpy.unravel_index`` does), without materializing the grid.
* `Sample` -- ``n`` points in a box ``[low, high]``:

  - ``"random"``: uniform draws from a generator seeded by ``SeedSequence(seed,
    spawn_key=(chunk,))`` (the ``chunk``-th child of ``SeedSequence(seed).spawn``);
  - ``"sobol"`` and ``"halton"``: one scrambled low-discrepancy sequence seeded by
    ``seed``; chunk ``i`` fast-forwards the engine to its first point, so the chunks
    together are exactly the sequence an uninterrupted engine would give;
  - ``"lhs"``: a Latin hypercube cannot be cut into independent chunks (its strata span all
    ``n`` points), so each chunk is its own Latin hypercube of ``chunk_size`` points with
    the per-chunk seed above: stratified within every chunk, reproducible chunk by chunk.
    With one chunk (``chunk_size >= n``) it is an ordinary LHS of ``n`` points.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_array, as_int
from ..errors import InvalidParameterError

__all__ = ["MAX_POINTS", "SWEEP_METHODS", "Chunking", "Grid", "Sample", "make_space"]

#: Sampling methods; ``"grid"`` is the full Cartesian product.
SWEEP_METHODS = ("grid", "lhs", "sobol", "halton", "random")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Grid:
    """A full grid: the Cartesian product of ``axes`` (C order, last name fastest).

    Examples
    --------
    >>> grid = Grid(("surplus", "weight"), (np.array([1.0, 2.0]), np.array([0.2, 0.5, 0.8])))
    >>> grid.shape, grid.n_points
    ((2, 3), 6)
    >>> grid.chunk(2, 5)
    {'surplus': array([1., 2., 2.]), 'weight': array([0.8, 0.2, 0.5])}
    """

    names: tuple[str, ...]
    axes: tuple[FloatArray, ...]
    method: str = "grid"

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(axis) for axis in self.axes)

    @property
    def n_points(self) -> int:
        """Number of grid points, an exact Python integer (never wraps around)."""
        return math.prod(self.shape)

    #: Grid inputs are recomputed from the point index; chunk files need not store them.
    stores_inputs = False

    def chunk(self, start: int, stop: int, index: int = 0) -> dict[str, FloatArray]:
        """Input arrays of points ``start .. stop - 1`` (``index`` is unused for grids).

        Axis ``k`` with stride ``s`` (the product of the later axes' lengths) takes value
        ``axis[(i // s) % n]`` at flat index ``i``: runs of ``s`` equal values, cycling
        through the axis. They are built with ``numpy.tile`` (innermost axis) and
        ``numpy.repeat`` (the others), memory copies rather than per-point arithmetic.
        """
        columns: dict[str, FloatArray] = {}
        length = stop - start
        stride = 1
        for position_of_axis in range(len(self.axes) - 1, -1, -1):
            axis = self.axes[position_of_axis]
            size = len(axis)
            if stride == 1:
                offset = start % size
                if offset + length <= size:
                    column = axis[offset : offset + length].copy()
                else:
                    rest = length - (size - offset)
                    column = np.concatenate(
                        (axis[offset:], np.tile(axis, rest // size), axis[: rest % size])
                    )
            else:
                first, last = start // stride, (stop - 1) // stride
                values = axis[np.arange(first, last + 1) % size]
                counts = np.full(last - first + 1, stride, dtype=np.int64)
                counts[0] -= start - first * stride
                counts[-1] -= (last + 1) * stride - stop
                column = np.repeat(values, counts)
            columns[self.names[position_of_axis]] = column
            stride *= size
        return {name: columns[name] for name in self.names}

    def aligned_chunk_size(self, limit: int) -> int:
        """The largest multiple of a trailing block of the grid that is at most ``limit``.

        With ``m`` the product of the trailing axes' lengths that is largest but still at
        most ``limit`` (``1`` if even the last axis is longer), chunks of
        ``(limit // m) * m`` points cover whole rows of the grid, so that `block` can
        hand them to a solver as broadcastable blocks.

        Examples
        --------
        >>> grid = Grid(("a", "b"), (np.zeros(1000), np.zeros(300)))
        >>> grid.aligned_chunk_size(1000), grid.aligned_chunk_size(10**6)
        (900, 900000)
        """
        row = 1
        for length in reversed(self.shape):
            if row * length > limit:
                break
            row *= length
        return max(1, (limit // row) * row)

    def block(self, start: int, stop: int) -> dict[str, FloatArray] | None:
        """Inputs of points ``start .. stop - 1`` as broadcastable blocks, or ``None``.

        When the range covers whole rows of the trailing axes ``k, k+1, ...`` (``start`` and
        ``stop - start`` are multiples of the product ``m`` of their lengths), the points
        form a block of shape ``(rows, n_k, n_{k+1}, ...)`` in C order: the leading axes'
        values become ``(rows, 1, ...)`` columns and each trailing axis its own values,
        shaped to broadcast. Nothing of size ``stop - start`` is materialized. The largest
        such block is used; ``None`` when not even the last axis is covered whole.

        Examples
        --------
        >>> grid = Grid(("surplus", "weight"), (np.array([1.0, 2.0]), np.array([0.2, 0.5, 0.8])))
        >>> block = grid.block(0, 6)
        >>> block["surplus"].shape, block["weight"].shape
        ((1, 2, 1), (1, 1, 3))
        >>> grid.block(3, 6)["surplus"].shape, grid.block(2, 5) is None
        ((1, 1), True)
        """
        length = stop - start
        row, first_trailing = 1, len(self.axes)
        for position in range(len(self.axes) - 1, -1, -1):
            wider = row * len(self.axes[position])
            if start % wider or length % wider:
                break
            row, first_trailing = wider, position
        if first_trailing == len(self.axes):
            return None
        rows = length // row
        n_trailing = len(self.axes) - first_trailing
        leading = Grid(self.names[:first_trailing], self.axes[:first_trailing])
        inputs: dict[str, FloatArray] = {}
        if first_trailing:
            columns = leading.chunk(start // row, stop // row)
            for name, column in columns.items():
                inputs[name] = column.reshape((rows,) + (1,) * n_trailing)
        for offset, position in enumerate(range(first_trailing, len(self.axes))):
            shape = [1] * (1 + n_trailing)
            shape[1 + offset] = len(self.axes[position])
            inputs[self.names[position]] = self.axes[position].reshape(shape)
        return {name: inputs[name] for name in self.names}

    def describe(self) -> dict[str, Any]:
        return {
            "method": "grid",
            "names": list(self.names),
            "axes": [_axis_description(axis) for axis in self.axes],
        }


@dataclass(frozen=True, eq=False)
class Sample:
    """``n_points`` points in the box ``[lows, highs]`` drawn by ``method`` from ``seed``.

    Examples
    --------
    >>> space = Sample(("weight",), np.array([0.0]), np.array([1.0]), 8, "sobol", seed=1)
    >>> whole = space.chunk(0, 8, index=0)["weight"]
    >>> parts = np.concatenate([space.chunk(0, 4, 0)["weight"], space.chunk(4, 8, 1)["weight"]])
    >>> bool(np.array_equal(whole, parts))
    True
    """

    names: tuple[str, ...]
    lows: FloatArray
    highs: FloatArray
    n_points: int
    method: str
    seed: int = 0

    #: Sample inputs are stored in chunk files (they are the points themselves).
    stores_inputs = True

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.n_points,)

    def unit(self, start: int, stop: int, index: int) -> FloatArray:
        """Points ``start .. stop - 1`` in the unit cube, shape ``(stop - start, d)``."""
        from scipy.stats import qmc

        count = stop - start
        dimension = len(self.names)
        chunk_seed = np.random.SeedSequence(self.seed, spawn_key=(index,))
        if self.method == "random":
            return np.random.default_rng(chunk_seed).random((count, dimension))
        if self.method == "lhs":
            generator = np.random.default_rng(chunk_seed)
            return qmc.LatinHypercube(d=dimension, **_rng_keyword(generator)).random(count)
        engine_type = qmc.Sobol if self.method == "sobol" else qmc.Halton
        engine = engine_type(
            d=dimension, scramble=True, **_rng_keyword(np.random.default_rng(self.seed))
        )
        with warnings.catch_warnings():
            # Sobol warns when a draw is not a power of two: chunks of a longer sequence are
            # not meant to be balanced on their own; the whole sequence keeps its properties.
            warnings.simplefilter("ignore", UserWarning)
            if start:
                engine.fast_forward(start)
            return engine.random(count)

    def chunk(self, start: int, stop: int, index: int) -> dict[str, FloatArray]:
        """Input arrays of points ``start .. stop - 1`` (chunk number ``index``)."""
        unit = self.unit(start, stop, index)
        points = self.lows + unit * (self.highs - self.lows)
        return {name: np.ascontiguousarray(points[:, k]) for k, name in enumerate(self.names)}

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "names": list(self.names),
            "lows": self.lows.tolist(),
            "highs": self.highs.tolist(),
            "n_points": self.n_points,
            "seed": self.seed,
        }


#: Largest number of points a sweep may have: point indices are int64 in every chunk.
MAX_POINTS = 2**62


@dataclass(frozen=True)
class Chunking:
    """How a space of shape ``shape`` is cut into chunks: a regular grid of blocks.

    A chunk is a block of shape ``chunk_shape = (1, ..., 1, q, n_{k+1}, ..., n_last)``: one
    value of each leading axis, ``q`` values of axis ``k`` and every value of the trailing
    axes. In C order its points are consecutive, so chunk ``i`` is the flat range
    `bounds` returns; the last chunk along axis ``k`` is shorter when ``q`` does not
    divide ``n_k``. This is Zarr's regular chunk grid (edge chunks are stored padded), so the
    engine's chunks are exactly the store's chunks. A sample is the one-axis case.

    Examples
    --------
    >>> chunking = Chunking.from_limit((4, 5, 3), 7)  # rows of 3 points, 2 rows per chunk
    >>> chunking.chunk_shape, chunking.n_chunks
    ((1, 2, 3), 12)
    >>> chunking.bounds(0), chunking.bounds(2), chunking.coords(2)
    ((0, 6), (12, 15), (0, 2, 0))
    """

    shape: tuple[int, ...]
    chunk_shape: tuple[int, ...]

    @classmethod
    def from_limit(cls, shape: tuple[int, ...], limit: int) -> Chunking:
        """Blocks of at most ``limit`` points, as large as the trailing axes allow."""
        row, axis = 1, -1
        for position in range(len(shape) - 1, -1, -1):
            if row * shape[position] > limit:
                axis = position
                break
            row *= shape[position]
        if axis < 0:
            return cls(tuple(shape), tuple(shape))
        rows = max(1, limit // row)
        return cls(tuple(shape), (1,) * axis + (rows,) + tuple(shape[axis + 1 :]))

    @property
    def axis(self) -> int:
        """The axis along which chunks take ``q`` values (the first not taken whole)."""
        for position, (_size, block) in enumerate(zip(self.shape, self.chunk_shape, strict=True)):
            if block != 1 or position == len(self.shape) - 1:
                return position
        return len(self.shape) - 1  # pragma: no cover

    @property
    def row(self) -> int:
        """Points per step along `axis` (the product of the trailing axes)."""
        return math.prod(self.shape[self.axis + 1 :])

    @property
    def per_axis(self) -> int:
        """Chunks along `axis`."""
        return -(-self.shape[self.axis] // self.chunk_shape[self.axis])

    @property
    def n_chunks(self) -> int:
        return math.prod(self.shape[: self.axis]) * self.per_axis

    @property
    def points_per_chunk(self) -> int:
        """Points of a whole (not edge) chunk: what a padded chunk file holds."""
        return math.prod(self.chunk_shape)

    @property
    def grid(self) -> tuple[int, ...]:
        """Number of chunks along each axis (Zarr's chunk grid)."""
        return tuple(-(-n // c) for n, c in zip(self.shape, self.chunk_shape, strict=True))

    def bounds(self, index: int) -> tuple[int, int]:
        """Flat range ``[start, stop)`` of the points of chunk ``index``."""
        leading, position = divmod(index, self.per_axis)
        length, block = self.shape[self.axis], self.chunk_shape[self.axis]
        first = leading * length + position * block
        last = leading * length + min((position + 1) * block, length)
        return first * self.row, last * self.row

    def coords(self, index: int) -> tuple[int, ...]:
        """Position of chunk ``index`` in the chunk grid (its Zarr chunk key)."""
        leading, position = divmod(index, self.per_axis)
        outer = np.unravel_index(leading, self.shape[: self.axis]) if self.axis else ()
        rest = (0,) * (len(self.shape) - self.axis - 1)
        return (*(int(k) for k in outer), position, *rest)

    def describe(self) -> list[int]:
        return list(self.chunk_shape)


def _axis_description(axis: FloatArray) -> Any:
    """An evenly spaced axis as ``{"linspace": [low, high, n]}``, any other as its values."""
    if len(axis) > 1 and np.array_equal(axis, np.linspace(axis[0], axis[-1], len(axis))):
        return {"linspace": [float(axis[0]), float(axis[-1]), len(axis)]}
    return axis.tolist()


def axis_from_description(description: Any) -> FloatArray:
    """Inverse of `_axis_description`."""
    if isinstance(description, dict):
        low, high, count = description["linspace"]
        return np.linspace(low, high, int(count))
    return np.array(description, dtype=np.float64)


def _rng_keyword(generator: np.random.Generator) -> dict[str, Any]:
    """``rng=`` for scipy >= 1.15, ``seed=`` before (the same generator either way)."""
    import inspect

    from scipy.stats import qmc

    keyword = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
    return {keyword: generator}


def _axis(name: str, spec: Any) -> FloatArray:
    """A grid axis: a tuple ``(low, high, n)`` is a range; a list or array lists the values.

    The distinction is by type, never by length, so ``[0.0, 30.0, 68.0]`` is three values,
    not 68 points from 0 to 30.
    """
    if isinstance(spec, tuple):
        if len(spec) != 3:
            raise InvalidParameterError(
                f"grid range of {name} must be a tuple (low, high, n) or a list/array of "
                f"values; got the tuple {spec!r}"
            )
        low, high, count = spec
        count = as_int(count, f"number of points of {name}", low=1, high=MAX_AXIS)
        low = _scalar(low, f"low end of {name}")
        high = _scalar(high, f"high end of {name}")
        return np.linspace(low, high, count)
    _refuse_non_numbers(spec, f"values of {name}")
    values = as_array(spec, f"values of {name}")
    if values.ndim != 1:
        raise InvalidParameterError(
            f"grid range of {name} must be a tuple (low, high, n) or a 1-D list/array of values; "
            f"got {spec!r}"
        )
    if len(values) > MAX_AXIS:
        raise InvalidParameterError(
            f"values of {name} must be at most {MAX_AXIS} values; got {len(values)}"
        )
    return values


#: Most values on one grid axis (the axes are kept in memory and in the store's metadata).
MAX_AXIS = 10**7


def _refuse_non_numbers(value: Any, name: str) -> None:
    """Refuse strings, booleans and complex numbers where real numbers are expected."""
    if isinstance(value, str | bytes):
        raise InvalidParameterError(f"{name} must be numbers; got {value!r}")
    kind = np.asarray(value, dtype=object if isinstance(value, list | tuple) else None).dtype.kind
    items = value if isinstance(value, list | tuple) else []
    if kind in "bcSUV" or any(
        isinstance(item, bool | np.bool_ | str | bytes | complex | np.complexfloating)
        for item in items
    ):
        raise InvalidParameterError(f"{name} must be real numbers; got {value!r}")


def _scalar(value: Any, name: str) -> float:
    """A finite real number (not a string, boolean or complex)."""
    if isinstance(value, bool | np.bool_ | str | bytes | complex | np.complexfloating):
        raise InvalidParameterError(f"{name} must be a finite number; got {value!r}")
    array = as_array(value, name)
    if array.ndim:
        raise InvalidParameterError(f"{name} must be a single number; got {value!r}")
    return float(array)


def make_space(
    over: Mapping[str, Any] | None,
    *,
    samples: int | None,
    method: str,
    seed: int,
    bounds: Mapping[str, tuple[float, float]],
    canonical: Any = None,
) -> Grid | Sample:
    """Build the space a sweep walks through (see [`sweep`][pipeline_games.sweeps.sweep]).

    Examples
    --------
    >>> make_space({"weight": (0, 1, 5)}, samples=None, method="grid", seed=0, bounds={}).shape
    (5,)
    >>> make_space(None, samples=10, method="lhs", seed=0, bounds={"weight": (0, 1)}).n_points
    10
    """
    if not isinstance(method, str) or method not in SWEEP_METHODS:
        raise InvalidParameterError(
            f"method must be one of {', '.join(SWEEP_METHODS)}; got {method!r}"
        )
    rename = canonical if canonical is not None else (lambda name: name)
    if over is not None and not isinstance(over, Mapping):
        raise InvalidParameterError(f"over must be a mapping {{name: range}}; got {over!r}")
    if method == "grid":
        if samples is not None:
            raise InvalidParameterError(
                "samples is for method='lhs', 'sobol', 'halton' or 'random'; a grid's size is "
                "the product of its axes' lengths"
            )
        if not over:
            raise InvalidParameterError(
                "a grid sweep needs over={name: (low, high, n), ...}; got no ranges"
            )
        names = tuple(rename(name) for name in over)
        _check_unique(names)
        axes = tuple(_axis(name, spec) for name, spec in zip(names, over.values(), strict=True))
        grid = Grid(names, axes)
        if grid.n_points > MAX_POINTS:
            raise InvalidParameterError(
                f"a grid of {' x '.join(map(str, grid.shape))} = {grid.n_points} points is more "
                f"than a sweep can index (at most 2**62 = {MAX_POINTS}); use fewer points"
            )
        return grid
    count = as_int(samples, "samples", low=1, high=MAX_POINTS) if samples is not None else None
    if count is None:
        raise InvalidParameterError(f"method={method!r} needs samples=N (a whole number >= 1)")
    ranges: dict[str, Sequence[float]] = {}
    if over is not None and not isinstance(over, Mapping):
        raise InvalidParameterError(f"over must be a mapping {{name: range}}; got {over!r}")
    if over:
        for name, spec in over.items():
            if not isinstance(spec, tuple | list) or len(spec) not in (2, 3):
                raise InvalidParameterError(
                    f"sample range of {name} must be (low, high); got {spec!r}"
                )
            ranges[rename(name)] = spec[:2]
    else:
        ranges = {rename(name): spec for name, spec in bounds.items()}
        if not ranges:
            raise InvalidParameterError(
                "sampling needs ranges: over={name: (low, high), ...} or a target with bounds"
            )
    names = tuple(ranges)
    _check_unique(names)
    lows = np.array([_scalar(spec[0], f"low end of {n}") for n, spec in ranges.items()])
    highs = np.array([_scalar(spec[1], f"high end of {n}") for n, spec in ranges.items()])
    bad = np.flatnonzero(highs < lows)
    if bad.size:
        name = names[int(bad[0])]
        raise InvalidParameterError(
            f"range of {name} must have low <= high; got ({lows[bad[0]]:g}, {highs[bad[0]]:g})"
        )
    return Sample(names, lows, highs, count, method, int(seed))


def _check_unique(names: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidParameterError(f"parameter {name!r} is swept twice (aliases count)")
        seen.add(name)
