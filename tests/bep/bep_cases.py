"""Small synthetic BEP instances and a brute-force solver for the BEP tests (no published data)."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import numpy as np

from evac.core.planner.busopt import BusProblem

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLE = """2 1
1 2
2 8 3 5
2 9 8 1

1 4 7

1 6 4
2 6 7
"""
"""FORMAT.md's worked example (set2-i1 layout); its optimum is 46."""


def write(tmp_path: Path, text: str, name: str = "BEP-1-2-2-2-i1.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def random_problem(seed: int, *, depots: int = 1, pickups: int = 2, shelters: int = 2, buses: int = 2,
                   seats: int = 1, max_loads: int = 3) -> BusProblem:
    """A random instance in the style of the published random sets (integer times 1..10)."""
    rng = random.Random(seed)
    split = [buses // depots + (1 if d < buses % depots else 0) for d in range(depots)]
    demand = [seats * rng.randint(1, max_loads) - (rng.randint(0, seats - 1) if seats > 1 else 0)
              for _ in range(pickups)]
    total = sum(demand)
    capacity = [rng.randint(1, total) for _ in range(shelters)]
    while sum(capacity) < total + seats * shelters:
        capacity[rng.randrange(shelters)] += seats
    dp = [[rng.randint(1, 10) for _ in range(pickups)] for _ in range(depots)]
    ps = [[rng.randint(1, 10) for _ in range(shelters)] for _ in range(pickups)]
    return BusProblem(seats, tuple(split), tuple(demand), tuple(capacity), np.array(dp, float), np.array(ps, float),
                      np.array(ps, float).T.copy(), name=f"random-{seed}")


def brute_force(pr: BusProblem) -> float:
    """The optimal makespan by depth-first search over every assignment of loads to buses, in order."""
    loads = [(i, q) for i, sizes in enumerate(pr.loads) for q in sizes]
    best = [math.inf]
    remaining = [True] * len(loads)
    room = list(pr.capacity)
    pos = [-1] * pr.n_buses
    t = [pr.release_of(b) for b in range(pr.n_buses)]
    used = [False] * pr.n_buses

    def dfs(left: int) -> None:
        span = max((t[b] for b in range(pr.n_buses) if used[b]), default=0.0)
        if span >= best[0]:
            return
        if left == 0:
            best[0] = span
            return
        seen: set[tuple[int, int]] = set()
        for k, (i, q) in enumerate(loads):
            if not remaining[k] or (i, q) in seen:
                continue
            seen.add((i, q))
            for b in range(pr.n_buses):
                leg = pr.depot_to_pickup[pr.bus_depot[b], i] if pos[b] < 0 else pr.shelter_to_pickup[pos[b], i]
                if t[b] + leg > pr.deadline_of(i):
                    continue
                for j in range(pr.n_shelters):
                    if room[j] < q:
                        continue
                    saved = (pos[b], t[b], used[b])
                    remaining[k], room[j] = False, room[j] - q
                    pos[b], t[b], used[b] = j, t[b] + leg + pr.pickup_to_shelter[i, j], True
                    dfs(left - 1)
                    pos[b], t[b], used[b] = saved
                    remaining[k], room[j] = True, room[j] + q

    dfs(len(loads))
    return best[0]


def brute_force_bish(pr: BusProblem) -> float:
    """The optimal makespan of Bish's MIP, where a round may load nobody (an empty repositioning round
    ``i -> j``, charged a busload of ``j``'s capacity like any round), by depth-first search; ``pr`` must
    be tiny (its times positive, so the makespan bound ends every branch)."""
    loads = [(i, q) for i, sizes in enumerate(pr.loads) for q in sizes]
    best = [math.inf]
    remaining = [True] * len(loads)
    room = list(pr.capacity)
    pos = [-1] * pr.n_buses
    t = [pr.release_of(b) for b in range(pr.n_buses)]
    done = [0.0] * pr.n_buses  # when each bus delivered its last load (empty rounds after it do not count)

    def dfs(left: int) -> None:
        if max(done) >= best[0]:
            return
        if left == 0:
            best[0] = max(done)
            return
        seen: set[tuple[int, int]] = set()
        options: list[tuple[int | None, int, int]] = []  # (load index or None for an empty round, pickup, q)
        for k, (i, q) in enumerate(loads):
            if remaining[k] and (i, q) not in seen:
                seen.add((i, q))
                options.append((k, i, q))
        options += [(None, i, pr.seats) for i in range(pr.n_pickups)]
        for k, i, q in options:
            fresh: set[tuple[int, float]] = set()  # idle buses alike: trying one of them is enough
            for b in range(pr.n_buses):
                if pos[b] < 0:
                    key = (int(pr.bus_depot[b]), pr.release_of(b))
                    if key in fresh:
                        continue
                    fresh.add(key)
                leg = pr.depot_to_pickup[pr.bus_depot[b], i] if pos[b] < 0 else pr.shelter_to_pickup[pos[b], i]
                for j in range(pr.n_shelters):
                    end = t[b] + leg + pr.pickup_to_shelter[i, j]
                    if room[j] < q or end >= best[0]:
                        continue
                    saved = (pos[b], t[b], done[b])
                    room[j] -= q
                    pos[b], t[b] = j, end
                    if k is not None:
                        remaining[k], done[b] = False, end
                    dfs(left - (k is not None))
                    if k is not None:
                        remaining[k] = True
                    pos[b], t[b], done[b] = saved
                    room[j] += q

    dfs(len(loads))
    return best[0]
