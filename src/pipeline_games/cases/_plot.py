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

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .._results import Result
from ..errors import InvalidParameterError, MissingExtraError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._case import Case
    from ._claims import BacktestResult, CaseSolution, CheckResult

__all__ = [
    "CaseFigure",
    "NetworkEpoch",
    "NetworkFlows",
    "ShareComparison",
    "backtest_figure",
    "case_figures",
    "diversification_figure",
    "frontier_figure",
    "network_figure",
    "network_flows",
    "network_layout",
    "outcome_path_figure",
    "robustness_figure",
    "route_regions_figure",
    "share_comparison",
    "shares_figure",
    "supply_network_epochs",
    "supply_network_figure",
    "supply_network_figures",
]

FloatArray = NDArray[np.float64]

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

    _expect(solution, "CaseSolution", "solution")
    names = bargaining_quantities(solution.case)
    if names is None:
        raise InvalidParameterError(
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
        raise InvalidParameterError("a backtest without points has no figure")
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
    """A number for alt text: whole numbers (years, counts) in full, others to 3 digits."""
    if not _finite(value):
        return "not defined"
    number = float(value)
    if number.is_integer() and abs(number) < 1e7:
        return str(int(number))
    return f"{number:.3g}"


def case_figures(
    solution: CaseSolution, check: CheckResult, backtest: BacktestResult
) -> list[CaseFigure]:
    """Every figure of a case's report, with its caption and alt text.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> case = pg.cases.load("china-russia-gas")
    >>> figures = case_figures(case.solve(), case.check(samples=16), case.backtest(samples=16))
    >>> [f.stem for f in figures][:4]
    ['frontier', 'outcome_path', 'robustness', 'backtest']
    >>> [f.stem for f in figures][4:6], figures[-1].stem
    (['supply_network_2006', 'supply_network_2008'], 'nin_shapley_shares')
    """
    from ._report import bargaining_quantities

    _expect(solution, "CaseSolution", "solution")
    _expect(check, "CheckResult", "check")
    _expect(backtest, "BacktestResult", "backtest")
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
    if "supply_network" in case.adapters:
        figures += supply_network_figures(case)
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


# -- supply networks (generic: a SupplyNetwork and its results, nothing of any case) --------
@dataclass(frozen=True, eq=False, repr=False)
class NetworkFlows(Result):
    """What `supply_network_figure` draws at one parameter point of a `nash_in_nash` result.

    Attributes
    ----------
    nodes
        The network's countries (players), then its competitive fringes (not players).
    fringes
        The fringes among the nodes.
    routes, paths
        Route names and the nodes each route crosses, in order.
    flows, capacity
        Volume on each route (the result's ``flows``) and the route's capacity.
    agreements, kinds, payers, payees
        Every agreement, its kind (``"supply"`` or ``"transit"``), who pays (the buyer of a
        supply contract, the producer for a transit agreement) and who is paid (the seller).
    payments
        What each payer pays each payee per agreement: the result's ``payment`` (price x
        volume; zero for an agreement that carries nothing) times ``money``.
    countries, supply_income, transit_income, paid
        Per country: what it receives as a seller of supply contracts, what it receives as a
        transit state, and what it pays (all in ``money`` units).

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork, nash_in_nash
    >>> net = SupplyNetwork([Producer("S", cost=10.0)], [Market("B", price=50.0)],
    ...                     [Route("r", ("S", "B"), capacity=2.0)])
    >>> flows = network_flows(net, nash_in_nash(net))
    >>> flows.flows.tolist(), flows.payers, flows.payees, flows.payments.tolist()
    ([2.0], ('B',), ('S',), [60.0])
    """

    @property
    def shape(self) -> tuple[int, ...]:
        """``()``: the flows and payments of one parameter point."""
        return ()

    def _frame_columns(self) -> dict[str, Any]:
        # one row per route: the figure's flow panel
        return {"route": np.asarray(self.routes), "flow": self.flows, "capacity": self.capacity}

    nodes: tuple[str, ...]
    fringes: tuple[str, ...]
    routes: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]
    flows: FloatArray
    capacity: FloatArray
    agreements: tuple[str, ...]
    kinds: tuple[str, ...]
    payers: tuple[str, ...]
    payees: tuple[str, ...]
    payments: FloatArray
    countries: tuple[str, ...]
    supply_income: FloatArray
    transit_income: FloatArray
    paid: FloatArray


