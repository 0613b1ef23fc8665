"""Monte Carlo simulation: execute a plan against sampled futures (pure; seeded, never the global RNG).

:class:`Uncertainty` says what is uncertain besides the threats; :class:`SimContext` and
:func:`compile_plan` index a scenario and a plan once; :func:`simulate_run` runs one seeded future.
"""

from evac.core.sim.compiled import CompiledPlan, SimContext, compile_plan
from evac.core.sim.run import RunResult, SimJob, SimMode, failed_run, run_seed, simulate_run, simulate_runs
from evac.core.sim.uncertainty import Uncertainty

__all__ = ["CompiledPlan", "RunResult", "SimContext", "SimJob", "SimMode", "Uncertainty", "compile_plan",
           "failed_run", "run_seed", "simulate_run", "simulate_runs"]
