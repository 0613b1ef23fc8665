"""Login throttling that an attacker cannot turn into a lockout of every field officer.

Two kinds of bucket, both keyed by the **client address**, never by the user name alone:

- ``(user name, address)``: a few free guesses (``pair_free``), then an exponential backoff
  (``base_s`` · 2^k seconds, at most ``max_s``) before each further guess. A correct password clears it.
- ``address``: more free failures (``address_free``, summed over every user name), then the same backoff:
  one address cannot spray every account.

There is deliberately **no per-user lockout**: failures from an attacker's address never stop the officer
from signing in from their own phone. (The price: an attacker with many addresses gets ``pair_free`` fast
guesses per address; Argon2's cost and the password rule in :mod:`evac.services.users` are the answer.)

Counting is **atomic**: :meth:`LoginThrottle.acquire` reserves the attempt (counts it as a failure) under a
lock *before* the password is checked, so 60 concurrent guesses cannot all pass the check before any is
counted; :meth:`Ticket.succeeded` gives the reservation back. Buckets are forgotten after ``forget_s``
seconds without an attempt once their backoff has run out. The counts live in this process (``evac serve``
runs one); at most ``max_keys`` buckets are kept (oldest dropped first), so a flood of invented user names
cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class Throttled(Exception):
    """Too many failed logins from this address (for this user or overall); retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed logins; wait {retry_after_s:.0f} s and try again")
        self.retry_after_s = retry_after_s


@dataclass
class _Bucket:
    count: int = 0  # failures (and attempts in flight) since the bucket was last cleared
    until: float = 0.0  # monotonic time before which no attempt is allowed
    last: float = 0.0  # monotonic time of the last allowed attempt


@dataclass(frozen=True)
class Ticket:
    """One admitted login attempt; report its outcome exactly once."""

    throttle: LoginThrottle
    pair: str
    address: str

    def succeeded(self) -> None:
        self.throttle._succeeded(self)

    def failed(self) -> None:
        """Nothing to do: :meth:`LoginThrottle.acquire` already counted the attempt as a failure."""


class LoginThrottle:
    """Per-(user, address) and per-address failure counts with exponential backoff (see module docstring).

    Parameters are in seconds and attempts; ``clock`` is monotonic seconds (a fake one in tests).
    """

    def __init__(self, *, pair_free: int = 5, address_free: int = 30, base_s: float = 1.0, max_s: float = 900.0,
                 forget_s: float = 300.0, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if pair_free < 1 or address_free < 1 or base_s <= 0 or max_s < base_s or forget_s <= 0 or max_keys < 2:
            raise ValueError("login throttle: free attempts ≥ 1, 0 < base ≤ max backoff, forget > 0")
        self.pair_free, self.address_free = pair_free, address_free
        self.base_s, self.max_s, self.forget_s, self.max_keys = base_s, max_s, forget_s, max_keys
        self._clock = clock
        self._b: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, username: str, address: str) -> Ticket:
        """Admit one attempt for ``username`` from ``address`` and count it, or raise :class:`Throttled`."""
        pair, addr = f"u\x1f{username}\x1f{address}", f"a\x1f{address}"
        with self._lock:
            now = self._clock()
            bp, ba = self._get(pair, now), self._get(addr, now)
            wait = max(bp.until, ba.until) - now
            if wait > 0:
                raise Throttled(wait)
            self._count(bp, self.pair_free, now)
            self._count(ba, self.address_free, now)
            self._trim()
        return Ticket(self, pair, addr)

    def retry_after(self, username: str, address: str) -> float:
        """Seconds before ``username`` may try again from ``address`` (0: now); for tests and diagnostics."""
        with self._lock:
            now = self._clock()
            keys = (f"u\x1f{username}\x1f{address}", f"a\x1f{address}")
            return max([0.0] + [self._b[k].until - now for k in keys if k in self._b])

    def _get(self, key: str, now: float) -> _Bucket:
        b = self._b.get(key)
        if b is None:
            b = self._b[key] = _Bucket()
        elif now >= b.until and now - b.last >= self.forget_s:
            b.count, b.until = 0, 0.0  # quiet long enough: a clean slate
        self._b.move_to_end(key)
        return b

    def _count(self, b: _Bucket, free: int, now: float) -> None:
        b.count += 1
        b.last = now
        if b.count >= free:  # the free-th attempt already makes the next one wait
            b.until = now + min(self.base_s * 2.0 ** (b.count - free), self.max_s)

    def _trim(self) -> None:
        while len(self._b) > self.max_keys:
            self._b.popitem(last=False)

    def _succeeded(self, t: Ticket) -> None:
        with self._lock:
            self._b.pop(t.pair, None)
            b = self._b.get(t.address)
            if b is not None:  # give back the reservation: a success is not a failure of the address
                b.count = max(0, b.count - 1)
                if b.count < self.address_free:
                    b.until = 0.0
