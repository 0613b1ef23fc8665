"""What the CLI says to a tired operator: one-line errors with exit 2, tables instead of raw dicts, files
in the format their name promises."""

from __future__ import annotations

import csv
import json
import os
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from evac.cli.app import app

if TYPE_CHECKING:
    from pathlib import Path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"EVAC_DATABASE_URL", "EVAC_KEY", "EVAC_WORKSPACE"}}
    return {**env, "EVAC_ARGON2_TIME_COST": "1", "EVAC_ARGON2_MEMORY_KIB": "8192", "COLUMNS": "200"}


def test_serve_on_a_missing_workspace_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["serve", "--workspace", str(tmp_path / "missing")], env=_env())
    assert r.exit_code == 2
    assert "no such workspace" in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_check_of_a_file_that_is_not_a_plan_says_so(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"runs": 100, "p_all_safe": 0.9}), encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(run)], env=_env())
    assert r.exit_code == 2
    assert "run.json: this is not an evac plan" in r.output
    assert "schema_version: expected" not in r.output


def test_generate_population_to_a_csv_name_writes_a_csv_list(tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    r = CliRunner().invoke(app, ["generate", "population", "--size", "40", "--out", str(out)], env=_env())
    assert r.exit_code == 0, r.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40, "no duplicates were asked for: one row per person"
    assert {"id", "surname", "birth date"} <= set(rows[0])


def test_ops_status_and_sitrep_print_tables_with_rounded_numbers(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    made = CliRunner().invoke(app, ["demo", "--workspace", str(ws), "--size", "150"], env=_env())
    assert made.exit_code == 0, made.output
    r = CliRunner().invoke(app, ["ops", "status", "--workspace", str(ws)], env=_env())
    assert r.exit_code == 0, r.output
    assert "plan generations" in r.output
    assert "clearance (h)" in r.output
    assert "{" not in r.output and "'" not in r.output, "no raw dicts"
    assert "999999" not in r.output and "000000" not in r.output, "no float noise"
    rep = CliRunner().invoke(app, ["ops", "sitrep", "--workspace", str(ws)], env=_env())
    assert rep.exit_code == 0, rep.output
    assert "situation report" in rep.output and "next departures" in rep.output
    pdf = tmp_path / "sitrep.pdf"
    rep = CliRunner().invoke(app, ["ops", "sitrep", "--workspace", str(ws), "--out", str(pdf)], env=_env())
    assert rep.exit_code == 0, rep.output
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = CliRunner().invoke(app, ["ops", "sitrep", "--workspace", str(ws), "--out", str(tmp_path / "s.docx")],
                             env=_env())
    assert bad.exit_code == 2 and "give a name ending in .pdf, .csv or .json" in bad.output