@dataclass(frozen=True, eq=False, repr=False)
class ShareComparison(Result):
    """Each country's share of a network's surplus under Nash-in-Nash and under the Shapley
    value, at one parameter point (see `share_comparison`).

    ``surplus`` and ``cooperative_surplus``: the total Nash-in-Nash payoff and the grand
    coalition's worth (equal: the same welfare-maximising flow), in the results' money unit
    times ``money``. Where the surplus is zero both shares are zero (nothing to divide).

    Examples
    --------
    >>> from pipeline_games.network import (Market, Producer, Route, SupplyNetwork,
    ...                                     cooperative, nash_in_nash)
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> shares = share_comparison(nash_in_nash(net), cooperative(net))
    >>> shares.deal, float(shares.nash_in_nash.sum()), float(shares.shapley.sum())
    (True, 1.0, 1.0)
    """

    countries: tuple[str, ...]
    nash_in_nash: FloatArray
    shapley: FloatArray
    surplus: float
    cooperative_surplus: float

    @property
    def deal(self) -> bool:
        """Whether there is a surplus to divide."""
        return self.surplus > 0.0

    @property
    def shape(self) -> tuple[int, ...]:
        """``()``: the shares at one parameter point."""
        return ()

    def _frame_columns(self) -> dict[str, Any]:
        return {
            "country": np.asarray(self.countries),
            "nash_in_nash": self.nash_in_nash,
            "shapley": self.shapley,
        }


def _point(point: Any, shape: tuple[int, ...], what: str) -> tuple[int, ...]:
    """``point`` checked as an index of one parameter point of a grid of ``shape``."""

    try:
        index = tuple(point)
    except TypeError:
        index = None
    valid = index is not None and len(index) == len(shape)
    valid = valid and all(
        isinstance(i, int | np.integer) and not isinstance(i, bool) and -n <= i < n
        for i, n in zip(index or (), shape, strict=False)
    )
    if not valid:
        raise InvalidParameterError(
            f"point must index the {what}'s parameter grid of shape {shape} (a tuple of "
            f"{len(shape)} integers within it); got {point!r}"
        )
    return tuple(int(i) for i in index or ())


def _money(money: Any) -> float:

    array = np.asarray(money, dtype=np.float64) if _numeric(money) else None
    if array is None or array.size != 1 or not (math.isfinite(float(array)) and array > 0):
        raise InvalidParameterError(
            f"money must be one finite number > 0 (the factor from the network's money unit "
            f"to the figure's); got {money!r}"
        )
    return float(array.reshape(()))


def _numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _expect(value: Any, kind: str, name: str) -> None:
    """Refuse ``value`` unless it is an instance of the case layer's type ``kind``."""
    from ._case import Case
    from ._claims import BacktestResult, CaseSolution, CheckResult

    types = {
        "Case": Case,
        "CaseSolution": CaseSolution,
        "CheckResult": CheckResult,
        "BacktestResult": BacktestResult,
    }
    if not isinstance(value, types[kind]):
        raise InvalidParameterError(f"{name} must be a {kind}; got {value!r:.80}")


