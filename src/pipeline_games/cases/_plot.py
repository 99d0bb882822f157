"""Figures of the case reports (matplotlib, a core dependency).

Each ``*_figure`` function returns a matplotlib ``Figure`` made outside pyplot (nothing is
shown, nothing needs closing; it is drawn by Agg). The rules every figure follows, checked by ``tests/cases/test_cases_report.py``:

* every series a legend names is drawn, inside the axes (identical series are merged into
  one entry that names all of them, or dodged side by side), and no two entries share a label;
* legends sit outside the axes, so they never cover data;
* every axis has a label; a quantitative axis ends its label with its unit in parentheses
  (``(USD bn/yr)``, ``(share, 0-1)``);
* a share estimated from samples is drawn with its binomial sampling error.

`case_figures` draws a report's figures with a caption (what to read from the figure)
and an alt text (what it shows, with its numbers) for each.

Examples
--------
>>> import pipeline_games as pg
>>> case = pg.cases.load("china-russia-gas")
>>> fig = frontier_figure(case.solve())
>>> fig.axes[0].get_xlabel()
'China (buyer) payoff (USD bn/yr)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingExtraError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._case import Case
    from ._claims import BacktestResult, CaseSolution, CheckResult

__all__ = [
    "CaseFigure",
    "backtest_figure",
    "case_figures",
    "diversification_figure",
    "frontier_figure",
    "network_figure",
    "outcome_path_figure",
    "robustness_figure",
    "route_regions_figure",
]

_MONEY = "USD bn/yr"
_COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")


def _figure_class() -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise MissingExtraError("matplotlib", "plot", "case figures") from exc
    return Figure, FigureCanvasAgg


def _new_figure(width: float, height: float, ncols: int = 1, nrows: int = 1, **kw: Any) -> Any:
    """A figure outside pyplot's registry (nothing to close, no global state), drawn by Agg."""
    figure_class, canvas_class = _figure_class()
    fig = figure_class(figsize=(width, height), layout="constrained")
    canvas_class(fig)
    return fig, fig.subplots(nrows, ncols, **kw)


class _MeshHandler:
    """Legend handler drawing a one-colour QuadMesh (a region of a region map) as a patch."""

    def legend_artist(self, legend: Any, handle: Any, fontsize: float, box: Any) -> Any:
        from matplotlib.patches import Rectangle

        patch = Rectangle(
            (-box.xdescent, -box.ydescent),
            box.width,
            box.height,
            facecolor=handle.cmap(1.0),
            transform=box.get_transform(),
        )
        box.add_artist(patch)
        return patch


def _handler_map() -> dict[Any, Any]:
    from matplotlib.collections import QuadMesh

    return {QuadMesh: _MeshHandler()}


def _legend_outside(
    fig: Any, handles: Sequence[Any] | None = None, ncols: int = 2, **kw: Any
) -> None:
    """One figure legend below the axes (never over the data, never under the title)."""
    handler_map = _handler_map()
    if handles is None:
        handles = [
            artist
            for ax in fig.axes
            for artist in ax.get_legend_handles_labels(legend_handler_map=handler_map)[0]
        ]
    if handles:
        fig.legend(
            handles=list(handles),
            loc="outside lower center",
            fontsize=8,
            ncols=ncols,
            handler_map=handler_map,
            **kw,
        )


def _wrap(text: str, width: int = 58) -> str:
    """Long axis labels and titles on several lines, so that none is cut at the figure edge."""
    import textwrap

    return "\n".join(
        "\n".join(textwrap.wrap(line, width)) if len(line) > width else line
        for line in text.split("\n")
    )


def _title(fig: Any, text: str) -> None:
    fig.suptitle(_wrap(text, 90), fontsize=10)


def _labels(ax: Any, x: str | None, y: str | None) -> None:
    if x is not None:
        ax.set_xlabel(_wrap(x))
    if y is not None:
        ax.set_ylabel(_wrap(y, 48))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(a), abs(b)))


def _groups(keys: Sequence[tuple[float, ...]]) -> list[list[int]]:
    """Indices grouped by equal keys (equal up to rounding), in first-seen order."""
    groups: list[list[int]] = []
    for index, key in enumerate(keys):
        for group in groups:
            if all(_same(a, b) for a, b in zip(keys[group[0]], key, strict=True)):
                group.append(index)
                break
        else:
            groups.append([index])
    return groups


def _years(years: Sequence[Any]) -> str:
    return ", ".join(str(y) for y in years)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(float(value))


