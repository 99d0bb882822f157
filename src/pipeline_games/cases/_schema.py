"""Case files: dataclasses and the validating TOML loader.

A case file has five tables: ``[case]`` (name, title, dyad, sources), ``[parameters.<name>]``
(value, unit, low, high, kind, source), ``[[epochs]]`` (year, label, source and the
parameters that move, ``set = {adapter_argument_or_parameter = "other_parameter"}``),
``[model]`` (adapters and the mapping of their arguments onto parameters) and
``[[claims]]`` (structured, checkable statements). The format is documented in
``docs/how-to/write-a-case.md``. Every problem raises :class:`CaseFileError` naming the
file, the key path and what is expected.

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("china-russia-gas")
>>> case.dyad, [epoch.year for epoch in case.epochs]
(('China', 'Russia'), [2006, 2009, 2012, 2014])
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import CaseFileError
from ._adapters import ADAPTERS, adapter_status

__all__ = ["KINDS", "UNITS", "Case", "Claim", "Epoch", "Parameter", "parse_case"]

FloatArray = NDArray[np.float64]

#: Units a parameter may carry.
UNITS = frozenset(
    {
        "bcm/yr",
        "bcm",
        "Mt/yr",
        "Mt",
        "Mb/d",
        "kb/d",
        "USD/kcm",
        "USD/bbl",
        "USD/t",
        "USD bn",
        "USD bn/yr per (unit x USD/unit)",
        "bbl/t",
        "%",
        "share",
        "share of price",
        "year",
        "yr",
        "1/yr",
        "probability",
        "km",
        "count",
    }
)
#: Provenance kinds of a parameter.
KINDS = frozenset({"reported", "derived", "assumption"})

_CASE_KEYS = {"name", "title", "dyad", "players", "regime_expected", "sources", "summary"}
_PARAM_KEYS = {"value", "unit", "low", "high", "kind", "source", "description"}
_EPOCH_KEYS = {"year", "label", "source", "set"}
_CLAIM_KEYS = {"id", "statement", "source", "test", "note"}
_TOP_KEYS = {"case", "parameters", "epochs", "model", "claims"}


@dataclass(frozen=True)
class Parameter:
    """One sourced case parameter.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> p = load("china-russia-gas").parameters["china_value"]
    >>> p.value, p.unit, (p.low, p.high), p.kind
    (420.0, 'USD/kcm', (400.0, 550.0), 'assumption')
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    kind: str
    source: str
    description: str = ""


@dataclass(frozen=True)
class Epoch:
    """A year in which outside options moved: ``changes`` maps a parameter to the parameter
    whose value it takes from this year on.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> epoch = load("china-russia-gas").epochs[1]
    >>> epoch.year, dict(epoch.changes)
    (2009, {'central_asia_volume': 'central_asia_volume_2009'})
    """

    year: int
    label: str
    source: str
    changes: Mapping[str, str]


@dataclass(frozen=True)
class Claim:
    """A conclusion of the source as a structured test (see :mod:`.claims`).

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> claim = load("china-russia-oil").claims[0]
    >>> claim.id, dict(claim.test)["type"]
    ('regime', 'label')
    """

    id: str
    statement: str
    source: str
    test: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True, eq=False)
