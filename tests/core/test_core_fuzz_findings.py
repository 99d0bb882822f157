"""Regression tests for what the fuzz suite (``test_core_fuzz.py``) found: each call below
once ended in a raw Python/numpy exception (or hung); it now raises a named error of the
package's hierarchy that names the parameter."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games.errors import InvalidParameterError, PipelineGamesError

NAN = math.nan


def _network() -> pg.SupplyNetwork:
    return pg.SupplyNetwork(
        [pg.Producer("S", capacity=10.0, cost=1.0)],
        [pg.Market("B", price=5.0)],
        [pg.Route("r", ("S", "T", "B"), 8.0)],
        ["T"],
    )


def _oil() -> pg.cases.Case:
    return pg.cases.load("china-russia-oil")


FINDINGS = [
    # network: a non-network, names that are not strings, a point that is not an index
    ("flow of a list", lambda: pg.flow([1, 2]), "network must be a SupplyNetwork"),
    ("flow agreements=5", lambda: pg.flow(_network(), 5), "agreements must be a name or"),
    ("flow routes=[1]", lambda: pg.flow(_network(), routes=[1]), "routes must name routes"),
    ("flow method=list", lambda: pg.flow(_network(), method=["lp"]), "method must be one of"),
    ("coalition_values of None", lambda: pg.coalition_values(None), "network must be a"),
    ("cooperative of 3.0", lambda: pg.cooperative(3.0), "network must be a SupplyNetwork"),
    ("network_game point=3", lambda: pg.network_game(_network(), 3), "point must index"),
    ("network_game point=(5,)", lambda: pg.network_game(_network(), (5,)), "point must index"),
    ("network_game point=('a',)", lambda: pg.network_game(_network(), ("a",)), "point must"),
    (
        "SupplyNetwork transit_capacity=5",
        lambda: pg.SupplyNetwork(
            [pg.Producer("S")],
            [pg.Market("B", price=1.0)],
            [pg.Route("r", ("S", "B"), 1.0)],
            transit_capacity=5,
        ),
        "transit_capacity must be a mapping",
    ),
    # coalition: PipelineNetwork parts
    (
        "Node capacity array",
        lambda: pg.Node("P", "producer", capacity=np.ones(3)),
        "capacity of node 'P' must be a single number",
    ),
    ("Node role list", lambda: pg.Node("P", ["producer"]), "role of node 'P' must be one of"),
    ("Node name None", lambda: pg.Node(None, "producer"), "name of a node must be"),
    ("Line path int", lambda: pg.Line("L", 5, 1.0), "path of line 'L' must be a sequence"),
    ("Line path of ints", lambda: pg.Line("L", (1, 2), 1.0), "a node on the path of line"),
    ("Line capacity array", lambda: pg.Line("L", ("P", "B"), np.ones(2)), "a single number"),
    ("PipelineNetwork nodes=None", lambda: pg.PipelineNetwork(None, []), "nodes must be a"),
    (
        "PipelineNetwork lines=[1]",
        lambda: pg.PipelineNetwork([pg.Node("P", "producer")], [1]),
        "lines must be Line objects",
    ),
    (
        "TUGame.from_network(array)",
        lambda: pg.TUGame.from_network(np.ones(3)),
        "network must be a PipelineNetwork or a SupplyNetwork",
    ),
    # stochastic bargaining: per-state arrays with the wrong number of states
    (
        "stochastic surplus of 3 states, 1-state chain",
        lambda: pg.stochastic_bargaining([1.0, 2.0, 3.0], [[1.0]], (0.9, 0.9)),
        "must have the 1 states of transition",
    ),
    (
        "alternating_states surplus of 5 states, 4-state chain",
        lambda: pg.alternating_states(np.ones(5), np.full((4, 4), 0.25)),
        "surplus must have the 4 states of transition",
    ),
    (
        "alternating_states outside options of 3 states",
        lambda: pg.alternating_states(np.ones(2), np.full((2, 2), 0.5), (np.ones(3), 0.0)),
        "outside_options[0] must have the 2 states",
    ),
    # cases
    (
        "adapter_arguments unknown adapter",
        lambda: _oil().adapter_arguments(5, {}),
        "adapter must be one of the case's adapters",
    ),
    (
        "adapter_arguments values=5",
        lambda: _oil().adapter_arguments(_oil().adapters[0], 5),
        "current must be a mapping",
    ),
    (
        "solution_path of an opaque object",
        lambda: pg.cases.solution_path(object(), ["a"], "x"),
        "games must be a sequence",
    ),
    (
        "solution_path of numbers",
        lambda: pg.cases.solution_path([1.0], ["a"], "x"),
        "games must be TUGame",
    ),
    (
        "case_network values without a parameter",
        lambda: pg.cases.case_network(_gas().network, {}, 2, 1.0),
        "values must give the network parameter",
    ),
    (
        "case_network step NaN",
        lambda: pg.cases.case_network(_gas().network, dict(_gas().base), NAN, 1.0),
        "step must be one of the network's steps",
    ),
    (
        "case_network NaN value",
        lambda: pg.cases.case_network(_gas().network, dict.fromkeys(_gas().base, NAN), 2, 1.0),
        "must be finite",
    ),
    ("solve_case of a dict", lambda: pg.cases.solve_case({}), "case must be a Case"),
    ("check_case of None", lambda: pg.cases.check_case(None), "case must be a Case"),
    ("backtest_case of None", lambda: pg.cases.backtest_case(None), "case must be a Case"),
    ("sample_box of 5", lambda: pg.cases.sample_box(5, 4, 0), "case must be a Case"),
    ("network_path of a list", lambda: pg.cases.network_path([]), "case must be a Case"),
    (
        "network_path year '2009'",
        lambda: pg.cases.network_path(_gas(), "2009"),
        "year must be an integer year",
    ),
    ("epoch_values values=5", lambda: _oil().epoch_values(5, None), "values must be a mapping"),
    ("conversion of a number", lambda: pg.cases.conversion(5, "USD/kcm"), "source must be a unit"),
    ("conversion of a list", lambda: pg.cases.conversion("USD/kcm", ["m"]), "target must be a"),
    # coalition: TUGame
    ("from_function of a number", lambda: pg.TUGame.from_function(5, ["a"]), "must be callable"),
    (
        "from_mask_function of a number",
        lambda: pg.TUGame.from_mask_function(5, ["a"]),
        "must be callable",
    ),
    (
        "from_dict with an int key",
        lambda: pg.TUGame.from_dict({5: 1.0}, ["a"]),
        "a coalition must be a player's name",
    ),
    (
        "value of a float",
        lambda: pg.TUGame([0, 1], ["a"]).value(NAN),
        "a coalition must be a player's name",
    ),
    ("value of [1, 2]", lambda: pg.TUGame([0, 1], ["a"]).value([[1], 2]), "unknown player"),
    # strategic
    ("write_nfg of a number", lambda: pg.write_nfg(3.0), "game must be an NfgGame"),
    (
        "write_nfg into a missing folder",
        lambda: pg.write_nfg(pg.NormalFormGame([[1.0]], [[2.0]]), "/nonexistent/dir/x.nfg"),
        "cannot be written",
    ),
    (
        "write_nfg path=5",
        lambda: pg.write_nfg(pg.NormalFormGame([[1.0]], [[2.0]]), 5),
        "path must be a file path",
    ),
    ("read_nfg(None)", lambda: pg.read_nfg(None), "path must be a file path"),
    ("read_nfg NUL byte", lambda: pg.read_nfg("a\0b"), "cannot be read"),
    (
        "pure_nash_equilibria tol array",
        lambda: pg.pure_nash_equilibria(np.zeros((2, 2, 2)), tol=np.array([1e-9, 1e-9])),
        "tol must be a single number",
    ),
    (
        "pure_nash_equilibria labels=5",
        lambda: pg.pure_nash_equilibria(np.zeros((2, 2, 2)), strategy_labels=5),
        "one sequence of labels per player",
    ),
    (
        "solve_2x2 tol array",
        lambda: pg.solve_2x2(np.eye(2), np.eye(2), tol=np.ones(2)),
        "tol must be a single number",
    ),
    (
        "solve_2x2 tol 1e308 (relative: at most 1)",
        lambda: pg.solve_2x2(np.eye(2), np.eye(2), tol=1e308),
        "tol must be",
    ),
    (
        "backward_induction tol array",
        lambda: pg.backward_induction(
            pg.GameTree(pg.TerminalNode([1.0, 2.0]), ["a", "b"]), tol=np.ones(2)
        ),
        "tol must be a single number",
    ),
    (
        "GameTree players=NaN",
        lambda: pg.GameTree(pg.TerminalNode([1.0, 2.0]), NAN),
        "players must be a sequence of names",
    ),
    (
        "stochastic tol array",
        lambda: pg.stochastic_bargaining([1.0], [[1.0]], (0.9, 0.9), tol=np.full(2, 1e-9)),
        "tol must be a single number",
    ),
    (
        "PipelineNetwork.value of 5",
        lambda: pg.PipelineNetwork(
            [pg.Node("P", "producer"), pg.Node("B", "buyer", price=2.0)],
            [pg.Line("L", ("P", "B"), 3.0)],
        ).value(5),
        "a coalition must be a player's name",
    ),
    ("glove_game(10**309, 1)", lambda: pg.glove_game(10**309, 1), "at most"),
    ("glove_game(10**5000, 1)", lambda: pg.glove_game(10**5000, 1), "about 1e5000"),
    (
        "sample_box names=[nan]",
        lambda: pg.cases.sample_box(_oil(), 4, 0, [NAN]),
        "names must name parameters",
    ),
    ("sample_box names=5", lambda: pg.cases.sample_box(_oil(), 4, 0, 5), "names must be a"),
    (
        "MarketData.value year 2005.5",
        lambda: pg.cases.market_data().value("brent_usd_bbl", 2005.5),
        "year must be an integer",
    ),
    (
        "MarketData.value month 13",
        lambda: pg.cases.market_data().value("brent_usd_bbl", 2005, 13),
        "month must be",
    ),
    (
        "MarketData.value series 5",
        lambda: pg.cases.market_data().value(5, 2005),
        "series must be a name",
    ),
    (
        "NfgGame.from_payoffs players=NaN",
        lambda: pg.NfgGame.from_payoffs(np.zeros((2, 2, 2)), players=NAN),
        "players must be",
    ),
    (
        "solve_2x2 players=NaN",
        lambda: pg.solve_2x2(np.eye(2), np.eye(2), players=NAN),
        "players must be two names",
    ),
    (
        "pure_nash_equilibria players=NaN",
        lambda: pg.pure_nash_equilibria(np.zeros((2, 2, 2)), players=NAN),
        "players must be 2 names",
    ),
    ("case_path(None)", lambda: pg.cases.case_path(None), "a case must be named by a string"),
    ("load NUL", lambda: pg.cases.load("china-russia-oil\0"), "a case must be named by"),
    ("read_case_file(5)", lambda: pg.cases.read_case_file(5), "must be given by its path"),
    (
        "route_game_arguments without loan_rate",
        lambda: pg.cases.route_game_arguments({"volume": 1.0, "kazakh_volume": 0.5}),
        "params must give",
    ),
    ("tornado base=5", lambda: pg.tornado(pg.nash, {"weight": (0.4, 0.6)}, base=5), "base must"),
    (
        "tornado base NaN",
        lambda: pg.tornado(pg.nash, {"weight": (0.4, 0.6)}, base={"weight": NAN}, surplus=1.0),
        "must be finite",
    ),
    # sweeps
    ("load_sweep(None)", lambda: pg.load_sweep(None), "directory must be a folder path"),
    ("repair_sweep(5)", lambda: pg.repair_sweep(5), "directory must be a folder path"),
    (
        "check_fits_in_memory(None)",
        lambda: pg.check_fits_in_memory(10, None, "x"),
        "bytes_per_point",
    ),
    ("check_fits_in_memory(2.5)", lambda: pg.check_fits_in_memory(2.5, 1, "x"), "n_points"),
    # bargaining: the dataclass constructors themselves
    (
        "BargainingProblem(object())",
        lambda: pg.BargainingProblem(object(), (0.0, 0.0)),
        "frontier must be a LinearFrontier, PowerFrontier or PointsFrontier",
    ),
    (
        "BargainingProblem disagreement of 3",
        lambda: pg.BargainingProblem(pg.LinearFrontier(10.0, 1.0), (0.0, 1.0, 2.0)),
        "disagreement must be a pair",
    ),
    (
        "BargainingProblem disagreement None",
        lambda: pg.BargainingProblem(pg.LinearFrontier(10.0, 1.0), None),
        "disagreement",
    ),
    (
        "BargainingProblem disagreement NaN",
        lambda: pg.BargainingProblem(pg.LinearFrontier(10.0, 1.0), (NAN, 0.0)),
        "disagreement[0] must be finite",
    ),
    (
        "BargainingProblem players None",
        lambda: pg.BargainingProblem(pg.LinearFrontier(10.0, 1.0), (0.0, 0.0), None),
        "players must be two names",
    ),
    ("LinearFrontier NaN", lambda: pg.LinearFrontier(NAN, 1.0), "surplus must be finite"),
    ("LinearFrontier rate 0", lambda: pg.LinearFrontier(1.0, 0.0), "rate must be"),
    (
        "LinearFrontier shapes",
        lambda: pg.LinearFrontier(np.ones(3), np.ones(4)),
        "do not broadcast",
    ),
    ("PowerFrontier exponent 2", lambda: pg.PowerFrontier(1.0, 1.0, 2.0), "exponent must be"),
    ("PowerFrontier 'abc'", lambda: pg.PowerFrontier("abc", 1.0, 0.5), "surplus must be"),
    ("PointsFrontier (3,)", lambda: pg.PointsFrontier(np.ones(3)), "shape (k, 2)"),
    (
        "PointsFrontier not a chain",
        lambda: pg.PointsFrontier(np.array([[0.0, 0.0], [1.0, 1.0]])),
        "u2 strictly decreasing",
    ),
    (
        "BargainingProblem players a a",
        lambda: pg.BargainingProblem.linear(1.0, players=("a", "a")),
        "two distinct names",
    ),
    (
        "stochastic_bargaining players None",
        lambda: pg.stochastic_bargaining([1.0], [[1.0]], (0.9, 0.8), players=None),
        "players must be two names",
    ),
    (
        "stochastic_bargaining players 'ab'",
        lambda: pg.stochastic_bargaining([1.0], [[1.0]], (0.9, 0.8), players="ab"),
        "players must be two names",
    ),
    (
        "stochastic_bargaining players a a",
        lambda: pg.stochastic_bargaining([1.0], [[1.0]], (0.9, 0.8), players=("a", "a")),
        "two distinct names",
    ),
    (
        "rubinstein rates/period shapes",
        lambda: pg.rubinstein(
            pg.BargainingProblem.linear(1.0), rates=(np.full(3, 0.1), 0.1), period=np.ones(7)
        ),
        "period has shape (7,)",
    ),
]


def _gas() -> pg.cases.Case:
    return pg.cases.load("china-turkmenistan-gas")


@pytest.mark.parametrize(("label", "call", "fragment"), FINDINGS, ids=[f[0] for f in FINDINGS])
def test_finding_raises_a_named_error(label: str, call, fragment: str) -> None:
    with pytest.raises(PipelineGamesError) as info:
        call()
    assert isinstance(info.value, InvalidParameterError | pg.CaseFileError)
    assert fragment in str(info.value)


def test_network_game_still_indexes_points() -> None:
    """The stricter point check keeps valid (and negative) indices working."""
    net = pg.SupplyNetwork(
        [pg.Producer("S", capacity=10.0, cost=np.array([1.0, 2.0]))],
        [pg.Market("B", price=5.0)],
        [pg.Route("r", ("S", "B"), 8.0)],
    )
    # S alone or B alone deliver nothing; together 8 x (5 - cost)
    assert pg.network_game(net, (0,)).values.tolist() == [0.0, 0.0, 0.0, 32.0]
    assert pg.network_game(net, (-1,)).values.tolist() == [0.0, 0.0, 0.0, 24.0]


def test_sensitivity_json_with_plot_is_strict_json(tmp_path, capsys) -> None:
    """``--json`` with ``--plot``: stdout holds the JSON document alone (the note about the
    plot goes to stderr)."""
    from pipeline_games.cli import main

    plot = tmp_path / "plot.png"
    code = main(
        [
            "sensitivity",
            "nash",
            "--over",
            "weight=0.4:0.6",
            "--set",
            "surplus=10",
            "--plot",
            str(plot),
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    document = json.loads(out)  # the whole of stdout
    assert document["rows"]
    assert plot.exists()
    assert "plot written" in err


@pytest.mark.parametrize("where", ["missing/plot.png", "."])
def test_sensitivity_plot_into_a_missing_folder_is_refused_first(tmp_path, capsys, where) -> None:
    from pipeline_games.cli import main

    code = main(
        ["sensitivity", "nash", "--over", "weight=0.4:0.6", "--plot", str(tmp_path / where)]
    )
    assert code == 2
    assert "--plot must name" in capsys.readouterr().err


@pytest.mark.parametrize(
    "out",
    ["nul\0byte", "a-file.txt", "a-file.txt/below"],
    ids=["NUL byte", "a file", "below a file"],
)
def test_report_out_that_cannot_be_a_folder_exits_2(
    tmp_path, capsys, monkeypatch, out: str
) -> None:
    from pipeline_games.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("x")
    path = out if out == "nul\0byte" else str(tmp_path / out)
    code = main(["report", "china-russia-oil", "--out", path, "--samples", "1"])
    assert code == 2
    assert "out" in capsys.readouterr().err
    assert (tmp_path / "a-file.txt").read_text() == "x"  # untouched


def test_frontier_built_directly_solves_like_the_constructor() -> None:
    direct = pg.BargainingProblem(pg.LinearFrontier([10.0], 2.0), [1.0, 2.0])
    built = pg.BargainingProblem.linear([10.0], (1.0, 2.0), rate=2.0)
    # the disagreement becomes a pair of float arrays, like the constructors'
    assert all(isinstance(d, np.ndarray) for d in direct.disagreement)
    np.testing.assert_array_equal(pg.nash(direct).payoffs[..., 0], pg.nash(built).payoffs[..., 0])
    # and the closed form: u0 = d0 + (S - d0 - d1 / rate) / 2 = 1 + (10 - 1 - 1) / 2 = 5
    np.testing.assert_allclose(pg.nash(direct).payoffs[..., 0], [5.0])
