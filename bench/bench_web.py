"""Page load of the crisis-cell console's status board on an M-size operation, in headless Chromium.

Builds the M operation of ``evac bench`` (25,000 synthetic people on syria-2013 at seed 2013, the surge: every
undecided household decides to leave, so about half travel), imports it into a fresh SQLite workspace,
activates a greedy plan and adds an admin user; starts ``python -m evac.cli.ops serve`` on 127.0.0.1; then, in
Debian's ``chromium`` driven by Playwright, opens ``/console`` with a signed-in session (the token put in
``sessionStorage`` before the page's scripts run) and measures, from the navigation's start (the page's own
``performance`` clock):

- until the status board's cards are on screen (``#totals .kcard``), and
- until every section has loaded (``body[data-ready=true]``: board, chart, map, decision, trips, registry …);

the first load on a fresh server and browser (cold) separately, then ``--loads`` more (new tab each, same
browser profile: a cell member reopening the console). The browser's Resource Timing says which API request
took longest. Then the status-board API alone (``GET /status-board`` and ``GET /status-board/timeline``,
``--loads`` calls each, one client). Prints Markdown table rows; target: page ready in under 1 s. Never part of
the tests. Without chromium (or Playwright) the browser rows are skipped with a note.

    .venv/bin/python bench/bench_web.py [--size 25000] [--loads 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "bench-password-1"
#: records the moments (ms since navigation start) the board's cards and the ready flag appear
INIT_SCRIPT = """
sessionStorage.setItem("evac.session", %s);
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks, now = performance.now();
  if (m.kcard === undefined && document.querySelector("#totals .kcard")) m.kcard = now;
  if (m.ready === undefined && document.body && document.body.dataset.ready === "true") m.ready = now;
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"] });
"""


def build(ws: Path, size: int) -> dict[str, Any]:
    """The M operation in ``ws``: registry import, greedy plan activated, user ``admin``. Returns counts."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from evac.adapters.bench import POPULATION_SEED, SURGE_SEED
    from evac.adapters.passes.tokens import Argon2Hasher
    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.adapters.store.ops_repo import ops_uow_factory
    from evac.adapters.store.ops_scenario import operation_scenario
    from evac.adapters.store.workspace import init_workspace
    from evac.core.model import PlaceKind, Population
    from evac.core.planner import PLANNERS
    from evac.core.population.generator import generate_population
    from evac.core.population.surge import surge
    from evac.core.registry.variants import with_duplicates
    from evac.services import registry as reg
    from evac.services.operations import activate
    from evac.services.ops_ports import Clock, Role
    from evac.services.users import add_user

    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}
    store = init_workspace(ws, env)
    path = resolve_scenario_path("syria-2013")
    model, _ = read_scenario_file(path)
    base = build_scenario(model, base_dir=path.parent, population=Population((), ()))
    gen = model.population.generator
    cities = [p for p in base.places if p.kind is PlaceKind.CITY and p.country == base.country]
    pop = surge(generate_population(cities, size=size, seed=POPULATION_SEED,
                                    diplomats_at=gen.diplomats_at if gen else None,
                                    military_at=tuple(gen.military_at) if gen else (), year=base.epoch.year),
                share=1.0, seed=SURGE_SEED)
    ev = with_duplicates(pop.people, rate=0.0, seed=POPULATION_SEED)  # registry records, willingness kept
    records = [(i + 2, r) for i, r in enumerate(ev.records)]  # (CSV line, record), as an import gives them
    reg.import_records(uow=store.uow(), file_name="synthetic-m.csv", sha256="0" * 64, records=records, problems=[],
                       rows=len(records))
    scenario, _ = operation_scenario(store, "syria-2013")
    plan = PLANNERS["greedy"].plan(scenario)
    now = datetime.now(UTC)
    counts = activate(uow_factory=ops_uow_factory(store), plan=plan, scenario=scenario, scenario_ref="syria-2013",
                      clock=Clock(now, plan.start_h, scenario.epoch, "syria-2013"), actor="bench", now=now)
    add_user(uow=ops_uow_factory(store)(), hasher=Argon2Hasher(time_cost=1, memory_cost_kib=8192),
             username="admin", password=PASSWORD, role=Role.ADMIN)
    store.close()
    k = plan.kpis
    return {"people": len(records), "travelling": k.travelling if k else None, "trips": len(plan.trips),
            "households_called": counts.get("assigned")}


