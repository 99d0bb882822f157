"""The contract every result type of the package follows.

A result is a frozen dataclass that derives from `Result`. The base class gives it:

- read-only arrays: every array held by the result (directly, in a tuple, or in a dict of
  parameters) is a view with ``writeable=False``, so a result cannot be changed after the
  solver returned it;
- ``to_dict()``: plain Python (lists, floats, strings, bools), ready for ``json.dumps``;
- ``to_frame()``: a pandas DataFrame, one row per parameter point (or per item, for results
  that are lists of things such as equilibria);
- a compact ``repr`` that names the type, the method and the shape, never the arrays;
- ``labels()``: the result's categorical answer in words (which constraint binds, which
  regime, which governance form), for the types that have one.

Subclasses declare ``@dataclass(frozen=True, eq=False, repr=False)`` and may override
`Result.to_dict`, `Result.to_frame`, `Result.labels` and the ``shape``
property; a subclass with its own ``__post_init__`` calls ``super().__post_init__()`` last.

Examples
--------
>>> from dataclasses import dataclass
>>> import numpy as np
>>> @dataclass(frozen=True, eq=False, repr=False)
... class Split(Result):
...     payoffs: np.ndarray
...     method: str = "split"
...     players: tuple[str, str] = ("buyer", "seller")
>>> result = Split(np.array([[1.0, 2.0], [3.0, 4.0]]))
>>> result
Split(method='split', shape=(2,))
>>> result.payoffs.flags.writeable
False
>>> result.to_dict()["payoffs"]
[[1.0, 2.0], [3.0, 4.0]]
>>> list(result.to_frame().columns)
['payoffs_buyer', 'payoffs_seller']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .errors import MissingExtraError

__all__ = ["Result", "frozen", "plain"]


def frozen(value: Any) -> Any:
    """``value`` with every array in it replaced by a read-only view.

    Arrays inside tuples, lists and dicts are frozen too (the containers are rebuilt, with
    the same type); other values are returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros(2)
    >>> b = frozen(a)
    >>> b.flags.writeable, a.flags.writeable
    (False, True)
    """
    if isinstance(value, np.ndarray):
        if not value.flags.writeable:
            return value
        view = value.view()
        view.flags.writeable = False
        return view
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(frozen(item) for item in value)
    if isinstance(value, list):
        return [frozen(item) for item in value]
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    return value


def plain(value: Any) -> Any:
    """``value`` as plain Python for JSON: arrays and numpy scalars become lists and numbers,
    non-finite floats become ``None`` (strict JSON has no NaN).

    Examples
    --------
    >>> import numpy as np
    >>> plain({"x": np.array([1.0, np.nan]), "n": np.int64(3), "t": (np.float32(0.5),)})
    {'x': [1.0, None], 'n': 3, 't': [0.5]}
    """
    if isinstance(value, Result) or callable(getattr(value, "to_dict", None)):
        return plain(value.to_dict())
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list | set | frozenset):
        return [plain(item) for item in value]
    if value is None or isinstance(value, str | bool | int):
        return value
    return repr(value)


@dataclass(frozen=True, eq=False, repr=False)
class Result:
    """Base class of every result type (see the module docstring for the contract)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            fixed = frozen(value)
            if fixed is not value:
                object.__setattr__(self, item.name, fixed)

    # -- shape and method ---------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the parameter grid the result covers (``()`` for one point).

        The default is the shape of the first array field, less a trailing axis of one entry
        per player where the type has ``players``.
        """
        players = getattr(self, "players", None)
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                shape = tuple(value.shape)
                if players is not None and shape and shape[-1] == len(players):
                    return shape[:-1]
                return shape
        return ()

    def _method_name(self) -> str:
        method = getattr(self, "method", None)
        return str(method) if method is not None else type(self).__name__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(method={self._method_name()!r}, shape={self.shape})"

    # -- conversions ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python (nested lists, numbers, strings), ready for JSON."""
        return {item.name: plain(getattr(self, item.name)) for item in fields(self)}

    def _frame_columns(self) -> dict[str, Any]:
        """Columns for `to_frame`: one value per parameter point."""
        shape = self.shape
        size = int(np.prod(shape, dtype=np.int64))
        players = getattr(self, "players", None)
        columns: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, np.ndarray):
                continue
            if value.shape == shape:
                columns[item.name] = value.reshape(size)
            elif value.shape[:-1] == shape and value.ndim == len(shape) + 1:
                names = (
                    list(players)
                    if players is not None and len(players) == value.shape[-1]
                    else [str(i) for i in range(value.shape[-1])]
                )
                flat = value.reshape(size, value.shape[-1])
                for index, name in enumerate(names):
                    columns[f"{item.name}_{name}"] = flat[:, index]
        try:
            labels = self.labels()
        except NotImplementedError:
            labels = None
        if labels is not None and np.shape(labels) == shape:
            columns["label"] = np.asarray(labels).reshape(size)
        return columns

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per parameter point (needs pandas).

        Columns are the result's arrays of the grid's shape, and one column per player (or
        per entry) for arrays with one more axis; numeric columns keep their dtypes.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas comes with the data extra
            raise MissingExtraError("pandas", "data", f"{type(self).__name__}.to_frame") from exc
        return pd.DataFrame(self._frame_columns())

    def labels(self) -> Any:
        """The result's categorical answer in words, for the types that have one.

        Raises
        ------
        NotImplementedError
            For result types without a categorical answer.
        """
        raise NotImplementedError(f"{type(self).__name__} has no labels")
