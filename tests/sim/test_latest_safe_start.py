"""The latest safe start has one definition (evac.core.decision.latest_safe_start): the rule itself on
hand-made assessments, and `evac simulate` and the console's decision computation giving the same answer on
the same inputs (scenario, candidate starts, planner, runs, seed, threshold)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import typer
from sim_helpers import TINY
from typer.testing import CliRunner

from evac.adapters.scenario.loader import load_scenario
from evac.cli.decision import simulate_cli
from evac.core.decision import (
    THRESHOLD,
    Assessment,
    StartAssessment,
    SweepPoint,
    candidate_starts,
    latest_safe_start,
)
from evac.core.planner import PLANNERS
from evac.services import decision as dec
from evac.services.ops_ports import Clock

if TYPE_CHECKING:
    from pathlib import Path


def _start(h: float, all_safe: bool) -> StartAssessment:
    return StartAssessment(start_h=h, clearance_h=10.0, travelling=10, safe=10 if all_safe else 9,
                           left_behind=0 if all_safe else 1, all_safe=all_safe, travelling_by_class={},
                           safe_by_class={}, left_behind_by_reason={}, relevant=(), slack_h=None, binding=None)


def _assessment(safe: dict[float, bool]) -> Assessment:
    starts = tuple(_start(h, ok) for h, ok in sorted(safe.items()))
    latest = max((h for h, ok in safe.items() if ok), default=None)
    return Assessment(0.1, starts, (), (), latest, {})


def _p(values: dict[float, float], asked: list[float]) -> object:
    def probability(h: float) -> SweepPoint:
        asked.append(h)
        return SweepPoint(h, 100, values[h], (max(0.0, values[h] - 0.05), min(1.0, values[h] + 0.05)))

    return probability


def test_a_start_under_the_threshold_is_not_the_latest_safe_start() -> None:
    """The page once said 'latest safe start 3 Mar' beside P = 89 % under its own 90 % line."""
    a = _assessment({0.0: True, 24.0: True, 48.0: True, 72.0: False})
    asked: list[float] = []
    got = latest_safe_start(a, _p({0.0: 0.97, 24.0: 0.93, 48.0: 0.89}, asked))  # type: ignore[arg-type]
    assert got.start_h == 24.0 and got.point is not None and got.point.p_all_safe == 0.93
    assert got.planned_h == 48.0 and [q.start_h for q in got.rejected] == [48.0]
    assert asked == [48.0, 24.0]  # lazily, latest first; never a start the plan itself cannot clear (72)


def test_the_search_does_not_stop_at_the_first_failure_from_the_front() -> None:
    a = _assessment({0.0: True, 24.0: True, 48.0: True})
    got = latest_safe_start(a, _p({0.0: 0.95, 24.0: 0.5, 48.0: 0.91}, []))  # type: ignore[arg-type]
    assert got.start_h == 48.0 and got.rejected == ()


def test_exactly_the_threshold_is_safe_and_none_is_an_answer() -> None:
    a = _assessment({0.0: True, 24.0: False})
    assert latest_safe_start(a, _p({0.0: THRESHOLD}, [])).start_h == 0.0  # type: ignore[arg-type]
    none = latest_safe_start(a, _p({0.0: 0.5}, []))  # type: ignore[arg-type]
    assert none.start_h is None and none.point is None and len(none.rejected) == 1
    nobody = latest_safe_start(_assessment({0.0: False}), _p({}, []))  # type: ignore[arg-type]
    assert nobody.start_h is None and nobody.planned_h is None and nobody.rejected == ()


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.01, math.nan])
def test_a_threshold_outside_0_1_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="threshold must be in"):
        latest_safe_start(_assessment({0.0: True}), _p({0.0: 1.0}, []), threshold=bad)  # type: ignore[arg-type]


def test_candidates_are_daily_and_checked() -> None:
    assert candidate_starts(0.0, 48.0) == [0.0, 24.0, 48.0]
    with pytest.raises(ValueError, match="positive"):
        candidate_starts(0.0, 48.0, 0.0)
    with pytest.raises(ValueError, match="before the first"):
        candidate_starts(48.0, 0.0)


# -- the CLI and the console's computation agree ------------------------------------------------------------
app = typer.Typer()


@app.command()
def _simulate(first: str, to: str, runs: int, threshold: float, out: str) -> None:
    from pathlib import Path

    simulate_cli(str(TINY), start=first, runs=runs, sweep_runs=runs, first=first, last=to, step_days=1.0,
                 threshold=threshold, out_dir=Path(out), as_json=True)


@pytest.mark.parametrize(("first", "to", "threshold", "rejected"), [
    ("2013-01-22", "2013-01-25", 0.9, 0), ("2013-01-21", "2013-01-23", 0.9, 0),
    ("2013-01-21", "2013-01-25", 0.95, 1),  # the plan clears 23 Jan, P there is 0.93: the answer is 22 Jan
])
def test_evac_simulate_and_the_decision_page_agree(tmp_path: Path, first: str, to: str, threshold: float,
                                                   rejected: int) -> None:
    runs = 60
    res = CliRunner().invoke(app, [first, to, str(runs), str(threshold), str(tmp_path)])
    assert res.exit_code == 0, res.output
    cli_day = json.loads(res.stdout)["latest_safe_start"]

    scenario = load_scenario(TINY)
    first_h = scenario.hours(datetime.fromisoformat(first + "T00:00:00+02:00"))
    last_h = scenario.hours(datetime.fromisoformat(to + "T00:00:00+02:00"))
    span_days = round((last_h - first_h) / 24)
    clock = Clock(datetime.now(UTC), first_h, scenario.epoch, "tiny")
    inputs = dec.DecisionInputs("tiny", "0", 1, 1, clock, first_h, first_h, ())
    page = dec.compute(inputs, scenario, planner=PLANNERS["greedy"], runs=runs, span_days=span_days,
                       threshold=threshold)
    assert len(page.latest.rejected) == rejected
    page_day = None if page.latest.start_h is None else scenario.moment(page.latest.start_h).strftime("%Y-%m-%d")
    assert page_day == cli_day
    # and the page's JSON says the same moment, with its probability at or above the line
    view = dec.view(page, now=clock.real_start)
    if page_day is None:
        assert view["latest_safe_start"]["too_late"] is True
    else:
        assert view["latest_safe_start"]["at"] == scenario.moment(page.latest.start_h).astimezone(UTC)  # type: ignore[arg-type]
        assert view["probability"]["latest_at_threshold"]["p_all_safe"] >= view["probability"]["threshold"]
    assert view["probability"]["threshold"] == threshold and THRESHOLD == dec.THRESHOLD


def test_the_answer_is_the_same_whoever_runs_the_simulations(tmp_path: Path) -> None:
    scenario = load_scenario(TINY)
    starts = candidate_starts(scenario.policy.start_h, scenario.policy.start_h + 72.0)
    here = dec.decide_starts(scenario, starts, PLANNERS["greedy"], runs=40)
    from evac.adapters.runners import run_jobs

    pooled = dec.decide_starts(scenario, starts, PLANNERS["greedy"], runs=40,
                               run=lambda jobs, counts: run_jobs(jobs, counts, workers=2))
    assert replace(here.latest) == replace(pooled.latest)
    assert here.points == pooled.points
