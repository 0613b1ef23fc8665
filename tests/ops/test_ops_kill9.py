"""kill -9 the real server mid-burst: every acknowledged write is present exactly once after a restart.

A real ``evac serve`` (``python -m evac.cli.ops serve``) on 127.0.0.1 and a free port; 4 threads send a
bounded burst of check-ins (one person each, each with its own Idempotency-Key); the server is killed with
SIGKILL once ~40 writes are acknowledged; after a restart every key is sent again (acknowledged or not).
Then each key has exactly one event, each acknowledged key's replay equals its first response, and the
projection equals the replayed log. Network traffic goes to loopback only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from typing import TYPE_CHECKING

import httpx
from ops_client import clean_env
from ops_factory import PASSWORD

from evac.adapters.store.ops_repo import ops_uow_factory
from evac.adapters.store.workspace import open_workspace
from evac.services.operations import verify_projection

if TYPE_CHECKING:
    from pathlib import Path

BURST = 200
DEADLINE_S = 60.0  # generous: the burst waits on conditions, this only stops a hung test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(ws: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**clean_env(), "EVAC_ARGON2_TIME_COST": "1", "EVAC_ARGON2_MEMORY_KIB": "8192"}
    proc = subprocess.Popen([sys.executable, "-m", "evac.cli.ops", "serve", "--workspace", str(ws), "--host",
                             "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:  # a condition wait; the limit only stops a hung test
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server exited")
    proc.kill()
    raise AssertionError("server did not start")


def test_kill9_loses_no_acknowledged_write(sqlite_ws: Path) -> None:
    store = open_workspace(sqlite_ws, clean_env())
    with ops_uow_factory(store)() as uow:
        people = [s.person_id for s in uow.ops.states(limit=10**6) if s.trip_id][:BURST]
    store.close()
    assert len(people) >= 100
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    proc = _serve(sqlite_ws, port)
    token = httpx.post(f"{base}/auth/login", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    keys = {pid: f"kill9-{uuid.uuid4().hex}" for pid in people}
    acked: dict[str, dict[str, object]] = {}
    lock = threading.Lock()
    todo = list(people)
    t_end = time.monotonic() + DEADLINE_S

    def worker() -> None:
        with httpx.Client(timeout=5.0) as c:
            while time.monotonic() < t_end:
                with lock:
                    if not todo:
                        return
                    pid = todo.pop()
                try:
                    r = c.post(f"{base}/checkins", json={"person_ids": [pid]},
                               headers={**auth, "Idempotency-Key": keys[pid]})
                except httpx.HTTPError:
                    continue  # not acknowledged: the server is gone
                if r.status_code == 200:
                    with lock:
                        acked[pid] = r.json()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    while len(acked) < 40 and time.monotonic() < t_end and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    for t in threads:
        t.join(DEADLINE_S)
    assert 0 < len(acked) < len(people), "the kill must land mid-burst"

    proc = _serve(sqlite_ws, port)
    try:
        token = httpx.post(f"{base}/auth/login", json={"username": "admin", "password": PASSWORD}).json()[
            "access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=10.0) as c:
            for pid in people:  # replay every key: acknowledged ones must answer exactly as before
                r = c.post(f"{base}/checkins", json={"person_ids": [pid]},
                           headers={**auth, "Idempotency-Key": keys[pid]})
                assert r.status_code == 200, r.text
                if pid in acked:
                    assert r.json() == acked[pid] and r.headers.get("Idempotent-Replayed") == "true"
    finally:
        proc.kill()
        proc.wait(10)
    store = open_workspace(sqlite_ws, clean_env())
    try:
        with ops_uow_factory(store)() as uow:
            for pid in people:
                assert uow.ops.count_events(key=keys[pid]) == 1, pid
                st = uow.ops.state(pid)
                assert st is not None and st.status.value == "checked_in"
        assert verify_projection(uow_factory=ops_uow_factory(store)) == []
    finally:
        store.close()
