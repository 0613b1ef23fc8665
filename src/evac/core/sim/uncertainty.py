"""What the Monte Carlo simulator treats as uncertain besides the threats, as one self-checking dataclass.

Threat times come from the scenario (each threat's distribution); everything else the simulator samples is
set here. Every default is an **EST** assumption (no source: judgement for a 2013 Syria road operation),
documented field by field so that a crisis cell can replace it with what it knows. Times are hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from evac.core.errors import ModelError


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Parameters of the futures the simulator samples (all times in hours, rates per hour).

    - ``no_show``: probability a household that registered as wanting to leave is not at the pick-up, by
      willingness at the start (``wants_to_leave``; ``undecided`` applies to late deciders). EST 5 % and 15 %:
      people change their minds, cannot reach the assembly point, or leave by their own means. A no-show
      household frees its seats and is not counted among the people who must be safe.
    - ``breakdown_per_h``: breakdowns of one vehicle per operating (driving) hour. EST 1/500 h, an old coach
      on bad roads. ``repair_median_h`` / ``repair_sigma``: a breakdown stops the vehicle for a log-normal
      time (EST median 4 h, sigma 1). ``write_off_h``: a repair longer than this cancels the vehicle for the
      rest of the operation (EST 24 h: it is towed away); its passengers and its later trips are stranded.
    - ``crossing_delay_median_h`` / ``crossing_delay_sigma``: extra time a vehicle spends at each border
      crossing beyond what the plan allowed (queues, searches): log-normal, EST median 0.5 h, sigma 0.8
      (1 in 10 passages takes 1.4 h or more). A median of 0 means no extra delay.
    - ``decide_per_day``: hazard at which an undecided, eligible household decides to leave, per day, before
      any closure during the operation (EST 0.5 %/day). ``decide_boost_per_closure``: each closure that
      happens after the start multiplies that hazard by ``1 + boost`` more (EST 1.0: the first closure
      doubles it, the second triples it) — people leave when the situation visibly worsens.
    - ``max_replans``: in re-planning mode, at most this many re-plans per run (each takes a planner call).
    """

    no_show: dict[str, float] = field(default_factory=lambda: {"wants_to_leave": 0.05, "undecided": 0.15})
    breakdown_per_h: float = 1.0 / 500.0
    repair_median_h: float = 4.0
    repair_sigma: float = 1.0
    write_off_h: float = 24.0
    crossing_delay_median_h: float = 0.5
    crossing_delay_sigma: float = 0.8
    decide_per_day: float = 0.005
    decide_boost_per_closure: float = 1.0
    max_replans: int = 5

    def __post_init__(self) -> None:
        problems: list[str] = []
        for key, p in self.no_show.items():
            if key not in ("wants_to_leave", "undecided"):
                problems.append(f"no_show: unknown willingness {key!r} (wants_to_leave or undecided)")
            elif not 0.0 <= p <= 1.0:
                problems.append(f"no_show.{key} must be a probability in [0, 1], got {p}")
        for name in ("breakdown_per_h", "repair_median_h", "repair_sigma", "crossing_delay_median_h",
                     "crossing_delay_sigma", "decide_per_day", "decide_boost_per_closure"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"{name} must be a finite number >= 0, got {value}")
        if not self.write_off_h > 0:
            problems.append(f"write_off_h must be positive, got {self.write_off_h}")
        if self.max_replans < 0:
            problems.append(f"max_replans must not be negative, got {self.max_replans}")
        if problems:
            raise ModelError("uncertainty: " + "; ".join(problems))

    @classmethod
    def none(cls) -> Uncertainty:
        """No uncertainty besides the threats: nobody fails to show, nothing breaks, nobody changes their
        mind. With :class:`~evac.core.model.Fixed` threats at the planning quantile the simulator then
        reproduces the plan exactly (the validation test)."""
        return cls(no_show={"wants_to_leave": 0.0, "undecided": 0.0}, breakdown_per_h=0.0,
                   crossing_delay_median_h=0.0, crossing_delay_sigma=0.0, decide_per_day=0.0)

    def no_show_p(self, willingness: str) -> float:
        return self.no_show.get(willingness, 0.0)
