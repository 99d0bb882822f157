"""The case file format: a validation model (pydantic) from which the JSON Schema is generated.

A case file is TOML with these tables (documented in ``docs/reference/case-file.md``, which is
generated from this model):

``[case]``
    name, title, dyad, players, summary.
``[parameters.<name>]``
    A number with its unit, range ``[low, high]``, kind and source. The number is given in
    one of three ways: ``value = 420.0``; ``series = "brent_usd_bbl"`` and ``year = 2006``
    (a figure of the market dataset, optionally ``times`` a factor); ``from`` another
    parameter, ``times`` and ``plus``/``minus`` others (a derived parameter, computed again
    for every sample of the others); or ``from_network`` a linked case's supply network (a
    quantity of one of its agreements, computed per epoch and sample; see `_linked`).
    A parameter that a linked case also has (by name) must agree with it in every epoch
    unless it declares ``override = "<reason>"``.
``[[epochs]]``
    A year in which something moved: ``set = {parameter = "other_parameter"}``.
``[model]``
    The adapters the case uses and, per adapter, which parameter feeds each argument.
``[network]``
    Optional: a transit network (nodes, lines, which lines exist in each step).
``[supply_network]``
    Optional: a supply network (producers, markets, routes; see `_linked`).
``extends``
    Optional: the name of a linked case this file is a view of.
``[[claims]]``
    The source's conclusions as structured tests.
``[[backtest]]``
    Published outcomes the case does not take as inputs, to compare with the model.
``[timing]``
    Optional: the epochs as the states of a stochastic bargaining game (which adapter outputs
    give each state's gain and outside options, the discount rates, the per-year
    probabilities of moving on to the next epoch's state).

Sources are keys of the bibliography (``cases/bibliography.toml``) with a ``locator``
(section, table, page); an ``assumption`` states its ``reason`` instead.

Examples
--------
>>> schema = case_file_schema()
>>> sorted(schema["properties"])[:4]
['backtest', 'case', 'claims', 'epochs']
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._linked import SupplyNetworkSpec

__all__ = [
    "BacktestSpec",
    "CaseFileSpec",
    "CaseSpec",
    "ClaimSpec",
    "EpochSpec",
    "FromNetworkSpec",
    "NetworkSpec",
    "ParameterSpec",
    "TimingSpec",
    "case_file_schema",
]

Kind = Literal["reported", "derived", "assumption"]
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_KEY = r"^[a-z0-9_]+$"
Term = float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class CaseSpec(_Strict):
    """The ``[case]`` table."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="File name without .toml")
    title: str
    dyad: tuple[str, str] = Field(description="(buyer, seller) country names")
    players: tuple[str, str] = ("buyer", "seller")
    summary: str = ""

    @field_validator("dyad", "players")
    @classmethod
    def _distinct(cls, value: tuple[str, str]) -> tuple[str, str]:
        if value[0] == value[1] or not all(value):
            raise ValueError(f"must be two distinct non-empty names; got {list(value)}")
        return value


class FromNetworkSpec(_Strict):
    """``from_network = {case, output, agreement, party}``: a parameter computed on the
    supply network of a linked case (`pipeline_games.cases._linked.network_parameters`)."""

    case: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description=(
            "The linked case's name: a case with a [supply_network] table and no "
            "from_network parameters of its own, whose epoch years include this case's"
        ),
    )
    output: str = Field(
        description=(
            "A per-agreement quantity of the network: payoff, gain, disagreement_payoff, "
            "outside_option (money, need party), outside_option_per_unit (price, needs "
            "party), disagreement_share (share, needs party), price or volume (no party)"
        )
    )
    agreement: str = Field(description="An agreement of the network, 'Seller -> Buyer'")
    party: Literal["seller", "buyer"] | None = Field(
        default=None,
        description="Whose quantity: seller or buyer (for payoffs, gains and outside options)",
    )


