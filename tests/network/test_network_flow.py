"""The welfare-maximising flow: merit order with re-dispatch against linear programming."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_games.network import Market, Producer, Route, SupplyNetwork, _flow, flow
from pipeline_games.network._flow import Flattened, _ssp, _ssp_masks, surplus_for_masks

needs_numba = pytest.mark.skipif(_flow.numba is None, reason="numba (the fast extra) absent")


def random_network(seed: int, points: int = 1) -> SupplyNetwork:
    """A random bipartite network: 1-4 producers (some a fringe), 1-3 markets, 1-7 routes."""
    rng = np.random.default_rng(seed)
    size = () if points == 1 else (points,)
    n_p, n_m = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    producers = [
        Producer(
            f"P{i}",
            capacity=rng.uniform(1, 30, size),
            cost=rng.uniform(0, 20, size),
            fringe=bool(i == 3),
        )
        for i in range(n_p)
    ]
    markets = []
    for j in range(n_m):
        n_s = int(rng.integers(1, 4))
        values = -np.sort(-rng.uniform(0, 60, (n_s, *size)), axis=0)
        markets.append(
            Market(f"M{j}", steps=[(rng.uniform(1, 20, size), values[k]) for k in range(n_s)])
        )
    routes = [
        Route(
            f"r{k}",
            (f"P{rng.integers(n_p)}", f"M{rng.integers(n_m)}"),
            capacity=rng.uniform(0, 25, size),
            cost=rng.uniform(0, 10, size),
        )
        for k in range(int(rng.integers(1, 8)))
    ]
    return SupplyNetwork(producers, markets, routes)


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_merit_order_matches_linear_programming(seed: int) -> None:
    net = random_network(seed)
    rng = np.random.default_rng(seed + 1)
    masks = rng.random((3, len(net.routes))) < 0.8
    merit = surplus_for_masks(net, masks, "merit")
    lp = surplus_for_masks(net, masks, "lp")
    np.testing.assert_allclose(merit, lp, rtol=1e-9, atol=1e-9 * np.abs(lp).max(initial=1.0))


def test_merit_order_matches_linear_programming_over_many_points() -> None:
    for seed in range(5):
        net = random_network(seed, points=40)
        merit = flow(net, method="merit")
        lp = flow(net, method="lp")
        np.testing.assert_allclose(merit.surplus, lp.surplus, rtol=1e-9, atol=1e-9)
        assert merit.surplus.shape == (40,)
        assert merit.flows.shape == (40, len(net.routes))


def test_re_dispatch_beats_greedy() -> None:
    """Greedy by margin sends P1 to the richer market M1 and strands P2; the optimum moves
    P1 to M2 (margin 9) and lets P2 serve M1 (margin 5): 14, not 10."""
    net = SupplyNetwork(
        [Producer("P1", capacity=1.0), Producer("P2", capacity=1.0, cost=5.0)],
        [Market("M1", price=10.0, capacity=1.0), Market("M2", price=9.0, capacity=1.0)],
        [
            Route("a", ("P1", "M1"), 1.0),
            Route("b", ("P1", "M2"), 1.0),
            Route("c", ("P2", "M1"), 1.0),
        ],
    )
    result = flow(net, method="merit")
    assert float(result.surplus) == pytest.approx(14.0)
    np.testing.assert_allclose(result.flows, [0.0, 1.0, 1.0])


def test_merit_order_by_hand_with_fringes_and_transit() -> None:
    # Buyer C values 30 units at 100, then 20 more at 40; Producer A (cost 20, 25 units)
    # over Transit B (route cost 10); LNG fringe at 70 (up to 10 units); A may sell the rest
    # to a fringe market at 35.
    net = SupplyNetwork(
        [
            Producer("Producer A", capacity=25.0, cost=20.0),
            Producer("LNG", capacity=10.0, cost=70.0, fringe=True),
        ],
        [
            Market("Buyer C", steps=[(30.0, 100.0), (20.0, 40.0)]),
            Market("Export", price=35.0, fringe=True),
        ],
        [
            Route("pipe", ("Producer A", "Transit B", "Buyer C"), 40.0, cost=10.0),
            Route("lng", ("LNG", "Buyer C"), 10.0),
            Route("west", ("Producer A", "Export"), 40.0),
        ],
        transit=["Transit B"],
    )
    # A's 25 units go to C at margin 70; LNG fills 5 more at 30; export gets nothing (A full)
    expected = 25 * 70.0 + 5 * 30.0
    for method in ("merit", "lp"):
        assert float(flow(net, method=method).surplus) == pytest.approx(expected)
    # without the transit agreement, A exports 25 at 15 and C buys 10 LNG at 30
    without = [a for a in net.agreement_names if not a.startswith("Transit B")]
    assert float(flow(net, agreements=without).surplus) == pytest.approx(25 * 15.0 + 10 * 30.0)
    assert float(flow(net, routes=["lng"]).surplus) == pytest.approx(300.0)


def test_in_year_drops_routes_not_yet_open() -> None:
    net = SupplyNetwork(
        [Producer("P", cost=1.0)],
        [Market("B", price=3.0)],
        [Route("old", ("P", "B"), 1.0), Route("new", ("P", "B"), 2.0, opens=2019)],
    )
    assert float(flow(net.in_year(2018)).surplus) == pytest.approx(2.0)
    assert float(flow(net.in_year(2019)).surplus) == pytest.approx(6.0)


def test_transit_capacity_uses_linear_programming() -> None:
    net = SupplyNetwork(
        [Producer("P", cost=1.0)],
        [Market("B1", price=3.0), Market("B2", price=2.0)],
        [Route("a", ("P", "T", "B1"), 5.0), Route("b", ("P", "T", "B2"), 5.0)],
        transit=["T"],
        transit_capacity={"T": 7.0},
    )
    assert float(flow(net).surplus) == pytest.approx(5 * 2.0 + 2 * 1.0)


def numpy_flows(net: SupplyNetwork, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flows ``(K, n, R)`` and ``ok`` by the numpy `_ssp` (the oracle of the kernel)."""
    flat = Flattened(net)
    c = flat.block(0, flat.size)
    k, n_routes = masks.shape
    available = np.broadcast_to(masks[:, None, :], (k, c.n, n_routes)).reshape(-1, n_routes)
    x, ok = _ssp(c.repeat(k), available)
    return x.reshape(k, c.n, n_routes), ok.reshape(k, c.n)


