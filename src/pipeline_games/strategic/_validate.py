"""Validation of payoff input for the strategic games (local to this subpackage).

`pipeline_games._arrays.as_array` converts with ``numpy.asarray(value, float)``, which
accepts booleans and (with a warning) complex numbers, and raises ``OverflowError`` on Python
integers beyond the float range. Payoffs need stricter rules: numbers only (integers,
floats, `fractions.Fraction`, `decimal.Decimal`), finite, within the float
range. `as_payoffs` applies them and then hands over to ``as_array``; it also keeps an
exact copy (``Fraction`` entries) when the input held exact numbers, for ``exact=True``.

Examples
--------
>>> as_payoffs([[1, 2]], "A")[0]
array([[1., 2.]])
>>> as_payoffs([[True, 2]], "A")
Traceback (most recent call last):
...
pipeline_games.errors.InvalidParameterError: A must hold numbers (int, float, Fraction, Decimal); got True (a bool) at index (0, 0)
"""

from __future__ import annotations

import numbers
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_array
from ..errors import InvalidParameterError

__all__ = ["as_payoffs", "as_probabilities"]


def _bad(name: str, value: Any, index: tuple[int, ...] | None) -> InvalidParameterError:
    where = "" if not index else f" at index {index[0] if len(index) == 1 else index}"
    return InvalidParameterError(
        f"{name} must hold numbers (int, float, Fraction, Decimal); "
        f"got {value!r} (a {type(value).__name__}){where}"
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, Fraction | Decimal | int | float | np.integer | np.floating):
        return True
    return isinstance(value, numbers.Rational)


def as_payoffs(value: Any, name: str) -> tuple[NDArray[np.float64], NDArray[np.object_] | None]:
    """Payoffs as a float64 array, plus an exact copy when the input was exact.

    Returns
    -------
    floats, exact
        ``exact`` is an object array of `Fraction` when any entry was a
        ``Fraction`` or ``Decimal`` (so that ``Fraction("0.1")`` stays one tenth), else
        ``None`` (floats and integers convert exactly from the float array).

    Raises
    ------
    InvalidParameterError
        For booleans, complex numbers, strings, ``None``, NaN, infinities, and numbers
        beyond the float range, naming the parameter, the value and its index.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return as_array(value, name), None
    try:
        raw = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise InvalidParameterError(
            f"{name} must be a rectangular array of numbers; got {value!r}"
        ) from exc
    if raw.dtype.kind == "b":
        raise _bad(name, bool(raw.flat[0]) if raw.size else raw, (0,) * raw.ndim)
    if raw.dtype.kind == "c":
        raise InvalidParameterError(f"{name} must hold real numbers; got a complex array")
    if raw.dtype.kind in "USV":
        raise _bad(name, raw.flat[0] if raw.size else raw, (0,) * raw.ndim)
    if raw.dtype.kind != "O":
        return as_array(raw, name), None
    if raw.size == 0:
        raise InvalidParameterError(f"{name} must not be empty; got an array of shape {raw.shape}")
    kinds = set(np.asarray(np.frompyfunc(type, 1, 1)(raw), dtype=object).ravel().tolist())
    if kinds <= {int, float, np.float64, np.int64}:
        try:
            return as_array(raw.astype(np.float64), name), None
        except OverflowError:
            pass  # a huge int: found and named below
    exact_needed = False
    out = np.empty(raw.shape, dtype=np.float64)
    for index, item in np.ndenumerate(raw):
        if not _is_number(item):
            if isinstance(item, complex | np.complexfloating):
                raise InvalidParameterError(
                    f"{name} must hold real numbers; got {item!r} at index {index}"
                )
            raise _bad(name, item, index)
        if isinstance(item, Fraction | Decimal):
            exact_needed = True
        try:
            out[index] = float(item)
        except OverflowError:
            raise InvalidParameterError(
                f"{name} must be finite numbers within the float range (|x| < 1.8e308); "
                f"got a number of about {len(str(abs(int(item))))} digits at index {index}"
            ) from None
    out = as_array(out, name)
    if not exact_needed:
        return out, None
    exact = np.empty(raw.shape, dtype=object)
    for index, item in np.ndenumerate(raw):
        exact[index] = (
            Fraction(item) if not isinstance(item, float | np.floating) else (Fraction(float(item)))
        )
    return out, exact


def as_probabilities(value: Any, name: str, length: int) -> NDArray[np.float64]:
    """Mixed strategies ``(..., length)``: numbers in [0, 1] (sums are not checked here)."""
    array, _ = as_payoffs(value, name)
    if array.ndim == 0 or array.shape[-1] != length:
        raise InvalidParameterError(
            f"{name} must have a last axis of length {length} (one probability per "
            f"strategy); got shape {array.shape}"
        )
    return as_array(array, name, low=0.0, high=1.0)


def as_tolerance(value: Any, name: str = "tol", **checks: Any) -> float:
    """A tolerance: one finite number (not an array, not a string or a boolean).

    Examples
    --------
    >>> as_tolerance(1e-9)
    1e-09
    >>> as_tolerance([1e-9, 1e-9])
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: tol must be a single number; got an array of shape (2,)
    """
    array = as_array(value, name, **checks)
    if array.ndim != 0:
        raise InvalidParameterError(
            f"{name} must be a single number; got an array of shape {array.shape}"
        )
    return float(array)
