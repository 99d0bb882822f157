"""Linked cases: a case file's supply network (``[supply_network]``) and its adapter.

A linked case describes a whole supply network -- producers, markets (competitive fringes
among them), routes with the countries they cross -- with every number a parameter of the
case, so each epoch takes its own year's prices and capacities. The ``supply_network``
adapter builds a `SupplyNetwork` from the parameter arrays
(one network over all samples at once), solves Nash-in-Nash bargaining over every
agreement (`nash_in_nash`, Nash weights from the parties'
discount rates) and the exact Shapley value of the network's coalition game
(`cooperative`), and reports them for the countries and
agreements the table's ``focus`` names:

* ``buyer`` and ``seller``: the case's dyad; its supply agreement ``"seller -> buyer"``;
* ``rival``: another agreement (e.g. a rival supplier's contract with the buyer);
* ``side``: another agreement (e.g. the seller's contract with another buyer);
* ``transit``: countries whose payoffs are summed (transit rents);
* ``stake``: a parameter, the buyer's share in the seller's project (see below).

A bilateral case can be a *view* of a linked case: ``extends = "<linked case>"`` at the top
of its file takes the linked case's parameters, epochs and supply network (the view adds
or overrides parameters, sets its own ``focus``, model, claims and backtest). Its outside
options are then the disagreement payoffs the network computes, not typed-in numbers.

Units. Volumes share one unit and prices another; payoffs are volume x price in ``money``.
Where prices are quoted per another quantity than volumes (crude in Mt/yr and USD/bbl),
``units_per_volume`` names the parameter that converts (barrels per tonne): money is then
volume x price x that parameter, and a capital charge per unit of volume is divided by it.

Route costs. A route's unit cost is the sum of its ``cost`` terms plus, with ``capex``, a
capital charge ``capex x crf(rate, life) / design capacity`` (``crf(r, n) = r / (1 - (1 +
r)^-n)``, the capital recovery factor). With ``partner_share`` the share ``s`` of the capex is
financed by a partner at ``partner_rate``: ``crf`` becomes ``(1 - s) crf(rate) + s
crf(partner_rate)``. ``buyer_cost`` is a part of the cost that the buyer bears in reality
(its own inland transport): the network charges it to the route like any cost, and the
reported price of the agreement is the price at the border, the bargained price less the
flow-weighted ``buyer_cost`` of the agreement's routes.

The stake. With ``focus.stake`` the buyer holds the share ``theta`` of the seller's margin
on the dyad's routes (an upstream stake). Payoffs are those of the bargain; the contract
price that implements them is ``(p - theta c) / (1 - theta)``, ``p`` the border price and
``c`` the seller's unit cost. A stake changes the surplus only through what the case
ties to it (e.g. ``partner_share``: the buyer finances its share of the capex at its own
rate). The stake lies in ``[0, 1)`` and a partner's share in ``[0, 1]``: a case file whose
parameter (value or range, or that of a parameter an epoch copies into it) leaves that range
is refused at load (`CaseFileError`), and values out of it at a solve raise
`InvalidParameterError` naming the parameter.

For a ``[timing]`` table (`pipeline_games.cases._timing`) the outputs
``net_dyad_payoff`` (the buyer's and the seller's payoffs together), ``net_buyer_outside_option``
and ``net_seller_outside_option`` are the state's surplus and options: the stake of the
talks, surplus less options, is then the agreement's joint gain ``net_joint_gain``.

Where the dyad's agreement carries no flow, or the network's bargains are not stable (some
agreement would leave a side worse off), there is no deal: ``agreement`` is False, its price
and shares are NaN and the buyer's and the seller's payoffs are their outside options (their
payoffs without the dyad's agreement, the others holding).

Examples
--------
>>> from pipeline_games.cases import load
>>> case = load("eurasian-gas")
>>> out = case.outputs_at(case.base, 2014)
>>> bool(out["agreement"]), bool(out["net_stable"])
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import CaseFileError

if TYPE_CHECKING:
    from pathlib import Path

    from ._case import Case, Parameter

__all__ = [
    "AGREEMENT_OUTPUTS",
    "NET_OUTPUTS",
    "SupplyNetworkSpec",
    "agreement_quantities",
    "build_network",
    "check_shared_parameters",
    "check_supply_network",
    "linked_case_path",
    "merge_view",
    "network_parameters",
    "share_in_range",
    "share_parameters",
    "shared_parameter_differences",
    "supply_network_outputs",
]

FloatArray = NDArray[np.float64]
Number = float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProducerSpec(_Strict):
    """A producer: its export capacity and unit cost (parameters or numbers)."""

    capacity: Number | None = Field(default=None, description="None: no limit")
    cost: Number = 0.0
    fringe: bool = False


class MarketSpec(_Strict):
    """A market: one price (with capacity) or steps ``[[volume, unit value], ...]``."""

    price: Number | None = None
    capacity: Number | None = None
    steps: list[tuple[Number, Number]] | None = None
    fringe: bool = False

    @model_validator(mode="after")
    def _value(self) -> MarketSpec:
        if (self.price is None) == (self.steps is None):
            raise ValueError("give price (with capacity) or steps, not both and not neither")
        return self


class RouteSpec(_Strict):
    """A route: the countries it crosses, its capacity and its unit cost."""

    path: list[str] = Field(min_length=2)
    capacity: Number
    cost: Number | list[Number] = 0.0
    buyer_cost: Number = 0.0
    capex: Number | None = None
    design_capacity: Number | None = None
    life: Number | None = None
    rate: Number | None = None
    partner_share: Number | None = None
    partner_rate: Number | None = None

    @model_validator(mode="after")
    def _capital(self) -> RouteSpec:
        if self.capex is not None and (self.life is None or self.rate is None):
            raise ValueError("a route with capex needs life and rate")
        if (self.partner_share is None) != (self.partner_rate is None):
            raise ValueError("partner_share and partner_rate go together")
        if self.partner_share is not None and self.capex is None:
            raise ValueError("partner_share needs capex")
        if isinstance(self.partner_share, float) and not 0.0 <= self.partner_share <= 1.0:
            raise ValueError(f"partner_share must be in [0, 1]; got {self.partner_share:g}")
        return self


class FocusSpec(_Strict):
    """The countries and agreements the adapter reports on."""

    buyer: str
    seller: str
    rival: str | None = Field(default=None, description="An agreement name, 'P -> M'")
    side: str | None = Field(default=None, description="An agreement name, 'P -> M'")
    transit: list[str] = Field(default_factory=list)
    stake: str | None = Field(default=None, description="Parameter: buyer's share of margin")


class SupplyNetworkSpec(_Strict):
    """The ``[supply_network]`` table of a linked case."""

    money: str = Field(default="USD_bn/yr", description="Unit of payoffs")
    units_per_volume: str | None = Field(
        default=None,
        description=(
            "Parameter: units of the priced quantity per unit of volume (e.g. bbl/t, with "
            "volumes in Mt/yr and prices in USD/bbl); None: prices are per unit of volume"
        ),
    )
    transit: list[str] = Field(default_factory=list, description="Transit-only countries")
    producers: dict[str, ProducerSpec]
    markets: dict[str, MarketSpec]
    routes: dict[str, RouteSpec]
    rates: dict[str, Number] = Field(
        default_factory=dict, description="Country -> discount rate (Nash weights)"
    )
    focus: FocusSpec


#: Quantities of the supply_network adapter.
NET_OUTPUTS = (
    "agreement",
    "net_price",
    "net_volume",
    "net_buyer_share",
    "net_seller_share",
    "net_joint_gain",
    "net_buyer_payoff",
    "net_seller_payoff",
    "net_buyer_outside_option",
    "net_seller_outside_option",
    "net_dyad_payoff",
    "net_surplus",
    "net_stable",
    "net_determinate",
    "net_rival_price",
    "net_rival_volume",
    "net_rival_seller_share",
    "net_rival_payoff",
    "net_side_price",
    "net_side_volume",
    "net_side_seller_share",
    "net_transit_payoff",
    "net_buyer_shapley_share",
    "net_seller_shapley_share",
    "net_rival_shapley_share",
    "net_transit_shapley_share",
)


# -- views --------------------------------------------------------------------------------
def merge_view(data: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """A view's TOML data merged onto the linked case it ``extends`` (unchanged otherwise).

    The view takes the linked case's parameters (its own added or replacing them), its
    epochs (a view's epoch of the same year adds its ``set`` entries; another year is a new
    epoch) and its supply network (with the view's keys, e.g.
    ``focus``, replacing the linked case's); ``case``, ``model``, ``network``, ``claims``
    and ``backtest`` are the view's own.
    """
    import tomllib

    base_name = data.get("extends")
    if base_name is None:
        return dict(data)
    if not isinstance(base_name, str):
        raise CaseFileError(f"{path}: extends: expected a case name; got {base_name!r}")
    base_path = linked_case_path(base_name, path)
    try:
        with base_path.open("rb") as handle:
            base = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CaseFileError(f"{path}: extends: cannot read case {base_name!r} ({exc})") from None
    if "extends" in base:
        raise CaseFileError(f"{path}: extends: {base_name!r} is itself a view; extend its base")

    def table(value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise CaseFileError(f"{path}: {where}: expected a table; got {value!r}")
        return value

    def tables(value: Any, where: str) -> list[Mapping[str, Any]]:
        if not isinstance(value, list):
            raise CaseFileError(f"{path}: {where}: expected an array of tables; got {value!r}")
        return [table(item, f"{where}[{index}]") for index, item in enumerate(value)]

    merged = dict(data.items())
    merged["parameters"] = {
        **table(base.get("parameters", {}), f"{base_name}: parameters"),
        **table(data.get("parameters", {}), "parameters"),
    }
    epochs = {
        int(e["year"]): dict(e)
        for e in tables(base.get("epochs", []), f"{base_name}: epochs")
        if isinstance(e.get("year"), int)
    }
    for index, epoch in enumerate(tables(data.get("epochs", []), "epochs")):
        year = epoch.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            raise CaseFileError(f"{path}: epochs[{index}].year: expected a year; got {year!r}")
        if year in epochs:
            extra = table(epoch.get("set", {}), f"epochs[{index}].set")
            epochs[year]["set"] = {
                **table(epochs[year].get("set", {}), f"{base_name}: epochs[{year}].set"),
                **extra,
            }
        else:
            epochs[year] = dict(epoch)
    merged["epochs"] = [epochs[year] for year in sorted(epochs)]
    if "supply_network" in base:
        merged["supply_network"] = {
            **table(base["supply_network"], f"{base_name}: supply_network"),
            **table(data.get("supply_network", {}), "supply_network"),
        }
    return merged


def linked_case_path(name: str, path: Path) -> Path:
    """The file of the linked case ``name`` for the case file ``path``: beside it, else in
    the package's ``cases/`` folder (it may not exist)."""
    from ._library import cases_dir

    beside = path.parent / f"{name}.toml"
    return beside if beside.is_file() else cases_dir() / f"{name}.toml"


# -- shared parameters -----------------------------------------------------------------
def shared_parameter_differences(
    case: Case, linked: Case
) -> dict[str, list[tuple[int | None, str, float, float]]]:
    """Where ``case`` and ``linked`` disagree on the parameters both have by name.

    For every epoch year of ``case`` (the years in which it reads the linked case), each
    shared parameter's value in force (`Case.epoch_values` at the base values) and, for a
    parameter a sweep samples, the range ``[low, high]`` of the parameter whose value is in
    force, converted to the linked case's unit. Returns ``name -> [(year, what, value here,
    value there)]`` with ``what`` one of ``"value"``, ``"low"``, ``"high"``, ``"unit"``
    (not of one dimension) or ``"origin"`` (sampled on one side, computed on the other);
    ``from_network`` parameters are left out (they are the linked case's own numbers).
    """
    from ._market import conversion, dimension_of

    names = [
        n
        for n, p in case.parameters.items()
        if n in linked.parameters and "network" not in (p.origin, linked.parameters[n].origin)
    ]
    out: dict[str, list[tuple[int | None, str, float, float]]] = {}
    factors: dict[str, float] = {}
    for name in names:
        mine, theirs = case.parameters[name], linked.parameters[name]
        if dimension_of(mine.unit) != dimension_of(theirs.unit):
            out[name] = [(None, "unit", math.nan, math.nan)]
        else:
            factors[name] = conversion(mine.unit, theirs.unit)
    years: list[int | None] = list(case.years) or [None]
    for year in years:
        here = case._in_force(case.base, year)
        here = case._with_derived(here)
        there = linked._with_derived(linked._in_force(linked.base, year))
        for name, factor in factors.items():
            a = float(np.asarray(here[name], dtype=np.float64)) * factor
            b = float(np.asarray(there[name], dtype=np.float64))
            if not _same(a, b):
                out.setdefault(name, []).append((year, "value", a, b))
            mine = case.parameters[case.source_parameter(name, year)]
            theirs = linked.parameters[linked.source_parameter(name, year)]
            computed = ("derived", "network")
            if (mine.origin in computed) != (theirs.origin in computed):
                out.setdefault(name, []).append((year, "origin", math.nan, math.nan))
            elif mine.origin not in computed:
                for key in ("low", "high"):
                    a, b = getattr(mine, key) * factor, getattr(theirs, key)
                    if not _same(a, b):
                        out.setdefault(name, []).append((year, key, a, b))
    return out


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def check_shared_parameters(case: Case, linked: Mapping[str, Case], path: Path) -> None:
    """Raise `CaseFileError` where ``case`` disagrees with a linked case on a parameter both
    have by name (see `shared_parameter_differences`) without declaring ``override`` (on that
    parameter, or on the parameter of ``case`` an epoch sets it from in the years it
    differs), or declares an ``override`` that covers no difference."""
    declared = {n: p.override for n, p in case.parameters.items() if p.override is not None}
    differing: set[str] = set()
    shared: set[str] = set()
    for other_name, other in linked.items():
        shared |= set(case.parameters) & set(other.parameters)
        for name, rows in shared_parameter_differences(case, other).items():
            # An override on the shared parameter, or on this case's parameter whose value
            # it takes in the year (an epoch's source), covers the difference.
            sources = {name if y is None else case.source_parameter(name, y) for y, *_ in rows}
            differing |= {name, *sources}
            if name in declared or sources <= set(declared):
                continue
            year, what, a, b = rows[0]
            if what == "unit":
                detail = f"its unit {case.parameters[name].unit!r} is of another kind there"
            elif what == "origin":
                detail = f"in {year} it is sampled on one side and computed on the other"
            else:
                detail = f"in {year} its {what} is {a:g} here and {b:g} there"
            raise CaseFileError(
                f"{path}: parameters.{name}: shared by name with the linked case "
                f"{other_name!r}, {detail}; use the linked case's number (or rename the "
                'parameter if it means another thing), or declare override = "<reason>"'
            )
    sources = {case.source_parameter(name, year) for name in shared for year in case.years}
    for name in declared:
        if name not in shared | sources:
            raise CaseFileError(
                f"{path}: parameters.{name}.override: no linked case (extends or from_network) "
                f"has a parameter {name!r}, nor does an epoch copy it into one; an override "
                "goes with a shared parameter or the parameter an epoch sets it from"
            )
        if name not in differing:
            raise CaseFileError(
                f"{path}: parameters.{name}.override: the value agrees with the linked "
                f"case(s) {sorted(linked)} in every epoch; remove the override"
            )


# -- loading checks ----------------------------------------------------------------------
def _fields(spec: SupplyNetworkSpec) -> list[tuple[str, Number | None, str]]:
    """(where, number or parameter, kind) of every numeric field; kind names the dimension."""
    out: list[tuple[str, Number | None, str]] = []
    for name, p in spec.producers.items():
        out += [(f"producers.{name}.capacity", p.capacity, "volume")]
        out += [(f"producers.{name}.cost", p.cost, "price")]
    for name, m in spec.markets.items():
        out += [(f"markets.{name}.price", m.price, "price")]
        out += [(f"markets.{name}.capacity", m.capacity, "volume")]
        for k, (volume, value) in enumerate(m.steps or []):
            out += [(f"markets.{name}.steps[{k}]", volume, "volume")]
            out += [(f"markets.{name}.steps[{k}]", value, "price")]
    for name, r in spec.routes.items():
        terms = r.cost if isinstance(r.cost, list) else [r.cost]
        out += [(f"routes.{name}.cost", term, "price") for term in terms]
        out += [(f"routes.{name}.capacity", r.capacity, "volume")]
        out += [(f"routes.{name}.design_capacity", r.design_capacity, "volume")]
        out += [(f"routes.{name}.buyer_cost", r.buyer_cost, "price")]
        out += [(f"routes.{name}.capex", r.capex, "capex")]
        out += [(f"routes.{name}.life", r.life, "life")]
        out += [(f"routes.{name}.rate", r.rate, "rate")]
        out += [(f"routes.{name}.partner_rate", r.partner_rate, "rate")]
        out += [(f"routes.{name}.partner_share", r.partner_share, "share")]
    for country, rate in spec.rates.items():
        out += [(f"rates.{country}", rate, "rate")]
    if spec.focus.stake is not None:
        out += [("focus.stake", spec.focus.stake, "share")]
    if spec.units_per_volume is not None:
        out += [("units_per_volume", spec.units_per_volume, "units_per_volume")]
    return out


def share_parameters(spec: SupplyNetworkSpec) -> dict[str, tuple[str, str]]:
    """Parameter -> (the key of the table that names it, its allowed range in words) for
    the stake and the partners' shares of a ``[supply_network]`` table."""
    out: dict[str, tuple[str, str]] = {}
    for name, route in spec.routes.items():
        if isinstance(route.partner_share, str):
            out[route.partner_share] = (f"routes.{name}.partner_share", "[0, 1]")
    if spec.focus.stake is not None:  # the narrower range wins
        out[spec.focus.stake] = ("focus.stake", "[0, 1)")
    return out


def share_in_range(value: Any, allowed: str) -> NDArray[np.bool_]:
    """Whether ``value`` lies in ``allowed`` (``"[0, 1)"`` or ``"[0, 1]"``), elementwise."""
    value = np.asarray(value, dtype=np.float64)
    upper = value < 1.0 if allowed == "[0, 1)" else value <= 1.0
    return np.asarray((value >= 0.0) & upper)


def _check_shares(spec: SupplyNetworkSpec, values: Mapping[str, Any]) -> None:
    """Raise `InvalidParameterError` unless every stake and partner's share is in range."""
    from ..errors import InvalidParameterError

    for name, (where, allowed) in share_parameters(spec).items():
        value = np.asarray(values[name], dtype=np.float64)
        good = share_in_range(value, allowed)
        if not np.all(good):
            bad = float(value.reshape(-1)[np.flatnonzero(~good.reshape(-1))[0]])
            meaning = (
                "the buyer's share of the seller's margin; the contract price divides by 1 - stake"
                if where == "focus.stake"
                else "the partner's share of the capex"
            )
            raise InvalidParameterError(
                f"parameter {name!r} (supply_network.{where}: {meaning}) must be in "
                f"{allowed}; got {bad:g} (in the values in force: an epoch may copy another "
                "parameter into it)"
            )


def _parameter_names(spec: SupplyNetworkSpec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for _, v, _ in _fields(spec) if isinstance(v, str)))


