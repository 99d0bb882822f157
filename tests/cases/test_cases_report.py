"""Case reports and their figures.

The figures are checked for what each axes object draws: every legend entry has a visible
artist (non-empty data inside the axes limits), no two entries share a label, legends do not
overlap the axes, and every axis has a label with a unit in parentheses (a categorical axis,
e.g. one row per claim, needs a label only). The reports are checked for their sections, the
columns in words with units, the explanations, and Markdown and HTML agreeing.
"""

from __future__ import annotations

import html
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.collections import Collection, QuadMesh
from matplotlib.container import Container
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter

import pipeline_games as pg
from pipeline_games.cases import _plot as plot
from pipeline_games.cases import _report as report
from pipeline_games.cases._bibliography import cite
from pipeline_games.cases._claims import quantity_unit

CASES = pg.cases.list_cases()
SAMPLES = 8
UNIT = re.compile(r"\([^()]+\)\s*$")

BACKTEST = """
[[backtest]]
id = "pos-price-2014"
statement = "Power of Siberia border price, 2014 (test point)"
quantity = "epoch[2014].net_price"
observed = [350.0, 400.0]
unit = "USD/kcm"
source = "osw_2014"
locator = "test"

[[backtest]]
id = "agreement-year"
statement = "Agreement reached (test point)"
quantity = "agreement_year"
observed = [2014.0, 2014.0]
unit = "year"
source = "nids_csr2020"
locator = "test"
"""


# -- what an axes draws -------------------------------------------------------------------
def _inside(points: np.ndarray, box: Any, tolerance: float = 1.5) -> np.ndarray:
    points = np.atleast_2d(points)
    finite = np.all(np.isfinite(points), axis=1)
    x, y = points[:, 0], points[:, 1]
    with np.errstate(invalid="ignore"):
        return finite & (
            (x >= box.x0 - tolerance)
            & (x <= box.x1 + tolerance)
            & (y >= box.y0 - tolerance)
            & (y <= box.y1 + tolerance)
        )


def _shows_data(artist: Any, ax: Any) -> bool:
    """Whether ``artist`` is visible and draws something inside the axes' area."""
    box = ax.get_window_extent()
    if isinstance(artist, Container):
        return any(_shows_data(child, ax) for child in artist.get_children() if child is not None)
    if not artist.get_visible() or artist.get_alpha() == 0:
        return False
    if isinstance(artist, Line2D):
        draws = artist.get_linestyle() not in ("None", "", " ") or artist.get_marker() not in (
            "None",
            "",
            " ",
            None,
        )
        points = artist.get_transform().transform(artist.get_xydata())
        return draws and bool(_inside(points, box).any())
    if isinstance(artist, QuadMesh):
        values = np.ma.masked_invalid(artist.get_array())
        if values.count() == 0:
            return False
        coordinates = artist.get_coordinates().reshape(-1, 2)
        return bool(_inside(ax.transData.transform(coordinates), box).any())
    if isinstance(artist, Patch):
        vertices = artist.get_transform().transform(artist.get_path().vertices)
        lo, hi = vertices.min(axis=0), vertices.max(axis=0)
        width = min(hi[0], box.x1) - max(lo[0], box.x0)
        height = min(hi[1], box.y1) - max(lo[1], box.y0)
        return width > 0 and height > 0
    if isinstance(artist, Collection):
        offsets = artist.get_offsets()
        if len(offsets):
            points = artist.get_offset_transform().transform(offsets)
            return bool(_inside(points, box).any())
        return any(
            _inside(artist.get_transform().transform(path.vertices), box).any()
            for path in artist.get_paths()
        )
    raise AssertionError(f"no check for a legend artist of type {type(artist).__name__}")


def _legend_texts(fig: Any) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [text.get_text() for legend in legends if legend is not None for text in legend.texts]


def check_figure(fig: Any) -> None:
    """Every rule of the figures (see the module docstring); raises AssertionError."""
    fig.canvas.draw()
    labels: list[str] = []
    for ax in fig.axes:
        handles, names = ax.get_legend_handles_labels(legend_handler_map=plot._handler_map())
        for handle, name in zip(handles, names, strict=True):
            assert _shows_data(handle, ax), f"legend entry {name!r} draws nothing inside its axes"
        labels += names
    assert len(labels) == len(set(labels)), f"two entries share a label: {sorted(labels)}"
    assert sorted(_legend_texts(fig)) == sorted(labels), "a legend entry has no drawn artist"
    renderer = fig.canvas.get_renderer()
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), "a legend covers an axes"
    figure_ylabel = fig._supylabel.get_text() if fig._supylabel is not None else ""
    for ax in fig.axes:
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            shown = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            if not shown:
                continue  # a shared axis shows its label on its neighbour
            categorical = isinstance(axis.get_major_formatter(), FixedFormatter) and not all(
                re.fullmatch(r"[-\d.]+", t.get_text()) for t in shown
            )
            text = label or (figure_ylabel if axis is ax.yaxis else "")
            assert text, f"an axis without a label in {fig.texts or ax.get_title()}"
            if not categorical:
                assert UNIT.search(text), f"axis label without a unit: {text!r}"
    plt.close(fig)


