"""Iterated local search for the bus evacuation problem: anytime, deterministic for a seed.

A solution is a list of trips per bus; a trip carries one load from its pickup to a shelter. The search
alternates

- **local search** on the buses that finish last: relocate a trip (to another bus or another place in
  the same route, choosing the best shelter with room for the new neighbours), swap two trips, exchange
  route tails between two buses (2-opt*), send a trip to another shelter with room, or swap the shelters
  of two trips. A move is taken when it makes the pair of affected buses better in the *leximax* order
  (the later finish first, then the other), which for a change to two buses is exactly the leximax
  order of all finishing times: the makespan never rises, and ties at the top are broken by the
  runner-up buses, so plateaus do not stall the search;
- **ruin and recreate**: remove a few trips (at random, around the last bus, or of related pickups) and
  insert each again where it ends soonest (with a little seeded noise), then local search again. The
  candidate replaces the current solution when its makespan is within ``accept_slack`` of the best
  (record-to-record travel); after ``restart_every`` iterations without a new best the search returns to
  the best solution.

Deadlines (latest arrival at a pickup) are kept by adding ``lateness * penalty`` to a bus's finishing time
during the search, with a penalty far above any route cost; the result reports true times.

Randomness comes only from ``random.Random(seed)``: the same problem, seed and number of iterations give
the same solution. A wall-clock stop makes the run anytime, not reproducible.

Complexity per local-search step: O(k B L) route evaluations for relocations (k trips of the scanned bus,
B buses, L trips per route), each O(L).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evac.core.planner.busopt.bounds import lower_bound as compute_lower_bound
from evac.core.planner.busopt.callbacks import SolverCallbacks
from evac.core.planner.busopt.problem import BusProblemError
from evac.core.planner.busopt.solution import BusSolution, makespan_of, settle_bound, timed_routes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.planner.busopt.problem import BusProblem
    from evac.core.planner.stop import StoppingCriterion

__all__ = ["IlsParams", "iterated_local_search"]


@dataclass(frozen=True)
class IlsParams:
    """Knobs of the search; each checks itself.

    - ``destroy_min``/``destroy_max``: trips removed per ruin (also at most ``destroy_frac`` of all trips);
    - ``accept_slack``: a candidate is kept when its makespan is at most ``(1 + accept_slack)`` times the best;
    - ``restart_every``: iterations without a new best before returning to the best solution;
    - ``noise``: relative noise on insertion scores when recreating (0: greedy);
    - ``ls_buses``: how many of the latest-finishing buses the local search scans for a move.
    """

    destroy_min: int = 1
    destroy_max: int = 8
    destroy_frac: float = 0.25
    accept_slack: float = 0.02
    restart_every: int = 200
    noise: float = 0.05
    ls_buses: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.destroy_min <= self.destroy_max:
            raise ValueError(f"need 1 <= destroy_min <= destroy_max, got {self.destroy_min}, {self.destroy_max}")
        if not 0 < self.destroy_frac <= 1:
            raise ValueError(f"destroy_frac must be in (0, 1], got {self.destroy_frac}")
        if self.accept_slack < 0 or self.noise < 0:
            raise ValueError("accept_slack and noise must not be negative")
        if self.restart_every < 1 or self.ls_buses < 1:
            raise ValueError("restart_every and ls_buses must be at least 1")


class _Search:
    """Mutable search state: routes of trip ids, each trip's shelter, finishing times, shelter room."""

    def __init__(self, problem: BusProblem, rng: random.Random, params: IlsParams) -> None:
        pr = problem
        self.pr, self.rng, self.params = pr, rng, params
        self.P, self.S, self.B = pr.n_pickups, pr.n_shelters, pr.n_buses
        self.dp = pr.depot_to_pickup.tolist()
        self.ps = pr.pickup_to_shelter.tolist()
        self.sp = pr.shelter_to_pickup.tolist()
        self.dep = list(pr.bus_depot)
        self.rel = [pr.release_of(b) for b in range(self.B)]
        self.dl = [pr.deadline_of(i) for i in range(self.P)]
        self.has_dl = pr.has_deadlines
        finite = [x for m in (self.dp, self.ps, self.sp) for row in m for x in row if math.isfinite(x)]
        top = max(finite, default=1.0) + max(self.rel, default=0.0)
        self.eps = 1e-9 * max(1.0, top)
        self.penalty = 1e3 * max(1.0, top) * max(1, pr.n_loads)
        self.tp: list[int] = []
        self.tq: list[int] = []
        for i, sizes in enumerate(pr.loads):
            for q in sizes:
                self.tp.append(i)
                self.tq.append(q)
        self.N = len(self.tp)
        self.ts = [-1] * self.N
        self.routes: list[list[int]] = [[] for _ in range(self.B)]
        self.cost = [0.0] * self.B
        self.rem = list(pr.capacity)
        # shelters by the cost of unloading there and driving on to pickup n (n == P: the route ends)
        self.order: list[list[list[int]]] = []
        for i in range(self.P):
            row = []
            for n in range(self.P + 1):
                key = [self.ps[i][j] + (self.sp[j][n] if n < self.P else 0.0) for j in range(self.S)]
                row.append([j for j in sorted(range(self.S), key=key.__getitem__) if math.isfinite(key[j])])
            self.order.append(row)

    # -- evaluation -------------------------------------------------------------------------------
    def finish(self, b: int, pairs: Sequence[tuple[int, int]]) -> float:
        """Finishing time of bus ``b`` driving ``pairs`` (plus the lateness penalty); 0 when idle."""
        if not pairs:
            return 0.0
        t = self.rel[b]
        row = self.dp[self.dep[b]]
        late = 0.0
        ps, sp = self.ps, self.sp
        for i, j in pairs:
            t += row[i]
            if self.has_dl and t > self.dl[i]:
                late += t - self.dl[i]
            t += ps[i][j]
            row = sp[j]
        return t + late * self.penalty if late else t

    def pairs(self, seq: Sequence[int]) -> list[tuple[int, int]]:
        tp, ts = self.tp, self.ts
        return [(tp[k], ts[k]) for k in seq]

    def refresh(self, b: int) -> None:
        self.cost[b] = self.finish(b, self.pairs(self.routes[b]))

    def makespan(self) -> float:
        return max(self.cost)

    def better(self, n1: float, n2: float, o1: float, o2: float) -> bool:
        """Is the pair of finishing times (n1, n2) better than (o1, o2) in the leximax order?"""
        hn, ln = (n1, n2) if n1 >= n2 else (n2, n1)
        ho, lo = (o1, o2) if o1 >= o2 else (o2, o1)
        if hn < ho - self.eps:
            return True
        if hn > ho + self.eps:
            return False
        return ln < lo - self.eps

    def shelter_for(self, k: int, nxt: int, own: int) -> int:
        """Best shelter with room for trip ``k`` followed by pickup ``nxt`` (``P``: none); ``own`` counts
        as free (the trip's current shelter). -1 when none has room."""
        q = self.tq[k]
        rem = self.rem
        for j in self.order[self.tp[k]][nxt]:
            if rem[j] + (q if j == own else 0) >= q:
                return j
        return -1

    # -- construction and recreate ----------------------------------------------------------------
    def insert_best(self, k: int, noise: float) -> bool:
        """Insert unrouted trip ``k`` where its bus finishes soonest (ties: least added time)."""
        rng = self.rng
        best: tuple[float, float, int, int, int] | None = None
        P = self.P
        for b in range(self.B):
            seq = self.routes[b]
            base = self.pairs(seq)
            old = self.cost[b]
            for pos in range(len(seq) + 1):
                nxt = self.tp[seq[pos]] if pos < len(seq) else P
                j = self.shelter_for(k, nxt, -1)
                if j < 0:
                    return False
                new = self.finish(b, [*base[:pos], (self.tp[k], j), *base[pos:]])
                score = new * (1.0 + noise * rng.random()) if noise else new
                cand = (score, new - old, b, pos, j)
                if best is None or cand[:2] < best[:2]:
                    best = cand
        if best is None or not math.isfinite(best[0]):
            return False
        _, _, b, pos, j = best
        self.routes[b].insert(pos, k)
        self.ts[k] = j
        self.rem[j] -= self.tq[k]
        self.refresh(b)
        return True

    def remove(self, k: int) -> None:
        for b, seq in enumerate(self.routes):
            if k in seq:
                seq.remove(k)
                self.refresh(b)
                break
        self.rem[self.ts[k]] += self.tq[k]
        self.ts[k] = -1

    def construct(self) -> None:
        """Largest loads first, then the pickups farthest from any shelter (hardest to serve late)."""
        far = [min((self.ps[i][j] for j in range(self.S)), default=0.0) for i in range(self.P)]
        order = sorted(range(self.N), key=lambda k: (-self.tq[k], -far[self.tp[k]], k))
        for k in order:
            if not self.insert_best(k, 0.0):
                raise BusProblemError("no shelter has room left for a load; the loads do not pack into "
                                      "the shelters")

    def ruin_recreate(self) -> bool:
        """Remove and reinsert some trips; False (state unchanged only if restored by caller) on failure."""
        rng, par = self.rng, self.params
        hi = max(par.destroy_min, min(par.destroy_max, int(par.destroy_frac * self.N)))
        n = min(self.N, rng.randint(par.destroy_min, hi))
        mode = rng.random()
        chosen: list[int] = []
        if mode < 0.4:
            worst = max(range(self.B), key=lambda b: (self.cost[b], -b))
            chosen = list(self.routes[worst])
            rng.shuffle(chosen)
            chosen = chosen[: max(1, n // 2)]
        elif mode < 0.7:
            seed_trip = rng.randrange(self.N)
            i0 = self.tp[seed_trip]
            near = sorted(range(self.N), key=lambda k: (self.sp[self.ts[seed_trip]][self.tp[k]]
                                                         + self.ps[self.tp[k]][self.ts[k]]
                                                         + (0 if self.tp[k] == i0 else 1), k))
            chosen = near[:n]
        pool = [k for k in range(self.N) if k not in chosen]
        rng.shuffle(pool)
        chosen += pool[: max(0, n - len(chosen))]
        for k in chosen:
            self.remove(k)
        rng.shuffle(chosen)
        chosen.sort(key=lambda k: -self.tq[k])
        return all(self.insert_best(k, par.noise) for k in chosen)

    # -- local search -----------------------------------------------------------------------------
    def local_search(self) -> None:
        while self._improve():
            pass

    def _improve(self) -> bool:
        buses = sorted(range(self.B), key=lambda b: (-self.cost[b], b))[: self.params.ls_buses]
        return any(self.cost[a] > 0 and self._improve_bus(a) for a in buses)

    def _improve_bus(self, a: int) -> bool:
        """Apply the best improving move involving bus ``a``; False when there is none."""
        P, tp, ts, tq = self.P, self.tp, self.ts, self.tq
        sa = self.routes[a]
        pa = self.pairs(sa)
        ca = self.cost[a]
        best: tuple[float, float] | None = None
        apply: tuple[object, ...] = ()

        def offer(na: float, nb: float, ob: float, move: tuple[object, ...]) -> None:
            nonlocal best, apply
            if self.better(na, nb, ca, ob):
                key = (max(na, nb), min(na, nb))
                if best is None or key < best:
                    best, apply = key, move

        for x, k in enumerate(sa):
            i = tp[k]
            rest = pa[:x] + pa[x + 1:]
            seq_rest = sa[:x] + sa[x + 1:]
            na = self.finish(a, rest)
            # relocate k to another bus (or an idle one)
            for b in range(self.B):
                if b == a:
                    continue
                sb = self.routes[b]
                pb = self.pairs(sb)
                cb = self.cost[b]
                if na >= ca - self.eps and cb >= ca - self.eps:
                    continue
                for pos in range(len(sb) + 1):
                    nxt = tp[sb[pos]] if pos < len(sb) else P
                    j = self.shelter_for(k, nxt, ts[k])
                    if j < 0:
                        continue
                    nb = self.finish(b, [*pb[:pos], (i, j), *pb[pos:]])
                    offer(na, nb, cb, ("move", k, a, x, b, pos, j))
            # relocate k inside its own route
            for pos in range(len(seq_rest) + 1):
                if pos == x:
                    continue
                nxt = tp[seq_rest[pos]] if pos < len(seq_rest) else P
                j = self.shelter_for(k, nxt, ts[k])
                if j < 0:
                    continue
                n_self = self.finish(a, [*rest[:pos], (i, j), *rest[pos:]])
                offer(n_self, 0.0, 0.0, ("move", k, a, x, a, pos, j))
            # another shelter with room
            for j in range(self.S):
                if j == ts[k] or self.rem[j] < tq[k]:
                    continue
                n_self = self.finish(a, [*pa[:x], (i, j), *pa[x + 1:]])
                offer(n_self, 0.0, 0.0, ("shelter", k, j))
            # swaps and shelter swaps with trips of other buses (and shelter swaps inside the route)
            for b in range(self.B):
                sb = self.routes[b]
                if not sb:
                    continue
                pb = self.pairs(sb)
                cb = self.cost[b]
                for y, m in enumerate(sb):
                    if b == a and y <= x:
                        continue
                    jk, jm = ts[k], ts[m]
                    if jk != jm and tq[k] != tq[m]:
                        ok = (self.rem[jk] + tq[k] >= tq[m]) and (self.rem[jm] + tq[m] >= tq[k])
                    else:
                        ok = True
                    if b == a:
                        if jk != jm and ok:
                            q = list(pa)
                            q[x], q[y] = (i, jm), (tp[m], jk)
                            offer(self.finish(a, q), 0.0, 0.0, ("sswap", k, m))
                        continue
                    if jk != jm and ok:
                        qa = list(pa)
                        qa[x] = (i, jm)
                        qb = list(pb)
                        qb[y] = (tp[m], jk)
                        offer(self.finish(a, qa), self.finish(b, qb), cb, ("sswap", k, m))
                    if tp[m] != i:
                        qa = list(pa)
                        qa[x] = pb[y]
                        qb = list(pb)
                        qb[y] = pa[x]
                        offer(self.finish(a, qa), self.finish(b, qb), cb, ("swap", a, x, b, y))
        # 2-opt*: exchange tails with another bus
        for b in range(self.B):
            if b == a:
                continue
            sb = self.routes[b]
            pb = self.pairs(sb)
            cb = self.cost[b]
            for x in range(len(sa) + 1):
                for y in range(len(sb) + 1):
                    if (x == len(sa) and y == len(sb)) or (x == 0 and y == 0):
                        continue
                    na = self.finish(a, pa[:x] + pb[y:])
                    if na >= ca - self.eps and na >= cb:
                        continue
                    nb = self.finish(b, pb[:y] + pa[x:])
                    offer(na, nb, cb, ("tails", a, x, b, y))
        if best is None:
            return False
        self._apply(apply)
        return True

    def _apply(self, move: tuple[object, ...]) -> None:
        kind = move[0]
        if kind == "move":
            _, k, a, x, b, pos, j = move
            assert isinstance(k, int) and isinstance(a, int) and isinstance(x, int)
            assert isinstance(b, int) and isinstance(pos, int) and isinstance(j, int)
            del self.routes[a][x]
            self.routes[b].insert(pos, k)
            self._set_shelter(k, j)
            self.refresh(a)
            self.refresh(b)
        elif kind == "shelter":
            _, k, j = move
            assert isinstance(k, int) and isinstance(j, int)
            self._set_shelter(k, j)
            self.refresh(self._bus_of(k))
        elif kind == "sswap":
            _, k, m = move
            assert isinstance(k, int) and isinstance(m, int)
            jk, jm = self.ts[k], self.ts[m]
            self.rem[jk] += self.tq[k] - self.tq[m]
            self.rem[jm] += self.tq[m] - self.tq[k]
            self.ts[k], self.ts[m] = jm, jk
            self.refresh(self._bus_of(k))
            self.refresh(self._bus_of(m))
        elif kind == "swap":
            _, a, x, b, y = move
            assert isinstance(a, int) and isinstance(x, int) and isinstance(b, int) and isinstance(y, int)
            ra, rb = self.routes[a], self.routes[b]
            ra[x], rb[y] = rb[y], ra[x]
            self.refresh(a)
            self.refresh(b)
        else:
            _, a, x, b, y = move
            assert isinstance(a, int) and isinstance(x, int) and isinstance(b, int) and isinstance(y, int)
            ra, rb = self.routes[a], self.routes[b]
            self.routes[a], self.routes[b] = ra[:x] + rb[y:], rb[:y] + ra[x:]
            self.refresh(a)
            self.refresh(b)

    def _set_shelter(self, k: int, j: int) -> None:
        self.rem[self.ts[k]] += self.tq[k]
        self.ts[k] = j
        self.rem[j] -= self.tq[k]

    def _bus_of(self, k: int) -> int:
        for b, seq in enumerate(self.routes):
            if k in seq:
                return b
        raise AssertionError(f"trip {k} is in no route")

    # -- snapshots ----------------------------------------------------------------------------------
    def snapshot(self) -> tuple[list[list[int]], list[int]]:
        return [list(r) for r in self.routes], list(self.ts)

    def restore(self, snap: tuple[list[list[int]], list[int]]) -> None:
        routes, ts = snap
        self.routes = [list(r) for r in routes]
        self.ts = list(ts)
        self.rem = list(self.pr.capacity)
        for k, j in enumerate(self.ts):
            self.rem[j] -= self.tq[k]
        for b in range(self.B):
            self.refresh(b)

    def load_sequences(self, sequences: Sequence[Sequence[tuple[int, int, int]]]) -> bool:
        """Adopt a solution given as (pickup, shelter, people) trips per bus; False if it does not match
        the problem's loads."""
        free: dict[tuple[int, int], list[int]] = {}
        for k in range(self.N):
            free.setdefault((self.tp[k], self.tq[k]), []).append(k)
        routes: list[list[int]] = []
        ts = [-1] * self.N
        for seq in sequences:
            route = []
            for i, j, q in seq:
                ks = free.get((i, q))
                if not ks:
                    return False
                k = ks.pop()
                ts[k] = j
                route.append(k)
            routes.append(route)
        if any(free.values()) or len(routes) != self.B:
            return False
        self.restore((routes, ts))
        return all(r >= 0 for r in self.rem)

    def sequences(self, snap: tuple[list[list[int]], list[int]]) -> tuple[tuple[tuple[int, int, int], ...], ...]:
        routes, ts = snap
        return tuple(tuple((self.tp[k], ts[k], self.tq[k]) for k in r) for r in routes)


def iterated_local_search(
    problem: BusProblem,
    *,
    stop: StoppingCriterion,
    seed: int = 0,
    callbacks: SolverCallbacks | None = None,
    params: IlsParams | None = None,
    initial: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    lower_bound: float | None = None,
) -> BusSolution:
    """Minimise the makespan by iterated local search (see the module docstring).

    Parameters
    ----------
    problem
        The problem; every load is routed (it raises :class:`BusProblemError` when the loads cannot be
        packed into the shelters by the greedy construction).
    stop
        Called once per iteration with the best makespan; the search also stops when it reaches
        ``lower_bound`` (then the solution is proven optimal).
    seed
        Seeds the only source of randomness.
    initial
        Trips per bus to start from (e.g. another solver's solution); the greedy construction otherwise.
    lower_bound
        A known bound (computed with :func:`~evac.core.planner.busopt.bounds.lower_bound` when omitted).
    """
    t0 = time.perf_counter()
    cb = callbacks or SolverCallbacks()
    par = params or IlsParams()
    lb = compute_lower_bound(problem) if lower_bound is None else lower_bound
    cb.on_start(lb)
    s = _Search(problem, random.Random(seed), par)
    if not (initial is not None and s.load_sequences(initial)):
        s.construct()
    s.local_search()
    best = s.snapshot()
    best_m = cur_m = s.makespan()
    cb.on_best(best_m, "ils")
    iteration = 0
    since_best = 0
    tol = s.eps
    while best_m > lb + tol and not stop(best_m):
        iteration += 1
        since_best += 1
        current = s.snapshot()
        if s.ruin_recreate():
            s.local_search()
            m = s.makespan()
        else:
            m = math.inf
        if m < best_m - tol:
            best, best_m, since_best = s.snapshot(), m, 0
            cur_m = m
            cb.on_best(best_m, "ils")
        elif m <= best_m * (1.0 + par.accept_slack) + tol and math.isfinite(m):
            cur_m = m
        else:
            s.restore(current)
        if since_best >= par.restart_every:
            s.restore(best)
            cur_m, since_best = best_m, 0
        cb.on_iteration(iteration, cur_m, best_m)
    routes = timed_routes(problem, s.sequences(best))
    makespan = makespan_of(routes)
    final_lb, optimal = settle_bound(makespan, lb, tol=tol)
    cb.on_end(makespan, final_lb)
    return BusSolution(routes, makespan, final_lb, optimal, "ils", seed, iteration, time.perf_counter() - t0)
