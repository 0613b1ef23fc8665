"""Login throttling: per-(user, address) and per-address backoff, no lockout of a user from elsewhere, and
atomic counting (concurrent guesses beyond the limit are refused before any password is checked)."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

import httpx
import pytest
from ops_client import PASSWORD, make_client

from evac.api.throttle import LoginThrottle, Throttled

if TYPE_CHECKING:
    from evac.adapters.store.workspace import Store


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _fail(th: LoginThrottle, user: str, addr: str) -> None:
    th.acquire(user, addr).failed()


def test_free_attempts_then_exponential_backoff_and_success_clears() -> None:
    clock = FakeClock()
    th = LoginThrottle(pair_free=3, address_free=100, base_s=1.0, max_s=8.0, forget_s=300.0, clock=clock)
    for _ in range(3):
        _fail(th, "officer", "10.0.0.1")
    with pytest.raises(Throttled) as info:
        th.acquire("officer", "10.0.0.1")
    assert info.value.retry_after_s == pytest.approx(1.0)
    waits = []
    for _ in range(5):  # each further failure doubles the wait, capped at max_s
        clock.t += th.retry_after("officer", "10.0.0.1")
        _fail(th, "officer", "10.0.0.1")
        waits.append(th.retry_after("officer", "10.0.0.1"))
    assert waits == pytest.approx([2.0, 4.0, 8.0, 8.0, 8.0])
    clock.t += 8.0
    th.acquire("officer", "10.0.0.1").succeeded()  # the right password clears the pair
    assert th.retry_after("officer", "10.0.0.1") == 0
    for _ in range(3):
        _fail(th, "officer", "10.0.0.1")  # three free guesses again


def test_an_attacker_cannot_lock_an_officer_out_from_elsewhere() -> None:
    clock = FakeClock()
    th = LoginThrottle(pair_free=5, address_free=30, clock=clock)
    for _ in range(5):
        _fail(th, "officer", "203.0.113.9")
    with pytest.raises(Throttled):
        th.acquire("officer", "203.0.113.9")
    th.acquire("officer", "198.51.100.7").succeeded()  # the officer's own phone: not affected
    th.acquire("planner", "203.0.113.9").succeeded()  # another user at the attacker's address: not yet


def test_one_address_cannot_spray_every_account() -> None:
    clock = FakeClock()
    th = LoginThrottle(pair_free=5, address_free=10, clock=clock)
    for i in range(10):
        _fail(th, f"user{i}", "203.0.113.9")
    with pytest.raises(Throttled):
        th.acquire("user99", "203.0.113.9")
    th.acquire("user99", "198.51.100.7").succeeded()


def test_quiet_buckets_are_forgotten_and_memory_is_bounded() -> None:
    clock = FakeClock()
    th = LoginThrottle(pair_free=2, address_free=50, base_s=1.0, max_s=4.0, forget_s=60.0, max_keys=100, clock=clock)
    for _ in range(2):
        _fail(th, "viewer", "10.0.0.2")
    clock.t += 61.0
    _fail(th, "viewer", "10.0.0.2")  # a clean slate: free again
    _fail(th, "viewer", "10.0.0.2")
    for i in range(500):
        th.acquire(f"x{i}", f"10.1.{i // 250}.{i % 250}").failed()
    assert len(th._b) <= 100


@pytest.mark.parametrize("bad", [dict(pair_free=0), dict(address_free=0), dict(base_s=0.0),
                                 dict(base_s=10.0, max_s=5.0), dict(forget_s=0.0)])
def test_bad_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="login throttle"):
        LoginThrottle(**bad)  # type: ignore[arg-type]


def test_threads_racing_never_get_more_than_the_free_attempts() -> None:
    th = LoginThrottle(pair_free=5, address_free=1000)
    admitted: list[int] = []
    barrier = threading.Barrier(40)

    def guess() -> None:
        barrier.wait()
        try:
            th.acquire("officer", "203.0.113.9")
        except Throttled:
            return
        admitted.append(1)

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 5


class _GatedHasher:
    """Counts password checks and holds each one until the test says every request has arrived, so that
    the requests truly overlap (the old limiter checked 20 of 60 such guesses)."""

    def __init__(self, inner: object) -> None:
        self.inner, self.checked, self.release = inner, 0, threading.Event()
        self._lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.checked += 1
        self.release.wait(timeout=60)
        return bool(self.inner.verify(password_hash, password))  # type: ignore[attr-defined]

    def hash(self, password: str) -> str:
        return str(self.inner.hash(password))  # type: ignore[attr-defined]


def test_concurrent_guesses_check_at_most_the_limit(any_store: Store) -> None:
    client = make_client(any_store, login_max_failures=5)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    gate = _GatedHasher(ctx.hasher)
    ctx.hasher = gate
    n = 60

    async def run() -> list[httpx.Response]:
        done: list[httpx.Response] = []
        transport = httpx.ASGITransport(app=client.app, client=("203.0.113.9", 4711))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
            async def one(i: int) -> None:
                done.append(await ac.post("/api/v1/auth/login",
                                          json={"username": "officer", "password": f"guess-number-{i}"}))
            tasks = [asyncio.create_task(one(i)) for i in range(n)]
            for _ in range(6000):  # wait (on a condition) until each guess is refused or being checked
                if len(done) + gate.checked >= n:
                    break
                await asyncio.sleep(0.01)
            gate.release.set()
            await asyncio.gather(*tasks)
        return done

    responses = asyncio.run(run())
    codes = sorted(r.status_code for r in responses)
    assert gate.checked == 5
    assert codes == [401] * 5 + [429] * (n - 5)
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert "officer" not in refused.text
    # the officer, from their own address, signs in at once
    ok = client.post("/api/v1/auth/login", json={"username": "officer", "password": PASSWORD})
    assert ok.status_code == 200


def test_wrong_then_right_password_over_http(any_store: Store) -> None:
    client = make_client(any_store, login_max_failures=3)
    for _ in range(2):
        assert client.post("/api/v1/auth/login", json={"username": "viewer", "password": "wrong-password!"}
                           ).status_code == 401
    assert client.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).status_code == 200
    for _ in range(3):  # cleared by the success: three more free guesses
        assert client.post("/api/v1/auth/login", json={"username": "viewer", "password": "wrong-password!"}
                           ).status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429 and "Retry-After" in r.headers
