"""The decision report: one offline HTML page, and the same charts as SVG and PNG files.

PNG files are rendered from the SVG by ``vl-convert-python`` (``vl_convert.svg_to_png``: resvg compiled
into a wheel from PyPI, no browser, no system library). Without it the PNGs are skipped and the caller is
told; the SVG files and the HTML never depend on it. Nothing in the output makes a network request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from evac import __version__
from evac.adapters.reports.decision_charts import (
    CHART_CSS,
    decision_chart,
    fan_chart,
    probability_chart,
    standalone_svg,
)
from evac.adapters.reports.html_chart import tz_name

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from evac.core.decision import Assessment, MonteCarloSummary, SweepPoint
    from evac.core.model import Scenario

__all__ = ["DecisionReport", "render_decision_report", "write_chart_files"]


@dataclass(frozen=True)
class DecisionReport:
    """What the report shows; every part is optional except the scenario."""

    scenario: Scenario
    planner: str
    assessment: Assessment | None = None
    summary: MonteCarloSummary | None = None
    sweep: Sequence[SweepPoint] = ()
    best: SweepPoint | None = None
    threshold: float = 0.9
    mode: str = "as planned"
    base_seed: int = 0


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("evac.adapters.reports", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def charts(report: DecisionReport) -> dict[str, Markup]:
    """The report's charts by file stem: ``decision``, ``p_all_safe``, ``fan`` (those it has data for)."""
    moment = report.scenario.moment
    out: dict[str, Markup] = {}
    if report.assessment is not None and report.assessment.starts:
        out["decision"] = decision_chart(report.assessment, moment=moment)
    if report.sweep:
        out["p_all_safe"] = probability_chart(report.sweep, threshold=report.threshold, best=report.best,
                                              moment=moment)
    if report.summary is not None and report.summary.runs:
        out["fan"] = fan_chart(report.summary, moment=moment)
    return out