# -- the checker is honest ----------------------------------------------------------------
def test_checker_catches_a_legend_entry_without_visible_data():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="seen")
    ax.plot([5, 6], [5, 6], label="outside the limits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.legend()
    with pytest.raises(AssertionError, match="outside the limits"):
        check_figure(fig)


def test_checker_catches_a_proxy_artist_and_duplicate_labels():
    fig, ax = plt.subplots()
    ax.plot([], [], "o", label="proxy")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    with pytest.raises(AssertionError, match="proxy"):
        check_figure(fig)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="same")
    ax.plot([0, 1], [1, 0], label="same")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    with pytest.raises(AssertionError, match="share a label"):
        check_figure(fig)


def test_checker_catches_a_label_without_unit_and_a_legend_over_the_data():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1], label="line")
    ax.set_xlabel("payoff")
    ax.set_ylabel("y (m)")
    fig.legend(loc="outside right upper")
    with pytest.raises(AssertionError, match="without a unit"):
        check_figure(fig)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="line")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    fig.legend(loc="center")
    with pytest.raises(AssertionError, match="covers"):
        check_figure(fig)


# -- the figures --------------------------------------------------------------------------
@cache
def _results(name: str) -> tuple[Any, Any, Any]:
    case = pg.cases.load(name)
    return case.solve(), case.check(samples=SAMPLES), case.backtest(samples=SAMPLES)


@pytest.mark.parametrize("name", CASES)
def test_case_figures_show_every_series_they_name(name):
    figures = plot.case_figures(*_results(name))
    assert {"robustness"} <= {f.stem for f in figures}
    for figure in figures:
        assert len(figure.caption) > 80, figure.stem
        assert "Read" in figure.caption, f"{figure.stem}: the caption says what to read"
        assert re.search(r"\d", figure.alt), f"{figure.stem}: alt text gives the numbers"
        check_figure(figure.figure)


def _case_with(adapter: str) -> str:
    """The first shipped case with ``adapter`` (the cases change; the tests pick by model)."""
    return next(c for c in CASES if adapter in pg.cases.load(c).adapters)


def test_identical_frontiers_share_one_legend_entry():
    from pipeline_games.cases._claims import CaseSolution

    shipped = _results(_case_with("oil_trade"))[0]
    # no shipped case has two epochs with the same joint gain: give the first two epochs
    # the same outcome (the situation the figure must handle)
    outputs = dict(shipped.outputs)
    first, second = shipped.case.years[:2]
    outputs[second] = dict(outputs[first])
    solution = CaseSolution(shipped.case, outputs, shipped.method)
    surpluses = [solution.outputs[y]["surplus"] for y in solution.case.years]
    equal = [y for y, s in zip(solution.case.years, surpluses, strict=True) if s == surpluses[0]]
    assert len(equal) > 1  # the situation the figure must handle
    fig = plot.frontier_figure(solution)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    frontier = [label for label in labels if label.startswith("frontier")]
    assert len(frontier) == len(set(surpluses))
    assert f"frontier {', '.join(str(y) for y in equal)}" in frontier
    check_figure(fig)


@pytest.mark.parametrize("adapter", ["oil_trade", "supply_network"])
def test_outside_option_markers_are_not_cut_at_the_axes(adapter):
    solution = _results(_case_with(adapter))[0]
    names = report.bargaining_quantities(solution.case)
    fig = plot.frontier_figure(solution)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for year in solution.case.years:
        out = solution.outputs[year]
        x, y = out[names.buyer_outside_option], out[names.seller_outside_option]
        # strictly inside, with room for the marker's half-width
        assert x0 < x < x1
        assert y0 < y < y1
        assert x - x0 > 0.01 * (x1 - x0)
        assert y - y0 > 0.01 * (y1 - y0)
    plt.close(fig)


