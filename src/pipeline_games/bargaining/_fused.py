"""Fused (one pass per point) kernels for the linear-frontier hot paths, compiled by numba.

numpy evaluates a closed form one operation at a time: the linear-frontier Rubinstein
solution with outside options is about 25 passes over each cache-sized block, and numpy's
per-call overhead and the passes themselves, not memory, then bound the throughput. A
compiled loop reads each input once and writes each output once. numba is optional (the
``fast`` extra): without it, or with ``PIPELINE_GAMES_NUMBA=0`` in the environment, the
numpy kernels run, and they stay the reference the tests compare these kernels against.

The kernels are used only for calls of at least :data:`MIN_POINTS` points (below that the
one-off compilation, about a second, is not worth it; compiled code is cached on disk next
to the module where Python may write bytecode) and only when every input broadcasts to the
call's shape as a 2-d strided view (always true of flat arrays, scalars and grid blocks of
shape ``(rows, 1)`` and ``(1, columns)``).
"""

from __future__ import annotations

import os
import sys
from math import prod
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["MIN_POINTS", "enabled", "nash_linear", "rubinstein_linear"]

#: Smallest call (in points) that uses a compiled kernel.
MIN_POINTS = 1 << 16

try:  # pragma: no cover - depends on the environment
    if os.environ.get("PIPELINE_GAMES_NUMBA", "1") == "0":
        raise ImportError
    import numba
    from numba import types

    _IN = types.Array(types.float64, 2, "A", readonly=True)
    _PAYOFFS = types.Array(types.float64, 3, "C")
    _AGREEMENT = types.Array(types.boolean, 2, "C")
    _BINDING = types.Array(types.int8, 2, "C")
    _RUBINSTEIN_SIGNATURE = types.void(
        *([_IN] * 11), types.int64, types.boolean, types.boolean, _PAYOFFS, _AGREEMENT, _BINDING
    )
    _NASH_SIGNATURE = types.void(*([_IN] * 5), types.boolean, _PAYOFFS, _AGREEMENT)

    def _JIT(function: Any) -> Any:
        return function  # compiled lazily, with one explicit signature, by _compiled()

except ImportError:  # pragma: no cover
    numba = None
    _JIT = None

_COMPILED: dict[str, Any] = {}


def _compiled(name: str) -> Any:
    """The compiled kernel (one signature: every input a read-only 2-d strided view)."""
    if name not in _COMPILED:
        function, signature = {
            "rubinstein": (_rubinstein_kernel, _RUBINSTEIN_SIGNATURE),
            "nash": (_nash_kernel, _NASH_SIGNATURE),
        }[name]
        _COMPILED[name] = numba.njit(
            signature, cache=not sys.dont_write_bytecode, nogil=True, error_model="numpy"
        )(function)
    return _COMPILED[name]


def enabled(shape: tuple[int, ...]) -> bool:
    """Whether a call of this shape runs a compiled kernel."""
    return _JIT is not None and prod(shape) >= MIN_POINTS


def _as_2d(value: Any, shape: tuple[int, ...]) -> NDArray[Any] | None:
    """``value`` broadcast to ``shape`` and viewed as 2-d ``(rows, columns)``, or ``None``.

    ``None`` when the view would need a copy (a broadcast that does not collapse).
    """
    view = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
    columns = shape[-1] if shape else 1
    try:
        return view.reshape((-1, columns), copy=False)
    except ValueError:
        return None


def _views(shape: tuple[int, ...], values: list[Any]) -> list[NDArray[Any]] | None:
    views = [_as_2d(value, shape) for value in values]
    return None if any(view is None for view in views) else views  # type: ignore[return-value]


