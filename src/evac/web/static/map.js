/* The situation map: registered with EvacConsole (console.js). Data from GET /plan/geo (country outlines as
   GeoJSON, places and links with their closure and danger intervals, the plan's legs per link and time,
   people safe over time); drawn with the vendored Leaflet, no tile layer (the pages are offline-capable and
   the CSP forbids other origins). A time slider (one-hour steps, keyboard-usable, its date in the scenario
   zone) sets the moment shown: roads and places closed or dangerous then, the legs under way (depart ≤ t <
   arrive) with their vehicles placed along the link, and people safe by then against the plan's total.
   Places are divIcons holding an inline SVG symbol per kind, keyboard-focusable buttons with an accessible
   name (their tooltip opens on focus). Everything is built with DOM calls (no markup strings).
   Test hooks: #map[data-state|data-closed-count|data-closed|data-under-way|data-moving-people|data-safe|
   data-planned-total|data-places|data-generation], #map-time[data-h]. */
"use strict";
(() => {
  const { api, detail, el, t, table } = Evac;
  // the SVG namespace, derived from the page's own (no origin written out: tests/web forbids any in own files)
  const SVGNS = document.documentElement.namespaceURI.replace("1999/xhtml", "2000/svg");
  const LOCALES = { en: "en-GB", ru: "ru-RU", ar: "ar" };
  const KINDS = ["city", "district", "assembly_point", "border_crossing", "airport", "port", "safe_haven"];
  const LABEL_ORDER = { safe_haven: 0, city: 1, border_crossing: 2, airport: 3, port: 4, assembly_point: 5, district: 6 };
  const COLOUR = { open: "#2e7d32", closed: "#c62828", danger: "#8a5a00", air: "#1f5fa8", sea: "#0f7f86",
                   flow: "#6a3d9a", moving: "#3d1f73", land: "#f3f0e8", crisis: "#f8e3cf", haven: "#e3f0df",
                   border: "#a9a192" };
  const ATTRIBUTION = "© Natural Earth / world-atlas";
  let map = null;
  let groups = null;     // Leaflet layer groups, created once with the map
  let d = null;          // the last answer of /plan/geo
  let marks = [];        // {p, marker, label} per place on the map
  let lines = [];        // {lk, line} per link
  let token = 0;
  let fitted = false;

  // -- formatting (times in the scenario's zone, stated) --------------------------------------------------
  const locale = () => LOCALES[Evac.lang()] || "en-GB";
  let off = 0;
  const atH = (h) => new Date(Date.parse(d.start) + h * 3600000);
  function fmt(date, opts) {
    return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", ...opts }).format(new Date(date.getTime() + off * 60000));
  }
  const when = (h) => fmt(atH(h), { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  const whenShort = (h) => fmt(atH(h), { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const num = (v, digits = 0) => Number(v).toLocaleString(locale(), { maximumFractionDigits: digits });
  function zone() {
    const h = Math.trunc(Math.abs(off) / 60), m = Math.abs(off) % 60;
    return "UTC" + (off < 0 ? "−" : "+") + h + (m ? ":" + String(m).padStart(2, "0") : "");
  }
  /** "+3 h from the start"; in Arabic the signed number is isolated (LRI … PDI) so that its sign stays in front. */
  const rel = (h) => {
    const n = (h >= 0 ? "+" : "−") + num(Math.abs(h));
    return t("map.rel", { h: Evac.lang() === "ar" ? "\u2066" + n + "\u2069" : n });
  };
  const kindText = (k) => t("map.kind." + k);

  // -- status at a time -----------------------------------------------------------------------------------
  const inForce = (items, h) => items.some((c) => c.from_h <= h && (c.to_h === null || h < c.to_h));
  const status = (x, h) => (inForce(x.closures, h) ? "closed" : inForce(x.dangers, h) ? "danger" : "open");
  const first = (items) => items.reduce((a, c) => (a === null || c.from_h < a.from_h ? c : a), null);

  // -- symbols ----------------------------------------------------------------------------------------------
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    for (const c of children) if (c) e.append(c);
    return e;
  }
  const pts = (a) => a.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  /** The shape of a place kind centred on (c, c), as in the HTML report's map. */
  function shape(kind, c) {
    const cls = "sym sym-" + kind;
    if (kind === "city") return svg("circle", { cx: c, cy: c, r: 5.5, class: cls });
    if (kind === "district") return svg("circle", { cx: c, cy: c, r: 3.5, class: cls });
    if (kind === "assembly_point") return svg("circle", { cx: c, cy: c, r: 4.5, class: cls });
    if (kind === "border_crossing") return svg("polygon", { points: pts([[c, c - 6.5], [c + 6.5, c], [c, c + 6.5], [c - 6.5, c]]), class: cls });
    if (kind === "airport") return svg("polygon", { points: pts([[c, c - 7], [c + 6.5, c + 5], [c - 6.5, c + 5]]), class: cls });
    if (kind === "port") return svg("rect", { x: c - 5, y: c - 5, width: 10, height: 10, class: cls });
    const star = [];
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 3.6 : 8.5;
      star.push([c + r * Math.sin(Math.PI * i / 5), c - r * Math.cos(Math.PI * i / 5)]);
    }
    return svg("polygon", { points: pts(star), class: cls });
  }
  function symbol(kind) {
    return svg("svg", { width: 26, height: 26, viewBox: "0 0 26 26", "aria-hidden": "true", focusable: "false" },
      svg("circle", { cx: 13, cy: 13, r: 11, class: "ring" }), shape(kind, 13));
  }
  function lineSwatch(colour, { width = 3, dash = null, opacity = 1 } = {}) {
    return svg("svg", { width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true" },
      svg("line", { x1: 2, y1: 7, x2: 28, y2: 7, stroke: colour, "stroke-width": width, "stroke-dasharray": dash,
                    "stroke-opacity": opacity, "stroke-linecap": "round" }));
  }
  function areaSwatch(fill) {
    return svg("svg", { width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true" },
      svg("rect", { x: 2, y: 1, width: 26, height: 12, fill, stroke: COLOUR.border }));
  }
  function dotSwatch(fill) {
    return svg("svg", { width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true" },
      svg("circle", { cx: 9, cy: 7, r: 5, fill: COLOUR.moving, stroke: "#fff", "stroke-width": 1.5 }),
      svg("circle", { cx: 22, cy: 7, r: 5, fill, stroke: COLOUR.moving, "stroke-width": 2 }));
  }
  function ringSwatch(cls) {
    const s = symbol("city");
    s.setAttribute("width", 30);
    return el("span", { class: "map-place " + cls }, s);
  }

  // -- geometry ---------------------------------------------------------------------------------------------
  /** Leaflet [lat, lon] points of a link: straight for roads, a gentle arc for air and sea routes. */
  function linePoints(lk) {
    const [[lon0, lat0], [lon1, lat1]] = lk.coordinates;
    if (lk.mode === "road") return [[lat0, lon0], [lat1, lon1]];
    const mx = (lon0 + lon1) / 2, my = (lat0 + lat1) / 2, dx = lon1 - lon0, dy = lat1 - lat0;
    const cx = mx - dy * 0.15, cy = my + dx * 0.15;
    const out = [];
    for (let i = 0; i <= 24; i++) {
      const s = i / 24, u = 1 - s;
      out.push([u * u * lat0 + 2 * u * s * cy + s * s * lat1, u * u * lon0 + 2 * u * s * cx + s * s * lon1]);
    }
    return out;
  }
  /** The point a fraction ``f`` of the way along a polyline (by length in degrees: enough at this scale). */
  function along(points, f) {
    const seg = [];
    let total = 0;
    for (let i = 1; i < points.length; i++) {
      const l = Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
      seg.push(l); total += l;
    }
    let left = Math.max(0, Math.min(1, f)) * total;
    for (let i = 1; i < points.length; i++) {
      if (left <= seg[i - 1] || i === points.length - 1) {
        const s = seg[i - 1] ? left / seg[i - 1] : 0;
        return [points[i - 1][0] + s * (points[i][0] - points[i - 1][0]), points[i - 1][1] + s * (points[i][1] - points[i - 1][1])];
      }
      left -= seg[i - 1];
    }
    return points[points.length - 1];
  }

  // -- the map ------------------------------------------------------------------------------------------------
  function ensureMap() {
    if (map) return;
    map = L.map("map-canvas", { zoomSnap: 0.25, zoomDelta: 0.5, scrollWheelZoom: false, worldCopyJump: false,
                                maxBoundsViscosity: 0.8 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(ATTRIBUTION);
    L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
    // the wheel zooms only once the map has been clicked or focused: scrolling the page stays scrolling
    map.on("focus click", () => map.scrollWheelZoom.enable());
    map.on("blur", () => map.scrollWheelZoom.disable());
    const panes = [["evac-outlines", 250], ["evac-flows", 390], ["evac-links", 410], ["evac-moving", 420],
                   ["evac-labels", 580], ["evac-places", 610], ["evac-vehicles", 630]];
    for (const [name, z] of panes) map.createPane(name).style.zIndex = String(z);
    map.getPane("evac-labels").style.pointerEvents = "none";
    groups = {};
    for (const name of ["outlines", "countries", "flows", "links", "moving", "labels", "places", "vehicles"]) {
      groups[name] = L.layerGroup().addTo(map);
    }
    map.on("zoomend", placeLabels);
  }

  function drawOutlines() {
    groups.outlines.clearLayers();
    groups.countries.clearLayers();
    L.geoJSON(d.outlines, {
      pane: "evac-outlines", interactive: false,
      style: (f) => ({ color: COLOUR.border, weight: 0.8, fillOpacity: 1, lineJoin: "round",
                       fillColor: f.properties.role === "crisis" ? COLOUR.crisis : f.properties.role === "haven" ? COLOUR.haven : COLOUR.land }),
    }).addTo(groups.outlines);
    for (const f of d.outlines.features) {
      const at = f.properties.label;
      if (!at) continue;
      const text = el("span", { text: f.properties.name });
      const m = L.marker([at[1], at[0]], { pane: "evac-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "map-country", html: text, iconSize: null }) });
      m.evacCountry = f.properties.name;
      groups.countries.addLayer(m);
    }
  }

  function tipOf(title, lines) {
    return el("div", {}, el("strong", { text: title }), ...lines.filter(Boolean).map((l) =>
      (l instanceof Node ? l : el("div", { text: l }))));
  }
  function closureLines(x) {
    const out = [];
    const h = Number(document.getElementById("map-time").value);
    for (const c of x.closures) {
      const txt = (c.from_h <= h ? t("map.tip.closed_since", { when: when(c.from_h) }) : t("map.tip.closes", { when: when(c.from_h) }))
        + (c.source === "operation" ? " · " + t("map.src.operation") : "");
      out.push(el("div", { class: "bad", text: txt }));
      if (c.band_h) out.push(t("map.tip.window", { a: whenShort(c.band_h[0]), b: whenShort(c.band_h[1]) }));
    }
    for (const c of x.dangers) out.push(el("div", { class: "warn", text: t("map.tip.danger", { name: c.name, when: when(c.from_h) }) }));
    return out;
  }
  function placeTip(p) {
    return tipOf(p.name, [`${kindText(p.kind)} · ${p.country}`, ...closureLines(p),
      p.picked_up ? t("map.tip.picked", { n: num(p.picked_up) }) : null,
      p.dropped_off ? t("map.tip.dropped", { n: num(p.dropped_off) }) : null]);
  }
  function linkTip(lk) {
    const names = Object.fromEntries(d.places.map((p) => [p.id, p.name]));
    const arrow = lk.two_way ? " ↔ " : " → ";
    return tipOf(names[lk.from] + arrow + names[lk.to],
      [t("map.tip.link", { mode: t("map.mode." + lk.mode), h: num(lk.travel_h, 1),
                           km: lk.distance_km === null ? "—" : num(lk.distance_km) }),
       ...closureLines(lk), t("map.tip.carried", { n: num(lk.people) })]);
  }

  function drawNetwork() {
    groups.flows.clearLayers();
    groups.links.clearLayers();
    const peak = Math.max(0, ...d.links.map((lk) => lk.people));
    const byDir = {};
    for (const f of d.flows) {
      const k = `${f.link}|${f.from}|${f.to}`;
      byDir[k] = (byDir[k] || 0) + f.people;
    }
    const names = Object.fromEntries(d.places.map((p) => [p.id, p.name]));
    lines = [];
    for (const lk of d.links) {
      const latlngs = linePoints(lk);
      if (lk.people > 0 && peak > 0) {
        const parts = Object.entries(byDir).filter(([k, n]) => n > 0 && k.startsWith(lk.id + "|"))
          .map(([k, n]) => { const [, a, b] = k.split("|"); return `${names[a]} → ${names[b]}: ${num(n)}`; });
        L.polyline(latlngs, { pane: "evac-flows", color: COLOUR.flow, opacity: 0.32, lineCap: "round",
                              weight: 3 + 15 * lk.people / peak })
          .bindTooltip(() => tipOf(t("map.tip.carried", { n: num(lk.people) }), parts), { sticky: true, className: "map-tip" })
          .addTo(groups.flows);
      }
      const line = L.polyline(latlngs, { pane: "evac-links", lineCap: "round" })
        .bindTooltip(() => linkTip(lk), { sticky: true, className: "map-tip" });
      line.addTo(groups.links);
      lines.push({ lk, line });
    }
  }

  function drawPlaces() {
    groups.places.clearLayers();
    groups.labels.clearLayers();
    marks = [];
    for (const p of d.places) {
      if (!p.on_map) continue;
      const marker = L.marker([p.lat, p.lon], { pane: "evac-places", keyboard: true, riseOnHover: true,
        icon: L.divIcon({ className: "map-place kind-" + p.kind, html: symbol(p.kind), iconSize: [26, 26], iconAnchor: [13, 13] }) })
        .bindTooltip(() => placeTip(p), { direction: "top", offset: [0, -11], className: "map-tip" });
      marker.addTo(groups.places);
      marker.getElement().dataset.place = p.id;
      // a click (or Enter) on a place offers it to the closure form (console.js listens; planners only)
      marker.on("click", () => document.dispatchEvent(new CustomEvent("evac:pick", { detail: { id: p.id } })));
      const big = p.kind === "city" || p.kind === "safe_haven";
      const text = el("span", { text: p.name });
      const label = L.marker([p.lat, p.lon], { pane: "evac-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "map-label", html: text, iconSize: null }) });
      label.evacClass = "map-label" + (big ? " big" : "") + (p.kind === "safe_haven" ? " haven" : "");
      label.evacText = p.name;
      label.addTo(groups.labels);
      marks.push({ p, marker, label });
    }
  }

  // -- labels that avoid each other and the symbols -------------------------------------------------------
  let measureCtx = null;
  function textWidth(text, big) {
    measureCtx ||= document.createElement("canvas").getContext("2d");
    const family = getComputedStyle(document.documentElement).fontFamily;
    measureCtx.font = `${big ? "700 13px" : "12px"} ${family}`;
    return Math.ceil(measureCtx.measureText(text).width) + 2;
  }
  function placeLabels() {
    if (!map || !d) return;
    const taken = [];  // boxes of symbols (gap 0) and of labels placed (gap 3 px: halos and descenders)
    const hit = (b, o, g) => b[0] < o[2] + g && o[0] < b[2] + g && b[1] < o[3] + g && o[1] < b[3] + g;
    const overlaps = (b) => taken.some((o) => hit(b, o, o[4]));
    const size = map.getSize();
    const inside = (b) => b[0] >= 0 && b[1] >= 0 && b[2] <= size.x && b[3] <= size.y;
    for (const m of marks) {
      const q = map.latLngToContainerPoint(m.marker.getLatLng());
      taken.push([q.x - 7, q.y - 7, q.x + 7, q.y + 7, 0]);
    }
    const order = marks.slice().sort((a, b) => (LABEL_ORDER[a.p.kind] - LABEL_ORDER[b.p.kind])
      || (b.p.picked_up + b.p.dropped_off) - (a.p.picked_up + a.p.dropped_off) || a.p.name.localeCompare(b.p.name));
    for (const m of order) {
      const big = m.label.evacClass.includes("big");
      const w = textWidth(m.label.evacText, big), h = big ? 15 : 14;
      const q = map.latLngToContainerPoint(m.label.getLatLng());
      const cands = [[10, -h / 2], [-10 - w, -h / 2], [-w / 2, -11 - h], [-w / 2, 11], [9, -h - 4], [9, 4], [-9 - w, -h - 4],
                     [-9 - w, 4], [12, -h - 10], [12, 10], [-12 - w, -h - 10], [-12 - w, 10]];
      let chosen = null;
      for (const [dx, dy] of cands) {
        const b = [q.x + dx, q.y + dy, q.x + dx + w, q.y + dy + h, 3];
        if (inside(b) && !overlaps(b)) { chosen = [dx, dy, b]; break; }
      }
      const shown = chosen !== null;
      if (shown) {
        taken.push(chosen[2]);
        m.label.setIcon(L.divIcon({ className: m.label.evacClass + (m.closed ? " closed" : ""),
          html: el("span", { text: m.label.evacText }), iconSize: [w, h], iconAnchor: [-chosen[0], -chosen[1]] }));
      }
      m.label.setOpacity(shown ? 1 : 0);
    }
    for (const c of groups.countries.getLayers()) {
      const w = textWidth(c.evacCountry.toUpperCase(), false) * 1.25, h = 14;
      const q = map.latLngToContainerPoint(c.getLatLng());
      let ok = null;
      for (const [dx, dy] of [[0, 0], [0, -22], [0, 22], [-40, 0], [40, 0], [0, -44], [0, 44]]) {
        const b = [q.x + dx - w / 2, q.y + dy - h / 2, q.x + dx + w / 2, q.y + dy + h / 2, 3];
        if (inside(b) && !overlaps(b)) { ok = [dx, dy]; taken.push(b); break; }
      }
      if (ok) {
        c.setIcon(L.divIcon({ className: "map-country", html: el("span", { text: c.evacCountry }), iconSize: [w, h],
                              iconAnchor: [w / 2 - ok[0], h / 2 - ok[1]] }));
      }
      c.setOpacity(ok ? 1 : 0);
    }
  }

  // -- the moment shown ---------------------------------------------------------------------------------------
  function underWay(h) { return d.flows.filter((f) => f.depart_h <= h && h < f.arrive_h); }
  function safeBy(h) {
    let n = 0;
    for (const s of d.safe) { if (s.h <= h + 1e-9) n = s.safe; else break; }
    return n;
  }
  function applyTime(h) {
    if (!d) return;
    const slider = document.getElementById("map-time");
    slider.dataset.h = String(h);
    const label = `${when(h)} (${zone()}) · ${rel(h)}`;
    slider.setAttribute("aria-valuetext", label);
    document.getElementById("map-time-text").textContent = label;
    const names = Object.fromEntries(d.places.map((p) => [p.id, p.name]));
    const closed = [];
    let closedPlaces = 0, closedLinks = 0;
    for (const { lk, line } of lines) {
      const st = status(lk, h);
      if (st === "closed") { closed.push(lk.id); closedLinks++; }
      const base = lk.mode === "road" ? { color: COLOUR.open, weight: 2.6, dashArray: null, opacity: 0.95 }
        : { color: COLOUR[lk.mode], weight: 2, dashArray: lk.mode === "air" ? "7 5" : "2 5", opacity: 0.9 };
      const style = st === "closed" ? { color: COLOUR.closed, weight: 3.4, dashArray: "2 6", opacity: 1 }
        : st === "danger" ? { ...base, color: COLOUR.danger, dashArray: "9 4" } : base;
      line.setStyle(style);
      line.evacStatus = st;
    }
    for (const m of marks) {
      const st = status(m.p, h);
      m.closed = st === "closed";
      if (m.closed) { closed.push(m.p.id); closedPlaces++; }
      const e = m.marker.getElement();
      e.classList.toggle("closed", st === "closed");
      e.classList.toggle("danger", st === "danger");
      e.dataset.status = st;
      e.setAttribute("aria-label", `${m.p.name}, ${kindText(m.p.kind)}` + (st === "open" ? "" : `, ${t("map.st." + st)}`));
      const le = m.label.getElement();
      if (le) le.classList.toggle("closed", m.closed);
    }
    for (const p of d.places) {
      if (!p.on_map && status(p, h) === "closed") { closed.push(p.id); closedPlaces++; }
    }
    // legs under way, and their vehicles placed along the link
    groups.moving.clearLayers();
    groups.vehicles.clearLayers();
    const moving = underWay(h);
    const byLink = new Map();
    for (const f of moving) {
      const k = `${f.link}|${f.from}|${f.to}`;
      const g = byLink.get(k) || { link: f.link, from: f.from, to: f.to, people: 0, vehicles: 0 };
      g.people += f.people; g.vehicles += f.vehicles;
      byLink.set(k, g);
    }
    const peak = Math.max(1, ...d.flows.map((f) => f.people));
    const linkBy = Object.fromEntries(d.links.map((lk) => [lk.id, lk]));
    for (const g of byLink.values()) {
      const lk = linkBy[g.link];
      if (!lk) continue;
      let latlngs = linePoints(lk);
      if (lk.from !== g.from) latlngs = latlngs.slice().reverse();
      L.polyline(latlngs, { pane: "evac-moving", color: COLOUR.moving, opacity: g.people ? 0.85 : 0.45, lineCap: "round",
                            weight: g.people ? 3 + 9 * g.people / peak : 2, dashArray: g.people ? null : "4 4", interactive: false })
        .addTo(groups.moving);
    }
    for (const f of moving) {
      const lk = linkBy[f.link];
      if (!lk) continue;
      let latlngs = linePoints(lk);
      if (lk.from !== f.from) latlngs = latlngs.slice().reverse();
      const at = along(latlngs, (h - f.depart_h) / Math.max(1e-6, f.arrive_h - f.depart_h));
      L.circleMarker(at, { pane: "evac-vehicles", radius: 4 + Math.min(4, f.vehicles - 1), weight: 2,
                           color: f.people ? "#fff" : COLOUR.moving, fillColor: f.people ? COLOUR.moving : "#fff", fillOpacity: 1 })
        .bindTooltip(() => tipOf(`${names[f.from]} → ${names[f.to]}`, [
          t("map.tip.vehicles", { vehicles: num(f.vehicles), asset: f.asset_name, people: num(f.people) }),
          t("map.tip.times", { dep: whenShort(f.depart_h), arr: whenShort(f.arrive_h) })]), { className: "map-tip" })
        .addTo(groups.vehicles);
    }
    const people = moving.reduce((a, f) => a + f.people, 0);
    const vehicles = moving.reduce((a, f) => a + f.vehicles, 0);
    const safe = safeBy(h);
    const chip = (cls, text) => el("span", { class: "chip " + cls, text });
    document.getElementById("map-summary").replaceChildren(
      chip(closed.length ? "bad" : "", t("map.sum.closed", { n: num(closed.length), places: num(closedPlaces), links: num(closedLinks) })),
      chip(vehicles ? "move" : "", t("map.sum.moving", { vehicles: num(vehicles), people: num(people) })),
      chip("ok", t("map.sum.safe", { safe: num(safe), total: num(d.planned_total) })));
    const sec = document.getElementById("map");
    Object.assign(sec.dataset, { h: String(h), closedCount: String(closed.length), closed: closed.sort().join(" "),
                                 underWay: String(moving.length), movingPeople: String(people), movingVehicles: String(vehicles),
                                 safe: String(safe) });
    tables(h, moving);
  }

  function tables(h, moving) {
    const names = Object.fromEntries(d.places.map((p) => [p.id, p.name]));
    document.getElementById("map-moving-table").replaceChildren(moving.length ? table(
      [t("map.col.route"), t("map.col.asset"), t("map.col.vehicles"), t("map.col.people"), t("map.col.depart"), t("map.col.arrive")],
      moving.map((f) => [`${names[f.from]} → ${names[f.to]}`, f.asset_name, num(f.vehicles), num(f.people),
                         whenShort(f.depart_h), whenShort(f.arrive_h)]),
      t("map.moving.caption", { when: whenShort(h), n: num(moving.length) })) : el("p", { text: t("map.moving.none") }));
    document.getElementById("map-places-table").replaceChildren(table(
      [t("map.col.place"), t("map.col.kind"), t("map.col.country"), t("map.col.status"), t("map.col.picked"), t("map.col.dropped")],
      d.places.map((p) => [p.name, kindText(p.kind), p.country, t("map.st." + status(p, h)), num(p.picked_up), num(p.dropped_off)]),
      t("map.places.caption", { when: whenShort(h) })));
  }

  function legend() {
    const kinds = KINDS.filter((k) => d.places.some((p) => p.on_map && p.kind === k));
    const peak = Math.max(0, ...d.links.map((lk) => lk.people));
    const item = (sw, text) => el("li", {}, sw, el("span", { text }));
    const group = (text) => el("li", { class: "group", text });
    const modes = new Set(d.links.map((lk) => lk.mode));
    document.getElementById("map-legend").replaceChildren(
      group(t("map.lg.places")),
      ...kinds.map((k) => item(svg("svg", { width: 30, height: 22, viewBox: "0 0 30 22", "aria-hidden": "true" }, shape(k, 11).cloneNode(true)), kindText(k))),
      item(ringSwatch("closed"), t("map.lg.place.closed")),
      item(ringSwatch("danger"), t("map.lg.place.danger")),
      group(t("map.lg.network")),
      item(lineSwatch(COLOUR.open, { width: 2.6 }), t("map.lg.open")),
      item(lineSwatch(COLOUR.danger, { width: 2.6, dash: "9 4" }), t("map.lg.danger")),
      item(lineSwatch(COLOUR.closed, { width: 3.4, dash: "2 6" }), t("map.lg.closed")),
      modes.has("air") ? item(lineSwatch(COLOUR.air, { width: 2, dash: "7 5" }), t("map.lg.air")) : null,
      modes.has("sea") ? item(lineSwatch(COLOUR.sea, { width: 2, dash: "2 5" }), t("map.lg.sea")) : null,
      group(t("map.lg.plan")),
      peak ? item(lineSwatch(COLOUR.flow, { width: 10, opacity: 0.32 }), t("map.lg.flow", { n: num(peak) })) : null,
      item(lineSwatch(COLOUR.moving, { width: 6, opacity: 0.85 }), t("map.lg.moving")),
      item(dotSwatch("#fff"), t("map.lg.vehicle")),
      group(t("map.lg.areas")),
      item(areaSwatch(COLOUR.crisis), t("map.lg.crisis")),
      item(areaSwatch(COLOUR.haven), t("map.lg.haven")),
      item(areaSwatch(COLOUR.land), t("map.lg.other")));
    // shapes in the legend are centred at 11: shift them into the 30×22 box
    for (const s of document.querySelectorAll("#map-legend svg > .sym")) s.setAttribute("transform", "translate(4,0)");
  }

  function notes() {
    const out = [];
    const later = d.closures.filter((c) => c.from_h > d.end_h);
    const next = first(later);
    if (next) out.push(t("map.next", { name: next.name, when: when(next.from_h) }));
    const offMap = d.places.filter((p) => !p.on_map).map((p) => p.name);
    if (offMap.length) out.push(t("map.offmap", { names: offMap.join(", ") }));
    document.getElementById("map-note").textContent = out.join(" ");
    document.getElementById("map-closures-table").replaceChildren(table(
      [t("map.col.target"), t("map.col.closes"), t("map.col.source"), t("map.col.window")],
      d.closures.map((c) => [`${c.target_name} — ${c.name}`, when(c.from_h),
        t("map.src." + c.source), c.band_h ? `${whenShort(c.band_h[0])} – ${whenShort(c.band_h[1])}` : "—"]),
      t("map.closures.caption", { n: num(d.closures.length) })));
  }

  function render(keepH) {
    ensureMap();
    off = d.utc_offset_min || 0;
    const sec = document.getElementById("map");
    const slider = document.getElementById("map-time");
    slider.min = String(Math.floor(d.start_h));
    slider.max = String(Math.ceil(d.end_h));
    slider.step = String(d.step_h || 1);
    const nowH = Math.round(d.now_h);
    const nowIn = nowH >= d.start_h && nowH <= d.end_h;
    document.getElementById("map-now").hidden = !nowIn;
    const h = keepH !== null ? Math.min(Math.max(keepH, d.start_h), d.end_h) : nowIn ? nowH : d.start_h;
    slider.value = String(h);
    document.getElementById("map-basis").textContent = t("map.basis", {
      scenario: d.scenario_name, gen: d.generation, start: when(d.start_h), end: when(d.end_h), zone: zone(),
      q: new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(d.closure_quantile) });
    map.invalidateSize();
    if (!fitted) {  // first the view (layers added to a map without one wait for it), once: later loads keep it
      map.fitBounds(L.latLngBounds(d.bounds), { padding: [8, 8], animate: false });
      map.setMaxBounds(L.latLngBounds(d.outline_bounds).pad(0.05));
      map.setMinZoom(Math.max(0, map.getZoom() - 2));
      fitted = true;
    }
    drawOutlines();
    drawNetwork();
    drawPlaces();
    legend();
    notes();
    applyTime(Number(slider.value));
    placeLabels();
    applyTime(Number(slider.value));  // labels exist now: mark the closed ones
    Object.assign(sec.dataset, { state: "ready", plannedTotal: String(d.planned_total), places: String(marks.length),
                                 links: String(lines.length), generation: String(d.generation) });
  }

  async function load() {
    const mine = ++token;
    const sec = document.getElementById("map");
    sec.dataset.state = "loading";
    document.getElementById("map-error").replaceChildren();
    const r = await api("GET", "/plan/geo");
    if (mine !== token) return;
    if (!r.ok) { sec.dataset.state = "error"; throw new Error(await detail(r)); }
    const had = d !== null;
    d = await r.json();
    if (mine !== token) return;
    render(had ? Number(document.getElementById("map-time").value) : null);
  }

  EvacConsole.register("map", () => load());
  document.addEventListener("DOMContentLoaded", () => {
    const slider = document.getElementById("map-time");
    slider.addEventListener("input", () => applyTime(Number(slider.value)));
    document.getElementById("map-now").addEventListener("click", () => {
      if (!d) return;
      slider.value = String(Math.min(Math.max(Math.round(d.now_h), d.start_h), d.end_h));
      applyTime(Number(slider.value));
    });
  });
  document.addEventListener("evac:replanned", () => {
    const sec = document.getElementById("map");
    if (Evac.session() && sec && !sec.hidden) {
      load().catch((e) => document.getElementById("map-error").replaceChildren(
        el("p", { class: "error", text: t("error", { detail: e.message }) })));
    }
  });
})();