def check_supply_network(
    spec: SupplyNetworkSpec, parameters: Mapping[str, Parameter], path: Path
) -> None:
    """Raise `CaseFileError` unless the table names known parameters in fitting units.

    Volumes share one unit, prices and costs another; capex converts to ``USD_bn``, lives
    to ``yr``, rates to ``1/yr``, shares are dimensionless; volume x price is ``money``.
    """
    from ._market import conversion

    units: dict[str, set[str]] = {}
    for where, value, kind in _fields(spec):
        if isinstance(value, str):
            if value not in parameters:
                raise CaseFileError(f"{path}: supply_network.{where}: no parameter {value!r}")
            units.setdefault(kind, set()).add(parameters[value].unit)
    for kind in ("volume", "price"):
        if len(units.get(kind, set())) > 1:
            raise CaseFileError(
                f"{path}: supply_network: the {kind}s must share one unit; got "
                f"{sorted(units[kind])}"
            )
    fixed = {"capex": "USD_bn", "life": "yr", "rate": "1/yr", "share": "dimensionless"}
    for kind, target in fixed.items():
        for unit in units.get(kind, set()):
            try:
                conversion(unit, target)
            except CaseFileError as exc:
                raise CaseFileError(f"{path}: supply_network: a {kind}: {exc}") from None
    volume = next(iter(units.get("volume", {"bcm/yr"})))
    price = next(iter(units.get("price", {"USD/kcm"})))
    per_volume = "".join(f" * ({u})" for u in units.get("units_per_volume", set()))
    try:
        conversion(f"({volume}) * ({price}){per_volume}", spec.money)
    except CaseFileError as exc:
        raise CaseFileError(f"{path}: supply_network.money: volume x price: {exc}") from None
    countries = set(spec.producers) | set(spec.markets) | set(spec.transit)
    for name, route in spec.routes.items():
        unknown = [c for c in route.path if c not in countries]
        if unknown:
            raise CaseFileError(
                f"{path}: supply_network.routes.{name}.path: unknown countries {unknown}; "
                "list transit-only countries in transit"
            )
    for role in ("buyer", "seller"):
        country = getattr(spec.focus, role)
        if country not in countries:
            raise CaseFileError(f"{path}: supply_network.focus.{role}: unknown {country!r}")
    for country in spec.focus.transit:
        if country not in countries:
            raise CaseFileError(f"{path}: supply_network.focus.transit: unknown {country!r}")
    for name, (where, allowed) in share_parameters(spec).items():
        parameter = parameters[name]
        if parameter.origin == "network":  # computed in every epoch: checked when solved
            continue
        for end in ("value", "low", "high"):
            number = getattr(parameter, end)
            if not share_in_range(number, allowed):
                raise CaseFileError(
                    f"{path}: parameters.{name}.{end}: {number:g} is outside {allowed}, the "
                    f"range of supply_network.{where} (a share)"
                )
    network = build_network(spec, {n: parameters[n].value for n in _parameter_names(spec)}, 1.0)
    for role in ("rival", "side"):
        name = getattr(spec.focus, role)
        if name is not None and name not in network.agreement_names:
            raise CaseFileError(
                f"{path}: supply_network.focus.{role}: no agreement {name!r}; agreements are "
                f"{list(network.agreement_names)}"
            )
    dyad = f"{spec.focus.seller} -> {spec.focus.buyer}"
    if dyad not in network.agreement_names:
        raise CaseFileError(
            f"{path}: supply_network.focus: no agreement {dyad!r}; agreements are "
            f"{list(network.agreement_names)}"
        )
    missing = [c for c in network.countries if spec.rates and c not in spec.rates]
    if missing:
        raise CaseFileError(f"{path}: supply_network.rates: no rate for {missing}")


