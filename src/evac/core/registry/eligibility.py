"""Who may be evacuated, and why, from nationality and family ties (policy rules, in order).

1. A **citizen** holds the home nation's nationality.
2. A **family member** is the spouse, child or parent of an eligible citizen in the same household.
   Relations are recorded towards the household's reference person, so a tie is direct when one of the two
   is the reference person, and a child of the reference person counts as the child of a citizen spouse
   (the common case: a Russian mother, her Syrian husband as reference person, their children).
3. A **partner-nation** citizen is eligible when the policy allows partner nations (in 2013 Russia's
   flights carried CIS citizens too).
4. Anyone else is **ineligible**; they are still registered, and stay with their household in the data.

The reason is a short sentence stored beside the decision, naming the rule and the relative's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evac.core.model.people import Eligibility, Relation

if TYPE_CHECKING:
    from collections.abc import Sequence

    from evac.core.registry.records import Record

_FAMILY = frozenset({Relation.SPOUSE, Relation.CHILD, Relation.PARENT})


@dataclass(frozen=True, slots=True)
class EligibilityPolicy:
    home: str = "RU"
    partner_nations: frozenset[str] = field(default_factory=lambda: frozenset({"UA", "BY", "MD", "KZ", "UZ",
                                                                             "AM", "AZ", "KG", "TJ"}))
    partners_allowed: bool = True


def _tie(rel_a: Relation, rel_b: Relation) -> str:
    """How person b relates to person a when both relations point at the reference person ("" if none)."""
    if rel_a is Relation.HEAD and rel_b in _FAMILY:
        return rel_b.value
    if rel_b is Relation.HEAD and rel_a in _FAMILY:
        return {Relation.SPOUSE: "spouse", Relation.CHILD: "parent", Relation.PARENT: "child"}[rel_a]
    if rel_a is Relation.SPOUSE and rel_b is Relation.CHILD:
        return "child"
    if rel_a is Relation.CHILD and rel_b is Relation.SPOUSE:
        return "parent"
    return ""


def decide(records: Sequence[Record], relations: Sequence[Relation], *,
           policy: EligibilityPolicy | None = None) -> list[tuple[Eligibility, str]]:
    """Eligibility and reason for each member of one household (records and relations in member order)."""
    pol = policy or EligibilityPolicy()
    citizens = [i for i, r in enumerate(records) if pol.home in r.nationalities]
    out: list[tuple[Eligibility, str]] = []
    for i, r in enumerate(records):
        if i in citizens:
            out.append((Eligibility.CITIZEN, f"holds {pol.home} nationality"))
            continue
        tie = ""
        for c in citizens:
            tie = _tie(relations[c], relations[i])
            if tie:
                out.append((Eligibility.FAMILY_MEMBER, f"{tie} of citizen {records[c].external_id}"))
                break
        if tie:
            continue
        partner = sorted(set(r.nationalities) & pol.partner_nations)
        if partner and pol.partners_allowed:
            out.append((Eligibility.PARTNER_NATION, f"partner-nation citizen ({', '.join(partner)})"))
        elif partner:
            out.append((Eligibility.INELIGIBLE, "partner nations are not covered by the current policy"))
        else:
            out.append((Eligibility.INELIGIBLE, f"no {pol.home} nationality and no citizen spouse, child or "
                                                "parent in the household"))
    return out
