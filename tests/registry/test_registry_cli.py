"""The registry commands through Typer's CliRunner (SQLite workspace)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from registry_factory import ROWS_RU, ru_csv
from typer.testing import CliRunner

from evac.cli.registry import init_cli, keys_app, registry_app

if TYPE_CHECKING:
    from pathlib import Path

app = typer.Typer()
app.add_typer(registry_app, name="registry")
app.add_typer(keys_app, name="keys")
app.command("init")(init_cli)
runner = CliRunner()
ENV = {"EVAC_DATABASE_URL": "", "EVAC_KEY": ""}


def test_commands_end_to_end(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws], env=ENV).exit_code == 0
    f = tmp_path / "list.csv"
    f.write_text(ru_csv(), encoding="utf-8")
    r = runner.invoke(app, ["registry", "import", str(f), "-w", ws, "--json"], env=ENV)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["imported"] == 6
    r = runner.invoke(app, ["registry", "find", "ivanova", "--json"], env={**ENV, "EVAC_WORKSPACE": ws})
    assert {p["id"] for p in json.loads(r.stdout)} == {"A1", "A4"}
    r = runner.invoke(app, ["registry", "dupes", "-w", ws, "--json"], env=ENV)
    pairs = json.loads(r.stdout)
    assert {"a": "A1", "b": "A4"}.items() <= pairs[0].items()
    assert set(pairs[0]) == {"a", "b", "score", "decision", "evidence"}
    assert runner.invoke(app, ["registry", "merge", "A1", "A4", "-w", ws], env=ENV).exit_code == 0
    assert runner.invoke(app, ["registry", "unmerge", "A4", "-w", ws], env=ENV).exit_code == 0
    assert runner.invoke(app, ["keys", "rotate", "-w", ws], env=ENV).exit_code == 0
    r = runner.invoke(app, ["registry", "find", "Иванова", "-w", ws, "--json"], env=ENV)
    assert len(json.loads(r.stdout)) == 2


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    runner.invoke(app, ["init", ws], env=ENV)
    f = tmp_path / "bad.csv"
    f.write_text(ru_csv([*ROWS_RU, "B1;Сидорова;Ольга;;31.02.1980;Ж;RU;;;Homs;;"]), encoding="utf-8")
    r = runner.invoke(app, ["registry", "import", str(f), "-w", ws], env=ENV)
    assert r.exit_code == 2 and "line 8: birth" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["registry", "import", str(f), "-w", ws, "--accept-valid", "--json"], env=ENV)
    assert r.exit_code == 0 and json.loads(r.stdout)["rejected"] == 1
    rejects = (tmp_path / "bad.csv.rejects.csv").read_text()
    assert rejects.startswith("line,field,reason") and "8,birth" in rejects
    r = runner.invoke(app, ["registry", "find", "x"], env=ENV)
    assert r.exit_code == 2 and "no workspace" in r.output
    r = runner.invoke(app, ["registry", "merge", "A1", "nobody", "-w", ws], env=ENV)
    assert r.exit_code == 2 and "no record with external id 'nobody'" in r.output


def test_dedup_evaluate_json() -> None:
    r = runner.invoke(app, ["registry", "dedup", "--evaluate", "--size", "1500", "--seed", "3", "--json"], env=ENV)
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert {"people", "pairs_true", "precision", "recall", "f1", "baseline_f1", "wall_s"} <= set(res)
    assert res["f1"] > res["baseline_f1"]
