"""A tiny SVG writer for the HTML report: every attribute value and every text node is escaped.

Scenario text (place, threat and asset names) is untrusted: a place may be called ``<script>``. The report
builds its SVG in Python, so escaping must not depend on the caller remembering it. :func:`el` escapes all
plain strings and inserts only :class:`markupsafe.Markup` children verbatim, and those are only ever made
by :func:`el` itself (or :func:`raw` for constant, hand-written snippets).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

AttrValue = str | int | float | None


def num(x: float, digits: int = 1) -> str:
    """A coordinate for SVG: rounded to ``digits`` decimals, no trailing zeros, never ``-0``."""
    if not math.isfinite(x):
        raise ValueError(f"cannot write {x!r} into SVG")
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attr(value: AttrValue) -> str:
    if isinstance(value, float):
        return num(value)
    return str(value)


def el(tag: str, attrs: Mapping[str, AttrValue] | None = None, *children: str | Markup) -> Markup:
    """One element. Attributes whose value is ``None`` are left out; ``class_`` is written ``class`` and
    underscores in other names become hyphens (``stroke_width`` → ``stroke-width``)."""
    parts = [f"<{tag}"]
    for key, value in (attrs or {}).items():
        if value is None:
            continue
        name = "class" if key == "class_" else key.replace("_", "-")
        parts.append(f' {name}="{escape(_attr(value))}"')
    if not children:
        parts.append("/>")
        return Markup("".join(parts))
    parts.append(">")
    parts.extend(str(escape(child)) for child in children)
    parts.append(f"</{tag}>")
    return Markup("".join(parts))


def group(children: Iterable[Markup], attrs: Mapping[str, AttrValue] | None = None) -> Markup:
    """A ``<g>`` around already built elements (an empty group is written as nothing)."""
    items = list(children)
    if not items:
        return Markup("")
    return el("g", attrs, Markup("").join(items))


def raw(snippet: str) -> Markup:
    """A constant, hand-written SVG snippet (never built from scenario data)."""
    return Markup(snippet)


def path_d(points: Iterable[tuple[float, float]], *, closed: bool = False) -> str:
    """SVG path data for a polyline, dropping points that round onto the previous one."""
    out: list[str] = []
    last = ""
    for x, y in points:
        xy = f"{num(x)},{num(y)}"
        if xy == last:
            continue
        out.append(("M" if not out else "L") + xy)
        last = xy
    if closed and out:
        out.append("Z")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in SVG pixels, for label collision tests."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height


def text_width(text: str, font_px: float) -> float:
    """A rough width of ``text`` in a sans-serif font: enough to keep labels from piling up."""
    return 0.58 * font_px * len(text) + 2


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that cuts ``span`` into at most ``max_ticks`` parts."""
    if span <= 0:
        return 1.0
    raw_step = span / max(max_ticks, 1)
    mag = 10.0 ** math.floor(math.log10(raw_step))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw_step:
            return m * mag
    return 10 * mag