def test_network_figure_keeps_equal_shares_apart_and_lists_both_concepts():
    case = pg.cases.load("china-turkmenistan-gas")
    fig = plot.network_figure(case)
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    path = __import__("pipeline_games.cases._transit", fromlist=["network_path"]).network_path(case)
    for player in path.players:
        assert f"{player}, Shapley" in labels
        assert f"{player}, nucleolus" in labels
    lines = dict(zip(labels, handles, strict=True))
    shares = path.shares("shapley")
    # some countries have equal shares (the reason for the dodge) ...
    first, second = path.players.index("Turkmenistan"), path.players.index("Uzbekistan")
    assert shares[0, first] == pytest.approx(shares[0, second])
    # ... and are drawn at different places
    a = lines["Turkmenistan, Shapley"].get_xydata()[0]
    b = lines["Uzbekistan, Shapley"].get_xydata()[0]
    assert a[1] == pytest.approx(b[1])
    assert a[0] != b[0]
    check_figure(fig)


def test_route_regions_legend_lists_only_outcomes_that_appear():
    from pipeline_games.cases._adapters import ROUTE_OUTCOMES
    from pipeline_games.cases._games import espo_route_regions

    case = pg.cases.load("china-russia-oil")
    fig = plot.route_regions_figure(case, 2009, num=21)
    labels = _legend_texts(fig)
    appearing = set()
    args = case.adapter_arguments("route_choice", case.epoch_values(case.base, 2009))
    from pipeline_games.cases._games import route_game_arguments

    point = {k: float(np.asarray(v)) for k, v in route_game_arguments(args).items()}
    for x in ("oil_price", "kazakh_supply_share"):
        x_range = plot._range_of(case, "route_choice", "oil_price") if x == "oil_price" else (0, 1)
        regions = espo_route_regions(
            point,
            x,
            "russia_discount_rate",
            x_range=x_range,
            y_range=plot._range_of(case, "route_choice", "russia_discount_rate"),
            num=21,
        )
        appearing |= set(np.unique(regions.outcome).tolist())
    assert {label for label in labels if label in ROUTE_OUTCOMES} == appearing
    check_figure(fig)


def test_robustness_figure_draws_the_sampling_error():
    check = pg.cases.load("china-russia-gas").check(samples=64, seed=2)
    fig = plot.robustness_figure(check)
    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    drawn = {}
    for container, label in zip(handles, labels, strict=True):
        if label.startswith("robustness"):
            data = container.lines[0].get_xydata()
            bars = container.lines[2][0].get_segments()
            for (x, row), segment in zip(data, bars, strict=True):
                drawn[round(row)] = (x, segment[1][0] - x)
    for row, result in enumerate(check.results):
        if math.isfinite(result.robustness):
            x, half_width = drawn[row]
            assert x == pytest.approx(result.robustness)
            expected = math.sqrt(
                result.robustness * (1 - result.robustness) / (result.defined * 64)
            )
            assert half_width == pytest.approx(expected)
    plt.close(fig)


def test_backtest_figure_has_one_axis_per_point_in_its_unit(tmp_path):
    case = _case_with_backtest(tmp_path)
    backtest = case.backtest(samples=SAMPLES)
    fig = plot.backtest_figure(backtest)
    assert len(fig.axes) == len(backtest.rows) == 2
    assert fig.axes[0].get_xlabel() == "epoch[2014].net_price (USD/kcm)"
    assert fig.axes[1].get_xlabel() == "agreement_year (year)"
    check_figure(fig)


# -- the reports --------------------------------------------------------------------------
def _without_backtest(name: str) -> str:
    """The shipped case file's text without its [[backtest]] tables."""
    source = pg.cases.case_path(name).read_text(encoding="utf-8")
    return re.sub(r"(?ms)^\[\[backtest\]\]\n.*?(?=^\[|\Z)", "", source)


def _case_with_backtest(folder: Path) -> Any:
    """china-russia-gas with exactly the two backtest points of BACKTEST."""
    path = folder / "china-russia-gas.toml"
    path.write_text(_without_backtest("china-russia-gas") + BACKTEST, encoding="utf-8")
    return pg.cases.load(path)


def _case_without_backtest(name: str, folder: Path) -> Any:
    path = folder / f"{name}.toml"
    path.write_text(_without_backtest(name), encoding="utf-8")
    case = pg.cases.load(path)
    assert not case.backtest_points
    return case


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    with_points = _case_with_backtest(tmp_path_factory.mktemp("case"))
    reports = {
        "china-russia-gas": report.write_case_report(with_points, folder, samples=SAMPLES),
        "china-turkmenistan-gas": report.write_case_report(
            _case_without_backtest(
                "china-turkmenistan-gas", tmp_path_factory.mktemp("no-backtest")
            ),
            folder,
            samples=SAMPLES,
        ),
    }
    return folder, reports


