"""Fixtures of the web tests: the built operation, the shared server, Chromium and a fresh page per test
(helpers and their rationale in :mod:`web_support`)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, NoReturn

import pytest
from playwright.sync_api import sync_playwright
from web_support import (
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    Household,
    Server,
    build,
    clean_env,
    damascus_households,
    start_server,
    stop_server,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from fastapi.testclient import TestClient
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built operation (synthetic people, an active plan, one user per role), copied per server."""
    path = tmp_path_factory.mktemp("web-template") / "ws"
    build(path, clean_env()).close()
    return path


@pytest.fixture(scope="module")
def client(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app in-process (ASGI) on a fresh copy of the operation, per test module."""
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import open_workspace
    from evac.server import create_app
    from evac.settings import Settings

    ws = tmp_path_factory.mktemp("web-client") / "ws"
    shutil.copytree(web_template, ws)
    store = open_workspace(ws, clean_env())
    settings = Settings(workspace=ws, argon2_time_cost=1, argon2_memory_kib=8192, login_max_failures=50)
    with TestClient(create_app(settings, store=store)) as c:
        yield c
    store.close()


@pytest.fixture(scope="session")
def server(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server: tests on it only read, or write to households no other test uses."""
    ws = tmp_path_factory.mktemp("web-shared") / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    yield s
    stop_server(s)


@pytest.fixture
def replan_server(web_template: Path, tmp_path: Path) -> Iterator[Server]:
    """A server of its own for one test: one that re-plans, or changes what a user remembers (the language),
    would otherwise change the shared server under other tests."""
    ws = tmp_path / "ws"
    shutil.copytree(web_template, ws)
    s = start_server(ws)
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def households(web_template: Path) -> list[Household]:
    hs = damascus_households(web_template)
    assert len(hs) >= 8, "the synthetic operation needs households at damascus"
    return hs


@pytest.fixture(scope="session")
def browser(unavailable: Callable[[str], NoReturn]) -> Iterator[Browser]:
    exe = shutil.which("chromium")
    if exe is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own storage and service workers) with a phone-ish viewport."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    yield pg
    ctx.close()
