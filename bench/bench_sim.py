"""Monte Carlo benchmark: 1,000 runs of the 25,000-person Syria-2013 scenario (M) with 1 and 2 workers.

Usage: ``.venv/bin/python bench/bench_sim.py [--runs 1000] [--workers 1 2] [--mode as_planned|replan]
[--dask local]``. Each configuration runs in a fresh Python process, so its peak resident memory (the
process and its worker processes, MiB) is its own. Prints a Markdown table: runs, workers, wall seconds of
the runs (planning and loading excluded, pool start-up included), runs/s, P(all safe) (a failed run counts as
not all safe, and failed runs are listed under the table), peak RSS. Target
(DESIGN §5): 1,000 runs of M in under 60 s on 2 cores. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def one(runs: int, workers: int, mode: str, dask: str | None) -> dict[str, object]:
    import numpy as np

    from evac.adapters.runners import run_jobs
    from evac.adapters.scenario.loader import load_scenario
    from evac.core.decision import summarise
    from evac.core.planner import GreedyPlanner
    from evac.core.sim import SimContext, SimJob, SimMode, Uncertainty, compile_plan

    sc = load_scenario("syria-2013")
    planner = GreedyPlanner()
    plan = planner.plan(sc)
    ctx = SimContext.of(sc)
    job = SimJob(ctx, compile_plan(plan, sc, ctx), Uncertainty(), 0, np.linspace(0, 72, 241), 72.0, SimMode(mode),
                 sc if mode == "replan" else None, planner if mode == "replan" else None)
    t0 = time.perf_counter()
    results = run_jobs([job], [runs], workers=workers, dask=dask)[0]
    wall = time.perf_counter() - t0
    m = summarise(results, start_h=plan.start_h, grid_h=job.grid_h, class_names=ctx.class_names)
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
           + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0
    return {"runs": runs, "workers": workers, "mode": mode, "dask": dask or "", "wall_s": round(wall, 2),
            "runs_per_s": round(runs / wall, 1), "p_all_safe": round(m.p_all_safe, 4),
            "failed_runs": m.failed_runs, "peak_rss_mib": round(rss)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--mode", default="as_planned", choices=["as_planned", "replan"])
    ap.add_argument("--dask", default=None)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.runs, args.workers[0], args.mode, args.dask)))
        return
    rows = []
    for w in args.workers:
        cmd = [sys.executable, __file__, "--one", "--runs", str(args.runs), "--workers", str(w), "--mode", args.mode]
        if args.dask:
            cmd += ["--dask", args.dask]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("| scenario | runs | mode | workers | wall (s) | runs/s | P(all safe) | peak RSS (MiB) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        where = f"{r['workers']}" + (f" (dask {r['dask']})" if r["dask"] else "")
        print(f"| M (syria-2013, 25k) | {r['runs']:,} | {r['mode']} | {where} | {r['wall_s']} | {r['runs_per_s']} | "
              f"{r['p_all_safe']} | {r['peak_rss_mib']} |")
    for r in rows:
        if r["failed_runs"]:
            print(f"\n{r['failed_runs']} of {r['runs']:,} runs failed with {r['workers']} worker(s); "
                  "P(all safe) counts each as not all safe.")


if __name__ == "__main__":
    main()
