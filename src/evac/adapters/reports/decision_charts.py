"""The decision charts as hand-written SVG (the style of :mod:`.html_chart`): static, offline, escaped.

- :func:`decision_chart`: start date on x; for each start a bar from the start to the last person safe
  (green when everyone is safe, red otherwise), against the closure windows (bands from the 5 % to the 95 %
  quantile, a line at the planning quantile) of the exits, routes and origins that matter;
- :func:`probability_chart`: P(all safe) against the start date with Wilson intervals and the threshold;
- :func:`fan_chart`: quantiles of people safe over time across the runs (5–95 %, 25–75 %, median).

Each returns SVG markup with CSS classes; :data:`CHART_CSS` styles them (inline in the report, embedded in
the standalone SVG files).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evac.adapters.reports.html_svg import el, group, nice_step, num, path_d

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from markupsafe import Markup

    from evac.core.decision import Assessment, MonteCarloSummary, SweepPoint

W, H = 1000, 420
_L, _R, _T, _B = 70.0, 210.0, 20.0, 56.0

CHART_CSS = """
.plot-bg { fill: #fff; } .grid { stroke: #e6e9ec; stroke-width: 1; }
.tick { font-size: 11px; fill: #5d6670; font-family: 'DejaVu Sans', Arial, sans-serif; }
.axis-lbl { font-size: 12px; fill: #5d6670; font-family: 'DejaVu Sans', Arial, sans-serif; }
.band { fill: #c62828; fill-opacity: .10; } .band-line { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 5 3; }
.band-lbl { font-size: 11px; fill: #c62828; font-family: 'DejaVu Sans', Arial, sans-serif; }
.bar-ok { fill: #2e7d32; } .bar-bad { fill: #c62828; } .bar-none { fill: #9aa3ab; }
.p-line { fill: none; stroke: #6a3d9a; stroke-width: 2; } .p-dot { fill: #6a3d9a; }
.p-ci { stroke: #6a3d9a; stroke-width: 1.5; } .p-best { fill: none; stroke: #2e7d32; stroke-width: 3; }
.thr { stroke: #e08a00; stroke-width: 1.5; stroke-dasharray: 6 4; }
.thr-lbl { font-size: 11px; fill: #9a5d00; font-family: 'DejaVu Sans', Arial, sans-serif; }
.fan-outer { fill: #2e7d32; fill-opacity: .15; } .fan-inner { fill: #2e7d32; fill-opacity: .30; }
.fan-median { fill: none; stroke: #2e7d32; stroke-width: 2.5; }
.target { stroke: #444; stroke-width: 1.5; stroke-dasharray: 6 4; }
.target-lbl { font-size: 12px; fill: #333; font-family: 'DejaVu Sans', Arial, sans-serif; }
"""

__all__ = ["CHART_CSS", "decision_chart", "fan_chart", "probability_chart", "standalone_svg"]


def standalone_svg(svg: Markup) -> str:
    """A chart as a file of its own: the SVG namespace and the chart styles embedded."""
    text = str(svg)
    head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}"'
    text = text.replace("<svg", head, 1)
    close = text.index(">") + 1
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text[:close] + "<style>" + CHART_CSS + "</style>"
            + text[close:] + "\n")


def _frame(parts: list[Markup], label: str) -> Markup:
    return el("svg", {"class_": "chart", "viewBox": f"0 0 {W} {H}", "role": "img", "aria-label": label}, *parts)


def _y_axis(parts: list[Markup], y0: float, y1: float, sy: Callable[[float], float], fmt: Callable[[float], str],
            step: float) -> None:
    v = math.ceil(y0 / step) * step
    ticks: list[Markup] = []
    while v <= y1 + 1e-9:
        y = sy(v)
        ticks.append(el("line", {"x1": _L, "y1": y, "x2": W - _R, "y2": y, "class_": "grid"}))
        ticks.append(el("text", {"x": _L - 6, "y": y + 4, "text_anchor": "end", "class_": "tick"}, fmt(v)))
        v += step
    parts.append(group(ticks))


def _day_step(span_h: float) -> float:
    for days in (1, 2, 7, 14, 28, 56):
        if span_h / (24 * days) <= 10:
            return 24.0 * days
    return 24.0 * 112


def _x_dates(parts: list[Markup], t0: float, t1: float, sx: Callable[[float], float],
             moment: Callable[[float], datetime]) -> None:
    step = _day_step(t1 - t0)
    ticks: list[Markup] = []
    t = t0
    while t <= t1 + 1e-9:
        x = sx(t)
        ticks.append(el("line", {"x1": x, "y1": _T, "x2": x, "y2": H - _B, "class_": "grid"}))
        ticks.append(el("text", {"x": x, "y": H - _B + 16, "text_anchor": "middle", "class_": "tick"},
                        moment(t).strftime("%d %b")))
        t += step
    parts.append(group(ticks))


def decision_chart(assessment: Assessment, *, moment: Callable[[float], datetime]) -> Markup:
    """Clearance of each start against the closure windows (see the module docstring)."""
    rows = assessment.starts
    parts: list[Markup] = [el("rect", {"x": _L, "y": _T, "width": W - _L - _R, "height": H - _T - _B,
                                       "class_": "plot-bg"})]
    if not rows:
        return _frame(parts, "No start assessed")
    starts = [r.start_h for r in rows]
    ends = [r.last_safe_h for r in rows if r.last_safe_h is not None]
    x0, x1 = min(starts), max(starts)
    pad = max((x1 - x0) * 0.04, 12.0)
    x0, x1 = x0 - pad, x1 + pad
    y0 = min(starts)
    y1 = max([*ends, max(starts)]) + max(48.0, 0.08 * (max([*ends, *starts]) - y0))
    windows = [w for w in assessment.closures if w.early_h <= y1 and w.late_h >= y0]

    def sx(t: float) -> float:
        return _L + (t - x0) / (x1 - x0) * (W - _L - _R)

    def sy(t: float) -> float:
        return H - _B - (t - y0) / (y1 - y0) * (H - _T - _B)

    _y_axis(parts, y0, y1, sy, lambda t: moment(t).strftime("%d %b"), _day_step(y1 - y0))
    _x_dates(parts, min(starts), max(starts), sx, moment)
    bands: list[Markup] = []
    labels: list[tuple[float, str]] = []
    for w in windows:
        top, bottom = sy(min(w.late_h, y1)), sy(max(w.early_h, y0))
        bands.append(el("rect", {"x": _L, "y": top, "width": W - _L - _R, "height": max(bottom - top, 1.0),
                                 "class_": "band"},
                        el("title", None, f"{w.name} ({w.kind}): 5–95 % {moment(w.early_h):%d %b} – "
                                          f"{moment(w.late_h):%d %b %Y}, "
                                          f"planned at {moment(w.planning_h):%d %b %H:%M}")))
        if y0 <= w.planning_h <= y1:
            y = sy(w.planning_h)
            bands.append(el("line", {"x1": _L, "y1": y, "x2": W - _R, "y2": y, "class_": "band-line"}))
            labels.append((y, f"{_short(w.name, 24)} ({w.kind})"))
    last_y = -math.inf
    for y, text in sorted(labels):
        y = max(y + 4, last_y + 13)
        last_y = y
        bands.append(el("text", {"x": W - _R + 6, "y": y, "class_": "band-lbl"}, text))
    parts.append(group(bands))
    bar_w = max(3.0, min(24.0, 0.6 * (W - _L - _R) / max(len(rows), 1)))
    bars: list[Markup] = []
    for r in rows:
        end = r.last_safe_h if r.last_safe_h is not None else r.start_h
        cls = "bar-none" if r.last_safe_h is None else ("bar-ok" if r.all_safe else "bar-bad")
        top, bottom = sy(min(end, y1)), sy(r.start_h)
        clear = "—" if r.clearance_h is None else f"{r.clearance_h:.1f} h"
        bars.append(el("rect", {"x": sx(r.start_h) - bar_w / 2, "y": top, "width": bar_w,
                                "height": max(bottom - top, 1.5), "class_": cls},
                       el("title", None, f"start {moment(r.start_h):%d %b %Y %H:%M}: clearance {clear}, "
                                         f"{r.safe:,} of {r.travelling:,} safe")))
    parts.append(group(bars))
    parts.append(el("text", {"x": (_L + W - _R) / 2, "y": H - 8, "text_anchor": "middle", "class_": "axis-lbl"},
                    "start of the operation"))
    parts.append(el("text", {"transform": f"translate(16,{num((_T + H - _B) / 2)}) rotate(-90)",
                             "text_anchor": "middle", "class_": "axis-lbl"}, "date: start → last person safe"))
    return _frame(parts, "Clearance of each start against closure windows")


def probability_chart(points: Sequence[SweepPoint], *, threshold: float, best: SweepPoint | None,
                      moment: Callable[[float], datetime]) -> Markup:
    """P(all safe) with its confidence interval for each start, and the threshold line."""
    parts: list[Markup] = [el("rect", {"x": _L, "y": _T, "width": W - _L - _R, "height": H - _T - _B,
                                       "class_": "plot-bg"})]
    pts = sorted((p for p in points if p.runs > 0), key=lambda p: p.start_h)
    if not pts:
        return _frame(parts, "No simulation")
    a, b = pts[0].start_h, pts[-1].start_h
    pad = max((b - a) * 0.04, 12.0)
    x0, x1 = a - pad, b + pad

    def sx(t: float) -> float:
        return _L + (t - x0) / (x1 - x0) * (W - _L - _R)

    def sy(p: float) -> float:
        return H - _B - p * (H - _T - _B)

    _y_axis(parts, 0.0, 1.0, sy, lambda p: f"{p:.0%}", 0.2)
    _x_dates(parts, a, b, sx, moment)
    yt = sy(threshold)
    parts.append(el("line", {"x1": _L, "y1": yt, "x2": W - _R, "y2": yt, "class_": "thr"}))
    parts.append(el("text", {"x": W - _R + 6, "y": yt + 4, "class_": "thr-lbl"}, f"threshold {threshold:.0%}"))
    parts.append(el("path", {"d": path_d((sx(p.start_h), sy(p.p_all_safe)) for p in pts), "class_": "p-line"}))
    marks: list[Markup] = []
    for p in pts:
        x = sx(p.start_h)
        marks.append(el("line", {"x1": x, "y1": sy(p.ci[0]), "x2": x, "y2": sy(p.ci[1]), "class_": "p-ci"}))
        marks.append(el("circle", {"cx": x, "cy": sy(p.p_all_safe), "r": 4, "class_": "p-dot"},
                        el("title", None, f"{moment(p.start_h):%d %b %Y}: P(all safe) {p.p_all_safe:.3f} "
                                          f"[{p.ci[0]:.3f}, {p.ci[1]:.3f}], {p.runs} runs")))
    if best is not None:
        marks.append(el("circle", {"cx": sx(best.start_h), "cy": sy(best.p_all_safe), "r": 9, "class_": "p-best"},
                        el("title", None, f"latest start with P ≥ {threshold:.0%}: {moment(best.start_h):%d %b %Y}")))
    parts.append(group(marks))
    parts.append(el("text", {"x": (_L + W - _R) / 2, "y": H - 8, "text_anchor": "middle", "class_": "axis-lbl"},
                    "start of the operation"))
    parts.append(el("text", {"transform": f"translate(16,{num((_T + H - _B) / 2)}) rotate(-90)",
                             "text_anchor": "middle", "class_": "axis-lbl"}, "P(every traveller safe)"))
    return _frame(parts, "Probability that everyone is safe against the start date")


def fan_chart(summary: MonteCarloSummary, *, moment: Callable[[float], datetime]) -> Markup:
    """People safe over time across runs: 5–95 % and 25–75 % bands and the median, x in local time."""
    parts: list[Markup] = [el("rect", {"x": _L, "y": _T, "width": W - _L - _R, "height": H - _T - _B,
                                       "class_": "plot-bg"})]
    grid = summary.grid_h
    if summary.completed == 0 or len(grid) < 2:  # the fan is over completed runs (a failed one has no curve)
        return _frame(parts, "No runs")
    t0, t1 = float(grid[0]), float(grid[-1])
    top = max(float(summary.fan[0.95].max()), summary.target_mean, 1.0) * 1.08
    step_y = max(1.0, nice_step(top, 6))

    def sx(t: float) -> float:
        return _L + (t - t0) / (t1 - t0) * (W - _L - _R)

    def sy(v: float) -> float:
        return H - _B - v / top * (H - _T - _B)

    _y_axis(parts, 0.0, top, sy, lambda v: f"{v:,.0f}", step_y)
    step_x = next((s for s in (1, 2, 3, 6, 12, 24, 48, 72, 168, 336) if (t1 - t0) / s <= 10), 720)
    ticks: list[Markup] = []
    t = 0.0
    while t <= t1 + 1e-9:
        x = sx(t)
        ticks.append(el("line", {"x1": x, "y1": _T, "x2": x, "y2": H - _B, "class_": "grid"}))
        local = moment(summary.start_h + t)
        ticks.append(el("text", {"x": x, "y": H - _B + 16, "text_anchor": "middle", "class_": "tick"},
                        el("tspan", {"x": x, "dy": 0}, f"+{t:.0f} h"),
                        el("tspan", {"x": x, "dy": 14}, local.strftime("%d %b %H:%M"))))
        t += step_x
    parts.append(group(ticks))

    def band(lo: float, hi: float, cls: str) -> Markup:
        upper = [(sx(float(x)), sy(float(v))) for x, v in zip(grid, summary.fan[hi], strict=True)]
        lower = [(sx(float(x)), sy(float(v))) for x, v in zip(grid, summary.fan[lo], strict=True)]
        return el("path", {"d": path_d(upper + lower[::-1], closed=True), "class_": cls})

    parts.append(band(0.05, 0.95, "fan-outer"))
    parts.append(band(0.25, 0.75, "fan-inner"))
    parts.append(el("path", {"d": path_d((sx(float(x)), sy(float(v))) for x, v in zip(grid, summary.fan[0.5],
                                                                                          strict=True)),
                             "class_": "fan-median"}, el("title", None, "median people safe")))
    yt = sy(summary.target_mean)
    parts.append(el("line", {"x1": _L, "y1": yt, "x2": W - _R, "y2": yt, "class_": "target"}))
    parts.append(el("text", {"x": W - _R + 6, "y": yt + 4, "class_": "target-lbl"},
                    f"to move: {summary.target_mean:,.0f} (mean)"))
    legend = [("fan-outer", "5–95 % of runs"), ("fan-inner", "25–75 %"), ("fan-median", "median")]
    for i, (cls, text) in enumerate(legend):
        y = _T + 60 + 18 * i
        if cls == "fan-median":
            parts.append(el("line", {"x1": W - _R + 6, "y1": y - 4, "x2": W - _R + 20, "y2": y - 4, "class_": cls}))
        else:
            parts.append(el("rect", {"x": W - _R + 6, "y": y - 9, "width": 14, "height": 10, "class_": cls}))
        parts.append(el("text", {"x": W - _R + 26, "y": y, "class_": "tick"}, text))
    parts.append(el("text", {"x": (_L + W - _R) / 2, "y": H - 4, "text_anchor": "middle", "class_": "axis-lbl"},
                    "hours after the start (local time)"))
    parts.append(el("text", {"transform": f"translate(16,{num((_T + H - _B) / 2)}) rotate(-90)",
                             "text_anchor": "middle", "class_": "axis-lbl"}, "people safe"))
    return _frame(parts, "People safe over time across simulated futures")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
