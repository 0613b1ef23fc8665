"""Search benchmark: does a field officer's query, spelled as another clerk spelled it, find the person?

The people and their spellings come from the independent list generator (``bench/lists_independent.py``,
which shares no code or name table with evac). Every person listed by two or more sources gives one query:
one of their rows is taken out of the list and becomes the query, typed as that source wrote it (its script,
its romanisation, its typos and swapped names, its birth date as written: full, month-year, year only, day
and month swapped, or missing); the rest of the list is imported into a fresh SQLite workspace by evac's own
importer. A query is a hit when a row of the same person is among the first 5 results (and top-1 when it is
first). Queries are run twice: name words and the birth date as the source wrote it (what an officer asks),
and name words only (with 150k people from small name tables many people share a full name; reported for
honesty, not as the target).

Usage: ``.venv/bin/python bench/bench_search.py [--people 10000 150000] [--queries 1000] [--seed 1]``.
Each size runs in its own process (its peak memory is its own). Prints a table and the machine's load; never
part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lists_independent  # a sibling script, not a package

from evac.adapters.importers.tabular import read_table
from evac.adapters.store.workspace import init_workspace
from evac.services import registry as svc


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def query_text(row: dict[str, str], *, birth: bool) -> str:
    """What the officer types: the row's given and family name in the script it has (the original field when
    there is one), and its birth date as written when ``birth``."""
    words = [row["given_name"] or row["given_name_latin"], row["family_name"] or row["family_name_latin"]]
    if birth and row["birth_date"]:
        words.append(row["birth_date"])
    return " ".join(w for w in words if w)


def run_one(people: int, n_queries: int, seed: int) -> dict[str, object]:
    rows, truth = lists_independent.generate(people, seed=seed)
    by_person: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_person.setdefault(truth[r["external_id"]], []).append(i)
    rng = random.Random(seed)
    multi = sorted(p for p, idx in by_person.items() if len(idx) > 1)
    chosen = rng.sample(multi, min(n_queries, len(multi)))
    held = {rng.choice(by_person[p]) for p in chosen}  # one row per chosen person becomes the query
    queries = [(rows[i], truth[rows[i]["external_id"]]) for i in sorted(held)]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "list.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=lists_independent.HEADER)
            w.writeheader()
            w.writerows(r for i, r in enumerate(rows) if i not in held)
        store = init_workspace(
            Path(d) / "ws", {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}
        )
        try:
            t0 = time.perf_counter()
            table = read_table(path)
            res = svc.import_records(
                uow=store.uow(),
                file_name=path.name,
                sha256=table.sha256,
                records=table.records,
                rows=table.rows,
                problems=[(e.line, e.field, e.reason) for e in table.errors],
                accept_valid=True,
            )
            import_s = time.perf_counter() - t0
            with store.uow() as uow:
                pid_of = {s.id: truth[s.record.external_id] for s in uow.registry.active()}
            out: dict[str, object] = {
                "people": people,
                "records": res.imported,
                "queries": len(queries),
                "import_s": round(import_s, 1),
            }
            for mode in ("name+birth", "name"):
                lat: list[float] = []
                top1 = top5 = 0
                for row, pid in queries:
                    q = query_text(row, birth=mode == "name+birth")
                    t = time.perf_counter()
                    try:
                        found = svc.search(uow=store.uow(), query=q, limit=5).hits
                    except svc.RegistryError:  # a row with no name word left (cannot happen with names)
                        found = ()
                    lat.append((time.perf_counter() - t) * 1000)
                    ranks = [pid_of[s.id] for s, _ in found]
                    top1 += bool(ranks) and ranks[0] == pid
                    top5 += pid in ranks
                qs = statistics.quantiles(lat, n=20)
                out[mode] = {
                    "top1": round(top1 / len(queries), 4),
                    "top5": round(top5 / len(queries), 4),
                    "p50_ms": round(qs[9], 1),
                    "p95_ms": round(qs[18], 1),
                }
            out["peak_rss_mb"] = round(rss_mb())
            return out
        finally:
            store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, nargs="+", default=[10_000])
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # the child process
    a = ap.parse_args()
    if a.one is not None:
        print(json.dumps(run_one(a.one, a.queries, a.seed)))
        return
    load = os.getloadavg()
    results = []
    for n in a.people:
        t0 = time.perf_counter()
        p = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--queries", str(a.queries), "--seed", str(a.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["wall_s"] = round(time.perf_counter() - t0)
        results.append(r)
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    print(
        "| people | records | queries | top-1 | top-5 | p50 ms | p95 ms | top-5 name only | p95 ms name only "
        "| import s | peak RSS MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        b, o = r["name+birth"], r["name"]
        print(
            f"| {r['people']:,} | {r['records']:,} | {r['queries']:,} | {b['top1']:.1%} | {b['top5']:.1%} | "
            f"{b['p50_ms']} | {b['p95_ms']} | {o['top5']:.1%} | {o['p95_ms']} | {r['import_s']} | "
            f"{r['peak_rss_mb']:,} |"
        )


if __name__ == "__main__":
    main()
