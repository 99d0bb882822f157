"""Fused (one pass per point) kernels for the linear-frontier hot paths, compiled by numba.

numpy evaluates a closed form one operation at a time: the linear-frontier Rubinstein
solution with outside options is about 25 passes over each cache-sized block, and numpy's
per-call overhead and the passes themselves, not memory, then bound the throughput. A
compiled loop reads each input once and writes each output once. numba is optional (the
``fast`` extra): without it, or with ``PIPELINE_GAMES_NUMBA=0`` in the environment, the
numpy kernels run, and they stay the reference the tests compare these kernels against.

The kernels are used only for calls of at least `MIN_POINTS` points (below that the
one-off compilation, about a second per variant and process, is not worth it) or, whatever
their size, for the chunks of a sweep of at least `MIN_POINTS` points (`forced`,
`sweep_kernels`), only when the game's coefficients
(discount factors, breakdown risk, the frontier's rate) are single numbers, and only when
every per-point input is either a single number or a C-contiguous array of the call's full
shape (flat sweeps and sampled points). Each per-point input is passed as it is (a number
or a 1-d array), so the loop reads contiguous memory and numba compiles one variant per
combination actually used. Other layouts (broadcast grid axes) take the numpy kernels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from math import prod
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._blocks import BLOCK_ELEMENTS, _row_blocks
from .._numba import numba
from ..errors import InvalidParameterError, MissingExtraError

__all__ = [
    "MIN_POINTS",
    "blocks_into",
    "check_out",
    "deferred_options",
    "enabled",
    "forced",
    "nash_linear",
    "rubinstein_linear",
    "sweep_kernels",
]

#: Smallest call (in points) that uses a compiled kernel. The first such call in a process
#: compiles its variant (about a second), which a call of 10**7 points repays only over
#: many calls. A sweep decides once, from its total size (`sweep_kernels`), and runs
#: every chunk with that choice (`forced`), whatever the chunk's size.
MIN_POINTS = 1 << 20

#: The kernel choice of the running sweep chunk (`forced`); ``None``: by the call's size.
_FORCED: ContextVar[bool | None] = ContextVar("pipeline_games_compiled_kernels", default=None)


if numba is not None:  # pragma: no cover - depends on the environment
    from numba import types
    from numba.extending import overload


def enabled(shape: tuple[int, ...]) -> bool:
    """Whether a call of this shape may run a compiled kernel (see `forced`)."""
    if numba is None:
        return False
    choice = _FORCED.get()
    return prod(shape) >= MIN_POINTS if choice is None else choice


@contextmanager
def forced(compiled: bool) -> Iterator[None]:
    """Within the block (on this thread), every call takes the compiled kernels where its
    layout fits them (``compiled=True``, whatever its size) or the numpy kernels (``False``).

    Sweeps evaluate each chunk in such a block, so that all chunks of a sweep, and a resumed
    sweep's later chunks, run the same kernels. Without numba it changes nothing.
    """
    token = _FORCED.set(bool(compiled))
    try:
        yield
    finally:
        _FORCED.reset(token)


def sweep_kernels(n_points: int) -> str:
    """The kernels a sweep of ``n_points`` runs: ``"compiled"`` from `MIN_POINTS` points when
    numba is available (the compilation, once per process, is then repaid), else ``"numpy"``."""
    return "compiled" if numba is not None and n_points >= MIN_POINTS else "numpy"


def check_out(
    out: Any,
    shape: tuple[int, ...],
    outputs: dict[str, tuple[tuple[int, ...], Any]],
    solver: str,
) -> dict[str, NDArray[Any]]:
    """The caller's preallocated outputs (``out=``) checked against what ``solver`` writes.

    ``out`` must map each name of ``outputs`` to a writeable C-contiguous array of the call's
    shape (plus the output's trailing axes) and dtype; extra names are refused too.
    """
    if not isinstance(out, dict):
        raise InvalidParameterError(
            f"out must be a dict of arrays {sorted(outputs)} for {solver}; got {type(out).__name__}"
        )
    if set(out) != set(outputs):
        raise InvalidParameterError(
            f"out must have exactly the keys {sorted(outputs)} for {solver}; got {sorted(out)}"
        )
    checked = {}
    for name, (trailing, dtype) in outputs.items():
        array = out[name]
        want = (*shape, *trailing)
        if (
            not isinstance(array, np.ndarray)
            or array.shape != want
            or array.dtype != np.dtype(dtype)
            or not array.flags.c_contiguous
            or not array.flags.writeable
        ):
            described = (
                f"a {'writeable' if array.flags.writeable else 'read-only'} "
                f"{'C-contiguous' if array.flags.c_contiguous else 'strided'} array of shape "
                f"{array.shape} and dtype {array.dtype}"
                if isinstance(array, np.ndarray)
                else type(array).__name__
            )
            raise InvalidParameterError(
                f"out[{name!r}] must be a writeable C-contiguous array of shape {want} and dtype "
                f"{np.dtype(dtype)}; got {described}"
            )
        checked[name] = array
    arrays = list(checked.values())
    if any(
        np.may_share_memory(first, second)
        for i, first in enumerate(arrays)
        for second in arrays[i + 1 :]
    ):
        raise InvalidParameterError(f"out's arrays for {solver} must not overlap")
    return checked


def blocks_into(
    kernel: Callable[..., None],
    shape: tuple[int, ...],
    arrays: dict[str, Any],
    out: dict[str, NDArray[Any]],
) -> dict[str, NDArray[Any]]:
    """`pipeline_games._blocks.blockwise` with ``outputs=``, writing into the caller's
    arrays ``out`` instead of newly allocated ones (same blocks, so the same results)."""
    if len(shape) == 0 or prod(shape) <= BLOCK_ELEMENTS:
        kernel(shape, out, **arrays)
        return out
    full = {
        name: (
            np.broadcast_to(value, shape) if isinstance(value, np.ndarray) and value.ndim else value
        )
        for name, value in arrays.items()
    }
    for rows in _row_blocks(shape, BLOCK_ELEMENTS):
        block_shape = (rows.stop - rows.start, *shape[1:])
        block = {
            name: (value[rows] if isinstance(value, np.ndarray) and value.ndim else value)
            for name, value in full.items()
        }
        kernel(block_shape, {name: value[rows] for name, value in out.items()}, **block)
    return out


def deferred_options(
    value: Any, check: Callable[[Any, str], tuple[Any, Any]]
) -> tuple[Any, Any, bool]:
    """Outside options ``(w0, w1)`` with the finiteness check of large arrays deferred.

    The check is a full pass over each array (a reduction at memory speed); the compiled
    Rubinstein kernel does it in its own pass instead. So when ``value`` is a pair whose
    large components are already float64 arrays and the compiled kernels are available,
    these components are returned unchecked (the small ones are checked by ``check``, the
    usual ``as_pair``), with ``True``: the caller must then either run the compiled kernel
    with ``check_options`` or call ``check(value, "outside_options")`` itself.
    """
    if (
        numba is None
        or not isinstance(value, list | tuple)
        or len(value) != 2
        or not any(
            isinstance(item, np.ndarray) and item.dtype == np.float64 and enabled(item.shape)
            for item in value
        )
    ):
        return (*check(value, "outside_options"), False)
    pair = []
    for index, item in enumerate(value):
        if isinstance(item, np.ndarray) and item.dtype == np.float64 and enabled(item.shape):
            pair.append(item)
        else:  # checked now, under its own name (outside_options[0] or [1])
            pair.append(check((item, 0.0) if index == 0 else (0.0, item), "outside_options")[index])
    return pair[0], pair[1], True


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
            # Options not checked before the call (see `deferred_options`) are checked here,
            # in the same pass: ``v - v != 0`` is true exactly for inf and NaN.
            unfinished = 0
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
                    unfinished += (v0 - v0) + (v1 - v1) != 0.0
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
            return unfinished

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
    check_options: Callable[[], Any] | None = None,
) -> bool:
    """Fill ``out`` with the linear-frontier equilibrium; ``False`` if the inputs do not fit.

    Same formulas, in the same order, as `_linear_block`. ``check_options``: the check of
    outside options that `deferred_options` left unchecked, called (to raise its named
    error) if the kernel met an option that is not finite.
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
    unfinished = kernel(
        *flat,
        (p, b0, b1, c0, c1, patience0, patience1, share, rate),
        out["payoffs"].reshape((n, 2)),
        out["agreement"].reshape(n),
        out["binding"].reshape(n),
    )
    if unfinished and check_options is not None:
        check_options()  # raises the named error
        raise InvalidParameterError("outside_options must be finite")  # pragma: no cover
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
