r"""Sensitivity of a target's output to its parameters: tornado (one at a time) and Sobol.

* [`tornado`][pipeline_games.sweeps.tornado] moves each parameter alone from its base value to the low and the high
  end of its range, the others held at base, and reports the output at both ends (the
  classic tornado diagram, bars sorted by swing ``|y(high) - y(low)|``). It is cheap
  (``2k + 1`` evaluations) but blind to interactions.
* [`sobol_indices`][pipeline_games.sweeps.sobol_indices] estimates variance-based indices with SALib (the ``sensitivity``
  extra) from Saltelli's sampling scheme: the first-order index
  :math:`S_i = V[E(Y \mid X_i)] / V(Y)` is the share of the output variance explained by
  ``X_i`` alone, the total index :math:`S_{Ti} = E[V(Y \mid X_{\sim i})] / V(Y)` includes
  every interaction involving ``X_i`` (Saltelli et al. 2010). Parameters are uniform on
  their ranges.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S. (2010).
Variance based sensitivity analysis of model output. *Computer Physics Communications*
181(2), 259-270.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import as_array, as_int
from .._results import Result
from ..errors import InvalidParameterError, MissingExtraError
from ._target import _number, default_box, resolve_target

__all__ = ["SobolResult", "TornadoResult", "sobol_indices", "tornado"]

FloatArray = NDArray[np.float64]


def _ranges(
    target: Any, over: Mapping[str, Any] | None
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    canonical = getattr(target, "canonical", lambda name: name)
    if over is not None and not isinstance(over, Mapping):
        raise InvalidParameterError(f"over must be a mapping {{name: (low, high)}}; got {over!r}")
    source = dict(over) if over else default_box(target)
    if not source:
        raise InvalidParameterError(
            "sensitivity needs ranges: over={name: (low, high), ...} or a target with bounds "
            "of positive width"
        )
    for name, spec in source.items():
        if not isinstance(spec, tuple | list) or len(spec) != 2:
            raise InvalidParameterError(f"range of {name} must be (low, high); got {spec!r}")
    names = tuple(canonical(name) for name in source)
    unknown = [name for name in names if name not in tuple(target.parameter_names)]
    if unknown:
        raise InvalidParameterError(
            f"parameter name must be one of {', '.join(target.parameter_names)}; got {unknown[0]!r}"
        )
    lows = np.array([_number(spec[0], f"low end of {name}") for name, spec in source.items()])
    highs = np.array([_number(spec[1], f"high end of {name}") for name, spec in source.items()])
    if np.any(highs < lows):
        bad = int(np.flatnonzero(highs < lows)[0])
        raise InvalidParameterError(
            f"range of {names[bad]} must have low <= high; got ({lows[bad]:g}, {highs[bad]:g})"
        )
    return names, lows, highs


def _output(columns: Mapping[str, NDArray[Any]], output: str | None) -> tuple[str, FloatArray]:
    name = output if output is not None else next(iter(columns))
    if name not in columns:
        raise InvalidParameterError(f"output must be one of {', '.join(columns)}; got {output!r}")
    return name, np.asarray(columns[name], dtype=np.float64)


@dataclass(frozen=True, eq=False, repr=False)
class TornadoResult(Result):
    """One-at-a-time sensitivity around a base point, sorted by swing (largest first).

    An output can be undefined (NaN or infinite) at an end of a parameter's range: for a
    case's price or share, there is no deal there. Such a parameter has no swing (``swing``
    is NaN): the ``ranked`` parameters with both ends defined come first, sorted by swing,
    then the others in their given order, flagged by ``undefined_low`` / ``undefined_high``
    and by `labels`.

    Attributes
    ----------
    names
        Parameter names.
    lows, highs
        The range each parameter was moved over.
    base_values
        Each parameter's base value.
    at_low, at_high
        The output with that parameter at its low / high end, the others at base (NaN
        where the output is undefined there).
    base_output
        The output at the base point (always defined: `tornado` refuses an undefined base).
    output
        The output column analysed.
    undefined_low, undefined_high
        Whether the output is undefined (not finite) with the parameter at its low / high
        end.
    ranked
        How many parameters (the first ones) have both ends defined and so a swing.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> swing = pg.tornado(pg.nash, over={"weight": (0.4, 0.6)}, surplus=100.0)
    >>> swing.names, swing.at_low, swing.at_high  # the buyer's payoff is 100 w
    (('weight',), array([40.]), array([60.]))
    >>> swing.labels(), swing.ranked
    (['weight'], 1)
    """

    names: tuple[str, ...]
    lows: FloatArray
    highs: FloatArray
    base_values: FloatArray
    at_low: FloatArray
    at_high: FloatArray
    base_output: float
    output: str
    undefined_low: NDArray[np.bool_] | None = None
    undefined_high: NDArray[np.bool_] | None = None
    ranked: int = -1

    def __post_init__(self) -> None:
        if self.undefined_low is None:
            object.__setattr__(self, "undefined_low", ~np.isfinite(self.at_low))
        if self.undefined_high is None:
            object.__setattr__(self, "undefined_high", ~np.isfinite(self.at_high))
        if self.ranked < 0:
            both = ~(np.asarray(self.undefined_low) | np.asarray(self.undefined_high))
            object.__setattr__(self, "ranked", int(np.sum(both)))
        super().__post_init__()

    @property
    def swing(self) -> FloatArray:
        """``|at_high - at_low|`` per parameter; NaN where an end is undefined."""
        undefined = np.asarray(self.undefined_low) | np.asarray(self.undefined_high)
        return np.where(undefined, np.nan, np.abs(self.at_high - self.at_low))

    def labels(self) -> list[str]:
        """Each parameter's name, with ``(undefined at the low end)`` (``high``, ``both``)
        where the output has no value there."""
        out = []
        for name, low, high in zip(
            self.names,
            np.asarray(self.undefined_low),
            np.asarray(self.undefined_high),
            strict=True,
        ):
            if low and high:
                out.append(f"{name} (undefined at both ends)")
            elif low or high:
                out.append(f"{name} (undefined at the {'low' if low else 'high'} end)")
            else:
                out.append(name)
        return out

    def plot(self, ax: Any = None) -> Any:
        """Tornado diagram on a matplotlib ``Axes`` (needs the ``plot`` extra); an end
        where the output is undefined has no bar and its parameter's label says so."""
        ax = _axes(ax)
        positions = np.arange(len(self.names))[::-1]
        low = np.where(np.asarray(self.undefined_low), 0.0, self.at_low - self.base_output)
        high = np.where(np.asarray(self.undefined_high), 0.0, self.at_high - self.base_output)
        ax.barh(positions, low, left=self.base_output, label="low")
        ax.barh(positions, high, left=self.base_output, label="high")
        ax.axvline(self.base_output, color="black", linewidth=0.8)
        ax.set_yticks(positions, self.labels())
        ax.set_xlabel(self.output)
        ax.set_title("one-at-a-time sensitivity")
        ax.legend()
        return ax