def network_flows(network: Any, result: Any, point: Any = (), *, money: Any = 1.0) -> NetworkFlows:
    """Flows per route and payments per agreement of ``result`` (``nash_in_nash(network)``)
    at one parameter ``point``, payments times ``money`` (e.g. a unit conversion).

    Raises `InvalidParameterError` when ``result`` is not a Nash-in-Nash result of
    ``network`` (other agreements or routes), ``point`` does not index its grid, or
    ``money`` is not one positive number.

    Examples
    --------
    A transit state on a route that carries nothing receives nothing:

    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork, nash_in_nash
    >>> net = SupplyNetwork(
    ...     [Producer("P", capacity=5.0, cost=10.0), Producer("Q", capacity=5.0, cost=40.0)],
    ...     [Market("B", price=50.0, capacity=5.0)],
    ...     [Route("p", ("P", "B"), 5.0), Route("q", ("Q", "T", "B"), 5.0)], transit=["T"])
    >>> flows = network_flows(net, nash_in_nash(net))
    >>> flows.flows.tolist(), float(flows.transit_income[flows.countries.index("T")])
    ([5.0, 0.0], 0.0)
    """
    from ..network import NashInNashResult, SupplyNetwork

    if not isinstance(network, SupplyNetwork):
        raise InvalidParameterError(f"network must be a SupplyNetwork; got {network!r}")
    if (
        not isinstance(result, NashInNashResult)
        or result.agreements != network.agreement_names
        or result.routes != network.route_names
        or result.countries != network.countries
    ):
        raise InvalidParameterError(
            "result must be nash_in_nash(network): a NashInNashResult with the network's "
            f"agreements {list(network.agreement_names)} and routes {list(network.route_names)}"
            f"; got {result!r}"
        )
    index = _point(point, result.shape, "result")
    factor = _money(money)
    countries = network.countries
    fringes = tuple(
        dict.fromkeys(
            [p.name for p in network.producers if p.fringe]
            + [m.name for m in network.markets if m.fringe]
        )
    )
    payments = np.asarray(result.payment[index], dtype=np.float64) * factor
    supply_income = np.zeros(len(countries))
    transit_income = np.zeros(len(countries))
    paid = np.zeros(len(countries))
    for a, agreement in enumerate(network.agreements):
        income = supply_income if agreement.kind == "supply" else transit_income
        income[countries.index(agreement.seller)] += payments[a]
        paid[countries.index(agreement.payer)] += payments[a]
    capacity = np.array(
        [float(np.broadcast_to(r.capacity, result.shape)[index]) for r in network.routes]
    )
    return NetworkFlows(
        nodes=(*countries, *fringes),
        fringes=fringes,
        routes=network.route_names,
        paths=tuple(r.path for r in network.routes),
        flows=np.array(result.flows[index], dtype=np.float64),
        capacity=capacity,
        agreements=network.agreement_names,
        kinds=tuple(a.kind for a in network.agreements),
        payers=tuple(a.payer for a in network.agreements),
        payees=tuple(a.seller for a in network.agreements),
        payments=payments,
        countries=countries,
        supply_income=supply_income,
        transit_income=transit_income,
        paid=paid,
    )


def share_comparison(
    result: Any, cooperative: Any, point: Any = (), *, money: Any = 1.0
) -> ShareComparison:
    """Each country's share of the surplus under Nash-in-Nash (``result.share``) and under
    the Shapley value (``cooperative.share``) at one parameter ``point``.

    Examples
    --------
    >>> from pipeline_games.network import (Market, Producer, Route, SupplyNetwork,
    ...                                     cooperative, nash_in_nash)
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> shares = share_comparison(nash_in_nash(net), cooperative(net))
    >>> shares.countries, shares.shapley.round(3).tolist(), shares.surplus
    (('P', 'B', 'T'), [0.333, 0.333, 0.333], 6.0)
    """
    from ..network import CooperativeResult, NashInNashResult

    if not isinstance(result, NashInNashResult):
        raise InvalidParameterError(f"result must be a NashInNashResult; got {result!r}")
    if not isinstance(cooperative, CooperativeResult) or cooperative.countries != result.countries:
        raise InvalidParameterError(
            "cooperative must be the CooperativeResult of the same network (countries "
            f"{list(result.countries)}); got {cooperative!r}"
        )
    index = _point(point, result.shape, "result")
    coop_index = _point(point, cooperative.shape, "cooperative result")
    factor = _money(money)
    return ShareComparison(
        countries=result.countries,
        nash_in_nash=np.array(result.share[index], dtype=np.float64),
        shapley=np.array(cooperative.share[coop_index], dtype=np.float64),
        surplus=float(result.surplus[index]) * factor,
        cooperative_surplus=float(cooperative.surplus[coop_index]) * factor,
    )


