"""pipeline_games: negotiation game theory for China's oil and gas pipeline deals.

The public API is re-exported here; research code imports it as ``import pipeline_games as pg``.
Each subpackage declares its public names in ``__all__`` and they are collected below.

Subpackages are imported lazily (PEP 562): ``import pipeline_games`` loads only the error
classes, and ``pg.nash`` imports [`pipeline_games.bargaining`][pipeline_games.bargaining] (and scipy) on first use, so
the command line's ``--help`` and ``--version`` stay fast. ``dir(pg)`` and ``pg.__all__`` list
every public name; ``import pipeline_games.<subpackage>`` always returns the module.

Examples
--------
>>> import pipeline_games as pg
>>> problem = pg.BargainingProblem.linear(surplus=100.0, disagreement=(10.0, 30.0))
>>> pg.nash(problem).payoffs
array([40., 60.])
>>> "sweep" in dir(pg) and "TUGame" in pg.__all__
True
"""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import CaseFileError as CaseFileError
from .errors import InvalidParameterError as InvalidParameterError
from .errors import MissingExtraError as MissingExtraError
from .errors import PipelineGamesError as PipelineGamesError
from .errors import SolverError as SolverError

if TYPE_CHECKING:  # static checkers see the eager re-exports
    from . import bargaining as bargaining
    from . import cases as cases
    from . import coalition as coalition
    from . import network as network
    from . import strategic as strategic
    from . import sweeps as sweeps
    from . import transaction as transaction
    from .bargaining import *  # noqa: F403
    from .coalition import *  # noqa: F403
    from .network import *  # noqa: F403
    from .strategic import *  # noqa: F403
    from .sweeps import *  # noqa: F403
    from .transaction import *  # noqa: F403

__version__ = "0.2.0"

#: The subpackages, importable as attributes (``pg.cases``) and by ``import``.
SUBPACKAGES = (
    "bargaining",
    "cases",
    "coalition",
    "network",
    "strategic",
    "sweeps",
    "transaction",
)

#: The subpackages whose ``__all__`` is re-exported at the top level, in lookup order.
REEXPORTED = ("bargaining", "coalition", "network", "strategic", "sweeps", "transaction")

#: Where each re-exported name lives: a lookup hint so that ``pg.nash`` imports one
#: subpackage, not all of them. ``tests/core/test_core_imports.py`` checks that it equals the
#: subpackages' ``__all__``; a name missing here is still found (by importing them all).
_WHERE: dict[str, str] = {
    name: package
    for package, names in {
        "bargaining": (
            "BINDING_BOTH BINDING_NONE BINDING_OUTSIDE_0 BINDING_OUTSIDE_1 AgreementTiming "
            "BargainingProblem Frontier LinearFrontier Outcome PointsFrontier PowerFrontier "
            "StochasticBargainingResult alternating_states egalitarian kalai_smorodinsky "
            "nash rubinstein stochastic_bargaining utilitarian"
        ),
        "coalition": (
            "Allocation CoreResult Line Node NucleolusResult PipelineNetwork TUGame "
            "airport_game bankruptcy_game glove_game weighted_majority_game"
        ),
        "network": (
            "Agreement CooperativeResult FlowResult Market NashInNashResult Producer Route "
            "SupplyNetwork coalition_values cooperative flow nash_in_nash network_game"
        ),
        "strategic": (
            "MAX_EXTREME_EQUILIBRIA_2X2 Batch2x2Result ChanceNode DecisionNode "
            "EliminationResult EquilibriumSet GameTree NfgGame NormalFormGame "
            "PureEquilibria SubgamePerfectResult TerminalNode backward_induction parse_nfg "
            "pure_nash_equilibria read_nfg solve_2x2 strategic_form write_nfg"
        ),
        "sweeps": (
            "SWEEP_METHODS SWEEP_SOLVERS ChunkChecksumWarning OverriddenParameterWarning "
            "SobolResult SolverTarget SweepLockedError SweepRepairWarning SweepResult "
            "SweepStoreError SweepTarget TornadoResult check_fits_in_memory load_sweep "
            "repair_sweep sobol_indices sweep sweep_target tornado"
        ),
        "transaction": (
            "ALIGNMENT_FORMS AlignmentResult discriminating_alignment governance_costs "
            "switch_points DiversificationOutcome buyer_optimal_outside_option buyer_payoff "
            "critical_defensive_cost diversification diversification_gain "
            "marginal_diversification_gain GOVERNANCE_FORMS GovernanceChoice "
            "GovernanceOutcome best_governance integration joint_venture long_term_contract "
            "prepayment_loan spot HoldupResult holdup investment_for_share "
            "surplus_for_share REGIMES REGIME_ALTERNATIVES REGIME_MUTUAL REGIME_NONE "
            "REGIME_ONE_SIDED RegimeResult classify_regime"
        ),
    }.items()
    for name in names.split()
}

_OWN = (
    "CaseFileError",
    "InvalidParameterError",
    "MissingExtraError",
    "PipelineGamesError",
    "SolverError",
    "__version__",
    *SUBPACKAGES,
)


def _public_names() -> list[str]:
    """Every public name: this module's own, then each re-exported subpackage's ``__all__``."""
    names = list(_OWN)
    for package in REEXPORTED:
        module = importlib.import_module(f"{__name__}.{package}")
        names += [name for name in module.__all__ if name not in names]
    return names


def __getattr__(name: str) -> Any:
    """Import a subpackage, or the subpackage that defines a re-exported name, on first use."""
    if name in SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "__all__":
        value: Any = _public_names()
    else:
        hinted = _WHERE.get(name)
        order = ((hinted,) if hinted else ()) + tuple(p for p in REEXPORTED if p != hinted)
        for package in order:
            module = importlib.import_module(f"{__name__}.{package}")
            if name in module.__all__:
                value = getattr(module, name)
                break
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})
