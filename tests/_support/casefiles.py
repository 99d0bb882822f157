"""Synthetic case files for the case-layer tests, and independent readers of the shipped data.

:func:`dump_toml` writes the small subset of TOML case files use (tables, arrays of tables,
inline tables, strings, numbers including ``inf`` and ``nan``, booleans, arrays), so a test
can build a case as a dict, mutate it and write it to ``tmp_path``.

:func:`gas_case` is a small valid case with the bargaining adapter whose outcomes are known
in closed form (see ``tests/cases/test_cases_models.py``): 10 bcm/yr, the buyer values gas at
300 USD/kcm, the seller's cost is 100 USD/kcm (a joint gain of USD 2 bn/yr); the seller's
alternative is Europe at a netback derived from a price less transport, the buyer's an
alternative supply. Its numbers are synthetic, not those of a shipped case.

:func:`market_rows` and :func:`units_file` read ``cases/market`` with ``csv`` and
``tomllib``, independently of :mod:`pipeline_games.cases._market`.
"""

from __future__ import annotations

import copy
import csv
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "cases"
MARKET = CASES / "market"


# -- TOML ---------------------------------------------------------------------------------
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} as TOML")


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum()
    return key if bare else _scalar(key)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _table(prefix: str, table: Mapping[str, Any], lines: list[str]) -> None:
    simple = {
        k: v for k, v in table.items() if not isinstance(v, Mapping) and not _is_table_array(v)
    }
    nested = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    arrays = {k: v for k, v in table.items() if _is_table_array(v)}
    if prefix and (simple or (not nested and not arrays)):
        lines.append(f"[{prefix}]")
    for key, value in simple.items():
        lines.append(f"{_key(key)} = {_scalar(value)}")
    if simple or prefix:
        lines.append("")
    for key, value in nested.items():
        _table(f"{prefix}.{_key(key)}" if prefix else _key(key), value, lines)
    for key, items in arrays.items():
        name = f"{prefix}.{_key(key)}" if prefix else _key(key)
        for item in items:
            lines.append(f"[[{name}]]")
            for k, v in item.items():
                lines.append(f"{_key(k)} = {_scalar(v)}")
            lines.append("")


def dump_toml(data: Mapping[str, Any]) -> str:
    """``data`` as TOML text (nested dicts become tables, lists of dicts arrays of tables;
    dicts inside an array of tables are written inline)."""
    lines: list[str] = []
    _table("", data, lines)
    return "\n".join(lines)


def write_case(folder: Path, data: Mapping[str, Any], stem: str | None = None) -> Path:
    """Write ``data`` to ``folder/<stem>.toml`` (``stem`` defaults to ``case.name``)."""
    path = Path(folder) / f"{stem or data['case']['name']}.toml"
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


# -- the shipped data, read independently -------------------------------------------------
def bibliography_keys() -> list[str]:
    with (CASES / "bibliography.toml").open("rb") as handle:
        return list(tomllib.load(handle))


def units_file() -> dict[str, Any]:
    with (MARKET / "units.toml").open("rb") as handle:
        return tomllib.load(handle)


def market_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("series.csv", "facts.csv"):
        with (MARKET / name).open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def annual_row(unit: str) -> dict[str, str]:
    """The first annual row of the dataset in ``unit`` (for cases built on the dataset)."""
    for row in market_rows():
        if row["unit"] == unit and not row["month"]:
            return row
    raise LookupError(f"no annual row in {unit} in cases/market")


# -- a synthetic case ---------------------------------------------------------------------
def _number(value: float, unit: str, low: float | None = None, high: float | None = None,
            **extra: Any) -> dict[str, Any]:  # fmt: skip
    item: dict[str, Any] = {"value": value, "unit": unit}
    if low is not None:
        item["low"] = low
    if high is not None:
        item["high"] = high
    item.update(extra or {"kind": "assumption", "reason": "synthetic test case"})
    return item


