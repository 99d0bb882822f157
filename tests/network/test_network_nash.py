"""Nash-in-Nash bargaining: the bilateral limit, closed forms, an independent solve of the
first-order conditions, comparative statics and scale invariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, root

import pipeline_games as pg
from pipeline_games.network import Market, Producer, Route, SupplyNetwork, flow, nash_in_nash


# -- one buyer, one seller: the package's bilateral Nash solution ------------------------------
@settings(max_examples=40)
@given(
    st.floats(0.0, 1.0),
    st.floats(1.0, 50.0),
    st.floats(0.0, 10.0),
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.95),
    st.floats(0.0, 1.0),
)
def test_one_buyer_one_seller_is_the_bilateral_nash_solution(
    weight: float, volume: float, cost: float, a: float, b: float, spread: float
) -> None:
    # value v > LNG price f > export price g > cost c (so the pipeline deal is efficient)
    c = cost
    g = c + 10.0 * min(a, b)
    f = g + 10.0 * spread + 1e-3
    v = f + 10.0 * max(a, b)
    net = SupplyNetwork(
        [Producer("S", capacity=volume, cost=c), Producer("LNG", cost=f, fringe=True)],
        [Market("B", price=v, capacity=volume), Market("Export", price=g, fringe=True)],
        [
            Route("pipe", ("S", "B"), volume),
            Route("lng", ("LNG", "B"), volume),
            Route("west", ("S", "Export"), volume),
        ],
    )
    result = nash_in_nash(net, buyer_weight=weight)
    problem = pg.BargainingProblem.linear(
        surplus=(v - c) * volume, disagreement=((v - f) * volume, (g - c) * volume)
    )
    expected = pg.nash(problem, weight=weight).payoffs  # (buyer, seller)
    payoff = dict(zip(result.countries, result.payoff, strict=True))
    scale = (v - c) * volume
    assert payoff["B"] == pytest.approx(expected[0], abs=1e-9 * scale)
    assert payoff["S"] == pytest.approx(expected[1], abs=1e-9 * scale)
    assert result.buyer_alternative[0] == "lng"
    assert result.seller_alternative[0] == "west"
    assert bool(result.stable)


def test_bilateral_over_an_array_of_points_and_weights_from_rates() -> None:
    value = np.linspace(20.0, 80.0, 7)
    net = SupplyNetwork(
        [Producer("S", cost=10.0)],
        [Market("B", price=value, capacity=3.0)],
        [Route("r", ("S", "B"), 5.0)],
    )
    rates = {"B": 0.05, "S": 0.15}
    result = nash_in_nash(net, rates=rates)
    weight = 0.15 / (0.05 + 0.15)
    expected = pg.nash(pg.BargainingProblem.linear(surplus=3.0 * (value - 10.0)), weight=weight)
    np.testing.assert_allclose(result.payoff[:, 1], expected.payoffs[..., 0], rtol=1e-12)
    np.testing.assert_allclose(result.price[:, 0], 10.0 + (1 - weight) * (value - 10.0))
    assert result.shape == (7,)


# -- two symmetric sellers: a closed form ------------------------------------------------------
@settings(max_examples=40)
@given(
    st.floats(0.0, 1.0),
    st.floats(1.0, 20.0),
    st.floats(0.0, 10.0),
    st.floats(0.1, 50.0),
    st.floats(0.1, 50.0),
)
def test_two_symmetric_sellers_closed_form(
    weight: float, k: float, c: float, low: float, extra: float
) -> None:
    """A buyer values the first k units at v1, the next k at v2 < v1; two sellers of k
    units at cost c < v2. Each seller adds the marginal block: p = c + (1 - w)(v2 - c);
    the buyer keeps (v1 + v2 - 2c) k - 2 (1 - w)(v2 - c) k."""
    v2 = c + low
    v1 = v2 + extra
    net = SupplyNetwork(
        [Producer("S1", capacity=k, cost=c), Producer("S2", capacity=k, cost=c)],
        [Market("B", steps=[(k, v1), (k, v2)])],
        [Route("r1", ("S1", "B"), k), Route("r2", ("S2", "B"), k)],
    )
    result = nash_in_nash(net, buyer_weight=weight)
    price = c + (1 - weight) * (v2 - c)
    np.testing.assert_allclose(result.price, [price, price], rtol=1e-12)
    buyer = (v1 + v2 - 2 * c) * k - 2 * (1 - weight) * (v2 - c) * k
    np.testing.assert_allclose(
        result.payoff, [(price - c) * k, (price - c) * k, buyer], rtol=1e-9, atol=1e-9 * v1 * k
    )
    # a single seller of 2k units would be paid on the average block instead
    alone = SupplyNetwork(
        [Producer("S", capacity=2 * k, cost=c)], [net.markets[0]], [Route("r", ("S", "B"), 2 * k)]
    )
    single = nash_in_nash(alone, buyer_weight=weight)
    assert float(single.price[0]) == pytest.approx(c + (1 - weight) * ((v1 + v2) / 2 - c))


# -- random small networks against an independent solve ----------------------------------------
def small_network(seed: int) -> SupplyNetwork:
    rng = np.random.default_rng(seed)
    producers = [
        Producer(f"P{i}", capacity=rng.uniform(5, 20), cost=rng.uniform(0, 20))
        for i in range(int(rng.integers(2, 4)))
    ]
    producers.append(Producer("LNG", cost=rng.uniform(40, 70), fringe=True))
    markets = [
        Market(
            "M0",
            steps=[
                (rng.uniform(5, 15), rng.uniform(70, 100)),
                (rng.uniform(5, 15), rng.uniform(30, 60)),
            ],
        ),
        Market("M1", price=rng.uniform(40, 90), capacity=rng.uniform(5, 25)),
        Market("X", price=rng.uniform(20, 40), fringe=True),
    ]
    routes = []
    for k, p in enumerate(producers[:-1]):
        routes.append(Route(f"a{k}", (p.name, "T0", "M0"), rng.uniform(3, 15), rng.uniform(0, 5)))
        if rng.random() < 0.7:
            routes.append(Route(f"b{k}", (p.name, "M1"), rng.uniform(3, 15), rng.uniform(0, 5)))
        if rng.random() < 0.5:
            routes.append(Route(f"c{k}", (p.name, "T1", "X"), rng.uniform(3, 15)))
    routes.append(Route("lng", ("LNG", "M0"), rng.uniform(0, 10)))
    return SupplyNetwork(producers, markets, routes, transit=["T0", "T1"])


def independent_payoffs(net: SupplyNetwork, x: np.ndarray, price: dict[str, float]) -> dict:
    """Every country's payoff at route flows ``x``, written out from the model's rules."""
    pay = dict.fromkeys(net.countries, 0.0)
    producers = {p.name: p for p in net.producers}
    markets = {m.name: m for m in net.markets}
    into = dict.fromkeys(markets, 0.0)
    for route, volume in zip(net.routes, x, strict=True):
        into[route.market] += volume
        producer, market = producers[route.producer], markets[route.market]
        unit = float(producer.cost) + float(route.cost)
        if producer.fringe:
            pay[market.name] -= unit * volume
        else:
            pay[producer.name] -= unit * volume
            if market.fringe:
                pay[producer.name] += float(market.price) * volume
            elif market.name != producer.name:
                name = f"{producer.name} -> {market.name}"
                pay[producer.name] += price[name] * volume
                pay[market.name] -= price[name] * volume
            for t in route.transit:
                name = f"{t}: {producer.name}"
                pay[t] += price[name] * volume
                pay[producer.name] -= price[name] * volume
    for name, market in markets.items():
        if market.fringe:
            continue
        left, worth = into[name], 0.0
        for volume, value in market.steps:
            part = min(left, float(volume))
            worth += part * float(value)
            left -= part
        pay[name] += worth
    return pay


def contracts_held(net: SupplyNetwork, broken: str, x_all: np.ndarray) -> np.ndarray:
    """Route flows with agreement ``broken`` out and every other supply contract held.

    One linear program: welfare is maximised over the routes that remain, with each other
    supply contract delivering its volume in ``x_all`` (or all its remaining routes carry,
    if less) on any split of its routes.
    """
    agreement = {a.name: a for a in net.agreements}
    out_routes = set(agreement[broken].routes)
    producers = {p.name: p for p in net.producers}
    markets = list(net.markets)
    routes = [r for r in range(len(net.routes)) if r not in out_routes]
    steps = [(i, float(v), float(u)) for i, m in enumerate(markets) for v, u in m.steps]
    n_x = len(routes)
    cost = []
    for r in routes:
        route = net.routes[r]
        cost.append(float(producers[route.producer].cost) + float(route.cost))
    c_obj = np.concatenate([cost, [-u for _, _, u in steps]])
    a_eq = np.zeros((len(markets), n_x + len(steps)))
    for j, r in enumerate(routes):
        a_eq[[m.name for m in markets].index(net.routes[r].market), j] = 1.0
    for k, (i, _, _) in enumerate(steps):
        a_eq[i, n_x + k] = -1.0
    b_eq = list(np.zeros(len(markets)))
    for a in net.agreements:
        if a.kind != "supply" or a.name == broken:
            continue
        row = np.zeros(n_x + len(steps))
        for j, r in enumerate(routes):
            row[j] = r in a.routes
        room = sum(float(net.routes[r].capacity) for r in a.routes if r not in out_routes)
        a_eq = np.vstack([a_eq, row])
        b_eq.append(min(sum(x_all[r] for r in a.routes), room))
    a_ub, b_ub = [], []
    for p in net.producers:
        if np.isfinite(float(p.capacity)):
            row = np.zeros(n_x + len(steps))
            for j, r in enumerate(routes):
                row[j] = net.routes[r].producer == p.name
            a_ub.append(row)
            b_ub.append(float(p.capacity))
    bounds = [(0.0, float(net.routes[r].capacity)) for r in routes]
    bounds += [(0.0, None if np.isinf(v) else v) for _, v, _ in steps]
    lp = linprog(
        c_obj, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    assert lp.status == 0
    out = np.zeros(len(net.routes))
    out[routes] = lp.x[:n_x]
    return out


@pytest.mark.parametrize("seed", range(8))
def test_random_networks_against_a_root_solve_of_the_first_order_conditions(seed: int) -> None:
    net = small_network(seed)
    weight = np.random.default_rng(seed).uniform(0.2, 0.8)
    result = nash_in_nash(net, buyer_weight=weight, method="merit")
    names = list(net.agreement_names)
    x_all = flow(net, method="lp").flows
    volume = {a.name: sum(x_all[r] for r in a.routes) for a in net.agreements}
    used = [a for a in names if volume[a] > 1e-9]
    fixed = {}
    for a in net.agreements:  # reservation prices of unused agreements
        if a.name not in used:
            fixed[a.name] = 0.0
            if a.kind == "supply":
                producer = next(p for p in net.producers if p.name == a.seller)
                fixed[a.name] = float(producer.cost) + min(
                    float(net.routes[r].cost) for r in a.routes
                )
    sides = {a.name: ([a.seller], list(a.buyers)) for a in net.agreements}

    def conditions(p: np.ndarray, x_without: dict) -> np.ndarray:
        price = {**fixed, **dict(zip(used, p, strict=True))}
        with_all = independent_payoffs(net, x_all, price)
        out = []
        for a in used:
            without = independent_payoffs(net, x_without[a], price)
            sellers, buyers = sides[a]
            gain_s = sum(with_all[i] - without[i] for i in sellers)
            gain_b = sum(with_all[i] - without[i] for i in buyers)
            out.append((weight * gain_s - (1 - weight) * gain_b) / volume[a])
        return np.array(out)

    x_without = {a: contracts_held(net, a, x_all) for a in names}
    solution = root(lambda q: conditions(q, x_without), np.full(len(used), 30.0), tol=1e-12)
    p = solution.x
    assert np.abs(conditions(p, x_without)).max() < 1e-8
    got = dict(zip(names, result.price, strict=True))
    for a, q in zip(used, p, strict=True):
        assert got[a] == pytest.approx(q, rel=1e-7, abs=1e-7)
    expected = independent_payoffs(net, x_all, {**fixed, **dict(zip(used, p, strict=True))})
    for country, payoff in zip(result.countries, result.payoff, strict=True):
        assert payoff == pytest.approx(expected[country], rel=1e-7, abs=1e-6)
    assert result.payoff.sum() == pytest.approx(float(flow(net).surplus), rel=1e-9)


def test_merit_and_lp_give_the_same_bargain_over_many_points() -> None:
    # route costs differ, so the optimal flow is unique (with equal costs on a cycle of
    # routes several flows are optimal and the bargain depends on which one is taken)
    rng = np.random.default_rng(5)
    n = 30
    net = SupplyNetwork(
        [
            Producer("P0", capacity=rng.uniform(5, 20, n), cost=rng.uniform(0, 20, n)),
            Producer("P1", capacity=rng.uniform(5, 20, n), cost=rng.uniform(0, 20, n)),
        ],
        [
            Market("M0", steps=[(10.0, rng.uniform(60, 90, n)), (10.0, rng.uniform(25, 55, n))]),
            Market("M1", price=rng.uniform(30, 70, n), capacity=12.0),
        ],
        [
            Route(name, path, cap, cost=rng.uniform(0, 5, n))
            for name, path, cap in (
                ("a", ("P0", "T", "M0"), 12.0),
                ("b", ("P1", "M0"), 8.0),
                ("c", ("P0", "M1"), 9.0),
                ("d", ("P1", "T", "M1"), 9.0),
            )
        ],
        transit=["T"],
    )
    merit = nash_in_nash(net, method="merit")
    lp = nash_in_nash(net, method="lp")
    np.testing.assert_allclose(merit.payoff, lp.payoff, rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(merit.price, lp.price, rtol=1e-7, atol=1e-6)


# -- comparative statics -----------------------------------------------------------------------
def one_buyer(costs, capacities, rival_capacity=None, steps=None) -> SupplyNetwork:
    steps = steps or [(8.0, 100.0), (8.0, 70.0), (8.0, 40.0)]
    producers = [
        Producer(f"S{i}", capacity=k, cost=c)
        for i, (c, k) in enumerate(zip(costs, capacities, strict=True))
    ]
    routes = [
        Route(f"r{i}", (p.name, "B"), p.capacity if i or rival_capacity is None else rival_capacity)
        for i, p in enumerate(producers)
    ]
    return SupplyNetwork(producers, [Market("B", steps=steps)], routes)


@settings(max_examples=300)
@given(
    st.lists(st.tuples(st.floats(0.0, 35.0), st.floats(1.0, 12.0)), min_size=1, max_size=3),
    st.tuples(st.floats(0.0, 35.0), st.floats(1.0, 12.0)),
    st.floats(0.1, 0.9),
)
@example(incumbents=[(0.0, 1.0), (0.0, 4.0), (1.0, 12.0)], entrant=(0.0, 8.0), w=0.125)
def test_an_entrant_never_raises_what_the_buyer_pays_an_incumbent(incumbents, entrant, w) -> None:
    costs, caps = zip(*incumbents, strict=True)
    before = nash_in_nash(one_buyer(list(costs), list(caps)), buyer_weight=w)
    after = nash_in_nash(one_buyer([*costs, entrant[0]], [*caps, entrant[1]]), buyer_weight=w)
    for i in range(len(costs)):
        if before.used[i] and after.used[i]:
            assert after.price[i] <= before.price[i] + 1e-9 * 100


@settings(max_examples=300)
@given(
    st.floats(0.0, 35.0),
    st.floats(0.0, 35.0),
    st.floats(1.0, 12.0),
    st.floats(0.0, 12.0),
    st.floats(0.0, 12.0),
    st.floats(0.1, 0.9),
)
def test_more_rival_capacity_never_raises_an_incumbents_price(
    c_rival, c_inc, k_inc, k_small, more, w
) -> None:
    small = nash_in_nash(one_buyer([c_rival, c_inc], [12.0, k_inc], rival_capacity=k_small), w)
    big = nash_in_nash(
        one_buyer([c_rival, c_inc], [12.0, k_inc], rival_capacity=min(12.0, k_small + more)), w
    )
    if small.used[1] and big.used[1]:
        assert big.price[1] <= small.price[1] + 1e-9 * 100


def test_a_transit_state_off_every_used_route_gets_nothing() -> None:
    net = SupplyNetwork(
        [Producer("A", capacity=10.0, cost=10.0)],
        [Market("C", price=50.0)],
        [
            Route("cheap", ("A", "B1", "C"), 10.0, cost=5.0),
            Route("dear", ("A", "B2", "C"), 10.0, cost=30.0),
        ],
        transit=["B1", "B2"],
    )
    result = nash_in_nash(net)
    payoff = dict(zip(result.countries, result.payoff, strict=True))
    assert payoff["B2"] == 0.0
    assert payoff["B1"] > 0.0
    # ... yet the dear route caps what B1 can take: without B1, gas goes the dear way
    assert result.buyer_alternative[result.agreements.index("B1: A")] == "dear"


# -- scale invariance --------------------------------------------------------------------------
@settings(max_examples=30)
@given(st.integers(0, 7), st.floats(-12.0, 12.0))
def test_scale_invariance_of_shares(seed: int, exponent: float) -> None:
    factor = 10.0**exponent
    net = small_network(seed)

    def scaled(net: SupplyNetwork) -> SupplyNetwork:
        return SupplyNetwork(
            [Producer(p.name, p.capacity, p.cost * factor, p.fringe) for p in net.producers],
            [
                Market(m.name, steps=[(v, u * factor) for v, u in m.steps], fringe=m.fringe)
                for m in net.markets
            ],
            [Route(r.name, r.path, r.capacity, r.cost * factor) for r in net.routes],
            net.transit,
        )

    base = nash_in_nash(net, buyer_weight=0.3)
    big = nash_in_nash(scaled(net), buyer_weight=0.3)
    np.testing.assert_allclose(big.share, base.share, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        big.price, base.price * factor, rtol=1e-9, atol=1e-12 * factor * np.abs(base.price).max()
    )
