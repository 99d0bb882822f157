"""The command line in-process through ``main(argv)``, and one smoke test of the installed
console script (a real process, with its standard output closed early)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys

import pytest

from pipeline_games import cli
from pipeline_games.cli import COMMANDS, EXIT_CODES, main


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# -- solving -------------------------------------------------------------------------------
def test_solve_nash_json_matches_closed_form(capsys):
    status, out, err = run(
        capsys, "solve", "nash", "--surplus", "100", "--disagreement", "10", "30", "--weight",
        "0.6", "--json",
    )  # fmt: skip
    assert status == 0, err
    payload = json.loads(out)
    # Weighted Nash on a line: d + weight share of the gain 60.
    assert payload["payoffs"] == pytest.approx([10 + 0.6 * 60, 30 + 0.4 * 60])
    assert payload["shares"] == pytest.approx([46 / 100, 54 / 100])
    assert payload["agreement"] is True
    assert payload["method"] == "nash"


@pytest.mark.parametrize(
    ("solver", "buyer"),
    # linear frontier u0 + u1 = 100 from d = (10, 30): KS and egalitarian split the gain of
    # 60 equally; utilitarian's maximizers are a segment (any point of it is a fine answer)
    [("kalai-smorodinsky", 40.0), ("egalitarian", 40.0), ("utilitarian", None)],
)
def test_solve_other_solvers_print_an_aligned_table(capsys, solver, buyer):
    status, out, err = run(
        capsys, "solve", solver, "--surplus", "100", "--disagreement", "10", "30"
    )
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].endswith("(agreement: yes)")
    header, rule, *rows = lines[1:]
    assert header.split()[:2] == ["player", "payoff"]
    # columns line up: every row's cells start where the rule's dashes start
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    for row in rows:
        for start in starts[1:]:
            assert row[start - 2 : start] == "  "
    payoffs = {row.split()[0]: float(row.split()[1]) for row in rows}
    assert payoffs["buyer"] + payoffs["seller"] == pytest.approx(100.0)
    if buyer is not None:
        assert payoffs["buyer"] == pytest.approx(buyer)


def test_solve_rubinstein_with_outside_option(capsys):
    status, out, err = run(
        capsys, "solve", "rubinstein", "--surplus", "1", "--discount", "0.9", "0.9",
        "--outside-options", "0", "0.6", "--json",
    )  # fmt: skip
    assert status == 0, err
    payload = json.loads(out)
    # the seller's 0.6 beats its Rubinstein share 1/(1 + 0.9) * 0.9 = 0.4737: it binds
    assert payload["payoffs"] == pytest.approx([0.4, 0.6])
    assert payload["binding"] == "seller"


def test_solve_without_agreement_shows_no_shares(capsys):
    status, out, _ = run(capsys, "solve", "nash", "--disagreement", "60", "60")
    assert status == 0
    assert "agreement: no" in out
    assert "0.5" not in out  # the shares of a deal that is not made
    assert "not defined" in out
    status, out, _ = run(capsys, "solve", "nash", "--disagreement", "60", "60", "--json")
    payload = json.loads(out)
    assert payload["agreement"] is False
    assert payload["shares"] is None


def test_json_is_strict_null_not_nan(capsys):
    # no agreement: rubinstein's shares are NaN inside the package, null in JSON
    status, out, _ = run(
        capsys, "solve", "rubinstein", "--surplus", "1", "--rates", "0.1", "0.1",
        "--outside-options", "2", "0", "--json",
    )  # fmt: skip
    assert status == 0
    assert "NaN" not in out
    json.loads(out, parse_constant=lambda name: pytest.fail(f"non-standard JSON {name}"))


# -- errors speak flags -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "nash", "--weight", "1.5"], "--weight must be in [0, 1]; got 1.5"),
        (["solve", "rubinstein", "--surplus", "100"], "exactly one of --discount DELTA0 DELTA1"),
        (["solve", "rubinstein", "--surplus", "100"], "or --rates R0 R1"),
        (
            ["solve", "rubinstein", "--discount", "0.9", "0.9", "--rates", "1", "1"],
            "got both",
        ),
        (["solve", "rubinstein", "--discount", "1.2", "0.9"], "--discount DELTA0 must be in"),
        (["solve", "rubinstein", "--rates", "0.1", "-1"], "--rates R1 must be > 0"),
        (["solve", "nash", "--disagreement", "nan", "0"], "--disagreement D0 must be finite"),
        (["solve", "nash", "--set", "weight=abc"], "--set applies to a case"),
        (["solve", "nash", "--epoch", "2009"], "--epoch applies to a case"),
        (["solve", "nash", "--discount", "0.9", "0.9"], "--discount applies only to the solver rubinstein"),
        (["solve", "egalitarian", "--weight", "0.3"], "--weight applies only to the solver nash, not to egalitarian"),
        (["solve", "china-russia-gas", "--weight", "0.3"], "--weight applies only to the solver nash, not to the case"),
        (["solve", "china-russia-gas", "--surplus", "5"], "--surplus applies to the bargaining solvers"),
    ],
)  # fmt: skip
def test_errors_name_the_flags(capsys, args, message):
    status, _, err = run(capsys, *args)
    assert status == 2
    assert message in err
    assert "=(" not in err
    assert "Traceback" not in err


def test_the_weight_messages_agree():
    # one table says where each option applies; both messages come from it
    assert cli.SOLVER_OPTIONS["weight"] == ("nash",)


def test_usage_errors_exit_2(capsys):
    assert main(["solve"]) == 2
    assert "the following arguments are required: target" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2
    assert main([]) == 2


# -- help -----------------------------------------------------------------------------------
def test_top_level_help_lists_every_command_and_the_exit_codes(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\b", out, flags=re.M), name
    assert "exit status" in out
    assert out.rstrip().endswith("pipeline-games reproduce --out reports/")


def test_version(capsys):
    import pipeline_games

    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"pipeline-games {pipeline_games.__version__}"


def _help_of(parser, name):
    action = next(a for a in parser._subparsers._group_actions if a.dest == "command")
    return action.choices[name]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_option_has_help_with_its_default_and_help_ends_with_an_example(capsys, name):
    parser = _help_of(cli.build_parser(), name)
    # sweep and sensitivity are registered (and their options documented) by
    # pipeline_games.sweeps._cli, tested with the sweeps; here only their help's example
    own = COMMANDS[name][0] != "pipeline_games.sweeps._cli"
    for action in parser._actions:
        if not own or not action.option_strings or action.dest in ("help",):
            continue
        assert action.help, f"{name} {action.option_strings[0]} has no help"
        if action.nargs == 0:  # a flag: says what happens without it
            assert "default" in action.help, f"{name} {action.option_strings[0]}"
        else:
            assert "default" in action.help, f"{name} {action.option_strings[0]}: no default"
    status = main([name, "--help"])
    out = capsys.readouterr().out
    assert status == 0
    lines = out.rstrip().splitlines()
    heading = max(i for i, line in enumerate(lines) if re.fullmatch(r"examples?:", line))
    examples = lines[heading + 1 :]
    assert examples
    assert examples[0].strip().startswith(f"pipeline-games {name}")
    for line in examples:  # nothing but examples (and their continuation lines) after it
        assert line.startswith("  "), f"{name} --help ends with {line!r}"


def test_exit_codes_are_documented():
    assert set(EXIT_CODES) == {0, 1, 2, 130, 141}
    assert str(1) in cli.__doc__
    assert "--strict" in cli.__doc__


# -- a closed pipe -------------------------------------------------------------------------
class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_stdout_exits_quietly(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    status = main(["solve", "nash", "--json"])
    err = capsys.readouterr().err
    assert status == 141
    assert err == ""


def test_installed_console_script_smoke(tmp_path):
    """The one subprocess test: the console script runs, and a reader that closes the pipe
    early (``| head``) gets no traceback and no 'Broken pipe' message."""
    executable = shutil.which("pipeline-games")
    command = [executable] if executable else [sys.executable, "-m", "pipeline_games"]
    process = subprocess.Popen(
        [*command, "solve", "nash", "--surplus", "100", "--disagreement", "10", "30", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    process.stdout.close()  # the reader is gone before the first byte is written
    err = process.stderr.read().decode()
    process.wait(timeout=120)
    assert process.returncode == 141, err
    assert err == ""
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout.startswith("pipeline-games ")
