"""Check-in scans per second and p95 latency of the operations API, SQLite or PostgreSQL, on loopback.

Builds a workspace (``evac init``, a synthetic list of --size people, ``registry import``, ``ops activate``),
starts ``python -m evac.cli.ops serve`` on 127.0.0.1, and sends a bounded load: every traveller is scanned
twice (the second scan answers ``already``, like a field device retrying), each with its own
Idempotency-Key, from --threads client threads. Prints one Markdown table row. Never part of the tests.

    .venv/bin/python bench/bench_ops.py --size 3000 --threads 8
    EVAC_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/bench_ops.py --size 3000
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

PY = sys.executable


EVAC = str(Path(PY).parent / "evac")


def _run(*args: str, env: dict[str, str]) -> None:
    cmd = [EVAC, *args[2:]] if args[:2] == ("-m", "evac.cli.app") else [PY, *args]
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--max-s", type=float, default=60.0)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="evac-bench-ops-"))
    ws, lst = tmp / "ws", tmp / "list.csv"
    env = {**os.environ, "EVAC_ARGON2_TIME_COST": "1", "EVAC_ARGON2_MEMORY_KIB": "8192", "PW": "bench-password-1"}
    _run("-m", "evac.cli.app", "init", str(ws), env=env)
    _run("-m", "evac.cli.app", "generate", "population", "--size", str(a.size), "--duplicates", "0.0001", "--out",
         str(lst), env=env)
    _run("-m", "evac.cli.app", "registry", "import", str(lst), "-w", str(ws), "--no-dedup", env=env)
    _run("-m", "evac.cli.ops", "ops", "activate", "-w", str(ws), env=env)
    _run("-m", "evac.cli.ops", "users", "add", "admin", "--password-env", "PW", "-w", str(ws), env=env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([PY, "-m", "evac.cli.ops", "serve", "-w", str(ws), "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        tok = httpx.post(f"{base}/auth/login", json={"username": "admin", "password": env["PW"]}).json()
        h = {"Authorization": f"Bearer {tok['access_token']}"}
        trips = httpx.get(f"{base}/trips", headers=h, params={"limit": 500}).json()
        people = [p["id"] for t in trips for p in httpx.get(f"{base}/trips/{t['id']}", headers=h).json()["passengers"]]
        todo = [pid for pid in people for _ in range(2)]
        lat: list[float] = []
        lock = threading.Lock()
        t_end = time.monotonic() + a.max_s

        def worker() -> None:
            with httpx.Client(timeout=10) as c:
                while time.monotonic() < t_end:
                    with lock:
                        if not todo:
                            return
                        pid = todo.pop()
                    t0 = time.perf_counter()
                    r = c.post(f"{base}/checkins", json={"person_ids": [pid]},
                               headers={**h, "Idempotency-Key": uuid.uuid4().hex})
                    dt = time.perf_counter() - t0
                    assert r.status_code == 200, r.text
                    with lock:
                        lat.append(dt)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(a.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        proc.kill()
        proc.wait()
    backend = "PostgreSQL" if os.environ.get("EVAC_DATABASE_URL") else "SQLite (WAL, synchronous=FULL)"
    p95 = statistics.quantiles(lat, n=20)[18] * 1000
    print("| backend | scans | threads | scans/s | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| {backend} | {len(lat)} | {a.threads} | {len(lat) / wall:.0f} | {statistics.median(lat) * 1000:.1f} "
          f"| {p95:.1f} |")


if __name__ == "__main__":
    main()
