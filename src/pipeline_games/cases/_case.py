"""A case: its sourced parameters resolved to numbers, its epochs, adapters, claims, backtest.

`read_case_file` validates a TOML file against the model of `_schema`, resolves
every parameter (a number, a figure of the market dataset converted to the parameter's unit,
or a formula of other parameters), checks units with pint and source keys against the
bibliography, and returns a `Case`. Every problem raises
`CaseFileError` naming the file, the key and what is allowed.

Evaluation order for a set of parameter values (base values, or arrays of samples):

1. derived parameters (``from``) are computed from the values;
2. the epoch changes in force in the year are applied (each target takes its source's value);
3. derived parameters are computed again, so they follow the epoch (a netback derived from
   a price follows the price an epoch sets).

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("china-russia-gas")
>>> case.dyad
('China', 'Russia')
>>> case.years == tuple(sorted(case.years))
True
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._arrays import broadcast_named, to_float_array
from ..errors import CaseFileError, InvalidParameterError
from ._adapters import ADAPTERS
from ._grammar import validate_backtest_quantity, validate_claim
from ._linked import check_shared_parameters, check_supply_network, linked_case_path, merge_view

if TYPE_CHECKING:
    from ._claims import BacktestResult, CaseSolution, CheckResult
    from ._schema import CaseFileSpec, NetworkSpec, TimingSpec

__all__ = ["BacktestPoint", "Case", "Claim", "Epoch", "Parameter", "read_case_file"]

FloatArray = NDArray[np.float64]
_COMPUTED = ("derived", "network")  # origins a sweep cannot set


@dataclass(frozen=True)
class Term:
    """One term of a derived parameter: a parameter (times ``factor``) or a constant."""

    parameter: str | None
    factor: float


@dataclass(frozen=True)
class Parameter:
    """One sourced case parameter, resolved to a number in its unit.

    Attributes
    ----------
    value
        The base value (for a derived parameter: at the base values of the others).
    low, high
        The plausible range sampled by robustness checks (``low == high``: fixed; derived
        parameters follow the parameters they derive from).
    kind
        ``"reported"``, ``"derived"`` or ``"assumption"``.
    source, locator
        Bibliography key and section/table/page (for a series: the dataset row's).
    origin
        ``"value"``, ``"series"``, ``"derived"`` or ``"network"`` (``from_network``: computed
        on a linked case's supply network in every epoch; ``value`` is that of the first
        epoch at the base values).
    link
        For ``origin == "network"``: the ``from_network`` table (case, output, agreement,
        party).
    override
        Why the value differs from that of the parameter of the same name in a linked case
        (``None``: it agrees in every epoch, checked at load).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-kazakhstan-oil")
    >>> volume = case.parameters[case.mapping["oil_trade"]["volume"]]
    >>> volume.unit
    'Mt/yr'
    >>> volume.low <= volume.value <= volume.high
    True
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    kind: str
    source: str
    locator: str
    reason: str = ""
    description: str = ""
    origin: str = "value"
    series: str | None = None
    year: int | None = None
    month: int | None = None
    terms: tuple[tuple[Term, ...], tuple[Term, ...]] = ((), ())
    link: Any = None
    override: str | None = None

    @property
    def varies(self) -> bool:
        """Whether robustness checks and sweeps sample this parameter (``low < high``)."""
        return self.origin not in _COMPUTED and self.high > self.low


@dataclass(frozen=True)
class Epoch:
    """A year in which something moved: ``changes`` maps a parameter to the parameter whose
    value it takes from this year on.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-gas")
    >>> all(t in case.parameters and s in case.parameters
    ...     for epoch in case.epochs for t, s in epoch.changes.items())
    True
    """

    year: int
    label: str
    source: str
    locator: str
    changes: Mapping[str, str]


@dataclass(frozen=True)
class Claim:
    """A conclusion of the source as a structured test (see `_grammar`).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> claim = load("china-turkmenistan-gas").claims[0]
    >>> claim.test["type"] in ("compare", "threshold", "sign", "label")
    True
    """

    id: str
    statement: str
    source: str
    locator: str
    test: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class BacktestPoint:
    """A published outcome that the case does not take as an input.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> point = load("china-russia-gas").backtest_points[0]
    >>> point.observed[0] <= point.observed[1]
    True
    """

    id: str
    statement: str
    quantity: str
    observed: tuple[float, float]
    unit: str
    source: str
    locator: str
    note: str = ""
    factor: str | None = None


@dataclass(frozen=True, eq=False)
class Case:
    """A negotiation case loaded from a TOML file.

    Besides solving, checking and backtesting (`solve`, `check`,
    `backtest`), a case is a sweep target: `parameter_names`, `bounds`,
    `base` and `evaluate`.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> "regime" in case.adapters
    True
    >>> repr(case).startswith("Case('china-russia-oil', ")
    True
    """

    name: str
    title: str
    dyad: tuple[str, str]
    players: tuple[str, str]
    summary: str
    parameters: Mapping[str, Parameter]
    epochs: tuple[Epoch, ...]
    adapters: tuple[str, ...]
    mapping: Mapping[str, Mapping[str, str | float]]
    claims: tuple[Claim, ...]
    backtest_points: tuple[BacktestPoint, ...]
    path: Path
    network: NetworkSpec | None = None
    supply_network: Any = None
    timing: TimingSpec | None = None
    _derived_order: tuple[str, ...] = field(default=(), repr=False)
    _links: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"Case({self.name!r}, {len(self.epochs)} epochs, {len(self.claims)} claims, "
            f"{len(self.backtest_points)} backtest points)"
        )

    # -- sweep target protocol ----------------------------------------------------------
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters a sweep may set (all but the derived ones), in file order."""
        return tuple(n for n, p in self.parameters.items() if p.origin not in _COMPUTED)

    @property
    def varying(self) -> tuple[str, ...]:
        """Names of the parameters with a range (``low < high``), sampled by default."""
        return tuple(n for n, p in self.parameters.items() if p.varies)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """``name -> (low, high)`` for every parameter a sweep may set."""
        return {n: (self.parameters[n].low, self.parameters[n].high) for n in self.parameter_names}

    @property
    def base(self) -> dict[str, float]:
        """``name -> value`` (the sourced base values) of every parameter a sweep may set."""
        return {n: self.parameters[n].value for n in self.parameter_names}

    @property
    def years(self) -> tuple[int, ...]:
        """Epoch years in order."""
        return tuple(epoch.year for epoch in self.epochs)

    def _with_derived(
        self, values: Mapping[str, Any], bump: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        current = dict(values)
        bump = bump or {}
        for name in self._derived_order:
            (head, *times), plus_minus = self.parameters[name].terms
            assert head.parameter is not None  # a product starts with its parameter (`from`)
            result: Any = head.factor * np.asarray(current[head.parameter], dtype=np.float64)
            for term in times:
                result = result * (
                    term.factor
                    if term.parameter is None
                    else term.factor * np.asarray(current[term.parameter], dtype=np.float64)
                )
            for term in plus_minus:
                result = result + (
                    term.factor
                    if term.parameter is None
                    else term.factor * np.asarray(current[term.parameter], dtype=np.float64)
                )
            if name in bump:
                result = result + bump[name]
            current[name] = result
        return current

    def epoch_values(
        self,
        values: Mapping[str, Any],
        year: int | None,
        bump: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Every parameter's value in force in ``year`` (``None``: before the first epoch).

        ``values`` gives the parameters a sweep may set (missing ones take their base
        values); epoch changes are cumulative; ``bump`` adds increments (the claim checker
        uses it for finite differences): a bumped parameter's value in force moves by the
        increment, and so does every parameter an epoch sets from it; derived parameters
        follow.

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-russia-gas")
        >>> last = case.epochs[-1]
        >>> values = case.epoch_values(case.base, last.year)
        >>> all(values[t] == case.parameters[s].value for t, s in last.changes.items())
        True
        """
        current = self._in_force(values, year, bump)
        if self._links:
            from ._linked import network_parameters

            current.update(network_parameters(self, current, year))
        return self._with_derived(current, bump)

    def _in_force(
        self,
        values: Mapping[str, Any],
        year: int | None,
        bump: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`epoch_values` without the ``from_network`` parameters (NaN here)."""
        if not isinstance(values, Mapping):
            raise InvalidParameterError(
                f"values must be a mapping of parameter names to values; got {values!r}"
            )
        if year is not None and (isinstance(year, bool) or not isinstance(year, int | np.integer)):
            raise InvalidParameterError(f"year must be an integer year or None; got {year!r}")
        bump = dict(bump or {})
        # from_network parameters are computed last; derived ones using them follow then.
        raw = {**dict.fromkeys(self._network_names, np.nan), **self.base, **values}
        # A bump enters before the epoch changes, so that bumping a parameter an epoch
        # copies into another moves the value in force too (a derived parameter's bump is
        # added where it is computed) ...
        for key, step in bump.items():
            if key in raw:
                raw[key] = np.asarray(raw[key], dtype=np.float64) + step
        current = self._with_derived(raw, bump)
        if year is not None:
            changed = dict(current)
            for epoch in self.epochs:
                if epoch.year > year:
                    break
                for target, source in epoch.changes.items():
                    changed[target] = current[source]
            # ... and again after them where an epoch replaced the bumped parameter's value.
            for key, step in bump.items():
                if self.source_parameter(key, year) != key:
                    changed[key] = np.asarray(changed[key], dtype=np.float64) + step
            current = changed
        return current

    @property
    def _network_names(self) -> tuple[str, ...]:
        return tuple(n for n, p in self.parameters.items() if p.origin == "network")

    def _base_with_computed(self) -> dict[str, Any]:
        """Base values with the derived and from_network ones (those of the first epoch)."""
        year = self.years[0] if self.years else None
        return self.epoch_values(self.base, year) if self._links else self._with_derived(self.base)

    def source_parameter(self, name: str, year: int | None) -> str:
        """The parameter whose value ``name`` takes in ``year`` (epoch changes applied).

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-russia-gas")
        >>> last = case.epochs[-1]
        >>> all(case.source_parameter(t, last.year) == s for t, s in last.changes.items())
        True
        """
        source = name
        for epoch in self.epochs:
            if year is None or epoch.year > year:
                break
            source = epoch.changes.get(name, source)
        return source

    def adapter_arguments(self, name: str, current: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments of adapter ``name`` from values ``current`` (already in force for an
        epoch, see `epoch_values`): mapped parameters, numbers or defaults, plus the
        constants the adapter derives from the case (unit factors, the network).

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-turkmenistan-gas")
        >>> args = case.adapter_arguments("diversification", case.epoch_values(case.base, 2014))
        >>> float(args["scale"])
        1.0
        """
        if not isinstance(name, str) or name not in self.adapters:
            raise InvalidParameterError(
                f"adapter must be one of the case's adapters {list(self.adapters)}; got {name!r}"
            )
        if not isinstance(current, Mapping):
            raise InvalidParameterError(
                f"current must be a mapping of parameter names to values; got {current!r}"
            )
        adapter = ADAPTERS[name]
        needed = [
            target
            for target in self.mapping.get(name, {}).values()
            if isinstance(target, str) and target not in current
        ]
        if adapter.reads is not None:
            needed += [n for n in adapter.reads(self) if n not in current and n not in needed]
        if needed:
            raise InvalidParameterError(
                f"current lacks the parameter(s) {sorted(set(needed))} that adapter {name!r} "
                "reads; pass the values in force (see epoch_values)"
            )
        args: dict[str, Any] = {}
        for arg in (*adapter.required, *adapter.optional):
            target = self.mapping.get(name, {}).get(arg)
            if target is None:
                args[arg] = np.asarray(adapter.defaults[arg], dtype=np.float64)
            elif isinstance(target, str):
                args[arg] = np.asarray(current[target], dtype=np.float64)
            else:
                args[arg] = np.asarray(target, dtype=np.float64)
        if adapter.prepare is not None:
            args.update(adapter.prepare(self))
        if adapter.reads is not None:
            args["values"] = {n: current[n] for n in adapter.reads(self)}
        return args

    def adapter_outputs(
        self,
        values: Mapping[str, Any],
        year: int | None,
        bump: Mapping[str, Any] | None = None,
    ) -> dict[str, NDArray[Any]]:
        """Every adapter's outputs at the values in force in ``year`` (without the timing)."""
        current = self.epoch_values(values, year, bump)
        result: dict[str, NDArray[Any]] = {}
        for name in self.adapters:
            result.update(ADAPTERS[name].function(self.adapter_arguments(name, current)))
        return result

    def outputs_at(
        self,
        values: Mapping[str, Any],
        year: int | None,
        bump: Mapping[str, Any] | None = None,
    ) -> dict[str, NDArray[Any]]:
        """Every adapter's outputs at the values in force in ``year``, and the timing
        quantities of that epoch for a case with a ``[timing]`` table."""
        result = self.adapter_outputs(values, year, bump)
        if self.timing is not None:
            from ._timing import timing_outputs

            result.update(timing_outputs(self, values, year, bump))
        return result

    def evaluate(self, **arrays: Any) -> dict[str, NDArray[Any]]:
        """Vectorized outputs for the sweep engine: ``<quantity>@<year>`` columns.

        Parameters not given keep their base values; the given arrays broadcast. Outputs
        keep their dtypes: ``agreement`` is bool, ``binding`` int8, labels are strings.

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-russia-gas")
        >>> name = case.varying[0]
        >>> value = case.parameters[name]
        >>> out = case.evaluate(**{name: [value.low, value.high]})
        >>> year = case.years[-1]
        >>> out[f"agreement@{year}"].shape, out[f"agreement@{year}"].dtype
        ((2,), dtype('bool'))
        """
        values: dict[str, Any] = {}
        for key, array in arrays.items():
            if key not in self.parameter_names:
                raise CaseFileError(
                    f"{self.path}: unknown parameter {key!r} passed to evaluate; a sweep may set "
                    f"{', '.join(self.parameter_names)}"
                )
            values[key] = self._finite_values(key, array)
        shape = broadcast_named(**values)
        columns: dict[str, NDArray[Any]] = {}
        try:
            with np.errstate(over="raise"):  # an extreme value must not overflow silently
                for year in self.years:
                    for quantity, array in self.outputs_at(values, year).items():
                        columns[f"{quantity}@{year}"] = np.broadcast_to(array, shape)
        except FloatingPointError as exc:
            ranges = "; ".join(
                f"{key} (plausible range [{self.parameters[key].low:g}, "
                f"{self.parameters[key].high:g}])"
                for key in values
            )
            raise InvalidParameterError(
                f"{self.path.name}: the values given for {ranges} make the case's models leave "
                f"the float64 range ({exc}); give values nearer the plausible ranges"
            ) from exc
        return columns

    def _finite_values(self, key: str, value: Any) -> NDArray[np.float64]:
        """``value`` of case parameter ``key`` as finite floats, or a named error."""
        array = to_float_array(value, key)
        if not np.isfinite(array).all():
            raise InvalidParameterError(
                f"{self.path.name}: {key} must be finite (plausible range "
                f"[{self.parameters[key].low:g}, {self.parameters[key].high:g}]); got "
                f"{float(array[~np.isfinite(array)].ravel()[0])!r}"
            )
        return array

    def with_values(self, overrides: Mapping[str, float]) -> Case:
        """A copy with some base values replaced (ranges widened to include them)."""
        if not isinstance(overrides, Mapping):
            raise InvalidParameterError(
                f"overrides must be a mapping of parameter names to numbers; got {overrides!r}"
            )
        parameters = dict(self.parameters)
        for key, value in overrides.items():
            if key not in self.parameter_names:
                raise CaseFileError(
                    f"{self.path}: cannot set {key!r}: no such parameter (known: "
                    f"{', '.join(self.parameter_names)})"
                )
            array = self._finite_values(key, value)
            if array.ndim != 0:
                raise InvalidParameterError(
                    f"{self.path.name}: {key} must be a single number; got an array of shape "
                    f"{array.shape}"
                )
            number = float(array)
            old = parameters[key]
            parameters[key] = replace(
                old, value=number, low=min(old.low, number), high=max(old.high, number)
            )
        case = replace(self, parameters=parameters)
        derived = case._base_with_computed()
        for name in (*self._derived_order, *self._network_names):
            value = float(derived[name])
            parameters[name] = replace(parameters[name], value=value, low=value, high=value)
        return case

    # -- solving, checking, backtesting --------------------------------------------------
    def solve(
        self, epoch: int | None = None, overrides: Mapping[str, float] | None = None
    ) -> CaseSolution:
        """Solve every epoch (or one) at the base values; see `CaseSolution`."""
        from ._claims import solve_case

        return solve_case(self.with_values(overrides or {}), epoch)

    def check(self, samples: int = 1024, seed: int = 0) -> CheckResult:
        """Check every claim at the base values and its robustness over the box."""
        from ._claims import check_case

        return check_case(self, samples=samples, seed=seed)

    def backtest(self, samples: int = 1024, seed: int = 0) -> BacktestResult:
        """Compare the model with the published outcomes of ``[[backtest]]``."""
        from ._claims import backtest_case

        return backtest_case(self, samples=samples, seed=seed)


# -- loading ------------------------------------------------------------------------------
def _error_location(loc: Sequence[Any]) -> str:
    """A pydantic error location as the key path the other messages use:
    ``("backtest", 0, "observed")`` -> ``"backtest[0].observed"``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not str(part).startswith("function-after"):
            text += f".{part}" if text else str(part)
    return text


def _validate(data: Mapping[str, Any], path: Path) -> CaseFileSpec:
    from pydantic import ValidationError

    from ._schema import CaseFileSpec

    try:
        return CaseFileSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _error_location(first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        more = len(exc.errors()) - 1
        extra = f"; and {more} more problem(s)" if more else ""
        raise CaseFileError(f"{path}: {where}: {message}{shown}{extra}") from None


def _check_source(path: Path, where: str, key: str | None, references: Mapping[str, Any]) -> None:
    if key is not None and key not in references:
        raise CaseFileError(
            f"{path}: {where}.source: unknown source key {key!r}; add it to "
            "cases/bibliography.toml or cite an existing key"
        )


def _resolve_parameters(spec: CaseFileSpec, path: Path) -> tuple[dict[str, Parameter], list[str]]:
    from ._bibliography import bibliography
    from ._market import conversion, factors, market_data

    references = bibliography()
    known_factors = factors()
    names = set(spec.parameters)
    resolved: dict[str, Parameter] = {}

    def fail(name: str, key: str, message: str) -> CaseFileError:
        return CaseFileError(f"{path}: parameters.{name}.{key}: {message}")

    def term_unit(
        name: str, key: str, term: float | str, default: str
    ) -> tuple[str | None, str, float]:
        """(parameter or None, unit, constant value) of one term."""
        if isinstance(term, int | float):
            return None, default, float(term)
        if term in names:
            return term, spec.parameters[term].unit, 1.0
        if term in known_factors:
            factor = known_factors[term]
            return None, factor.unit, factor.value
        raise fail(
            name,
            key,
            f"{term!r} is neither a parameter of this case nor a conversion factor of "
            f"cases/market/units.toml ({', '.join(sorted(known_factors))})",
        )

    def to_unit(name: str, key: str, source: str, target: str) -> float:
        try:
            return conversion(source, target)
        except CaseFileError as exc:
            raise fail(name, key, str(exc)) from None

    derived: dict[str, tuple[tuple[Term, ...], tuple[Term, ...]]] = {}
    for name, item in spec.parameters.items():
        _check_source(path, f"parameters.{name}", item.source, references)
        to_unit(name, "unit", item.unit, item.unit)
        if item.from_network is not None:
            nan = float("nan")
            resolved[name] = Parameter(
                name, nan, item.unit, nan, nan, item.kind, item.source or "", item.locator,
                item.reason, item.description, "network", link=item.from_network,
            )  # fmt: skip
            continue
        if item.from_ is not None:
            if item.from_ not in names:
                raise fail(name, "from", f"no parameter {item.from_!r} in this case")
            units = [spec.parameters[item.from_].unit]
            times: list[Term] = []
            constant = 1.0
            for term in item.times:
                parameter, unit, value = term_unit(name, "times", term, "dimensionless")
                units.append(unit)
                if parameter is None:
                    constant *= value
                else:
                    times.append(Term(parameter, 1.0))
            product = " * ".join(f"({u})" for u in units)
            scale = to_unit(name, "times", product, item.unit) * constant
            head = Term(item.from_, scale)
            additive: list[Term] = []
            for key, sign in (("plus", 1.0), ("minus", -1.0)):
                for term in getattr(item, key):
                    parameter, unit, value = term_unit(name, key, term, item.unit)
                    factor = to_unit(name, key, unit, item.unit)
                    additive.append(Term(parameter, sign * factor * value))
            derived[name] = ((head, *times), tuple(additive))
            resolved[name] = Parameter(
                name, float("nan"), item.unit, float("nan"), float("nan"), item.kind,
                item.source or "", item.locator, item.reason, item.description, "derived",
                terms=derived[name],
            )  # fmt: skip
            continue
        if item.series is not None:
            assert item.year is not None
            try:
                row = market_data().observation(item.series, item.year, item.month)
            except CaseFileError as exc:
                raise fail(name, "series", str(exc)) from None
            units = [row.unit]
            constant = row.value
            for term in item.times:
                parameter, unit, value = term_unit(name, "times", term, "dimensionless")
                if parameter is not None:
                    raise fail(name, "times", "a series is multiplied by numbers or factors only")
                units.append(unit)
                constant *= value
            product = " * ".join(f"({u})" for u in units)
            value = constant * to_unit(name, "series", product, item.unit)
            source, locator = item.source or row.source, item.locator or row.locator
            origin = "series"
        else:
            assert item.value is not None
            value, source, locator, origin = item.value, item.source or "", item.locator, "value"
        low = value if item.low is None else item.low
        high = value if item.high is None else item.high
        if not low <= value <= high:
            raise fail(
                name,
                "low",
                f"the range [{low:g}, {high:g}] must contain the value {value:g}",
            )
        resolved[name] = Parameter(
            name, value, item.unit, low, high, item.kind, source, locator, item.reason,
            item.description, origin, item.series, item.year, item.month,
        )  # fmt: skip
    # Order derived parameters so each follows the ones it uses; refuse cycles.
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in order or name not in derived:
            return
        if name in visiting:
            raise fail(name, "from", f"derived parameters form a cycle: {' -> '.join(chain)}")
        visiting.add(name)
        for term in (*derived[name][0], *derived[name][1]):
            if term.parameter is not None:
                visit(term.parameter, (*chain, term.parameter))
        visiting.discard(name)
        order.append(name)

    for name in derived:
        visit(name, (name,))
    return resolved, order


def _check_epochs(spec: CaseFileSpec, parameters: Mapping[str, Parameter], path: Path) -> None:
    from ._bibliography import bibliography
    from ._market import dimension_of

    years = [epoch.year for epoch in spec.epochs]
    if years != sorted(set(years)):
        raise CaseFileError(f"{path}: epochs: years must increase strictly; got {years}")
    for index, epoch in enumerate(spec.epochs):
        where = f"epochs[{index}]"
        _check_source(path, where, epoch.source, bibliography())
        for target, source in epoch.set.items():
            for key in (target, source):
                if key not in parameters:
                    raise CaseFileError(f"{path}: {where}.set.{target}: no parameter {key!r}")
            if parameters[target].origin == "derived":
                raise CaseFileError(
                    f"{path}: {where}.set.{target}: a derived parameter follows the epoch by "
                    "itself; set the parameters it derives from"
                )
            if "network" in (parameters[target].origin, parameters[source].origin):
                raise CaseFileError(
                    f"{path}: {where}.set.{target}: a from_network parameter is computed in "
                    "every epoch; an epoch can neither set it nor copy it"
                )
            if dimension_of(parameters[target].unit) != dimension_of(parameters[source].unit):
                raise CaseFileError(
                    f"{path}: {where}.set.{target}: {source!r} is in {parameters[source].unit}, "
                    f"not in the unit of {target!r} ({parameters[target].unit})"
                )


def _check_model(
    spec: CaseFileSpec, parameters: Mapping[str, Parameter], path: Path
) -> tuple[tuple[str, ...], dict[str, dict[str, str | float]]]:
    model = dict(spec.model)
    adapters = model.pop("adapters", None)
    if not isinstance(adapters, list) or not adapters:
        raise CaseFileError(f"{path}: model.adapters: expected a non-empty list of adapter names")
    mapping: dict[str, dict[str, str | float]] = {}
    for name in adapters:
        if name not in ADAPTERS:
            raise CaseFileError(
                f"{path}: model.adapters: unknown adapter {name!r}; known: {', '.join(ADAPTERS)}"
            )
        adapter = ADAPTERS[name]
        table = model.pop(name, {})
        if not isinstance(table, dict):
            raise CaseFileError(f"{path}: model.{name}: expected a table of argument = parameter")
        allowed = {*adapter.required, *adapter.optional}
        for arg, target in table.items():
            if arg not in allowed:
                raise CaseFileError(
                    f"{path}: model.{name}.{arg}: not an argument of {name}; allowed: "
                    f"{', '.join(sorted(allowed))}"
                )
            if isinstance(target, str):
                if target not in parameters:
                    raise CaseFileError(f"{path}: model.{name}.{arg}: no parameter {target!r}")
            elif isinstance(target, bool) or not isinstance(target, int | float):
                raise CaseFileError(
                    f"{path}: model.{name}.{arg}: expected a parameter name or a number; "
                    f"got {target!r}"
                )
        missing = [arg for arg in adapter.required if arg not in table]
        if missing:
            raise CaseFileError(f"{path}: model.{name}: missing argument(s) {', '.join(missing)}")
        mapping[name] = dict(table)
        units = {
            arg: parameters[target].unit for arg, target in table.items() if isinstance(target, str)
        }
        if adapter.check_units is not None:
            problem = adapter.check_units(units)
            if problem:
                raise CaseFileError(f"{path}: model.{name}: {problem}")
    if model:
        raise CaseFileError(
            f"{path}: model.{sorted(model)[0]}: a table for an adapter the case does not use"
        )
    return tuple(adapters), mapping


def parse_case(data: Mapping[str, Any], path: Path) -> Case:
    """Validate and resolve the TOML data of a case file (``path`` names it in errors)."""
    from ._bibliography import bibliography

    spec = _validate(data, path)
    if spec.case.name != path.stem and path.suffix == ".toml":
        raise CaseFileError(
            f"{path}: case.name: {spec.case.name!r} must match the file name {path.stem!r}"
        )
    parameters, order = _resolve_parameters(spec, path)
    for name, item in spec.parameters.items():
        if item.override is not None:
            parameters[name] = replace(parameters[name], override=item.override.strip())
    _check_epochs(spec, parameters, path)
    links = {n: p.link for n, p in parameters.items() if p.origin == "network"}
    resolved_links: dict[str, Any] = {}
    if links:
        from ._linked import resolve_links

        resolved_links = resolve_links(parameters, links, [e.year for e in spec.epochs], path)
    adapters, mapping = _check_model(spec, parameters, path)
    if "network" in adapters and spec.network is None:
        raise CaseFileError(f"{path}: network: the network adapter needs a [network] table")
    provided = {q for name in adapters for q in ADAPTERS[name].outputs}
    years = [epoch.year for epoch in spec.epochs]
    if "timing" in adapters:
        raise CaseFileError(
            f"{path}: model.adapters: do not list 'timing'; a [timing] table adds its quantities"
        )
    if spec.timing is not None:
        from ._timing import TIMING_OUTPUTS, validate_timing

        validate_timing(spec.timing, parameters, provided, years, path)
        provided |= set(TIMING_OUTPUTS)
    references = bibliography()
    claims = []
    for index, claim_spec in enumerate(spec.claims):
        _check_source(path, f"claims[{index}]", claim_spec.source, references)
        validate_claim(claim_spec.test, provided, parameters, years, path, f"claims[{index}].test")
        claims.append(
            Claim(
                claim_spec.id,
                claim_spec.statement,
                claim_spec.source,
                claim_spec.locator,
                claim_spec.test,
                claim_spec.note,
            )
        )
    ids = [claim.id for claim in claims]
    if len(set(ids)) != len(ids):
        raise CaseFileError(f"{path}: claims: ids must be unique; got {ids}")
    points = []
    for index, point in enumerate(spec.backtest):
        _check_source(path, f"backtest[{index}]", point.source, references)
        validate_backtest_quantity(point.quantity, provided, years, path, f"backtest[{index}]")
        points.append(
            BacktestPoint(
                point.id, point.statement, point.quantity, point.observed, point.unit,
                point.source, point.locator, point.note, point.factor,
            )
        )  # fmt: skip
    epochs = tuple(
        Epoch(e.year, e.label, e.source or "", e.locator, dict(e.set)) for e in spec.epochs
    )
    case = Case(
        name=spec.case.name,
        title=spec.case.title,
        dyad=spec.case.dyad,
        players=spec.case.players,
        summary=spec.case.summary,
        parameters=parameters,
        epochs=epochs,
        adapters=adapters,
        mapping=mapping,
        claims=tuple(claims),
        backtest_points=tuple(points),
        path=path,
        network=spec.network,
        supply_network=spec.supply_network,
        timing=spec.timing,
        _derived_order=tuple(order),
        _links=resolved_links,
    )
    # Base values of derived (and from_network) parameters, and their (empty) ranges.
    derived = case._base_with_computed()
    for name in (*order, *links):
        value = float(derived[name])
        if not np.isfinite(value) and name not in links:
            raise CaseFileError(f"{path}: parameters.{name}: derives to {value}; check its terms")
        parameters[name] = replace(parameters[name], value=value, low=value, high=value)
    linked = {key: value[0] for key, value in resolved_links.items()}
    if spec.extends is not None:
        linked[spec.extends] = read_case_file(linked_case_path(spec.extends, path))
    check_shared_parameters(case, linked, path)
    if spec.supply_network is not None:
        check_supply_network(spec.supply_network, parameters, path)
    elif "supply_network" in adapters:
        raise CaseFileError(f"{path}: supply_network: the adapter needs a [supply_network] table")
    for name in adapters:  # unit factors and networks fail at load, not at the first solve
        prepare = ADAPTERS[name].prepare
        if prepare is not None:
            prepare(case)
    _check_backtest_units(case)
    return case


def _check_backtest_units(case: Case) -> None:
    """Each backtest point's observed unit must convert to the unit of its model quantity
    (through its ``factor`` of ``units.toml`` where it names one)."""
    from ._claims import quantity_unit
    from ._grammar import AGREEMENT_YEAR, parse_reference
    from ._market import conversion_via, factors

    for index, point in enumerate(case.backtest_points):
        quantity = point.quantity
        if quantity != AGREEMENT_YEAR:
            quantity = parse_reference(quantity)[1]
        unit = quantity_unit(case, quantity)
        if unit is None:
            continue
        try:
            conversion_via(point.unit, unit, point.factor)
        except CaseFileError as exc:
            key = "factor" if point.factor is not None else "unit"
            hint = ""
            if point.factor is None:
                usable = [name for name in factors() if _converts(point.unit, unit, name)]
                if usable:
                    hint = f"; name the conversion factor: factor = one of {usable}"
            raise CaseFileError(
                f"{case.path}: backtest[{index}].{key}: the observed range is in "
                f"{point.unit!r} and the model's {quantity} in {unit!r}: {exc}{hint}"
            ) from None


def _converts(source: str, target: str, factor: str) -> bool:
    from ._market import conversion_via

    try:
        conversion_via(source, target, factor)
    except CaseFileError:
        return False
    return True


def read_case_file(path: Path) -> Case:
    """Read, validate and resolve a case file.

    Examples
    --------
    >>> from pipeline_games.cases import case_path
    >>> read_case_file(case_path("china-russia-oil")).name
    'china-russia-oil'

    Raises
    ------
    CaseFileError
        If the file cannot be read, is not TOML, or breaks the case-file format, naming the
        file, the key and what is allowed.
    """
    if not isinstance(path, str | os.PathLike) or "\0" in str(path):
        raise CaseFileError(f"a case file must be given by its path; got {path!r}")
    path = Path(path)
    if path.is_dir():
        raise CaseFileError(f"{path}: is a directory, not a case file")
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such case file") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"{path}: not valid TOML ({exc})") from None
    return parse_case(merge_view(data, path), path)
