"""Key performance indicators of a plan. Times in hours, exposure in person-hours."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class KPIs:
    """What a plan achieves, recomputed from the plan by :func:`evac.core.model.kpis.compute_kpis`.

    - ``registered``: people in the population; ``eligible``: not ineligible; ``willing``: want to leave;
      ``travelling``: eligible and willing — the people the plan is for.
    - ``safe``: people who reach a safe haven in the plan (always before every closure they depend on,
      because a valid plan never uses a closed place or link); ``safe_weighted``: weighted by priority class.
    - ``clearance_h``: hours from the start to the last person safe (``None`` if nobody is safe).
    - ``exposure_person_h``: person-hours spent in places or on links under a danger or after a closure
      threat's time, from the start until safe.
    - ``seat_utilisation``: occupied seat-hours over offered seat-hours on legs of fleet vehicles.
    """

    registered: int
    eligible: int
    willing: int
    travelling: int
    travelling_weighted: float
    safe: int
    safe_weighted: float
    clearance_h: float | None
    left_behind: int
    exposure_person_h: float
    seat_utilisation: float
    trips: int
    safe_by_class: dict[str, int] = field(default_factory=dict)
    travelling_by_class: dict[str, int] = field(default_factory=dict)
    left_behind_by_reason: dict[str, int] = field(default_factory=dict)
