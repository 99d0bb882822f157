"""Broadcasting and validation helpers shared by every solver.

Solvers in pipeline_games take parameters that broadcast like numpy ufunc arguments. The
helpers here turn user input into ``float64`` arrays, check them once (finiteness, ranges,
shapes) and raise [`InvalidParameterError`][pipeline_games.errors.InvalidParameterError] with a message that
names the parameter, the offending value and its first offending index, and what is allowed.

The checks are written to be cheap on very large arrays: finiteness is tested with a single
reduction (``sum``) and only when that reduction is not finite is the array searched for the
offending element; ranges are tested with ``min``/``max`` reductions. No temporary array of
the input's size is made on the success path.

Examples
--------
>>> from pipeline_games._arrays import as_array
>>> as_array([0.5, 0.9], "discount", low=0.0, high=1.0, low_open=True, high_open=True)
array([0.5, 0.9])
>>> as_array(1.5, "discount", low=0.0, high=1.0, low_open=True, high_open=True)
Traceback (most recent call last):
...
pipeline_games.errors.InvalidParameterError: discount must be in (0, 1); got 1.5
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidParameterError

__all__ = [
    "as_array",
    "as_int",
    "as_pair",
    "broadcast_named",
    "check_memory",
    "interval_text",
    "stack_last",
    "to_float_array",
]

FloatArray = NDArray[np.float64]


def _fmt(value: float) -> str:
    """Format a number for an error message: integers without a trailing ``.0``."""
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def interval_text(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> str:
    """Describe an allowed interval in words a user can read in an error message.

    Examples
    --------
    >>> interval_text(0, 1, low_open=True, high_open=True)
    '(0, 1)'
    >>> interval_text(0)
    '>= 0'
    >>> interval_text(high=1, high_open=True)
    '< 1'
    """
    if low is not None and high is not None:
        return f"{'(' if low_open else '['}{_fmt(low)}, {_fmt(high)}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {_fmt(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {_fmt(high)}"
    return "any finite number"


def _where_first(mask: NDArray[np.bool_], array: FloatArray) -> str:
    """Text naming the first element where ``mask`` holds: its value and index."""
    flat = int(np.argmax(mask.ravel()))
    value = _fmt(float(array.ravel()[flat]))
    if array.ndim == 0:
        return value
    index = np.unravel_index(flat, array.shape)
    index_text = str(index[0]) if len(index) == 1 else str(tuple(int(i) for i in index))
    return f"{value} at index {index_text}"


#: What a numeric parameter may be, for error messages.
_NUMBER = "a number or an array of numbers"
#: Largest magnitude a Python int may have to become a float64 (``float(2**1024)`` overflows).
_FLOAT_MAX = float(np.finfo(np.float64).max)


def _describe(value: Any) -> str:
    """A short description of a rejected value: never a 300-digit integer or a huge array."""
    if isinstance(value, bool | np.bool_):
        return f"the boolean {bool(value)!r}"
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))
        return f"an integer of {digits} digits (about 1e{digits - 1})"
    if isinstance(value, str | bytes):
        if len(value) <= 40:
            return f"the string {value!r}"
        if isinstance(value, bytes):
            return f"the string {value[:37] + b'...'!r}"
        return f"the string {value[:37] + '...'!r}"
    if isinstance(value, complex | np.complexfloating):
        return f"the complex number {complex(value)!r}"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__} ({text[:40]}...)"


def _reject_element(item: Any, name: str) -> None:
    """Raise for one element of a nested list that is not a real number of float64 range."""
    if isinstance(item, bool | np.bool_):
        raise InvalidParameterError(
            f"{name} must be {_NUMBER}; got {_describe(item)} (booleans are not numbers here)"
        )
    if isinstance(item, str | bytes):
        raise InvalidParameterError(
            f"{name} must be {_NUMBER}; got {_describe(item)} (convert text to a number first)"
        )
    if isinstance(item, complex | np.complexfloating):
        raise InvalidParameterError(f"{name} must be {_NUMBER}; got {_describe(item)}")
    if isinstance(item, int) and abs(item) > _FLOAT_MAX:
        raise InvalidParameterError(
            f"{name} must be within the float64 range (|x| <= 1.8e308); got {_describe(item)}"
        )


def _walk(value: Any, name: str, depth: int = 0) -> None:
    """Check every element of a (nested) list or tuple; only called on Python sequences."""
    if depth > 32:
        raise InvalidParameterError(f"{name} is nested more than 32 levels deep")
    for item in value:
        if isinstance(item, list | tuple):
            _walk(item, name, depth + 1)
        else:
            _reject_element(item, name)


def to_float_array(value: Any, name: str) -> FloatArray:
    """``value`` as a float64 array, refusing what is not a real number (no range checks).

    Accepted: Python and numpy ints and floats (ints within the float64 range), and arrays
    or (nested) lists of them. Refused with `InvalidParameterError` naming ``name``:
    ``None``, strings and bytes (``"0.7"`` is not silently read as 0.7), booleans (``True``
    is not silently 1), complex numbers (not silently cast to their real part), Python ints
    beyond the float64 range, ragged lists and other objects. A float64 array is returned
    as it is (no copy): the check costs nothing on the hot path.

    Examples
    --------
    >>> to_float_array([1, 2.5], "surplus")
    array([1. , 2.5])
    >>> to_float_array("0.7", "weight")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: weight must be a number or an array of numbers; got the string '0.7' (convert text to a number first)
    >>> to_float_array(True, "weight")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: weight must be a number or an array of numbers; got the boolean True (booleans are not numbers here)
    >>> to_float_array(np.array([1 + 2j]), "surplus")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: surplus must be a number or an array of numbers; got an array of dtype complex128 and shape (1,) (complex numbers are not allowed)
    """
    if isinstance(value, np.ndarray):
        if value.dtype == np.float64:
            return value
        kind = value.dtype.kind
        if kind in "iuf":
            with np.errstate(over="ignore"):
                return value.astype(np.float64)  # float128 beyond range -> inf, caught later
        if kind == "O":
            items = value.tolist()
            return to_float_array(items, name) if isinstance(items, list) else _refuse(items, name)
        reason = {
            "b": "booleans are not numbers here",
            "c": "complex numbers are not allowed",
            "U": "convert text to numbers first",
            "S": "convert text to numbers first",
        }.get(kind, "not a numeric dtype")
        raise InvalidParameterError(f"{name} must be {_NUMBER}; got {_describe(value)} ({reason})")
    if value is None:
        raise InvalidParameterError(f"{name} must be {_NUMBER}; got None")
    if isinstance(value, float | np.floating) and not isinstance(value, np.longdouble):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, list | tuple):
        _walk(value, name)
    elif isinstance(value, bool | np.bool_ | str | bytes | complex | np.complexfloating | int):
        _reject_element(value, name)
    try:
        with np.errstate(over="ignore"):
            probe = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidParameterError(
            f"{name} must be {_NUMBER} (a regular, not ragged, nesting of lists); "
            f"got {_describe(value)}"
        ) from exc
    if probe.dtype.kind == "O":
        if probe.ndim and not isinstance(value, list | tuple):
            return to_float_array(probe.tolist(), name)  # e.g. an object array: walk it
        try:  # Python ints of float64 range mixed with floats (already walked above)
            with np.errstate(over="ignore"):
                return np.asarray(probe, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            return _refuse(value, name)
    return to_float_array(probe, name)


def _refuse(value: Any, name: str) -> FloatArray:
    raise InvalidParameterError(f"{name} must be {_NUMBER}; got {_describe(value)}")


def as_array(
    value: ArrayLike,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> FloatArray:
    """Convert ``value`` to a float64 array and check it.

    Parameters
    ----------
    value
        A number or anything ``numpy.asarray`` turns into a numeric array.
    name
        The parameter's name, used in error messages.
    low, high
        Bounds of the allowed interval (``None`` for unbounded).
    low_open, high_open
        Whether the bound itself is excluded.
    allow_inf
        Accept infinite values (NaN is never accepted).

    Returns
    -------
    numpy.ndarray
        A float64 array (a view of ``value`` when it already is one; never copied
        needlessly).

    Raises
    ------
    InvalidParameterError
        If ``value`` is not numeric, contains NaN (or inf unless allowed), or leaves the
        interval.

    Examples
    --------
    >>> as_array(3, "surplus", low=0)
    array(3.)
    >>> as_array([1.0, float("nan")], "surplus")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: surplus must be finite; got nan at index 1
    """
    array = to_float_array(value, name)
    if array.size == 0:
        raise InvalidParameterError(
            f"{name} must not be empty; got an array of shape {array.shape}"
        )
    # One fast reduction: the sum is finite iff every entry is (and no two large finite
    # entries overflow it, which the masks below then tell apart, without a warning).
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(array)) if array.ndim else float(array)
    if not np.isfinite(total):
        nan_mask = np.isnan(array)
        if nan_mask.any():
            raise InvalidParameterError(
                f"{name} must be {'a number, not NaN' if allow_inf else 'finite'}; "
                f"got {_where_first(nan_mask, array)}"
            )
        if not allow_inf:
            inf_mask = np.isinf(array)
            if inf_mask.any():
                raise InvalidParameterError(
                    f"{name} must be finite; got {_where_first(inf_mask, array)}"
                )
    if low is not None or high is not None:
        allowed = interval_text(low, high, low_open=low_open, high_open=high_open)
        if low is not None:
            smallest = float(array.min())
            if smallest < low or (low_open and smallest == low):
                bad = array <= low if low_open else array < low
                raise InvalidParameterError(
                    f"{name} must be in {allowed}; got {_where_first(bad, array)}"
                    if high is not None
                    else f"{name} must be {allowed}; got {_where_first(bad, array)}"
                )
        if high is not None:
            largest = float(array.max())
            if largest > high or (high_open and largest == high):
                bad = array >= high if high_open else array > high
                raise InvalidParameterError(
                    f"{name} must be in {allowed}; got {_where_first(bad, array)}"
                    if low is not None
                    else f"{name} must be {allowed}; got {_where_first(bad, array)}"
                )
    return array


def as_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is a whole number within ``[low, high]`` and return it as ``int``.

    Examples
    --------
    >>> as_int(5, "horizon", low=1)
    5
    >>> as_int(0.5, "horizon", low=1)
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: horizon must be a whole number; got 0.5
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        raise InvalidParameterError(f"{name} must be a whole number; got {value!r}")
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        raise InvalidParameterError(f"{name} must be a whole number; got {value!r}")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidParameterError(
            f"{name} must be a whole number "
            f"{'in ' if low is not None and high is not None else ''}{interval_text(low, high)}; "
            f"got {number}"
        )
    return number


def as_pair(
    value: ArrayLike | Sequence[ArrayLike],
    name: str,
    **checks: Any,
) -> tuple[FloatArray, FloatArray]:
    """Split a two-player parameter into its two components, each checked by `as_array`.

    ``value`` may be a pair ``(first, second)`` whose components are numbers or arrays (they
    need not have the same shape: they are broadcast later, by the solver), or an array whose
    last axis has length 2.

    Examples
    --------
    >>> first, second = as_pair((10.0, [30.0, 40.0]), "disagreement")
    >>> first, second
    (array(10.), array([30., 40.]))
    >>> as_pair([1.0, 2.0, 3.0], "disagreement")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: disagreement must be a pair (one value per player, order (buyer, seller)) or an array whose last axis has length 2; got an array of shape (3,)
    """
    if isinstance(value, np.ndarray):
        components: Sequence[Any] | None = None
        candidate = value
    elif isinstance(value, list | tuple) and len(value) == 2:
        components = value
        candidate = None
    else:
        components = None
        candidate = to_float_array(value, name)
    if components is None:
        assert candidate is not None
        if candidate.ndim == 0 or candidate.shape[-1] != 2:
            raise InvalidParameterError(
                f"{name} must be a pair (one value per player, order (buyer, seller)) or an "
                f"array whose last axis has length 2; got an array of shape {candidate.shape}"
            )
        components = (candidate[..., 0], candidate[..., 1])
    first = as_array(components[0], f"{name}[0]", **checks)
    second = as_array(components[1], f"{name}[1]", **checks)
    return first, second


def broadcast_named(**arrays: ArrayLike) -> tuple[int, ...]:
    """Return the broadcast shape of named arrays, or raise naming every shape.

    Examples
    --------
    >>> broadcast_named(surplus=np.ones((3, 4)), weight=np.ones(4))
    (3, 4)
    >>> broadcast_named(surplus=np.ones(3), weight=np.ones(4))
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: parameters do not broadcast together: surplus has shape (3,), weight has shape (4,)
    """
    shapes = {key: np.shape(item) for key, item in arrays.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError as exc:
        listing = ", ".join(f"{key} has shape {shape}" for key, shape in shapes.items())
        raise InvalidParameterError(f"parameters do not broadcast together: {listing}") from exc


def stack_last(first: ArrayLike, second: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """Stack two arrays broadcast to ``shape`` along a new last axis of length 2.

    One output allocation, two strided writes: cheaper than ``np.stack`` on broadcast views.

    Examples
    --------
    >>> stack_last(1.0, [2.0, 3.0], (2,))
    array([[1., 2.],
           [1., 3.]])
    """
    out = np.empty((*shape, 2), dtype=np.float64)
    out[..., 0] = first
    out[..., 1] = second
    return out


#: Fraction of the machine's physical memory one solver call may plan to allocate.
MEMORY_FRACTION = 0.8


def physical_memory() -> int | None:
    """Bytes of physical memory on this machine, or ``None`` where it cannot be found."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - non-POSIX systems
        return None


