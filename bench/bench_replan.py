"""Re-planning benchmark: one closure reported during the operation on the M scenario, and the re-plan.

Usage: ``.venv/bin/python bench/bench_replan.py [--size M] [--planners greedy fcfs ccrp]
[--closures damascus--masnaa@10 damascus--homs@20] [--repeat 5]``.

The scenario is the planner benchmark's (``evac bench``): the Syria-2013 network, the seeded generated
population of ``--size`` (M: 25,000 people) with the surge (every undecided household decides to leave, about
half travel), fleets scaled to the population. Each planner plans it; then a closure ``TARGET@H`` is reported
``H`` hours after the plan's start, at that moment, and
:func:`evac.core.planner.replan.replan_result` keeps the past and re-plans the rest with the same planner
(the KPIs of the new plan included, as ``evac replan`` does). The re-plan is timed ``--repeat`` times (the
median is printed); every re-planned plan is checked by the independent checker.

Each row runs in a fresh Python process, so its peak resident memory (scenario, plan and re-plan; MiB) is its
own; the re-plan's own peak of Python allocations is measured apart (``tracemalloc``, in an untimed run).
Prints a Markdown table. Target (DESIGN §5): a re-plan after one closure on M in under 1 s on 2 cores.
Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

CLOSURES = ("damascus--masnaa@10", "damascus--homs@20")


def one(size: str, planner: str, closure: str, repeat: int) -> dict[str, object]:
    from evac.adapters.bench import build_bench_scenario
    from evac.core.check import check_plan
    from evac.core.planner import PLANNERS
    from evac.core.planner.events import Closure
    from evac.core.planner.replan import replan_result

    target, _, after = closure.partition("@")
    sc = build_bench_scenario("syria", size)
    names = {p.id for p in sc.places} | {link.id for link in sc.links}
    if target not in names:
        raise SystemExit(f"--closures: no place or link {target!r} in {sc.id}")
    how = PLANNERS[planner]
    plan = how.plan(sc)
    now_h = plan.start_h + float(after or 0.0)
    events = [Closure(now_h, target)]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = replan_result(sc, plan, events, now_h, planner=how)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    tracemalloc.start()
    replan_result(sc, plan, events, now_h, planner=how)  # type: ignore[arg-type]
    alloc_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    report = check_plan(result.plan, result.scenario)
    kpis = result.plan.kpis
    return {"scenario": sc.id, "planner": planner, "closure": f"{target} at +{float(after or 0.0):g} h",
            "travelling": kpis.travelling if kpis else 0, "replan_s": round(statistics.median(times), 3),
            "replan_max_s": round(max(times), 3), "repeat": repeat, "peak_rss_mib": round(rss),
            "replan_alloc_mib": round(alloc_peak, 1), "changed_households": len(result.changed),
            "stranded": len(result.stranded), "check_ok": report.ok}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="M", choices=["S", "M", "L", "XL"])
    ap.add_argument("--planners", nargs="+", default=["greedy", "fcfs", "ccrp"])
    ap.add_argument("--closures", nargs="+", default=list(CLOSURES), help="TARGET@HOURS after the plan's start")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="one JSON object per row instead of the table")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.one:
        print(json.dumps(one(args.size, args.planners[0], args.closures[0], args.repeat)))
        return
    rows = []
    for planner in args.planners:
        for closure in args.closures:
            cmd = [sys.executable, __file__, "--one", "--size", args.size, "--planners", planner,
                   "--closures", closure, "--repeat", str(args.repeat)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
    if args.json:
        return
    print(f"Re-plan after one closure, {rows[0]['scenario']} ({os.cpu_count()} cores), "
          f"median of {args.repeat} re-plans:")
    print()
    print("| scenario | planner | closure | travelling | re-plan s (median) | re-plan s (max) | peak RSS MiB "
          "| re-plan alloc MiB | households to notify | check |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['planner']} | {r['closure']} | {r['travelling']:,} | {r['replan_s']:.3f} | "
              f"{r['replan_max_s']:.3f} | {r['peak_rss_mib']:,} | {r['replan_alloc_mib']} | "
              f"{r['changed_households']:,} | {'ok' if r['check_ok'] else 'FAIL'} |")


if __name__ == "__main__":
    main()