def tornado(
    target: Any,
    over: Mapping[str, tuple[float, float]] | None = None,
    *,
    output: str | None = None,
    base: Mapping[str, float] | None = None,
    **fixed: Any,
) -> TornadoResult:
    """One-at-a-time sensitivity of ``output`` around the base point.

    Parameters
    ----------
    target
        A solver (with ``**fixed`` arguments), a sweep target or a case.
    over
        ``{name: (low, high)}``; default the target's ``bounds`` of the parameters that can
        vary (see `default_box`).
    output
        Output column; default the first (``payoff_buyer`` for the solvers).
    base
        Base values overriding the target's ``base``.

    Returns
    -------
    TornadoResult
        Where the output is undefined (NaN or infinite: for a case's price, no deal) at an
        end of a parameter's range, that end is flagged (``undefined_low`` /
        ``undefined_high``, `TornadoResult.labels`) and the parameter has no swing; only
        the parameters defined at both ends are ranked (the first ``ranked`` ones).

    Raises
    ------
    InvalidParameterError
        If the output is undefined at the base point itself (there is nothing to swing
        around: choose another base or an output defined there).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> t = pg.tornado(pg.nash, over={"weight": (0.4, 0.6), "disagreement.0": (0.0, 20.0)},
    ...                surplus=100.0)
    >>> t.names, t.at_low, t.at_high  # w: 100 w;  d0: d0 + (100 - d0) / 2
    (('weight', 'disagreement.buyer'), array([40., 50.]), array([60., 60.]))

    An output undefined at one end, here ``sqrt(x) + y`` with ``x`` down to -1:

    >>> import numpy as np
    >>> class Root:
    ...     parameter_names = ("x", "y")
    ...     bounds = {"x": (-1.0, 4.0), "y": (0.0, 0.5)}
    ...     base = {"x": 1.0, "y": 0.0}
    ...     def evaluate(self, x, y):
    ...         with np.errstate(invalid="ignore"):
    ...             return {"z": np.sqrt(x) + y}
    >>> t = pg.tornado(Root())
    >>> t.names, t.ranked, t.labels()
    (('y', 'x'), 1, ['y', 'x (undefined at the low end)'])
    >>> t.swing
    array([0.5, nan])
    """
    resolved = resolve_target(target, **fixed)
    names, lows, highs = _ranges(resolved, over)
    centre = dict(resolved.base)
    if base is not None and not isinstance(base, Mapping):
        raise InvalidParameterError(f"base must be a mapping of names to numbers; got {base!r}")
    for key, value in (base or {}).items():
        number = as_array(value, f"base[{key!r}]")
        if number.ndim:
            raise InvalidParameterError(f"base[{key!r}] must be a single number; got {value!r}")
        centre[getattr(resolved, "canonical", lambda n: n)(key)] = float(number)
    missing = [name for name in names if name not in centre]
    if missing:
        raise InvalidParameterError(f"no base value for {missing[0]!r}; pass base={{...}}")
    base_values = np.array([centre[name] for name in names])
    count = len(names)
    arrays = {name: np.full(2 * count + 1, centre[name]) for name in names}
    for k, name in enumerate(names):
        arrays[name][1 + k] = lows[k]
        arrays[name][1 + count + k] = highs[k]
    column, values = _output(resolved.evaluate(**arrays), output)
    if not np.isfinite(values[0]):
        raise InvalidParameterError(
            f"output {column!r} is undefined ({values[0]}) at the base point, so it has no "
            "one-at-a-time swing; pass base={...} where it is defined or choose an output "
            "defined there"
        )
    at_low, at_high = values[1 : 1 + count], values[1 + count :]
    undefined_low, undefined_high = ~np.isfinite(at_low), ~np.isfinite(at_high)
    both = ~(undefined_low | undefined_high)
    with np.errstate(invalid="ignore"):
        swing = np.where(both, np.abs(at_high - at_low), -np.inf)
    order = np.argsort(-swing, kind="stable")  # undefined ones last, in their given order
    at_low = np.where(undefined_low, np.nan, at_low)
    at_high = np.where(undefined_high, np.nan, at_high)
    return TornadoResult(
        names=tuple(names[k] for k in order),
        lows=lows[order],
        highs=highs[order],
        base_values=base_values[order],
        at_low=at_low[order],
        at_high=at_high[order],
        base_output=float(values[0]),
        output=column,
        undefined_low=undefined_low[order],
        undefined_high=undefined_high[order],
        ranked=int(np.sum(both)),
    )