def _sections(markdown: str) -> list[str]:
    return re.findall(r"^#+ (.+)$", markdown, flags=re.M)


def test_markdown_and_html_come_from_one_template(written):
    folder, _ = written
    for name in ("china-russia-gas", "china-turkmenistan-gas"):
        markdown = (folder / f"{name}.md").read_text(encoding="utf-8")
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        headings = re.findall(r"<h\d>(.+?)</h\d>", page)
        assert [html.unescape(h) for h in headings] == _sections(markdown)
        assert _sections(markdown)[1:5] == ["Claims", "Backtest", "Outcome per epoch",
                                            "Other models per epoch"]  # fmt: skip
        # HTML paragraphs stay separate: no blank line inside a paragraph
        for paragraph in re.findall(r"<p>(.*?)</p>", page, flags=re.S):
            assert "\n\n" not in paragraph
        # (figures are <figure> blocks, not paragraphs: their lines do not count)
        text = re.sub(r"(?m)^(!\[.*|\*Figure \d+\.\*.*)\n\n", "", markdown)
        assert page.count("<p>") >= text.count("\n\n") // 4


def test_report_claims_table_columns_and_numbers(written):
    folder, reports = written
    markdown = (folder / "china-russia-gas.md").read_text(encoding="utf-8")
    check = reports["china-russia-gas"].check
    header = (
        "| claim | verdict at base values | robustness (share of defined samples where it "
        "holds, ± 1 s.e.) | share of samples where defined (± 1 s.e.) | share of samples "
        "with no deal (± 1 s.e.) | the test at the base values |"
    )
    assert header in markdown
    for result in check.results:
        row = next(
            line for line in markdown.splitlines() if line.startswith(f"| {result.claim.id} |")
        )
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == result.verdict
        if math.isfinite(result.robustness):
            assert cells[2] == f"{result.robustness:.2f} ± {result.robustness_error:.2f}"
        n = check.samples  # the binomial standard error over all samples, written out
        defined_error = math.sqrt(result.defined * (1 - result.defined) / n)
        no_deal_error = math.sqrt(result.no_deal * (1 - result.no_deal) / n)
        assert cells[3] == f"{result.defined:.2f} ± {defined_error:.2f}"
        assert cells[4] == f"{result.no_deal:.2f} ± {no_deal_error:.2f}"
    assert "left-hand side (left)" in markdown
    assert "derivative" in markdown


def test_report_outcome_headers_are_words_with_units(tmp_path):
    # a case whose bargaining reports binding outside options and has the regime model
    name = next(c for c in CASES if {"oil_trade", "regime"} <= set(pg.cases.load(c).adapters))
    case = pg.cases.load(name)
    report.write_case_report(case, tmp_path, samples=SAMPLES)
    markdown = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
    unit = quantity_unit(case, "price")
    assert unit == case.parameters[case.mapping["oil_trade"]["buyer_value"]].unit
    outcome = markdown.split("## Outcome per epoch")[1].split("###")[0]
    header = next(line for line in outcome.splitlines() if line.startswith("| epoch (year)"))
    assert f"price ({unit})" in header
    assert "China's outside option (USD bn/yr)" in header
    assert "buyer_outside_option" not in header
    assert "_" not in header
    assert "Binding outside option:" in outcome  # the codes in words
    assert "Regime flags:" in markdown  # what the dependence flags mean


def test_report_says_why_an_epoch_changes_nothing(written):
    folder, reports = written
    solution = reports["china-turkmenistan-gas"].case.solve()
    notes = report.unchanged_epochs(solution)
    markdown = (folder / "china-turkmenistan-gas.md").read_text(encoding="utf-8")
    for note in notes:
        assert note in markdown
    # the regime model reads no parameter the 2009 epoch sets
    assert any(n.startswith("2009: the regime outcome") and "feeds" in n for n in notes)


