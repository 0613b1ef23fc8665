"""When an optimiser stops: one protocol and small rules, one per file (after PyVRP's ``pyvrp/stop``).

Every optimiser of evac — the optimising planner's search and the bus optimiser's local searches — calls
its criterion once per iteration with the best cost so far and stops when it answers True; a criterion
also says how much wall time it still allows (``inf`` when it does not limit time), so an exact phase
can be handed the rest of the budget. :class:`MaxIterations` makes a seeded run reproducible;
:class:`MaxRuntime` makes it anytime (how far it gets then depends on the machine); :class:`FirstOf`
combines them.
"""

from __future__ import annotations

from evac.core.planner.stop.criterion import StoppingCriterion
from evac.core.planner.stop.first_of import FirstOf
from evac.core.planner.stop.max_iterations import MaxIterations
from evac.core.planner.stop.max_runtime import MaxRuntime

__all__ = ["FirstOf", "MaxIterations", "MaxRuntime", "StoppingCriterion"]