# -- bargaining ---------------------------------------------------------------------------
def _quantities(solution: CaseSolution) -> Any:
    from ._report import bargaining_quantities

    names = bargaining_quantities(solution.case)
    if names is None:
        raise ValueError(
            f"case {solution.case.name!r} has no bargaining quantities (no bargaining, "
            "oil_trade or supply_network adapter), so it has no such figure"
        )
    return names


def frontier_figure(solution: CaseSolution) -> Figure:
    """Bargaining frontier of every epoch with the outside options and the solutions.

    The frontier is ``buyer + seller = V`` (USD bn/yr), V the whole value the two sides split
    (the joint gain, plus the two outside options where the case measures the joint gain
    over them, see `bargaining_quantities`). Epochs with the same frontier share one line,
    labelled with all their years; marked per epoch: the outside options (open square), the
    Rubinstein outcome (dot) and the symmetric Nash solution measured from the outside
    options (cross); points of several epochs that coincide are drawn once and annotated
    with all their years. A case without bargaining quantities has no frontier
    (``ValueError``).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = frontier_figure(pg.cases.load("china-russia-oil").solve())
    >>> fig.axes[0].get_legend_handles_labels()[1][0]
    'frontier 2004'
    """
    from ..bargaining import BargainingProblem, nash

    names = _quantities(solution)
    case = solution.case
    buyer, seller = case.dyad
    years = [y for y in case.years if y in solution.outputs]
    out = solution.outputs
    fig, ax = _new_figure(6.8, 6.6)
    reach = [0.0]
    lows = [0.0]
    frontier_groups = _groups([(names.total(out[y]),) for y in years])
    color_of: dict[Any, str] = {}
    styles = ("-", "--", "-.", ":")
    for index, group in enumerate(frontier_groups):
        color = _COLORS[index % len(_COLORS)]
        group_years = [years[i] for i in group]
        total = names.total(out[group_years[0]])
        for year in group_years:
            color_of[year] = color
        ax.plot(
            [0.0, total],
            [total, 0.0],
            styles[index % len(styles)],
            color=color,
            lw=1.6,
            label=f"frontier {_years(group_years)}",
        )
        reach.append(total)

    def points(kind: str) -> list[tuple[Any, tuple[float, float]]]:
        result = []
        for year in years:
            o = out[year]
            w = (float(o[names.buyer_outside_option]), float(o[names.seller_outside_option]))
            if kind == "outside":
                xy = w
            elif kind == "outcome":
                xy = (float(o[names.buyer_payoff]), float(o[names.seller_payoff]))
            else:
                total = names.total(o)
                if not w[0] + w[1] < total:
                    continue
                payoffs = nash(BargainingProblem.linear(total, w)).payoffs
                xy = (float(payoffs[0]), float(payoffs[1]))
            if not (math.isfinite(xy[0]) and math.isfinite(xy[1])):
                continue
            result.append((year, xy))
        return result

    kinds = (
        ("outside", "s", "outside options (open square)", {"mfc": "none", "ms": 9, "mew": 1.6}),
        ("outcome", "o", "Rubinstein outcome (dot)", {"ms": 7}),
        ("nash", "x", "Nash from the outside options (cross)", {"ms": 9, "mew": 1.8}),
    )
    for kind, marker, label, style in kinds:
        found = points(kind)
        for number, group in enumerate(_groups([xy for _, xy in found])):
            group_years = [found[i][0] for i in group]
            x, y = found[group[0]][1]
            ax.plot(
                x,
                y,
                marker,
                color=color_of[group_years[0]],
                clip_on=False,
                zorder=3,
                label=label if number == 0 else "_nolegend_",
                **style,
            )
            if kind != "nash":
                ax.annotate(
                    _years(group_years),
                    (x, y),
                    xytext=(6, 6) if kind == "outcome" else (0, -12),
                    textcoords="offset points",
                    ha="left" if kind == "outcome" else "center",
                    fontsize=7,
                    color=color_of[group_years[0]],
                )
            reach += [x, y]
            lows += [x, y]
    top = max(v for v in reach if math.isfinite(v)) or 1.0
    bottom = min(v for v in lows if math.isfinite(v))
    pad = 0.06 * (top - bottom)
    ax.set_xlim(bottom - pad, top + pad)
    ax.set_ylim(bottom - pad, top + pad)
    _labels(ax, f"{buyer} (buyer) payoff ({_MONEY})", f"{seller} (seller) payoff ({_MONEY})")
    _title(fig, f"{case.title}\nbargaining frontier and solutions by epoch")
    _legend_outside(fig)
    return fig


