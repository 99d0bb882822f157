"""The case commands through the entry point (subprocess), reproduce, and the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_games", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_cases_cli_list_json():
    result = run("list", "--json")
    assert result.returncode == 0, result.stderr
    names = [row["name"] for row in json.loads(result.stdout)]
    assert "china-turkmenistan-gas" in names
    assert len(names) == 4


def test_cases_cli_show_lists_sources():
    result = run("show", "china-russia-oil")
    assert result.returncode == 0, result.stderr
    assert "kazakh_pipeline_volume_2006" in result.stdout
    assert "seed004" in result.stdout


def test_cases_cli_solve_case_with_set_and_epoch():
    result = run(
        "solve", "china-russia-gas", "--epoch", "2006", "--set", "russia_cost=150", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [e["year"] for e in data["epochs"]] == [2006]
    assert abs(data["epochs"][0]["surplus"] - 68 * (420 - 150) / 1000) < 1e-9


def test_cases_cli_unknown_case_is_an_error():
    result = run("solve", "china-mars-gas")
    assert result.returncode == 2
    assert "unknown solver or case" in result.stderr


def test_cases_cli_check_exit_codes():
    failing = run("check", "china-russia-gas", "--samples", "16")
    assert failing.returncode == 1  # china-position-rose-2009 fails at the base values
    assert "china-position-rose-2009" in failing.stdout
    assert run("check", "china-russia-gas", "--samples", "16", "--no-fail").returncode == 0
    as_json = run("check", "china-russia-gas", "--samples", "16", "--no-fail", "--json")
    claims = json.loads(as_json.stdout)["claims"]
    assert all(c["robustness"] is None or 0 <= c["robustness"] <= 1 for c in claims)


@pytest.mark.parametrize("command", ["list", "show", "check", "report", "reproduce", "solve"])
def test_cases_cli_help_has_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout


def test_cases_cli_reproduce_writes_reports_and_figures(tmp_path):
    result = run("reproduce", "--out", str(tmp_path), "--samples", "32")
    assert result.returncode == 0, result.stderr  # failed claims are findings, exit 0
    assert "china-russia-gas" in result.stdout
    for name in (
        "china-kazakhstan-oil",
        "china-russia-gas",
        "china-russia-oil",
        "china-turkmenistan-gas",
    ):
        markdown = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
        assert "## Claims" in markdown
        assert "## Parameters" in markdown
        page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert "data:image/png;base64," in page
        for stem in ("frontier", "outcome_path", "robustness"):
            assert (tmp_path / f"{name}-{stem}.png").stat().st_size > 1000
            assert (tmp_path / f"{name}-{stem}.svg").stat().st_size > 1000
    for stem in ("china-turkmenistan-gas-diversification", "china-russia-oil-route_regions"):
        assert (tmp_path / f"{stem}.png").stat().st_size > 1000
    turkmen = (tmp_path / "china-turkmenistan-gas.md").read_text(encoding="utf-8")
    assert "| regime | one_sided_dependence |" in turkmen  # the other models' table
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "upstream-lever-2014" in index
    assert "not evaluated" not in result.stdout


def test_cases_cli_report_one_case(tmp_path):
    result = run("report", "china-kazakhstan-oil", "--out", str(tmp_path), "--samples", "16")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "china-kazakhstan-oil.md").exists()


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
        "print(pathlib.Path(pg.__file__).parent); print(c.solve().outputs[2014]['surplus'])"
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
    assert float(lines[2]) == pytest.approx(65 * (420 - 120) / 1000)
