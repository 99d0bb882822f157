"""Fused (one pass per point) kernels for the linear-frontier hot paths, compiled by numba.

numpy evaluates a closed form one operation at a time: the linear-frontier Rubinstein
solution with outside options is about 25 passes over each cache-sized block, and numpy's
per-call overhead and the passes themselves, not memory, then bound the throughput. A
compiled loop reads each input once and writes each output once. numba is optional (the
``fast`` extra): without it, or with ``PIPELINE_GAMES_NUMBA=0`` in the environment, the
numpy kernels run, and they stay the reference the tests compare these kernels against.

The kernels are used only for calls of at least `MIN_POINTS` points (below that the
one-off compilation, about a second per variant and process, is not worth it), only when the game's coefficients
(discount factors, breakdown risk, the frontier's rate) are single numbers, and only when
every per-point input is either a single number or a C-contiguous array of the call's full
shape (flat sweeps and sampled points). Each per-point input is passed as it is (a number
or a 1-d array), so the loop reads contiguous memory and numba compiles one variant per
combination actually used. Other layouts (broadcast grid axes) take the numpy kernels.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from math import prod
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import MissingExtraError

__all__ = ["MIN_POINTS", "enabled", "nash_linear", "rubinstein_linear"]

#: Smallest call (in points) that uses a compiled kernel. The first such call in a process
#: compiles its variant (about a second), which a call of 10**7 points repays only over
#: many calls; sweeps, whose default chunks are smaller, keep the numpy kernels.
MIN_POINTS = 1 << 20

try:  # pragma: no cover - depends on the environment
    if os.environ.get("PIPELINE_GAMES_NUMBA", "1") == "0":
        raise ImportError
    import numba as _numba
    from numba import types
    from numba.extending import overload

    #: The numba module, or ``None`` where it is not installed (or disabled).
    numba: ModuleType | None = _numba
except ImportError:  # pragma: no cover
    numba = None


def enabled(shape: tuple[int, ...]) -> bool:
    """Whether a call of this shape may run a compiled kernel."""
    return numba is not None and prod(shape) >= MIN_POINTS


def _flat(value: Any, shape: tuple[int, ...]) -> Any:
    """A number, or a 1-d view of a full-shape C-contiguous array; ``None`` otherwise."""
    array = np.asarray(value)
    if array.size == 1:
        return float(array.reshape(()))
    if array.shape == shape and array.flags.c_contiguous and array.dtype == np.float64:
        return array.reshape(-1)
    return None


def _scalar(value: Any) -> float | None:
    array = np.asarray(value)
    return float(array.reshape(())) if array.size == 1 else None


_COMPILED: dict[tuple[Any, ...], Any] = {}


def _at(value: Any, index: int) -> Any:  # pragma: no cover - replaced in compiled code
    return value[index] if isinstance(value, np.ndarray) else value


if numba is not None:  # pragma: no branch

    @overload(_at, inline="always")
    def _at_compiled(value, index):  # pragma: no cover - compiled
        if isinstance(value, types.Array):
            return lambda value, index: value[index]
        return lambda value, index: value

    def _make_rubinstein(mover, has_options, inside_is_d, unit):  # pragma: no cover - compiled
        """The kernel with the call's flags baked in as constants: no branch is left in the
        loop (selects only), so that LLVM can vectorize it."""

        def kernel(surplus, d0, d1, g0, g1, w0, w1, coefficients, payoffs, agreement, binding):
            p, b0, b1, c0, c1, patience0, patience1, share, rate = coefficients
            for i in range(payoffs.shape[0]):
                s = _at(surplus, i)
                if inside_is_d:
                    e0 = _at(d0, i)
                    e1 = _at(d1, i)
                    a0 = c0 * e0
                else:
                    a0 = p * _at(d0, i) + patience0 * _at(g0, i)
                    e0 = a0 / c0
                    e1 = (p * _at(d1, i) + patience1 * _at(g1, i)) / c1
                level = s - e1 if unit else s - e1 / rate
                x = (level - e0) * share + e0
                if has_options:
                    v0 = _at(w0, i)
                    v1 = _at(w1, i)
                    bound = level * c1 + v0 * b1
                    x = max(x, bound)
                    cap = s - v1 if unit else s - v1 / rate
                    second_binds = cap < x
                    x = min(x, cap)
                    rejecting = x * b0 + a0
                    code = np.int8(2 * second_binds + (v0 > rejecting))
                    if mover == 1:
                        x = max(rejecting, v0)
                    floor0 = max(v0, e0)
                    floor1 = max(v1, e1)
                    deal = (s - floor0 if unit else (s - floor0) * rate) > floor1
                    opts_out = v1 > e1
                    rest0 = v0 if opts_out else e0
                    rest1 = v1 if opts_out else e1
                else:
                    deal = level - e0 > 0.0
                    code = np.int8(0)
                    if mover == 1:
                        x = x * b0 + a0
                    rest0 = e0
                    rest1 = e1
                second = s - x if unit else (s - x) * rate
                payoffs[i, 0] = x if deal else rest0
                payoffs[i, 1] = second if deal else rest1
                binding[i] = code if deal else np.int8(0)
                agreement[i] = deal

        return kernel

    def _make_nash(unit):  # pragma: no cover - compiled
        def kernel(surplus, d0, d1, weight, rate, payoffs, agreement):
            for i in range(payoffs.shape[0]):
                s = _at(surplus, i)
                a = _at(d0, i)
                b = _at(d1, i)
                w = _at(weight, i)
                gain = s - a - b if unit else s - a - b / rate
                deal = gain > 0.0
                gain = max(gain, 0.0)
                payoffs[i, 0] = w * gain + a
                payoffs[i, 1] = (1.0 - w) * gain + b if unit else (1.0 - w) * gain * rate + b
                agreement[i] = deal

        return kernel


def _compiled(name: str, *flags: Any) -> Any:
    """The lazily compiled kernel for these flags (one variant per input-type combination)."""
    key = (name, *flags)
    if key not in _COMPILED:
        if numba is None:  # pragma: no cover - enabled() is False without numba
            raise MissingExtraError("numba", "fast", "the compiled kernels")
        makers: dict[str, Callable[..., Any]] = {
            "rubinstein": _make_rubinstein,
            "nash": _make_nash,
        }
        maker = makers[name]
        # Kernels made by a closure cannot be cached on disk by numba: they compile once
        # per process (about a second), which is why small calls do not use them.
        _COMPILED[key] = numba.njit(nogil=True, error_model="numpy")(maker(*flags))
    return _COMPILED[key]


def rubinstein_linear(
    shape: tuple[int, ...],
    out: dict[str, NDArray[Any]],
    mover: int,
    has_options: bool,
    inside_is_disagreement: bool,
    arrays: dict[str, Any],
) -> bool:
    """Fill ``out`` with the linear-frontier equilibrium; ``False`` if the inputs do not fit.

    Same formulas, in the same order, as `_linear_block`.
    """
    p, delta0, delta1, rate = (
        _scalar(arrays[name])
        for name in ("breakdown", "delta_first", "delta_second", "frontier.rate")
    )
    flat = [
        _flat(arrays[name], shape)
        for name in (
            "frontier.surplus",
            "d_first",
            "d_second",
            "g_first",
            "g_second",
            "w_first",
            "w_second",
        )
    ]
    if p is None or delta0 is None or delta1 is None or rate is None:
        return False
    if any(item is None for item in flat):
        return False
    keep = 1.0 - p
    b0, b1 = keep * delta0, keep * delta1
    patience0, patience1 = keep * (1.0 - delta0), keep * (1.0 - delta1)
    c0, c1 = p + patience0, p + patience1
    share = c1 / (c0 + b0 * c1)
    n = prod(shape)
    kernel = _compiled("rubinstein", mover, has_options, inside_is_disagreement, rate == 1.0)
    kernel(
        *flat,
        (p, b0, b1, c0, c1, patience0, patience1, share, rate),
        out["payoffs"].reshape((n, 2)),
        out["agreement"].reshape(n),
        out["binding"].reshape(n),
    )
    return True


def nash_linear(
    shape: tuple[int, ...], out: dict[str, NDArray[Any]], arrays: dict[str, Any]
) -> bool:
    """Fill ``out`` with the linear-frontier Nash solution; ``False`` if the inputs do not fit.

    Same formulas, in the same order, as `_nash_linear_kernel`.
    """
    rate = _scalar(arrays["rate"])
    flat = [_flat(arrays[name], shape) for name in ("surplus", "d_first", "d_second", "weight")]
    if rate is None or any(item is None for item in flat):
        return False
    n = prod(shape)
    _compiled("nash", rate == 1.0)(
        *flat, rate, out["payoffs"].reshape((n, 2)), out["agreement"].reshape(n)
    )
    return True
