"""The decision page's computation (``evac.services.decision.compute``): 43 daily candidate starts planned
and assessed, plus ``RUNS`` Monte Carlo runs at each probability point, on the Syria-2013 scenario.

Usage: ``.venv/bin/python bench/bench_decision.py [--size 25000] [--share 0 0.33 1]``. ``--share`` is the
share of households made to want to leave (0: the generated willingness, about 1,550 travellers at 25,000
people; 1: everyone eligible). Each configuration runs in a fresh process (its peak RSS is its own). Prints a
Markdown table: people, travellers, planning + assessment seconds, simulation seconds, total, peak RSS. It
decides whether ``GET /decision`` can answer at once (under ``WAIT_S``) or answers 202 while it computes.
Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def one(size: int, share: float) -> dict[str, object]:
    import random
    from dataclasses import replace
    from datetime import UTC, datetime

    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.core.model import PlaceKind, Population, Willingness
    from evac.core.planner import PLANNERS
    from evac.core.population.generator import generate_population
    from evac.services import decision as dec
    from evac.services.ops_ports import Clock

    path = resolve_scenario_path("syria-2013")
    model, _ = read_scenario_file(path)
    empty = build_scenario(model, base_dir=path.parent, population=Population((), ()))
    gen = model.population.generator
    cities = [p for p in empty.places if p.kind is PlaceKind.CITY and p.country == empty.country]
    pop = generate_population(cities, size=size, seed=2013, diplomats_at=gen.diplomats_at if gen else None,
                              military_at=tuple(gen.military_at) if gen else (), year=empty.epoch.year)
    if share > 0:
        rng = random.Random(7)
        leave = {h.id for h in pop.households if rng.random() < share}
        pop = Population(tuple(replace(p, willingness=Willingness.WANTS_TO_LEAVE) if p.household_id in leave else p
                               for p in pop.people), pop.households)
    sc = replace(empty, population=pop)
    start = sc.policy.start_h
    clock = Clock(datetime.now(UTC), start, sc.epoch, "syria-2013")
    inputs = dec.DecisionInputs("syria-2013", size, 1, 1, clock, start, start, ())
    t0 = time.perf_counter()
    r = dec.compute(inputs, sc, planner=PLANNERS["greedy"])
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    dec.compute(inputs, sc, planner=PLANNERS["greedy"], runs=0)  # the same without simulation
    plan_s = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    travellers = r.assessment.starts[0].travelling if r.assessment.starts else 0
    return {"people": size, "travellers": travellers, "starts": len(r.assessment.starts),
            "points": len(r.points), "runs": dec.RUNS, "plan_s": round(plan_s, 2),
            "sim_s": round(max(wall - plan_s, 0.0), 2), "total_s": round(wall, 2), "peak_rss_mib": round(rss)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--share", type=float, nargs="+", default=[0.0, 0.33, 1.0])
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.size, args.share[0])))
        return
    rows = []
    for s in args.share:
        out = subprocess.run([sys.executable, __file__, "--one", "--size", str(args.size), "--share", str(s)],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(f"{row[c]:,}" if isinstance(row[c], int) else str(row[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
