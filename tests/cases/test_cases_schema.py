"""The case-file format: a valid synthetic file loads; each broken one raises CaseFileError
naming the file and the key; the JSON Schema is generated and validates the same files."""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from _support.casefiles import annual_row, dump_toml, gas_case, write_case
from pipeline_games.cases import case_file_schema, read_case_file
from pipeline_games.cases._grammar import parse_derivative, parse_reference
from pipeline_games.errors import CaseFileError

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """Set ``data[a][b]...`` (list indices as integers) to ``value``."""
    keys = [int(k) if k.isdigit() else k for k in path.split("/")]

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return mutate


def _delete(path: str) -> Mutation:
    keys = [int(k) if k.isdigit() else k for k in path.split("/")]

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return mutate


def _series_parameter(**changes: Any) -> Mutation:
    """Add ``parameters.brent`` from the first annual USD/bbl row of the dataset."""

    def mutate(data: dict[str, Any]) -> None:
        row = annual_row("USD/bbl")
        item = {"series": row["series"], "year": int(row["year"]), "unit": "USD/bbl"}
        item.update({"kind": "reported"})
        item.update(changes)
        data["parameters"]["brent"] = {k: v for k, v in item.items() if v is not None}

    return mutate


def _cycle(data: dict[str, Any]) -> None:
    data["parameters"]["a"] = {"from": "b", "unit": "USD/kcm", "kind": "derived"}
    data["parameters"]["b"] = {"from": "a", "unit": "USD/kcm", "kind": "derived"}


def _both(*mutations: Mutation) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


