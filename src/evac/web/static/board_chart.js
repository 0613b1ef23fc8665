/* People safe over time on the status board: registered with EvacConsole (console.js).

   GET /status-board/timeline gives hourly cumulative counts (planned by the active plan, by the first plan
   once a re-plan happened, recorded arrived safe up to now), the people travelling, the closures and now.
   The chart is inline SVG built with DOM calls into the <svg id="safe-chart"> of the template (the HTML
   parser gives it the SVG namespace, so no namespace string is needed here); text goes in with textContent
   only. Times on the axis are the scenario zone's local time (utc_offset_min), as on the trips list.
   Test hooks on #safe-chart: data-planned-total, data-actual-total, data-closures (markers drawn). */
"use strict";
(() => {
  const { api, detail, el, t } = Evac;
  const W = 1000, H = 380, L = 64, R = 28, TOP = 20, BOTTOM = 58;  // viewBox and plot margins (px)
  const TIME_STEPS_H = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440];
  const MERGE_PX = 14;  // closure labels closer than this share one label
  const MAX_ROWS = 100;  // the data table shows at most about this many time rows
  let active = false;  // the board loader ran for this session: refetch after a re-plan

  function svgEl(svg, tag, attrs, text) {
    const e = document.createElementNS(svg.namespaceURI, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const n2 = (v) => Math.round(v * 10) / 10;
  const num = (v) => Number(v).toLocaleString(locale());
  function locale() {
    const l = Evac.lang();
    return l === "en" ? "en-GB" : l === "ar" ? "ar-u-nu-latn" : l;
  }
  /** The local moment (scenario zone) of ``h`` hours since the start, as a Date read in UTC. */
  function localOf(d, h) { return new Date(Date.parse(d.start) + (h * 3600 + d.utc_offset_min * 60) * 1000); }
  function fmt(date, opts) { return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", ...opts }).format(date); }
  const dayText = (date) => fmt(date, { day: "numeric", month: "short" });
  const timeText = (date) => fmt(date, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const whenText = (d, h) => `${dayText(localOf(d, h))} ${timeText(localOf(d, h))}`;
  /** With the year: closures may lie months before or after the operation. */
  const dateText = (d, h) => `${fmt(localOf(d, h), { day: "numeric", month: "short", year: "numeric" })} ${timeText(localOf(d, h))}`;
  function zoneText(min) {
    const s = min < 0 ? "−" : "+", a = Math.abs(min);
    return `UTC${s}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
  }
  function niceStep(max, n) {
    const raw = max / n, mag = 10 ** Math.floor(Math.log10(raw));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return Math.max(1, m * mag);
    return Math.max(1, 10 * mag);
  }
  /** A number isolated for bidi: "-4495" stays "-4495" in a right-to-left table. */
  const iso = (text) => el("bdi", { dir: "ltr", text });
  /** When the active plan has everyone it saves safe (the first hour the series reaches its total). */
  function byText(d) {
    const p = d.series.find((x) => x.planned === d.planned_total);
    return p && d.planned_total ? whenText(d, p.h) : "—";
  }
  const closureName = (c) => (c.source === "operation" ? t("tl.posted", { target: c.target_name }) : c.name);

  function draw(d) {
    const svg = document.getElementById("safe-chart");
    const x0 = L, x1 = W - R, y0 = TOP, y1 = H - BOTTOM, end = Math.max(d.end_h, 1);
    const yMaxData = Math.max(d.travelling, d.planned_total, d.first_total || 0, d.actual_total, 1);
    const yStep = niceStep(yMaxData * 1.08, 6);
    const yTop = yStep * Math.max(1, Math.ceil(yMaxData * 1.08 / yStep));
    const sx = (h) => x0 + Math.min(Math.max(h, 0), end) / end * (x1 - x0);
    const sy = (v) => y1 - v / yTop * (y1 - y0);
    const parts = [svgEl(svg, "rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, class: "tl-bg" })];

    // y grid and labels (people)
    for (let v = 0; v <= yTop + 1e-9; v += yStep) {
      parts.push(svgEl(svg, "line", { x1: x0, y1: n2(sy(v)), x2: x1, y2: n2(sy(v)), class: "tl-grid" }));
      parts.push(svgEl(svg, "text", { x: x0 - 8, y: n2(sy(v) + 4), "text-anchor": "end", class: "tl-tick" }, num(v)));
    }
    // x ticks on round local hours (midnights for steps of a day or more)
    const step = TIME_STEPS_H.find((s) => end / s <= 9) || TIME_STEPS_H[TIME_STEPS_H.length - 1];
    const s0 = localOf(d, 0);
    const sinceMidnight = s0.getUTCHours() + s0.getUTCMinutes() / 60;
    let prevDay = null;
    for (let h = Math.ceil(sinceMidnight / step) * step - sinceMidnight; h <= end + 1e-9; h += step) {
      const x = n2(sx(h)), local = localOf(d, h), day = dayText(local);
      parts.push(svgEl(svg, "line", { x1: x, y1: y0, x2: x, y2: y1, class: "tl-grid" }));
      const lines = step >= 24 ? [day] : [timeText(local), ...(day !== prevDay ? [day] : [])];
      prevDay = day;
      const txt = svgEl(svg, "text", { x, y: y1 + 17, "text-anchor": "middle", class: "tl-tick" });
      lines.forEach((s, i) => txt.append(svgEl(svg, "tspan", { x, dy: i ? 14 : 0 }, s)));
      parts.push(txt);
    }

    // closures: uncertain windows as bands, then the markers (labels merged when they would collide)
    const inside = d.closures.filter((c) => c.h >= 0 && c.h <= end);
    for (const c of d.closures) {
      if (!c.band_h || c.band_h[1] < 0 || c.band_h[0] > end) continue;
      const a = sx(c.band_h[0]), b = sx(c.band_h[1]);
      parts.push(svgEl(svg, "rect", { x: n2(a), y: y0, width: n2(Math.max(b - a, 1)), height: y1 - y0, class: "tl-band" }));
    }
    const clusters = [];
    for (const c of inside) {
      const x = sx(c.h);
      const line = svgEl(svg, "line", { x1: n2(x), y1: y0, x2: n2(x), y2: y1, class: "tl-closure" });
      line.append(svgEl(svg, "title", {}, `${closureName(c)}: ${whenText(d, c.h)}`));
      parts.push(line);
      const last = clusters[clusters.length - 1];
      if (last && x - last.x < MERGE_PX) last.names.push(closureName(c)); else clusters.push({ x, names: [closureName(c)] });
    }
    for (const cl of clusters) {
      let text = cl.names.join("; ");
      if (text.length > 60) text = text.slice(0, 57) + "…";
      const lx = cl.x > x1 - 16 ? cl.x - 5 : cl.x + 12;
      parts.push(svgEl(svg, "text", { class: "tl-closure-lbl", "text-anchor": "end",
        transform: `translate(${n2(lx)},${y0 + 6}) rotate(-90)` }, text));
    }

    // the people travelling
    const yt = n2(sy(d.travelling));
    parts.push(svgEl(svg, "line", { x1: x0, y1: yt, x2: x1, y2: yt, class: "tl-travelling" }));
    parts.push(svgEl(svg, "text", { x: x1 - 6, y: yt - 6, "text-anchor": "end", class: "tl-travelling-lbl" },
      t("tl.travelling.n", { n: num(d.travelling) })));

    // planned (area + line), the first plan (dashed), the actual line up to now
    const line = (pts) => "M" + pts.map(([h, v]) => `${n2(sx(h))},${n2(sy(v))}`).join("L");
    const planned = d.series.map((p) => [p.h, p.planned]);
    parts.push(svgEl(svg, "path", { d: line(planned) + `L${x1},${y1}L${x0},${y1}Z`, class: "tl-planned-area" }));
    if (d.first_total !== null) parts.push(svgEl(svg, "path", { d: line(d.series.map((p) => [p.h, p.first])), class: "tl-first" }));
    parts.push(svgEl(svg, "path", { d: line(planned), class: "tl-planned" }));
    const actual = d.series.filter((p) => p.actual !== null).map((p) => [p.h, p.actual]);
    if (d.now_h >= 0) actual.push([Math.min(d.now_h, end), d.actual_total]);
    if (actual.length > 1) parts.push(svgEl(svg, "path", { d: line(actual), class: "tl-actual" }));
    if (!d.planned_total) {
      parts.push(svgEl(svg, "text", { x: (x0 + x1) / 2, y: (y0 + y1) / 2, "text-anchor": "middle", class: "tl-empty" },
        t("tl.nobody")));
    }

    // now
    if (d.now_h >= 0 && d.now_h <= end) {
      const xn = n2(sx(d.now_h));
      parts.push(svgEl(svg, "line", { x1: xn, y1: y0 - 4, x2: xn, y2: y1, class: "tl-now" }));
      const right = xn > x1 - 40;
      parts.push(svgEl(svg, "text", { x: right ? xn - 4 : xn + 4, y: y0 - 6, "text-anchor": right ? "end" : "start", class: "tl-now-lbl" },
        t("tl.now")));
    }

    // axis captions
    parts.push(svgEl(svg, "text", { x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle", class: "tl-axis" },
      t("tl.x", { zone: zoneText(d.utc_offset_min) })));
    parts.push(svgEl(svg, "text", { transform: `translate(16,${(y0 + y1) / 2}) rotate(-90)`, "text-anchor": "middle",
      class: "tl-axis" }, t("tl.y")));

    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.replaceChildren(...parts);
    svg.dataset.plannedTotal = String(d.planned_total);
    svg.dataset.actualTotal = String(d.actual_total);
    svg.dataset.closures = String(inside.length);
    svg.dataset.generation = String(d.generation);
    svg.setAttribute("aria-label", t("tl.aria", {
      planned: num(d.planned_total), travelling: num(d.travelling), actual: num(d.actual_total),
      by: byText(d), closures: num(inside.length) }));
    return inside.length;
  }

  function legend(d) {
    const item = (cls, text) => el("li", {}, el("span", { class: "tl-swatch " + cls, "aria-hidden": "true" }), text);
    document.getElementById("safe-chart-legend").replaceChildren(...[
      item("tl-sw-planned", t("tl.planned", { generation: d.generation })),
      d.first_total !== null ? item("tl-sw-first", t("tl.first")) : null,
      item("tl-sw-actual", t("tl.actual")),
      item("tl-sw-travelling", t("tl.travelling")),
      item("tl-sw-closure", t("tl.closure")),
      item("tl-sw-band", t("tl.band")),
      item("tl-sw-now", t("tl.now"))].filter(Boolean));
  }

  function notes(d) {
    document.getElementById("safe-chart-sum").textContent = t("tl.sum", {
      planned: num(d.planned_total), travelling: num(d.travelling), actual: num(d.actual_total),
      by: byText(d), now: whenText(d, d.now_h) });
    const before = d.closures.filter((c) => c.in_force_at_start).length;
    const later = d.closures.filter((c) => c.h > d.end_h);
    const out = [];
    if (before) out.push(t("tl.before", { n: num(before) }));
    if (later.length) {
      const c = later[0];
      out.push(t("tl.next", { name: closureName(c), when: dateText(d, c.h), days: num(Math.round(c.h / 24)) }));
    }
    if (d.first_total !== null) {
      const firstBy = d.series.find((p) => p.first === d.first_total);
      out.push(t("tl.cost", { first: num(d.first_total), planned: num(d.planned_total),
        first_by: firstBy && d.first_total ? whenText(d, firstBy.h) : "—", by: byText(d) }));
    }
    document.getElementById("safe-chart-note").textContent = out.join(" ");
  }

  function tables(d) {
    const k = Math.max(1, Math.ceil(d.series.length / MAX_ROWS));
    const rows = d.series.filter((p, i) => i % k === 0 || i === d.series.length - 1);
    const heads = [t("tl.col.time"), t("tl.col.h"), t("tl.col.planned"),
                   ...(d.first_total !== null ? [t("tl.col.first")] : []), t("tl.col.actual")];
    document.getElementById("safe-chart-series").replaceChildren(Evac.table(heads, rows.map((p) => [
      whenText(d, p.h), iso(String(n2(p.h))), iso(num(p.planned)),
      ...(d.first_total !== null ? [iso(num(p.first))] : []), p.actual === null ? "—" : iso(num(p.actual))]), t("tl.series.caption", { zone: zoneText(d.utc_offset_min) })));
    document.getElementById("safe-chart-closures").replaceChildren(Evac.table(
      [t("tl.col.closure"), t("tl.col.target"), t("tl.col.when"), t("tl.col.h"), t("tl.col.source"), t("tl.col.band")],
      d.closures.map((c) => [closureName(c), c.target_name, dateText(d, c.h), iso(String(n2(c.h))),
        t(c.source === "operation" ? "tl.src.operation" : "tl.src.scenario"),
        c.band_h ? `${dateText(d, c.band_h[0])} – ${dateText(d, c.band_h[1])}` : "—"]),
      t("tl.closures.caption", { n: num(d.closures.length) })));
  }

  async function load() {
    const r = await api("GET", "/status-board/timeline");
    if (!r.ok) throw new Error(await detail(r));
    const d = await r.json();
    draw(d);
    legend(d);
    notes(d);
    tables(d);
    document.getElementById("board-chart").dataset.loaded = "true";
  }

  EvacConsole.register("board", async () => { active = true; await load(); });
  document.addEventListener("evac:replanned", () => {
    if (!active || !Evac.session()) return;
    load().catch((e) => document.getElementById("board-error").replaceChildren(
      el("p", { class: "error", text: t("error", { detail: e.message }) })));
  });
})();