def kernel_flows(net: SupplyNetwork, masks: np.ndarray, compiled: bool = True):
    flat = Flattened(net)
    return _ssp_masks(flat.block(0, flat.size), masks, compiled=compiled)


@needs_numba
@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1))
def test_compiled_kernel_takes_the_same_steps_as_numpy(seed: int) -> None:
    """The kernel runs `_ssp`'s steps one problem at a time: the same flows (to rounding;
    in practice bit for bit) and the same points finished."""
    net = random_network(seed, points=30)
    masks = np.random.default_rng(seed + 1).random((4, len(net.routes))) < 0.8
    x_numpy, ok_numpy = numpy_flows(net, masks)
    x_kernel, ok_kernel = kernel_flows(net, masks)
    np.testing.assert_array_equal(ok_kernel, ok_numpy)
    scale = max(float(np.abs(x_numpy).max(initial=0.0)), 1.0)
    np.testing.assert_allclose(x_kernel, x_numpy, rtol=0.0, atol=1e-12 * scale)


def test_interpreted_kernel_takes_the_same_steps_as_numpy() -> None:
    """The kernel's source, run by the interpreter (no numba needed), on small inputs."""
    for seed in range(4):
        net = random_network(seed, points=3)
        masks = np.random.default_rng(seed + 1).random((2, len(net.routes))) < 0.8
        x_numpy, ok_numpy = numpy_flows(net, masks)
        x_kernel, ok_kernel = kernel_flows(net, masks, compiled=False)
        np.testing.assert_array_equal(ok_kernel, ok_numpy)
        np.testing.assert_allclose(x_kernel, x_numpy, rtol=0.0, atol=1e-12 * 30.0)


