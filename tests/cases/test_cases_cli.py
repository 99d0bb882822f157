"""The case commands in-process through ``main(argv)``: list, show, solve, check, report,
reproduce; and the wheel, installed elsewhere, loading every case (slow)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline_games as pg
from pipeline_games.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLES = "8"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_json_and_table(capsys):
    status, out, err = run(capsys, "list", "--json")
    assert status == 0, err
    names = [row["name"] for row in json.loads(out)]
    assert names == pg.cases.list_cases()
    status, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["case", "title", "epochs"]
    title_column = lines[0].index("title")
    for name, line in zip(names, lines[2:], strict=True):
        assert line.startswith(name)
        assert line[title_column - 2 : title_column] == "  "  # aligned whatever the length


def test_show_lists_parameters_sources_and_backtest(capsys):
    case = pg.cases.load("china-russia-oil")
    status, out, err = run(capsys, "show", "china-russia-oil")
    assert status == 0, err
    for parameter in list(case.parameters)[:5]:
        assert re.search(rf"^{parameter}\s", out, flags=re.M)
    assert case.parameters["volume"].source in out
    assert "backtest points" in out
    status, out, _ = run(capsys, "show", "china-russia-oil", "--json")
    data = json.loads(out)
    assert [p["name"] for p in data["parameters"]] == list(case.parameters)


def test_solve_case_with_set_and_epoch(capsys):
    name = next(c for c in pg.cases.list_cases() if "oil_trade" in pg.cases.load(c).adapters)
    case = pg.cases.load(name)
    year = case.years[-1]
    mapping = case.mapping["oil_trade"]
    cost = mapping["seller_production_cost"]
    surpluses = []
    for value in (case.base[cost], case.base[cost] + 1.0):
        status, out, err = run(
            capsys, "solve", name, "--epoch", str(year), "--set", f"{cost}={value}", "--json"
        )
        assert status == 0, err
        data = json.loads(out)
        assert [e["year"] for e in data["epochs"]] == [year]
        surpluses.append(data["epochs"][0]["surplus"])
    assert surpluses[0] > 0  # a deal: the joint gain is linear in the seller's cost
    values = case.epoch_values(case.base, year)
    # Mt/yr x bbl/t x USD/bbl = USD 1e6 = USD 0.001 bn per year, per USD/bbl of cost
    per_unit = float(values[mapping["volume"]]) * float(values[mapping["barrels_per_tonne"]]) * 1e-3
    assert surpluses[0] - surpluses[1] == pytest.approx(per_unit, rel=1e-9)


def test_solve_case_table_has_words_and_units(capsys):
    status, out, err = run(capsys, "solve", "china-russia-gas")  # supply_network
    assert status == 0, err
    assert "joint gain of the deal over the outside options (USD bn/yr)" in out
    assert "China's outside option (USD bn/yr)" in out
    assert "price (USD/kcm)" in out
    assert "buyer_outside_option" not in out
    name = next(c for c in pg.cases.list_cases() if "oil_trade" in pg.cases.load(c).adapters)
    status, out, err = run(capsys, "solve", name)
    assert status == 0, err
    assert "joint gain of the trade (USD bn/yr)" in out
    assert "price (USD/bbl)" in out
    assert "buyer_outside_option" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "china-mars-gas"], "unknown solver or case 'china-mars-gas'"),
        (["solve", "china-russia-gas", "--set", "no_such=1"], "--set: cannot set 'no_such'"),
        (["solve", "china-russia-gas", "--set", "volume"], "--set expects NAME=VALUE"),
        (["solve", "china-russia-gas", "--epoch", "1990"], "--epoch 1990"),
        (["show", "no-such-case"], "no such case"),
        (["check", "china-russia-gas", "--samples", "-3"], "samples"),
    ],
)
def test_case_errors_exit_2_with_a_message(capsys, args, message):
    status, _, err = run(capsys, *args)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_check_exit_codes_and_strict_json(capsys):
    check = pg.cases.load("china-russia-gas").check(samples=int(SAMPLES))
    failing = bool(check.failed)
    status, out, err = run(capsys, "check", "china-russia-gas", "--samples", SAMPLES)
    assert status == 0, err  # a failing claim is a finding
    for result in check.results:
        assert result.claim.id in out
    status, _, _ = run(capsys, "check", "china-russia-gas", "--samples", SAMPLES, "--strict")
    assert status == (1 if failing else 0)
    status, out, _ = run(capsys, "check", "china-russia-gas", "--samples", SAMPLES, "--json")
    claims = json.loads(out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))[
        "claims"
    ]
    assert [c["id"] for c in claims] == [r.claim.id for r in check.results]
    for claim in claims:
        assert claim["robustness"] is None or 0 <= claim["robustness"] <= 1
        for share in ("defined", "no_deal"):  # each share with its binomial error
            p, n = claim[share], int(SAMPLES)
            assert claim[f"{share}_error"] == pytest.approx((p * (1 - p) / n) ** 0.5)


def test_check_table_columns(capsys):
    _, out, _ = run(capsys, "check", "china-russia-gas", "--samples", SAMPLES)
    header = out.splitlines()[0]
    for column in ("claim", "verdict at base", "robustness +- s.e.", "defined +- s.e.",
                   "no deal +- s.e."):  # fmt: skip
        assert column in header
    check = pg.cases.load("china-russia-gas").check(samples=int(SAMPLES))
    for result in check.results:
        row = next(line for line in out.splitlines() if line.startswith(result.claim.id))
        n = int(SAMPLES)
        error = (result.no_deal * (1 - result.no_deal) / n) ** 0.5
        assert f"{result.no_deal:.2f} +- {error:.2f}" in row
    assert "share of the defined samples in which the claim holds" in out


def test_report_one_case(capsys, tmp_path):
    status, out, err = run(
        capsys, "report", "china-kazakhstan-oil", "--out", str(tmp_path), "--samples", SAMPLES
    )
    assert status == 0, err
    assert (tmp_path / "china-kazakhstan-oil.md").exists()
    assert (tmp_path / "china-kazakhstan-oil.html").exists()
    assert str(tmp_path / "china-kazakhstan-oil.md") in out


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reproduce")
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["reproduce", "--out", str(folder), "--samples", SAMPLES])
    return folder, status, out.getvalue(), err.getvalue()


def test_reproduce_prints_a_line_per_case_then_the_tables(reproduced):
    folder, status, out, err = reproduced
    assert status == 0, err  # failed claims are findings: exit 0 without --strict
    lines = out.splitlines()
    names = pg.cases.list_cases()
    for name, line in zip(names, lines, strict=False):
        assert re.fullmatch(
            rf"{name}: claims \d+ held, \d+ failed(, \d+ not defined)?; "
            r"(backtest \d+/\d+ inside|no backtest points); \d+\.\d s",
            line,
        ), line
    claims_at = lines.index("claims:")
    backtest_at = lines.index("backtest:")
    assert len(names) < claims_at < backtest_at
    header = lines[claims_at + 1]
    for column in ("case", "claim", "verdict at base", "robustness +- s.e.", "defined", "no deal"):
        assert column in header
    for name in names:
        case = pg.cases.load(name)
        for claim in case.claims:
            assert any(line.startswith(name) and claim.id in line for line in lines), claim.id
        if not case.backtest_points:
            assert f"{name}: no backtest points" in out
    assert re.search(r"^backtest score: \d+ of \d+ points inside the published range", out, re.M)
    assert lines[-1].startswith(f"reports written to {folder}")


def test_reproduce_writes_reports_figures_and_index(reproduced):
    folder, _, _, _ = reproduced
    for name in pg.cases.list_cases():
        markdown = (folder / f"{name}.md").read_text(encoding="utf-8")
        for section in ("## Claims", "## Backtest", "## Epochs", "## Parameters", "## Sources"):
            assert section in markdown, (name, section)
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert page.count("data:image/png;base64,") >= 3
        for stem in ("frontier", "outcome_path", "robustness"):
            assert (folder / f"{name}-{stem}.png").stat().st_size > 1000
            assert (folder / f"{name}-{stem}.svg").stat().st_size > 1000
    for stem in ("china-turkmenistan-gas-diversification", "china-russia-oil-route_regions"):
        assert (folder / f"{stem}.png").stat().st_size > 1000
    index = (folder / "index.md").read_text(encoding="utf-8")
    for name in pg.cases.list_cases():
        assert f"]({name}.html)" in index
    assert "## Backtest" in index
    assert (folder / "index.html").read_text(encoding="utf-8").count("<table>") == 2


def test_reproduce_json_is_strict_and_complete(capsys, tmp_path, monkeypatch):
    from pipeline_games.cases import _report

    calls = []
    real = _report.write_case_report

    def fast(case, out, samples=1024, seed=0):  # two cases keep the test short
        calls.append(case.name)
        return real(case, out, samples, seed)

    monkeypatch.setattr(_report, "write_case_report", fast)
    monkeypatch.setattr("pipeline_games.cases._library.list_cases", lambda: ["china-russia-gas"])
    status, out, err = run(capsys, "reproduce", "--out", str(tmp_path), "--samples", "4", "--json")
    assert status == 0
    assert calls == ["china-russia-gas"]
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert [c["case"] for c in data["cases"]] == ["china-russia-gas"]
    assert {"claims", "backtest", "held", "failed", "seconds"} <= set(data["cases"][0])
    assert err.startswith("china-russia-gas: claims")  # progress goes to stderr with --json


@pytest.mark.slow
def test_cases_wheel_ships_the_case_files(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr[-300:]}")
    wheel = next(wheels.glob("pipeline_games-*.whl"))
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import pipeline_games as pg, pathlib; "
        "print(pg.cases.list_cases()); "
        "c = pg.cases.load('china-turkmenistan-gas'); "
        "print(pathlib.Path(pg.__file__).parent); print(c.solve().outputs[2014]['net_joint_gain']); "
        "from pipeline_games.cases._report import render; print(len(render.__doc__))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "china-russia-gas" in lines[0]
    assert lines[1].startswith(str(site))  # the installed copy, not the source tree
    expected = pg.cases.load("china-turkmenistan-gas").solve().outputs[2014]["net_joint_gain"]
    assert float(lines[2]) == pytest.approx(expected, rel=1e-12)
    assert (site / "pipeline_games" / "cases" / "templates" / "report.j2").is_file()


def test_reproduce_prints_the_backtest_table_and_score(capsys, tmp_path, monkeypatch):
    source = pg.cases.case_path("china-russia-gas").read_text(encoding="utf-8")
    # exactly the two points of BACKTEST_POINTS: without the shipped case's own
    source = re.sub(r"(?ms)^\[\[backtest\]\]\n.*?(?=^\[|\Z)", "", source)
    path = tmp_path / "case" / "china-russia-gas.toml"
    path.parent.mkdir()
    path.write_text(source + BACKTEST_POINTS, encoding="utf-8")
    case = pg.cases.load(path)
    monkeypatch.setattr("pipeline_games.cases._library.list_cases", lambda: [case.name])
    monkeypatch.setattr("pipeline_games.cases._library.load", lambda name: case)
    status, out, err = run(capsys, "reproduce", "--out", str(tmp_path / "out"), "--samples", "4")
    assert status == 0, err
    backtest = case.backtest(samples=4)
    lines = out.splitlines()
    assert lines[0].startswith("china-russia-gas: claims ")
    assert f"backtest {backtest.inside}/2 inside" in lines[0]
    table = lines[lines.index("backtest:") + 1 :]
    assert table[0].split()[:5] == ["case", "point", "model", "at", "base"]
    for row in backtest.rows:
        line = next(line for line in table if row.point.id in line)
        assert ("yes" if row.inside else "no") == line.split()[-1]
        assert row.unit in line
    assert f"backtest score: {backtest.inside} of 2 points inside the published range" in out


BACKTEST_POINTS = """
[[backtest]]
id = "pos-price-2014"
statement = "Power of Siberia border price, 2014 (test point)"
quantity = "epoch[2014].net_price"
observed = [350.0, 400.0]
unit = "USD/kcm"
source = "osw_2014"

[[backtest]]
id = "agreement-year"
statement = "Agreement reached (test point)"
quantity = "agreement_year"
observed = [2014.0, 2014.0]
unit = "year"
source = "nids_csr2020"
"""


@pytest.mark.parametrize("command", ["report", "reproduce"])
@pytest.mark.parametrize("out", ["", "a\0b"])
def test_out_that_is_not_a_folder_path_is_a_usage_error(
    capsys, tmp_path, monkeypatch, command, out
):
    monkeypatch.chdir(tmp_path)  # an empty --out must not write into the working folder
    argv = [command, "eurasian-oil"] if command == "report" else [command]
    status, _, err = run(capsys, *argv, "--out", out, "--samples", "0")
    assert status == 2
    assert "--out" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
