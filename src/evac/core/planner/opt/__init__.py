"""The optimising planner's parts (:class:`~evac.core.planner.evac.EvacPlanner` is the entry point).

- :mod:`.search`: the portfolio and the seeded, anytime improvement loop;
- :mod:`.guided`: a dispatch run steered by a rule and per-vehicle routes;
- :mod:`.reduce`: the scenario as a bus evacuation problem, and its routes read back;
- :mod:`.graph`: a road graph that reuses shortest-path trees between closures;
- :mod:`.objective`, :mod:`.stop`: the lexicographic objective and the stopping criteria.
"""
