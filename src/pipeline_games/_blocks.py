"""Cache-blocked evaluation of elementwise kernels on large broadcast arrays.

numpy evaluates an expression one operation at a time, each a full pass over memory. For
solvers made of many cheap operations on ``10**7`` points the intermediates, not the
inputs, dominate memory traffic. `blockwise` runs a kernel on slabs of the broadcast
shape small enough for the intermediates to stay in the CPU cache, so that memory sees
little more than the essential traffic: each input read once, each output written once.
The loop is over memory blocks (a few hundred for ``10**7`` points), never over points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from math import prod
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["BLOCK_ELEMENTS", "blockwise"]

#: Elements per block: 16k float64 = 128 KiB per intermediate, a dozen fit in L2 cache.
BLOCK_ELEMENTS = 1 << 14


def _row_blocks(shape: tuple[int, ...], block_elements: int) -> Iterator[slice]:
    per_row = prod(shape[1:])
    step = max(1, block_elements // max(per_row, 1))
    for start in range(0, shape[0], step):
        yield slice(start, min(start + step, shape[0]))


def blockwise(
    kernel: Callable[..., Mapping[str, NDArray[Any]] | None],
    shape: tuple[int, ...],
    arrays: Mapping[str, Any],
    *,
    block_elements: int = BLOCK_ELEMENTS,
    outputs: Mapping[str, tuple[tuple[int, ...], Any]] | None = None,
) -> dict[str, NDArray[Any]]:
    """Evaluate ``kernel(block_shape, **arrays)`` block by block over ``shape``.

    Parameters
    ----------
    kernel
        Called as ``kernel(block_shape, **block_arrays)``; returns a dict of arrays whose
        leading dimensions are ``block_shape`` (trailing dimensions are kept, e.g. a final
        axis of length 2 for payoff pairs). With ``outputs``, called as
        ``kernel(block_shape, out, **block_arrays)`` instead, and must fill the arrays of
        the dict ``out`` (views of the final outputs) in place.
    shape
        The broadcast shape of the whole evaluation.
    arrays
        Inputs broadcastable to ``shape``; 0-d inputs are passed whole to every block.
        Anything that is not an ndarray is passed unchanged.
    block_elements
        Target number of elements per block.
    outputs
        ``{name: (trailing_shape, dtype)}``: allocate the outputs once and let the kernel
        write its results straight into them, saving a copy of every output.

    Returns
    -------
    dict
        The kernel's outputs assembled to the full shape.

    Examples
    --------
    >>> import numpy as np
    >>> def kernel(block_shape, a, b):
    ...     return {"total": np.broadcast_to(a + b, block_shape).copy()}
    >>> out = blockwise(kernel, (5, 3), {"a": np.arange(5.0)[:, None], "b": np.ones(3)},
    ...                 block_elements=4)
    >>> out["total"][:, 0]
    array([1., 2., 3., 4., 5.])
    >>> def in_place(block_shape, out, a):
    ...     np.multiply(a, 2.0, out=out["double"])
    >>> blockwise(in_place, (6,), {"a": np.arange(6.0)}, block_elements=4,
    ...           outputs={"double": ((), np.float64)})["double"]
    array([ 0.,  2.,  4.,  6.,  8., 10.])
    """
    whole = len(shape) == 0 or prod(shape) <= block_elements
    if outputs is not None:
        results = {
            name: np.empty((*shape, *trailing), dtype=dtype)
            for name, (trailing, dtype) in outputs.items()
        }
        if whole:
            kernel(shape, results, **arrays)
            return results
    elif whole:
        return dict(kernel(shape, **arrays))  # type: ignore[arg-type]
    full = {
        name: (
            np.broadcast_to(value, shape) if isinstance(value, np.ndarray) and value.ndim else value
        )
        for name, value in arrays.items()
    }
    assembled: dict[str, NDArray[Any]] = {}
    for rows in _row_blocks(shape, block_elements):
        block_shape = (rows.stop - rows.start, *shape[1:])
        block = {
            name: (value[rows] if isinstance(value, np.ndarray) and value.ndim else value)
            for name, value in full.items()
        }
        if outputs is not None:
            kernel(block_shape, {name: value[rows] for name, value in results.items()}, **block)
            continue
        result = kernel(block_shape, **block)
        assert result is not None
        for name, value in result.items():
            if name not in assembled:
                assembled[name] = np.empty(
                    (*shape, *value.shape[len(block_shape) :]), dtype=value.dtype
                )
            assembled[name][rows] = value
    return results if outputs is not None else assembled
