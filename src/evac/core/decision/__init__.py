"""Decision support (pure): when must the operation start, and with what probability is everyone safe?

:func:`assess` plans candidate starts and holds clearance against closures (deterministic, at the planning
quantile); :mod:`.montecarlo` aggregates simulated runs into P(all safe) with intervals, left-behind
statistics, fan-chart quantiles and the latest start at a given probability.
"""

from evac.core.decision.assess import Assessment, ClosureWindow, StartAssessment, assess, assess_plans, plan_starts
from evac.core.decision.latest import STEP_H, THRESHOLD, LatestSafeStart, candidate_starts, latest_safe_start
from evac.core.decision.montecarlo import (
    FAN_QUANTILES,
    FailedRun,
    MonteCarloSummary,
    SweepPoint,
    latest_start_at,
    summarise,
    wilson,
)

__all__ = ["FAN_QUANTILES", "STEP_H", "THRESHOLD", "Assessment", "ClosureWindow", "FailedRun", "LatestSafeStart",
           "MonteCarloSummary", "StartAssessment", "SweepPoint", "assess", "assess_plans", "candidate_starts",
           "latest_safe_start", "latest_start_at", "plan_starts", "summarise", "wilson"]