class ParameterSpec(_Strict):
    """A ``[parameters.<name>]`` table: one sourced number of the case."""

    value: float | None = Field(default=None, description="The number itself")
    series: str | None = Field(default=None, description="A series of the market dataset")
    year: int | None = Field(default=None, ge=1900, le=2100, description="Year of the series")
    month: int | None = Field(default=None, ge=1, le=12, description="Month of the series")
    from_: str | None = Field(
        default=None, alias="from", pattern=_NAME, description="Derived: start from this parameter"
    )
    times: list[Term] = Field(
        default_factory=list,
        description="Multiply by numbers, parameters or conversion factors of units.toml",
    )
    from_network: FromNetworkSpec | None = Field(
        default=None,
        description=(
            "Computed on a linked case's supply network in every epoch and sample: "
            "{case, output, agreement, party}. The network is solved at this case's epoch "
            "year with the linked case's values in force, except the parameters the two "
            "files share by name, which take this case's values (so they must agree, or "
            "declare `override`). Kind 'derived', no value, range or series of its own"
        ),
    )
    plus: list[Term] = Field(default_factory=list, description="Add numbers or parameters")
    minus: list[Term] = Field(default_factory=list, description="Subtract numbers or parameters")
    unit: str = Field(description="A unit pint parses with the project's definitions")
    low: float | None = Field(default=None, description="Lower end of the plausible range")
    high: float | None = Field(default=None, description="Upper end of the plausible range")
    kind: Kind
    source: str | None = Field(default=None, pattern=_KEY, description="Bibliography key")
    locator: str = Field(default="", description="Section, table or page in the source")
    reason: str = Field(default="", description="Why an assumption is what it is")
    description: str = ""
    override: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Why this case's value differs from that of the parameter of the same name in a "
            "linked case (the case it `extends`, or one a `from_network` parameter reads). "
            "Without it, a parameter both files have must agree in every epoch of this case: "
            "the same value in force and the same range [low, high] (checked at load)"
        ),
    )
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("value", "low", "high")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not (value == value and abs(value) != float("inf")):
            raise ValueError(f"must be a finite number; got {value}")
        return value

    @model_validator(mode="after")
    def _one_definition(self) -> ParameterSpec:
        ways = [
            self.value is not None,
            self.series is not None,
            self.from_ is not None,
            self.from_network is not None,
        ]
        if sum(ways) != 1:
            raise ValueError("give exactly one of value, series (with year), from, or from_network")
        if self.from_network is not None:
            if self.times or self.plus or self.minus:
                raise ValueError("times, plus and minus go with series or from, not from_network")
            if self.low is not None or self.high is not None:
                raise ValueError("a from_network parameter has no range of its own")
            if self.kind != "derived":
                raise ValueError("a from_network parameter is of kind 'derived'")
        if self.series is not None and self.year is None:
            raise ValueError("a series parameter needs a year")
        if self.series is None and (self.year is not None or self.month is not None):
            raise ValueError("year and month go with series")
        if self.value is not None and (self.times or self.plus or self.minus):
            raise ValueError("times, plus and minus go with series or from, not with value")
        if self.series is not None and (self.plus or self.minus):
            raise ValueError("plus and minus go with from; a series takes only times")
        if self.from_ is not None and (self.low is not None or self.high is not None):
            raise ValueError("a derived parameter (from) has no range of its own")
        if self.override is not None and not self.override.strip():
            raise ValueError("an override needs its reason (a non-blank string)")
        if self.kind == "assumption" and not self.reason:
            raise ValueError("an assumption needs a reason")
        unsourced = (
            self.source is None
            and self.series is None
            and self.from_ is None
            and self.from_network is None
        )
        if self.kind != "assumption" and unsourced:
            raise ValueError(f"a {self.kind} parameter needs a source (bibliography key)")
        return self


class EpochSpec(_Strict):
    """An ``[[epochs]]`` entry: from ``year`` on, each key takes the named parameter's value."""

    year: int = Field(ge=1900, le=2100)
    label: str
    source: str | None = Field(default=None, pattern=_KEY)
    locator: str = ""
    set: dict[str, str] = Field(default_factory=dict)


class NodeSpec(_Strict):
    """A node of the case's transit network: its role and the parameters of its numbers."""

    role: Literal["producer", "transit", "buyer"]
    capacity: str | None = Field(default=None, pattern=_NAME)
    cost: str | None = Field(default=None, pattern=_NAME)
    price: str | None = Field(default=None, pattern=_NAME)


class LineSpec(_Strict):
    """A line of the case's transit network: the countries it crosses and its capacity."""

    route: list[str] = Field(min_length=2)
    capacity: str = Field(pattern=_NAME)


class NetworkSpec(_Strict):
    """The ``[network]`` table: nodes, lines, and which lines exist in each numbered step."""

    money: str = Field(
        default="USD_bn/yr", description="Unit of the network's values (capacity x price)"
    )
    nodes: dict[str, NodeSpec]
    lines: dict[str, LineSpec]
    steps: dict[str, list[str]] = Field(
        description="Step number (as a string key) -> the lines that exist in it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> NetworkSpec:
        for name, line in self.lines.items():
            unknown = [c for c in line.route if c not in self.nodes]
            if unknown:
                raise ValueError(f"line {name} crosses unknown nodes {unknown}")
        for step, lines in self.steps.items():
            if not step.isdigit():
                raise ValueError(f"step keys are whole numbers; got {step!r}")
            unknown = [line for line in lines if line not in self.lines]
            if unknown:
                raise ValueError(f"step {step} names unknown lines {unknown}")
        return self


class ClaimSpec(_Strict):
    """A ``[[claims]]`` entry: a conclusion of the source as a structured test."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    statement: str
    source: str = Field(pattern=_KEY)
    locator: str = ""
    test: dict[str, Any]
    note: str = ""


class BacktestSpec(_Strict):
    """A ``[[backtest]]`` entry: a published outcome the case does not take as an input."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    statement: str
    quantity: str = Field(description="epoch[YEAR].QUANTITY, or agreement_year")
    observed: tuple[float, float] = Field(description="Published range [low, high]")
    unit: str
    factor: str | None = Field(
        default=None,
        pattern=_KEY,
        description=(
            "A conversion factor of cases/market/units.toml that the observed unit needs to "
            "convert to the model's (e.g. mmbtu_per_kcm_gas for a range in USD/MMBtu against "
            "a model price in USD/kcm)"
        ),
    )
    source: str = Field(pattern=_KEY)
    locator: str = ""
    note: str = ""

    @field_validator("observed")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] <= value[1]:
            raise ValueError(f"observed must be [low, high] with low <= high; got {list(value)}")
        return value