# (id, mutation, key path the message must name, another fragment of the message)
MUTATIONS: list[tuple[str, Mutation, str, str]] = [
    ("bad unit", _set("parameters/volume/unit", "widgets"), "parameters.volume.unit", "widgets"),
    (
        "volumes that are not volumes",
        _both(
            *(_set(f"parameters/{n}/unit", "km") for n in ("volume", "buyer_alt_volume")),
            *(_set(f"parameters/{n}/unit", "km") for n in ("buyer_alt_volume_2012",)),
            _set("parameters/seller_alt_volume/unit", "km"),
        ),
        "model.bargaining",
        "money per year",
    ),
    (
        "unknown source key",
        _set("parameters/volume/source", "no_such_source_2099"),
        "parameters.volume.source",
        "no_such_source_2099",
    ),
    (
        "unknown series",
        _series_parameter(series="no_such_series_usd"),
        "parameters.brent.series",
        "no_such_series_usd",
    ),
    ("year outside the series", _series_parameter(year=2099), "parameters.brent.series", "2099"),
    (
        "series unit that does not convert",
        _series_parameter(unit="bcm/yr"),
        "parameters.brent.series",
        "does not convert",
    ),
    ("series without year", _series_parameter(year=None), "parameters.brent", "needs a year"),
    ("derived cycle", _cycle, "parameters.a.from", "cycle"),
    (
        "derived from a missing parameter",
        _set("parameters/seller_alt_netback/from", "nowhere"),
        "parameters.seller_alt_netback.from",
        "nowhere",
    ),
    (
        "derived term that is neither a parameter nor a factor",
        _set("parameters/seller_alt_netback/minus", ["shipping"]),
        "parameters.seller_alt_netback.minus",
        "shipping",
    ),
    (
        "derived formula in the wrong unit",
        _set("parameters/seller_alt_netback/unit", "bcm/yr"),
        "parameters.seller_alt_netback",
        "does not convert",
    ),
    (
        "derived parameter with a range",
        _set("parameters/seller_alt_netback/low", 1.0),
        "parameters.seller_alt_netback",
        "no range of its own",
    ),
    (
        "assumption without reason",
        _delete("parameters/buyer_value/reason"),
        "parameters.buyer_value",
        "needs a reason",
    ),
    (
        "reported without source",
        _delete("parameters/volume/source"),
        "parameters.volume",
        "needs a source",
    ),
    (
        "unknown kind",
        _set("parameters/volume/kind", "guessed"),
        "parameters.volume.kind",
        "guessed",
    ),
    (
        "unknown parameter key",
        _set("parameters/volume/colour", "red"),
        "parameters.volume.colour",
        "xtra",
    ),
    (
        "value and series together",
        _series_parameter(value=60.0),
        "parameters.brent",
        "exactly one",
    ),
    (
        "value outside its range",
        _set("parameters/buyer_value/value", 900.0),
        "parameters.buyer_value.low",
        "900",
    ),
    (
        "infinite value",
        _set("parameters/buyer_value/value", math.inf),
        "parameters.buyer_value.value",
        "finite",
    ),
    (
        "NaN value",
        _set("parameters/buyer_value/value", math.nan),
        "parameters.buyer_value.value",
        "finite",
    ),
    (
        "infinite bound",
        _set("parameters/buyer_value/high", math.inf),
        "parameters.buyer_value.high",
        "finite",
    ),
    (
        "NaN in an observed range",
        _set("backtest/0/observed", [math.nan, 210.0]),
        "backtest[0].observed",
        "low <= high",
    ),
    (
        "epoch sets a parameter to one in another unit",
        _set("epochs/1/set", {"europe_price": "volume"}),
        "epochs[1].set.europe_price",
        "bcm/yr",
    ),
    (
        "epoch targets a derived parameter",
        _set("epochs/1/set", {"seller_alt_netback": "europe_price_2009"}),
        "epochs[1].set.seller_alt_netback",
        "derived",
    ),
    (
        "epoch sets an unknown parameter",
        _set("epochs/1/set", {"europe_price": "nowhere"}),
        "epochs[1].set.europe_price",
        "nowhere",
    ),
    ("epoch years out of order", _set("epochs/1/year", 2005), "epochs", "increase"),
    (
        "epoch source not in the bibliography",
        _set("epochs/1/source", "no_such_source_2099"),
        "epochs[1].source",
        "no_such_source_2099",
    ),
    (
        "unknown adapter",
        _set("model/adapters", ["bargaining", "telepathy"]),
        "model.adapters",
        "telepathy",
    ),
    (
        "unknown adapter argument",
        _set("model/bargaining/colour", "volume"),
        "model.bargaining.colour",
        "not an argument",
    ),
    (
        "missing required argument",
        _delete("model/bargaining/seller_cost"),
        "model.bargaining",
        "seller_cost",
    ),
    (
        "argument mapped onto a missing parameter",
        _set("model/bargaining/seller_cost", "nowhere"),
        "model.bargaining.seller_cost",
        "nowhere",
    ),
    (
        "argument in the wrong unit",
        _set("model/bargaining/seller_cost", "volume"),
        "model.bargaining",
        "one unit",
    ),
    (
        "table for an adapter the case does not use",
        _set("model/regime", {}),
        "model.regime",
        "does not use",
    ),
    (
        "claim names a missing quantity",
        _set("claims/0/test/left", "epoch[2012].happiness"),
        "claims[0].test.left",
        "happiness",
    ),
    (
        "claim names a missing epoch",
        _set("claims/0/test/left", "epoch[2013].seller_share"),
        "claims[0].test.left",
        "2013",
    ),
    ("claim with a bad operator", _set("claims/0/test/op", "=>"), "claims[0].test.op", "=>"),
    (
        "claim of an unknown type",
        _set("claims/0/test/type", "vibes"),
        "claims[0].test.type",
        "vibes",
    ),
    (
        "claim test with an extra key",
        _set("claims/0/test/weight", 2.0),
        "claims[0].test.weight",
        "unknown key",
    ),
    (
        "derivative with respect to a missing parameter",
        _set("claims/1/test/quantity", "d seller_payoff / d moon_phase"),
        "claims[1].test.quantity",
        "moon_phase",
    ),
    (
        "derivative with respect to a derived parameter",
        _set("claims/1/test/quantity", "d seller_payoff / d seller_alt_netback"),
        "claims[1].test.quantity",
        "derived",
    ),
    (
        "code in a quantity reference",
        _set("claims/2/test/quantity", "__import__('os').system('true')"),
        "claims[2].test.quantity",
        "expected",
    ),
    (
        "claim source not in the bibliography",
        _set("claims/0/source", "no_such_source_2099"),
        "claims[0].source",
        "no_such_source_2099",
    ),
    (
        "duplicate claim ids",
        _set("claims/1/id", "buyer-option-lowers-seller-share"),
        "claims",
        "unique",
    ),
    (
        "backtest observed low > high",
        _set("backtest/0/observed", [210.0, 190.0]),
        "backtest[0].observed",
        "low <= high",
    ),
    (
        "backtest quantity without an epoch",
        _set("backtest/0/quantity", "price"),
        "backtest[0].quantity",
        "epoch",
    ),
    (
        "backtest of a missing quantity",
        _set("backtest/0/quantity", "epoch[2006].happiness"),
        "backtest[0].quantity",
        "happiness",
    ),
    (
        "backtest unit that does not convert to the model's",
        _set("backtest/0/unit", "bcm/yr"),
        "backtest[0].unit",
        "USD/kcm",
    ),
    (
        "backtest unit that needs a conversion factor",
        _set("backtest/0/unit", "USD/MMBtu"),
        "backtest[0].unit",
        "mmbtu_per_kcm_gas",
    ),
    (
        "backtest factor that does not fit the units",
        _both(
            _set("backtest/0/unit", "USD/MMBtu"), _set("backtest/0/factor", "bbl_per_t_crude_un")
        ),
        "backtest[0].factor",
        "bbl_per_t_crude_un",
    ),
    (
        "backtest factor not in units.toml",
        _both(_set("backtest/0/unit", "USD/MMBtu"), _set("backtest/0/factor", "no_such_factor")),
        "backtest[0].factor",
        "no_such_factor",
    ),
    ("missing [case] table", _delete("case"), "case", "required"),
    ("unknown top-level table", _set("colour", {"a": 1}), "colour", "xtra"),
    ("dyad of one country twice", _set("case/dyad", ["A", "A"]), "case.dyad", "distinct"),
]


