"""Every result type of the package follows one contract (src/pipeline_games/_results.py).

Frozen, read-only arrays, ``to_dict()`` that strict JSON accepts, ``to_frame()`` with real
dtypes, a compact ``repr`` that names the method and the shape, and ``labels()`` that either
answers or says the type has none.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import numpy as np
import pytest

import pipeline_games as pg
from pipeline_games._results import Result


def _outcome():
    problem = pg.BargainingProblem.linear(np.array([100.0, 50.0]), (10.0, 20.0))
    return pg.rubinstein(problem, discount=(0.9, 0.8), outside_options=(0.0, 40.0))


def _nash():
    return pg.nash(pg.BargainingProblem.linear(100.0, (10.0, 30.0)))


def _holdup():
    return pg.holdup(np.array([0.2, 0.8]), 0.5)


def _governance_outcome():
    return pg.spot(np.array([0.2, 0.8]), 0.5)


def _governance_choice():
    return pg.best_governance(np.array([0.2, 0.8]))


def _alignment():
    return pg.discriminating_alignment(
        [0.5, 0.8, 1.5], market=(1, 3), hybrid=(2, 1.5), hierarchy=(3, 0.5)
    )


def _regime():
    return pg.classify_regime(dependence=(0.5, 0.8), outside_option=(0.9, 0.3), shared_assets=0.0)


def _diversification():
    return pg.diversification(np.array([0.1, 0.5]))


def _tu():
    return pg.TUGame([0.0, 0.0, 0.0, 1.0], ("a", "b"))


def _allocation():
    return _tu().shapley()


def _core():
    return _tu().core()


def _nucleolus():
    return _tu().nucleolus()


def _game():
    return pg.NormalFormGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])


def _equilibria():
    return _game().equilibria()


def _pure():
    return pg.pure_nash_equilibria(np.stack([[[3, 0], [0, 2]], [[2, 0], [0, 3]]], axis=-1))


def _elimination():
    return _game().eliminate_dominated()


def _batch():
    a = np.array([[[3.0, 0.0], [0.0, 2.0]], [[1.0, 1.0], [0.0, 0.0]]])
    return pg.solve_2x2(a, np.swapaxes(a, -1, -2))


def _spe():
    tree = pg.GameTree(
        pg.DecisionNode(
            0,
            {
                "a": pg.TerminalNode((np.array([1.0, 2.0]), np.array([0.0, 0.0]))),
                "b": pg.TerminalNode((np.array([0.5, 3.0]), np.array([1.0, 1.0]))),
            },
        ),
        players=("first", "second"),
    )
    return pg.backward_induction(tree)


def _case():
    return pg.cases.load("china-russia-oil")


def _solution():
    return _case().solve()


def _check():
    return _case().check(samples=8)


def _claim():
    return _check().results[0]


def _backtest():
    return _case().backtest(samples=8)


def _sweep(tmp_path_factory=None):
    return pg.sweep("nash", over={"surplus": (1.0, 2.0, 3)}, progress=False)


def _tornado():
    return pg.tornado(pg.nash, over={"weight": (0.4, 0.6)}, surplus=100.0)


def _sobol():
    pytest.importorskip("SALib")
    return pg.sobol_indices(pg.nash, over={"weight": (0, 1)}, samples=64, surplus=1.0)


def _network():
    from pipeline_games.network import Market, Producer, Route, SupplyNetwork

    return SupplyNetwork(
        producers=[Producer("Producer A", capacity=60.0, cost=40.0)],
        markets=[Market("Buyer C", steps=[(40.0, 400.0), (30.0, 250.0)])],
        routes=[Route("north", ("Producer A", "Transit B", "Buyer C"), capacity=30.0, cost=25.0)],
        transit=["Transit B"],
    )


def _flow():
    return pg.flow(_network())


def _nash_in_nash():
    return pg.nash_in_nash(_network(), buyer_weight=0.5)


def _cooperative():
    return pg.cooperative(_network())


def _network_flows():
    return pg.cases.network_flows(_network(), _nash_in_nash())


def _share_comparison():
    return pg.cases.share_comparison(_nash_in_nash(), _cooperative())


def _stochastic():
    return pg.stochastic_bargaining([[0.0, 6.0]], [[0.75, 0.25], [0.0, 1.0]], discount=(0.9, 0.9))


def _timing():
    return _stochastic().timing(start=0, horizon=4)


def _coalition_path():
    return pg.cases.network_path(pg.cases.load("china-turkmenistan-gas"))


def _case_game():
    case = pg.cases.load("china-russia-oil")
    year = case.years[-1]
    args = case.adapter_arguments("route_choice", case.epoch_values(case.base, year))
    return pg.cases.espo_route_choice(**pg.cases.route_game_arguments(args))


def _regions():
    case = pg.cases.load("china-russia-oil")
    year = case.years[-1]
    args = case.adapter_arguments("route_choice", case.epoch_values(case.base, year))
    base = pg.cases.route_game_arguments(args)
    return pg.cases.espo_route_regions(
        base, "oil_price", "russia_discount_rate", x_range=(40.0, 110.0), y_range=(0.03, 0.2), num=5
    )


FACTORIES: dict[str, Callable[[], Result]] = {
    "Outcome (rubinstein)": _outcome,
    "Outcome (nash)": _nash,
    "HoldupResult": _holdup,
    "GovernanceOutcome": _governance_outcome,
    "GovernanceChoice": _governance_choice,
    "AlignmentResult": _alignment,
    "RegimeResult": _regime,
    "DiversificationOutcome": _diversification,
    "Allocation": _allocation,
    "CoreResult": _core,
    "NucleolusResult": _nucleolus,
    "EquilibriumSet": _equilibria,
    "PureEquilibria": _pure,
    "EliminationResult": _elimination,
    "Batch2x2Result": _batch,
    "SubgamePerfectResult": _spe,
    "CaseSolution": _solution,
    "CheckResult": _check,
    "ClaimResult": _claim,
    "BacktestResult": _backtest,
    "SweepResult": _sweep,
    "TornadoResult": _tornado,
    "SobolResult": _sobol,
    "FlowResult": _flow,
    "NashInNashResult": _nash_in_nash,
    "CooperativeResult": _cooperative,
    "NetworkFlows": _network_flows,
    "ShareComparison": _share_comparison,
    "StochasticBargainingResult": _stochastic,
    "AgreementTiming": _timing,
    "CoalitionPath": _coalition_path,
    "CaseGame": _case_game,
    "OutcomeRegions": _regions,
}


@pytest.fixture(params=sorted(FACTORIES), scope="module")
def result(request):
    return FACTORIES[request.param]()


def test_every_public_result_type_is_covered():
    public = {
        name
        for module in (pg, pg.cases, pg.network)
        for name in dir(module)
        if isinstance(getattr(module, name), type) and issubclass(getattr(module, name), Result)
    }
    public.discard("Result")
    made = {type(factory()).__name__ for factory in FACTORIES.values()}
    assert public - made == set()


def test_result_is_a_frozen_dataclass(result):
    assert isinstance(result, Result)
    assert dataclasses.is_dataclass(result)
    first = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, first, None)


def test_result_arrays_are_read_only(result):
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        values = value if isinstance(value, tuple) else (value,)
        for array in values:
            if isinstance(array, np.ndarray):
                assert not array.flags.writeable, item.name
                if array.size == 0:
                    continue
                first = (0,) * array.ndim
                with pytest.raises(ValueError, match="read-only"):
                    array[first] = array[first]


def test_result_to_dict_is_strict_json(result):
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert json.loads(text) == json.loads(text)  # round-trips


def test_result_to_frame_has_real_dtypes(result):
    pd = pytest.importorskip("pandas")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            # Object columns hold labels only: every entry is a string.
            assert all(isinstance(v, str) for v in values), column


def test_result_repr_is_compact(result):
    text = repr(result)
    assert len(text) < 200
    assert type(result).__name__ in text
    assert "shape=" in text or "Case(" in text
    assert "array(" not in text


def test_result_labels_answer_or_say_they_cannot(result):
    try:
        labels = result.labels()
    except NotImplementedError as exc:
        message = str(exc)
        labels = None
    if labels is None:
        assert type(result).__name__ in message
    else:
        assert np.asarray(labels).dtype.kind == "U"