class TimingSpec(_Strict):
    """The ``[timing]`` table: the case's epochs as the states of a Markov chain on which the
    parties bargain (`pipeline_games.stochastic_bargaining`; see
    `pipeline_games.cases._timing`)."""

    surplus: str = Field(default="surplus", pattern=_NAME, description="Adapter output: joint gain")
    buyer_outside_option: str = Field(
        default="buyer_outside_option", pattern=_NAME, description="Adapter output"
    )
    seller_outside_option: str = Field(
        default="seller_outside_option", pattern=_NAME, description="Adapter output"
    )
    buyer_rate: str = Field(pattern=_NAME, description="Parameter: the buyer's discount rate")
    seller_rate: str = Field(pattern=_NAME, description="Parameter: the seller's discount rate")
    rates_epoch: int | None = Field(
        default=None, description="Epoch whose rates give the discount factors (default: first)"
    )
    advance: str | list[str] = Field(
        description=(
            "Parameter(s): per-year probability that the environment moves from an epoch's "
            "state to the next epoch's; one for all moves or one per move"
        )
    )
    values: Literal["flows", "present_values"] = Field(
        default="flows",
        description=(
            "flows: the adapter outputs are yearly flows that go on after a deal (valued along "
            "the chain); present_values: they are already the values of agreeing in the state"
        ),
    )
    options: Literal["inside", "opt_out"] = Field(
        default="inside",
        description=(
            "inside: the alternatives are earned while talking and the stake is the net gain; "
            "opt_out: taking an alternative ends the talks"
        ),
    )
    protocol: Literal["alternating", "random"] = "alternating"
    first_proposer: Literal["buyer", "seller"] = "buyer"
    buyer_proposes: float = Field(default=0.5, ge=0.0, le=1.0)
    period: float = Field(default=1.0, gt=0.0, le=10.0, description="Years per bargaining round")
    horizon: float = Field(default=30.0, ge=1.0, le=200.0, description="Years of the calendar")
    source: str | None = Field(default=None, pattern=_KEY)
    locator: str = ""
    note: str = ""


class CaseFileSpec(_Strict):
    """A whole case file."""

    case: CaseSpec
    parameters: dict[str, ParameterSpec]
    epochs: list[EpochSpec] = Field(default_factory=list)
    model: dict[str, Any]
    network: NetworkSpec | None = None
    supply_network: SupplyNetworkSpec | None = None
    extends: str | None = Field(default=None, description="A view of this linked case")
    claims: list[ClaimSpec] = Field(default_factory=list)
    backtest: list[BacktestSpec] = Field(default_factory=list)
    timing: TimingSpec | None = None

    @field_validator("parameters")
    @classmethod
    def _names(cls, value: dict[str, ParameterSpec]) -> dict[str, ParameterSpec]:
        import re

        for name in value:
            if not re.match(_NAME, name):
                raise ValueError(f"parameter name {name!r} must be an identifier")
        return value

    @model_validator(mode="after")
    def _shares_copied_by_epochs(self) -> CaseFileSpec:
        """A parameter an epoch copies into the stake or a partner's share of the
        ``[supply_network]`` table must lie in that share's range (value and bounds)."""
        from pydantic import ValidationError
        from pydantic_core import InitErrorDetails, PydanticCustomError

        from ._linked import share_in_range, share_parameters

        if self.supply_network is None:
            return self
        shares = share_parameters(self.supply_network)
        for index, epoch in enumerate(self.epochs):
            for target, source in epoch.set.items():
                if target not in shares or source not in self.parameters:
                    continue
                where, allowed = shares[target]
                for end in ("value", "low", "high"):
                    number = getattr(self.parameters[source], end)
                    if number is None or share_in_range(number, allowed):
                        continue
                    message = (
                        f"{number:g} is outside {allowed}: epochs[{index}].set copies it into "
                        f"{target!r}, supply_network.{where} (a share)"
                    )
                    detail = InitErrorDetails(
                        type=PydanticCustomError("share_range", message),
                        loc=("parameters", source, end),
                        input=number,
                    )
                    raise ValidationError.from_exception_data(type(self).__name__, [detail])
        return self


def case_file_schema() -> dict[str, Any]:
    """The JSON Schema of a case file (for editors and the documentation).

    Examples
    --------
    >>> case_file_schema()["title"]
    'CaseFileSpec'
    """
    return CaseFileSpec.model_json_schema(by_alias=True)
