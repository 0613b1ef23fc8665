"""The route × role access matrix: the one place that says who may call what.

Every route of the API has an entry (a test fails otherwise); a route not listed is denied to everyone.
Field officers are additionally limited, inside the services, to the people and trips of their own
assembly point.
"""

from __future__ import annotations

from evac.services.ops_ports import Role

A, P, F, V = Role.ADMIN, Role.PLANNER, Role.FIELD_OFFICER, Role.VIEWER

ACCESS: dict[str, frozenset[Role]] = {
    "me": frozenset({A, P, F, V}),
    "set_my_language": frozenset({A, P, F, V}),
    "logout": frozenset({A, P, F, V}),
    "change_my_password": frozenset({A, P, F, V}),
    "search_people": frozenset({A, P, F}),
    "get_person": frozenset({A, P, F}),
    "edit_person": frozenset({A, P, F}),
    "set_language": frozenset({A, P, F}),
    "get_household": frozenset({A, P, F}),
    "household_passes": frozenset({A, P, F}),
    "person_pass": frozenset({A, P, F}),
    "list_trips": frozenset({A, P, F, V}),
    "get_manifest": frozenset({A, P, F}),
    "manifest_pdf": frozenset({A, P, F}),
    "manifest_csv": frozenset({A, P, F, V}),
    "check_in": frozenset({A, P, F}),
    "board": frozenset({A, P, F}),
    "no_show": frozenset({A, P, F}),
    "reply": frozenset({A, P, F}),
    "depart": frozenset({A, P, F}),
    "arrive": frozenset({A, P, F}),
    "arrive_people": frozenset({A, P, F}),
    "walk_in": frozenset({A, P, F}),
    "post_closure": frozenset({A, P}),
    "post_breakdown": frozenset({A, P}),
    "post_replan": frozenset({A, P}),
    "status_board": frozenset({A, P, V}),
    "status_board_timeline": frozenset({A, P, V}),
    "status_board_funnel": frozenset({A, P, V}),
    "status_board_stream": frozenset({A, P, V}),
    "scenario_labels": frozenset({A, P, V}),
    "unaccounted": frozenset({A, P, V}),
    "sitrep": frozenset({A, P, V}),
    "record_enquiry": frozenset({A, P}),
    "list_enquiries": frozenset({A, P}),
    "outbox": frozenset({A, P}),
    "plan_map": frozenset({A, P, V}),
    "plan_geo": frozenset({A, P, V}),
    "decision": frozenset({A, P, V}),
    "registry_dupes": frozenset({A, P, V}),
    "registry_merge": frozenset({A, P}),
    "registry_unmerge": frozenset({A, P}),
    "registry_dupes_summary": frozenset({A, P, V}),
    "registry_accept_likely": frozenset({A, P}),
    "registry_import": frozenset({A, P}),
    "list_users": frozenset({A}),
    "add_user": frozenset({A}),
    "update_user": frozenset({A}),
    "audit": frozenset({A}),
    "openapi": frozenset({A, P}),
}

PUBLIC = frozenset({"login", "health", "docs"})  # docs: a shell; its schema needs "openapi"
