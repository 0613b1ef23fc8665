"""The report's chart: cumulative people safe over time, against the closures and the people travelling.

Drawn in Python as inline SVG. The x axis is time from the plan start, labelled with local dates and
times of the scenario's zone; each closure that falls inside the window is a vertical marker labelled with
the threat's name (markers closer than a few pixels share one label).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from evac.adapters.reports.html_svg import el, group, nice_step, num

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from markupsafe import Markup

WIDTH_PX, HEIGHT_PX = 1000, 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 64.0, 28.0, 18.0, 58.0
_TIME_STEPS_H = (1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160, 4320, 8760)
_MERGE_PX = 14.0


@dataclass(frozen=True, slots=True)
class Closure:
    """A closure marker: ``name`` of the threat (and its target) and its time in hours from the epoch."""

    name: str
    at_h: float


@dataclass(frozen=True, slots=True)
class ChartFigure:
    svg: Markup
    window: tuple[float, float]  # hours from the epoch
    markers: int  # closure markers drawn (one per closure inside the window)


def chart_window(start_h: float, safe_times_h: Sequence[float]) -> tuple[float, float]:
    """From the plan start to a little after the last person is safe: a day at least, a week if nobody is."""
    if not safe_times_h:
        return start_h, start_h + 168.0
    span = max(max(safe_times_h) - start_h, 24.0)
    return start_h, start_h + span * 1.06


def _time_ticks(t0: float, t1: float, moment: Callable[[float], datetime]) -> tuple[int, list[float]]:
    """The step (hours) and the tick times (hours from the epoch) on round local hours or midnights."""
    span = t1 - t0
    step = next((s for s in _TIME_STEPS_H if span / s <= 9), _TIME_STEPS_H[-1])
    first = moment(t0)
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    # hours of t0 after local midnight of its day, computed through the zone so DST days work
    base = t0 - (first - midnight).total_seconds() / 3600.0
    ticks: list[float] = []
    k = 0
    while True:
        t = base + k * step
        k += 1
        if t > t1 + 1e-9:
            break
        if t >= t0 - 1e-9:
            ticks.append(t)
        if k > 10_000:
            break
    return step, ticks


def render_chart(
    *,
    start_h: float,
    safe_events: Sequence[tuple[float, int]],
    travelling: int,
    closures: Sequence[Closure],
    moment: Callable[[float], datetime],
    tz_label: str,
) -> ChartFigure:
    """Step line of people safe against time.

    Parameters
    ----------
    start_h
        The plan's start, hours from the epoch (the chart's left edge).
    safe_events
        ``(safe_at_h, people)`` per household itinerary, in any order.
    travelling
        People the plan is for: drawn as a horizontal line.
    closures
        Closure times of threats; those inside the window become markers.
    moment
        Turns hours from the epoch into a local datetime (``Scenario.moment``).
    tz_label
        The zone's name for the axis caption.
    """
    events = sorted((t, n) for t, n in safe_events if n > 0)
    t0, t1 = chart_window(start_h, [t for t, _ in events])
    total_safe = sum(n for _, n in events)
    y_max_data = max(travelling, total_safe, 1)
    y_step = max(1.0, nice_step(y_max_data * 1.08, 6))  # whole people
    y_top = y_step * max(1, -(-y_max_data * 1.08 // y_step))

    px0, px1 = _LEFT, WIDTH_PX - _RIGHT
    py0, py1 = _TOP, HEIGHT_PX - _BOTTOM

    def sx(t: float) -> float:
        return px0 + (t - t0) / (t1 - t0) * (px1 - px0)

    def sy(v: float) -> float:
        return py1 - v / y_top * (py1 - py0)

    parts: list[Markup] = [el("rect", {"x": px0, "y": py0, "width": px1 - px0, "height": py1 - py0,
                                       "class_": "plot-bg"})]
    # y grid and labels
    grid: list[Markup] = []
    v = 0.0
    while v <= y_top + 1e-9:
        y = sy(v)
        grid.append(el("line", {"x1": px0, "y1": y, "x2": px1, "y2": y, "class_": "grid"}))
        grid.append(el("text", {"x": px0 - 8, "y": y + 4, "text_anchor": "end", "class_": "tick"},
                       f"{v:,.0f}"))
        v += y_step
    # x ticks with local dates
    step, ticks = _time_ticks(t0, t1, moment)
    prev_day = None
    for t in ticks:
        x = sx(t)
        grid.append(el("line", {"x1": x, "y1": py0, "x2": x, "y2": py1, "class_": "grid"}))
        local = moment(t)
        if step >= 24:
            lines = [local.strftime("%a %d %b")]
        else:
            lines = [local.strftime("%H:%M")]
            if local.date() != prev_day:
                lines.append(local.strftime("%a %d %b"))
        prev_day = local.date()
        grid.append(el("text", {"x": x, "y": py1 + 17, "text_anchor": "middle", "class_": "tick"},
                       *[el("tspan", {"x": x, "dy": 0 if i == 0 else 14}, s) for i, s in enumerate(lines)]))
    parts.append(group(grid))

    # the step line (and the area under it)
    pts: list[tuple[float, float]] = [(sx(t0), sy(0))]
    cum = 0
    for t, n in events:
        x = sx(max(t, t0))
        pts.append((x, sy(cum)))
        cum += n
        pts.append((x, sy(cum)))
    pts.append((sx(t1), sy(cum)))
    line_d = "M" + "L".join(f"{num(x)},{num(y)}" for x, y in pts)
    area_d = line_d + f"L{num(sx(t1))},{num(sy(0))}Z"
    parts.append(el("path", {"d": area_d, "class_": "safe-area"}))
    parts.append(el("path", {"d": line_d, "class_": "safe-line"},
                    el("title", None, f"{cum:,} people safe by {moment(events[-1][0]):%d %b %Y %H:%M}"
                       if events else "Nobody reaches safety in this plan")))

    # the people travelling
    yt = sy(travelling)
    parts.append(el("line", {"x1": px0, "y1": yt, "x2": px1, "y2": yt, "class_": "travelling"},
                    el("title", None, f"People travelling (eligible and willing): {travelling:,}")))
    parts.append(el("text", {"x": px1 - 6, "y": yt - 6, "text_anchor": "end", "class_": "travelling-lbl"},
                    f"travelling: {travelling:,}"))
    if not events:
        parts.append(el("text", {"x": (px0 + px1) / 2, "y": (py0 + py1) / 2, "text_anchor": "middle",
                                 "class_": "empty-lbl"}, "No one reaches safety in this plan"))

    # closure markers: one line per closure, labels merged when they would collide
    inside = sorted((c for c in closures if t0 <= c.at_h <= t1), key=lambda c: (c.at_h, c.name))
    markers: list[Markup] = []
    clusters: list[list[Closure]] = []
    for c in inside:
        if clusters and sx(c.at_h) - sx(clusters[-1][-1].at_h) < _MERGE_PX:
            clusters[-1].append(c)
        else:
            clusters.append([c])
        x = sx(c.at_h)
        markers.append(el("line", {"x1": x, "y1": py0, "x2": x, "y2": py1, "class_": "closure"},
                          el("title", None, f"{c.name}: closes {moment(c.at_h):%d %b %Y %H:%M}")))
    for cluster in clusters:
        x = sx(cluster[0].at_h)
        text = "; ".join(c.name for c in cluster)
        if len(text) > 60:
            text = text[:57] + "…"
        lx = x - 5 if x > px1 - 16 else x + 12
        markers.append(el("text", {"class_": "closure-lbl", "text_anchor": "end",
                                   "transform": f"translate({num(lx)},{num(py0 + 6)}) rotate(-90)"}, text))
    parts.append(group(markers, {"class_": "closures"}))

    parts.append(el("text", {"x": (px0 + px1) / 2, "y": HEIGHT_PX - 6, "text_anchor": "middle",
                             "class_": "axis-lbl"}, f"local time ({tz_label})"))
    parts.append(el("text", {"transform": f"translate(16,{num((py0 + py1) / 2)}) rotate(-90)",
                             "text_anchor": "middle", "class_": "axis-lbl"}, "people safe"))
    svg = el("svg", {"class_": "chart", "viewBox": f"0 0 {WIDTH_PX} {HEIGHT_PX}", "role": "img",
                     "aria-label": "People safe over time"}, *parts)
    return ChartFigure(svg, (t0, t1), len(inside))


def tz_name(moment: datetime) -> str:
    """A readable name for the zone of ``moment``: its key (``Asia/Damascus``) or ``UTC+02:00``."""
    key = getattr(moment.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
