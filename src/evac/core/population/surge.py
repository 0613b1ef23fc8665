"""What if the undecided decide to leave? A seeded change of willingness, household by household.

DESIGN §8: willingness is a state that changes as the threat grows, and the interesting questions
are the surges ("what if a third of them decide to leave within a week?"). Households decide
together: a household whose members are all undecided turns to wanting to leave with probability
``share``; nobody who declines changes their mind here.
"""

from __future__ import annotations

import random
from dataclasses import replace

from evac.core.errors import ModelError
from evac.core.model import Population, Willingness


def surge(population: Population, *, share: float, seed: int = 0) -> Population:
    """A copy of ``population`` in which a ``share`` (0–1) of undecided households want to leave."""
    if not 0.0 <= share <= 1.0:
        raise ModelError(f"surge share must be in [0, 1], got {share}")
    rng = random.Random(seed)
    people = population.person_by_id
    turning: set[str] = set()
    for h in population.households:
        undecided = all(people[m].willingness is Willingness.UNDECIDED for m in h.members)
        draw = rng.random()  # drawn for every household so the choice of one never shifts another's
        if undecided and draw < share:
            turning.add(h.id)
    changed = tuple(
        replace(p, willingness=Willingness.WANTS_TO_LEAVE) if p.household_id in turning else p
        for p in population.people
    )
    return Population(changed, population.households)
