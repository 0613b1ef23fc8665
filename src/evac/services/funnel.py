"""The operation's funnel: how many people reached each stage, overall, by assembly point and by priority class.

The status board's headline. Every stage is computed from two sources that already exist, never from a
counter of its own (no second source of truth):

- the **registry** roster, de-duplicated (people merged into another record are not counted), with the
  plain facts it keeps per person (eligibility, willingness, category, vulnerabilities, home city);
- each person's **status fold** (:func:`evac.core.oplog.fold`, stored as its projection ``op_status`` and
  rebuilt exactly by a replay): status, trip, pick-up place, messages delivered.

Stages (a person counts in every stage they reached; the stages are not exclusive):

============ =================================================================================================
registered   in the registry, duplicates merged away
eligible     not ineligible (citizen, family member, partner-nation citizen)
willing      eligible and wants to leave (registry), or has confirmed / checked in since; not if declined
undecided    eligible, undecided in the registry and no answer yet (registered or notified): to call back
called       a message reached them, or any answer or field record since (status past ``registered``)
confirmed    confirmed, checked in, boarded, departed or safe
checked_in   checked in, boarded, departed or safe
boarded      boarded, departed or safe
departed     departed or safe
safe         arrived safe at a haven
unaccounted  expected to move (booked on a trip, or a no-show) and not seen by the field: registered,
             notified, confirmed or no-show — the rule of ``GET /unaccounted``, duplicates excluded
============ =================================================================================================

**Assembly point**: the person's current pick-up place (from the fold), else their home city. **Priority
class**: the first class of the scenario's policy matching their vulnerabilities or category (the planner's
rule, :meth:`evac.core.model.Policy.class_for`). Counts only leave this module, never a name or an id.

Cost: one pass over the roster and the projection (two plain selects, no ORM objects; 25,000 people: see
docs/web.md). :func:`version` is the cheap change token (the log's newest event id, the active plan, the
registry revision) that the live stream and the ETag of ``GET /status-board/funnel`` compare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from evac.core.model.people import Category, Eligibility, Vulnerability, Willingness
from evac.core.oplog import Status
from evac.services.operations import NoActivePlan

if TYPE_CHECKING:
    from collections.abc import Callable

    from evac.core.model import Policy, Scenario
    from evac.core.oplog import PersonState
    from evac.services.ops_ports import OpsUnitOfWork, PersonFacts

    UowFactory = Callable[[], OpsUnitOfWork]

STAGES = ("registered", "eligible", "willing", "undecided", "called", "confirmed", "checked_in", "boarded",
          "departed", "safe", "unaccounted")
"""The funnel's stages in the order the board shows them."""

_S = Status
_AT_LEAST = {
    "confirmed": frozenset({_S.CONFIRMED, _S.CHECKED_IN, _S.BOARDED, _S.DEPARTED, _S.ARRIVED_SAFE}),
    "checked_in": frozenset({_S.CHECKED_IN, _S.BOARDED, _S.DEPARTED, _S.ARRIVED_SAFE}),
    "boarded": frozenset({_S.BOARDED, _S.DEPARTED, _S.ARRIVED_SAFE}),
    "departed": frozenset({_S.DEPARTED, _S.ARRIVED_SAFE}),
    "safe": frozenset({_S.ARRIVED_SAFE}),
}
_UNACCOUNTED = frozenset({_S.REGISTERED, _S.NOTIFIED, _S.CONFIRMED, _S.NO_SHOW})
_NO_ANSWER = frozenset({_S.REGISTERED, _S.NOTIFIED})


def stages_of(facts: PersonFacts, state: PersonState | None) -> list[str]:
    """The stages one person reached, from their registry facts and their folded state (``None``: no event
    yet, i.e. registered at home with no trip). Pure; the table in the module docstring is its specification."""
    status = state.status if state is not None else Status.REGISTERED
    eligible = facts.eligibility != Eligibility.INELIGIBLE.value
    out = ["registered"]
    if eligible:
        out.append("eligible")
        declined = status is Status.DECLINED
        if not declined and (facts.willingness == Willingness.WANTS_TO_LEAVE.value or status in _AT_LEAST["confirmed"]):
            out.append("willing")
        if facts.willingness == Willingness.UNDECIDED.value and status in _NO_ANSWER:
            out.append("undecided")
    if status is not Status.REGISTERED or (state is not None and state.notified > 0):
        out.append("called")
    out.extend(stage for stage, reached in _AT_LEAST.items() if status in reached)
    if (state is not None and status in _UNACCOUNTED
            and (state.trip_id is not None or status is Status.NO_SHOW)):
        out.append("unaccounted")
    return out


