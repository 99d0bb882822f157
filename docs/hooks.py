"""mkdocs hook: draw the documentation's figures from the package before each build.

Figures are never pasted into the docs: they are produced here, by the code they illustrate,
into ``docs/figures/`` (ignored by git).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIGURES = Path(__file__).parent / "figures"


def bargaining_solutions(path: Path) -> None:
    """The four axiomatic solutions on a concave frontier, and Rubinstein converging to Nash."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import pipeline_games as pg

    problem = pg.BargainingProblem.power(
        surplus=100.0, disagreement=(10.0, 2.0), scale=1.5, exponent=0.6
    )
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    u0 = np.linspace(0.0, 100.0, 400)
    left.plot(u0, problem.frontier.value(u0), color="black", label="Pareto frontier")
    left.plot(10.0, 2.0, "ks", label="disagreement point d")
    for solver, marker in [
        (pg.nash, "o"),
        (pg.kalai_smorodinsky, "^"),
        (pg.egalitarian, "D"),
        (pg.utilitarian, "v"),
    ]:
        payoffs = solver(problem).payoffs
        left.plot(*payoffs, marker, markersize=8, label=solver.__name__.replace("_", "-"))
    left.set_xlabel("buyer's utility u0")
    left.set_ylabel("seller's utility u1")
    left.set_title("Axiomatic solutions, u1 = 1.5 (100 - u0)^0.6")
    left.legend(fontsize=8)
    periods = np.logspace(1, -4, 60)
    line = pg.BargainingProblem.linear(100.0)
    outcome = pg.rubinstein(line, rates=(0.05, 0.10), period=periods)
    right.semilogx(periods, outcome.payoffs[:, 0], label="Rubinstein, buyer proposes")
    nash = pg.nash(line, weight=0.10 / 0.15).payoffs[0]
    right.axhline(nash, color="black", linestyle="--", label="Nash, weight r1 / (r0 + r1)")
    right.invert_xaxis()
    right.set_xlabel("length of a bargaining period (years)")
    right.set_ylabel("buyer's payoff (surplus 100)")
    right.set_title("Discount rates 5% (buyer) and 10% (seller)")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def case_outcome_path(path: Path) -> None:
    """China's share against the moving outside options in the China-Russia gas case, drawn
    by the function the case reports use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import pipeline_games as pg
    from pipeline_games.cases._plot import outcome_path_figure

    fig = outcome_path_figure(pg.cases.load("china-russia-gas").solve())
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sweep_central_asian_gas(path: Path) -> None:
    """The tutorial's case sweep: China's 2012 share against Central Asian volume and price."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import pipeline_games as pg

    result = pg.sweep(
        "china-russia-gas",
        over={
            "central_asia_volume_2012": (0.0, 65.0, 131),
            "central_asia_price": np.array([200.0, 240.0, 280.0, 320.0, 350.0]),
        },
        progress=False,
    )
    table = result.to_frame().pivot(
        index="central_asia_volume_2012", columns="central_asia_price", values="buyer_share@2012"
    )
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for price in table.columns:
        ax.plot(table.index, table[price], label=f"Central Asian gas at {price:g} USD/kcm")
    ax.set_xlabel("Central Asian gas available to China in 2012, bcm/yr")
    ax.set_ylabel("China's share of the gains from Russian gas")
    ax.set_title("china-russia-gas, epoch 2012 (other parameters at base values)", fontsize=10)
    ax.set_ylim(0.0, 1.0)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def case_figures(directory: Path) -> None:
    """The figures of the case pages, drawn from the shipped cases by pipeline_games.cases._plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import pipeline_games as pg
    from pipeline_games.cases import _plot as plot

    figures = {
        "china-turkmenistan-gas-diversification.png": plot.diversification_figure(
            pg.cases.load("china-turkmenistan-gas"), 2014
        ),
        "china-russia-oil-route-regions.png": plot.route_regions_figure(
            pg.cases.load("china-russia-oil"), 2009
        ),
    }
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=110)
        plt.close(fig)


def on_pre_build(config: Any, **kwargs: Any) -> None:
    """Draw every figure the pages refer to."""
    FIGURES.mkdir(exist_ok=True)
    bargaining_solutions(FIGURES / "bargaining-solutions.png")
    case_outcome_path(FIGURES / "case-outcome-path.png")
    sweep_central_asian_gas(FIGURES / "sweep-central-asian-gas.png")
    case_figures(FIGURES)
