"""What every planner implements, and how it reports progress without printing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from evac.core.model import Plan, Policy, Scenario


class Callbacks:
    """Progress hooks a planner calls; the default does nothing. The CLI turns them into a progress bar."""

    def on_start(self, total: int) -> None:
        """``total`` units of work (households to place) are ahead."""

    def on_progress(self, done: int) -> None:
        """``done`` units finished so far."""

    def on_end(self) -> None:
        """The planner has finished."""


class Planner(Protocol):
    """``plan(scenario, policy=…, start_h=…) -> Plan``: the one interface every planner implements.

    ``policy`` replaces the scenario's policy; ``start_h`` (hours from the epoch) replaces the policy's
    start. The same inputs and ``seed`` give the same plan.
    """

    name: str

    def plan(
        self,
        scenario: Scenario,
        *,
        policy: Policy | None = None,
        start_h: float | None = None,
        seed: int = 0,
        callbacks: Callbacks | None = None,
    ) -> Plan: ...


def planning_scenario(scenario: Scenario, policy: Policy | None, start_h: float | None) -> Scenario:
    """The scenario a planner works on: ``policy`` (default: the scenario's) with ``start_h`` (hours from the
    epoch) replacing its start when given. Every planner resolves its arguments the same way here."""
    pol = policy or scenario.policy
    if start_h is not None:
        pol = replace(pol, start_h=start_h)
    return scenario.with_policy(pol)