@needs_numba
@settings(max_examples=40)
@given(st.integers(0, 2**32 - 1))
def test_compiled_path_matches_linear_programming(seed: int) -> None:
    """Through `surplus_for_masks` with the kernel forced on, against HiGHS per point."""
    net = random_network(seed, points=4)
    masks = np.random.default_rng(seed + 1).random((3, len(net.routes))) < 0.8
    saved = _flow.NUMBA_MIN_ROWS
    _flow.NUMBA_MIN_ROWS = 0
    try:
        merit = surplus_for_masks(net, masks, "merit")
    finally:
        _flow.NUMBA_MIN_ROWS = saved
    lp = surplus_for_masks(net, masks, "lp")
    np.testing.assert_allclose(merit, lp, rtol=1e-9, atol=1e-9 * np.abs(lp).max(initial=1.0))


@needs_numba
@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.floats(-12, 12))
def test_compiled_kernel_is_scale_free(seed: int, exponent: float) -> None:
    """All money times any factor in 1e-12..1e12: the same flows (1e-9 relative)."""
    net = random_network(seed, points=20)
    factor = 10.0**exponent
    scaled = SupplyNetwork(
        [Producer(p.name, p.capacity, p.cost * factor, p.fringe) for p in net.producers],
        [Market(m.name, steps=[(v, w * factor) for v, w in m.steps]) for m in net.markets],
        [Route(r.name, r.path, r.capacity, cost=r.cost * factor) for r in net.routes],
    )
    masks = np.ones((1, len(net.routes)), dtype=bool)
    x, ok = kernel_flows(net, masks)
    x_scaled, ok_scaled = kernel_flows(scaled, masks)
    assert ok.all()
    assert ok_scaled.all()
    np.testing.assert_allclose(x_scaled, x, rtol=0.0, atol=1e-9 * max(np.abs(x).max(), 1.0))


def test_routes_without_capacity_do_not_multiply_the_problems() -> None:
    """Masks that differ only in routes of capacity 0 are solved once, with the same result
    as solving each; the LP agrees."""
    net = SupplyNetwork(
        [Producer("P1", capacity=5.0, cost=1.0), Producer("P2", capacity=5.0, cost=2.0)],
        [Market("B", steps=[(6.0, 10.0), (6.0, 4.0)])],
        [
            Route("a", ("P1", "B"), [5.0, 3.0]),
            Route("idle", ("P2", "B"), 0.0),
            Route("b", ("P2", "B"), [5.0, 4.0]),
        ],
    )
    masks = np.array([[1, 1, 1], [1, 0, 1], [0, 1, 1], [0, 0, 1]], dtype=bool)
    flat = Flattened(net)
    unique, inverse = _flow.live_masks(flat.block(0, flat.size), masks)
    assert unique.shape[0] == 2
    np.testing.assert_array_equal(inverse, [1, 1, 0, 0])
    merit = surplus_for_masks(net, masks, "merit")
    lp = surplus_for_masks(net, masks, "lp")
    # by hand, all open: point 0: P1 5 units at 9, P2 1 unit at 8 and 4 more at 2 -> 61;
    # point 1: P1 3 at 9, P2 3 at 8 and 1 more at 2 -> 53; without a: P2 alone, 5 x 8 and
    # 4 x 8
    expected = [[61.0, 53.0], [61.0, 53.0], [40.0, 32.0], [40.0, 32.0]]
    np.testing.assert_allclose(merit, expected)
    np.testing.assert_allclose(lp, expected)