def gas_case(name: str = "test-gas") -> dict[str, Any]:
    """A valid synthetic gas case (a fresh dict; mutate it freely).

    Epochs (cumulative): 2006 base; 2009 the European price falls (the seller's alternative
    is worth nothing); 2012 the buyer gets an alternative supply (its option binds);
    2014 the European price rises again (both options together exceed the joint gain: no
    deal).
    """
    key = bibliography_keys()[0]
    reported = {"kind": "reported", "source": key, "locator": "synthetic"}
    data: dict[str, Any] = {
        "case": {
            "name": name,
            "title": "A synthetic gas case",
            "dyad": ["Buyerland", "Sellerland"],
            "players": ["buyer", "seller"],
            "summary": "For the tests.",
        },
        "parameters": {
            "volume": _number(10.0, "bcm/yr", **reported),
            "buyer_value": _number(300.0, "USD/kcm", 250.0, 350.0),
            "seller_cost": _number(100.0, "USD/kcm", 80.0, 120.0),
            "buyer_rate": _number(0.1, "1/yr", 0.05, 0.2),
            "seller_rate": _number(0.1, "1/yr", 0.05, 0.2),
            "buyer_alt_volume": _number(0.0, "bcm/yr", **reported),
            "buyer_alt_volume_2012": _number(10.0, "bcm/yr", 5.0, 10.0, **reported),
            "buyer_alt_price": _number(150.0, "USD/kcm", 120.0, 200.0),
            "seller_alt_volume": _number(10.0, "bcm/yr", **reported),
            "europe_price": _number(250.0, "USD/kcm", 200.0, 300.0),
            "europe_price_2009": _number(150.0, "USD/kcm", 120.0, 180.0),
            "europe_price_2014": _number(300.0, "USD/kcm", 250.0, 350.0),
            "transport": _number(50.0, "USD/kcm", 40.0, 60.0),
            "seller_alt_netback": {
                "from": "europe_price",
                "minus": ["transport"],
                "unit": "USD/kcm",
                "kind": "derived",
                "description": "Europe price less transport",
            },
        },
        "epochs": [
            {"year": 2006, "label": "start"},
            {
                "year": 2009,
                "label": "European price falls",
                "set": {"europe_price": "europe_price_2009"},
            },
            {
                "year": 2012,
                "label": "buyer's alternative supply",
                "set": {"buyer_alt_volume": "buyer_alt_volume_2012"},
            },
            {
                "year": 2014,
                "label": "European price rises",
                "set": {"europe_price": "europe_price_2014"},
            },
        ],
        "model": {
            "adapters": ["bargaining"],
            "bargaining": {
                "volume": "volume",
                "buyer_value": "buyer_value",
                "seller_cost": "seller_cost",
                "buyer_rate": "buyer_rate",
                "seller_rate": "seller_rate",
                "buyer_alt_volume": "buyer_alt_volume",
                "buyer_alt_price": "buyer_alt_price",
                "seller_alt_volume": "seller_alt_volume",
                "seller_alt_netback": "seller_alt_netback",
            },
        },
        "claims": [
            {
                "id": "buyer-option-lowers-seller-share",
                "statement": "The buyer's alternative lowers the seller's share.",
                "source": key,
                "test": {
                    "type": "compare",
                    "left": "epoch[2012].seller_share",
                    "op": "<",
                    "right": "epoch[2009].seller_share",
                },
            },
            {
                "id": "seller-payoff-follows-europe",
                "statement": "The seller's payoff rises with the European price in 2006.",
                "source": key,
                "test": {
                    "type": "sign",
                    "quantity": "d seller_payoff / d europe_price",
                    "at": "epoch[2006]",
                    "expect": "+",
                },
            },
            {
                "id": "buyer-payoff-above-one",
                "statement": "The buyer earns more than USD 1 bn/yr in 2012.",
                "source": key,
                "test": {
                    "type": "threshold",
                    "quantity": "epoch[2012].buyer_payoff",
                    "op": ">",
                    "value": 1.0,
                },
            },
        ],
        "backtest": [
            {
                "id": "price-2006",
                "statement": "The 2006 price.",
                "quantity": "epoch[2006].price",
                "observed": [190.0, 210.0],
                "unit": "USD/kcm",
                "source": key,
            },
            {
                "id": "agreement",
                "statement": "The first year with a deal.",
                "quantity": "agreement_year",
                "observed": [2006.0, 2006.0],
                "unit": "year",
                "source": key,
            },
        ],
    }
    return copy.deepcopy(data)