# -- building ----------------------------------------------------------------------------
def _value(term: Number | None, values: Mapping[str, Any], default: float = 0.0) -> Any:
    if term is None:
        return default
    if isinstance(term, str):
        return np.asarray(values[term], dtype=np.float64)
    return float(term)


def _crf(rate: Any, life: Any) -> Any:
    """Capital recovery factor ``r / (1 - (1 + r)^-n)`` (``1 / n`` at ``r = 0``)."""
    rate = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = rate / (1.0 - (1.0 + rate) ** (-np.asarray(life, dtype=np.float64)))
    return np.where(rate == 0.0, 1.0 / np.asarray(life, dtype=np.float64), value)


def route_costs(
    spec: SupplyNetworkSpec, values: Mapping[str, Any], capital_factor: Any
) -> dict[str, tuple[Any, Any]]:
    """Route name -> (unit cost, buyer's part of it), arrays over the samples."""
    out = {}
    for name, route in spec.routes.items():
        terms = route.cost if isinstance(route.cost, list) else [route.cost]
        cost: Any = sum((_value(t, values) for t in terms), 0.0)
        if route.capex is not None:
            crf = _crf(_value(route.rate, values), _value(route.life, values))
            if route.partner_share is not None:
                share = _value(route.partner_share, values)
                crf = (1.0 - share) * crf + share * _crf(
                    _value(route.partner_rate, values), _value(route.life, values)
                )
            design = _value(route.design_capacity or route.capacity, values)
            with np.errstate(divide="ignore", invalid="ignore"):
                charge = _value(route.capex, values) * crf * capital_factor / design
            cost = cost + np.where(np.asarray(design) > 0, charge, 0.0)
        out[name] = (cost, _value(route.buyer_cost, values))
    return out


