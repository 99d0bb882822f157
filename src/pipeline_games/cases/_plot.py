"""Figures for case reports (needs the ``plot`` extra: matplotlib).

Each function returns a matplotlib ``Figure``; nothing is shown. Figures use the
non-interactive Agg backend.

Examples
--------
>>> import pipeline_games as pg
>>> from pipeline_games import plot
>>> case = pg.cases.load("china-russia-gas")
>>> fig = plot.frontier_figure(case.solve())
>>> len(fig.axes)
1
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import MissingExtraError

__all__ = [
    "diversification_figure",
    "frontier_figure",
    "network_figure",
    "outcome_path_figure",
    "robustness_figure",
    "route_regions_figure",
]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the dev extra
        raise MissingExtraError("matplotlib", "plot", "case figures") from exc
    return plt


def frontier_figure(solution: Any) -> Any:
    """Bargaining frontier of every epoch with the outside options and the solutions.

    The frontier is ``buyer + seller = surplus`` (USD bn/yr). Marked per epoch: the point
    of outside options (square), the Rubinstein outcome (dot) and the symmetric Nash
    solution measured from the outside options (cross) for comparison.
    """
    from ..bargaining import BargainingProblem, nash

    plt = _pyplot()
    case = solution.case
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (year, out) in enumerate(solution.outputs.items()):
        color = colors[index % len(colors)]
        surplus = out["surplus"]
        ax.plot([0, surplus], [surplus, 0], color=color, lw=1.5, label=f"{year} frontier")
        w = (out["buyer_outside_option"], out["seller_outside_option"])
        ax.plot(*w, "s", color=color, mfc="none", ms=8)
        ax.plot(out["buyer_payoff"], out["seller_payoff"], "o", color=color, ms=8)
        if w[0] + w[1] < surplus:
            nash_point = nash(BargainingProblem.linear(surplus, w)).payoffs
            ax.plot(nash_point[0], nash_point[1], "x", color=color, ms=9)
    ax.plot([], [], "s", color="gray", mfc="none", label="outside options")
    ax.plot([], [], "o", color="gray", label="Rubinstein outcome")
    ax.plot([], [], "x", color="gray", label="Nash from outside options")
    ax.set_xlabel(f"{case.dyad[0]} (buyer) payoff, USD bn/yr")
    ax.set_ylabel(f"{case.dyad[1]} (seller) payoff, USD bn/yr")
    ax.set_title(f"{case.title}\nbargaining frontier and solutions by epoch", fontsize=10)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def outcome_path_figure(solution: Any) -> Any:
    """Buyer's share and both outside options (as shares of the surplus) over the epochs."""
    plt = _pyplot()
    case = solution.case
    years = [y for y in solution.outputs if y is not None]
    out = solution.outputs
    share = [out[y]["buyer_share"] for y in years]
    with np.errstate(divide="ignore", invalid="ignore"):
        buyer_w = [out[y]["buyer_outside_option"] / out[y]["surplus"] for y in years]
        seller_w = [out[y]["seller_outside_option"] / out[y]["surplus"] for y in years]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.step(years, share, where="post", marker="o", label=f"{case.dyad[0]} share of gains")
    ax.step(years, buyer_w, where="post", ls="--", label=f"{case.dyad[0]} outside option")
    ax.step(
        years,
        [1 - s for s in seller_w],
        where="post",
        ls=":",
        label=f"1 - {case.dyad[1]} outside option",
    )
    for epoch in case.epochs:
        ax.axvline(epoch.year, color="0.85", lw=0.8, zorder=0)
        ax.annotate(
            str(epoch.year), (epoch.year, 1.0), fontsize=7, ha="left", va="top", rotation=90
        )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("year (epochs marked)")
    ax.set_ylabel("share of the yearly joint gain")
    ax.set_title(f"{case.title}\noutcome against the moving outside options", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def robustness_figure(check: Any) -> Any:
    """Horizontal bars: share of the parameter box in which each claim holds."""
    plt = _pyplot()
    results = check.results
    labels = [r.claim.id for r in results]
    # Room for the longest claim id to the left of an axis at least 4.5 in wide.
    width = 5.0 + 0.085 * max(len(label) for label in labels)
    fig, ax = plt.subplots(figsize=(width, 0.5 * len(results) + 1.6))
    values = [r.robustness if r.robustness == r.robustness else 0.0 for r in results]
    colors = [
        "tab:green" if r.verdict == "holds" else "tab:red" if r.verdict == "fails" else "0.7"
        for r in results
    ]
    ax.barh(labels, values, color=colors)
    for index, r in enumerate(results):
        text = "not defined" if r.robustness != r.robustness else f"{r.robustness:.2f}"
        ax.text(min(values[index] + 0.02, 0.8), index, text, va="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel(f"share of the parameter box where the claim holds (n = {check.samples})")
    fig.suptitle(
        f"{check.case.title}\nclaim robustness (green: holds at base, red: fails)", fontsize=10
    )
    fig.tight_layout()
    return fig


def network_figure(case: Any) -> Any:
    """Shapley (solid) and nucleolus (dashed) shares of the case network's value per
    country in each step of its ``[network]`` table."""
    from ._transit import network_path

    plt = _pyplot()
    path = network_path(case)
    total = np.asarray(path.grand_value, dtype=np.float64)[:, None]
    shapley = np.asarray(path.shapley, dtype=np.float64) / total
    nucleolus = np.asarray(path.nucleolus, dtype=np.float64) / total
    steps = np.arange(len(path.steps))
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, player in enumerate(path.players):
        color = colors[index % len(colors)]
        ax.plot(steps, shapley[:, index], "-o", color=color, label=player)
        ax.plot(steps, nucleolus[:, index], "--", color=color, alpha=0.7)
    ax.set_xticks(steps, list(path.steps))
    ax.set_xlabel("lines in the Central Asia-China network")
    ax.set_ylabel("share of the network value (grand coalition)")
    ax.set_title(
        "Central Asia gas network: Shapley (solid) and nucleolus (dashed) shares", fontsize=10
    )
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def diversification_figure(case: Any, year: int | None = None) -> Any:
    """China's payoff in the diversification model against the seller's outside option.

    Curves at the calibrated values (solid) and at the low and high ends of the defensive
    cost's range (dashed); the calibrated outside option (dot), its range (shaded) and the
    buyer-optimal option (star) are marked. Payoffs are in units of the trade's first-best
    value. ``year``: the epoch whose values are used (default: the last).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = diversification_figure(pg.cases.load("china-turkmenistan-gas"), 2014)
    >>> fig.axes[0].get_xlabel()
    "Turkmenistan's outside option o (redeployable share of its value)"
    """
    from ._adapters import ADAPTERS

    plt = _pyplot()
    year = case.years[-1] if year is None else year
    adapter = ADAPTERS["diversification"]
    assert adapter.function is not None
    args = case.adapter_arguments("diversification", case.epoch_values(case.base, year))
    option_parameter = case.parameters[case.mapping["diversification"]["seller_outside_option"]]
    cost_parameter = case.parameters[case.mapping["diversification"]["defensive_cost_share"]]
    grid = np.linspace(0.0, 1.0, 201)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.axvspan(
        option_parameter.low,
        option_parameter.high,
        color="0.9",
        label=f"range of {case.dyad[1]}'s outside option",
    )
    for cost, style in (
        (cost_parameter.low, "--"),
        (cost_parameter.value, "-"),
        (cost_parameter.high, ":"),
    ):
        out = adapter.function(
            {**args, "seller_outside_option": grid, "defensive_cost_share": cost}
        )
        line = ax.plot(
            grid, out["diversification_buyer_payoff"], style, label=f"defensive cost D/K = {cost:g}"
        )[0]
        here = adapter.function({**args, "defensive_cost_share": np.asarray(cost)})
        best = float(here["buyer_optimal_seller_option"])
        best_payoff = adapter.function(
            {**args, "seller_outside_option": np.asarray(best), "defensive_cost_share": cost}
        )["diversification_buyer_payoff"]
        ax.plot(best, float(best_payoff), "*", color=line.get_color(), ms=12)
        if cost == cost_parameter.value:
            ax.plot(
                float(args["seller_outside_option"]),
                float(here["diversification_buyer_payoff"]),
                "o",
                color="black",
                ms=8,
                label=f"calibrated point ({year})",
            )
    ax.plot([], [], "*", color="gray", ms=12, label=f"{case.dyad[0]}'s optimal outside option")
    weight = float(args["seller_rate"] / (args["buyer_rate"] + args["seller_rate"]))
    ax.set_xlabel(f"{case.dyad[1]}'s outside option o (redeployable share of its value)")
    ax.set_ylabel(f"{case.dyad[0]}'s payoff (share of the trade's first-best value)")
    ax.set_title(
        f"{case.title}\ndiversification model: Nash weight w = {weight:.2f}, "
        f"alpha = {float(args['alpha']):.2f}",
        fontsize=10,
    )
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def route_regions_figure(case: Any, year: int | None = None, num: int = 61) -> Any:
    """Subgame-perfect outcome of the ESPO route game over two parameter planes.

    Left: oil price x Russia's cost of funds; right: China's Kazakh supply share x Russia's
    cost of funds; the other parameters at the case's values in ``year`` (default: the last
    epoch). The case's point is marked.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = route_regions_figure(pg.cases.load("china-russia-oil"), 2009, num=11)
    >>> len(fig.axes)
    2
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from ._adapters import ROUTE_OUTCOMES
    from ._games import espo_route_regions, route_game_arguments

    plt = _pyplot()
    year = case.years[-1] if year is None else year
    args = case.adapter_arguments("route_choice", case.epoch_values(case.base, year))
    point = {k: float(np.asarray(v)) for k, v in route_game_arguments(args).items()}
    ranges = {
        "oil_price": _range_of(case, "route_choice", "oil_price"),
        "russia_discount_rate": _range_of(case, "route_choice", "russia_discount_rate"),
        "kazakh_supply_share": (0.0, 1.0),
    }
    colors = ("tab:green", "tab:olive", "tab:blue", "tab:orange")
    cmap = ListedColormap(colors)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.6), sharey=True)
    y = "russia_discount_rate"
    for ax, x, x_label in (
        (axes[0], "oil_price", "oil price, USD/bbl"),
        (axes[1], "kazakh_supply_share", "share of ESPO volume China can replace via Kazakhstan"),
    ):
        regions = espo_route_regions(point, x, y, x_range=ranges[x], y_range=ranges[y], num=num)
        codes = np.zeros(regions.outcome.shape, dtype=np.int64)
        for index, label in enumerate(ROUTE_OUTCOMES):
            codes[regions.outcome == label] = index
        ax.pcolormesh(
            regions.x,
            regions.y,
            codes,
            cmap=cmap,
            vmin=-0.5,
            vmax=len(colors) - 0.5,
            shading="nearest",
        )
        ax.plot(point[x], point[y], "o", color="black", mfc="white", ms=9, mew=2)
        ax.set_xlabel(x_label)
        ax.set_xlim(*ranges[x])
    axes[0].set_ylabel("Russia's cost of funds, 1/yr")
    handles = [Patch(color=c, label=label) for c, label in zip(colors, ROUTE_OUTCOMES, strict=True)]
    handles.append(
        axes[0].plot([], [], "o", color="black", mfc="white", ms=9, mew=2, label=f"case ({year})")[
            0
        ]
    )
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8)
    fig.suptitle(
        f"{case.title}\nsubgame-perfect outcome of the ESPO route game (other parameters at "
        f"the case's {year} values)",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _range_of(case: Any, adapter: str, argument: str) -> tuple[float, float]:
    """The range of the parameter a case maps onto an adapter argument (over all epochs)."""
    target = case.mapping[adapter][argument]
    names = {target} | {epoch.changes[target] for epoch in case.epochs if target in epoch.changes}
    low = min(case.parameters[n].low for n in names)
    high = max(case.parameters[n].high for n in names)
    if high <= low:
        pad = abs(low) * 0.5 or 1.0
        return low - pad, high + pad
    return low, high