if _JIT is not None:  # pragma: no branch

    @_JIT
    def _rubinstein_kernel(  # pragma: no cover - compiled
        surplus, rate, d0, d1, delta0, delta1, breakdown, g0, g1, w0, w1,
        mover, has_options, inside_is_d, payoffs, agreement, binding,
    ):
        rows, columns = payoffs.shape[0], payoffs.shape[1]
        for i in range(rows):
            for j in range(columns):
                s = surplus[i, j]
                r = rate[i, j]
                p = breakdown[i, j]
                keep = 1.0 - p
                b0 = keep * delta0[i, j]
                b1 = keep * delta1[i, j]
                patience0 = keep * (1.0 - delta0[i, j])
                patience1 = keep * (1.0 - delta1[i, j])
                c0 = p + patience0
                c1 = p + patience1
                if inside_is_d:
                    e0 = d0[i, j]
                    e1 = d1[i, j]
                    a0 = c0 * e0
                else:
                    a0 = p * d0[i, j] + patience0 * g0[i, j]
                    e0 = a0 / c0
                    e1 = (p * d1[i, j] + patience1 * g1[i, j]) / c1
                share = c1 / (c0 + b0 * c1)
                level = s - e1 / r
                x = (level - e0) * share + e0
                if has_options:
                    v0 = w0[i, j]
                    v1 = w1[i, j]
                    bound = level * c1 + v0 * b1
                    if bound > x:
                        x = bound
                    cap = s - v1 / r
                    second_binds = cap < x
                    if second_binds:
                        x = cap
                    rejecting = x * b0 + a0
                    first_binds = v0 > rejecting
                    code = (2 if second_binds else 0) + (1 if first_binds else 0)
                    if mover == 1:
                        x = rejecting if rejecting > v0 else v0
                    floor0 = v0 if v0 > e0 else e0
                    floor1 = v1 if v1 > e1 else e1
                    deal = (s - floor0) * r > floor1
                else:
                    v0 = -np.inf
                    v1 = -np.inf
                    deal = level - e0 > 0.0
                    code = 0
                    if mover == 1:
                        x = x * b0 + a0
                if deal:
                    payoffs[i, j, 0] = x
                    payoffs[i, j, 1] = (s - x) * r
                    binding[i, j] = code
                else:
                    if v1 > e1:
                        payoffs[i, j, 0] = v0
                        payoffs[i, j, 1] = v1
                    else:
                        payoffs[i, j, 0] = e0
                        payoffs[i, j, 1] = e1
                    binding[i, j] = 0
                agreement[i, j] = deal

    @_JIT
    def _nash_kernel(surplus, rate, d0, d1, weight, unit, payoffs, agreement):  # pragma: no cover
        rows, columns = payoffs.shape[0], payoffs.shape[1]
        for i in range(rows):
            for j in range(columns):
                s = surplus[i, j]
                a = d0[i, j]
                b = d1[i, j]
                w = weight[i, j]
                if unit:
                    gain = s - a - b
                else:
                    gain = s - a - b / rate[i, j]
                deal = gain > 0.0
                if not deal:
                    gain = 0.0
                payoffs[i, j, 0] = w * gain + a
                if unit:
                    payoffs[i, j, 1] = (1.0 - w) * gain + b
                else:
                    payoffs[i, j, 1] = (1.0 - w) * gain * rate[i, j] + b
                agreement[i, j] = deal


def rubinstein_linear(
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
    mover: int,
    has_options: bool,
    inside_is_disagreement: bool,
    arrays: dict[str, Any],
) -> bool:
    """Fill ``out`` with the linear-frontier equilibrium; ``False`` if the inputs do not fit.

    Same formulas, in the same order, as :func:`~._alternating._linear_block`.
    """
    names = (
        "frontier.surplus", "frontier.rate", "d_first", "d_second", "delta_first",
        "delta_second", "breakdown", "g_first", "g_second", "w_first", "w_second",
    )
    views = _views(shape, [arrays[name] for name in names])
    if views is None:
        return False
    columns = shape[-1] if shape else 1
    payoffs = out["payoffs"].reshape((-1, columns, 2))
    agreement = out["agreement"].reshape((-1, columns))
    binding = out["binding"].reshape((-1, columns))
    _compiled("rubinstein")(
        *views, mover, has_options, inside_is_disagreement, payoffs, agreement, binding
    )
    return True


def nash_linear(
    shape: tuple[int, ...], out: dict[str, NDArray[Any]], arrays: dict[str, Any]
) -> bool:
    """Fill ``out`` with the linear-frontier Nash solution; ``False`` if the inputs do not fit.

    Same formulas, in the same order, as :func:`~._axiomatic._nash_linear_kernel`.
    """
    rate = np.asarray(arrays["rate"])
    unit = rate.ndim == 0 and float(rate) == 1.0
    views = _views(
        shape, [arrays[name] for name in ("surplus", "rate", "d_first", "d_second", "weight")]
    )
    if views is None:
        return False
    columns = shape[-1] if shape else 1
    _compiled("nash")(
        *views, unit, out["payoffs"].reshape((-1, columns, 2)),
        out["agreement"].reshape((-1, columns)),
    )
    return True