def network_layout(
    nodes: Sequence[str], paths: Sequence[Sequence[str]]
) -> dict[str, tuple[float, float]]:
    """Deterministic positions of ``nodes`` on the unit circle, sources left, sinks right.

    Each node's layer is the length of the longest chain of route segments leading to it
    (segments of a cycle count once); nodes sorted by layer alternate between the upper and
    the lower half-circle, from left to right. On a circle no straight edge passes through
    another node.

    Examples
    --------
    >>> layout = network_layout(["A", "T", "B"], [("A", "T", "B")])
    >>> {n: (round(x, 2) + 0.0, round(y, 2) + 0.0) for n, (x, y) in layout.items()}
    {'A': (-0.71, 0.71), 'B': (0.71, 0.71), 'T': (0.0, -1.0)}
    """
    if isinstance(nodes, str) or not isinstance(nodes, Sequence) or not nodes:
        raise InvalidParameterError(f"nodes must be a non-empty sequence of names; got {nodes!r}")
    nodes = list(nodes)
    if not all(isinstance(n, str) for n in nodes) or len(set(nodes)) != len(nodes):
        raise InvalidParameterError(f"nodes must be distinct names (strings); got {nodes!r}")
    if isinstance(paths, str) or not isinstance(paths, Sequence):
        raise InvalidParameterError(f"paths must be a sequence of node sequences; got {paths!r}")
    for path in paths:
        if isinstance(path, str) or not isinstance(path, Sequence) or not set(path) <= set(nodes):
            raise InvalidParameterError(
                f"each path must be a sequence of the nodes {nodes}; got {path!r}"
            )
    layer = dict.fromkeys(nodes, 0)
    edges = [(a, b) for path in paths for a, b in itertools.pairwise(path)]
    for _ in range(len(nodes)):
        changed = False
        for a, b in edges:
            if layer[a] + 1 > layer[b] and layer[a] + 1 < len(nodes):
                layer[b] = layer[a] + 1
                changed = True
        if not changed:
            break
    order = sorted(nodes, key=lambda n: (layer[n], nodes.index(n)))
    top, bottom = order[0::2], order[1::2]
    out: dict[str, tuple[float, float]] = {}
    for k, name in enumerate(top):
        angle = math.pi - math.pi * (k + 0.5) / len(top)
        out[name] = (math.cos(angle), math.sin(angle))
    for k, name in enumerate(bottom):
        angle = math.pi + math.pi * (k + 0.5) / len(bottom)
        out[name] = (math.cos(angle), math.sin(angle))
    return out


def _positions(
    flows: NetworkFlows, positions: Mapping[str, Sequence[float]] | None
) -> dict[str, NDArray[np.float64]]:
    """Given positions (checked, scaled into [-1, 1]) or the circle layout."""

    if positions is None:
        layout = network_layout(flows.nodes, flows.paths)
        return {n: np.array(xy, dtype=np.float64) for n, xy in layout.items()}
    if not isinstance(positions, Mapping):
        raise InvalidParameterError(f"positions must map every node to (x, y); got {positions!r}")
    missing = [n for n in flows.nodes if n not in positions]
    if missing:
        raise InvalidParameterError(f"positions must give (x, y) for every node; missing {missing}")
    points = {}
    for name in flows.nodes:
        try:
            xy = np.asarray(positions[name], dtype=np.float64)
        except (TypeError, ValueError):
            xy = np.array([np.nan])
        if xy.shape != (2,) or not np.isfinite(xy).all():
            raise InvalidParameterError(
                f"positions[{name!r}] must be two finite numbers (x, y); got {positions[name]!r}"
            )
        points[name] = xy
    stacked = np.array(list(points.values()))
    centre = (stacked.max(axis=0) + stacked.min(axis=0)) / 2.0
    half = float((stacked.max(axis=0) - stacked.min(axis=0)).max()) / 2.0 or 1.0
    return {n: (xy - centre) / half for n, xy in points.items()}


