"""Helpers of the web tests (fixtures in conftest.py): a built operation (the ops tests' synthetic
workspace), a real ``evac serve`` subprocess on 127.0.0.1 and a free port, Debian's Chromium via Playwright.

Chromium comes from the system (``shutil.which("chromium")``; Playwright cannot download browsers here).
Without it the browser tests skip locally and fail under ``CI=true``. Servers are per test module group
(one for the read-mostly and field tests, a fresh one for tests that re-plan), so tests do not see each
other's changes except through the distinct households they pick.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ops"))
from ops_factory import PASSWORD, build

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import open_workspace
from evac.services.operations import registry_id

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["PASSWORD", "build"]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "src/evac/web/static/vendor/axe-core/axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]
TIMEOUT_MS = 60_000  # every wait is on a condition; this only stops a hung test (2 cores under load took > 20 s)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY"}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``evac serve`` over workspace ``ws``."""

    url: str
    ws: Path
    proc: subprocess.Popen[bytes]

    def token(self, user: str) -> str:
        r = httpx.post(f"{self.url}/api/v1/auth/login", json={"username": user, "password": PASSWORD})
        r.raise_for_status()
        return str(r.json()["access_token"])

    def api(self, method: str, path: str, user: str = "admin", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}", **kw.pop("headers", {})}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kw)


def start_server(ws: Path) -> Server:
    port = free_port()
    env = {**clean_env(), "EVAC_ARGON2_TIME_COST": "1", "EVAC_ARGON2_MEMORY_KIB": "8192",
           "EVAC_LOGIN_MAX_FAILURES": "1000"}
    proc = subprocess.Popen([sys.executable, "-m", "evac.cli.ops", "serve", "--workspace", str(ws), "--host",
                             "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:  # a condition wait; the limit only stops a hung test
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return Server(url, ws, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server exited")
    proc.kill()
    raise AssertionError("server did not start")


def stop_server(s: Server) -> None:
    s.proc.terminate()
    try:
        s.proc.wait(10)
    except subprocess.TimeoutExpired:
        s.proc.kill()
        s.proc.wait(10)


@dataclass(frozen=True)
class Household:
    id: str
    trip: str
    members: tuple[str, ...]
    query: str  # the family name in its original script: the words an officer would type


def damascus_households(ws: Path) -> list[Household]:
    """Households at the ``officer``'s assembly point (damascus) booked on one trip, in a stable order."""
    store = open_workspace(ws, clean_env())
    try:
        with ops_uow_factory(store)() as uow:
            states = [s for s in uow.ops.states(place="damascus", limit=10**6) if s.trip_id]
            by_hh: dict[str, list[Any]] = {}
            for s in states:
                by_hh.setdefault(s.household_id, []).append(s)
            out = []
            for hid in sorted(by_hh):
                ss = by_hh[hid]
                if len({s.trip_id for s in ss}) != 1:
                    continue
                rec = uow.registry.get(registry_id(ss[0].person_id)).record
                out.append(Household(hid, ss[0].trip_id, tuple(sorted(s.person_id for s in ss)),
                                     f"{rec.given} {rec.family}"))
            return out
    finally:
        store.close()


def sign_in(page: Page, base: str, path: str, user: str) -> None:
    """Open ``path`` and sign in as ``user``; returns when the page says it is ready."""
    page.goto(base + path)
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Page, scope: str | None = None) -> list[str]:
    """Serious or critical axe-core violations in the page, or inside the element ``scope`` (a selector);
    axe is injected from the vendored copy (no network)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async (scope) => {
        const r = await axe.run(scope || document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""", scope)
    return list(found)


def utc_input(hours: float) -> str:
    """The closure form's ``datetime-local`` value (UTC, as the form states) ``hours`` from now."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def post_closure(page: Page, target: str, effective: str | None = None) -> None:
    """Post a closure from the console as a planner does: pick ``target`` from the list, optionally type the
    time (UTC), send, confirm. Returns once the confirmation was clicked (wait for the result yourself)."""
    page.wait_for_selector(f"#target option[value='{target}']", state="attached")
    page.select_option("#target", target)
    if effective is not None:
        page.fill("#effective", effective)
    page.click("#closure-form button[type=submit]")
    page.click("#closure-confirm-yes")