class Case:
    """A negotiation case loaded from a TOML file.

    Besides solving and checking (:meth:`solve`, :meth:`check`), a case is a sweep
    target: :attr:`parameter_names`, :attr:`bounds`, :attr:`base` and :meth:`evaluate`.

    Examples
    --------
    >>> from pipeline_games.cases import load
    >>> case = load("china-russia-oil")
    >>> case.years, case.adapters[:2]
    ((2004, 2006, 2009, 2013), ('bargaining', 'regime'))
    >>> case.solve().outputs[2009]["route_outcome"]
    'China branch with loan'
    """

    name: str
    title: str
    dyad: tuple[str, str]
    players: tuple[str, str]
    regime_expected: str
    sources: Mapping[str, str]
    parameters: Mapping[str, Parameter]
    epochs: tuple[Epoch, ...]
    adapters: tuple[str, ...]
    mapping: Mapping[str, Mapping[str, str | float]]
    claims: tuple[Claim, ...]
    path: Path
    summary: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    # -- sweep target protocol ----------------------------------------------------------
    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of all parameters, in file order."""
        return tuple(self.parameters)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """``name -> (low, high)`` for every parameter."""
        return {name: (p.low, p.high) for name, p in self.parameters.items()}

    @property
    def base(self) -> dict[str, float]:
        """``name -> value`` (the sourced base values)."""
        return {name: p.value for name, p in self.parameters.items()}

    @property
    def years(self) -> tuple[int, ...]:
        """Epoch years in order."""
        return tuple(epoch.year for epoch in self.epochs)

    def epoch_values(self, values: Mapping[str, Any], year: int | None) -> dict[str, Any]:
        """Parameter values in force in ``year`` (``None``: before the first epoch).

        Epoch changes are cumulative: each epoch applies on top of the earlier ones.
        """
        current = dict(values)
        if year is None:
            return current
        for epoch in self.epochs:
            if epoch.year > year:
                break
            for target, source in epoch.changes.items():
                current[target] = values[source]
        return current

    def source_parameter(self, name: str, year: int | None) -> str:
        """The parameter whose value ``name`` takes in ``year`` (epoch changes applied).

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> load("china-russia-gas").source_parameter("central_asia_volume", 2014)
        'central_asia_volume_2012'
        """
        return str(self.epoch_values({key: key for key in self.parameters}, year)[name])

    def outputs_at(
        self,
        values: Mapping[str, Any],
        year: int | None,
        bump: Mapping[str, Any] | None = None,
    ) -> dict[str, NDArray[Any]]:
        """Run every available adapter on the values in force in ``year``.

        ``bump`` adds increments to the values in force (after the epoch changes): the
        claim checker uses it for finite-difference derivatives.
        """
        current = self.epoch_values(values, year)
        for key, step in (bump or {}).items():
            current[key] = np.asarray(current[key], dtype=np.float64) + step
        result: dict[str, NDArray[Any]] = {}
        for name in self.adapters:
            available, _ = adapter_status(name)
            if not available:
                continue
            function = ADAPTERS[name].function
            assert function is not None
            result.update(function(self.adapter_arguments(name, current)))
        return result

    def adapter_arguments(self, name: str, current: Mapping[str, Any]) -> dict[str, FloatArray]:
        """Arguments of adapter ``name`` from parameter values ``current`` (already in force
        for an epoch, see :meth:`epoch_values`): mapped parameters, numbers or defaults.

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-turkmenistan-gas")
        >>> args = case.adapter_arguments("diversification", case.epoch_values(case.base, 2014))
        >>> float(args["seller_outside_option"]), float(args["scale"])
        (0.326, 1.0)
        """
        adapter = ADAPTERS[name]
        args: dict[str, FloatArray] = {}
        for arg in (*adapter.required, *adapter.optional):
            target = self.mapping.get(name, {}).get(arg)
            if target is None:
                args[arg] = np.asarray(adapter.defaults[arg], dtype=np.float64)
            elif isinstance(target, str):
                args[arg] = np.asarray(current[target], dtype=np.float64)
            else:
                args[arg] = np.asarray(target, dtype=np.float64)
        return args

    def evaluate(self, **arrays: Any) -> dict[str, NDArray[Any]]:
        """Vectorized outputs for the sweep engine: ``<quantity>@<year>`` columns.

        Parameters not given keep their base values; the given arrays broadcast.

        Examples
        --------
        >>> from pipeline_games.cases import load
        >>> case = load("china-russia-gas")
        >>> out = case.evaluate(china_value=[400.0, 450.0])
        >>> out["buyer_payoff@2014"].shape
        (2,)
        """
        values: dict[str, Any] = dict(self.base)
        for key, array in arrays.items():
            if key not in self.parameters:
                raise CaseFileError(f"{self.path}: unknown parameter {key!r} passed to evaluate")
            values[key] = np.asarray(array, dtype=np.float64)
        shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
        columns: dict[str, NDArray[Any]] = {}
        for year in self.years:
            for quantity, array in self.outputs_at(values, year).items():
                columns[f"{quantity}@{year}"] = np.broadcast_to(array, shape)
        return columns

    def with_values(self, overrides: Mapping[str, float]) -> Case:
        """A copy with some base values replaced (bounds widened if needed, kind kept)."""
        parameters = dict(self.parameters)
        for key, value in overrides.items():
            if key not in parameters:
                raise CaseFileError(
                    f"{self.path}: cannot set {key!r}: no such parameter "
                    f"(known: {', '.join(sorted(parameters))})"
                )
            old = parameters[key]
            parameters[key] = Parameter(
                old.name,
                float(value),
                old.unit,
                min(old.low, float(value)),
                max(old.high, float(value)),
                old.kind,
                old.source,
                old.description,
            )
        return Case(**{**self.__dict__, "parameters": parameters})

    # -- solving and checking ------------------------------------------------------------
    def solve(self, epoch: int | None = None, overrides: Mapping[str, float] | None = None) -> Any:
        """Solve every epoch (or one) at the base values; see :class:`.claims.CaseSolution`."""
        from ._claims import solve_case

        return solve_case(self.with_values(overrides or {}), epoch)

    def check(self, samples: int = 1024, seed: int = 0) -> Any:
        """Check every claim at the base values and its robustness over the box."""
        from ._claims import check_case

        return check_case(self, samples=samples, seed=seed)


# -- loading ------------------------------------------------------------------------------
def _fail(path: Path, key: str, message: str) -> CaseFileError:
    return CaseFileError(f"{path}: {key}: {message}")


def _unknown(path: Path, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise _fail(
            path,
            f"{where}.{extra[0]}" if where else extra[0],
            f"unknown key; allowed keys are {', '.join(sorted(allowed))}",
        )


def _string(path: Path, table: Mapping[str, Any], key: str, where: str) -> str:
    if key not in table:
        raise _fail(path, f"{where}.{key}", "missing; expected a string")
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _number(path: Path, table: Mapping[str, Any], key: str, where: str) -> float:
    if key not in table:
        raise _fail(path, f"{where}.{key}", "missing; expected a number")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"{where}.{key}", f"expected a number, got {value!r}")
    return float(value)


def _parameters(path: Path, table: Any) -> dict[str, Parameter]:
    if not isinstance(table, dict) or not table:
        raise _fail(path, "parameters", "expected a table of [parameters.<name>] tables")
    result: dict[str, Parameter] = {}
    for name, entry in table.items():
        where = f"parameters.{name}"
        if not isinstance(entry, dict):
            raise _fail(path, where, "expected a table with value, unit, low, high, kind, source")
        _unknown(path, entry, _PARAM_KEYS, where)
        value = _number(path, entry, "value", where)
        low = _number(path, entry, "low", where)
        high = _number(path, entry, "high", where)
        unit = _string(path, entry, "unit", where)
        if unit not in UNITS:
            raise _fail(
                path, f"{where}.unit", f"unknown unit {unit!r}; allowed: {', '.join(sorted(UNITS))}"
            )
        kind = _string(path, entry, "kind", where)
        if kind not in KINDS:
            raise _fail(
                path, f"{where}.kind", f"expected one of {', '.join(sorted(KINDS))}, got {kind!r}"
            )
        source = _string(path, entry, "source", where)
        if low > high:
            raise _fail(path, f"{where}.low", f"low ({low:g}) must not exceed high ({high:g})")
        if not low <= value <= high:
            raise _fail(
                path,
                f"{where}.value",
                f"value {value:g} is outside [low, high] = [{low:g}, {high:g}]",
            )
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise _fail(path, f"{where}.description", "expected a string")
        result[name] = Parameter(name, value, unit, low, high, kind, source, description)
    return result


def _epochs(path: Path, items: Any, parameters: Mapping[str, Parameter]) -> tuple[Epoch, ...]:
    if not isinstance(items, list) or not items:
        raise _fail(path, "epochs", "expected at least one [[epochs]] table")
    epochs: list[Epoch] = []
    for index, entry in enumerate(items):
        where = f"epochs[{index}]"
        if not isinstance(entry, dict):
            raise _fail(path, where, "expected a table")
        _unknown(path, entry, _EPOCH_KEYS, where)
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise _fail(path, f"{where}.year", f"expected an integer year, got {year!r}")
        label = _string(path, entry, "label", where)
        source = _string(path, entry, "source", where)
        changes = entry.get("set", {})
        if not isinstance(changes, dict):
            raise _fail(path, f"{where}.set", 'expected an inline table {param = "other_param"}')
        for target, origin in changes.items():
            if target not in parameters:
                raise _fail(path, f"{where}.set.{target}", "names no parameter of this case")
            if not isinstance(origin, str) or origin not in parameters:
                raise _fail(
                    path,
                    f"{where}.set.{target}",
                    f"expected the name of a sourced parameter, got {origin!r}",
                )
            if parameters[origin].unit != parameters[target].unit:
                raise _fail(
                    path,
                    f"{where}.set.{target}",
                    f"unit {parameters[origin].unit!r} of {origin!r} differs from "
                    f"{parameters[target].unit!r}",
                )
        epochs.append(Epoch(year, label, source, dict(changes)))
    years = [epoch.year for epoch in epochs]
    if years != sorted(set(years)):
        raise _fail(path, "epochs", f"years must be strictly increasing, got {years}")
    return tuple(epochs)


def _model(
    path: Path, table: Any, parameters: Mapping[str, Parameter]
) -> tuple[tuple[str, ...], dict[str, dict[str, str | float]]]:
    if not isinstance(table, dict):
        raise _fail(path, "model", "expected a [model] table")
    adapters = table.get("adapters")
    if not isinstance(adapters, list) or not all(isinstance(a, str) for a in adapters):
        raise _fail(path, "model.adapters", "expected a list of adapter names")
    _unknown(path, table, {"adapters", *ADAPTERS}, "model")
    mapping: dict[str, dict[str, str | float]] = {}
    for name in adapters:
        if name not in ADAPTERS:
            raise _fail(
                path,
                "model.adapters",
                f"unknown solver/adapter {name!r}; known: {', '.join(sorted(ADAPTERS))}",
            )
        adapter = ADAPTERS[name]
        args = table.get(name, {})
        if not isinstance(args, dict):
            raise _fail(path, f"model.{name}", 'expected a table argument = "parameter"')
        allowed = {*adapter.required, *adapter.optional}
        _unknown(path, args, allowed or {"(none)"}, f"model.{name}")
        for arg in adapter.required:
            if arg not in args:
                raise _fail(path, f"model.{name}.{arg}", "missing; map it onto a parameter")
        for arg, target in args.items():
            if isinstance(target, str):
                if target not in parameters:
                    raise _fail(path, f"model.{name}.{arg}", f"names no parameter: {target!r}")
            elif isinstance(target, bool) or not isinstance(target, int | float):
                raise _fail(
                    path, f"model.{name}.{arg}", f"expected a parameter name, got {target!r}"
                )
        mapping[name] = dict(args)
    return tuple(adapters), mapping


def parse_case(data: Mapping[str, Any], path: Path) -> Case:
    """Validate the parsed TOML ``data`` of the case file at ``path`` and build a :class:`Case`."""
    from ._claims import validate_claim

    _unknown(path, data, _TOP_KEYS, "")
    for key in ("case", "parameters", "epochs", "model", "claims"):
        if key not in data:
            raise _fail(path, key, "missing table")
    head = data["case"]
    if not isinstance(head, dict):
        raise _fail(path, "case", "expected a table")
    _unknown(path, head, _CASE_KEYS, "case")
    name = _string(path, head, "name", "case")
    title = _string(path, head, "title", "case")
    dyad = head.get("dyad")
    if not (isinstance(dyad, list) and len(dyad) == 2 and all(isinstance(d, str) for d in dyad)):
        raise _fail(path, "case.dyad", f"expected two names [buyer, seller], got {dyad!r}")
    players = head.get("players", ["buyer", "seller"])
    if not (isinstance(players, list) and len(players) == 2):
        raise _fail(path, "case.players", "expected two labels")
    regime = _string(path, head, "regime_expected", "case")
    sources = head.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise _fail(path, "case.sources", 'missing; expected {seed_or_ref_id = "description"}')
    parameters = _parameters(path, data["parameters"])
    epochs = _epochs(path, data["epochs"], parameters)
    adapters, mapping = _model(path, data["model"], parameters)
    claims_data = data["claims"]
    if not isinstance(claims_data, list) or not claims_data:
        raise _fail(path, "claims", "expected at least one [[claims]] table")
    provided = {q for a in adapters for q in ADAPTERS[a].outputs}
    claims: list[Claim] = []
    seen: set[str] = set()
    for index, entry in enumerate(claims_data):
        where = f"claims[{index}]"
        if not isinstance(entry, dict):
            raise _fail(path, where, "expected a table")
        _unknown(path, entry, _CLAIM_KEYS, where)
        claim_id = _string(path, entry, "id", where)
        if claim_id in seen:
            raise _fail(path, f"{where}.id", f"duplicate claim id {claim_id!r}")
        seen.add(claim_id)
        statement = _string(path, entry, "statement", where)
        source = _string(path, entry, "source", where)
        test = entry.get("test")
        if not isinstance(test, dict):
            raise _fail(path, f"{where}.test", "missing; expected an inline table {type = ...}")
        validate_claim(test, provided, parameters, [e.year for e in epochs], path, f"{where}.test")
        claims.append(Claim(claim_id, statement, source, dict(test), str(entry.get("note", ""))))
    return Case(
        name=name,
        title=title,
        dyad=(dyad[0], dyad[1]),
        players=(str(players[0]), str(players[1])),
        regime_expected=regime,
        sources=dict(sources),
        parameters=parameters,
        epochs=epochs,
        adapters=adapters,
        mapping=mapping,
        claims=tuple(claims),
        path=path,
        summary=str(head.get("summary", "")),
        raw=data,
    )


def read_case_file(path: Path) -> Case:
    """Read and validate one TOML case file."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise CaseFileError(f"{path}: no such case file") from exc
    except IsADirectoryError as exc:
        raise CaseFileError(f"{path}: is a folder, not a case file (a .toml file)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: not a text file in UTF-8: {exc}") from exc
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot be read: {exc}") from exc
    return parse_case(data, path)