def outcome_path_figure(solution: CaseSolution) -> Figure:
    """The buyer's share of the value the two sides split and the two outside options (as
    shares of that value) over the epochs. Epochs without a deal have no share (not drawn)
    and are marked "no deal". The value split is the joint gain, or, where the case
    measures the joint gain over the outside options (``supply_network``), the two options
    plus the joint gain. A case without bargaining quantities has no outcome path
    (``ValueError``).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = outcome_path_figure(pg.cases.load("china-russia-oil").solve())
    >>> fig.axes[0].get_ylabel()
    'share of the joint gain (share, 0-1)'
    >>> fig = outcome_path_figure(pg.cases.load("china-russia-gas").solve())
    >>> fig.axes[0].get_ylabel()
    'share of options plus joint gain (share, 0-1)'
    """
    names = _quantities(solution)
    case = solution.case
    buyer, seller = case.dyad
    years = [y for y in case.years if y in solution.outputs]
    out = solution.outputs
    total = np.array([names.total(out[y]) for y in years])
    agreed = np.array([bool(out[y].get(names.agreement, True)) for y in years])
    with np.errstate(divide="ignore", invalid="ignore"):
        if names.gain_over_options:
            payoff = np.array([float(out[y][names.buyer_payoff]) for y in years])
            share = np.where(agreed, payoff / total, np.nan)
        else:
            share = np.array([float(out[y][names.buyer_share]) for y in years])
        buyer_w = np.array([float(out[y][names.buyer_outside_option]) for y in years]) / total
        seller_w = np.array([float(out[y][names.seller_outside_option]) for y in years]) / total
    whole = "options plus joint gain" if names.gain_over_options else "the joint gain"
    fig, ax = _new_figure(7.2, 5.0)
    series = (
        (share, "-o", f"{buyer}'s share of {whole}"),
        (buyer_w, "--s", f"{buyer}'s outside option (least {buyer} accepts)"),
        (1.0 - seller_w, ":^", f"1 - {seller}'s outside option (most {buyer} can get)"),
    )
    dodge = 0.04 * max(years[-1] - years[0], 1)
    for index, (values, style, label) in enumerate(series):
        if not np.isfinite(values).any():
            continue
        ax.plot(
            np.asarray(years, dtype=float) + (index - 1) * dodge,
            values,
            style,
            color=_COLORS[index],
            clip_on=False,
            label=label,
            ms=6,
            lw=1.2,
        )
    for year, value in zip(years, share, strict=True):
        if not np.isfinite(value):
            ax.annotate("no deal", (year, 0.5), fontsize=8, ha="center", color="0.3")
    for year in years:
        ax.axvline(year, color="0.88", lw=0.8, zorder=0)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlim(years[0] - 3 * dodge, years[-1] + 3 * dodge)
    finite = np.concatenate([v[np.isfinite(v)] for v, _, _ in series] + [np.array([0.0, 1.0])])
    ax.set_ylim(min(-0.03, float(finite.min()) - 0.03), max(1.03, float(finite.max()) + 0.03))
    _labels(ax, "epoch (year)", f"share of {whole} (share, 0-1)")
    _title(fig, f"{case.title}\noutcome against the moving outside options")
    _legend_outside(fig)
    return fig


# -- claims -------------------------------------------------------------------------------
_VERDICT_COLORS = {"holds": "#2ca02c", "fails": "#d62728", "not defined": "#7f7f7f"}


