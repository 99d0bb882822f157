"""The welfare-maximising flow of a supply network, exactly, over many parameter points.

Given the routes that may carry flow, the gross surplus is

``W = max  sum_m V_m(Q_m) - sum_r (c_p(r) + c_r) x_r``

over route flows ``0 <= x_r <= K_r`` with ``sum_{r from p} x_r <= K_p`` for every producer,
``Q_m = sum_{r into m} x_r`` no more than the market's total volume, and (optionally)
``sum_{r across t} x_r <= K_t`` for transit states; ``V_m`` is piecewise linear and concave.

Two exact solvers:

* ``"merit"``: the merit order with re-dispatch, i.e. successive shortest augmenting paths
  on the min-cost-flow form of the problem (source -> producers -> routes -> markets ->
  sink, the market steps as sink arcs in order of value). From zero flow it sends gas
  along the most profitable remaining path -- on one market that is exactly the merit
  order, the cheapest supply to the highest value -- and, when producers serve several
  markets, re-dispatches earlier flow along backward arcs. It stops when no path earns
  more than zero; each step fills or empties at least one arc segment, and the result is
  optimal (the successive-shortest-path theorem). Written as numpy operations over all
  parameter points and breakdown scenarios at once (Bellman-Ford on the small residual
  graph). Not used with ``transit_capacity``. With numba installed (the optional ``fast``
  extra) large batches run the same steps one problem at a time in a compiled loop
  (`_ssp_rows_py`); the numpy version stays the reference the tests compare it with.
* ``"lp"``: one linear program per point with `scipy.optimize.linprog` (HiGHS).

``"auto"`` takes the merit order where it applies and solves any point it could not finish
(an iteration cap; never reached in tests) by linear programming.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from .._numba import numba
from .._results import Result
from ..errors import InvalidParameterError, SolverError
from ._model import SupplyNetwork

__all__ = ["FlowResult", "flow"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: rows (scenarios x points) handled at once by the vectorized solver
CHUNK_ROWS = 1 << 15
METHODS = ("auto", "merit", "lp")


@dataclass
class Compiled:
    """Flat float arrays of one block of parameter points (leading axis: the points)."""

    n: int
    cap_p: FloatArray  # (n, P)
    cost_p: FloatArray  # (n, P)
    cap_r: FloatArray  # (n, R)
    cost_r: FloatArray  # (n, R)
    volume: FloatArray  # (n, M, S)
    value: FloatArray  # (n, M, S)
    cap_t: FloatArray  # (n, T)
    route_producer: NDArray[np.intp]  # (R,)
    route_market: NDArray[np.intp]  # (R,)
    transit_incidence: FloatArray  # (T, R)

    def take(self, rows: NDArray[np.intp]) -> Compiled:
        return Compiled(
            len(rows),
            self.cap_p[rows],
            self.cost_p[rows],
            self.cap_r[rows],
            self.cost_r[rows],
            self.volume[rows],
            self.value[rows],
            self.cap_t[rows],
            self.route_producer,
            self.route_market,
            self.transit_incidence,
        )

    def repeat(self, times: int) -> Compiled:
        """The block repeated ``times`` times along the rows (scenario-major)."""

        def rep(a: FloatArray) -> FloatArray:
            return np.broadcast_to(a[None], (times, *a.shape)).reshape(
                times * a.shape[0], *a.shape[1:]
            )

        return Compiled(
            self.n * times,
            rep(self.cap_p),
            rep(self.cost_p),
            rep(self.cap_r),
            rep(self.cost_r),
            rep(self.volume),
            rep(self.value),
            rep(self.cap_t),
            self.route_producer,
            self.route_market,
            self.transit_incidence,
        )


class Flattened:
    """Every numeric input of a network flattened to its ``shape``, for cutting into blocks."""

    def __init__(self, network: SupplyNetwork, shape: tuple[int, ...] | None = None) -> None:
        self.network = network
        self.shape = network.shape if shape is None else tuple(shape)
        self.size = int(np.prod(self.shape, dtype=np.int64))
        prod_index = {p.name: i for i, p in enumerate(network.producers)}
        market_index = {m.name: i for i, m in enumerate(network.markets)}
        self.route_producer = np.array(
            [prod_index[r.producer] for r in network.routes], dtype=np.intp
        )
        self.route_market = np.array(
            [market_index[r.market] for r in network.routes], dtype=np.intp
        )
        self.steps = max(len(m.steps) for m in network.markets)
        self.transit_names = tuple(network.transit_capacity)
        self.transit_incidence = np.array(
            [[1.0 if t in r.transit else 0.0 for r in network.routes] for t in self.transit_names]
        ).reshape(len(self.transit_names), len(network.routes))

    def _flat(self, value: FloatArray) -> FloatArray:
        if value.ndim == 0:
            return value
        return np.broadcast_to(value, self.shape).reshape(-1)

    def block(self, start: int, stop: int) -> Compiled:
        net = self.network
        n = stop - start

        def column(values: list[FloatArray]) -> FloatArray:
            out = np.empty((n, len(values)))
            for j, v in enumerate(values):
                flat = self._flat(v)
                out[:, j] = flat if flat.ndim == 0 else flat[start:stop]
            return out

        cap_p = column([p.capacity for p in net.producers])
        cost_p = column([p.cost for p in net.producers])
        cap_r = column([r.capacity for r in net.routes])
        cost_r = column([r.cost for r in net.routes])
        zero = np.zeros(())
        volume = np.stack(
            [
                column([m.steps[k][0] if k < len(m.steps) else zero for k in range(self.steps)])
                for m in net.markets
            ],
            axis=1,
        )
        last_value = [m.steps[-1][1] for m in net.markets]
        value = np.stack(
            [
                column(
                    [
                        m.steps[k][1] if k < len(m.steps) else last_value[i]
                        for k in range(self.steps)
                    ]
                )
                for i, m in enumerate(net.markets)
            ],
            axis=1,
        )
        cap_t = column([net.transit_capacity[t] for t in self.transit_names])
        return Compiled(
            n,
            cap_p,
            cost_p,
            cap_r,
            cost_r,
            volume,
            value,
            cap_t,
            self.route_producer,
            self.route_market,
            self.transit_incidence,
        )


# -- objective -------------------------------------------------------------------------------
def market_values(c: Compiled, quantity: FloatArray) -> FloatArray:
    """``V_m(Q_m)`` for every market: ``quantity`` (rows, M) -> (rows, M)."""
    start = np.zeros_like(c.volume)
    np.cumsum(c.volume[..., :-1], axis=-1, out=start[..., 1:])
    with np.errstate(invalid="ignore"):
        used = np.clip(quantity[..., None] - start, 0.0, c.volume)
        worth = np.where(used > 0.0, c.value * used, 0.0)
    return worth.sum(axis=-1)


def market_quantities(c: Compiled, x: FloatArray) -> FloatArray:
    """``Q_m``: (rows, R) route flows -> (rows, M)."""
    n_markets = c.volume.shape[1]
    out = np.zeros((x.shape[0], n_markets))
    for m in range(n_markets):
        out[:, m] = x[:, c.route_market == m].sum(axis=1)
    return out


def surplus_of(c: Compiled, x: FloatArray) -> FloatArray:
    """The objective at flows ``x``."""
    unit = c.cost_p[:, c.route_producer] + c.cost_r
    return market_values(c, market_quantities(c, x)).sum(axis=1) - (unit * x).sum(axis=1)


def surplus_by_mask(c: Compiled, x: FloatArray) -> FloatArray:
    """`surplus_of` for flows ``x`` ``(K, n, R)`` of ``K`` masks on block ``c`` -> ``(K, n)``,
    broadcasting over the masks instead of repeating the block."""
    n_markets = c.volume.shape[1]
    incidence = np.zeros((x.shape[-1], n_markets))
    incidence[np.arange(x.shape[-1]), c.route_market] = 1.0
    quantity = x @ incidence  # (K, n, M)
    start = np.zeros_like(c.volume)
    np.cumsum(c.volume[..., :-1], axis=-1, out=start[..., 1:])
    with np.errstate(invalid="ignore"):
        used = np.clip(quantity[..., None] - start, 0.0, c.volume)
        worth = np.where(used > 0.0, c.value * used, 0.0)
    unit = c.cost_p[:, c.route_producer] + c.cost_r
    return worth.sum(axis=(-1, -2)) - (unit * x).sum(axis=-1)


# -- the merit order with re-dispatch (successive shortest paths), vectorized ------------------
def _ssp(c: Compiled, available: BoolArray) -> tuple[FloatArray, BoolArray]:
    """Optimal route flows for every row; ``ok`` is False where the iteration cap was hit."""
    rows, n_routes = c.cap_r.shape
    n_prod = c.cap_p.shape[1]
    n_markets = c.volume.shape[1]
    rp, rm = c.route_producer, c.route_market
    into = [np.flatnonzero(rm == m) for m in range(n_markets)]
    out_of = [np.flatnonzero(rp == p) for p in range(n_prod)]
    cap_r = np.where(available, c.cap_r, 0.0)
    vol_scale = cap_r.sum(axis=1)
    tol_v = 1e-12 * vol_scale
    money = np.concatenate(
        [np.abs(c.cost_p), np.abs(c.cost_r), np.abs(c.value).reshape(rows, -1)], axis=1
    ).max(axis=1)
    tol_m = 1e-12 * np.maximum(money, np.finfo(float).tiny)
    bound = np.cumsum(c.volume, axis=-1)
    x = np.zeros((rows, n_routes))
    ok = np.ones(rows, dtype=bool)
    active = np.flatnonzero(vol_scale > 0.0)
    max_iterations = 4 * (n_routes + n_prod + bound.shape[1] * n_markets) + 20
    rounds = n_prod + n_markets + 1
    arange_cache: dict[int, NDArray[np.intp]] = {}
    for _ in range(max_iterations):
        if active.size == 0:
            break
        k = active.size
        idx = arange_cache.setdefault(k, np.arange(k))
        xa = x[active]
        cap_a = cap_r[active]
        cost_ra = c.cost_r[active]
        tv = tol_v[active]
        tm = tol_m[active]
        used_p = np.zeros((k, n_prod))
        for p in range(n_prod):
            used_p[:, p] = xa[:, out_of[p]].sum(axis=1)
        src_res = c.cap_p[active] - used_p
        quantity = np.zeros((k, n_markets))
        for m in range(n_markets):
            quantity[:, m] = xa[:, into[m]].sum(axis=1)
        step_res = bound[active] - quantity[..., None]
        open_step = step_res > tv[:, None, None]
        step = np.argmax(open_step, axis=-1)
        sink_ok = open_step.any(axis=-1)
        sink_value = np.take_along_axis(c.value[active], step[..., None], axis=-1)[..., 0]
        sink_res = np.take_along_axis(step_res, step[..., None], axis=-1)[..., 0]
        fwd_res = cap_a - xa
        fwd_ok = fwd_res > tv[:, None]
        bwd_ok = xa > tv[:, None]
        if c.cap_t.shape[1]:  # pragma: no cover - transit limits go to the LP
            raise SolverError("the merit-order solver does not handle transit_capacity")
        dist_p = np.where(src_res > tv[:, None], c.cost_p[active], np.inf)
        pred_p = np.full((k, n_prod), -1, dtype=np.intp)
        dist_m = np.full((k, n_markets), np.inf)
        pred_m = np.full((k, n_markets), -1, dtype=np.intp)
        for _round in range(rounds):
            changed = False
            cand = np.where(fwd_ok, dist_p[:, rp] + cost_ra, np.inf)
            for m in range(n_markets):
                routes = into[m]
                if routes.size == 0:
                    continue
                j = np.argmin(cand[:, routes], axis=1)
                best = cand[idx, routes[j]]
                better = best < dist_m[:, m] - tm
                if better.any():
                    changed = True
                    dist_m[:, m] = np.where(better, best, dist_m[:, m])
                    pred_m[:, m] = np.where(better, routes[j], pred_m[:, m])
            cand = np.where(bwd_ok, dist_m[:, rm] - cost_ra, np.inf)
            for p in range(n_prod):
                routes = out_of[p]
                if routes.size == 0:
                    continue
                j = np.argmin(cand[:, routes], axis=1)
                best = cand[idx, routes[j]]
                better = best < dist_p[:, p] - tm
                if better.any():
                    changed = True
                    dist_p[:, p] = np.where(better, best, dist_p[:, p])
                    pred_p[:, p] = np.where(better, routes[j], pred_p[:, p])
            if not changed:
                break
        to_sink = np.where(sink_ok, dist_m - sink_value, np.inf)
        last = np.argmin(to_sink, axis=1)
        gain = to_sink[idx, last]
        going = gain < -tm
        if not going.any():
            active = active[:0]
            break
        # walk the path back from the sink: market <- (forward route) <- producer <- the
        # source, or <- (backward route: flow undone) <- market <- ...
        length = n_prod + n_markets
        fwd_route = np.full((k, length), -1, dtype=np.intp)
        back_route = np.full((k, length), -1, dtype=np.intp)
        delta = np.where(going, sink_res[idx, last], 0.0)
        market = last.copy()
        walking = going.copy()
        broken = np.zeros(k, dtype=bool)
        for slot in range(length):
            r = pred_m[idx, market]
            bad = walking & (r < 0)
            broken |= bad
            walking &= ~bad
            r = np.where(walking, r, 0)
            fwd_route[:, slot] = np.where(walking, r, -1)
            delta = np.where(walking, np.minimum(delta, fwd_res[idx, r]), delta)
            producer = rp[r]
            back = pred_p[idx, producer]
            at_source = walking & (back < 0)
            delta = np.where(at_source, np.minimum(delta, src_res[idx, producer]), delta)
            walking &= ~at_source
            if not walking.any():
                break
            b = np.where(walking, back, 0)
            back_route[:, slot] = np.where(walking, b, -1)
            delta = np.where(walking, np.minimum(delta, xa[idx, b]), delta)
            market = np.where(walking, rm[b], market)
        broken |= walking  # a path longer than the graph: a cycle of rounding noise
        moving = going & ~broken
        for slot in range(length):
            for record, sign in ((fwd_route, 1.0), (back_route, -1.0)):
                r = record[:, slot]
                sel = moving & (r >= 0)
                if sel.any():
                    xa[idx[sel], r[sel]] += sign * delta[sel]
        xa = np.where(cap_a - xa <= tv[:, None], cap_a, xa)
        xa = np.where(xa <= tv[:, None], 0.0, xa)
        x[active] = xa
        ok[active[broken]] = False
        active = active[moving]
    else:
        ok[active] = False
    return x, ok


# -- the same algorithm, one row at a time, compiled (numba, the optional ``fast`` extra) ------

#: Smallest batch (flow problems: masks x points) solved by the compiled kernel when numba is
#: installed; smaller batches, and every batch without numba, take the numpy `_ssp`. The
#: first compiled call in a process compiles the kernel (about two seconds).
NUMBA_MIN_ROWS = 1024

_KERNEL: list[Any] = []


def _ssp_rows_py(
    cap_p: FloatArray,
    cost_p: FloatArray,
    cap_r: FloatArray,
    cost_r: FloatArray,
    bound: FloatArray,
    value: FloatArray,
    rp: NDArray[np.intp],
    rm: NDArray[np.intp],
    masks: BoolArray,
    x: FloatArray,
    ok: BoolArray,
) -> None:  # pragma: no cover - compiled by numba; the numpy `_ssp` is its reference
    """`_ssp` for every mask ``k`` and point ``i`` (``x[k, i]``, ``ok[k, i]``), one flow
    problem at a time: the same steps, tolerances and tie-breaking as the numpy version."""
    n, n_routes = cap_r.shape
    n_prod = cap_p.shape[1]
    n_markets, n_steps = bound.shape[1], bound.shape[2]
    max_iterations = 4 * (n_routes + n_prod + n_steps * n_markets) + 20
    rounds = n_prod + n_markets + 1
    length = n_prod + n_markets
    inf = np.inf
    cap = np.empty(n_routes)
    xa = np.empty(n_routes)
    src_res = np.empty(n_prod)
    sink_value = np.empty(n_markets)
    sink_res = np.empty(n_markets)
    sink_ok = np.empty(n_markets, dtype=np.bool_)
    dist_p = np.empty(n_prod)
    pred_p = np.empty(n_prod, dtype=np.intp)
    dist_m = np.empty(n_markets)
    pred_m = np.empty(n_markets, dtype=np.intp)
    fwd_route = np.empty(length, dtype=np.intp)
    back_route = np.empty(length, dtype=np.intp)
    tiny = np.finfo(np.float64).tiny
    for k in range(masks.shape[0]):
        for i in range(n):
            scale = 0.0
            for r in range(n_routes):
                cap[r] = cap_r[i, r] if masks[k, r] else 0.0
                scale += cap[r]
                xa[r] = 0.0
            ok[k, i] = True
            if not scale > 0.0:
                for r in range(n_routes):
                    x[k, i, r] = 0.0
                continue
            tv = 1e-12 * scale
            money = 0.0
            for p in range(n_prod):
                money = max(money, abs(cost_p[i, p]))
            for r in range(n_routes):
                money = max(money, abs(cost_r[i, r]))
            for m in range(n_markets):
                for s in range(n_steps):
                    money = max(money, abs(value[i, m, s]))
            tm = 1e-12 * max(money, tiny)
            finished = False
            for _ in range(max_iterations):
                for p in range(n_prod):
                    used = 0.0
                    for r in range(n_routes):
                        if rp[r] == p:
                            used += xa[r]
                    src_res[p] = cap_p[i, p] - used
                for m in range(n_markets):
                    quantity = 0.0
                    for r in range(n_routes):
                        if rm[r] == m:
                            quantity += xa[r]
                    sink_ok[m] = False
                    sink_value[m] = value[i, m, 0]
                    sink_res[m] = bound[i, m, 0] - quantity
                    for s in range(n_steps):
                        res = bound[i, m, s] - quantity
                        if res > tv:
                            sink_ok[m] = True
                            sink_value[m] = value[i, m, s]
                            sink_res[m] = res
                            break
                for p in range(n_prod):
                    dist_p[p] = cost_p[i, p] if src_res[p] > tv else inf
                    pred_p[p] = -1
                for m in range(n_markets):
                    dist_m[m] = inf
                    pred_m[m] = -1
                for _round in range(rounds):
                    changed = False
                    for m in range(n_markets):
                        best = inf
                        j = -1
                        for r in range(n_routes):
                            if rm[r] == m:
                                cand = dist_p[rp[r]] + cost_r[i, r] if cap[r] - xa[r] > tv else inf
                                if j < 0 or cand < best:
                                    best = cand
                                    j = r
                        if j >= 0 and best < dist_m[m] - tm:
                            changed = True
                            dist_m[m] = best
                            pred_m[m] = j
                    for p in range(n_prod):
                        best = inf
                        j = -1
                        for r in range(n_routes):
                            if rp[r] == p:
                                cand = dist_m[rm[r]] - cost_r[i, r] if xa[r] > tv else inf
                                if j < 0 or cand < best:
                                    best = cand
                                    j = r
                        if j >= 0 and best < dist_p[p] - tm:
                            changed = True
                            dist_p[p] = best
                            pred_p[p] = j
                    if not changed:
                        break
                last = 0
                gain = inf
                for m in range(n_markets):
                    to_sink = dist_m[m] - sink_value[m] if sink_ok[m] else inf
                    if to_sink < gain:
                        gain = to_sink
                        last = m
                if not gain < -tm:
                    finished = True
                    break
                delta = sink_res[last]
                market = last
                broken = True
                for slot in range(length):
                    fwd_route[slot] = -1
                    back_route[slot] = -1
                for slot in range(length):
                    r = pred_m[market]
                    if r < 0:
                        break
                    fwd_route[slot] = r
                    delta = min(delta, cap[r] - xa[r])
                    producer = rp[r]
                    b = pred_p[producer]
                    if b < 0:
                        delta = min(delta, src_res[producer])
                        broken = False
                        break
                    back_route[slot] = b
                    delta = min(delta, xa[b])
                    market = rm[b]
                if not broken:
                    for slot in range(length):
                        if fwd_route[slot] >= 0:
                            xa[fwd_route[slot]] += delta
                        if back_route[slot] >= 0:
                            xa[back_route[slot]] -= delta
                for r in range(n_routes):
                    if cap[r] - xa[r] <= tv:
                        xa[r] = cap[r]
                    if xa[r] <= tv:
                        xa[r] = 0.0
                if broken:
                    break
            ok[k, i] = finished
            for r in range(n_routes):
                x[k, i, r] = xa[r]


def _kernel() -> Any:
    """The compiled `_ssp_rows_py` (compiled on first use)."""
    if not _KERNEL:
        assert numba is not None
        _KERNEL.append(numba.njit(nogil=True, error_model="numpy")(_ssp_rows_py))
    return _KERNEL[0]


def _ssp_masks(
    c: Compiled, masks: BoolArray, compiled: bool = True
) -> tuple[FloatArray, BoolArray]:
    """Route flows ``(K, n, R)`` and ``ok`` ``(K, n)`` of every mask on block ``c``, by the
    compiled kernel (``compiled=False``: the same loop run by the Python interpreter, for
    tests on tiny inputs)."""
    n_masks, n_routes = masks.shape
    x = np.empty((n_masks, c.n, n_routes))
    ok = np.empty((n_masks, c.n), dtype=bool)
    bound = np.ascontiguousarray(np.cumsum(c.volume, axis=-1))

    def flat(a: FloatArray) -> FloatArray:
        return np.ascontiguousarray(a, dtype=np.float64)

    function = _kernel() if compiled else _ssp_rows_py
    function(
        flat(c.cap_p),
        flat(c.cost_p),
        flat(c.cap_r),
        flat(c.cost_r),
        bound,
        flat(c.value),
        np.ascontiguousarray(c.route_producer, dtype=np.intp),
        np.ascontiguousarray(c.route_market, dtype=np.intp),
        np.ascontiguousarray(masks, dtype=np.bool_),
        x,
        ok,
    )
    return x, ok


# -- linear programming, one point at a time ---------------------------------------------------
def _lp_row(c: Compiled, row: int, available: BoolArray) -> FloatArray:
    n_routes = c.cap_r.shape[1]
    n_prod = c.cap_p.shape[1]
    n_markets, n_steps = c.volume.shape[1:]
    rp, rm = c.route_producer, c.route_market
    unit = c.cost_p[row, rp] + c.cost_r[row]
    objective = np.concatenate([unit, -c.value[row].reshape(-1)])
    a_eq = np.zeros((n_markets, n_routes + n_markets * n_steps))
    for m in range(n_markets):
        a_eq[m, :n_routes] = rm == m
        a_eq[m, n_routes + m * n_steps : n_routes + (m + 1) * n_steps] = -1.0
    rows_ub, limits = [], []
    for p in range(n_prod):
        if np.isfinite(c.cap_p[row, p]):
            line = np.zeros(n_routes + n_markets * n_steps)
            line[:n_routes] = rp == p
            rows_ub.append(line)
            limits.append(c.cap_p[row, p])
    for t in range(c.cap_t.shape[1]):
        if np.isfinite(c.cap_t[row, t]):
            line = np.zeros(n_routes + n_markets * n_steps)
            line[:n_routes] = c.transit_incidence[t]
            rows_ub.append(line)
            limits.append(c.cap_t[row, t])
    bounds: list[tuple[float, float | None]] = [
        (0.0, float(c.cap_r[row, r]) if available[r] else 0.0) for r in range(n_routes)
    ]
    bounds += [(0.0, None if np.isinf(v) else float(v)) for v in c.volume[row].reshape(-1)]
    result = linprog(
        objective,
        A_ub=np.array(rows_ub) if rows_ub else None,
        b_ub=np.array(limits) if rows_ub else None,
        A_eq=a_eq,
        b_eq=np.zeros(n_markets),
        bounds=bounds,
        method="highs",
    )
    if result.status != 0:
        raise SolverError(f"flow LP failed (HiGHS status {result.status}): {result.message}")
    x = np.asarray(result.x[:n_routes], dtype=np.float64)
    return np.where(available, np.clip(x, 0.0, c.cap_r[row]), 0.0)


def live_masks(c: Compiled, masks: BoolArray) -> tuple[BoolArray, NDArray[np.intp]]:
    """The distinct masks once routes without capacity anywhere in the block are closed
    (opening or closing such a route changes nothing), and where each mask went."""
    live = (c.cap_r > 0.0).any(axis=0)
    unique, inverse = np.unique(masks & live, axis=0, return_inverse=True)
    return unique, np.asarray(inverse, dtype=np.intp).reshape(-1)


def solve_block(c: Compiled, masks: BoolArray, method: str) -> FloatArray:
    """Route flows ``(K, n, R)`` for ``K`` availability masks ``(K, R)`` on one block."""
    n_masks = masks.shape[0]
    n_routes = masks.shape[1]
    if method == "merit" and c.cap_t.shape[1]:
        raise InvalidParameterError(
            "method='merit' does not handle transit_capacity; use method='lp' or 'auto'"
        )
    unique, inverse = live_masks(c, masks)
    if unique.shape[0] < n_masks:
        return solve_block(c, unique, method)[inverse]
    use_lp = method == "lp" or c.cap_t.shape[1] > 0
    if use_lp:
        out = np.zeros((n_masks, c.n, n_routes))
        for k in range(n_masks):
            for row in range(c.n):
                out[k, row] = _lp_row(c, row, masks[k])
        return out
    if numba is not None and n_masks * c.n >= NUMBA_MIN_ROWS:
        x3, ok3 = _ssp_masks(c, masks)
        x, ok = x3.reshape(-1, n_routes), ok3.reshape(-1)
    else:
        big = c.repeat(n_masks)
        available = np.broadcast_to(masks[:, None, :], (n_masks, c.n, n_routes)).reshape(
            -1, n_routes
        )
        x, ok = _ssp(big, available)
    if not ok.all():
        if method == "merit":
            raise SolverError(
                f"the merit-order solver did not finish at {int((~ok).sum())} points; "
                "use method='auto' to solve them by linear programming"
            )
        for flat in np.flatnonzero(~ok):
            k, row = divmod(int(flat), c.n)
            x[flat] = _lp_row(c, row, masks[k])
    return x.reshape(n_masks, c.n, n_routes)


def check_method(method: str) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise InvalidParameterError(f"method must be one of {METHODS}; got {method!r}")
    return method


def check_network(network: Any) -> SupplyNetwork:
    """``network`` itself, or a named error if it is not a `SupplyNetwork`."""
    if not isinstance(network, SupplyNetwork):
        raise InvalidParameterError(f"network must be a SupplyNetwork; got {network!r}")
    return network


def _names(value: Any, what: str) -> list[str]:
    """A name or an iterable of names (strings), as a list."""
    if isinstance(value, str):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise InvalidParameterError(
            f"{what} must be a name or an iterable of names; got {value!r}"
        ) from None
    for name in names:
        if not isinstance(name, str):
            raise InvalidParameterError(f"{what} must name {what} by strings; got {name!r}")
    return names


def block_size(n_masks: int, size: int) -> int:
    return max(1, min(size, CHUNK_ROWS // max(n_masks, 1)))


def solve_flows(network: SupplyNetwork, masks: BoolArray, method: str = "auto") -> FloatArray:
    """Route flows ``(K, *shape, R)`` for availability masks ``(K, R)``, block by block."""
    method = check_method(method)
    flat = Flattened(network)
    masks = np.asarray(masks, dtype=bool).reshape(-1, len(network.routes))
    out = np.empty((masks.shape[0], flat.size, len(network.routes)))
    step = block_size(masks.shape[0], flat.size)
    for start in range(0, flat.size, step):
        stop = min(flat.size, start + step)
        out[:, start:stop] = solve_block(flat.block(start, stop), masks, method)
    return out.reshape(masks.shape[0], *network.shape, len(network.routes))


def route_mask(
    network: SupplyNetwork,
    agreements: Iterable[str] | None = None,
    routes: Iterable[str] | None = None,
) -> BoolArray:
    """Which routes may carry flow with the named agreements (and routes) in place."""
    check_network(network)
    n_routes = len(network.routes)
    mask = np.ones(n_routes, dtype=bool)
    if routes is not None:
        names = _names(routes, "routes")
        for name in names:
            if name not in network.route_names:
                raise InvalidParameterError(
                    f"routes names an unknown route {name!r}; routes are {list(network.route_names)}"
                )
        mask &= np.isin(np.array(network.route_names), names)
    if agreements is not None:
        names = _names(agreements, "agreements")
        for name in names:
            if name not in network.agreement_names:
                raise InvalidParameterError(
                    f"agreements names an unknown agreement {name!r}; agreements are "
                    f"{list(network.agreement_names)}"
                )
        for agreement in network.agreements:
            if agreement.name not in names:
                mask[list(agreement.routes)] = False
    return mask


@dataclass(frozen=True, eq=False, repr=False)
class FlowResult(Result):
    """The welfare-maximising flow: ``surplus`` (shape ``(...)``) and route ``flows``
    (``(..., n_routes)``), with the ``routes`` that were open.

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork([Producer("P", cost=1.0)], [Market("B", price=3.0)],
    ...                     [Route("r", ("P", "B"), capacity=[1.0, 2.0])])
    >>> flow(net).surplus
    array([2., 4.])
    """

    surplus: FloatArray
    flows: FloatArray
    routes: tuple[str, ...]
    open: tuple[bool, ...]
    method: str = "flow"

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.surplus.shape)

    def _frame_columns(self) -> dict[str, Any]:
        size = int(np.prod(self.shape, dtype=np.int64))
        columns: dict[str, Any] = {"surplus": self.surplus.reshape(size)}
        flows = self.flows.reshape(size, len(self.routes))
        for j, name in enumerate(self.routes):
            columns[f"flow_{name}"] = flows[:, j]
        return columns


def flow(
    network: SupplyNetwork,
    agreements: Iterable[str] | None = None,
    *,
    routes: Iterable[str] | None = None,
    method: str = "auto",
) -> FlowResult:
    """The gross surplus and route flows of ``network`` with the given agreements in place.

    Parameters
    ----------
    network
        The supply network.
    agreements
        Names of the agreements in place (default: all). A route carries flow only when
        every agreement it needs is in place.
    routes
        Names of the routes that exist (default: all).
    method
        ``"auto"`` (merit order with re-dispatch, linear programming where it cannot
        apply), ``"merit"`` or ``"lp"`` (see the module notes).

    Returns
    -------
    FlowResult

    Examples
    --------
    >>> from pipeline_games.network import Market, Producer, Route, SupplyNetwork
    >>> net = SupplyNetwork(
    ...     [Producer("P1", capacity=10.0, cost=1.0), Producer("P2", capacity=10.0, cost=2.0)],
    ...     [Market("B", steps=[(12.0, 5.0), (10.0, 1.5)])],
    ...     [Route("r1", ("P1", "B"), 10.0), Route("r2", ("P2", "B"), 10.0)],
    ... )
    >>> result = flow(net)
    >>> float(result.surplus), result.flows.tolist()   # 10 x (5-1) + 2 x (5-2)
    (46.0, [10.0, 2.0])
    >>> float(flow(net, agreements=["P2 -> B"]).surplus)
    30.0
    """
    mask = route_mask(network, agreements, routes)
    x = solve_flows(network, mask[None], method)[0]
    flat = Flattened(network)
    c = flat.block(0, flat.size)
    surplus = surplus_of(c, x.reshape(flat.size, -1)).reshape(network.shape)
    return FlowResult(surplus, x, network.route_names, tuple(bool(v) for v in mask))


def surplus_for_masks(network: SupplyNetwork, masks: BoolArray, method: str = "auto") -> FloatArray:
    """Gross surplus ``(K, *shape)`` for route availability masks ``(K, R)``, block by block."""
    method = check_method(method)
    flat = Flattened(network)
    masks = np.asarray(masks, dtype=bool).reshape(-1, len(network.routes))
    n_masks = masks.shape[0]
    out = np.empty((n_masks, flat.size))
    step = block_size(n_masks, flat.size)
    for start in range(0, flat.size, step):
        stop = min(flat.size, start + step)
        c = flat.block(start, stop)
        out[:, start:stop] = surplus_by_mask(c, solve_block(c, masks, method))
    return out.reshape(n_masks, *network.shape)
