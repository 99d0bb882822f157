"""Regression tests for what the fuzz suite (``test_core_fuzz.py``) found: each call below
once ended in a raw Python/numpy exception (or hung); it now raises a named error of the
package's hierarchy that names the parameter."""

from __future__ import annotations

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
        lambda: pg.SupplyNetwork([pg.Producer("S")], [pg.Market("B", price=1.0)],
                                 [pg.Route("r", ("S", "B"), 1.0)], transit_capacity=5),
        "transit_capacity must be a mapping",
    ),  # fmt: skip
    # coalition: PipelineNetwork parts
    ("Node capacity array", lambda: pg.Node("P", "producer", capacity=np.ones(3)),
     "capacity of node 'P' must be a single number"),  # fmt: skip
    ("Node role list", lambda: pg.Node("P", ["producer"]), "role of node 'P' must be one of"),
    ("Node name None", lambda: pg.Node(None, "producer"), "name of a node must be"),
    ("Line path int", lambda: pg.Line("L", 5, 1.0), "path of line 'L' must be a sequence"),
    ("Line path of ints", lambda: pg.Line("L", (1, 2), 1.0), "a node on the path of line"),
    ("Line capacity array", lambda: pg.Line("L", ("P", "B"), np.ones(2)), "a single number"),
    ("PipelineNetwork nodes=None", lambda: pg.PipelineNetwork(None, []), "nodes must be a"),
    ("PipelineNetwork lines=[1]", lambda: pg.PipelineNetwork([pg.Node("P", "producer")], [1]),
     "lines must be Line objects"),  # fmt: skip
    ("TUGame.from_network(array)", lambda: pg.TUGame.from_network(np.ones(3)),
     "network must be a PipelineNetwork or a SupplyNetwork"),  # fmt: skip
    # stochastic bargaining: per-state arrays with the wrong number of states
    ("stochastic surplus of 3 states, 1-state chain",
     lambda: pg.stochastic_bargaining([1.0, 2.0, 3.0], [[1.0]], (0.9, 0.9)),
     "must have the 1 states of transition"),  # fmt: skip
    ("alternating_states surplus of 5 states, 4-state chain",
     lambda: pg.alternating_states(np.ones(5), np.full((4, 4), 0.25)),
     "surplus must have the 4 states of transition"),  # fmt: skip
    ("alternating_states outside options of 3 states",
     lambda: pg.alternating_states(np.ones(2), np.full((2, 2), 0.5), (np.ones(3), 0.0)),
     "outside_options[0] must have the 2 states"),  # fmt: skip
    # cases
    ("adapter_arguments unknown adapter",
     lambda: _oil().adapter_arguments(5, {}), "adapter must be one of the case's adapters"),  # fmt: skip
    ("adapter_arguments values=5",
     lambda: _oil().adapter_arguments("bargaining", 5), "current must be a mapping"),  # fmt: skip
    ("solution_path of an opaque object",
     lambda: pg.cases.solution_path(object(), ["a"], "x"), "games must be a sequence"),  # fmt: skip
    ("solution_path of numbers",
     lambda: pg.cases.solution_path([1.0], ["a"], "x"), "games must be TUGame"),  # fmt: skip
]


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
