"""Hand-made synthetic households for planner tests (never real people)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.core.model import (
    Category,
    Eligibility,
    Household,
    PartialDate,
    Person,
    Population,
    Script,
    Sex,
    Vulnerability,
    Willingness,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


def make_population(
    households: Iterable[tuple[str, int]] | Iterable[tuple[str, int, dict[str, object]]],
) -> Population:
    """``(location, size[, overrides])`` per household; everyone an eligible citizen wanting to leave
    unless overridden (overrides apply to every member: willingness, eligibility, vulnerabilities)."""
    people: list[Person] = []
    hhs: list[Household] = []
    seq = 0
    for hi, spec in enumerate(households):
        location, size = spec[0], spec[1]
        overrides: dict[str, object] = dict(spec[2]) if len(spec) > 2 else {}  # type: ignore[misc]
        hid = f"H{hi + 1:04d}"
        members = []
        for j in range(size):
            seq += 1
            pid = f"P{seq:05d}"
            fields: dict[str, object] = {
                "willingness": Willingness.WANTS_TO_LEAVE,
                "eligibility": Eligibility.CITIZEN,
                "vulnerabilities": frozenset(),
            }
            fields.update(overrides)
            people.append(Person(
                id=pid, household_id=hid, given="Анна", family="Тестова", patronymic="", script=Script.CYRILLIC,
                given_latin="Anna", family_latin="Testova", patronymic_latin="", birth=PartialDate(1980 + j),
                sex=Sex.FEMALE, nationalities=("RU",), category=Category.RESIDENT,
                vulnerabilities=fields["vulnerabilities"],  # type: ignore[arg-type]
                willingness=fields["willingness"],  # type: ignore[arg-type]
                eligibility=fields["eligibility"],  # type: ignore[arg-type]
                location=location, registration_seq=seq,
            ))
            members.append(pid)
        hhs.append(Household(hid, tuple(members), location))
    return Population(tuple(people), tuple(hhs))


MEDICAL = {"vulnerabilities": frozenset({Vulnerability.MEDICAL})}
DECLINES = {"willingness": Willingness.DECLINES}
INELIGIBLE = {"eligibility": Eligibility.INELIGIBLE}
