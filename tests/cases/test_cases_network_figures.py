"""The supply-network figures of the reports: the network of each epoch (flows, who pays
whom) and each country's share under Nash-in-Nash and under the Shapley value.

The numbers the figures draw come from `network_flows` and `share_comparison`; these are
checked against the results they read (flows, payments), against closed forms on small
networks, against what the case's ``supply_network`` adapter reports (so the figures show
the case's own numbers), and for their accounting identities. The numbers of the shipped
cases move as the model is refined: the tests check structure and consistency, not values.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import itertools

import matplotlib.image

import pipeline_games as pg
from pipeline_games.cases import _plot as plot
from pipeline_games.cases import _report as report
from pipeline_games.errors import InvalidParameterError
from pipeline_games.network import (
    Market,
    Producer,
    Route,
    SupplyNetwork,
    cooperative,
    nash_in_nash,
)

NETWORK_CASES = [c for c in pg.cases.list_cases() if "supply_network" in pg.cases.load(c).adapters]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _two_routes(cost_q: float = 40.0, scale: float = 1.0) -> SupplyNetwork:
    """P sells to B directly; Q only across transit state T, at unit cost ``cost_q``."""
    return SupplyNetwork(
        [
            Producer("P", capacity=5.0, cost=10.0 * scale),
            Producer("Q", capacity=5.0, cost=cost_q * scale),
        ],
        [Market("B", steps=[(5.0, 50.0 * scale), (5.0, 30.0 * scale)])],
        [Route("p", ("P", "B"), 5.0), Route("q", ("Q", "T", "B"), 5.0)],
        transit=["T"],
    )


def _how_to_network() -> SupplyNetwork:
    """The network of docs/how-to/supply-network.md: two lines, two transit states, fringes."""
    return SupplyNetwork(
        producers=[
            Producer("Producer A", capacity=60.0, cost=40.0),
            Producer("LNG", capacity=30.0, cost=320.0, fringe=True),
        ],
        markets=[
            Market("Buyer C", steps=[(40.0, 400.0), (30.0, 250.0)]),
            Market("Export", price=180.0, capacity=20.0, fringe=True),
        ],
        routes=[
            Route("north", ("Producer A", "Transit B", "Buyer C"), capacity=30.0, cost=25.0),
            Route("south", ("Producer A", "Transit D", "Buyer C"), capacity=25.0, cost=35.0),
            Route("lng", ("LNG", "Buyer C"), capacity=30.0),
            Route("west", ("Producer A", "Export"), capacity=20.0, cost=20.0),
        ],
        transit=["Transit B", "Transit D"],
    )


# -- the data the figures draw: small networks ---------------------------------------------
def test_one_seller_one_buyer_pays_the_nash_price():
    # symmetric Nash split of (50 - 10) x 2: price (50 + 10) / 2 = 30, paid by B to S
    net = SupplyNetwork(
        [Producer("S", cost=10.0)], [Market("B", price=50.0)], [Route("r", ("S", "B"), 2.0)]
    )
    flows = plot.network_flows(net, nash_in_nash(net), money=1e-3)
    assert flows.flows.tolist() == [2.0]
    assert (flows.payers, flows.payees, flows.kinds) == (("B",), ("S",), ("supply",))
    assert flows.payments[0] == pytest.approx(60.0 * 1e-3, rel=1e-12)
    assert flows.supply_income[flows.countries.index("S")] == pytest.approx(0.06, rel=1e-12)
    assert flows.paid[flows.countries.index("B")] == pytest.approx(0.06, rel=1e-12)


def test_flows_and_payments_are_the_results():
    net = _how_to_network()
    result = nash_in_nash(net, buyer_weight=0.4)
    flows = plot.network_flows(net, result, money=2.5)
    np.testing.assert_array_equal(flows.flows, result.flows)
    np.testing.assert_allclose(flows.payments, 2.5 * result.price * result.volume, rtol=1e-12)
    assert flows.routes == net.route_names
    assert flows.paths == tuple(r.path for r in net.routes)
    assert flows.capacity.tolist() == [30.0, 25.0, 30.0, 20.0]
    assert set(flows.fringes) == {"LNG", "Export"}
    assert flows.nodes[: len(net.countries)] == net.countries
    # every payment is received by one country and paid by another
    received = flows.supply_income + flows.transit_income
    assert received.sum() == pytest.approx(flows.paid.sum(), rel=1e-12)
    for a, agreement in enumerate(net.agreements):
        assert flows.payers[a] == agreement.payer
        assert flows.payees[a] == agreement.seller
    transit = [i for i, c in enumerate(flows.countries) if c.startswith("Transit")]
    assert np.all(flows.supply_income[transit] == 0.0)


def test_a_transit_state_off_every_used_route_receives_nothing():
    net = _two_routes(cost_q=60.0)  # Q's unit cost is above every unit value: q unused
    result = nash_in_nash(net)
    flows = plot.network_flows(net, result)
    assert flows.flows[flows.routes.index("q")] == 0.0
    assert flows.transit_income[flows.countries.index("T")] == 0.0
    # and one on a used route does receive its fee
    used = plot.network_flows(_two_routes(cost_q=20.0), nash_in_nash(_two_routes(cost_q=20.0)))
    assert used.flows[used.routes.index("q")] > 0.0
    assert used.transit_income[used.countries.index("T")] > 0.0


@settings(max_examples=30)
@given(
    cost_q=st.floats(0.0, 70.0),
    scale=st.sampled_from([1e-12, 1e-6, 1.0, 1e6, 1e12]),
    weight=st.floats(0.05, 0.95),
)
def test_data_are_right_at_every_scale_and_unused_transit_gets_nothing(cost_q, scale, weight):
    base_net = _two_routes(cost_q)
    base = nash_in_nash(base_net, buyer_weight=weight)
    net = _two_routes(cost_q, scale)
    result = nash_in_nash(net, buyer_weight=weight)
    flows = plot.network_flows(net, result)
    base_flows = plot.network_flows(base_net, base)
    np.testing.assert_allclose(flows.flows, base_flows.flows, rtol=1e-9, atol=0.0)
    np.testing.assert_allclose(flows.payments, scale * base_flows.payments, rtol=1e-9, atol=0.0)
    shares = plot.share_comparison(result, cooperative(net))
    base_shares = plot.share_comparison(base, cooperative(base_net))
    np.testing.assert_allclose(shares.nash_in_nash, base_shares.nash_in_nash, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(shares.shapley, base_shares.shapley, rtol=1e-9, atol=1e-12)
    t = flows.countries.index("T")
    if flows.flows[flows.routes.index("q")] == 0.0:
        assert flows.transit_income[t] == 0.0


def test_shares_sum_to_one_and_the_two_views_divide_the_same_surplus():
    net = _how_to_network()
    result, coop = nash_in_nash(net), cooperative(net)
    shares = plot.share_comparison(result, coop, money=1e-3)
    assert shares.deal
    assert shares.countries == net.countries
    assert shares.nash_in_nash.sum() == pytest.approx(1.0, rel=1e-12)
    assert shares.shapley.sum() == pytest.approx(1.0, rel=1e-12)
    assert shares.surplus == pytest.approx(shares.cooperative_surplus, rel=1e-9)
    assert shares.surplus == pytest.approx(1e-3 * float(result.payoff.sum()), rel=1e-12)
    np.testing.assert_allclose(shares.shapley, coop.shapley / coop.surplus, rtol=1e-12)


def test_a_grid_point_is_picked_from_swept_results():
    net = SupplyNetwork(
        [Producer("S", cost=10.0)],
        [Market("B", price=np.array([30.0, 50.0, 90.0]))],
        [Route("r", ("S", "B"), 2.0)],
    )
    result = nash_in_nash(net)
    for k, value in enumerate((30.0, 50.0, 90.0)):
        flows = plot.network_flows(net, result, (k,))
        assert flows.payments[0] == pytest.approx((value + 10.0) / 2.0 * 2.0, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda n, r, c: plot.network_flows(n, nash_in_nash(_two_routes())), "result"),
        (lambda n, r, c: plot.network_flows("net", r), "network"),
        (lambda n, r, c: plot.network_flows(n, r, (0,)), "point"),
        (lambda n, r, c: plot.network_flows(n, r, money=0.0), "money"),
        (lambda n, r, c: plot.network_flows(n, r, money="x"), "money"),
        (lambda n, r, c: plot.share_comparison(r, cooperative(_two_routes())), "cooperative"),
        (lambda n, r, c: plot.share_comparison(c, c), "result"),
        (
            lambda n, r, c: plot.supply_network_figure(n, r, positions={"Buyer C": (0, 0)}),
            "positions",
        ),
        (
            lambda n, r, c: plot.supply_network_figure(
                n, r, positions=dict.fromkeys(plot.network_flows(n, r).nodes, ("a", 1))
            ),
            "positions",
        ),
        (lambda n, r, c: plot.shares_figure({}), "panels"),
        (lambda n, r, c: plot.shares_figure({"x": 1}), "panels"),
    ],
)
def test_bad_input_names_the_parameter(call, word):
    net = _how_to_network()
    with pytest.raises(InvalidParameterError, match=word):
        call(net, nash_in_nash(net), cooperative(net))


# -- the layout ----------------------------------------------------------------------------
def _distance_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    d = b - a
    t = min(1.0, max(0.0, float(np.dot(p - a, d) / np.dot(d, d))))
    return float(np.hypot(*(p - (a + t * d))))


@pytest.mark.parametrize("name", ["eurasian-gas", "eurasian-oil"])
def test_layout_is_deterministic_and_no_edge_crosses_a_node(name):
    epoch = plot.supply_network_epochs(pg.cases.load(name))[-1]
    flows = plot.network_flows(epoch.network, epoch.result)
    layout = plot.network_layout(flows.nodes, flows.paths)
    assert layout == plot.network_layout(flows.nodes, flows.paths)
    assert set(layout) == set(flows.nodes)
    points = {n: np.array(xy) for n, xy in layout.items()}
    for path in flows.paths:
        for a, b in itertools.pairwise(path):
            for other, p in points.items():
                if other not in (a, b):
                    assert _distance_to_segment(p, points[a], points[b]) > 0.1, (a, b, other)


def test_given_positions_are_used_after_scaling():
    net = _two_routes()
    result = nash_in_nash(net)
    # longitude/latitude-like coordinates: the drawing scales them into its frame
    given_xy = {"P": (60.0, 40.0), "Q": (58.0, 38.0), "T": (64.0, 41.0), "B": (100.0, 40.0)}
    fig = plot.supply_network_figure(net, result, positions=given_xy)
    drawn = fig.axes[0].collections[0].get_offsets()
    xs = np.array([given_xy[n][0] for n in ("P", "Q", "T", "B")])
    ys = np.array([given_xy[n][1] for n in ("P", "Q", "T", "B")])
    centre = np.array([(xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2])
    half = max(xs.max() - xs.min(), ys.max() - ys.min()) / 2
    players = list(plot.network_flows(net, result).nodes)
    expected = np.array([(np.array(given_xy[n]) - centre) / half for n in players])
    np.testing.assert_allclose(np.asarray(drawn), expected, rtol=1e-12, atol=1e-12)


# -- the figures draw the data -------------------------------------------------------------
def test_network_figure_labels_and_widths_follow_the_flows():
    net = _how_to_network()
    result = nash_in_nash(net)
    flows = plot.network_flows(net, result)
    fig = plot.supply_network_figure(net, result, volume_unit="bcm/yr", money_unit="USD m/yr")
    left, right = fig.axes
    lines = {
        line.get_label(): line for line in left.get_lines() if not line.get_label().startswith("_")
    }
    widths = {}
    for route, flow in zip(flows.routes, flows.flows, strict=True):
        label = next(k for k in lines if k.startswith(f"{route}: "))
        assert label.startswith(f"{route}: {plot._fmt(float(flow))} bcm/yr")
        widths[route] = lines[label].get_linewidth()
    used = [r for r, f in zip(flows.routes, flows.flows, strict=True) if f > 0]
    ordered = sorted(used, key=lambda r: flows.flows[flows.routes.index(r)])
    assert [widths[r] for r in ordered] == sorted(widths[r] for r in ordered)
    # one arrow per agreement with a payment, labelled with its amount
    texts = [t.get_text() for t in right.texts]
    for amount in flows.payments[flows.payments > 0]:
        assert plot._fmt(float(amount)) in texts
    paying = right.get_lines()
    assert len(paying) == int((flows.payments != 0).sum())


def test_shares_figure_bars_are_the_shares():
    net = _how_to_network()
    panels = {
        year: plot.share_comparison(nash_in_nash(n), cooperative(n))
        for year, n in ((2010, net.in_year(2010)), (2020, net))
    }
    fig = plot.shares_figure(panels, money_unit="USD m/yr")
    assert len(fig.axes) == 2
    for ax, panel in zip(fig.axes, panels.values(), strict=True):
        heights = [p.get_height() for p in ax.patches]
        n = len(panel.countries)
        np.testing.assert_allclose(heights[:n], panel.nash_in_nash, rtol=1e-12)
        np.testing.assert_allclose(heights[n : 2 * n], panel.shapley, rtol=1e-12)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(panel.countries)


# -- the shipped network cases ---------------------------------------------------------------
@cache
def _epochs(name: str) -> tuple[Any, ...]:
    return tuple(plot.supply_network_epochs(pg.cases.load(name)))


@cache
def _solution(name: str) -> Any:
    return pg.cases.load(name).solve()


@pytest.mark.parametrize("name", NETWORK_CASES)
def test_case_figures_read_the_adapters_results(name):
    case = pg.cases.load(name)
    spec = case.supply_network
    solution = _solution(name)
    epochs = _epochs(name)
    assert [e.year for e in epochs] == list(case.years)
    for epoch in epochs:
        out = solution.outputs[epoch.year]
        countries = epoch.result.countries
        payoff = epoch.result.payoff * epoch.money
        for role in ("buyer", "seller"):
            country = getattr(spec.focus, role)
            assert float(payoff[countries.index(country)]) == pytest.approx(
                float(out[f"net_{role}_payoff"]), rel=1e-9, abs=1e-12
            )
            assert float(epoch.cooperative.share[countries.index(country)]) == pytest.approx(
                float(out[f"net_{role}_shapley_share"]), rel=1e-9, abs=1e-12
            )
        assert float(epoch.result.surplus) * epoch.money == pytest.approx(
            float(out["net_surplus"]), rel=1e-9
        )
        if spec.focus.transit:
            rent = sum(float(payoff[countries.index(c)]) for c in spec.focus.transit)
            assert rent == pytest.approx(float(out["net_transit_payoff"]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", ["eurasian-gas", "eurasian-oil"])
def test_case_shares_and_transit_payments_are_consistent(name):
    idle_transit = 0
    for epoch in _epochs(name):
        shares = plot.share_comparison(epoch.result, epoch.cooperative, money=epoch.money)
        if shares.deal:
            assert shares.nash_in_nash.sum() == pytest.approx(1.0, rel=1e-9)
            assert shares.shapley.sum() == pytest.approx(1.0, rel=1e-9)
            assert shares.surplus == pytest.approx(shares.cooperative_surplus, rel=1e-9)
        flows = plot.network_flows(epoch.network, epoch.result, money=epoch.money)
        scale = float(np.abs(flows.flows).max())
        for i, country in enumerate(flows.countries):
            crossed = [
                r
                for r, path in enumerate(flows.paths)
                if country in path[1:-1] and abs(flows.flows[r]) > 1e-9 * scale
            ]
            if country in epoch.network.transit and not crossed:
                idle_transit += 1
                assert flows.transit_income[i] == 0.0, (epoch.year, country)
    if name == "eurasian-gas":
        assert idle_transit > 0  # line D's transit states before it opens: not vacuous


@pytest.mark.parametrize("name", NETWORK_CASES)
def test_every_epoch_has_a_network_figure_and_one_shares_figure(name):
    case = pg.cases.load(name)
    stems = [f.stem for f in plot.supply_network_figures(case)]
    assert stems == [*(f"supply_network_{y}" for y in case.years), "nin_shapley_shares"]


# -- the report ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def oil_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oil-report")
    return folder, report.write_case_report(pg.cases.load("eurasian-oil"), folder, samples=4)


def test_report_writes_and_references_a_network_figure_per_epoch(oil_report):
    folder, written = oil_report
    case = written.case
    markdown = (folder / "eurasian-oil.md").read_text(encoding="utf-8")
    page = (folder / "eurasian-oil.html").read_text(encoding="utf-8")
    images = {file: alt for alt, file in re.findall(r"!\[([^\]]+)\]\(([^)]+\.png)\)", markdown)}
    stems = [f"supply_network_{y}" for y in case.years] + ["nin_shapley_shares"]
    for stem in stems:
        png = folder / f"eurasian-oil-{stem}.png"
        assert png in written.paths
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        pixels = matplotlib.image.imread(png)
        assert pixels.ndim == 3
        assert pixels.shape[0] > 300
        assert pixels.shape[1] > 300
        assert pixels.std() > 0.01  # not a blank picture
        assert (folder / f"eurasian-oil-{stem}.svg").read_text(encoding="utf-8").startswith("<?xml")
        alt = images[png.name]
        assert len(alt) > 40
        assert re.search(r"\d", alt)
    for year in case.years:
        assert (
            f"Supply network in {year} at base values"
            in images[f"eurasian-oil-supply_network_{year}.png"]
        )
    # the HTML embeds every figure with its alt text
    alts = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page)
    assert sum("Supply network in" in a for a in alts) == len(case.years)
    assert any(a.startswith("Shares by epoch (Nash-in-Nash / Shapley)") for a in alts)


def test_report_alt_text_gives_the_flows_and_payments(oil_report):
    folder, _ = oil_report
    markdown = (folder / "eurasian-oil.md").read_text(encoding="utf-8")
    epoch = _epochs("eurasian-oil")[-1]
    flows = plot.network_flows(epoch.network, epoch.result, money=epoch.money)
    alt = re.search(rf"!\[(Supply network in {epoch.year}[^\]]+)\]", markdown).group(1)
    for route, flow in zip(flows.routes, flows.flows, strict=True):
        assert f"{route} {plot._fmt(float(flow))}" in alt
    for payer, payee, amount in zip(flows.payers, flows.payees, flows.payments, strict=True):
        if amount > 0:
            assert f"{payer} pays {payee} {plot._fmt(float(amount))}" in alt


def test_figures_are_written_atomically(oil_report, monkeypatch):
    folder, _ = oil_report
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    target = folder / "eurasian-oil-nin_shapley_shares.png"
    before = target.read_bytes()

    def fail(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        report._write_atomically(target, b"half")
    assert target.read_bytes() == before  # the old file, whole
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_nin_and_shapley_shares_per_epoch_in_alt_text(oil_report):
    folder, _ = oil_report
    markdown = (folder / "eurasian-oil.md").read_text(encoding="utf-8")
    alt = re.search(r"!\[(Shares by epoch[^\]]+)\]", markdown).group(1)
    for epoch in _epochs("eurasian-oil"):
        shares = plot.share_comparison(epoch.result, epoch.cooperative)
        part = alt.split(f"{epoch.year}: ")[1].split(";")[0]
        for i, country in enumerate(shares.countries):
            nin, shapley = float(shares.nash_in_nash[i]), float(shares.shapley[i])
            assert f"{country} {plot._fmt(nin)} / {plot._fmt(shapley)}" in part
            assert math.isfinite(nin)
            assert math.isfinite(shapley)
