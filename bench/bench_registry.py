"""Registry benchmark: import N generated people into SQLite and PostgreSQL, search latency, dedup F1.

Usage: ``.venv/bin/python bench/bench_registry.py [--size 150000] [--pg URL]`` (PG from
``scripts/pg_test_cluster.sh``). Prints a table; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import tempfile
import time
from pathlib import Path

from evac.adapters.importers.tabular import read_table
from evac.adapters.store.workspace import init_workspace
from evac.core.model import Place, PlaceKind
from evac.core.population.generator import generate_population
from evac.core.registry.linkage import baseline_pairs, link, score_pairs
from evac.core.registry.variants import with_duplicates
from evac.services import registry as svc

CITIES = [Place("damascus", "Damascus", PlaceKind.CITY, 33.51, 36.29, "SY", population=1_700_000),
          Place("aleppo", "Aleppo", PlaceKind.CITY, 36.20, 37.13, "SY", population=2_100_000),
          Place("homs", "Homs", PlaceKind.CITY, 34.73, 36.72, "SY", population=800_000)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def write_csv(path: Path, size: int, seed: int) -> list[str]:
    pop = generate_population(CITIES, size=size, seed=seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "surname", "name", "patronymic", "surname (latin)", "first name (latin)", "birth date",
                    "sex", "nationality", "phone", "city", "household", "relation"])
        for p in pop.people:
            w.writerow([p.id, p.family, p.given, p.patronymic, p.family_latin, p.given_latin, p.birth.iso(),
                        p.sex.value, ",".join(p.nationalities), p.phone, p.location, p.household_id,
                        p.relation.value])
    return [p.family_latin for p in pop.people[:: max(1, size // 200)]]


def bench_store(name: str, env: dict[str, str], csv_path: Path, queries: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as d:
        store = init_workspace(Path(d) / "ws", env)
        t0 = time.perf_counter()
        table = read_table(csv_path)
        res = svc.import_records(uow=store.uow(), file_name=csv_path.name, sha256=table.sha256,
                                 records=table.records, problems=[], rows=table.rows)
        dt = time.perf_counter() - t0
        lat = []
        for q in queries:
            t = time.perf_counter()
            svc.find(uow=store.uow(), query=q, limit=20)
            lat.append((time.perf_counter() - t) * 1000)
        store.close()
    q = statistics.quantiles(lat, n=20)
    return [name, f"{res.imported:,}", f"{res.imported / dt:,.0f}", f"{rss_mb():,.0f}", f"{q[9]:.1f}", f"{q[18]:.1f}"]


def fresh_database(admin_url: str) -> str:
    """A new empty database on the server of ``admin_url`` (a workspace's key opens only its own data)."""
    import uuid

    from sqlalchemy import create_engine, text

    name = "evac_bench_" + uuid.uuid4().hex[:8]
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=150_000)
    ap.add_argument("--dedup-size", type=int, default=None)
    ap.add_argument("--pg", default=None)
    ap.add_argument("--seed", type=int, default=2013)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "list.csv"
        queries = write_csv(path, a.size, a.seed)
        rows.append(bench_store("sqlite", {}, path, queries))
        if a.pg:
            rows.append(bench_store("postgresql", {"EVAC_DATABASE_URL": fresh_database(a.pg)}, path, queries))
    print("| store | people | import rows/s | peak RSS MiB | find p50 ms | find p95 ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    n = a.dedup_size or a.size
    pop = generate_population(CITIES, size=n, seed=a.seed)
    ev = with_duplicates(pop.people, rate=0.1, seed=a.seed)
    t0 = time.perf_counter()
    res = link(ev.records, households=ev.households, seed=a.seed)
    wall = time.perf_counter() - t0
    sc = score_pairs({(c.a, c.b) for c in res.candidates if c.decision == "match"}, set(ev.truth))
    base = score_pairs(baseline_pairs(ev.records), set(ev.truth))
    print("\n| dedup people | records | pairs compared | precision | recall | F1 | baseline F1 | wall s "
          "| peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {n:,} | {len(ev.records):,} | {res.pairs_compared:,} | {sc.precision:.3f} | {sc.recall:.3f} | "
          f"{sc.f1:.3f} | {base.f1:.3f} | {wall:.1f} | {rss_mb():,.0f} |")


if __name__ == "__main__":
    main()