@pytest.fixture
def valid(tmp_path: Path) -> dict[str, Any]:
    return gas_case()


def test_the_synthetic_case_file_round_trips_through_toml_and_loads(tmp_path):
    data = gas_case()
    assert tomllib.loads(dump_toml(data)) == data
    case = read_case_file(write_case(tmp_path, data))
    assert case.name == "test-gas"
    assert case.years == (2006, 2009, 2012, 2014)
    assert [c.id for c in case.claims] == [c["id"] for c in data["claims"]]
    assert case.parameters["seller_alt_netback"].origin == "derived"


@pytest.mark.parametrize(
    ("mutation", "key", "fragment"),
    [pytest.param(m, k, f, id=i) for i, m, k, f in MUTATIONS],
)
def test_broken_case_file_names_the_file_and_the_key(tmp_path, mutation, key, fragment):
    data = copy.deepcopy(gas_case())
    mutation(data)
    path = write_case(tmp_path, data, stem="test-gas")
    with pytest.raises(CaseFileError) as info:
        read_case_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    located = message.removeprefix(f"{path}: ")
    assert located.startswith(f"{key}:") or located.startswith(f"{key}."), message
    assert fragment in message, message


def test_toml_inf_and_nan_are_refused(tmp_path):
    text = dump_toml(gas_case()).replace("value = 300.0", "value = inf", 1)
    assert "value = inf" in text
    path = tmp_path / "test-gas.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"parameters\.buyer_value\.value: .*finite"):
        read_case_file(path)
    path.write_text(text.replace("value = inf", "value = nan"), encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"parameters\.buyer_value\.value: .*finite"):
        read_case_file(path)


def test_name_must_match_the_file(tmp_path):
    path = write_case(tmp_path, gas_case(), stem="another-name")
    with pytest.raises(CaseFileError, match=r"another-name\.toml: case\.name: .*another-name"):
        read_case_file(path)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("[case\nname = ", "not valid TOML"), (b"\xff\xfe", "not valid TOML")],
)
def test_unreadable_files_are_case_file_errors(tmp_path, content, fragment):
    path = tmp_path / "broken.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseFileError, match=fragment):
        read_case_file(path)
    with pytest.raises(CaseFileError, match="no such case file"):
        read_case_file(tmp_path / "missing.toml")
    with pytest.raises(CaseFileError, match="directory"):
        read_case_file(tmp_path)


def test_reference_grammar_parses_and_rejects_code():
    assert parse_reference("epoch[2009].buyer_share") == (2009, "buyer_share")
    assert parse_reference("base.price") == (None, "price")
    assert parse_derivative("d price / d volume") == ("price", "volume")
    for text in ("__import__('os')", "epoch[x].price", "price + 1", "d price"):
        with pytest.raises(ValueError, match="expected"):
            parse_reference(text) if not text.startswith("d ") else parse_derivative(text)


# -- JSON Schema -------------------------------------------------------------------------
def test_json_schema_is_generated_from_the_model():
    schema = case_file_schema()
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"case", "parameters", "model"}
    assert {"case", "parameters", "epochs", "model", "network", "claims", "backtest"} <= set(
        schema["properties"]
    )
    parameter = schema["$defs"]["ParameterSpec"]
    assert "from" in parameter["properties"]  # the alias, as written in case files
    assert parameter["additionalProperties"] is False


def test_json_schema_validates_case_files():
    jsonschema = pytest.importorskip("jsonschema")
    schema = case_file_schema()
    jsonschema.validate(gas_case(), schema)
    broken = gas_case()
    broken["parameters"]["volume"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    no_unit = gas_case()
    del no_unit["parameters"]["volume"]["unit"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(no_unit, schema)


def test_json_schema_validates_the_shipped_case_files():
    jsonschema = pytest.importorskip("jsonschema")
    from _support.casefiles import CASES
    from pipeline_games.cases._linked import merge_view

    schema = case_file_schema()
    for path in sorted(CASES.glob("*.toml")):
        if path.stem == "bibliography":
            continue
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        # A view (``extends``) is validated as the loader validates it: merged onto its base.
        data = merge_view(data, path)
        jsonschema.validate(data, schema)