def build_network(spec: SupplyNetworkSpec, values: Mapping[str, Any], capital_factor: Any) -> Any:
    """The `SupplyNetwork` at parameter ``values`` (arrays
    broadcast); ``capital_factor`` turns ``capex / design capacity`` into the price unit."""
    from ..network import Market, Producer, Route, SupplyNetwork

    producers = [
        Producer(
            name,
            capacity=_value(p.capacity, values, math.inf),
            cost=_value(p.cost, values),
            fringe=p.fringe,
        )
        for name, p in spec.producers.items()
    ]
    markets = []
    for name, m in spec.markets.items():
        if m.steps is None:
            markets.append(
                Market(
                    name,
                    price=_value(m.price, values),
                    capacity=_value(m.capacity, values, math.inf),
                    fringe=m.fringe,
                )
            )
        else:
            steps = [(_value(v, values, math.inf), _value(u, values)) for v, u in m.steps]
            markets.append(Market(name, steps=steps, fringe=m.fringe))
    costs = route_costs(spec, values, capital_factor)
    routes = [
        Route(name, tuple(r.path), capacity=_value(r.capacity, values), cost=costs[name][0])
        for name, r in spec.routes.items()
    ]
    return SupplyNetwork(producers, markets, routes, spec.transit)


# -- the adapter -------------------------------------------------------------------------
def supply_network_arguments(case: Case) -> dict[str, Any]:
    """The adapter's constants: the spec, the capital factor and the money factor."""
    from ._market import conversion

    spec: SupplyNetworkSpec | None = getattr(case, "supply_network", None)
    if spec is None:
        raise CaseFileError(
            f"{case.path}: supply_network: the supply_network adapter needs a "
            "[supply_network] table"
        )
    names = _parameter_names(spec)
    volume = next(
        (
            case.parameters[v].unit
            for _, v, k in _fields(spec)
            if k == "volume" and isinstance(v, str)
        ),
        "bcm/yr",
    )
    per_volume = (
        "dimensionless"
        if spec.units_per_volume is None
        else case.parameters[spec.units_per_volume].unit
    )
    price = next(
        (
            case.parameters[v].unit
            for _, v, k in _fields(spec)
            if k == "price" and isinstance(v, str)
        ),
        "USD/kcm",
    )
    return {
        "spec": spec,
        "capital_factor": conversion(f"USD_bn / yr / ({volume}) / ({per_volume})", price),
        "money_factor": conversion(f"({volume}) * ({price}) * ({per_volume})", spec.money),
        "network_parameters": names,
    }


