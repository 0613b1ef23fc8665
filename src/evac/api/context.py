"""What every request needs, built once by ``create_app``: the store, signers, hasher, the login throttle
and the operation's scenario (loaded on first use, reloaded when the registry or plan reference changes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evac.adapters.passes.tokens import Argon2Hasher, PassSigner, TokenSigner, derive_secret
from evac.adapters.store.ops_repo import ops_uow_factory
from evac.api.throttle import LoginThrottle
from evac.services.decision import DecisionCache

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.adapters.store.workspace import Store
    from evac.core.model import Scenario
    from evac.services.ops_ports import OpsUnitOfWork
    from evac.settings import Settings


@dataclass
class ApiContext:
    settings: Settings
    store: Store
    uow: Callable[[], OpsUnitOfWork]
    tokens: TokenSigner
    passes: PassSigner
    hasher: Argon2Hasher
    limiter: LoginThrottle
    _scenario: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: the decision page's results, per (scenario, registry size, active plan, hour); computed in the background
    decisions: DecisionCache[Any] = field(default_factory=DecisionCache)

    @classmethod
    def build(cls, settings: Settings, store: Store) -> ApiContext:
        if settings.secret_key is not None:
            import hashlib

            raw = settings.secret_key.get_secret_value().encode()
            api_secret, pass_secret = hashlib.sha256(b"api" + raw).digest(), hashlib.sha256(b"pass" + raw).digest()
        else:
            api_secret, pass_secret = derive_secret(store.keys, "api-token"), derive_secret(store.keys, "pass")
        return cls(settings, store, ops_uow_factory(store), TokenSigner(api_secret, purpose="evac-api"),
                   PassSigner(pass_secret),
                   Argon2Hasher(time_cost=settings.argon2_time_cost, memory_cost_kib=settings.argon2_memory_kib),
                   LoginThrottle(pair_free=settings.login_max_failures,
                                 address_free=settings.login_address_max_failures,
                                 base_s=settings.login_backoff_s, max_s=settings.login_backoff_max_s,
                                 forget_s=settings.login_window_s))

    def scenario(self) -> Scenario:
        """The active operation's scenario with the registry population (cached per scenario reference and
        registry revision, so a merge or an import made meanwhile is planned with)."""
        from evac.adapters.store.ops_scenario import operation_scenario
        from evac.services.operations import NoActivePlan

        with self.uow() as uow:
            clock = uow.ops.clock()
            revision = uow.registry.revision()
        if clock is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        key = f"{clock.scenario}|{revision}"
        with self._lock:
            if key not in self._scenario:
                self._scenario.clear()
                self._scenario[key] = operation_scenario(self.store, clock.scenario)[0]
            sc: Scenario = self._scenario[key]
            return sc