def _fmt(value: float) -> str:
    """Three significant digits below 1,000; whole numbers above (13,506, not 1.35e+04)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _draw_nodes(ax: Any, flows: NetworkFlows, where: Mapping[str, Any], note: Any = None) -> None:
    """Countries (filled) and fringes (open squares) with their names outside the circle."""
    players = [n for n in flows.nodes if n not in flows.fringes]
    xy = np.array([where[n] for n in players])
    ax.scatter(xy[:, 0], xy[:, 1], s=110, color="#333333", zorder=5, label="country (a player)")
    if flows.fringes:
        xy = np.array([where[n] for n in flows.fringes])
        ax.scatter(xy[:, 0], xy[:, 1], s=110, marker="s", facecolor="white", edgecolor="#333333",
                   linewidth=1.5, zorder=5, label="competitive fringe (not a player)")  # fmt: skip
    for name in flows.nodes:
        x, y = where[name]
        radius = math.hypot(x, y) or 1.0
        text = name if note is None else f"{name}\n{note(name)}" if note(name) else name
        ax.annotate(
            text,
            (x, y),
            xytext=(11 * x / radius, 11 * y / radius),
            textcoords="offset points",
            ha="left" if x > 0.15 else "right" if x < -0.15 else "center",
            va="bottom" if y > 0.15 else "top" if y < -0.15 else "center",
            fontsize=8,
            zorder=6,
        )


def _lanes(
    edges: Sequence[Sequence[str]], where: Mapping[str, Any], gap: float
) -> tuple[list[list[tuple[Any, Any]]], list[list[tuple[int, int]]]]:
    """For each edge (a node sequence), its segments shifted sideways so that edges sharing a
    segment run side by side; and for each segment, (lane, lanes on that segment)."""
    order = {n: i for i, n in enumerate(where)}
    shared: dict[tuple[str, str], list[int]] = {}
    for e, path in enumerate(edges):
        for a, b in itertools.pairwise(path):
            key = (a, b) if order[a] < order[b] else (b, a)
            shared.setdefault(key, []).append(e)
    segments: list[list[tuple[Any, Any]]] = []
    lanes: list[list[tuple[int, int]]] = []
    for e, path in enumerate(edges):
        pieces, counts = [], []
        for a, b in itertools.pairwise(path):
            key = (a, b) if order[a] < order[b] else (b, a)
            users = shared[key]
            lane = users.index(e)
            start, stop = where[key[0]], where[key[1]]
            d = stop - start
            normal = np.array([-d[1], d[0]]) / (float(np.hypot(*d)) or 1.0)
            shift = (lane - (len(users) - 1) / 2.0) * gap * normal
            pieces.append((where[a] + shift, where[b] + shift))
            counts.append((lane, len(users)))
        segments.append(pieces)
        lanes.append(counts)
    return segments, lanes


def _draw_edge(
    ax: Any,
    pieces: Sequence[tuple[Any, Any]],
    lanes: Sequence[tuple[int, int]],
    text: str,
    style: Mapping[str, Any],
    label: str,
) -> None:
    """One edge: a polyline over its shifted segments, an arrowhead at its end and ``text``
    on its middle segment (staggered along the segment between side-by-side edges)."""
    joined = [pieces[0][0]]
    for start, stop in pieces:
        joined += [start, stop]
    xy = np.array(joined)
    ax.plot(xy[:, 0], xy[:, 1], solid_capstyle="butt", label=label, zorder=2, **style)
    start, stop = pieces[-1]
    head = stop - 0.12 * (stop - start) / (float(np.hypot(*(stop - start))) or 1.0)
    ax.annotate(
        "",
        xy=head,
        xytext=head - 0.02 * (stop - start),
        arrowprops={
            "arrowstyle": "-|>",
            "color": style["color"],
            "lw": 1.0,
            "mutation_scale": 10 + 2.5 * float(style["lw"]),
        },
        zorder=3,
    )
    middle = len(pieces) // 2
    (start, stop), (lane, count) = pieces[middle], lanes[middle]
    spot = start + (stop - start) * (lane + 1) / (count + 1)
    ax.annotate(
        text,
        spot,
        ha="center",
        va="center",
        fontsize=7,
        color=style["color"],
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        zorder=4,
    )


def _widths(values: NDArray[np.float64]) -> NDArray[np.float64]:
    top = float(np.max(np.abs(values), initial=0.0))
    return 1.0 + 7.0 * np.abs(values) / top if top > 0 else np.ones_like(values)


def supply_network_figure(
    network: Any,
    result: Any,
    point: Any = (),
    *,
    money: Any = 1.0,
    volume_unit: str = "volume",
    money_unit: str = "money",
    title: str = "supply network",
    positions: Mapping[str, Sequence[float]] | None = None,
) -> Figure:
    """The network at one parameter point of ``result`` (``nash_in_nash(network)``): flows
    (left) and who pays whom (right).

    Left: countries (dots) and fringes (open squares); each route a line from producer to
    market over its transit states, its width proportional to its flow and labelled with it
    (dotted: a route that carries nothing). Right: one arrow per agreement with a payment,
    payer to payee (a supply payment from the buyer to the producer, a transit payment from
    the producer to the transit state), its width proportional to the payment and labelled
    with it; each node notes what it receives (in) and pays (out). ``positions`` maps each
    node to (x, y) (any scale; e.g. longitude and latitude); by default `network_layout`.
    Numbers are those of `network_flows`.

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork, nash_in_nash
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> fig = supply_network_figure(net, nash_in_nash(net), volume_unit="bcm/yr")
    >>> [ax.get_title() for ax in fig.axes]
    ['flows (bcm/yr)', 'who pays whom (money)']
    """
    flows = network_flows(network, result, point, money=money)
    where = _positions(flows, positions)
    fig, (left, right) = _new_figure(12.0, 6.4, ncols=2)
    # flows
    widths = _widths(flows.flows)
    scale = max(float(np.max(np.abs(flows.flows), initial=0.0)), 1e-300)
    segments, lanes = _lanes(flows.paths, where, gap=0.07)
    for r, route in enumerate(flows.routes):
        flow = float(flows.flows[r])
        carries = abs(flow) > 1e-9 * scale
        closed = float(flows.capacity[r]) <= 0.0
        note = " (no capacity)" if closed else "" if carries else " (unused)"
        style = {"color": _COLORS[r % len(_COLORS)], "lw": float(widths[r]),
                 "ls": "-" if carries else ":"}  # fmt: skip
        if not carries:
            style["lw"] = 1.2
        _draw_edge(ax=left, pieces=segments[r], lanes=lanes[r], text=_fmt(flow), style=style,
                   label=f"{route}: {_fmt(flow)} {volume_unit}{note}")  # fmt: skip
    _draw_nodes(left, flows, where)
    left.set_title(f"flows ({volume_unit})", fontsize=9)
    # payments
    total = float(np.max(np.abs(flows.payments), initial=0.0))
    chosen = [a for a in range(len(flows.agreements))
              if abs(float(flows.payments[a])) > 1e-9 * max(total, 1e-300)]  # fmt: skip
    edges = []
    for a in chosen:
        pair = (flows.payers[a], flows.payees[a])
        edges.append(pair if flows.payments[a] > 0 else pair[::-1])
    segments, lanes = _lanes(edges, where, gap=0.09)
    widths = _widths(flows.payments[chosen])
    labelled: set[str] = set()
    kind_words = {"supply": "supply payment (buyer to producer)",
                  "transit": "transit payment (producer to transit state)"}  # fmt: skip
    kind_colors = {"supply": "#2f4f4f", "transit": "#b8860b"}  # apart from the route colours
    for k, a in enumerate(chosen):
        kind = flows.kinds[a]
        label = kind_words[kind] if kind not in labelled else "_nolegend_"
        labelled.add(kind)
        _draw_edge(ax=right, pieces=segments[k], lanes=lanes[k],
                   text=_fmt(abs(float(flows.payments[a]))),
                   style={"color": kind_colors[kind], "lw": float(widths[k]), "ls": "-"},
                   label=label)  # fmt: skip
    if not chosen:
        right.annotate("no payments: no agreement carries flow", (0.0, 0.0), ha="center",
                       fontsize=9, color="0.3")  # fmt: skip
    received = flows.supply_income + flows.transit_income

    def money_note(name: str) -> str:
        if name not in flows.countries:
            return ""
        i = flows.countries.index(name)
        parts = []
        if abs(received[i]) > 1e-9 * max(total, 1e-300):
            parts.append(f"in {_fmt(received[i])}")
        if abs(flows.paid[i]) > 1e-9 * max(total, 1e-300):
            parts.append(f"out {_fmt(flows.paid[i])}")
        return ", ".join(parts)

    _draw_nodes(right, flows, where, money_note)
    right.set_title(f"who pays whom ({money_unit})", fontsize=9)
    for ax in (left, right):
        ax.set_xlim(-1.55, 1.55)
        ax.set_ylim(-1.35, 1.35)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    _title(fig, title)
    handles = [h for ax in (left, right) for h in ax.get_legend_handles_labels()[0]]
    names = [n for ax in (left, right) for n in ax.get_legend_handles_labels()[1]]
    unique = dict(zip(names, handles, strict=True))
    for ax in (left, right):  # the node markers are drawn on both panels: one entry each
        for artist in ax.collections:
            if artist.get_label() in unique and artist is not unique[artist.get_label()]:
                artist.set_label("_nolegend_")
    _legend_outside(fig, ncols=3)
    return fig


def shares_figure(
    panels: Mapping[Any, ShareComparison], *, money_unit: str = "money", title: str = "shares"
) -> Figure:
    """Each country's share of the surplus under Nash-in-Nash (filled) and under the Shapley
    value (hatched), grouped per country, one panel per entry of ``panels`` (e.g. per epoch:
    ``{2010: share_comparison(...), ...}``).

    Examples
    --------
    >>> from pipeline_games.network import (Market, Producer, Route, SupplyNetwork,
    ...                                     cooperative, nash_in_nash)
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "T", "B"), capacity=3.0)], transit=["T"])
    >>> fig = shares_figure({"base": share_comparison(nash_in_nash(net), cooperative(net))})
    >>> fig.axes[0].get_ylabel()
    "share of the network's surplus (share, 0-1)"
    """

    if not isinstance(panels, Mapping) or not panels:
        raise InvalidParameterError(
            f"panels must map labels to ShareComparison objects (at least one); got {panels!r}"
        )
    for key, item in panels.items():
        if not isinstance(item, ShareComparison):
            raise InvalidParameterError(
                f"panels[{key!r}] must be a ShareComparison (see share_comparison); got {item!r}"
            )
    count = len(panels)
    ncols = min(count, 4)
    nrows = math.ceil(count / ncols)
    width = max(2.6 * ncols, 0.0) + 0.35 * ncols * max(len(p.countries) for p in panels.values())
    fig, axes = _new_figure(min(width, 16.0), 3.3 * nrows + 1.6, ncols=ncols, nrows=nrows,
                            squeeze=False, sharey=True)  # fmt: skip
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.remove()
    first_deal = next((k for k, p in panels.items() if p.deal), None)
    values = [0.0, 1.0]
    for ax, (key, panel) in zip(flat, panels.items(), strict=False):
        x = np.arange(len(panel.countries))
        legend = key == first_deal
        ax.bar(x - 0.2, panel.nash_in_nash, 0.4, color="#1f77b4",
               label="Nash-in-Nash" if legend else "_nolegend_")  # fmt: skip
        ax.bar(x + 0.2, panel.shapley, 0.4, color="white", edgecolor="#d62728", hatch="///",
               label="Shapley value" if legend else "_nolegend_")  # fmt: skip
        ax.axhline(0.0, color="0.5", lw=0.8)
        ax.set_xticks(x, panel.countries, rotation=45, ha="right", fontsize=8)
        ax.set_xlabel("country (player)", fontsize=8)
        heading = (
            f"{key}: surplus {_fmt(panel.surplus)} {money_unit}"
            if panel.deal
            else f"{key}: no surplus to divide"
        )
        ax.set_title(heading, fontsize=9)
        values += [*panel.nash_in_nash.tolist(), *panel.shapley.tolist()]
    finite = [v for v in values if math.isfinite(v)]
    flat[0].set_ylim(min(finite) - 0.05, max(finite) + 0.05)
    for row in axes:
        _labels(row[0], None, "share of the network's surplus (share, 0-1)")
    _title(fig, title)
    _legend_outside(fig)
    return fig


# -- the supply network of a linked case, per epoch ----------------------------------------
@dataclass(frozen=True)
class NetworkEpoch:
    """A linked case's supply network in one epoch at the base values, with its Nash-in-Nash
    and cooperative results (as the ``supply_network`` adapter computes them) and units:
    ``money`` converts the results' payoffs (volume x price) into ``money_unit``."""

    year: int
    network: Any
    result: Any
    cooperative: Any
    money: float
    volume_unit: str
    money_unit: str


