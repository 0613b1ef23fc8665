"""Bounds benchmark: size and time of the time-expanded LP and the combinatorial bound, vs greedy.

Usage: ``.venv/bin/python bench/bench_bounds.py [--sizes 1000 25000 150000] [--surge 0.33] [--step 1.0]``.
Generates Syria-2013 populations at fixed seeds, plans each with greedy, and prints one row per size:
travellers, greedy weighted safe and clearance, both bounds, LP rows × columns, LP solves and seconds,
and the gap. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import resource
import time

from evac.adapters.scenario.loader import load_scenario
from evac.core.model import PlaceKind
from evac.core.planner.greedy import GreedyPlanner
from evac.core.planner.lp import combinatorial_bound, gap, lp_bound_report
from evac.core.population.generator import generate_population
from evac.core.population.surge import surge


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 25000, 150000])
    ap.add_argument("--surge", type=float, default=0.0, help="share of undecided households turning willing")
    ap.add_argument("--step", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2013)
    args = ap.parse_args()
    base = load_scenario("syria-2013")
    cities = [p for p in base.places if p.kind is PlaceKind.CITY and p.population]
    head = (f"{'people':>8} {'travel':>7} {'greedy W':>9} {'greedy C h':>10} {'comb W':>9} {'comb C h':>9} "
            f"{'LP W':>9} {'LP C h':>7} {'rows':>7} {'cols':>7} {'solves':>6} {'LP s':>6} {'gap':>7} {'MiB':>5}")
    print(head)
    for size in args.sizes:
        pop = generate_population(cities, size=size, seed=args.seed, diplomats_at="damascus",
                                  military_at=["tartus", "latakia"])
        if args.surge:
            pop = surge(pop, share=args.surge, seed=args.seed)
        sc = base.with_population(pop)
        plan = GreedyPlanner().plan(sc)
        k = plan.kpis
        assert k is not None
        comb = combinatorial_bound(sc)
        t = time.perf_counter()
        rep = lp_bound_report(sc, step_h=args.step)
        lp_s = time.perf_counter() - t
        g = gap(k, rep.bound, k.travelling_weighted)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.1f}"

        print(f"{size:>8} {k.travelling:>7} {k.safe_weighted:>9.0f} {f(k.clearance_h):>10} "
              f"{comb.safe_weighted_max:>9.0f} {f(comb.clearance_h_min):>9} {rep.bound.safe_weighted_max:>9.0f} "
              f"{f(rep.bound.clearance_h_min):>7} {rep.rows:>7} {rep.cols:>7} {rep.solves:>6} {lp_s:>6.2f} "
              f"{'-' if g is None else f'{100 * g:.1f}%':>7} {rss:>5.0f}")


if __name__ == "__main__":
    main()