def robustness_figure(check: CheckResult) -> Figure:
    """Each claim's robustness (share of the defined samples in which it holds) and the
    share of samples with no deal, each with its binomial sampling error (1 s.e.).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = robustness_figure(pg.cases.load("china-russia-gas").check(samples=16))
    >>> fig.axes[0].get_xlabel()
    'share of samples (share, 0-1; whiskers: 1 sampling error)'
    """
    results = check.results
    labels = [r.claim.id for r in results]
    rows = np.arange(len(results))
    width = 6.0 + 0.07 * max((len(label) for label in labels), default=10)
    fig, ax = _new_figure(width, 0.42 * len(results) + 2.6)
    for verdict, color in _VERDICT_COLORS.items():
        chosen = [
            i for i, r in enumerate(results) if r.verdict == verdict and math.isfinite(r.robustness)
        ]
        if not chosen:
            continue
        ax.errorbar(
            [results[i].robustness for i in chosen],
            rows[chosen],
            xerr=[_zero_if_nan(results[i].robustness_error) for i in chosen],
            fmt="o",
            color=color,
            ms=7,
            capsize=3,
            clip_on=False,
            label=f"robustness; {verdict} at base values",
        )
    no_deal = [i for i, r in enumerate(results) if math.isfinite(r.no_deal) and r.no_deal > 0]
    if no_deal:
        from ._claims import sampling_error

        ax.errorbar(
            [results[i].no_deal for i in no_deal],
            rows[no_deal] + 0.25,
            xerr=[sampling_error(results[i].no_deal, results[i].samples) for i in no_deal],
            fmt="D",
            color="black",
            mfc="white",
            ms=5,
            capsize=2,
            clip_on=False,
            label="share of samples with no deal",
        )
    for i, r in enumerate(results):
        if not math.isfinite(r.robustness):
            ax.annotate(
                "not defined on any sample", (0.02, i), va="center", fontsize=8, color="0.3"
            )
    ax.set_yticks(rows, labels)
    ax.set_ylim(len(results) - 0.5, -0.6)
    ax.set_xlim(-0.03, 1.03)
    _labels(ax, "share of samples (share, 0-1; whiskers: 1 sampling error)", "claim (id)")
    _title(fig, f"{check.case.title}\nclaim robustness over {check.samples} samples")
    _legend_outside(fig)
    return fig


def _zero_if_nan(value: float) -> float:
    return value if math.isfinite(value) else 0.0


# -- backtest -----------------------------------------------------------------------------
def backtest_figure(backtest: BacktestResult) -> Figure:
    """Model against observed for every backtest point: one row per point with its own
    axis in the point's unit. Grey band: the published range; dot: the model at the base
    values; dark bar: the model's 5-95% range over the samples.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> from pipeline_games.cases._claims import BacktestResult, BacktestRow
    >>> from pipeline_games.cases._case import BacktestPoint
    >>> case = pg.cases.load("china-russia-gas")
    >>> point = BacktestPoint("p", "price", "epoch[2014].price", (350.0, 400.0), "USD/kcm",
    ...                       "nids_csr2020", "")
    >>> row = BacktestRow(point, 380.0, 300.0, 420.0, (350.0, 400.0), "USD/kcm", True)
    >>> fig = backtest_figure(BacktestResult(case, (row,), 16))
    >>> fig.axes[0].get_xlabel()
    'epoch[2014].price (USD/kcm)'
    """
    rows = backtest.rows
    if not rows:
        raise ValueError("a backtest without points has no figure")
    fig, axes = _new_figure(7.6, 0.95 * len(rows) + 2.0, nrows=len(rows), squeeze=False)
    labelled: set[str] = set()

    def label(text: str) -> str:
        if text in labelled:
            return "_nolegend_"
        labelled.add(text)
        return text

    for ax, row in zip(axes[:, 0], rows, strict=True):
        low, high = row.observed
        values = [low, high, row.model, row.model_low, row.model_high]
        finite = [v for v in values if math.isfinite(v)]
        span = (max(finite) - min(finite)) or max(abs(low), 1.0) * 0.1
        ax.set_xlim(min(finite) - 0.15 * span, max(finite) + 0.15 * span)
        width = high - low
        if width > 0:
            ax.axvspan(low, high, color="0.8", label=label("observed range (published)"))
        else:
            ax.axvline(low, color="0.5", lw=3, label=label("observed value (published)"))
        if math.isfinite(row.model_low) and math.isfinite(row.model_high):
            ax.plot(
                [row.model_low, row.model_high],
                [0.0, 0.0],
                "-|",
                color="#555555",
                lw=2,
                ms=10,
                clip_on=False,
                label=label("model 5-95% range over the samples"),
            )
        if math.isfinite(row.model):
            ax.plot(
                [row.model],
                [0.0],
                "o",
                color="#1f77b4" if row.inside else "#d62728",
                ms=8,
                clip_on=False,
                zorder=4,
                label=label(
                    "model at base values, inside the range"
                    if row.inside
                    else "model at base values, outside the range"
                ),
            )
        else:
            ax.annotate(
                "model: not defined at base (no deal)",
                (0.02, 0.5),
                xycoords="axes fraction",
                fontsize=8,
                va="center",
            )
        ax.set_ylim(-1.0, 1.0)
        ax.set_yticks([0.0], [row.point.id])
        ax.set_xlabel(f"{row.point.quantity} ({row.unit})", fontsize=8)
    _title(
        fig,
        f"{backtest.case.title}\nbacktest: model vs published outcomes "
        "(bar: model 5-95% over the samples)",
    )
    fig.supylabel("backtest point (id)", fontsize=9)
    _legend_outside(fig)
    return fig


