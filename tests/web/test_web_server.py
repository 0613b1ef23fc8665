"""What `evac serve` runs: the API and the pages composed in evac.server (they do not import each other),
loaded by uvicorn from an import path so that the CLI imports neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from uvicorn.importer import import_from_string

from evac import server
from evac.api.app import create_app as create_api
from evac.cli.ops import SERVER_FACTORY
from evac.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from fastapi import FastAPI

PAGES = ("/console", "/field", "/sw.js", "/static/evac.css")


def _status(app: FastAPI, path: str) -> int:
    """GET ``path`` without starting the app's lifespan (the pages and /health need no workspace)."""
    return TestClient(app).get(path, follow_redirects=False).status_code


def test_serve_runs_the_server_factory() -> None:
    assert import_from_string(SERVER_FACTORY) is server.app_from_environment


def test_the_api_alone_has_no_pages_and_the_server_adds_them(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path, environment="development")
    api, both = create_api(settings), server.create_app(settings)
    assert _status(api, "/health") == _status(both, "/health") == 200
    assert [_status(api, p) for p in PAGES] == [404] * len(PAGES)
    assert [_status(both, p) for p in PAGES] == [200] * len(PAGES)
    assert _status(both, "/") == 307  # to the console
    assert {p for p in both.openapi()["paths"]} == {p for p in api.openapi()["paths"]}  # pages stay out


def test_the_factory_reads_the_workspace_from_the_environment(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVAC_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("EVAC_ENVIRONMENT", "development")
    app = server.app_from_environment()
    assert [_status(app, p) for p in PAGES] == [200] * len(PAGES)