def supply_network_reads(case: Case) -> tuple[str, ...]:
    spec = getattr(case, "supply_network", None)
    return () if spec is None else _parameter_names(spec)


def _solve(params: Mapping[str, Any]) -> dict[str, Any]:
    """Build the network at the parameter values and solve Nash-in-Nash (shared by the
    adapter and by ``from_network`` parameters)."""
    from ..network import nash_in_nash

    spec: SupplyNetworkSpec = params["spec"]
    values = params["values"]
    _check_shares(spec, values)
    # Prices per another quantity than volumes (USD/bbl on Mt/yr): the conversion is a
    # parameter (barrels per tonne), so both factors are arrays over the samples.
    per_volume = _value(spec.units_per_volume, values, 1.0)
    money: Any = float(params["money_factor"]) * per_volume
    capital_factor: Any = float(params["capital_factor"]) / per_volume
    network = build_network(spec, values, capital_factor)
    rates = {c: _value(r, values) for c, r in spec.rates.items()} or None
    deal = nash_in_nash(network, rates=rates)
    return {
        "spec": spec,
        "values": values,
        "money": money,
        "network": network,
        "deal": deal,
        "costs": route_costs(spec, values, capital_factor),
        "shape": deal.surplus.shape,
    }


def _agreement_numbers(solved: Mapping[str, Any], name: str) -> dict[str, NDArray[Any]]:
    """Price at the border, volume, both sides' gains (money) and the seller's unit cost
    of agreement ``name``, arrays over the samples."""
    spec: SupplyNetworkSpec = solved["spec"]
    network, deal, costs = solved["network"], solved["deal"], solved["costs"]
    shape, money = solved["shape"], solved["money"]
    a = list(network.agreement_names).index(name)
    item = network.agreements[a]
    used = deal.used[..., a]
    flows = deal.flows[..., list(item.routes)]
    total = flows.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = flows / np.where(total > 0, total, 1.0)[..., None]
    route_names = [network.route_names[r] for r in item.routes]
    buyer_part = sum(
        weights[..., k] * np.broadcast_to(costs[r][1], shape) for k, r in enumerate(route_names)
    )
    producer = spec.producers.get(item.seller)
    producer_cost = np.asarray(_value(producer.cost, solved["values"]) if producer else 0.0)
    seller_cost = sum(
        weights[..., k] * np.broadcast_to(costs[r][0] - costs[r][1], shape)
        for k, r in enumerate(route_names)
    ) + np.broadcast_to(producer_cost, shape)
    price = deal.price[..., a] - buyer_part
    seller_gain = deal.seller_gain[..., a] * money
    buyer_gain = deal.buyer_gain[..., a] * money
    with np.errstate(invalid="ignore", divide="ignore"):
        share = seller_gain / (seller_gain + buyer_gain)
    nan = np.nan
    return {
        "used": used,
        "price": np.where(used, price, nan),
        "volume": deal.volume[..., a],
        "seller_share": np.where(used, share, nan),
        "seller_gain": seller_gain,
        "buyer_gain": buyer_gain,
        "seller_cost": seller_cost,
    }


