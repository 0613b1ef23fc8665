/* The decision page: when must we start, and how sure are we? Registered with EvacConsole (console.js).
   Data from GET /decision (202 while the server computes it: the page asks again after retry_after_s). The
   two charts are inline SVG built with DOM calls from the JSON (no markup strings), each with role="img",
   an accessible name, a legend and its data as a table in a <details>. Times show in the operation's zone
   (the scenario's UTC offset, stated on the page). Test hooks: #decision[data-state|data-latest-start|
   data-too-late|data-plan], #decision-chart[data-bars], #decision-p-chart[data-points]. */
"use strict";
(() => {
  const { api, detail, el, t, table } = Evac;
  const W = 960, H = 380, L = 70, R = 230, T = 16, B = 52;
  const REFRESH_MS = 10 * 60 * 1000;  // "in N h" follows the clock; the server's answer is cached per hour
  let token = 0;  // bumped by every load: an older poll or answer is dropped
  let timer = null;

  // -- formatting -------------------------------------------------------------------------------------------
  const LOCALES = { en: "en-GB", ru: "ru-RU", ar: "ar" };
  const locale = () => LOCALES[Evac.lang()] || "en-GB";
  let off = 0;  // the operation zone's offset from UTC, minutes
  const shifted = (iso) => new Date(Date.parse(iso) + off * 60000);
  function fmt(iso, opts) {
    if (!iso) return t("dec.none");
    return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", ...opts }).format(shifted(iso));
  }
  const when = (iso) => fmt(iso, { weekday: "short", day: "numeric", month: "short", year: "numeric",
                                   hour: "2-digit", minute: "2-digit" });
  const whenShort = (iso) => fmt(iso, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const day = (iso) => fmt(iso, { day: "numeric", month: "short" });
  const num = (v, d = 0) => (v === null || v === undefined ? t("dec.none")
    : Number(v).toLocaleString(locale(), { maximumFractionDigits: d, minimumFractionDigits: d }));
  const pct = (p) => (p === null || p === undefined ? t("dec.none")
    : new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(p));
  function zone() {
    const h = Math.trunc(Math.abs(off) / 60), m = Math.abs(off) % 60;
    return "UTC" + (off < 0 ? "−" : "+") + h + (m ? ":" + String(m).padStart(2, "0") : "");
  }
  function className(n) { const k = "dec.class." + n; const s = t(k); return s === k ? n : s; }
  const inHours = (h) => t("dec.in", { h: num(h), d: num(h / 24) });

  // -- SVG with DOM calls -----------------------------------------------------------------------------------
  /** Presentation attributes by class: the charts read right even without the style sheet. */
  const PRES = {
    "plot-bg": { fill: "#fff" }, grid: { stroke: "#e6e9ec" }, axis: { stroke: "#6b7480" },
    tick: { fill: "#4a525c", "font-size": 12 }, "axis-lbl": { fill: "#1b1f24", "font-size": 12.5, "font-weight": 600 },
    band: { fill: "#c62828", "fill-opacity": 0.1 }, "band-line": { stroke: "#c62828", "stroke-width": 1.5, "stroke-dasharray": "5 3" },
    "band-lbl": { fill: "#b00020", "font-size": 11.5 },
    "bar-ok": { fill: "#2e7d32" }, "bar-bad": { fill: "#c62828" }, "bar-none": { fill: "#9aa3ab" },
    "latest-line": { stroke: "#1d6b2a", "stroke-width": 2, "stroke-dasharray": "7 4" },
    "latest-lbl": { fill: "#1d6b2a", "font-size": 12, "font-weight": 700, "paint-order": "stroke", stroke: "#fff", "stroke-width": 3 },
    "ci-band": { fill: "#5b2a86", "fill-opacity": 0.18 }, "p-line": { fill: "none", stroke: "#5b2a86", "stroke-width": 2.5 },
    "p-dot": { fill: "#5b2a86" }, thr: { stroke: "#8a5a00", "stroke-width": 1.5, "stroke-dasharray": "6 4" },
    "thr-lbl": { fill: "#8a5a00", "font-size": 11.5 },
  };
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(document.getElementById("decision-svg").namespaceURI, tag);
    for (const [k, v] of Object.entries(PRES[(attrs || {}).class] || {})) e.setAttribute(k, String(v));
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      // text isolated (FSI … PDI): an Arabic label keeps its own order inside the left-to-right chart
      if (k === "text") e.textContent = "\u2068" + v + "\u2069"; else e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c) e.append(c);
    return e;
  }
  const r1 = (v) => Math.round(v * 10) / 10;
  /** The template's <svg id> emptied and named (role="img" is in the template), with its plot area. */
  function frame(label, id) {
    const root = document.getElementById(id);
    root.setAttribute("aria-label", label);
    root.setAttribute("direction", "ltr");
    root.replaceChildren(svg("title", { text: label }),
      svg("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "plot-bg" }));
    return root;
  }
  function dayTicks(a, b) {  // hours since start → nice day ticks (at most ~8)
    const span = Math.max(b - a, 1);
    const days = [1, 2, 7, 14, 28, 56, 112].find((d) => span / (24 * d) <= 8) || 224;
    const step = 24 * days, out = [];
    for (let v = a; v <= b + 1e-9; v += step) out.push(v);  // from the first start: ticks sit on bars
    return out;
  }
  function axes(g, { sx, sy, xTicks, yTicks, xFmt, yFmt, xLabel, yLabel }) {
    for (const v of yTicks) {
      g.append(svg("line", { x1: L, x2: W - R, y1: r1(sy(v)), y2: r1(sy(v)), class: "grid" }),
        svg("text", { x: L - 6, y: r1(sy(v) + 4), "text-anchor": "end", class: "tick", text: yFmt(v) }));
    }
    for (const v of xTicks) {
      g.append(svg("line", { x1: r1(sx(v)), x2: r1(sx(v)), y1: T, y2: H - B, class: "grid" }),
        svg("text", { x: r1(sx(v)), y: H - B + 16, "text-anchor": "middle", class: "tick", text: xFmt(v) }));
    }
    g.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }),
      svg("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }),
      svg("text", { x: (L + W - R) / 2, y: H - 10, "text-anchor": "middle", class: "axis-lbl", text: xLabel }),
      svg("text", { transform: `translate(16,${(T + H - B) / 2}) rotate(-90)`, "text-anchor": "middle",
                    class: "axis-lbl", text: yLabel }));
  }
  /** A moment in hours since the operation's start → its ISO time (for labels). */
  const isoAt = (d, h) => new Date(Date.parse(d.start) + h * 3600000).toISOString();
  const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

  /** The latest safe start as a dashed vertical line, labelled to its left at height ``y``. */
  function marker(root, latest, sx, y) {
    if (latest.too_late || latest.h === null) return;
    const x = r1(sx(latest.h));
    root.append(svg("line", { x1: x, x2: x, y1: T, y2: H - B, class: "latest-line" }),
      svg("text", { x: x - 5, y, "text-anchor": "end", class: "latest-lbl", text: `${t("dec.legend.latest")}: ${day(latest.at)}` }));
  }
  function legend(id, items) {
    document.getElementById(id).replaceChildren(...items.map(([cls, text]) =>
      el("li", {}, el("span", { class: "sw " + cls, "aria-hidden": "true" }), text)));
  }

  // -- the decision chart: clearance of each start against the closure windows ------------------------------
  function decisionChart(d) {
    const rows = d.starts;
    const latest = d.latest_safe_start;
    const label = t("dec.chart1.label", { latest: latest.too_late ? t("dec.too_late.short") : when(latest.at) });
    const root = frame(label, "decision-svg");
    const box = document.getElementById("decision-chart");
    box.dataset.bars = String(rows.length);
    if (!rows.length) return;
    const starts = rows.map((r) => r.start_h);
    const ends = rows.map((r) => (r.last_safe_h ?? r.start_h));
    const a = Math.min(...starts), b = Math.max(...starts);
    const pad = Math.max((b - a) * 0.03, 12);
    const x0 = a - pad, x1 = b + pad;
    const y0 = a, top = Math.max(...ends, b);
    const y1 = top + Math.max(36, 0.06 * (top - y0));
    const sx = (h) => L + (h - x0) / (x1 - x0) * (W - L - R);
    const sy = (h) => H - B - (h - y0) / (y1 - y0) * (H - T - B);
    const g = svg("g", {});
    axes(g, { sx, sy, xTicks: dayTicks(a, b), yTicks: dayTicks(y0, y1),
              xFmt: (h) => day(isoAt(d, h)), yFmt: (h) => day(isoAt(d, h)),
              xLabel: t("dec.axis.start"), yLabel: t("dec.axis.date") });
    root.append(g);
    const bands = svg("g", { class: "bands" });
    const labels = [];
    for (const c of d.closures) {
      if (c.late_h < y0 || c.early_h > y1) continue;
      const yt = sy(Math.min(c.late_h, y1)), yb = sy(Math.max(c.early_h, y0));
      bands.append(svg("rect", { x: L, y: r1(yt), width: W - L - R, height: r1(Math.max(yb - yt, 1)), class: "band" },
        svg("title", { text: `${c.name} (${t("dec.kind." + c.kind)}): ${when(c.early)} – ${when(c.late)}` })));
      if (c.planning_h >= y0 && c.planning_h <= y1) {
        const y = sy(c.planning_h);
        bands.append(svg("line", { x1: L, x2: W - R, y1: r1(y), y2: r1(y), class: "band-line" }));
        labels.push([y, short(c.name, 30)]);
      }
    }
    let last = -Infinity;
    for (const [y, text] of labels.sort((p, q) => p[0] - q[0])) {
      const yy = Math.max(y + 4, last + 13);
      last = yy;
      bands.append(svg("text", { x: W - R + 6, y: r1(yy), class: "band-lbl", text }));
    }
    root.append(bands);
    const bw = Math.max(3, Math.min(18, 0.6 * (W - L - R) / rows.length));
    const bars = svg("g", { class: "bars" });
    for (const r of rows) {
      const end = r.last_safe_h ?? r.start_h;
      const yt = sy(Math.min(end, y1)), yb = sy(r.start_h);
      const cls = r.last_safe_h === null ? "bar-none" : r.all_safe ? "bar-ok" : "bar-bad";
      bars.append(svg("rect", { x: r1(sx(r.start_h) - bw / 2), y: r1(yt), width: r1(bw), height: r1(Math.max(yb - yt, 2)),
                                class: cls, "data-start": r.start },
        svg("title", { text: `${when(r.start)}: ${num(r.clearance_h, 1)} h, ${num(r.safe)} / ${num(r.travelling)}` })));
    }
    root.append(bars);
    marker(root, latest, sx, T + 12);
  }

  // -- P(all safe) against the start, with its interval -----------------------------------------------------
  function probabilityChart(d) {
    const pr = d.probability;
    const pts = pr.points.filter((p) => p.runs > 0 && p.p_all_safe !== null);
    const latest = d.latest_safe_start;
    const atLatest = latest.too_late ? null : pts.find((p) => Math.abs(p.start_h - latest.h) < 1e-6);
    const label = t("dec.chart2.label", { p: atLatest ? pct(atLatest.p_all_safe) : t("dec.none") });
    const root = frame(label, "decision-p-svg");
    const box = document.getElementById("decision-p-chart");
    box.dataset.points = String(pts.length);
    if (!pts.length) return;
    const starts = d.starts.length ? d.starts.map((r) => r.start_h) : pts.map((p) => p.start_h);
    const a = Math.min(...starts), b = Math.max(...starts);
    const pad = Math.max((b - a) * 0.03, 12);
    const x0 = a - pad, x1 = b + pad;
    const sx = (h) => L + (h - x0) / (x1 - x0) * (W - L - R);
    const sy = (p) => H - B - p * (H - T - B);
    const g = svg("g", {});
    axes(g, { sx, sy, xTicks: dayTicks(a, b), yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
              xFmt: (h) => day(isoAt(d, h)), yFmt: pct, xLabel: t("dec.axis.start"), yLabel: t("dec.axis.p") });
    root.append(g);
    const band = pts.map((p) => `${r1(sx(p.start_h))},${r1(sy(p.ci_high))}`)
      .concat(pts.slice().reverse().map((p) => `${r1(sx(p.start_h))},${r1(sy(p.ci_low))}`));
    root.append(svg("polygon", { points: band.join(" "), class: "ci-band" }));
    const yt = r1(sy(pr.threshold));
    root.append(svg("line", { x1: L, x2: W - R, y1: yt, y2: yt, class: "thr" }),
      svg("text", { x: W - R + 6, y: yt + 4, class: "thr-lbl", text: t("dec.legend.thr", { thr: pct(pr.threshold) }) }));
    root.append(svg("polyline", { points: pts.map((p) => `${r1(sx(p.start_h))},${r1(sy(p.p_all_safe))}`).join(" "),
                                  class: "p-line" }));
    for (const p of pts) {
      root.append(svg("circle", { cx: r1(sx(p.start_h)), cy: r1(sy(p.p_all_safe)), r: 4, class: "p-dot" },
        svg("title", { text: `${when(p.start)}: ${pct(p.p_all_safe)} [${pct(p.ci_low)}–${pct(p.ci_high)}], ${p.runs}` })));
    }
    marker(root, latest, sx, H - B - 8);
  }

  // -- text, tables ----------------------------------------------------------------------------------------
  function latestCell(l) {
    if (l.too_late) return el("strong", { class: "dec-bad", text: t("dec.too_late.short") });
    return l.beyond_range ? t("dec.at_least", { at: when(l.at) }) : when(l.at);
  }
  /** "no open exit: 200; no capacity: 34" from a start's counts of people left behind by reason. */
  function reasons(r) {
    return Object.entries(r.left_behind_by_reason || {}).filter(([, n]) => n > 0)
      .map(([k, n]) => { const key = "dec.reason." + k; const s = t(key); return `${s === key ? k : s}: ${num(n)}`; })
      .join("; ") || t("dec.none");
  }
  function headline(d) {
    const l = d.latest_safe_start;
    const rows = d.starts;
    const box = document.getElementById("decision-headline");
    const first = rows[0];
    const lines = [];
    if (l.too_late) {
      box.className = "dec-head bad";
      lines.push(el("p", { class: "dec-big", text: t("dec.too_late") }));
      if (first) {
        lines.push(el("p", { text: t("dec.now", { at: when(first.start), safe: num(first.safe),
                                                  total: num(first.travelling), left: num(first.left_behind) }) }));
        if (first.left_behind) lines.push(el("p", { text: t("dec.why", { reasons: reasons(first) }) }));
      }
    } else {
      box.className = "dec-head ok";
      lines.push(el("p", { class: "dec-big" }, t("dec.latest") + ": ", el("time", { datetime: l.at, text: when(l.at) }),
                    el("span", { class: "dec-zone", text: " (" + zone() + ")" })),
        el("p", { class: "dec-in", text: inHours(l.in_h) }));
      if (l.beyond_range) lines.push(el("p", { text: t("dec.beyond") }));
      const i = rows.findIndex((r) => r.start === l.at);
      const next = i >= 0 ? rows[i + 1] : null;
      if (next && !next.all_safe) {
        lines.push(el("p", { text: t("dec.after", { at: when(next.start), left: num(next.left_behind),
          total: num(next.travelling), closure: next.binding_name || next.binding || t("dec.none") }) }));
      }
      const p = d.probability.points.find((q) => q.start === l.at);
      if (p && p.p_all_safe !== null) {
        lines.push(el("p", { text: t("dec.p_at", { p: pct(p.p_all_safe), lo: pct(p.ci_low), hi: pct(p.ci_high),
                                                    runs: num(p.runs) }) }));
      }
    }
    // later starts the plan clears but whose P(all safe) stays under the line: why the answer is earlier
    for (const q of d.rejected || []) {
      lines.push(el("p", { class: "dec-rejected", text: t("dec.rejected", { at: when(q.start), p: pct(q.p_all_safe),
                                                                           thr: pct(d.probability.threshold) }) }));
    }
    box.replaceChildren(...lines);
  }
  function render(d) {
    off = d.utc_offset_min || 0;
    const sec = document.getElementById("decision");
    const l = d.latest_safe_start;
    headline(d);
    const rows = d.starts;
    document.getElementById("decision-basis").textContent = t("dec.basis", {
      n: rows.length, step: num(d.step_h), first: rows.length ? when(rows[0].start) : "—",
      last: rows.length ? when(rows[rows.length - 1].start) : "—", planner: d.planner, q: pct(d.quantile),
      zone: zone(), s: num(d.compute_s, 1), gen: d.generation });
    document.getElementById("decision-classes-table").replaceChildren(table(
      [t("dec.class"), t("dec.travellers"), t("dec.latest"), t("dec.from_now")],
      d.by_class.map((c) => {
        const s = c.latest_safe_start;
        const none = c.travelling === 0;
        return [className(c.name), num(c.travelling), none ? t("dec.no_travellers") : latestCell(s),
                none || s.too_late ? t("dec.none") : inHours(s.in_h)];
      })));
    legend("decision-chart-legend", [["sw-ok", t("dec.legend.ok")], ["sw-bad", t("dec.legend.bad")],
      ["sw-band", t("dec.legend.band")], ["sw-line", t("dec.legend.line", { q: pct(d.quantile) })],
      ["sw-latest", t("dec.legend.latest")],
      ...(rows.some((r) => r.last_safe_h === null) ? [["sw-none", t("dec.legend.none")]] : [])]);
    decisionChart(d);
    document.getElementById("decision-starts-table").replaceChildren(table(
      [t("dec.col.start"), t("dec.col.clearance"), t("dec.col.last_safe"), t("dec.col.safe"), t("dec.col.left"),
       t("dec.col.slack"), t("dec.col.binding")],
      rows.map((r) => [whenShort(r.start), num(r.clearance_h, 1), whenShort(r.last_safe), `${num(r.safe)} / ${num(r.travelling)}`,
                       r.left_behind ? el("strong", { class: "dec-bad", text: num(r.left_behind) }) : "0",
                       num(r.slack_h), r.binding_name || t("dec.none")]), t("dec.table.starts")));
    document.getElementById("decision-closures-table").replaceChildren(table(
      [t("dec.col.closure"), t("dec.col.kind"), t("dec.col.planned"), t("dec.col.window")],
      d.closures.map((c) => [c.name, t("dec.kind." + c.kind), when(c.planning), `${when(c.early)} – ${when(c.late)}`]),
      t("dec.table.closures")));
    const pr = d.probability;
    document.getElementById("decision-p-help").textContent = t("dec.chart2.help", { runs: num(pr.runs), seed: pr.seed })
      + (pr.failed_runs ? " " + t("dec.failed", { n: num(pr.failed_runs) }) : "");
    legend("decision-p-legend", [["sw-p", t("dec.legend.p")], ["sw-ci", t("dec.legend.ci")],
      ["sw-thr", t("dec.legend.thr", { thr: pct(pr.threshold) })], ["sw-latest", t("dec.legend.latest")]]);
    probabilityChart(d);
    document.getElementById("decision-p-table").replaceChildren(table(
      [t("dec.col.start"), t("dec.col.runs"), t("dec.col.p"), t("dec.col.ci")],
      pr.points.map((p) => [whenShort(p.start), num(p.runs), pct(p.p_all_safe), `${pct(p.ci_low)} – ${pct(p.ci_high)}`]),
      t("dec.chart2.h")));
    Object.assign(sec.dataset, { state: "ready", latestStart: l.too_late ? "none" : l.at,
                                 tooLate: String(l.too_late), plan: String(d.plan), generation: String(d.generation) });
  }

  // -- after activation: progress against the closures (GET /status-board/timeline) ------------------------
  /** "Safe so far vs planned by now" and the next closures; the start analysis folds away once the operation
      has started (before its start, the progress box stays hidden and the analysis open). */
  async function progress() {
    const r = await api("GET", "/status-board/timeline");
    if (!r.ok) return;
    const tl = await r.json();
    off = tl.utc_offset_min || 0;
    const started = tl.now_h >= 0;
    const box = document.getElementById("decision-progress");
    const analysis = document.getElementById("decision-analysis");
    box.hidden = !started;
    box.dataset.started = String(started);
    if (!("userToggled" in analysis.dataset)) analysis.open = !started;
    if (!started) return;
    const nowPoint = [...tl.series].reverse().find((p) => p.h <= tl.now_h) || tl.series[0];
    const plannedNow = nowPoint ? nowPoint.planned : 0;
    const behind = Math.max(0, plannedNow - tl.actual_total);
    const head = document.getElementById("decision-progress-head");
    head.className = "dec-head " + (behind ? "warn" : "ok");
    const planEnd = tl.series.find((p) => p.planned >= tl.planned_total);
    head.replaceChildren(
      el("p", { class: "dec-big", text: t("dec.progress.safe", { safe: num(tl.actual_total), total: num(tl.travelling) }) }),
      el("p", { text: t("dec.progress.since", { at: when(tl.start), h: num(tl.now_h) }) }),
      el("p", { text: t("dec.progress.planned", { now: num(plannedNow), all: num(tl.planned_total),
                                                 by: planEnd ? when(planEnd.at) : t("dec.none") }) }),
      behind ? el("p", { class: "dec-bad", text: t("dec.progress.behind", { n: num(behind) }) })
             : el("p", { text: t("dec.progress.on_track") }));
    const next = tl.closures.filter((c) => c.h > tl.now_h);
    box.dataset.safe = String(tl.actual_total);
    box.dataset.nextClosure = next.length ? next[0].target : "";
    const name = (c) => (c.source === "operation" ? t("dec.posted", { target: c.target_name }) : c.name);
    document.getElementById("decision-next").replaceChildren(next.length ? table(
      [t("dec.col.closure"), t("dec.col.target"), t("dec.col.planned"), t("dec.col.in"), t("dec.col.window")],
      next.slice(0, 8).map((c) => [el("bdi", { text: name(c) }), el("bdi", { text: c.target_name }), when(c.at),
        inHours(c.h - tl.now_h),
        c.band_h ? `${when(isoAt(tl, c.band_h[0]))} – ${when(isoAt(tl, c.band_h[1]))}` : t("dec.known")]),
      t("dec.next.caption", { n: num(next.length) })) : el("p", { text: t("dec.next.none") }));
  }

  function status(state, text) {
    const box = document.getElementById("decision-headline");
    box.className = "dec-head";
    box.replaceChildren(el("p", { text }));
    document.getElementById("decision").dataset.state = state;
  }
  const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

  /** Fetch (polling while the server computes) and draw; rejects with the API's message on failure.
      ``shown`` is called once the page shows something: the result, or "computing" (the poll goes on). */
  async function load(shown = () => {}) {
    const mine = ++token;
    progress().catch(() => {});  // independent of the (slower) start analysis
    const sec = document.getElementById("decision");
    if (sec.dataset.latestStart) sec.dataset.state = "loading"; else status("loading", t("dec.loading"));
    document.getElementById("decision-error").replaceChildren();
    for (let tries = 0; tries < 600; tries++) {
      const r = await api("GET", "/decision");
      if (mine !== token) return;
      if (r.status === 202) {
        const j = await r.json();
        status("computing", t("dec.computing", { at: j.started_at ? when(j.started_at) : "…" }));
        shown();
        await sleep(1000 * Math.max(1, j.retry_after_s || 2));
        if (mine !== token) return;
        continue;
      }
      if (!r.ok) { sec.dataset.state = "error"; throw new Error(await detail(r)); }
      render(await r.json());
      return;
    }
  }

  // The console counts as loaded once this section shows its answer or "computing": a first computation on a
  // big operation takes seconds and must not hold up the status board's readiness (the poll goes on).
  EvacConsole.register("decision", () => new Promise((resolve, reject) => {
    if (!timer) timer = setInterval(() => { if (Evac.session() && !document.getElementById("decision").hidden) load().catch(() => {}); }, REFRESH_MS);
    load(resolve).then(resolve, (e) => {
      reject(e);  // before anything was shown: the console shows it under the section
      document.getElementById("decision-error").replaceChildren(  // after: shown here
        el("p", { class: "error", text: t("error", { detail: e.message }) }));
    });
  }));
  document.addEventListener("DOMContentLoaded", () => {
    const a = document.getElementById("decision-analysis");
    a.querySelector("summary").addEventListener("click", () => { a.dataset.userToggled = ""; });
  });
  // a scan or an arrival: the progress box follows (the start analysis is cached per hour on the server)
  document.addEventListener("evac:live", () => {
    const sec = document.getElementById("decision");
    if (Evac.session() && sec && !sec.hidden) progress().catch(() => {});
  });
  document.addEventListener("evac:replanned", () => {
    const sec = document.getElementById("decision");
    if (Evac.session() && sec && !sec.hidden) {
      load().catch((e) => document.getElementById("decision-error").replaceChildren(
        el("p", { class: "error", text: t("error", { detail: e.message }) })));
    }
  });
})();