@dataclass(frozen=True, eq=False, repr=False)
class SobolResult(Result):
    """First-order and total Sobol indices with bootstrap confidence half-widths (95%).

    Attributes
    ----------
    names
        Parameter names.
    first, total
        ``S1`` and ``ST`` per parameter.
    first_confidence, total_confidence
        Half-widths of their 95% bootstrap intervals.
    output
        Output column analysed.
    n_evaluations
        Number of target evaluations, ``N (k + 2)``.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> indices = pg.sobol_indices(pg.nash, over={"weight": (0, 1)}, samples=64, surplus=1.0)
    >>> indices.names, bool(abs(indices.first[0] - 1.0) < 0.1)  # one input explains it all
    (('weight',), True)
    """

    names: tuple[str, ...]
    first: FloatArray
    total: FloatArray
    first_confidence: FloatArray
    total_confidence: FloatArray
    output: str
    n_evaluations: int

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of first-order and total indices (needs the ``plot`` extra)."""
        ax = _axes(ax)
        positions = np.arange(len(self.names))
        ax.bar(positions - 0.2, self.first, 0.4, yerr=self.first_confidence, label="first order")
        ax.bar(positions + 0.2, self.total, 0.4, yerr=self.total_confidence, label="total")
        ax.set_xticks(positions, self.names, rotation=30, ha="right")
        ax.set_ylabel(f"Sobol index of {self.output}")
        ax.legend()
        return ax


def sobol_indices(
    target: Any,
    over: Mapping[str, tuple[float, float]] | None = None,
    *,
    samples: int = 1024,
    output: str | None = None,
    seed: int = 0,
    chunk_size: int = 1 << 18,
    **fixed: Any,
) -> SobolResult:
    """First-order and total Sobol indices of ``output`` (Saltelli sampling; SALib).

    Parameters
    ----------
    target
        A solver (with ``**fixed`` arguments), a sweep target or a case.
    over
        ``{name: (low, high)}`` (uniform); default the target's ``bounds`` of the parameters
        that can vary (fixed ones, ``low == high``, are left out).
    samples
        Base sample size ``N`` (a power of two); ``N (k + 2)`` evaluations.
    output
        Output column; default the first.
    seed
        Seed of the sampling and of the bootstrap.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> s = pg.sobol_indices(pg.nash, over={"weight": (0, 1), "disagreement.1": (0, 1)},
    ...                      samples=256, surplus=100.0)
    >>> s.names, bool(s.first[0] > 0.9), bool(s.total[1] < 0.05)
    (('weight', 'disagreement.seller'), True, True)
    """
    try:
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample
    except ImportError as exc:
        raise MissingExtraError("SALib", "sensitivity", "sobol_indices") from exc
    resolved = resolve_target(target, **fixed)
    names, lows, highs = _ranges(resolved, over)
    if np.any(highs == lows):
        flat = int(np.flatnonzero(highs == lows)[0])
        raise InvalidParameterError(
            f"Sobol indices need a range of positive width for every parameter; "
            f"{names[flat]} has low = high = {lows[flat]:g}"
        )
    count = as_int(samples, "samples", low=2)
    from ._run import check_fits_in_memory

    check_fits_in_memory(
        count * (len(names) + 2), 16 * len(names) + 16, f"a Sobol analysis ({count} x (k + 2))"
    )
    seed = as_int(seed, "seed", low=0)
    chunk_size = as_int(chunk_size, "chunk_size", low=1)
    problem = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[low, high] for low, high in zip(lows, highs, strict=True)],
    }
    points = sobol_sample.sample(problem, count, calc_second_order=False, seed=seed)
    values = np.empty(len(points))
    column = ""
    for start in range(0, len(points), chunk_size):
        block = points[start : start + chunk_size]
        arrays = {name: np.ascontiguousarray(block[:, k]) for k, name in enumerate(names)}
        column, values[start : start + len(block)] = _output(resolved.evaluate(**arrays), output)
    with np.errstate(divide="ignore", invalid="ignore"):
        indices = sobol_analyze.analyze(
            problem, values, calc_second_order=False, seed=seed, print_to_console=False
        )
    return SobolResult(
        names=names,
        first=np.asarray(indices["S1"]),
        total=np.asarray(indices["ST"]),
        first_confidence=np.asarray(indices["S1_conf"]),
        total_confidence=np.asarray(indices["ST_conf"]),
        output=column,
        n_evaluations=len(points),
    )


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingExtraError("matplotlib", "plot", "sensitivity plots") from exc
    return plt.figure().add_subplot()