def _when(sc: Scenario, h: float | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "—" if h is None else sc.moment(h).strftime(fmt)


def render_decision_report(report: DecisionReport, *, generated_at: datetime | None = None) -> str:
    """The HTML text of the report (UTF-8 ready, self-contained, every scenario string escaped)."""
    sc = report.scenario
    figs = charts(report)
    a, mc = report.assessment, report.summary
    cards: list[dict[str, str]] = []
    if a is not None:
        cards.append({"k": "latest safe start (plan)", "v": _when(sc, a.latest_safe_start_h, "%d %b %Y"),
                      "n": f"everyone safe at closure quantile {a.quantile}"})
    if report.sweep:
        best = report.best
        cards.append({"k": f"latest start with P ≥ {report.threshold:.0%}",
                      "v": _when(sc, best.start_h if best else None, "%d %b %Y"),
                      "n": f"P = {best.p_all_safe:.3f} [{best.ci[0]:.3f}, {best.ci[1]:.3f}]" if best else "none"})
    if mc is not None:
        lo, hi = mc.p_all_safe_ci
        cards.append({"k": "P(all safe) at start", "v": f"{mc.p_all_safe:.3f}", "n": f"95 % CI [{lo:.3f}, {hi:.3f}]"})
        cards.append({"k": "left behind", "v": f"{mc.left_behind_mean:,.1f}",
                      "n": f"mean; p95 {mc.left_behind_p95:,.0f}"})
    p_by_start = {round(p.start_h, 6): p for p in report.sweep}
    start_rows: list[dict[str, Any]] = []
    if a is not None:
        for r in a.starts:
            p = p_by_start.get(round(r.start_h, 6))
            start_rows.append({
                "start": _when(sc, r.start_h), "clearance": "—" if r.clearance_h is None else f"{r.clearance_h:.1f} h",
                "last_safe": _when(sc, r.last_safe_h), "safe": f"{r.safe:,} / {r.travelling:,}",
                "all_safe": r.all_safe, "left": f"{r.left_behind:,}",
                "slack": "—" if r.slack_h is None else f"{r.slack_h:,.1f} h", "binding": r.binding or "—",
                "classes": [r.class_safe(n) for n in a.class_names],
                "p": f"{p.p_all_safe:.3f}" if p else "", "ci": f"[{p.ci[0]:.3f}, {p.ci[1]:.3f}]" if p else "",
            })
    closure_rows = [] if a is None else [
        {"name": w.name, "kind": w.kind, "target": w.target, "early": _when(sc, w.early_h),
         "planning": _when(sc, w.planning_h), "median": _when(sc, w.median_h), "late": _when(sc, w.late_h)}
        for w in a.closures]
    mc_rows: list[tuple[str, str]] = []
    if mc is not None:
        mc_rows = [
            ("runs (completed + failed)", f"{mc.runs:,} ({mc.completed:,} + {mc.failed_runs:,})"),
            ("P(all safe), a failed run counted as not all safe", f"{mc.p_all_safe:.4f}"),
            ("95 % interval", f"[{mc.p_all_safe_ci[0]:.4f}, {mc.p_all_safe_ci[1]:.4f}]"),
            ("people to move (mean, who showed up)", f"{mc.target_mean:,.1f}"),
            ("no-shows (mean people)", f"{mc.no_show_mean:,.1f}"),
            ("left behind: mean / p95 / max", f"{mc.left_behind_mean:,.2f} / {mc.left_behind_p95:,.0f} / "
                                              f"{mc.left_behind_max:,}"),
            ("clearance p50 / p95", f"{mc.clearance_p50_h or 0:,.1f} h / {mc.clearance_p95_h or 0:,.1f} h"),
            ("late deciders: decided / carried (mean people)", f"{mc.late_decided_mean:,.1f} / "
                                                               f"{mc.late_carried_mean:,.1f}"),
            ("re-plans per run (mean)", f"{mc.replans_mean:,.2f}"),
        ] + [(f"P(all safe): {k}", f"{v:.4f}") for k, v in mc.p_all_safe_by_class.items()]
    ctx = {
        "title": f"When to start — {sc.name}", "scenario_name": sc.name, "planner": report.planner,
        "quantile": sc.policy.closure_quantile if a is None else a.quantile, "tz": tz_name(sc.epoch),
        "cards": cards, "chart_css": Markup(CHART_CSS),
        "decision_svg": figs.get("decision"), "probability_svg": figs.get("p_all_safe"), "fan_svg": figs.get("fan"),
        "confidence": "95 %", "mode": report.mode, "threshold_pct": f"{report.threshold:.0%}",
        "runs": mc.completed if mc else 0, "main_start": _when(sc, mc.start_h) if mc else "",
        "mc_rows": mc_rows, "failed": mc.failed if mc else (), "base_seed": report.base_seed,
        "start_rows": start_rows, "class_names": a.class_names if a else (), "sweep": bool(report.sweep),
        "closure_rows": closure_rows, "version": __version__,
        "generated": (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return _environment().get_template("decision.html.j2").render(**ctx)


def write_chart_files(report: DecisionReport, out_dir: Path, *, png: bool = True) -> tuple[list[Path], str | None]:
    """Write each chart as ``<name>.svg`` (and ``<name>.png`` at 2× when ``vl-convert-python`` is
    installed). Returns the paths written and a note when PNGs were skipped."""
    written: list[Path] = []
    note = None
    converter: Any = None
    if png:
        try:
            import vl_convert

            converter = vl_convert
        except ImportError:
            note = "PNG charts skipped: install vl-convert-python"
    for name, svg in charts(report).items():
        text = standalone_svg(svg)
        path = out_dir / f"{name}.svg"
        path.write_text(text, encoding="utf-8")
        written.append(path)
        if converter is not None:
            png_path = out_dir / f"{name}.png"
            png_path.write_bytes(converter.svg_to_png(text, scale=2.0))
            written.append(png_path)
    return written, note
