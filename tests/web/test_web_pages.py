"""The pages without a browser (ASGI test client): served to anyone as static shells with no personal
data, a strict Content-Security-Policy, labelled controls, no third-party origin anywhere; the plan map
route is role-checked."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from web_support import PASSWORD

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

WEB = Path(__file__).resolve().parents[2] / "src/evac/web"


class _Controls(HTMLParser):
    """Collects form controls and the ids that a <label for> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.html: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html = a
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        if tag in {"input", "select", "textarea"}:
            self.controls.append(a)


@pytest.mark.parametrize("path", ["/console", "/field"])
def test_page_is_a_labelled_shell_with_a_strict_csp(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    p = _Controls()
    p.feed(r.text)
    assert p.html == {"lang": "en", "dir": "ltr"}
    unlabelled = [c for c in p.controls if c.get("id") not in p.labelled and not c.get("aria-label")]
    assert unlabelled == []
    assert "R00000" not in r.text  # no personal data in the page itself


def test_root_redirects_to_console_and_static_files_are_served(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/console"
    for f in ("evac.css", "i18n.js", "common.js", "field.js", "console.js", "vendor/axe-core/axe.min.js",
              "vendor/jsqr/jsQR.js"):
        assert client.get(f"/static/{f}").status_code == 200, f


def test_service_worker_is_served_at_the_root_scope(client: TestClient) -> None:
    r = client.get("/sw.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert '"/field"' in r.text and "/api/" in r.text
    assert '"/static/vendor/jsqr/jsQR.js"' in r.text  # scanning works offline too


def test_no_third_party_origin_in_pages_or_own_scripts() -> None:
    own = [p for p in (WEB / "static").rglob("*") if p.is_file() and "vendor" not in p.parts]
    own += list((WEB / "templates").rglob("*.j2"))
    for f in own:
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", f.read_text()), f


def test_every_vendored_package_carries_its_licence() -> None:
    for pkg in (WEB / "static/vendor").iterdir():
        assert (pkg / "LICENSE").is_file(), pkg


@pytest.mark.parametrize("name", sorted(p.name for p in (WEB / "static").glob("i18n*.js")))
def test_every_language_has_every_string(name: str) -> None:
    text = (WEB / "static" / name).read_text()
    blocks = re.split(r"\n  (en|ru|ar): \{", text)[1:]
    keys = {blocks[i]: set(re.findall(r'"([a-z_.0-9]+)":', blocks[i + 1])) for i in range(0, len(blocks), 2)}
    assert set(keys) == {"en", "ru", "ar"}, name
    assert keys["en"] == keys["ru"] == keys["ar"], name


@pytest.mark.parametrize(("user", "code"), [("admin", 200), ("planner", 200), ("viewer", 200),
                                            ("officer", 403)])
def test_plan_map_is_an_svg_for_the_crisis_cell_only(client: TestClient, user: str, code: int) -> None:
    token = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD}).json()["access_token"]
    r = client.get("/api/v1/plan/map.svg", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == code
    if code == 200:
        assert r.headers["content-type"].startswith("image/svg+xml") and r.text.startswith("<svg")
    assert client.get("/api/v1/plan/map.svg").status_code == 401


def test_new_sections_and_the_scan_controls_are_labelled(client: TestClient) -> None:
    console = client.get("/console").text
    for sec, h in (("registry", "registry-h"), ("notifications", "notif-h")):
        assert f'<section id="{sec}"' in console and f'aria-labelledby="{h}"' in console
        assert f'<li data-sec="{sec}"><a href="#{sec}"' in console
    for ctl in ("reg-q", "unmerge-id", "outbox-status"):
        assert f'<label for="{ctl}"' in console, ctl
    field = client.get("/field").text
    assert '<script src="/static/vendor/jsqr/jsQR.js" defer></script>' in field  # same origin (CSP)
    assert '<label for="pass-file" data-i18n="scan.file">Pass image</label>' in field
    assert 'id="scan-start" data-i18n="scan.start">Scan pass</button>' in field