def test_unchanged_bargaining_outcome_says_the_moved_option_does_not_bind():
    from pipeline_games.cases._claims import CaseSolution

    # no shipped case keeps its bargaining outcome across epochs: give the second epoch of
    # an oil_trade case the first one's outcome, with a larger non-binding buyer option
    shipped = _results(_case_with("oil_trade"))[0]
    first, second = shipped.case.years[:2]
    outputs = dict(shipped.outputs)
    assert int(outputs[first]["binding"]) == 0
    moved = dict(outputs[first])
    moved["buyer_outside_option"] = 0.5 * outputs[first]["buyer_payoff"] + 0.01
    outputs[second] = moved
    notes = report.unchanged_epochs(CaseSolution(shipped.case, outputs, shipped.method))
    bargaining = [n for n in notes if n.startswith(f"{second}: the bargaining outcome")]
    assert bargaining
    assert "outside option moves" in bargaining[0]
    assert "does not bind" in bargaining[0]


def test_report_backtest_table_score_and_figure(written):
    folder, reports = written
    backtest = reports["china-russia-gas"].backtest
    markdown = (folder / "china-russia-gas.md").read_text(encoding="utf-8")
    section = markdown.split("## Backtest")[1].split("## ")[0]
    assert "| backtest point | model at base values | model 5-95% range over the samples" in section
    for row in backtest.rows:
        assert f"| {row.point.id} |" in section
    assert f"Score: {backtest.inside} of 2 points inside" in section
    assert "china-russia-gas-backtest.png" in markdown
    assert (folder / "china-russia-gas-backtest.svg").stat().st_size > 1000
    turkmen = (folder / "china-turkmenistan-gas.md").read_text(encoding="utf-8")
    assert "This case has no backtest points" in turkmen.split("## Backtest")[1].split("## ")[0]


def test_report_figures_have_alt_text_and_captions(written):
    folder, reports = written
    for name, result in reports.items():
        markdown = (folder / f"{name}.md").read_text(encoding="utf-8")
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        images = re.findall(r"!\[([^\]]+)\]\(([^)]+\.png)\)", markdown)
        alts = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page)
        pngs = [p for p in result.paths if p.suffix == ".png"]
        assert len(images) == len(alts) == len(pngs) >= 3
        for (alt, file), html_alt in zip(images, alts, strict=True):
            assert (folder / file).stat().st_size > 1000
            assert len(alt) > 30
            assert html.unescape(html_alt).startswith(alt[:20])
        assert markdown.count("*Figure ") == len(images)
        assert page.count("<figcaption>") == len(images)


def test_report_sources_by_bibliography_key(written):
    folder, reports = written
    case = reports["china-russia-gas"].case
    markdown = (folder / "china-russia-gas.md").read_text(encoding="utf-8")
    section = markdown.split("## Sources")[1]
    keys = {c.source for c in case.claims} | {
        p.source for p in case.parameters.values() if p.source
    }
    for key in keys:
        reference = cite(key).replace("|", "\\|")
        assert f"| {key} | {reference} |" in section


def test_html_escapes_text_and_markdown_escapes_pipes():
    context = {
        "title": "a | b < c",
        "notes": ["x < y & z"],
        "links": [{"link": "a.html", "text": "a"}],
        "claims_notes": [],
        "claims_header": ["h|1"],
        "claims_rows": [["v|1"]],
        "backtest_header": ["b"],
        "backtest_rows": [],
        "backtest_notes": [],
    }
    page = report.render("index.j2", context, "html")
    assert "<title>a | b &lt; c</title>" in page
    assert "<p>x &lt; y &amp; z</p>" in page
    markdown = report.render("index.j2", context, "md")
    assert "| h\\|1 |" in markdown
    assert "| v\\|1 |" in markdown
    assert "- [a](a.html)" in markdown


def test_quantity_labels_name_their_unit():
    case = pg.cases.load("china-russia-oil")
    for quantity in ("surplus", "buyer_payoff", "price", "russia_route_payoff", "buyer_share"):
        assert UNIT.search(report.quantity_label(case, quantity)), quantity
    assert report.quantity_label(case, "price") == "price (USD/bbl)"


def test_figures_are_made_outside_pyplot():
    # library figures must not pile up in pyplot's registry (nothing for the caller to close)
    before = plt.get_fignums()
    figures = plot.case_figures(*_results("china-russia-oil"))
    assert plt.get_fignums() == before
    assert all(f.figure.canvas.get_renderer() is not None for f in figures)


def test_backtest_alt_text_prints_years_in_full():
    from pipeline_games.cases import case_figures, load

    case = load("china-russia-gas")
    figures = case_figures(case.solve(), case.check(samples=0), case.backtest(samples=8))
    alt = next(f.alt for f in figures if f.stem == "backtest")
    assert "agreement-year: model 20" in alt
    assert "e+03" not in alt
