"""The console's enquiry desk and situation report, in the browser: a planner finds the person a caller asks
about, records the call, and sees the words to read out (name and stage only) apart from what only the desk
may see; the log lists the call; the situation report shows its numbers and downloads as PDF. A viewer has
the report but no desk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_support import ARTIFACTS, axe_violations, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from web_support import Server

CALLER = "Zqxdesk Marina"


def test_planner_records_an_enquiry_and_reads_out_only_the_answer(page: Page, server: Server) -> None:
    trips = server.api("GET", "/trips", user="planner").json()
    trip = server.api("GET", f"/trips/{trips[0]['id']}", user="planner").json()
    person = trip["passengers"][0]
    sign_in(page, server.url, "/console#enquiries", "planner")
    page.click("a[href='#enquiries']")
    page.fill("#enq-q", person["name"])
    page.click("#enq-search-form button[type=submit]")
    page.click(f"#enq-results button[data-person={person['id']}]")
    page.wait_for_selector(f"#enq-person:has-text('{person['id']}')")
    page.fill("#enq-caller", CALLER)
    page.fill("#enq-contact", "+7 495 000 00 00")
    page.fill("#enq-relation", "sister")
    page.select_option("#enq-lang", "en")
    page.click("#enq-form button[type=submit]")
    page.wait_for_selector("#enq-answer:not([hidden])")
    said = page.inner_text("#enq-say")
    assert said.startswith(person["name"]) and "registered" in said
    for secret in (trip["id"], trip["origin"], trip["destination"], person["household"]):
        assert secret not in said
    assert trip["id"] in page.inner_text("#enq-desk"), "the desk officer sees the trip; the caller does not"
    page.wait_for_selector(f"#enq-log tbody tr:has-text('{CALLER}')")
    assert page.input_value("#enq-caller") == "", "the caller's details do not stay in the form"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#enquiries").screenshot(path=str(ARTIFACTS / "console-enquiry-desk.png"))
    assert axe_violations(page, "#enquiries") == []
    log = server.api("GET", "/enquiries", user="admin").json()
    assert (log[0]["caller_name"], log[0]["person"], log[0]["outcome"]) == (CALLER, person["id"], "registered")


def test_viewer_gets_the_situation_report_and_no_desk(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "viewer")
    assert page.is_hidden("#enquiries") and page.is_hidden("li[data-sec=enquiries]")
    page.click("a[href='#sitrep']")
    page.wait_for_selector("#sitrep-summary tbody tr")
    board = server.api("GET", "/status-board", user="viewer").json()
    assert page.inner_text("#sitrep-summary tbody th") == str(sum(board["totals"].values()))
    with page.expect_download() as got:
        page.click("#sitrep-pdf")
    download = got.value
    assert download.suggested_filename.startswith("sitrep-") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"


def test_planner_prints_a_manifest_with_seats_and_assistance(page: Page, server: Server) -> None:
    trips = server.api("GET", "/trips", user="planner").json()
    first = trips[0]["id"]
    m = server.api("GET", f"/trips/{first}", user="planner").json()
    sign_in(page, server.url, "/console", "planner")
    page.click("a[href='#trips']")
    page.click(f"#trip-list button.link:text-is('{first}')")
    page.wait_for_selector("#manifest-pdf")
    assert f"{m['seats_used']} of {m['seats']} seats used" in page.inner_text("#trip-manifest")
    with page.expect_download() as got:
        page.click("#manifest-pdf")
    assert got.value.suggested_filename == f"manifest-{first}.pdf"
    with open(got.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
