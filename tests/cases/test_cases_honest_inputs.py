"""Shares of a linked case are checked: a stake of 1 or more, or below 0, is a named error
at solve time and a case-file error at load (the contract price divides by ``1 - stake``)."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from pipeline_games.cases import load
from pipeline_games.cases._case import parse_case
from pipeline_games.errors import CaseFileError, InvalidParameterError


@pytest.fixture(scope="module")
def linked():
    return load("eurasian-gas")


@pytest.fixture(scope="module")
def data(linked):
    with linked.path.open("rb") as handle:
        return tomllib.load(handle)


@pytest.mark.parametrize("stake", [1.0, 1.5, -0.5, math.nan])
def test_stake_out_of_range_is_a_named_error(linked, stake):
    values = dict(linked.base)
    values["upstream_stake_2014"] = stake  # the 2014 epoch copies it into upstream_stake
    with pytest.raises(InvalidParameterError, match=r"'upstream_stake'.*\[0, 1\).*got"):
        linked.outputs_at(values, 2014)


def test_stake_in_one_sample_of_many_is_caught(linked):
    values = {k: np.full(3, v) for k, v in linked.base.items()}
    values["upstream_stake_2014"] = np.array([0.1, 0.2, 1.0])
    with pytest.raises(InvalidParameterError, match="got 1"):
        linked.outputs_at(values, 2014)


def _with_parameter(data, name, **changes):
    parameters = dict(data["parameters"])
    parameters[name] = {**parameters[name], **changes}
    return {**data, "parameters": parameters}


@pytest.mark.parametrize(
    ("name", "changes", "key"),
    [
        ("upstream_stake_2014", {"high": 1.0}, "parameters.upstream_stake_2014.high"),
        ("upstream_stake_2014", {"low": -0.1}, "parameters.upstream_stake_2014.low"),
        ("upstream_stake_2014", {"value": 1.2, "high": 1.3}, "parameters.upstream_stake_2014"),
        ("upstream_stake", {"value": 1.0}, "parameters.upstream_stake.value"),
        ("upstream_stake", {"low": 0.0, "high": 1.5}, "parameters.upstream_stake.high"),
    ],
)
def test_case_file_refuses_a_share_range_outside_zero_one(data, tmp_path, name, changes, key):
    path = tmp_path / "eurasian-gas.toml"
    with pytest.raises(CaseFileError) as info:
        parse_case(_with_parameter(data, name, **changes), path)
    message = str(info.value)
    assert str(path) in message
    assert key in message
    assert "[0, 1)" in message


def test_case_file_refuses_a_literal_partner_share_above_one(data, tmp_path):
    routes = dict(data["supply_network"]["routes"])
    routes["power_of_siberia"] = {**routes["power_of_siberia"], "partner_share": 1.5}
    focus = {k: v for k, v in data["supply_network"]["focus"].items() if k != "stake"}
    broken = {**data, "supply_network": {**data["supply_network"], "routes": routes}}
    broken["supply_network"]["focus"] = focus
    with pytest.raises(CaseFileError, match=r"partner_share.*\[0, 1\].*1\.5"):
        parse_case(broken, tmp_path / "eurasian-gas.toml")


def test_the_shipped_stake_ranges_load(linked):
    stake = linked.parameters["upstream_stake_2014"]
    assert 0.0 <= stake.low <= stake.value <= stake.high < 1.0


def test_case_tornado_flags_the_end_without_a_deal():
    """china_import_demand at its low end leaves no Russian deal in 2014: flagged, unranked."""
    import pipeline_games as pg

    case = load("china-russia-gas")
    result = pg.tornado(case, output="net_price@2014")
    k = result.names.index("china_import_demand")
    low = dict(case.base)
    low["china_import_demand"] = case.parameters["china_import_demand"].low
    out = case.outputs_at(low, 2014)
    assert not bool(out["agreement"])  # independently: no deal there
    assert bool(result.undefined_low[k])
    assert not bool(result.undefined_high[k])
    assert k >= result.ranked
    assert result.labels()[k] == "china_import_demand (undefined at the low end)"
    assert np.all(np.isfinite(result.swing[: result.ranked]))


def test_case_tornado_refuses_an_output_without_a_deal_at_base():
    import pipeline_games as pg

    case = load("china-russia-gas")
    assert not bool(case.outputs_at(case.base, 2008)["agreement"])
    with pytest.raises(InvalidParameterError, match=r"'net_price@2008' is undefined"):
        pg.tornado(case, output="net_price@2008")
