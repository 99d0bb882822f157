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

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_array, as_int
from ..errors import InvalidParameterError

__all__ = ["SWEEP_METHODS", "Grid", "Sample", "make_space"]

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
        return int(np.prod(self.shape, dtype=np.int64))

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
        count = as_int(count, f"number of points of {name}", low=1)
        low = float(as_array(low, f"low end of {name}"))
        high = float(as_array(high, f"high end of {name}"))
        return np.linspace(low, high, count)
    values = as_array(spec, f"values of {name}")
    if values.ndim != 1:
        raise InvalidParameterError(
            f"grid range of {name} must be a tuple (low, high, n) or a 1-D list/array of values; "
            f"got {spec!r}"
        )
    return values


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
    if method not in SWEEP_METHODS:
        raise InvalidParameterError(
            f"method must be one of {', '.join(SWEEP_METHODS)}; got {method!r}"
        )
    rename = canonical if canonical is not None else (lambda name: name)
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
        return Grid(names, axes)
    count = as_int(samples, "samples", low=1) if samples is not None else None
    if count is None:
        raise InvalidParameterError(f"method={method!r} needs samples=N (a whole number >= 1)")
    ranges: dict[str, Sequence[float]] = {}
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
    lows = np.array([float(as_array(spec[0], f"low end of {n}")) for n, spec in ranges.items()])
    highs = np.array([float(as_array(spec[1], f"high end of {n}")) for n, spec in ranges.items()])
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
