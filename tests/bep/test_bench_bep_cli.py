"""``evac bench bep`` as a plain function, on a synthetic instance folder (never the published files)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from bep_cases import EXAMPLE

from evac.cli.bench_bep import bench_bep_cli

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
