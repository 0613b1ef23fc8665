"""``evac bench bep`` as a plain function, on a synthetic instance folder (never the published files)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from bep_cases import EXAMPLE

from evac.adapters.bep import BepRecount, recount
from evac.cli import bench_bep
from evac.cli.bench_bep import bench_bep_cli, run_bep

if TYPE_CHECKING:
    from pathlib import Path


def _external(tmp_path: Path) -> Path:
    ext = tmp_path / "external"
    folder = ext / "bep" / "instances" / "rand" / "set2"
    folder.mkdir(parents=True)
    (folder / "BEP-1-2-2-2-i1.txt").write_text(EXAMPLE, encoding="utf-8")
    results = ext / "bep" / "results"
    results.mkdir()
    (results / "best_known_rand.csv").write_text(
        "set,instance,best_known_ub,best_known_is_optimal\n2,BEP-1-2-2-2-i1,46,yes\n", encoding="utf-8")
    return ext


def test_json_has_exactly_the_issue_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVAC_EXTERNAL", str(_external(tmp_path)))
    bench_bep_cli(True, ["set2"], 5.0)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert list(row) == ["instance", "best_known", "best_known_optimal", "makespan", "bound", "wall_s", "check_ok"]
    assert row["instance"] == "BEP-1-2-2-2-i1" and row["best_known"] == 46 and row["best_known_optimal"] is True
    assert row["makespan"] == 46 and row["bound"] == 46 and row["check_ok"] is True


def test_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVAC_EXTERNAL", str(_external(tmp_path)))
    bench_bep_cli(False, [], 5.0)
    text = capsys.readouterr().out
    assert "BEP-1-2-2-2-i1" in text and "46*" in text and "ok" in text


def test_missing_instances_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVAC_EXTERNAL", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as info:
        bench_bep_cli(True, [], 1.0)
    assert info.value.code == 2


def test_unknown_set_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVAC_EXTERNAL", str(_external(tmp_path)))
    with pytest.raises(SystemExit) as info:
        bench_bep_cli(True, ["set99"], 1.0)
    assert info.value.code == 2


def test_the_optimality_star_follows_the_reported_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a plan whose recounted makespan is longer than the solver's (a conversion gone wrong) used to keep the
    # solver's "proven optimal"; the row decides on its own final numbers, so it is not starred
    def longer(plan: object, scenario: object, *, hours_per_unit: float) -> BepRecount:
        rc = recount(plan, scenario, hours_per_unit=hours_per_unit)  # type: ignore[arg-type]
        return replace(rc, makespan=rc.makespan + 1.0)

    [honest] = run_bep(_external(tmp_path), sets=["set2"], time_limit_s=5.0)
    assert honest.proven_optimal and honest.makespan == honest.bound == 46 and honest.check_ok
    monkeypatch.setattr(bench_bep, "recount", longer)
    [row] = run_bep(_external(tmp_path / "again"), sets=["set2"], time_limit_s=5.0)
    assert row.makespan == 47 and row.bound == 46
    assert not row.proven_optimal and not row.check_ok