def _class_name(policy: Policy, facts: PersonFacts, memo: dict[tuple[frozenset[str], str], str]) -> str:
    """The priority class of ``facts`` (memoised per distinct facts: a few dozen combinations in practice)."""
    key = (facts.vulnerabilities, facts.category)
    name = memo.get(key)
    if name is None:
        vul = frozenset(Vulnerability(v) for v in facts.vulnerabilities if v in Vulnerability._value2member_map_)
        cat = Category(facts.category) if facts.category in Category._value2member_map_ else Category.RESIDENT
        name = memo[key] = policy.class_for(vul, cat).name
    return name


def funnel_in(uow: OpsUnitOfWork, *, policy: Policy) -> dict[str, Any]:
    """The funnel inside an open unit of work (read only): ``stages``, ``totals``, ``by_place`` and
    ``by_class`` (each ``{name: {stage: count}}`` with every stage present), ``classes`` in policy order,
    ``places`` sorted, and the ``version`` it reflects."""
    version = _version_in(uow)
    states = {s.person_id: s for s in uow.ops.projection()}
    memo: dict[tuple[frozenset[str], str], str] = {}
    totals = dict.fromkeys(STAGES, 0)
    by_place: dict[str, dict[str, int]] = {}
    classes = [c.name for c in policy.priority_classes]
    by_class = {c: dict.fromkeys(STAGES, 0) for c in classes}
    # people with the same place, class and the facts stages_of reads count alike: classify each combination
    # once (a few hundred on 25,000 people) with a representative, then add its count
    combos: dict[tuple[str, str, str, str, Status | None, bool, bool], tuple[int, PersonFacts, PersonState | None]]
    combos = {}
    for facts in uow.ops.person_facts():
        st = states.get(facts.person_id)
        place = (st.place if st is not None and st.place else None) or facts.city or "unknown"
        key = (place, _class_name(policy, facts, memo), facts.eligibility, facts.willingness,
               None if st is None else st.status, st is not None and st.trip_id is not None,
               st is not None and st.notified > 0)
        n, rep_facts, rep_state = combos.get(key, (0, facts, st))
        combos[key] = (n + 1, rep_facts, rep_state)
    for (place, cls_name, *_), (n, rep_facts, rep_state) in combos.items():
        row = by_place.get(place)
        if row is None:
            row = by_place[place] = dict.fromkeys(STAGES, 0)
        cls = by_class[cls_name]
        for stage in stages_of(rep_facts, rep_state):
            totals[stage] += n
            row[stage] += n
            cls[stage] += n
    return {"stages": list(STAGES), "totals": totals, "by_place": dict(sorted(by_place.items())),
            "places": sorted(by_place), "by_class": by_class, "classes": classes, "version": version}


def funnel(*, uow_factory: UowFactory, scenario_of: Callable[[str], Scenario]) -> dict[str, Any]:
    """The funnel of the operation (see the module docstring). ``scenario_of(ref)`` gives the operation's
    scenario (its policy's priority classes are read). Raises :class:`NoActivePlan` before activation."""
    with uow_factory() as uow:
        active = uow.ops.active_plan()
        if active is None:
            raise NoActivePlan("no active plan: run `evac ops activate` first")
        return funnel_in(uow, policy=scenario_of(active.scenario).policy)


def _version_in(uow: OpsUnitOfWork) -> str:
    active = uow.ops.active_plan()
    return f"{uow.ops.last_event_id()}.{active.id if active is not None else 0}.{uow.registry.revision()}"


def version(*, uow_factory: UowFactory) -> str:
    """A token that changes whenever a count of the funnel (or of the board) can change: a new event in the
    log (every field write, merge, closure, re-plan assignment), a new active plan, or a registry change
    (an import adds people without an event). Three indexed reads; used to poll cheaply."""
    with uow_factory() as uow:
        return _version_in(uow)


__all__ = ["STAGES", "funnel", "funnel_in", "stages_of", "version"]
