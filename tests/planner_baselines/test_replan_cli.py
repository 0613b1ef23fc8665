"""``replan_cli``: events files in YAML and JSON, KPIs before and after, errors that name file, index, field."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from baseline_cases import TINY

from evac.adapters.plan_io import read_plan, write_plan
from evac.cli.replan import replan_cli
from evac.core.check import check_plan
from evac.core.planner.greedy import GreedyPlanner

if TYPE_CHECKING:
    from pathlib import Path

NOW = "2013-01-22T09:00:00+02:00"  # 9 h after the tiny scenario's epoch


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    # The CLI loads the tiny scenario with its generated population, so the plan is made on the same one.
    from evac.adapters.scenario.loader import load_scenario

    sc = load_scenario(TINY)
    path = tmp_path / "plan.json"
    write_plan(GreedyPlanner().plan(sc), path, sc)
    return path


def test_replan_from_a_yaml_events_file(plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.yaml"
    events.write_text(
        '- {type: closure, at: "2013-01-22T09:00:00+02:00", target: border--haven}\n'
        '- {type: breakdown, at: "2013-01-22T08:30:00+02:00", asset: buses, unit: 1, repair_h: 2.5}\n',
        encoding="utf-8",
    )
    replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", False)
    shown = capsys.readouterr().out
    assert "before" in shown and "after" in shown and "all hard constraints hold" in shown
    new = read_plan(tmp_path / "out" / "plan.json")
    assert new.meta["replan"]["now_h"] == 9.0
    from evac.adapters.scenario.loader import load_scenario
    from evac.core.planner.events import Breakdown, Closure
    from evac.core.planner.replan import updated_scenario

    sc = load_scenario(TINY)
    old = read_plan(plan_file)
    after = updated_scenario(sc, old, [Closure(9.0, "border--haven"), Breakdown(8.5, "buses", 1, 2.5)], 9.0)
    assert check_plan(new, after).ok


def test_replan_json_output_and_json_events(plan_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.json"
    events.write_text(json.dumps([{"type": "closure", "at": "2013-01-22T10:00:00+02:00", "target": "north"}]))
    replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", True)
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    assert set(data) >= {"before", "after", "changed_households", "stranded", "replan_s", "plan"}
    assert data["before"]["travelling"] == data["after"]["travelling"]


def test_bad_events_file_lists_every_problem_and_exits_2(plan_file: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "bad.yaml"
    events.write_text(
        '- {type: closure, at: "2013-01-22T09:00:00+02:00"}\n'              # [0] target missing
        '- {type: breakdown, at: "2013-01-22T09:00:00", asset: buses, unit: -1}\n'  # [1] no zone; unit < 0
        '- {type: teleport, at: "2013-01-22T09:00:00+02:00"}\n',            # [2] unknown type
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", False)
    assert exit_info.value.code == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "bad.yaml: 4 problems" in message
    for where in ("bad.yaml: [0].target:", "bad.yaml: [1].at:", "bad.yaml: [1].unit:", "bad.yaml: [2]:"):
        assert where in message
    assert not (tmp_path / "out" / "plan.json").exists()


def test_registration_with_a_bad_person_names_the_field(plan_file: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "reg.yaml"
    events.write_text(
        '- type: registration\n'
        '  at: "2013-01-22T08:00:00+02:00"\n'
        '  household: {id: HNEW, location: capital, members: [PNEW]}\n'
        '  people: [{id: PNEW, household_id: HNEW, sex: X}]\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", False)
    assert exit_info.value.code == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "reg.yaml: [0]: people[0].sex:" in message


def test_conflicting_boarding_exits_2_with_a_clear_message(plan_file: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    plan = read_plan(plan_file)
    first = min(plan.trips, key=lambda t: t.depart_h)
    hid = first.boardings[0].household_id
    events = tmp_path / "late.yaml"
    events.write_text(f'- {{type: boarded, at: "2013-01-22T08:59:00+02:00", household: {hid}, trip: {first.id}}}\n',
                      encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", False)
    assert exit_info.value.code == 2
    message = " ".join(capsys.readouterr().err.split())
    assert f"event #0: household {hid} boarded trip {first.id}" in message
    assert "before the reported boarding" in message


def test_a_bad_now_exits_2(plan_file: Path, tmp_path: Path) -> None:
    events = tmp_path / "none.yaml"
    events.write_text("[]\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        replan_cli(plan_file, events, "2013-01-22T09:00:00", str(TINY), tmp_path / "out", False)
    assert exit_info.value.code == 2



def test_a_replan_the_checker_refuses_is_withheld(plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A re-planner bug must never reach an operator as a plan file: exit 1, nothing written, the violations
    shown."""
    from dataclasses import replace

    import evac.cli.replan as cli
    from evac.core.planner import replan as core_replan

    real = core_replan.replan_result

    def broken(*args: object, **kwargs: object) -> core_replan.ReplanResult:
        res = real(*args, **kwargs)  # type: ignore[arg-type]
        trip = res.plan.trips[-1]
        bad = replace(trip, legs=(replace(trip.legs[0], arrive_h=trip.legs[0].depart_h - 1.0), *trip.legs[1:]))
        return replace(res, plan=replace(res.plan, trips=(*res.plan.trips[:-1], bad)))

    monkeypatch.setattr(cli, "replan_result", broken)
    events = tmp_path / "events.yaml"
    events.write_text('- {type: closure, at: "2013-01-22T10:00:00+02:00", target: north}\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        replan_cli(plan_file, events, NOW, str(TINY), tmp_path / "out", False)
    assert exit_info.value.code == 1
    assert not (tmp_path / "out" / "plan.json").exists()
    assert "fails the independent check" in capsys.readouterr().err