# -- other models -------------------------------------------------------------------------
def network_figure(case: Case) -> Figure:
    """Shapley (solid line, filled marker) and nucleolus (dashed line, open marker) shares
    of the network's value per country in each step of the case's ``[network]`` table.

    Countries are dodged side by side within a step so that equal shares stay visible;
    every country and both solution concepts are in the legend.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = network_figure(pg.cases.load("china-turkmenistan-gas"))
    >>> len(fig.axes[0].get_legend_handles_labels()[1])
    14
    """
    from ._transit import network_path

    path = network_path(case)
    shapley = path.shares("shapley")
    nucleolus = path.shares("nucleolus")
    steps = np.arange(len(path.steps))
    players = path.players
    fig, ax = _new_figure(9.0, 6.0)
    spread = 0.5 / max(len(players), 1)
    for index, player in enumerate(players):
        color = _COLORS[index % len(_COLORS)]
        marker = _MARKERS[index % len(_MARKERS)]
        x = steps + (index - (len(players) - 1) / 2) * spread
        ax.plot(x, shapley[:, index], "-", marker=marker, color=color, ms=6, clip_on=False,
                label=f"{player}, Shapley")  # fmt: skip
        ax.plot(x, nucleolus[:, index], "--", marker=marker, mfc="white", color=color, ms=6,
                clip_on=False, label=f"{player}, nucleolus")  # fmt: skip
    spec = case.network
    names = [
        f"step {step}: {', '.join(spec.steps[step])}" if spec is not None else f"step {step}"
        for step in path.steps
    ]
    ax.set_xticks(steps, names, fontsize=8)
    ax.set_xlim(-0.5, len(steps) - 0.5)
    top = float(np.nanmax(np.concatenate([shapley.ravel(), nucleolus.ravel(), [0.0]])))
    bottom = float(np.nanmin(np.concatenate([shapley.ravel(), nucleolus.ravel(), [0.0]])))
    ax.set_ylim(bottom - 0.03, top + 0.03)
    _labels(
        ax,
        "lines in the network (step of the case's network)",
        "share of the network's value (share, 0-1)",
    )
    _title(fig, f"{case.title}\ntransit network: who can block a line gets a share")
    _legend_outside(fig, ncols=4)
    return fig


def diversification_figure(case: Case, year: int | None = None) -> Figure:
    """The buyer's payoff in the diversification model against the seller's outside option.

    Curves at the calibrated defensive cost (solid) and at the low and high ends of its range
    (dashed, dotted); the calibrated outside option (black dot), its range (shaded) and the
    buyer-optimal option of each curve (star) are marked. Payoffs are in units of the trade's
    first-best value. ``year``: the epoch whose values are used (default: the last).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = diversification_figure(pg.cases.load("china-turkmenistan-gas"), 2014)
    >>> " ".join(fig.axes[0].get_xlabel().split())
    "Turkmenistan's outside option o (share of its value that is redeployable, 0-1)"
    """
    from ._adapters import ADAPTERS

    year = case.years[-1] if year is None else year
    adapter = ADAPTERS["diversification"]
    args = case.adapter_arguments("diversification", case.epoch_values(case.base, year))
    option_parameter = case.parameters[
        str(case.mapping["diversification"]["seller_outside_option"])
    ]
    cost_parameter = case.parameters[str(case.mapping["diversification"]["defensive_cost_share"])]
    grid = np.linspace(0.0, 1.0, 201)
    fig, ax = _new_figure(7.8, 6.0)
    if option_parameter.high > option_parameter.low:
        ax.axvspan(
            option_parameter.low,
            option_parameter.high,
            color="0.9",
            label=f"range of {case.dyad[1]}'s outside option",
        )
    costs = list(dict.fromkeys((cost_parameter.low, cost_parameter.value, cost_parameter.high)))
    styles = {cost_parameter.low: "--", cost_parameter.value: "-", cost_parameter.high: ":"}
    lows: list[float] = []
    for index, cost in enumerate(costs):
        out = adapter.function(
            {**args, "seller_outside_option": grid, "defensive_cost_share": cost}
        )
        curve = np.asarray(out["diversification_buyer_payoff"], dtype=float)
        lows.append(float(np.nanmin(curve)))
        which = "calibrated" if cost == cost_parameter.value else "range end"
        color = _COLORS[index]
        ax.plot(
            grid, curve, styles[cost], color=color, label=f"defensive cost D/K = {cost:g} ({which})"
        )
        here = adapter.function({**args, "defensive_cost_share": np.asarray(cost)})
        best = float(here["buyer_optimal_seller_option"])
        best_payoff = float(
            adapter.function(
                {**args, "seller_outside_option": np.asarray(best), "defensive_cost_share": cost}
            )["diversification_buyer_payoff"]
        )
        ax.plot(best, best_payoff, "*", color=color, ms=13, clip_on=False,
                label=f"{case.dyad[0]}'s optimal outside option at D/K = {cost:g}")  # fmt: skip
        if cost == cost_parameter.value:
            ax.plot(
                float(args["seller_outside_option"]),
                float(here["diversification_buyer_payoff"]),
                "o",
                color="black",
                ms=8,
                clip_on=False,
                zorder=4,
                label=f"calibrated point ({year})",
            )
    weight = float(args["seller_rate"] / (args["buyer_rate"] + args["seller_rate"]))
    ax.set_xlim(0, 1)
    _labels(
        ax,
        f"{case.dyad[1]}'s outside option o (share of its value that is redeployable, 0-1)",
        f"{case.dyad[0]}'s payoff (share of the trade's first-best value)",
    )
    _title(
        fig,
        f"{case.title}\ndiversification model, {year}: Nash weight w = {weight:.2f}, "
        f"alpha = {float(args['alpha']):.2f}",
    )
    _legend_outside(fig)
    return fig