def supply_network_epochs(case: Case) -> list[NetworkEpoch]:
    """Every epoch of a case with the ``supply_network`` adapter, solved at the base values
    the way the adapter solves it (`pipeline_games.cases._linked.supply_network_outputs`).

    Examples
    --------
    >>> import pipeline_games as pg
    >>> epochs = supply_network_epochs(pg.cases.load("eurasian-oil"))
    >>> [e.year for e in epochs] == list(pg.cases.load("eurasian-oil").years)
    True
    """
    from ..network import cooperative, nash_in_nash
    from ._linked import _fields, _value, build_network

    _expect(case, "Case", "case")
    if "supply_network" not in case.adapters:
        raise InvalidParameterError(f"case {case.name!r} has no supply_network adapter")
    out = []
    for year in case.years:
        args = case.adapter_arguments("supply_network", case.epoch_values(case.base, year))
        spec, values = args["spec"], args["values"]
        per_volume = _value(spec.units_per_volume, values, 1.0)
        money = float(args["money_factor"]) * per_volume
        capital_factor = float(args["capital_factor"]) / per_volume
        network = build_network(spec, values, capital_factor)
        rates = {c: _value(r, values) for c, r in spec.rates.items()} or None
        volume_unit = next(
            (
                case.parameters[v].unit
                for _, v, kind in _fields(spec)
                if kind == "volume" and isinstance(v, str)
            ),
            "volume",
        )
        out.append(
            NetworkEpoch(
                year=int(year),
                network=network,
                result=nash_in_nash(network, rates=rates),
                cooperative=cooperative(network),
                money=float(np.asarray(money).reshape(())),
                volume_unit=volume_unit,
                money_unit=spec.money.replace("_", " "),
            )
        )
    return out


