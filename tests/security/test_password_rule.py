"""The password rule: length, variety, not digits only, not user-derived, not common (offline list)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

import pytest
from ops_client import login

from evac.services.passwords import common_passwords, password_problem

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from evac.adapters.store.workspace import Store

COMMON = "common password"
USER = "user name"


@pytest.mark.parametrize(("password", "username", "rule"), [
    ("short-one", "amina", "at least 10 characters"),
    ("aaaaaaaaaaaa", "amina", "too few different characters"),
    ("1212121212", "amina", "too few different characters"),
    ("2013012219880", "amina", "digits only"),
    ("amina.petrova", "amina.petrova", USER),
    ("avorteP.animA", "amina.petrova", USER),  # reversed, any case
    ("aminapetrova77", "amina.petrova", USER),  # separators ignored
    ("amina2013!!", "amina", USER),
    ("password12", "amina", COMMON),
    ("Password123!", "amina", COMMON),
    ("P@ssw0rd2013", "amina", COMMON),
    ("qwertyuiop", "amina", COMMON),
    ("1qaz2wsx3edc", "amina", COMMON),
    ("iloveyou!!", "amina", COMMON),
    ("dragondragon", "amina", COMMON),
    ("Damascus2013!", "amina", COMMON),
    ("evacuation1", "amina", COMMON),
    ("2013-football", "amina", COMMON),
])
def test_weak_passwords_are_refused_with_the_rule_named(password: str, username: str, rule: str) -> None:
    problem = password_problem(password, username=username)
    assert problem is not None and rule in problem, (password, problem)
    assert password not in problem  # the message never echoes the password


@pytest.mark.parametrize("password", ["correct-horse-battery", "Latakia harbour at dawn", "three rivers meet Olga",
                                      "Tartus-ferry-leaves-at-nine", "kettle.orchid.sparrow"])
def test_passphrases_are_accepted(password: str) -> None:
    assert password_problem(password, username="amina") is None


def test_the_bundled_list_is_large_offline_and_licensed() -> None:
    words = common_passwords()
    assert len(words) >= 10_000 and {"password", "123456", "qwerty", "iloveyou"} <= words
    data = resources.files("evac.data")
    assert "MIT" in data.joinpath("common_passwords.LICENSE").read_text(encoding="utf-8")
    assert "Source:" in data.joinpath("common_passwords.txt").read_text(encoding="utf-8")[:600]


def test_the_api_refuses_weak_passwords_with_the_rule(api: tuple[TestClient, dict[str, dict[str, str]], Store]
                                                      ) -> None:
    client, h, _ = api
    r = client.post("/api/v1/users", headers=h["admin"],
                    json={"username": "boris", "password": "boris-2013-x", "role": "planner"})
    assert r.status_code == 422 and USER in r.json()["detail"]
    r = client.post("/api/v1/users", headers=h["admin"],
                    json={"username": "boris", "password": "Password2013!", "role": "planner"})
    assert r.status_code == 422 and COMMON in r.json()["detail"]
    assert all(u["username"] != "boris" for u in client.get("/api/v1/users", headers=h["admin"]).json())
    r = client.post("/api/v1/users", headers=h["admin"],
                    json={"username": "boris", "password": "kettle.orchid.sparrow", "role": "planner"})
    assert r.status_code == 201
    login(client, "boris", "kettle.orchid.sparrow")
    r = client.put("/api/v1/me/password", headers=h["viewer"],
                   json={"old_password": "correct-horse-battery", "new_password": "viewer-2024-ok"})
    assert r.status_code == 422 and USER in r.json()["detail"]