def route_regions_figure(case: Case, year: int | None = None, num: int = 61) -> Figure:
    """Subgame-perfect outcome of the ESPO route game over two parameter planes.

    Left: oil price x Russia's cost of funds; right: China's Kazakh supply share x Russia's
    cost of funds; the other parameters at the case's values in ``year`` (default: the last
    epoch). The case's point is marked. The legend lists only the outcomes that appear.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> fig = route_regions_figure(pg.cases.load("china-russia-oil"), 2009, num=11)
    >>> len(fig.axes)
    2
    """
    from ._adapters import ROUTE_OUTCOMES
    from ._games import espo_route_regions, route_game_arguments

    year = case.years[-1] if year is None else year
    args = case.adapter_arguments("route_choice", case.epoch_values(case.base, year))
    point = {k: float(np.asarray(v)) for k, v in route_game_arguments(args).items()}
    ranges = {
        "oil_price": _range_of(case, "route_choice", "oil_price"),
        "russia_discount_rate": _range_of(case, "route_choice", "russia_discount_rate"),
        "kazakh_supply_share": (0.0, 1.0),
    }
    colors = ("#2ca02c", "#bcbd22", "#1f77b4", "#ff7f0e")
    fig, axes = _new_figure(11.0, 5.4, ncols=2, sharey=True)
    y = "russia_discount_rate"
    labelled: set[str] = set()
    for ax, x, x_label in (
        (axes[0], "oil_price", "oil price (USD/bbl)"),
        (
            axes[1],
            "kazakh_supply_share",
            "share of ESPO volume China can replace via Kazakhstan (share, 0-1)",
        ),
    ):
        regions = espo_route_regions(point, x, y, x_range=ranges[x], y_range=ranges[y], num=num)
        outcome = np.asarray(regions.outcome)
        for label, color in zip(ROUTE_OUTCOMES, colors, strict=True):
            mask = outcome == label
            if not mask.any():
                continue
            ax.pcolormesh(
                regions.x,
                regions.y,
                np.ma.masked_where(~mask, np.ones(mask.shape)),
                cmap=_single_color_map(color),
                vmin=0.0,
                vmax=1.0,
                shading="nearest",
                label=label if label not in labelled else "_nolegend_",
            )
            labelled.add(label)
        ax.plot(point[x], point[y], "o", color="black", mfc="white", ms=9, mew=2, zorder=4,
                clip_on=False, label=f"the case in {year}" if ax is axes[0] else "_nolegend_")  # fmt: skip
        _labels(ax, x_label, None)
        ax.set_xlim(*ranges[x])
        ax.set_ylim(*ranges[y])
    _labels(axes[0], None, "Russia's cost of funds (1/yr)")
    _title(
        fig,
        f"{case.title}\nsubgame-perfect outcome of the ESPO route game (other parameters at "
        f"the case's {year} values)",
    )
    _legend_outside(fig, ncols=3)
    return fig