def _network_alt(epoch: NetworkEpoch, flows: NetworkFlows) -> str:
    routes = ", ".join(
        f"{r} {_fmt(float(f))}" for r, f in zip(flows.routes, flows.flows, strict=True)
    )
    payments = "; ".join(
        f"{payer} pays {payee} {_fmt(float(amount))} ({kind})"
        for payer, payee, amount, kind in zip(
            flows.payers, flows.payees, flows.payments, flows.kinds, strict=True
        )
        if abs(float(amount)) > 0.0
    )
    return (
        f"Supply network in {epoch.year} at base values. Flows ({epoch.volume_unit}): "
        f"{routes}. Payments ({epoch.money_unit}): {payments or 'none'}."
    )


def supply_network_figures(case: Case) -> list[CaseFigure]:
    """A case's supply-network figures: the network of each epoch (flows, who pays whom)
    and each country's share under Nash-in-Nash and under the Shapley value per epoch.

    Examples
    --------
    >>> import pipeline_games as pg
    >>> [f.stem for f in supply_network_figures(pg.cases.load("eurasian-oil"))][-2:]
    ['supply_network_2014', 'nin_shapley_shares']
    """
    epochs = supply_network_epochs(case)
    figures = []
    for epoch in epochs:
        flows = network_flows(epoch.network, epoch.result, money=epoch.money)
        figures.append(
            CaseFigure(
                f"supply_network_{epoch.year}",
                supply_network_figure(
                    epoch.network,
                    epoch.result,
                    money=epoch.money,
                    volume_unit=epoch.volume_unit,
                    money_unit=epoch.money_unit,
                    title=f"{case.title}\nsupply network in {epoch.year} at base values: "
                    "flows and who pays whom (Nash-in-Nash)",
                ),
                f"The network in {epoch.year} at the base values. Left: each route from "
                f"producer to market, its width proportional to its flow ({epoch.volume_unit};"
                " dotted: unused or not open). Right: who pays whom under Nash-in-Nash "
                f"bargaining ({epoch.money_unit}): supply payments from buyer to producer, "
                "transit payments from producer to transit state; each country notes what it "
                "receives (in) and pays (out). Read which routes carry the trade and where "
                "the rents go; a transit state off every used route receives nothing.",
                _network_alt(epoch, flows),
            )
        )
    panels = {e.year: share_comparison(e.result, e.cooperative, money=e.money) for e in epochs}
    countries = epochs[0].result.countries if epochs else ()
    figures.append(
        CaseFigure(
            "nin_shapley_shares",
            shares_figure(
                panels,
                money_unit=epochs[0].money_unit if epochs else "money",
                title=f"{case.title}\neach country's share of the network's surplus: "
                "Nash-in-Nash and Shapley value, by epoch",
            ),
            "Each country's share of the network's yearly surplus at the base values: under "
            "Nash-in-Nash bargaining over every agreement (filled) and under the Shapley "
            "value of the network's coalition game (hatched), one panel per epoch. Read "
            "where bilateral bargaining gives a country more or less than its average "
            "marginal contribution to coalitions (the cooperative view).",
            "Shares by epoch (Nash-in-Nash / Shapley): "
            + "; ".join(
                f"{year}: "
                + ", ".join(
                    f"{c} {_fmt(float(p.nash_in_nash[i]))} / {_fmt(float(p.shapley[i]))}"
                    for i, c in enumerate(countries)
                )
                for year, p in panels.items()
            )
            + ".",
        )
    )
    return figures
