"""Trips show where they pick people up (the first pick-up of the trip's itinerary) and when, not only the
vehicle's depot: the API against the stored plan, and the console's trips table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_support import PASSWORD, Server, sign_in

from evac.adapters.store.ops_repo import ops_uow_factory

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from playwright.sync_api import Page


def _h(c: TestClient, user: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_trips_name_their_first_pick_up_and_its_time(client: TestClient) -> None:
    trips = client.get("/api/v1/trips", headers=_h(client, "viewer"), params={"limit": 500}).json()
    store = client.app.state.ctx.store  # type: ignore[attr-defined]
    with ops_uow_factory(store)() as uow:
        active, clock = uow.ops.active_plan(), uow.ops.clock()
    assert active is not None and clock is not None
    plan = {t.id: t for t in active.plan.trips}
    collecting_elsewhere = 0
    for x in trips:
        t = plan[x["id"]]
        first = min(t.boardings, key=lambda b: (t.legs[b.first_leg].depart_h, b.first_leg))
        leg = t.legs[first.first_leg]
        assert x["pickup"] == leg.origin and x["pickup"] in x["pickups"]
        assert x["pickup_at"] == clock.moment(leg.depart_h).isoformat()
        collecting_elsewhere += x["pickup"] != x["origin"]
    # the complaint: a coach from the Damascus depot collecting in Qamishli was shown as "damascus -> beirut"
    assert collecting_elsewhere > 0


def test_a_field_officer_sees_the_trips_picking_up_at_their_point(client: TestClient) -> None:
    trips = client.get("/api/v1/trips", headers=_h(client, "officer"), params={"limit": 500}).json()
    assert trips and all("damascus" in x["pickups"] for x in trips)


def test_the_console_shows_the_pick_up_place_and_time(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "planner")
    trips = server.api("GET", "/trips?limit=500", "planner").json()
    x = next(t for t in trips if t["pickup"] != t["origin"])
    labels = {p["id"]: p["name"] for p in server.api("GET", "/scenario/labels", "planner").json()["places"]}
    row = page.locator(f"#trip-list tbody tr[data-trip='{x['id']}']")
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells[1].startswith(labels[x["pickup"]])  # "Qamishli", not the depot
    assert x["pickup_at"][11:16] in cells[2] and "UTC+02:00" in cells[2]
    assert cells[3] == labels[x["destination"]]
