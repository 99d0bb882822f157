"""The market dataset loader and the bibliography against the files read independently."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from _support.casefiles import CASES, market_rows, units_file
from pipeline_games.cases import bibliography, cite, factors, market_data
from pipeline_games.cases._market import MarketData, Observation
from pipeline_games.errors import CaseFileError


def _month(row):
    return int(row["month"]) if row["month"] else None


def test_every_row_is_found_by_series_and_year():
    data = market_data()
    rows = market_rows()
    assert len(data.observations) == len(rows)
    for row in rows:
        found = data.observation(row["series"], int(row["year"]), _month(row))
        assert found.value == float(row["value"])
        assert (found.unit, found.source, found.status) == (
            row["unit"],
            row["source"],
            row["status"],
        )
    assert data.names == tuple(sorted({row["series"] for row in rows}))


def test_series_arrays_are_sorted_annual_rows():
    data = market_data()
    rows = market_rows()
    name = max(
        {r["series"] for r in rows},
        key=lambda s: sum(r["series"] == s and not r["month"] for r in rows),
    )
    annual = sorted(
        (int(r["year"]), float(r["value"])) for r in rows if r["series"] == name and not r["month"]
    )
    years, values = data.series(name)
    assert years.dtype == np.int64
    assert years.tolist() == [y for y, _ in annual]
    assert values.tolist() == [v for _, v in annual]
    assert data.unit(name) == next(r["unit"] for r in rows if r["series"] == name)


def test_monthly_rows_come_back_with_fractional_years():
    monthly = [r for r in market_rows() if r["month"]]
    if not monthly:
        pytest.skip("the dataset has no monthly rows")
    name = monthly[0]["series"]
    years, values = market_data().series(name, monthly=True)
    expected = sorted(
        (int(r["year"]) + (int(r["month"]) - 0.5) / 12, float(r["value"]))
        for r in monthly
        if r["series"] == name
    )
    np.testing.assert_allclose(years, [y for y, _ in expected])
    np.testing.assert_allclose(values, [v for _, v in expected])


def test_to_frame_is_tidy_with_real_dtypes():
    frame = market_data().to_frame()
    assert list(frame.columns) == [
        "series", "year", "month", "value", "unit", "source", "locator", "status", "note",
    ]  # fmt: skip
    assert len(frame) == len(market_rows())
    assert frame["value"].dtype == np.float64
    assert frame["year"].dtype.kind == "i"
    assert str(frame["month"].dtype) == "Int64"


def test_lookups_that_fail_name_what_there_is():
    data = market_data()
    with pytest.raises(CaseFileError, match="no series 'no_such_series'"):
        data.value("no_such_series", 2000)
    name = data.names[0]
    with pytest.raises(CaseFileError, match=rf"series '{name}' has no value for 1850; it has"):
        data.value(name, 1850)
    with pytest.raises(CaseFileError, match=r"no annual rows|no monthly rows"):
        data.series("no_such_series")


def test_duplicate_rows_are_refused():
    row = Observation("s", 2000, None, 1.0, "USD", "k", "", "reported", "")
    with pytest.raises(CaseFileError, match="duplicate row for series 's', year 2000"):
        MarketData([row, row])


def test_every_source_key_of_the_dataset_and_units_is_in_the_bibliography():
    keys = set(bibliography())
    missing = {r["source"] for r in market_rows()} - keys
    missing |= {item["source"] for item in units_file()["factors"].values()} - keys
    assert not missing, sorted(missing)
    assert {name: f.source for name, f in factors().items()} == {
        name: item["source"] for name, item in units_file()["factors"].items()
    }


def test_bibliography_matches_the_file_and_cites():
    with (CASES / "bibliography.toml").open("rb") as handle:
        table = tomllib.load(handle)
    references = bibliography()
    assert set(references) == set(table)
    key, entry = next(iter(table.items()))
    assert references[key].title == entry["title"]
    assert references[key].year == int(entry["year"])
    line = cite(key, "p. 7")
    assert entry["title"] in line
    assert line.endswith("; p. 7")
    assert str(entry["year"]) in line
    with pytest.raises(CaseFileError, match="unknown source key 'no_such_key'"):
        cite("no_such_key")


def test_dataset_values_are_finite():
    assert all(math.isfinite(item.value) for item in market_data().observations)
