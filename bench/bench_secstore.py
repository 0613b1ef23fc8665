"""Data-at-rest benchmark: online key rotation with a writer running, backup, restore, audit verification.

Usage: ``.venv/bin/python bench/bench_secstore.py [--size 25000] [--audit 20000] [--pg URL]`` (PG from
``scripts/pg_test_cluster.sh``; an admin URL, a scratch database is made and dropped). Prints one line per
backend; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from bench_registry import write_csv

from evac.adapters.importers.tabular import read_table
from evac.adapters.store import audit_chain
from evac.adapters.store.backup import backup, restore
from evac.adapters.store.crypto import KEY_FILE
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import init_workspace, open_workspace, rotate_keys
from evac.services import operations as ops
from evac.services import registry as svc


def run(name: str, env: dict[str, str], env2: dict[str, str], csv_path: Path, audit_rows: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        ws = Path(d) / "ws"
        store = init_workspace(ws, env)
        t = read_table(csv_path)
        svc.import_records(uow=store.uow(), file_name=csv_path.name, sha256=t.sha256, records=t.records,
                           problems=[], rows=t.rows)
        factory = ops_uow_factory(store)
        for i in range(audit_rows):
            ops.record_audit(uow_factory=factory, actor="bench", action="read:bench", subject=str(i))
        writer = open_workspace(ws, env)
        stop, done = threading.Event(), [0]

        def write() -> None:
            small = Path(d) / "small.csv"
            while not stop.is_set():
                small.write_text("id,surname,name,city\n" + "".join(
                    f"W{done[0]}x{i},Petrova,Maria,damascus\n" for i in range(20)), encoding="utf-8")
                st = read_table(small)
                svc.import_records(uow=writer.uow(), file_name=f"w{done[0]}.csv", sha256=st.sha256,
                                   records=st.records, problems=[], rows=st.rows)
                done[0] += 1

        th = threading.Thread(target=write)
        th.start()
        t0 = time.perf_counter()
        n = rotate_keys(store, env)
        rot = time.perf_counter() - t0
        during = done[0]
        t0 = time.perf_counter()
        info = backup(store, Path(d) / "snap.tar")
        bak = time.perf_counter() - t0
        stop.set()
        th.join()
        writer.close()
        with Session(store.engine) as s:
            t0 = time.perf_counter()
            v = audit_chain.verify(s, store.keys)
            ver = time.perf_counter() - t0
        key = Path(d) / "key.json"
        key.write_text((ws / KEY_FILE).read_text())
        store.close()
        t0 = time.perf_counter()
        r = restore(info.path, Path(d) / "w2", key_file=key, env=env2)
        res = time.perf_counter() - t0
        print(f"{name}: rotation of {n:,} people {rot:.1f} s ({n / rot:,.0f} rows/s) with {during} writer imports "
              f"committed meanwhile; backup {bak:.1f} s, {info.bytes / 2**20:.1f} MiB; audit verify of {v.rows:,} "
              f"rows {ver:.2f} s ({'ok' if v.ok else v.problem}); restore {res:.1f} s "
              f"(chain {'ok' if r.audit.ok else r.audit.problem})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--audit", type=int, default=20_000)
    ap.add_argument("--pg", default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        csv_path = Path(d) / "people.csv"
        write_csv(csv_path, a.size, 2013)
        base = {"PATH": "/usr/bin:/bin"}
        run("SQLite", base, base, csv_path, a.audit)
        if a.pg:
            eng = create_engine(a.pg, isolation_level="AUTOCOMMIT")
            names = ["evac_bench_" + uuid.uuid4().hex[:8] for _ in range(2)]
            with eng.connect() as c:
                for n in names:
                    c.execute(text(f'CREATE DATABASE "{n}"'))
            try:
                urls = [a.pg.rsplit("/", 1)[0] + "/" + n for n in names]
                run("PostgreSQL", {**base, "EVAC_DATABASE_URL": urls[0]}, {**base, "EVAC_DATABASE_URL": urls[1]},
                    csv_path, a.audit)
            finally:
                with eng.connect() as c:
                    for n in names:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
                eng.dispose()


if __name__ == "__main__":
    main()
