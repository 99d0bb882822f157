"""The console script, run as a user would: a subprocess through the installed entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("pipeline-games")
    command = [executable] if executable else [sys.executable, "-m", "pipeline_games"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def test_solve_nash_json_matches_closed_form():
    result = _run(
        "solve",
        "nash",
        "--surplus",
        "100",
        "--disagreement",
        "10",
        "30",
        "--weight",
        "0.6",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    # Weighted Nash on a line: d + weight share of the gain 60.
    assert payload["payoffs"] == pytest.approx([10 + 0.6 * 60, 30 + 0.4 * 60])
    assert payload["agreement"] is True
    assert payload["method"] == "nash"


@pytest.mark.parametrize("solver", ["kalai-smorodinsky", "egalitarian", "utilitarian"])
def test_solve_other_solvers_table(solver):
    result = _run("solve", solver, "--surplus", "100", "--disagreement", "10", "30")
    assert result.returncode == 0, result.stderr
    assert "buyer" in result.stdout
    assert "seller" in result.stdout


def test_solve_rubinstein_with_outside_option():
    result = _run(
        "solve",
        "rubinstein",
        "--surplus",
        "1",
        "--discount",
        "0.9",
        "0.9",
        "--outside-options",
        "0",
        "0.6",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["payoffs"] == pytest.approx([0.4, 0.6])
    assert payload["binding"] == "seller"


def test_bad_input_exits_with_a_message():
    result = _run("solve", "nash", "--weight", "1.5")
    assert result.returncode == 2
    assert "weight must be in [0, 1]; got 1.5" in result.stderr


def test_help_shows_examples():
    result = _run("solve", "--help")
    assert result.returncode == 0
    assert "pipeline-games solve nash" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "nash", "--set", "weight=abc"], "--set applies to a case"),
        (["solve", "nash", "--epoch", "2009"], "--epoch applies to a case"),
        (["solve", "nash", "--discount", "0.9", "0.9"], "--discount applies to rubinstein"),
        (["solve", "egalitarian", "--weight", "0.3"], "--weight applies to nash"),
        (["solve", "china-russia-gas", "--surplus", "5"], "--surplus applies to the bargaining"),
    ],
)
def test_options_that_do_not_apply_are_refused(args, message):
    # An option the target does not use must not be ignored silently.
    result = _run(*args)
    assert result.returncode == 2
    assert message in result.stderr