def _single_color_map(color: str) -> Any:
    from matplotlib.colors import ListedColormap

    return ListedColormap([color])


def _range_of(case: Case, adapter: str, argument: str) -> tuple[float, float]:
    """The range of the parameter a case maps onto an adapter argument (over all epochs),
    widened to hold the argument's value in every epoch (a derived parameter can move with
    the epochs beyond its own range)."""
    target = str(case.mapping[adapter][argument])
    names = {target} | {epoch.changes[target] for epoch in case.epochs if target in epoch.changes}
    low = min(case.parameters[n].low for n in names)
    high = max(case.parameters[n].high for n in names)
    values = [
        float(
            np.asarray(
                case.adapter_arguments(adapter, case.epoch_values(case.base, year))[argument]
            )
        )
        for year in case.years
    ]
    values = [v for v in values if math.isfinite(v)]
    if values and (min(values) < low or max(values) > high):
        low, high = min(low, *values), max(high, *values)
        pad = 0.05 * (high - low)
        low, high = low - pad, high + pad
    if high <= low:
        pad = abs(low) * 0.5 or 1.0
        return low - pad, high + pad
    return low, high


# -- a report's figures -------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFigure:
    """A report figure: its file stem, the figure, a caption (what to read from it) and an
    alt text (what it shows, with its numbers, for readers who cannot see it).

    Examples
    --------
    >>> CaseFigure("x", None, "What to read.", "What it shows.").stem
    'x'
    """

    stem: str
    figure: Any
    caption: str
    alt: str


def _claim_year(case: Case, adapter: str) -> int:
    """The epoch of the first claim about one of ``adapter``'s quantities (else the last)."""
    from ._adapters import ADAPTERS
    from ._grammar import claim_references

    outputs = set(ADAPTERS[adapter].outputs)
    for claim in case.claims:
        for year, quantity in claim_references(claim.test):
            if quantity in outputs and year is not None:
                return int(year)
    return int(case.years[-1])


def _number(value: Any) -> str:
    return f"{float(value):.3g}" if _finite(value) else "not defined"