def start(ws: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}
    proc = subprocess.Popen([sys.executable, "-m", "evac.cli.ops", "serve", "-w", str(ws), "--port", str(port)],
                            env={**env, "EVAC_LOGIN_MAX_FAILURES": "1000"}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def peak_rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def stats(xs: list[float]) -> tuple[float, float]:
    """(median, p95) of ``xs`` (p95 by the inclusive method: with 10 values, between the 9th and the 10th)."""
    if len(xs) == 1:
        return xs[0], xs[0]
    return statistics.median(xs), statistics.quantiles(xs, n=20, method="inclusive")[18]


def browser_rows(url: str, session: dict[str, Any], loads: int) -> tuple[list[str], dict[str, list[float]]]:
    """Cold first load, then ``loads`` warm loads; returns table rows and the API requests' durations (ms)."""
    exe = shutil.which("chromium")
    if exe is None:
        return ["| console page load | – | chromium not installed: browser rows skipped | | |"], {}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return ["| console page load | – | playwright not installed: browser rows skipped | | |"], {}
    script = INIT_SCRIPT % json.dumps(json.dumps(session))
    kcard: list[float] = []
    ready: list[float] = []
    requests: dict[str, list[float]] = {}
    rows = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-dev-shm-usage"])
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        ctx.add_init_script(script)
        for i in range(loads + 1):
            page = ctx.new_page()
            page.goto(f"{url}/console")
            page.wait_for_selector("#totals .kcard", timeout=120_000)
            page.wait_for_selector("body[data-ready=true]", timeout=120_000)
            marks = page.evaluate("window.__marks")
            res = page.evaluate("""() => performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/api/v1/'))
                .map(e => [new URL(e.name).pathname + (new URL(e.name).search ? '?…' : ''), e.duration])""")
            page.close()
            if i == 0:
                rows.append(f"| console, cold first load: board cards | 1 | {marks['kcard']:.0f} | – |")
                rows.append(f"| console, cold first load: all sections ready | 1 | {marks['ready']:.0f} | – |")
                by_path: dict[str, list[float]] = {}
                for name, d in res:
                    by_path.setdefault(name, []).append(d)
                slow = sorted(by_path.items(), key=lambda kv: -max(kv[1]))[:3]
                ours = [(n, by_path[n]) for n in ("/api/v1/status-board", "/api/v1/status-board/timeline")
                        if n in by_path and n not in dict(slow)]
                rows.append("| (cold: slowest API requests, ms; ×n: polled n times) | | " + "; ".join(
                    f"`{n}` {max(ds):.0f}" + (f" ×{len(ds)}" if len(ds) > 1 else "") for n, ds in slow + ours)
                    + " | |")
                continue
            kcard.append(marks["kcard"])
            ready.append(marks["ready"])
            for name, d in res:
                requests.setdefault(name, []).append(d)
        b.close()
    m, p95 = stats(kcard)
    rows.append(f"| console, warm load: board cards | {loads} | {m:.0f} | {p95:.0f} |")
    m, p95 = stats(ready)
    rows.append(f"| console, warm load: all sections ready | {loads} | {m:.0f} | {p95:.0f} |")
    return rows, requests


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=25_000)
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--keep", type=Path, default=None, help="Reuse (or build and keep) the workspace here.")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="evac-bench-web-"))
    ws = a.keep or tmp / "ws"
    info: dict[str, Any] = {}
    if not ws.exists():
        t0 = time.perf_counter()
        info = build(ws, a.size)
        info["build_s"] = time.perf_counter() - t0
        print(f"built {info}", file=sys.stderr)
    proc, url = start(ws)
    try:
        tok = httpx.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()
        session = {"token": tok["access_token"], "user": "admin", "role": "admin", "place": None}
        rows, requests = browser_rows(url, session, a.loads)
        h = {"Authorization": f"Bearer {tok['access_token']}"}
        with httpx.Client(base_url=f"{url}/api/v1", headers=h, timeout=60) as c:
            for path in ("/status-board", "/status-board/timeline"):
                lat = []
                for _ in range(a.loads):
                    t0 = time.perf_counter()
                    r = c.get(path)
                    lat.append((time.perf_counter() - t0) * 1000)
                    r.raise_for_status()
                m, p95 = stats(lat)
                rows.append(f"| `GET {path}` alone (warm) | {a.loads} | {m:.0f} | {p95:.0f} |")
        rss = peak_rss_mib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"\nM operation: {info or 'reused workspace ' + str(ws)}; server peak RSS {rss:,.0f} MiB\n")
    print("| measure (ms from navigation start) | n | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(r)
    if requests:
        print("\n| API request during a warm load | median ms | p95 ms |")
        print("|---|---:|---:|")
        for name, ds in sorted(requests.items(), key=lambda kv: -statistics.median(kv[1])):
            m, p95 = stats(ds)
            print(f"| `{name}` | {m:.0f} | {p95:.0f} |")
    if a.keep is None:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
