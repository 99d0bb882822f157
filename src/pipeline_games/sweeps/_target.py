"""What a sweep evaluates: the `SweepTarget` protocol and solver adapters.

A sweep target is anything with

* ``parameter_names``: the names of the inputs a sweep may vary;
* ``bounds``: a mapping ``name -> (low, high)`` used when sampling without explicit ranges
  (may be empty);
* ``base``: a mapping ``name -> value``, the point a one-at-a-time sensitivity varies around;
* ``evaluate(**arrays) -> dict[str, numpy.ndarray]``: given 1-D arrays of equal length for
  some of the parameters (the others keep their base value), the named output columns, each
  1-D of the same length.

Cases from `pipeline_games.cases` satisfy the protocol by duck typing. Plain
bargaining solvers are wrapped by `sweep_target`.

Parameter names of a solver target
----------------------------------
The names are the solver's own argument names; a two-player argument (a pair) is split
by player name: ``disagreement.buyer`` (player 0) and ``disagreement.seller`` (player 1),
or the players' own names when the target has them (``players=("importer", "exporter")``).
``NAME.0`` and ``NAME.1`` are accepted too; result columns always carry the player names:

=====================  ==================================================================
``surplus``            size of the frontier (all frontiers)
``rate``               exchange rate of a linear frontier
``scale``, ``exponent`` shape of a power frontier (``frontier="power"``)
``disagreement.*``     disagreement point
``weight``             Nash weight of player 0 (``nash``)
``discount.*``         discount factors (``rubinstein``)
``rates.*``, ``period``  discount rates and period length (``rubinstein``)
``outside_options.*``  outside options (``rubinstein``)
``inside_options.*``   inside options (``rubinstein``)
``breakdown``          breakdown probability (``rubinstein``)
=====================  ==================================================================

Whole-number settings (``first_mover``, ``horizon``) and the frontier family
(``frontier="linear" | "power"``) can be fixed but not swept. Output columns are
those of `Outcome.to_frame`:
``payoff_<player>``, ``share_<player>`` (derived from the payoffs when read),
``agreement`` (bool) and, for ``rubinstein``, ``binding`` (``int8`` bit mask, see
`BINDING_BOTH`).

Cases and other targets take fixed values too: ``pg.sweep(case_name, parameter=value)``
wraps the case in a `PinnedTarget`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from math import prod
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .. import bargaining
from .._arrays import as_int
from ..bargaining import _fused
from ..errors import InvalidParameterError

__all__ = [
    "SWEEP_SOLVERS",
    "OverriddenParameterWarning",
    "PinnedTarget",
    "SolverTarget",
    "SweepTarget",
    "resolve_target",
    "sweep_target",
    "varying_bounds",
    "warn_overridden",
]

#: Bargaining solvers a sweep can target by name (the CLI accepts dashes too).
SWEEP_SOLVERS: dict[str, Callable[..., Any]] = {
    "nash": bargaining.nash,
    "kalai_smorodinsky": bargaining.kalai_smorodinsky,
    "egalitarian": bargaining.egalitarian,
    "utilitarian": bargaining.utilitarian,
    "rubinstein": bargaining.rubinstein,
}

PAIRS = ("disagreement", "discount", "rates", "outside_options", "inside_options")
FRONTIER_PARAMETERS = {"linear": ("surplus", "rate"), "power": ("surplus", "scale", "exponent")}
SOLVER_PARAMETERS: dict[str, tuple[str, ...]] = {
    "nash": ("weight",),
    "kalai_smorodinsky": (),
    "egalitarian": (),
    "utilitarian": (),
    "rubinstein": (
        "discount.0",
        "discount.1",
        "rates.0",
        "rates.1",
        "period",
        "outside_options.0",
        "outside_options.1",
        "inside_options.0",
        "inside_options.1",
        "breakdown",
    ),
}
#: Settings that may be fixed but not swept (whole numbers or choices).
SETTINGS = {"frontier", "first_mover", "horizon", "players"}
DEFAULTS: dict[str, float] = {
    "surplus": 100.0,
    "rate": 1.0,
    "scale": 1.0,
    "exponent": 0.5,
    "disagreement.0": 0.0,
    "disagreement.1": 0.0,
    "weight": 0.5,
    "period": 1.0,
    "breakdown": 0.0,
}


@runtime_checkable
class SweepTarget(Protocol):
    """What `sweep` evaluates (see the module docstring).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> isinstance(pg.sweep_target(pg.nash), pg.SweepTarget)
    True
    """

    @property
    def parameter_names(self) -> tuple[str, ...]: ...

    @property
    def bounds(self) -> Mapping[str, tuple[float, float]]: ...

    @property
    def base(self) -> Mapping[str, float]: ...

    def evaluate(self, **arrays: NDArray[Any]) -> dict[str, NDArray[Any]]: ...


def _solver_name(solver: Callable[..., Any] | str) -> str:
    if isinstance(solver, str):
        name = solver.replace("-", "_")
        if name not in SWEEP_SOLVERS:
            raise InvalidParameterError(
                f"solver must be one of {', '.join(SWEEP_SOLVERS)}; got {solver!r}"
            )
        return name
    for name, function in SWEEP_SOLVERS.items():
        if function is solver:
            return name
    raise InvalidParameterError(
        f"solver must be one of the bargaining solvers {', '.join(SWEEP_SOLVERS)} (or a case); "
        f"got {solver!r}"
    )


@dataclass(frozen=True, eq=False)
class SolverTarget:
    """A bargaining solver with fixed arguments, seen as a `SweepTarget`.

    Build it with `sweep_target`. It pickles by the solver's name, so process pools
    and Dask workers can run it.

    Attributes
    ----------
    solver
        Name of the solver in `SWEEP_SOLVERS`.
    fixed
        Values of the parameters that are not swept, by canonical name (``NAME.0`` for
        pairs); merged over the defaults.
    settings
        ``frontier``, ``first_mover``, ``horizon``, ``players``.
    bounds
        Ranges for sampling, by canonical name (empty unless given).

    Examples
    --------
    >>> import numpy as np
    >>> import pipeline_games as pg
    >>> target = pg.sweep_target(pg.nash, surplus=100.0, disagreement=(10.0, 30.0))
    >>> target.evaluate(weight=np.array([0.5, 0.6]))["payoff_buyer"]
    array([40., 46.])
    """

    solver: str
    fixed: Mapping[str, float] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def players(self) -> tuple[str, str]:
        first, second = self.settings.get("players", ("buyer", "seller"))
        return (str(first), str(second))

    @property
    def internal_names(self) -> tuple[str, ...]:
        """Parameter names with pairs split as ``NAME.0`` / ``NAME.1`` (as stored in ``fixed``)."""
        frontier = self.settings.get("frontier", "linear")
        return (
            *FRONTIER_PARAMETERS[frontier],
            "disagreement.0",
            "disagreement.1",
            *SOLVER_PARAMETERS[self.solver],
        )

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameter names, pairs split by player name (``disagreement.buyer``)."""
        return tuple(self._public(name) for name in self.internal_names)

    def _public(self, name: str) -> str:
        head, dot, tail = name.partition(".")
        return f"{head}.{self.players[int(tail)]}" if dot and tail in ("0", "1") else name

    def _internal(self, name: str) -> str:
        head, dot, tail = name.partition(".")
        return f"{head}.{self.players.index(tail)}" if dot and tail in self.players else name

    @property
    def base(self) -> Mapping[str, float]:
        """The fixed values by public name; for ``rubinstein`` also the options a sweep may
        switch on (outside options 0, inside options at the disagreement point)."""
        base = dict(self.fixed)
        if self.solver == "rubinstein":
            for pair in ("outside_options", "inside_options"):
                for k in (0, 1):
                    base.setdefault(f"{pair}.{k}", _pair_default(pair, k, base))
        return {self._public(name): value for name, value in base.items()}

    @property
    def shares(self) -> tuple[tuple[tuple[str, str], tuple[str, str]], ...]:
        """Share columns derived from the payoff columns (``share_<player>``)."""
        first, second = self.players
        return (((f"share_{first}", f"share_{second}"), (f"payoff_{first}", f"payoff_{second}")),)

    @property
    def output_names(self) -> tuple[str, ...]:
        first, second = self.players
        names = (f"payoff_{first}", f"payoff_{second}", "agreement")
        return (*names, "binding") if self.solver == "rubinstein" else names

    def canonical(self, name: str) -> str:
        """The public parameter name for ``name``: pairs by player name (``.0`` and ``.1``
        are accepted too), the names result columns carry.

        Examples
        --------
        >>> import pipeline_games as pg
        >>> pg.sweep_target("rubinstein").canonical("outside_options.1")
        'outside_options.seller'
        """
        return self._public(_canonical(name, self.players, self.internal_names))

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (stored in a sweep's manifest)."""
        return {
            "kind": "solver",
            "solver": self.solver,
            "fixed": {key: float(value) for key, value in sorted(self.fixed.items())},
            "settings": {key: _plain(value) for key, value in sorted(self.settings.items())},
        }

    @property
    def stored_layout(self) -> dict[str, tuple[str, ...]]:
        """The output columns held by each array of `evaluate_stored`.

        Examples
        --------
        >>> import pipeline_games as pg
        >>> pg.sweep_target("nash").stored_layout["payoffs"]
        ('payoff_buyer', 'payoff_seller')
        """
        first, second = self.players
        layout = {"payoffs": (f"payoff_{first}", f"payoff_{second}"), "agreement": ("agreement",)}
        if self.solver == "rubinstein":
            layout["binding"] = ("binding",)
        return layout

    def evaluate(self, **arrays: NDArray[Any]) -> dict[str, NDArray[Any]]:
        """Solve at the given parameter arrays (broadcast together); return 1-D output columns.

        The payoff columns are views of one ``(n, 2)`` array (see `evaluate_stored`).
        """
        stored = self.evaluate_stored(None, **arrays)
        columns: dict[str, NDArray[Any]] = {}
        for name, array in stored.items():
            names = self.stored_layout[name]
            if array.ndim == 1:
                columns[names[0]] = array
            else:
                columns.update((column, array[:, k]) for k, column in enumerate(names))
        return columns

    @property
    def accepts_out(self) -> bool:
        """Whether `evaluate_stored` can write into preallocated arrays (``out=``): for
        ``nash`` and ``rubinstein`` on a linear frontier (the solvers' ``out=``)."""
        return self.solver in ("nash", "rubinstein") and self._linear()

    @cached_property
    def _name_map(self) -> dict[str, str]:
        """Accepted parameter name -> internal name (``NAME.0`` for pairs), computed once."""
        mapping = {}
        for internal in self.internal_names:
            mapping[internal] = internal
            mapping[self._public(internal)] = internal
        return mapping

    def _linear(self) -> bool:
        return self.settings.get("frontier", "linear") == "linear"

    def _takes_compiled(self, swept: Any) -> bool:
        """Whether the compiled kernels take this target's calls when ``swept`` (names) vary:
        linear frontier, infinite horizon, and the game's coefficients (the frontier's rate,
        discounts, breakdown) single numbers (see `pipeline_games.bargaining._fused`)."""
        if not self.accepts_out or self.settings.get("horizon") is not None:
            return False
        coefficients = {"rate", "discount.0", "discount.1", "rates.0", "rates.1", "period"}
        coefficients.add("breakdown")
        return not coefficients.intersection(swept)

    def evaluate_stored(
        self, out: Mapping[str, NDArray[Any]] | None = None, **arrays: NDArray[Any]
    ) -> dict[str, NDArray[Any]]:
        """Solve at broadcastable parameter arrays; return the arrays a sweep stores.

        The inputs may be any arrays that broadcast together, such as the ``(rows, 1)`` and
        ``(1, m)`` blocks of `block`: the numpy kernels run
        on the broadcast shape without materializing the inputs. (Where the compiled kernels
        will run, `pipeline_games.bargaining._fused.enabled`, and take this target's
        layout, the blocks are expanded to full-shape arrays first: those kernels read one
        contiguous array or one number per input.) The outputs are flat, one
        row per point in C order: ``payoffs`` of shape ``(n, 2)`` (the solver's own array,
        not copied), ``agreement`` and, for ``rubinstein``, ``binding`` of shape ``(n,)``.
        `stored_layout` names their columns.

        ``out``: preallocated flat C-contiguous arrays of these shapes and dtypes (where
        `accepts_out`), which the solver fills (its ``out=``) and which are returned.

        Examples
        --------
        >>> import numpy as np
        >>> import pipeline_games as pg
        >>> target = pg.sweep_target(pg.nash, disagreement=(10.0, 30.0))
        >>> stored = target.evaluate_stored(surplus=np.array([[100.0], [200.0]]),
        ...                                 weight=np.array([[0.5, 0.6]]))
        >>> stored["payoffs"]
        array([[ 40.,  60.],
               [ 46.,  54.],
               [ 90., 110.],
               [106.,  94.]])
        """
        values: dict[str, Any] = dict(self.fixed)
        names = self._name_map
        swept: dict[str, Any] = {
            names.get(name) or self._internal(self.canonical(name)): array
            for name, array in arrays.items()
        }
        shape = np.broadcast_shapes(*(np.shape(array) for array in arrays.values()))
        shape = shape if arrays else (1,)
        size = prod(shape)
        if _fused.enabled(shape) and self._takes_compiled(swept):
            swept = {name: _expanded(array, shape) for name, array in swept.items()}
        values.update(swept)
        settings = self.settings
        players = self.players
        if settings.get("frontier", "linear") == "linear":
            problem = bargaining.BargainingProblem.linear(
                values["surplus"],
                (values["disagreement.0"], values["disagreement.1"]),
                rate=values["rate"],
                players=players,
            )
        else:
            problem = bargaining.BargainingProblem.power(
                values["surplus"],
                (values["disagreement.0"], values["disagreement.1"]),
                scale=values["scale"],
                exponent=values["exponent"],
                players=players,
            )
        solver = SWEEP_SOLVERS[self.solver]
        given: dict[str, NDArray[Any]] | None = None
        if out is not None:
            if not self.accepts_out:
                raise InvalidParameterError(
                    f"out is supported for nash and rubinstein on a linear frontier; this "
                    f"target is {self.solver} on a {settings.get('frontier', 'linear')} frontier"
                )
            given = {}
            for name in ("payoffs", "agreement", "binding")[: 3 if self.solver != "nash" else 2]:
                array = out.get(name)
                if (
                    not isinstance(array, np.ndarray)
                    or not array.flags.c_contiguous
                    or array.shape[:1] != (size,)
                ):
                    got = array.shape if isinstance(array, np.ndarray) else type(array).__name__
                    raise InvalidParameterError(
                        f"out[{name!r}] must be a C-contiguous array of {size} rows; got {got}"
                    )
                # a view of the same memory; the solver checks shape, dtype and writeability
                given[name] = array.reshape((*shape, *array.shape[1:]))
        if self.solver == "nash":
            outcome = solver(problem, weight=values["weight"], out=given)
        elif self.solver == "rubinstein":
            kwargs: dict[str, Any] = {
                "period": values.get("period", 1.0),
                "breakdown": values["breakdown"],
                "first_mover": settings.get("first_mover", 0),
                "horizon": settings.get("horizon"),
            }
            for pair in ("discount", "rates", "outside_options", "inside_options"):
                if f"{pair}.0" in values or f"{pair}.1" in values:
                    kwargs[pair] = tuple(
                        values.get(f"{pair}.{k}", _pair_default(pair, k, values)) for k in (0, 1)
                    )
            outcome = solver(problem, out=given, **kwargs)
        else:
            outcome = solver(problem)
        # Flat views of the solver's arrays where they already have the full shape (no copy).
        stored: dict[str, NDArray[Any]] = {
            "payoffs": _full(outcome.payoffs, (*shape, 2)).reshape(size, 2),
            "agreement": _full(outcome.agreement, shape).reshape(size),
        }
        if outcome.binding is not None:
            stored["binding"] = _full(outcome.binding, shape).reshape(size)
        return stored


def _number(value: Any, name: str) -> float:
    """A finite real number; strings, booleans, complex numbers, NaN and inf are refused.

    Examples
    --------
    >>> _number(2, "surplus")
    2.0
    >>> _number("2", "surplus")
    Traceback (most recent call last):
    ...
    pipeline_games.errors.InvalidParameterError: surplus must be a finite number; got '2'
    """
    if isinstance(value, bool | np.bool_ | str | bytes | complex | np.complexfloating) or not (
        isinstance(value, int | float | np.integer | np.floating)
        or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")
    ):
        raise InvalidParameterError(f"{name} must be a finite number; got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    if not np.isfinite(number):
        raise InvalidParameterError(f"{name} must be a finite number; got {value!r}")
    return number


def _setting(key: str, value: Any) -> Any:
    """Check a solver setting (``frontier``, ``first_mover``, ``horizon``, ``players``)."""
    if key == "frontier":
        if value not in FRONTIER_PARAMETERS:
            raise InvalidParameterError(f"frontier must be 'linear' or 'power'; got {value!r}")
        return value
    if key == "first_mover":
        return as_int(value, "first_mover", low=0, high=1)
    if key == "horizon":
        return None if value is None else as_int(value, "horizon", low=1)
    if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
        raise InvalidParameterError(f"players must be a pair of names; got {value!r}")
    first, second = (str(name) for name in value)
    if first == second or not first or not second or "." in first + second:
        raise InvalidParameterError(
            f"players must be two distinct non-empty names without dots; got {value!r}"
        )
    return (first, second)


def _full(array: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """``array`` with ``shape``, C-contiguous; copied only if it has to be broadcast."""
    if array.shape != shape:
        array = np.broadcast_to(array, shape)
    return np.ascontiguousarray(array)


def _expanded(array: Any, shape: tuple[int, ...]) -> Any:
    """``array`` as a C-contiguous array of ``shape`` (a copy if broadcast); a number stays."""
    if np.size(array) == 1 or np.shape(array) == shape:
        return array
    full = np.empty(shape, dtype=np.result_type(array, np.float64))
    np.copyto(full, array)  # broadcasts
    return full


def _pair_default(pair: str, player: int, values: Mapping[str, Any]) -> Any:
    """Value of one half of a pair when only the other half is given."""
    if pair == "inside_options":
        return values[f"disagreement.{player}"]
    return 0.0 if pair == "outside_options" else 0.9


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _canonical(name: str, players: tuple[str, str], allowed: tuple[str, ...]) -> str:
    head, dot, tail = name.partition(".")
    if dot and tail in players:
        name = f"{head}.{players.index(tail)}"
    if name not in allowed:
        raise InvalidParameterError(
            f"parameter name must be one of {', '.join(allowed)} (pairs as NAME.0/NAME.1 or "
            f"NAME.{players[0]}/NAME.{players[1]}); got {name!r}"
        )
    return name


def sweep_target(
    solver: Callable[..., Any] | str,
    *,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    **fixed: Any,
) -> SolverTarget:
    """Wrap a bargaining solver and its fixed arguments as a `SweepTarget`.

    Parameters
    ----------
    solver
        One of `SWEEP_SOLVERS`, as the function (``pg.nash``) or its name (``"nash"``).
    bounds
        Optional ranges ``name -> (low, high)`` for sampling and sensitivity.
    **fixed
        Fixed arguments, by the solver's argument names: numbers, pairs
        (``disagreement=(10, 30)``) or split names passed as a dict
        (``**{"disagreement.1": 30}``); settings ``frontier="linear" | "power"``,
        ``first_mover``, ``horizon``, ``players``. Unnamed parameters keep their defaults
        (``surplus=100``, ``disagreement=(0, 0)``, ``weight=0.5``, ``rate=1``,
        ``scale=1``, ``exponent=0.5``, ``period=1``, ``breakdown=0``; ``rubinstein``
        without ``discount`` or ``rates`` uses ``discount=(0.9, 0.9)``). When only one half
        of a pair is given or swept, the other half is 0.9 for ``discount``/``rates``, 0 for
        ``outside_options`` and the disagreement payoff for ``inside_options``; a
        ``rubinstein`` target without ``outside_options`` has none.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> target = pg.sweep_target(pg.rubinstein, surplus=1.0, discount=(0.9, 0.9),
    ...                          outside_options=(0.0, 0.6))
    >>> target.parameter_names[:4]
    ('surplus', 'rate', 'disagreement.buyer', 'disagreement.seller')
    >>> target.base["outside_options.seller"]
    0.6
    """
    name = _solver_name(solver)
    settings: dict[str, Any] = {}
    values: dict[str, float] = {}
    for key, value in fixed.items():
        if key in SETTINGS:
            settings[key] = _setting(key, value)
        elif key in PAIRS and not np.isscalar(value) and not isinstance(value, str):
            try:
                pair = tuple(value)
            except TypeError:
                pair = (value,)
            if len(pair) != 2:
                raise InvalidParameterError(f"{key} must be a pair (buyer, seller); got {value!r}")
            values[f"{key}.0"] = _number(pair[0], f"{key}[0]")
            values[f"{key}.1"] = _number(pair[1], f"{key}[1]")
        else:
            values[key] = _number(value, key)
    frontier = settings.setdefault("frontier", "linear")
    if frontier not in FRONTIER_PARAMETERS:
        raise InvalidParameterError(f"frontier must be 'linear' or 'power'; got {frontier!r}")
    if "players" in settings:
        settings["players"] = tuple(settings["players"])
    target = SolverTarget(name, {}, settings, {})
    allowed = target.internal_names
    merged = {key: value for key, value in DEFAULTS.items() if key in allowed}
    for key, value in values.items():
        merged[target._internal(target.canonical(key))] = value
    if name == "rubinstein":
        if not any(key.startswith(("discount.", "rates.")) for key in merged):
            merged["discount.0"] = merged["discount.1"] = 0.9
        for pair_name in ("discount", "rates", "outside_options", "inside_options"):
            if f"{pair_name}.0" in merged or f"{pair_name}.1" in merged:
                for k in (0, 1):
                    merged.setdefault(f"{pair_name}.{k}", _pair_default(pair_name, k, merged))
        if "rates.0" not in merged:
            merged.pop("period", None)
    checked_bounds = {
        target.canonical(key): (
            _number(low, f"low end of {key}"),
            _number(high, f"high end of {key}"),
        )
        for key, (low, high) in (bounds or {}).items()
    }
    return SolverTarget(name, merged, settings, checked_bounds)


def resolve_target(target: Any, **fixed: Any) -> Any:
    """Turn what a user passes to `sweep` into a sweep target.

    A solver function or a solver name becomes a `SolverTarget` with ``fixed``;
    another string is looked up with ``pipeline_games.cases.load``; any object with
    ``parameter_names``, ``bounds``, ``base`` and ``evaluate`` is used as it is.

    Examples
    --------
    >>> resolve_target("nash", surplus=10.0).base["surplus"]
    10.0
    """
    if isinstance(target, SolverTarget):
        if fixed:
            raise InvalidParameterError(
                "fixed arguments go into sweep_target(...), not next to a ready target"
            )
        return target
    if callable(target) and any(target is function for function in SWEEP_SOLVERS.values()):
        return sweep_target(target, **fixed)
    if isinstance(target, str):
        if target.replace("-", "_") in SWEEP_SOLVERS:
            return sweep_target(target, **fixed)
        from ..cases import load

        target = load(target)
    missing = [
        attribute
        for attribute in ("parameter_names", "bounds", "base", "evaluate")
        if not hasattr(target, attribute)
    ]
    if missing:
        raise InvalidParameterError(
            f"target must be a bargaining solver, a case or an object with parameter_names, "
            f"bounds, base and evaluate; {target!r} lacks {', '.join(missing)}"
        )
    if fixed:
        return PinnedTarget.of(target, fixed)
    return target


class OverriddenParameterWarning(UserWarning):
    """A swept parameter is replaced by another in some epochs, so it moves fewer outputs.

    Examples
    --------
    >>> issubclass(OverriddenParameterWarning, UserWarning)
    True
    """


@dataclass(frozen=True, eq=False)
class PinnedTarget:
    """A target (such as a case) with some parameters fixed at given values.

    The fixed parameters keep their value in every evaluation and leave `bounds`, so
    default sample boxes, tornados and Sobol analyses vary only the others. Build it with
    ``pg.sweep(case, china_value=500.0)`` (or ``tornado``/``sobol_indices``), or with
    `of`.

    Examples
    --------
    >>> import numpy as np
    >>> class Line:
    ...     parameter_names = ("a", "b")
    ...     bounds = {"a": (0.0, 1.0), "b": (0.0, 2.0)}
    ...     base = {"a": 0.5, "b": 1.0}
    ...     def evaluate(self, **arrays):
    ...         a, b = arrays.get("a", 0.5), arrays.get("b", 1.0)
    ...         return {"y": np.broadcast_to(a + 10 * b, np.broadcast_shapes(np.shape(a), np.shape(b)))}
    >>> pinned = PinnedTarget.of(Line(), {"b": 3.0})
    >>> pinned.bounds, pinned.base["b"], pinned.evaluate(a=np.array([0.0, 1.0]))["y"]
    ({'a': (0.0, 1.0)}, 3.0, array([30., 31.]))
    """

    inner: Any
    fixed: Mapping[str, float]

    @classmethod
    def of(cls, target: Any, fixed: Mapping[str, Any]) -> PinnedTarget:
        """``target`` with ``fixed`` values (names checked, numbers finite)."""
        allowed = tuple(target.parameter_names)
        values: dict[str, float] = {}
        for name, value in fixed.items():
            if name not in allowed:
                raise InvalidParameterError(
                    f"cannot fix {name!r}: no such parameter; parameters are {', '.join(allowed)}"
                )
            values[name] = _number(value, name)
        if isinstance(target, PinnedTarget):
            return cls(target.inner, {**target.fixed, **values})
        return cls(target, values)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(self.inner.parameter_names)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        return {k: v for k, v in dict(self.inner.bounds).items() if k not in self.fixed}

    @property
    def base(self) -> dict[str, float]:
        return {**dict(self.inner.base), **self.fixed}

    @property
    def name(self) -> str:
        return str(getattr(self.inner, "name", ""))

    @property
    def epochs(self) -> Any:
        return getattr(self.inner, "epochs", ())

    def source_parameter(self, name: str, year: int | None) -> str:
        return str(self.inner.source_parameter(name, year))

    def evaluate(self, **arrays: Any) -> dict[str, NDArray[Any]]:
        return dict(self.inner.evaluate(**{**self.fixed, **arrays}))

    def describe(self) -> dict[str, Any]:
        inner = self.inner
        describe = getattr(inner, "describe", None)
        if callable(describe):
            description = dict(describe())
        else:
            kind = type(inner)
            description = {
                "kind": "object",
                "type": f"{kind.__module__}.{kind.__qualname__}",
                "name": str(getattr(inner, "name", "")),
                "base": {key: float(value) for key, value in dict(inner.base).items()},
            }
        return {**description, "fixed": {k: float(v) for k, v in sorted(self.fixed.items())}}


def varying_bounds(target: Any) -> dict[str, tuple[float, float]]:
    """The target's bounds of the parameters that can vary (``low < high``).

    Parameters fixed in the case file (``low == high``) or pinned by a fixed value are left
    out: they would add nothing to a sample and break a Sobol analysis.

    Examples
    --------
    >>> class T:
    ...     bounds = {"a": (0.0, 1.0), "b": (2.0, 2.0)}
    >>> varying_bounds(T())
    {'a': (0.0, 1.0)}
    """
    return {
        name: (float(low), float(high))
        for name, (low, high) in dict(target.bounds).items()
        if float(low) < float(high)
    }


def default_box(target: Any) -> dict[str, tuple[float, float]]:
    """The ranges a sweep, tornado or Sobol analysis uses when none are given.

    The parameters that can vary (`varying_bounds`), less those that every epoch
    replaces by another parameter (they move no output).
    """
    box = varying_bounds(target)
    years = [int(epoch.year) for epoch in (getattr(target, "epochs", None) or ())]
    if years:
        box = {
            name: bounds
            for name, bounds in box.items()
            if len(overriding_epochs(target, name)) < len(years)
        }
    return box


def overriding_epochs(target: Any, name: str) -> list[tuple[int, str]]:
    """The epochs (year, replacing parameter) in which ``name`` takes another parameter's value.

    Empty for targets without epochs.
    """
    epochs = getattr(target, "epochs", None)
    source = getattr(target, "source_parameter", None)
    if not epochs or not callable(source):
        return []
    years = [int(epoch.year) for epoch in epochs]
    found: list[tuple[int, str]] = []
    for year in years:
        try:
            replacement = str(source(name, year))
        except (KeyError, LookupError, ValueError):
            continue
        if replacement != name:
            found.append((year, replacement))
    return found


def warn_overridden(target: Any, names: tuple[str, ...]) -> None:
    """Warn, naming the epochs, when a swept parameter is replaced in some epochs.

    (Sweeping ``central_asia_volume`` of a case whose 2009 epoch replaces it by
    ``central_asia_volume_2009`` moves only the outputs of the years before.)
    """
    epochs = getattr(target, "epochs", None) or ()
    all_years = [int(epoch.year) for epoch in epochs]
    for name in names:
        found = overriding_epochs(target, name)
        if not found:
            continue
        listed = ", ".join(f"{year} (by {replacement})" for year, replacement in found)
        moved = [year for year in all_years if year not in {y for y, _ in found}]
        effect = (
            f"it moves only the outputs of {', '.join(map(str, moved))}"
            if moved
            else "it moves no epoch's outputs"
        )
        warnings.warn(
            f"swept parameter {name} is overridden in epoch(s) {listed}: {effect}",
            OverriddenParameterWarning,
            stacklevel=4,
        )
