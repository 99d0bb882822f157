"""The case commands, in-process through ``pipeline_games.cli.main(argv)``; one subprocess
smoke test of the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline_games
from _support.casefiles import gas_case, write_case
from pipeline_games.cases import list_cases
from pipeline_games.cli import main


def _strict(text: str):
    def refuse(name: str):
        raise AssertionError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_list_json(capsys):
    assert main(["list", "--json"]) == 0
    rows = _strict(capsys.readouterr().out)
    assert [row["name"] for row in rows] == list_cases()


def test_solve_case_json_is_strict_with_null_where_there_is_no_deal(tmp_path, capsys):
    path = write_case(tmp_path, gas_case())
    assert main(["solve", str(path), "--json"]) == 0
    data = _strict(capsys.readouterr().out)
    epochs = {row["year"]: row for row in data["epochs"]}
    assert list(epochs) == [2006, 2009, 2012, 2014]
    assert epochs[2014]["agreement"] is False
    assert epochs[2014]["price"] is None  # no deal, no price (NaN is not JSON)
    assert epochs[2006]["price"] == pytest.approx(200.0)


def test_solve_case_with_set_and_epoch(tmp_path, capsys):
    path = write_case(tmp_path, gas_case())
    assert main(["solve", str(path), "--epoch", "2009", "--set", "buyer_value=320", "--json"]) == 0
    data = _strict(capsys.readouterr().out)
    assert [row["year"] for row in data["epochs"]] == [2009]
    assert data["epochs"][0]["surplus"] == pytest.approx(10 * (320 - 100) / 1000)


@pytest.mark.parametrize("name", list_cases())
def test_solve_every_shipped_case_json(name, capsys):
    assert main(["solve", name, "--json"]) == 0
    data = _strict(capsys.readouterr().out)
    assert data["case"] == name


def test_check_exit_codes(tmp_path, capsys):
    holding = write_case(tmp_path, gas_case("holding"))
    assert main(["check", str(holding), "--samples", "16"]) == 0
    data = gas_case("failing")
    data["claims"][2]["test"]["value"] = 100.0  # the buyer earns less than USD 100 bn/yr
    failing = write_case(tmp_path, data)
    capsys.readouterr()
    assert main(["check", str(failing), "--samples", "16"]) == 1
    assert "buyer-payoff-above-one" in capsys.readouterr().out
    assert main(["check", str(failing), "--samples", "16", "--no-fail"]) == 0
    capsys.readouterr()
    assert main(["check", str(failing), "--samples", "16", "--no-fail", "--json"]) == 0
    claims = _strict(capsys.readouterr().out)["claims"]
    assert {c["id"]: c["verdict"] for c in claims}["buyer-payoff-above-one"] == "fails"
    assert all(c["robustness"] is None or 0 <= c["robustness"] <= 1 for c in claims)


def test_errors_exit_2_with_a_message(tmp_path, capsys):
    assert main(["solve", "china-mars-gas"]) == 2
    assert "china-mars-gas" in capsys.readouterr().err
    data = gas_case()
    data["parameters"]["volume"]["unit"] = "widgets"
    broken = write_case(tmp_path, data)
    assert main(["check", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "parameters.volume.unit" in err
    assert str(broken) in err


def test_entry_point_smoke(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(pipeline_games.__file__).parents[1])}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline_games", "list", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [row["name"] for row in _strict(result.stdout)] == list_cases()
