"""Checks on the market data files in cases/market/ and cases/bibliography.toml."""

import math
import tomllib
from pathlib import Path

import pandas as pd
import pytest

CASES = Path(__file__).resolve().parents[2] / "cases"
MARKET = CASES / "market"
COLUMNS = ["series", "year", "month", "value", "unit", "source", "locator", "status", "note"]
STATUSES = {"reported", "derived", "estimate"}
FILES = ["series.csv", "facts.csv"]


def _load(name):
    return pd.read_csv(
        MARKET / name,
        dtype={"month": "Int64"},
        keep_default_na=False,
        na_values={"month": [""], "value": [""]},
    )


@pytest.fixture(scope="module")
def bibliography():
    with open(CASES / "bibliography.toml", "rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def units():
    with open(MARKET / "units.toml", "rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize("name", FILES)
def test_columns_exact(name):
    assert list(_load(name).columns) == COLUMNS


@pytest.mark.parametrize("name", FILES)
def test_sources_exist(name, bibliography):
    missing = sorted(set(_load(name)["source"]) - set(bibliography))
    assert not missing, missing


def test_bibliography_fields(bibliography):
    kinds = {"book", "report", "dataset", "article", "web"}
    for key, entry in bibliography.items():
        for field in ("author", "title", "publisher", "year", "url", "kind"):
            assert field in entry, (key, field)
        assert entry["kind"] in kinds, key


@pytest.mark.parametrize("name", FILES)
def test_status_allowed(name):
    bad = set(_load(name)["status"]) - STATUSES
    assert not bad, bad


@pytest.mark.parametrize("name", FILES)
def test_no_duplicate_keys(name):
    df = _load(name)
    dup = df[df.duplicated(["series", "year", "month"], keep=False)]
    assert dup.empty, dup[["series", "year", "month"]].to_string()


@pytest.mark.parametrize("name", FILES)
def test_values_finite_positive(name):
    values = pd.to_numeric(_load(name)["value"], errors="raise")
    assert all(math.isfinite(v) and v > 0 for v in values)


@pytest.mark.parametrize("name", FILES)
def test_years_and_months(name):
    df = _load(name)
    assert df["year"].between(1990, 2025).all()
    months = df["month"].dropna()
    assert months.between(1, 12).all()


@pytest.mark.parametrize("name", FILES)
def test_series_snake_case(name):
    assert _load(name)["series"].str.fullmatch(r"[a-z][a-z0-9_]*").all()


def _registry(units):
    pint = pytest.importorskip("pint")
    ureg = pint.UnitRegistry()
    for definition in units["definitions"].values():
        ureg.define(definition)
    return ureg


@pytest.mark.parametrize("name", FILES)
def test_units_parse(name, units):
    ureg = _registry(units)
    for unit in sorted(set(_load(name)["unit"])):
        ureg.parse_expression(unit)


def test_unit_definitions_sane(units):
    ureg = _registry(units)
    assert ureg.Quantity(1, "bbl").to("liter").magnitude == pytest.approx(158.987, rel=1e-5)
    assert ureg.Quantity(1, "kcm").to("m**3").magnitude == pytest.approx(1000)
    assert ureg.Quantity(1, "USD_bn").to("USD").magnitude == pytest.approx(1e9)


def test_factor_tables(units, bibliography):
    ureg = _registry(units)
    for key, factor in units["factors"].items():
        assert factor["status"] in STATUSES, key
        assert math.isfinite(factor["value"]), key
        assert factor["value"] > 0, key
        ureg.parse_expression(factor["unit"])
        assert factor["source"] in bibliography, key
        for field in ("source", "locator"):
            assert factor[field], (key, field)


def test_facts_named_like_a_conversion_factor_agree_with_it(units):
    # Case files take conversion factors as dataset rows; units.toml keeps them for `times`.
    facts = _load("facts.csv").set_index("series")
    shared = sorted(set(facts.index) & set(units["factors"]))
    assert shared, "no conversion factor is a facts row"
    for name in shared:
        factor, row = units["factors"][name], facts.loc[name]
        assert row["value"] == factor["value"], name
        assert (row["unit"], row["source"], row["status"]) == (
            factor["unit"],
            factor["source"],
            factor["status"],
        ), name


def _fact(series, year, month=None):
    df = _load("facts.csv")
    hit = df[(df["series"] == series) & (df["year"] == year)]
    hit = hit[hit["month"].isna()] if month is None else hit[hit["month"] == month]
    assert len(hit) == 1, (series, year, month)
    return float(hit["value"].iloc[0])


def test_derived_facts_follow_from_the_rows_they_name():
    # Each derived row's note names its parts; recompute it from them (to its printed digits).
    assert _fact("t_per_bbl_crude_world", 2021) == pytest.approx(
        1 / _fact("bbl_per_t_crude_world", 2021), abs=5e-7
    )
    assert _fact("kcp_spare_capacity", 2007) == _fact("kcp_capacity_initial", 2006, 5) - _fact(
        "kcp_first_year_throughput", 2007
    )
    assert _fact("kcp_spare_capacity", 2013, 12) == pytest.approx(
        _fact("kcp_capacity_design", 2013, 12) - _fact("kcp_throughput", 2013)
    )
    assert _fact("espo_contract_volume_total", 2013, 10) == _fact(
        "espo_loan_2009_oil_volume", 2009, 2
    ) + _fact("russia_china_oil_oct2013_volume", 2013, 10)
    assert _fact("rosneft_cnpc_2013_annual_volume", 2013, 6) == pytest.approx(
        _fact("rosneft_cnpc_2013_volume", 2013, 6) / _fact("rosneft_cnpc_2013_duration", 2013, 6)
    )
    per_km = _fact("kcp_atasu_alashankou_capex", 2005) / _fact("kcp_atasu_alashankou_length", 2005)
    assert _fact("espo_spur_china_capex_estimate", 2008) == pytest.approx(
        _fact("espo_spur_length_china", 2008) * per_km, abs=0.005
    )
    assert _fact("cagp_line_ab_capacity", 2010, 10) == _fact(
        "cagp_line_a_capacity", 2009, 12
    ) + _fact("cagp_line_b_capacity", 2010, 10)
    assert _fact("russia_gas_2006_agreement_total", 2006) == _fact(
        "russia_gas_western_route_volume", 2006
    ) + _fact("russia_gas_far_east_route_volume", 2006)