def case_figures(
    solution: CaseSolution, check: CheckResult, backtest: BacktestResult
) -> list[CaseFigure]:
    """Every figure of a case's report, with its caption and alt text.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> case = pg.cases.load("china-russia-gas")
    >>> figures = case_figures(case.solve(), case.check(samples=16), case.backtest(samples=16))
    >>> [f.stem for f in figures]
    ['frontier', 'outcome_path', 'robustness', 'backtest']
    """
    from ._report import bargaining_quantities

    case = solution.case
    buyer, seller = case.dyad
    out = solution.outputs
    years = [y for y in case.years if y in out]
    figures: list[CaseFigure] = []
    names = bargaining_quantities(case)
    if names is not None and years:
        n = names
        if n.gain_over_options:
            line = (
                f"Each line is the set of splits between {buyer} and {seller} of the two "
                "outside options plus the yearly joint gain of the deal; epochs with the "
                "same total share one line."
            )
            whole = "the options plus the joint gain"
        else:
            line = (
                f"Each line is the set of splits of the yearly joint gain between {buyer} and "
                f"{seller}; epochs with the same joint gain share one line."
            )
            whole = "the joint gain"
        figures.append(
            CaseFigure(
                "frontier",
                frontier_figure(solution),
                f"{line} Read how far the Rubinstein outcome (dot) lies from the outside "
                "options (square): the gap is what each side gains from the deal. A cross is "
                "the symmetric Nash split measured from the outside options; where the dot is "
                "left of it, the seller has the stronger hand (more patience"
                + (" or a binding outside option)." if n.binding is not None else ")."),
                f"Payoffs of {buyer} (horizontal) and {seller} (vertical) in {_MONEY}. "
                + "; ".join(
                    f"{y}: joint gain {_number(out[y][n.joint_gain])}, outside options "
                    f"{_number(out[y][n.buyer_outside_option])} and "
                    f"{_number(out[y][n.seller_outside_option])}, outcome "
                    f"{_number(out[y][n.buyer_payoff])} and {_number(out[y][n.seller_payoff])}"
                    for y in years
                )
                + ".",
            )
        )
        shares = [
            float(out[y][n.buyer_payoff]) / n.total(out[y])
            if n.gain_over_options and bool(out[y].get(n.agreement, True)) and n.total(out[y])
            else (float(out[y][n.buyer_share]) if not n.gain_over_options else math.nan)
            for y in years
        ]
        figures.append(
            CaseFigure(
                "outcome_path",
                outcome_path_figure(solution),
                f"{buyer}'s share of {whole} (solid) must lie between its own outside "
                f"option (dashed) and one minus {seller}'s (dotted), each as a share of "
                f"{whole}. Read where the share moves between epochs and whether it moves "
                "with an outside option.",
                f"{buyer}'s share of {whole} by epoch: "
                + ", ".join(f"{y}: {_number(v)}" for y, v in zip(years, shares, strict=True))
                + ".",
            )
        )
    figures.append(
        CaseFigure(
            "robustness",
            robustness_figure(check),
            "Each dot is the share of the samples of the parameter box, among those where the "
            "claim is defined, in which the claim holds; its colour is the verdict at the base "
            "values and its whiskers one sampling error. Read a claim as robust when its dot "
            "is near 1, fragile near 0.5, and refuted near 0. Open diamonds give the share of "
            "samples with no deal in an epoch the claim refers to.",
            "Robustness by claim: "
            + "; ".join(
                f"{r.claim.id}: {r.verdict} at base, robustness {_number(r.robustness)} "
                f"(+- {_number(r.robustness_error)}), no deal in {_number(r.no_deal)}"
                for r in check.results
            )
            + ".",
        )
    )
    if backtest.rows:
        figures.append(
            CaseFigure(
                "backtest",
                backtest_figure(backtest),
                "Read whether each published outcome (a row; one the case does not take as an "
                "input) is reproduced: the grey band is the published range; the dot is the "
                "model at its base values (blue inside the range, red outside) and the dark "
                "bar the model's 5-95% range over the samples. A bar that misses the band "
                "means no plausible input reproduces the outcome.",
                "Backtest: "
                + "; ".join(
                    f"{row.point.id}: model {_number(row.model)} {row.unit} (5-95% "
                    f"{_number(row.model_low)} to {_number(row.model_high)}), observed "
                    f"{_number(row.observed[0])} to {_number(row.observed[1])}, "
                    f"{'inside' if row.inside else 'outside'}"
                    for row in backtest.rows
                )
                + ".",
            )
        )
    if "network" in case.adapters:
        from ._transit import network_path

        path = network_path(case)
        path_shares = path.shares("shapley")
        figures.append(
            CaseFigure(
                "network_shares",
                network_figure(case),
                "Each country's share of the value the network can deliver, by Shapley value "
                "(solid) and nucleolus (dashed), as lines are added. Read which countries "
                "gain bargaining weight when a new line gives the buyer a second route: a "
                "transit state that can block a line gets a share; one that cannot gets none. "
                "Countries with equal shares are drawn side by side.",
                "Shapley shares by step: "
                + "; ".join(
                    f"step {step}: "
                    + ", ".join(
                        f"{player} {_number(path_shares[i, j])}"
                        for j, player in enumerate(path.players)
                    )
                    for i, step in enumerate(path.steps)
                )
                + ".",
            )
        )
    if "diversification" in case.adapters:
        year = _claim_year(case, "diversification")
        values = out.get(year, {})
        figures.append(
            CaseFigure(
                "diversification",
                diversification_figure(case, year),
                f"{buyer}'s payoff as {seller}'s outside option grows. Where the curve rises, "
                f"raising {seller}'s alternatives pays {buyer} (less hold-up, less defensive "
                f"spending); the star is the best level for {buyer}. Read whether the "
                "calibrated point lies left of the star.",
                f"{buyer}'s payoff at the calibrated point: "
                f"{_number(values.get('diversification_buyer_payoff'))}; optimal outside "
                f"option {_number(values.get('buyer_optimal_seller_option'))}.",
            )
        )
    if "route_choice" in case.adapters:
        year = _claim_year(case, "route_choice")
        figures.append(
            CaseFigure(
                "route_regions",
                route_regions_figure(case, year),
                "The colour is the subgame-perfect outcome of the route game over two "
                "parameter planes; the white dot is the case. Read how far the case lies "
                "from a boundary: a nearby boundary means a small change of price, cost of "
                "funds or Kazakh supply changes Russia's choice.",
                f"Route game outcome at the case's {year} values: "
                f"{out.get(year, {}).get('route_outcome', 'not computed')}.",
            )
        )
    return figures