def _gib(size: int) -> str:
    """``size`` bytes in GiB, as text (sizes beyond a float's range as a power of two)."""
    if size.bit_length() < 1000:
        return f"{size / 2**30:.1f}"
    return f"about 2**{size.bit_length() - 31}"


def check_memory(
    shape: tuple[int, ...],
    bytes_per_point: int,
    what: str,
    *,
    limit: int | None = None,
    hint: str = (
        "stream it with out=: pg.sweep(solver, over=..., out=DIR) computes and writes it "
        "chunk by chunk in bounded memory"
    ),
) -> None:
    """Refuse, before allocating anything, work whose arrays cannot fit in memory.

    ``shape`` is the broadcast shape of the call, ``bytes_per_point`` what the call keeps per
    point (its outputs and any full-size temporaries). The product is taken in Python
    integers, so it cannot overflow. The limit is `MEMORY_FRACTION` of the machine's
    physical memory unless ``limit`` (bytes) is given.

    Examples
    --------
    >>> check_memory((1000, 1000), 17, "nash")  # 17 MB: fine
    >>> check_memory((10**5, 10**5), 17, "nash", limit=2**34)
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: nash: the parameters broadcast to shape (100000, 100000) = 10,000,000,000 points, which need 158.3 GiB (17 bytes per point) but the limit is 16.0 GiB; stream it with out=: pg.sweep(solver, over=..., out=DIR) computes and writes it chunk by chunk in bounded memory
    """
    points = math.prod(int(size) for size in shape)
    needed = points * int(bytes_per_point)
    if limit is None:
        memory = physical_memory()
        if memory is None:  # pragma: no cover
            return
        limit = int(MEMORY_FRACTION * memory)
    if needed > limit:
        raise InvalidParameterError(
            f"{what}: the parameters broadcast to shape {tuple(int(n) for n in shape)} = "
            f"{points:,} points, which need {_gib(needed)} GiB ({bytes_per_point} bytes "
            f"per point) but the limit is {limit / 2**30:.1f} GiB; {hint}"
        )