def supply_network_outputs(params: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """Nash-in-Nash and Shapley on the case's network, reported for its ``focus``."""
    from ..network import cooperative

    solved = _solve(params)
    spec: SupplyNetworkSpec = solved["spec"]
    values, money = solved["values"], solved["money"]
    network, deal, shape = solved["network"], solved["deal"], solved["shape"]
    coop = cooperative(network)
    focus = spec.focus
    countries = list(network.countries)

    def country(array: FloatArray, name: str) -> FloatArray:
        return np.broadcast_to(array[..., countries.index(name)], shape)

    def agreement_numbers(name: str) -> dict[str, NDArray[Any]]:
        return _agreement_numbers(solved, name)

    dyad = agreement_numbers(f"{focus.seller} -> {focus.buyer}")
    price = dyad["price"]
    if focus.stake is not None:
        theta = np.broadcast_to(_value(focus.stake, values), shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            price = (price - theta * dyad["seller_cost"]) / (1.0 - theta)
    payoff = deal.payoff * np.asarray(money)[..., None]
    agreement = dyad["used"] & deal.stable
    nan_array = np.full(shape, np.nan)
    # No deal: each side gets its payoff without the dyad's agreement (its outside option).
    buyer_outside = country(payoff, focus.buyer) - dyad["buyer_gain"]
    seller_outside = country(payoff, focus.seller) - dyad["seller_gain"]
    buyer_payoff = np.where(agreement, country(payoff, focus.buyer), buyer_outside)
    seller_payoff = np.where(agreement, country(payoff, focus.seller), seller_outside)
    out: dict[str, NDArray[Any]] = {
        "agreement": np.asarray(agreement, dtype=bool),
        "net_price": np.where(agreement, price, np.nan),
        "net_volume": dyad["volume"],
        "net_buyer_share": np.where(agreement, 1.0 - dyad["seller_share"], np.nan),
        "net_seller_share": np.where(agreement, dyad["seller_share"], np.nan),
        "net_joint_gain": dyad["seller_gain"] + dyad["buyer_gain"],
        "net_buyer_payoff": buyer_payoff,
        "net_seller_payoff": seller_payoff,
        "net_buyer_outside_option": buyer_outside,
        "net_seller_outside_option": seller_outside,
        # The dyad's two payoffs together: its joint gain plus both outside options where
        # the deal forms, the options alone where it does not, so that a [timing] table's
        # stake (surplus less the options) is the joint gain of a deal that can form.
        "net_dyad_payoff": buyer_payoff + seller_payoff,
        "net_surplus": deal.surplus * money,
        "net_stable": np.asarray(deal.stable, dtype=bool),
        "net_determinate": np.asarray(deal.determinate, dtype=bool),
        "net_buyer_shapley_share": country(coop.share, focus.buyer),
        "net_seller_shapley_share": country(coop.share, focus.seller),
    }
    for role in ("rival", "side"):
        name = getattr(focus, role)
        numbers = agreement_numbers(name) if name is not None else None
        out[f"net_{role}_price"] = nan_array if numbers is None else numbers["price"]
        out[f"net_{role}_volume"] = nan_array if numbers is None else numbers["volume"]
        out[f"net_{role}_seller_share"] = nan_array if numbers is None else numbers["seller_share"]
    rival_seller = None if focus.rival is None else focus.rival.split(" -> ")[0]
    out["net_rival_payoff"] = nan_array if rival_seller is None else country(payoff, rival_seller)
    out["net_rival_shapley_share"] = (
        nan_array if rival_seller is None else country(coop.share, rival_seller)
    )
    transit_payoff: Any = np.zeros(shape)
    transit_shapley: Any = np.zeros(shape)
    for name in focus.transit:
        transit_payoff = transit_payoff + country(payoff, name)
        transit_shapley = transit_shapley + country(coop.share, name)
    out["net_transit_payoff"] = transit_payoff if focus.transit else nan_array
    out["net_transit_shapley_share"] = transit_shapley if focus.transit else nan_array
    return {key: np.asarray(value) for key, value in out.items()}


# -- from_network parameters --------------------------------------------------------------
#: Per-agreement quantities a ``from_network`` parameter may take: name -> (dimension of
#: its unit, whether it needs a ``party``).
AGREEMENT_OUTPUTS: dict[str, tuple[str, bool]] = {
    "payoff": ("money", True),
    "gain": ("money", True),
    "disagreement_payoff": ("money", True),
    "outside_option": ("money", True),
    "outside_option_per_unit": ("price", True),
    "disagreement_share": ("share", True),
    "price": ("price", False),
    "volume": ("volume", False),
}


def agreement_quantities(
    params: Mapping[str, Any], requests: list[tuple[str, str, str | None]]
) -> list[NDArray[np.float64]]:
    """Per-agreement quantities of the network at ``params`` (the adapter's arguments).

    ``requests`` are ``(output, agreement, party)`` triples (see `AGREEMENT_OUTPUTS`); the
    network is solved once for all of them. For side ``X`` of agreement ``a`` (payoffs in
    the network's ``money``):

    * ``payoff``: ``pi_X(A)``, the side's payoff on the network;
    * ``gain``: ``pi_X(A) - pi_X(A \\ a)``, what the agreement adds (its Nash share);
    * ``disagreement_payoff``: ``pi_X(A \\ a)``, the payoff without the agreement;
    * ``outside_option``: what the side's *alternative* to the agreement is worth:
      the disagreement payoff less the payoff the side would keep if the agreement's flows
      just stopped, nothing re-routed, ``pi_X(A \\ a) - (pi_X(A) - m_X) = m_X - gain``,
      with ``m_X`` the side's value of the agreement's own flows at its price (the
      seller's margin ``q_a (p_a - unit cost)`` less the transit fees it pays on them;
      the buyer's ``V(Q) - V(Q - q_a) - p_a q_a``, ``V`` its market's value schedule and
      ``Q`` its inflow). This is what a two-party model calls the outside option: zero
      without an alternative, the netback of the displaced volume when it can go elsewhere;
    * ``outside_option_per_unit``: ``outside_option`` per unit of the agreement's volume,
      in the network's price unit (0 where the agreement carries nothing);
    * ``disagreement_share``: ``d / (d + G)``, ``d`` the side's ``disagreement_payoff``
      and ``G`` the agreement's joint gain (both sides' ``gain``): the side's share of the
      bargain's value with the other side's disagreement payoff netted out, the ``o`` of
      `pipeline_games.transaction.diversification` (whose other side's option is 0), since
      the side's Nash payoff ``d + w G`` is then ``o V + w (1 - o) V`` with ``V = d + G``;
      clipped to [0, 1] (rounding); 0 where the agreement carries nothing or ``d + G`` is
      not positive;
    * ``price`` (at the border, NaN where unused) and ``volume``.
    """
    solved = _solve(params)
    network, deal, money, shape = (
        solved["network"],
        solved["deal"],
        solved["money"],
        solved["shape"],
    )
    countries = list(network.countries)
    names = list(network.agreement_names)
    out = []
    for output, agreement, party in requests:
        numbers = _agreement_numbers(solved, agreement)
        a = names.index(agreement)
        item = network.agreements[a]
        if output in ("price", "volume"):
            out.append(np.asarray(numbers[output], dtype=np.float64))
            continue
        who = item.seller if party == "seller" else item.buyers[0]
        payoff = np.broadcast_to(deal.payoff[..., countries.index(who)] * money, shape)
        gain = numbers[f"{party}_gain"]
        if output == "payoff":
            value: Any = payoff
        elif output == "gain":
            value = gain
        elif output == "disagreement_payoff":
            value = payoff - gain
        elif output == "disagreement_share":
            volume = np.broadcast_to(deal.volume[..., a], shape)
            whole = payoff - gain + numbers["seller_gain"] + numbers["buyer_gain"]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.clip((payoff - gain) / whole, 0.0, 1.0)
            value = np.where((volume > 0) & (whole > 0), share, 0.0)
        else:
            value = _own_value(solved, a, party) - gain
            if output == "outside_option_per_unit":
                volume = np.broadcast_to(deal.volume[..., a], shape)
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = np.where(volume > 0, value / (volume * money), 0.0)
        out.append(np.asarray(np.broadcast_to(value, shape), dtype=np.float64))
    return out


def _own_value(solved: Mapping[str, Any], a: int, party: str | None) -> FloatArray:
    """``m_X``: side ``X``'s value of agreement ``a``'s own flows at its price (money)."""
    network, deal, money, shape = (
        solved["network"],
        solved["deal"],
        solved["money"],
        solved["shape"],
    )
    item = network.agreements[a]
    routes = list(item.routes)
    flows = deal.flows[..., routes]
    price = deal.price[..., a]
    if item.kind != "supply":
        return np.broadcast_to(price * flows.sum(axis=-1) * money, shape)
    if party == "seller":
        producer = next(p for p in network.producers if p.name == item.seller)
        unit = (
            np.stack([np.broadcast_to(network.routes[r].cost, shape) for r in routes], axis=-1)
            + np.asarray(producer.cost)[..., None]
        )
        margin = (flows * (price[..., None] - unit)).sum(axis=-1)
        for b, other in enumerate(network.agreements):  # transit fees on these flows
            if other.kind == "transit" and other.payer == item.seller:
                crossing = [k for k, r in enumerate(routes) if r in other.routes]
                if crossing:
                    margin = margin - deal.price[..., b] * flows[..., crossing].sum(axis=-1)
        return np.broadcast_to(margin * money, shape)
    market = next(m for m in network.markets if m.name == item.buyers[0])
    into = [k for k, r in enumerate(network.routes) if r.market == market.name]
    inflow = deal.flows[..., into].sum(axis=-1)
    volume = flows.sum(axis=-1)
    worth = _market_value(market, inflow) - _market_value(market, inflow - volume)
    return np.broadcast_to((worth - price * volume) * money, shape)


def _market_value(market: Any, quantity: Any) -> FloatArray:
    """``V(Q)`` of a market's concave step schedule (the network's own definition)."""
    total: Any = 0.0
    start: Any = 0.0
    left = np.asarray(quantity, dtype=np.float64)
    for volume, value in market.steps:
        used = np.clip(left - start, 0.0, volume)
        total = total + np.where(used > 0.0, value * used, 0.0)
        start = start + volume
    return np.asarray(total, dtype=np.float64)


def network_parameters(case: Case, current: Mapping[str, Any], year: int | None) -> dict[str, Any]:
    """The values of ``case``'s ``from_network`` parameters at its values ``current`` (in
    force in ``year``).

    Each linked case is evaluated in the same year (the case's epoch years are among its
    own, checked at load; another year takes the linked case's values in force then), its
    parameters in force except
    those the case shares with it by name (not derived in the linked case), which take the
    case's values in force; derived parameters of the linked case follow. Quantities are
    converted to the parameters' units.
    """
    links = case._links
    out: dict[str, Any] = {}
    for linked, shared, items, arguments in links.values():
        values = linked.epoch_values({}, year)
        for name, factor in shared.items():
            values[name] = np.asarray(current[name], dtype=np.float64) * factor
        values = linked._with_derived(values)
        params = {
            **arguments,
            "values": {n: values[n] for n in _parameter_names(linked.supply_network)},
        }
        requests = [(link.output, link.agreement, link.party) for _, link, _ in items]
        for (name, _, factor), value in zip(
            items, agreement_quantities(params, requests), strict=True
        ):
            out[name] = value * factor
    return out


Links = dict[str, tuple["Case", dict[str, float], list[tuple[str, Any, float]], dict[str, Any]]]


def resolve_links(
    parameters: Mapping[str, Parameter],
    links: Mapping[str, Any],
    years: Sequence[int],
    path: Path,
) -> Links:
    """Check ``from_network`` parameters at load: the linked case, output, agreement, party,
    units; returns ``linked case -> (case, shared name -> unit factor, [(name, spec,
    factor)], the network adapter's constants)``. Raises `CaseFileError` naming the file and
    the key."""
    from ._market import conversion, dimension_of

    out: Links = {}
    for name, link in links.items():
        where = f"{path}: parameters.{name}.from_network"
        if link.case not in out:
            from ._case import read_case_file

            linked_path = linked_case_path(link.case, path)
            if not linked_path.is_file():
                raise CaseFileError(f"{where}.case: no case {link.case!r}")
            if linked_path.resolve() == path.resolve():
                raise CaseFileError(f"{where}.case: a case cannot link to itself")
            try:
                linked = read_case_file(linked_path)
            except CaseFileError as exc:
                raise CaseFileError(
                    f"{where}.case: case {link.case!r} does not load: {exc}"
                ) from None
            if linked.supply_network is None:
                raise CaseFileError(f"{where}.case: {link.case!r} has no [supply_network] table")
            if linked._links:
                raise CaseFileError(f"{where}.case: {link.case!r} itself takes from_network values")
            missing = [year for year in years if year not in linked.years]
            if missing:
                raise CaseFileError(
                    f"{where}.case: {link.case!r} has no epoch {missing[0]} (this case's epochs "
                    f"{list(years)} must be among its epochs {list(linked.years)})"
                )
            shared: dict[str, float] = {}
            for other, parameter in parameters.items():
                mine = linked.parameters.get(other)
                if mine is None or "derived" in (mine.origin, parameter.origin):
                    continue
                if parameter.origin == "network":
                    continue
                if dimension_of(parameter.unit) != dimension_of(mine.unit):
                    raise CaseFileError(
                        f"{path}: parameters.{other}.unit: {parameter.unit!r} is not the unit of "
                        f"{link.case!r}'s parameter of that name ({mine.unit!r})"
                    )
                shared[other] = conversion(parameter.unit, mine.unit)
            out[link.case] = (linked, shared, [], supply_network_arguments(linked))
        linked = out[link.case][0]
        agreements = list(build_network(
            linked.supply_network,
            {n: linked.parameters[n].value for n in _parameter_names(linked.supply_network)},
            1.0,
        ).agreement_names)  # fmt: skip
        if link.output not in AGREEMENT_OUTPUTS:
            raise CaseFileError(
                f"{where}.output: unknown output {link.output!r}; known: "
                f"{', '.join(AGREEMENT_OUTPUTS)}"
            )
        if link.agreement not in agreements:
            raise CaseFileError(
                f"{where}.agreement: no agreement {link.agreement!r} in {link.case!r}; "
                f"agreements are {agreements}"
            )
        dimension, needs_party = AGREEMENT_OUTPUTS[link.output]
        if needs_party and link.party is None:
            raise CaseFileError(f"{where}.party: {link.output!r} needs party = seller or buyer")
        if not needs_party and link.party is not None:
            raise CaseFileError(f"{where}.party: {link.output!r} takes no party")
        spec = linked.supply_network
        unit = _network_unit(linked, spec, dimension)
        try:
            factor = conversion(unit, parameters[name].unit)
        except CaseFileError as exc:
            raise CaseFileError(
                f"{path}: parameters.{name}.unit: {link.output!r} is in {unit!r}: {exc}"
            ) from None
        out[link.case][2].append((name, link, factor))
    return out


def _network_unit(linked: Case, spec: SupplyNetworkSpec, dimension: str) -> str:
    if dimension == "money":
        return spec.money
    if dimension == "share":
        return "share"
    units = [
        linked.parameters[v].unit
        for _, v, k in _fields(spec)
        if k == dimension and isinstance(v, str)
    ]
    return units[0] if units else ("bcm/yr" if dimension == "volume" else "USD/kcm")


def supply_network_adapter() -> Any:
    """The ``supply_network`` `Adapter`."""
    from ._adapters import Adapter

    return Adapter(
        name="supply_network",
        function=supply_network_outputs,
        required=(),
        outputs=NET_OUTPUTS,
        description=(
            "Nash-in-Nash bargaining and the Shapley value on the case's supply network "
            "([supply_network] table; pipeline_games.network), reported for its focus: the "
            "dyad's agreement, a rival and a side agreement, transit states"
        ),
        prepare=supply_network_arguments,
        reads=supply_network_reads,
    )
