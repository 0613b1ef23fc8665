"""Body size limits before authentication and before reading, the larger limit of the import route for
signed-in callers only, and clear 422s for uploads that are not CSV lists (binary, a field over 128 KiB)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from ops_client import login, make_client

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

MIB = 1_048_576
CSV = ("external_id,family,given,birth,sex,nationality,phone,city,household\n"
       "up1,Petrova,Anna,12.03.1980,F,RU,+963 11 123 4567,damascus,h1\n"
       "up2,Petrova,Maria,2010,F,RU,,damascus,h1\n"
       "up3,Ivanova,Olga,1975-01-02,F,RU,,aleppo,h2\n")


def _asgi(app: Any, path: str, headers: list[tuple[bytes, bytes]], chunks: int, chunk: bytes = b"x" * 65536
          ) -> tuple[int, int, bytes]:
    """Send a request straight to the ASGI app: (status, body chunks the app pulled, response body)."""
    pulled = 0
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"test"), *headers], "client": ("203.0.113.9", 4711), "server": ("test", 80)}
    asyncio.run(app(scope, receive, send))
    return out["status"], pulled, out["body"]


def test_an_unauthenticated_100_mb_body_is_refused_unread(sqlite_store: Store) -> None:
    app = make_client(sqlite_store).app
    for path in ("/api/v1/auth/login", "/api/v1/checkins", "/api/v1/registry/imports?name=a.csv", "/console"):
        status, pulled, body = _asgi(app, path, [(b"content-length", b"100000000"),
                                                 (b"content-type", b"application/json")], chunks=1600)
        assert (status, pulled) == (413, 0), path
        assert b"at most 1,048,576 bytes" in body


def test_a_chunked_body_is_cut_off_at_the_limit(sqlite_store: Store) -> None:
    app = make_client(sqlite_store).app
    status, pulled, _ = _asgi(app, "/api/v1/auth/login", [(b"content-type", b"application/json")], chunks=1600)
    assert status == 413
    assert pulled <= MIB // 65536 + 1  # 17 chunks of 64 KiB, not 1,600


@pytest.mark.parametrize("length", [b"-1", b"12abc", b" "])
def test_a_malformed_length_is_a_400(sqlite_store: Store, length: bytes) -> None:
    status, pulled, _ = _asgi(make_client(sqlite_store).app, "/api/v1/auth/login",
                              [(b"content-length", length)], chunks=1)
    assert (status, pulled) == (400, 0)


def test_small_bodies_pass(api: tuple[TestClient, dict[str, dict[str, str]], Store]) -> None:
    client, h, _ = api
    assert client.get("/api/v1/me", headers=h["viewer"]).status_code == 200
    r = client.post("/api/v1/checkins", headers={**h["admin"], "Idempotency-Key": "k-small-body-1"},
                    json={"person_ids": ["R" + "0" * 7] * 10})
    assert r.status_code != 413


def test_a_signed_in_json_body_over_the_limit_is_refused(api: tuple[TestClient, dict[str, dict[str, str]], Store]
                                                         ) -> None:
    client, h, _ = api
    r = client.post("/api/v1/checkins", headers={**h["admin"], "Idempotency-Key": "k-big-body-1"},
                    json={"person_ids": ["R0000001"] * 120_000})
    assert r.status_code == 413


def _import(client: TestClient, data: bytes, headers: dict[str, str], name: str = "list.csv",
            **params: str) -> Any:
    return client.post("/api/v1/registry/imports", params={"name": name, **params}, content=data,
                       headers={**headers, "Content-Type": "text/csv"})


def test_import_route_has_the_larger_limit_only_when_signed_in(sqlite_store: Store) -> None:
    client = make_client(sqlite_store, max_body_bytes=64 * 1024, max_import_bytes=4 * MIB)
    admin, viewer = login(client, "admin"), login(client, "viewer")
    big = (CSV + "".join(f"pad{i},Sidorova,Elena,1990,F,RU,,homs,p{i}\n" for i in range(8000))).encode()
    assert 64 * 1024 < len(big) < 4 * MIB
    assert _import(client, big, {}).status_code == 413  # anonymous: the small limit, before the 401
    assert _import(client, big, {"Authorization": "Bearer forged.token.here"}).status_code == 413
    assert _import(client, big, viewer).status_code == 403  # signed in: read, then the role check refuses
    assert _import(client, big, admin).status_code == 201
    assert _import(client, big + b"x" * (4 * MIB), admin).status_code == 413
    r = client.post("/api/v1/checkins", content=b"x" * (128 * 1024), headers={**admin, "Idempotency-Key": "k-b-2"})
    assert r.status_code == 413  # the larger limit is the import route's only


def test_import_happy_path_is_audited(any_store: Store) -> None:
    client = make_client(any_store)
    admin = login(client, "admin")
    r = _import(client, CSV.encode(), admin, name="embassy-list.csv")
    assert r.status_code == 201, r.text
    assert (r.json()["imported"], r.json()["households"], r.json()["rejected"]) == (3, 2, 0)
    found = client.get("/api/v1/people", params={"q": "Ivanova"}, headers=admin).json()
    assert any(p["id"] for p in found)
    audit = client.get("/api/v1/audit", params={"action": "write:import"}, headers=admin).json()
    assert any("embassy-list.csv: 3 new" in a["subject"] for a in audit)


def test_rows_with_problems_refuse_the_file_unless_accept_valid(sqlite_store: Store) -> None:
    client = make_client(sqlite_store)
    admin = login(client, "admin")
    bad = CSV + "up4,Orlova,Vera,31.02.1990,F,RU,,homs,h3\n"
    r = _import(client, bad.encode(), admin)
    assert r.status_code == 422
    assert r.json()["detail"]["problems"][0]["line"] == 5 and r.json()["detail"]["problems"][0]["field"] == "birth"
    assert client.get("/api/v1/people", params={"q": "Ivanova"}, headers=admin).json() == []  # nothing stored
    r = _import(client, bad.encode(), admin, accept_valid="true")
    assert r.status_code == 201 and (r.json()["imported"], r.json()["rejected"]) == (3, 1)


@pytest.mark.parametrize(("data", "says"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not a CSV list"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary file"),
    (b'family,given\n"' + b"a" * 140_000 + b"\n", "list.csv:2: a field is longer than 128 KiB"),
    (b"nothing,useful\n1,2\n", "no header line"),
    (b"", "the body is empty"),
])
def test_uploads_that_are_not_csv_lists_are_clear_422s(
        api: tuple[TestClient, dict[str, dict[str, str]], Store], data: bytes, says: str) -> None:
    client, h, _ = api
    r = _import(client, data, h["planner"])
    assert r.status_code == 422, r.text
    assert says in r.text
    assert "Traceback" not in r.text


@pytest.mark.parametrize("name", ["../../etc/passwd", "list.exe", "a" * 120 + ".csv", ""])
def test_bad_file_names_are_refused(api: tuple[TestClient, dict[str, dict[str, str]], Store], name: str) -> None:
    client, h, _ = api
    assert _import(client, CSV.encode(), h["admin"], name=name).status_code == 422


@pytest.mark.parametrize(("data", "says"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not a CSV list"),
    (b'family,given\n"' + b"a" * 140_000 + b"\n", "list.csv:2: a field is longer than 128 KiB"),
])
def test_the_cli_import_says_the_same_instead_of_a_traceback(sqlite_store: Store, tmp_path: Path, data: bytes,
                                                             says: str) -> None:
    from ops_client import clean_env
    from typer.testing import CliRunner

    from evac.cli.app import app

    f = tmp_path / "list.csv"
    f.write_bytes(data)
    r = CliRunner().invoke(app, ["registry", "import", str(f), "--workspace", str(sqlite_store.path)],
                           env={**clean_env(), "COLUMNS": "300"})
    assert r.exit_code == 2, r.output
    assert says in " ".join(r.output.split())
    assert r.exception is None or isinstance(r.exception, SystemExit)
