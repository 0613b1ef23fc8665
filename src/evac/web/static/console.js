/* The crisis-cell console: each role sees only the sections the API lets it use (the API enforces the
   same matrix; hiding is for clarity, not security). Status board, unaccounted list with filter and CSV
   export, the situation map (map.js), the decision page (decision.js), trips and manifests, a closure with re-plan (KPIs before/after),
   users and the audit log (admin), the registry (people search with the household view; the duplicate review
   queue is review.js) and the notification outbox. */
"use strict";
/** Console modules (map.js, decision.js, …) register a loader per section; start() runs the loaders of the
   sections the role may see, again after a language change. A loader gets the role and rejects on failure. */
const EvacConsole = (() => {
  const loaders = {};
  let labels = null;   // promise of GET /scenario/labels (display names), once per sign-in
  let names = { places: {}, links: {}, threats: {} };
  return {
    register(section, load) { (loaders[section] ||= []).push(load); },
    loaders(section) { return loaders[section] || []; },
    /** Load the scenario's display names once (places, links, threats); resolves to the lists. */
    labels() {
      labels ||= Evac.api("GET", "/scenario/labels").then(async (r) => {
        if (!r.ok) return { places: [], links: [], threats: [] };
        const j = await r.json();
        names = { places: Object.fromEntries(j.places.map((p) => [p.id, p.name])),
                  links: Object.fromEntries(j.links.map((p) => [p.id, p.name])),
                  threats: Object.fromEntries(j.threats.map((p) => [p.id, p.name])) };
        return j;
      }).catch(() => { labels = null; return { places: [], links: [], threats: [] }; });
      return labels;
    },
    /** A place's display name (its id when the scenario has none, or before labels() resolved). */
    placeName(id) { return (id && names.places[id]) || id || "—"; },
    /** A place's or link's display name. */
    targetName(id) { return names.places[id] || names.links[id] || id; },
    forget() { labels = null; names = { places: {}, links: {}, threats: {} }; },
  };
})();
(() => {
  const { api, detail, el, t, show, table } = Evac;
  const SECTIONS = {
    admin: ["board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications", "enquiries",
            "sitrep", "users", "audit"],
    planner: ["board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications", "enquiries",
              "sitrep"],
    viewer: ["board", "unaccounted", "map", "decision", "trips", "registry", "sitrep"],
  };
  /** Roles that may search people and merge (viewers get the queue with ids only, as the API redacts it). */
  const EDITORS = ["admin", "planner"];
  let unaccounted = [];

  async function getJson(path) {
    const r = await api("GET", path);
    if (r.status === 401) { signOut(); throw new Error("signed out"); }
    if (!r.ok) throw new Error(await detail(r));
    return r.json();
  }
  const fail = (id) => (e) => document.getElementById(id).replaceChildren(el("p", { class: "error", text: t("error", { detail: e.message }) }));

  async function loadBoard() {
    const b = await getJson("/status-board");
    document.getElementById("totals").replaceChildren(...Object.entries(b.totals).map(([s, n]) =>
      el("div", { class: "kcard", "data-status": s }, el("div", { class: "k", text: Evac.statusText(s) }),
        el("div", { class: "v", text: n.toLocaleString() }))));
    const statuses = Object.keys(b.totals);
    const places = Object.keys(b.by_place).sort();
    await EvacConsole.labels();
    const place = (p) => el("bdi", { text: EvacConsole.placeName(p) });
    document.getElementById("by-place").replaceChildren(table([t("place"), ...statuses.map(Evac.statusText)],
      places.map((p) => [place(p), ...statuses.map((s) => String(b.by_place[p][s] || 0))]), t("by.place")));
    const kk = ["travelling", "safe", "left_behind", "clearance_h", "trips"];
    document.getElementById("plans").replaceChildren(table([t("generation"), t("reason"), ...kk.map((k) => t("kpi." + k))],
      b.plans.map((p) => [String(p.generation) + (p.active ? " ✓" : ""), planReason(p.reason), ...kk.map((k) => fmt(p.kpis[k]))]),
      t("plans")));
    const sel = document.getElementById("unacc-place");
    const cur = sel.value;
    sel.replaceChildren(el("option", { value: "", text: t("all") }),
      ...places.map((p) => el("option", { value: p, text: EvacConsole.placeName(p) })));
    sel.value = cur;
  }
  /** A plan generation's reason as the server stores it ("activated", "closure of masnaa", "breakdown of
      coaches#2 (lost)", "re-plan") in the user's language, with display names. */
  function planReason(r) {
    let m;
    if (r === "activated") return t("reason.activated");
    if (r === "re-plan") return t("cause.replan");
    if ((m = /^closure of (.+)$/.exec(r))) return t("cause.closure", { target: EvacConsole.targetName(m[1]) });
    if ((m = /^breakdown of (\S+)/.exec(r))) return t("cause.breakdown", { what: m[1] });
    return r;
  }
  /** t(key), or ``fallback`` when the catalogue has no such key (a value the server may add later). */
  const tr = (key, fallback) => (t(key) === key ? fallback : t(key));
  const fmt = (v) => (v === null || v === undefined ? "—" : typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString() : v.toFixed(1)) : String(v));

  /** The filters of the unaccounted list as query parameters. */
  function unaccQuery(offset) {
    const q = new URLSearchParams({ limit: "500", offset: String(offset) });
    for (const f of ["place", "status", "trip"]) {
      const v = document.getElementById("unacc-" + f).value.trim();
      if (v) q.set(f, v);
    }
    return q;
  }
  async function loadUnaccounted() {
    unaccounted = await getJson("/unaccounted?" + unaccQuery(0));
    document.getElementById("unacc-list").replaceChildren(table([t("id"), t("household"), t("status"), t("trip"), t("place")],
      unaccounted.map((p) => [p.id, p.household, Evac.statusText(p.status), p.trip || "—",
                              el("bdi", { text: EvacConsole.placeName(p.place) })]),
      unaccounted.length === 500 ? t("unacc.first", { n: 500 }) : `${t("unaccounted")}: ${unaccounted.length}`));
  }
  /** Every unaccounted person under the current filters (page by page), as CSV: ids and status, no names. */
  async function exportCsv() {
    const all = [];
    for (let offset = 0; ; offset += 500) {
      const page = await getJson("/unaccounted?" + unaccQuery(offset));
      all.push(...page);
      if (page.length < 500) break;
    }
    const cols = ["id", "household", "status", "trip", "place"];
    // OWASP: a cell a spreadsheet would run as a formula (= + - @ tab CR) is prefixed with a quote
    const esc = (v) => { const t = String(v ?? ""); return `"${(/^[=+\-@\t\r]/.test(t) ? "'" + t : t).replaceAll('"', '""')}"`; };
    const csv = [cols.join(","), ...all.map((p) => cols.map((c) => esc(p[c])).join(","))].join("\r\n");
    const a = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: "unaccounted.csv" });
    document.body.append(a); a.click(); a.remove();
  }

  /** An ISO time with its offset as the scenario's local time, the zone stated: "2013-01-22 08:24 (UTC+02:00)". */
  const localTime = (iso) => (iso ? `${iso.slice(0, 16).replace("T", " ")} (UTC${iso.length > 19 ? iso.slice(19, 25) : ""})` : "—");
  /** Trips as a family sees them: where and when the vehicle picks people up (not the depot it starts from). */
  async function loadTrips(role) {
    await EvacConsole.labels();
    const trips = await getJson("/trips?limit=500");
    const canManifest = role !== "viewer";
    const place = (id) => el("bdi", { text: EvacConsole.placeName(id) });
    const box = document.getElementById("trip-list");
    box.replaceChildren(table(
      [t("trip"), t("asset"), t("pickup"), t("pickup.time"), t("to"), t("people")],
      trips.map((x) => {
        const more = (x.pickups || []).filter((p) => p !== x.pickup);
        return [canManifest ? el("button", { type: "button", class: "link", text: x.id, onclick: () => showManifest(x.id) }) : x.id,
          `${x.asset} #${x.unit}`,
          el("span", { "data-pickup": x.pickup || x.origin }, place(x.pickup || x.origin),
             more.length ? el("span", { class: "muted" }, " + ", ...more.flatMap((p, i) => [i ? ", " : "", place(p)])) : ""),
          el("span", { dir: "ltr", text: localTime(x.pickup_at || x.depart) }), place(x.destination), String(x.people)];
      }), t("trips")));
    box.querySelectorAll("tbody tr").forEach((tr, i) => { tr.dataset.trip = trips[i].id; });
  }
  async function showManifest(id) {
    const m = await getJson("/trips/" + encodeURIComponent(id));
    const needs = Object.entries(m.assistance || {}).map(([k, n]) => `${t("vuln." + k)} ${n}`).join(", ");
    const pdf = el("button", { type: "button", class: "secondary", id: "manifest-pdf", text: t("manifest.pdf"),
                               onclick: () => printManifest(m.id).catch(fail("trip-manifest")) });
    document.getElementById("trip-manifest").replaceChildren(
      el("p", { class: "row" }, pdf, el("span", { text: t("manifest.seats", { used: m.seats_used ?? m.people,
                                                                              seats: m.seats ?? "?" }) }),
         needs ? el("span", { class: "needs", text: t("manifest.needs", { needs }) }) : null),
      table([t("name"), t("household"), t("status"), t("manifest.ride"), t("place")],
        m.passengers.map((p) => [Evac.personName(p), p.household, Evac.statusText(p.status),
          el("bdi", { text: `${EvacConsole.placeName(p.boards_at)} → ${EvacConsole.placeName(p.alights_at)}`
                            + (p.transfer_to ? ` · ${t("manifest.then", { trip: p.transfer_to })}` : "") }),
          el("bdi", { text: EvacConsole.placeName(p.place) })]),
        `${t("manifest")} ${m.id} · ${EvacConsole.placeName(m.pickup || m.origin)} ${localTime(m.pickup_at || m.depart)}`));
  }
  /** The printable manifest (names, assistance, seats) as a download: fetched with the token, never a bare link. */
  async function printManifest(id) {
    const r = await api("GET", `/trips/${encodeURIComponent(id)}/manifest.pdf`);
    if (!r.ok) throw new Error(await detail(r));
    const a = el("a", { href: URL.createObjectURL(await r.blob()), download: `manifest-${id}.pdf` });
    document.body.append(a); a.click(); a.remove();
  }

  // -- closure and re-plan: pick from the list (or the map), confirm, UTC, then who changed and why ----------
  let targets = { places: [], links: [] };
  let pending = null;  // the closure waiting for confirmation: {target, effective_at}
  async function loadTargets() {
    targets = await EvacConsole.labels();
    const sel = document.getElementById("target");
    const cur = sel.value;
    const kind = (k) => (t("kind." + k) === "kind." + k ? k : t("kind." + k));
    const mode = (m) => (t("mode." + m) === "mode." + m ? m : t("mode." + m));
    const places = document.getElementById("target-places"), links = document.getElementById("target-links");
    places.label = t("target.places");
    links.label = t("target.links");
    // an <option> holds text only: the Latin name is isolated with FSI…PDI so Arabic keeps the parentheses right
    const iso = (x) => "\u2068" + x + "\u2069";
    places.replaceChildren(...targets.places.map((p) => el("option", { value: p.id, text: `${iso(p.name)} (${kind(p.kind)})` })));
    links.replaceChildren(...targets.links.map((l) => el("option", { value: l.id, text: `${iso(l.name)} (${mode(l.mode)})` })));
    sel.value = cur;
    showTarget();
    showEffective();
  }
  function showTarget() {
    const id = document.getElementById("target").value;
    const box = document.getElementById("target-name");
    box.replaceChildren(id ? el("bdi", { text: EvacConsole.targetName(id) }) : "", id ? ` — ${id}` : "");
  }
  /** The UTC time typed, as a Date (null: empty = now; undefined: not a valid time). */
  function effectiveDate() {
    const v = document.getElementById("effective").value;
    if (!v) return null;
    const d = new Date(v + ":00Z");
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const utcText = (d) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  function showEffective() {
    const d = effectiveDate();
    const box = document.getElementById("effective-local");
    box.textContent = d ? t("effective.local", { local: d.toLocaleString(Evac.lang(), { dateStyle: "medium", timeStyle: "short" }) })
      : d === null ? t("effective.now") : "";
  }
  function askClosure(ev) {
    ev.preventDefault();
    const msg = document.getElementById("closure-msg");
    msg.textContent = "";
    msg.classList.remove("error");
    const target = document.getElementById("target").value;
    const d = effectiveDate();
    if (!target) { msg.textContent = t("closure.pick"); msg.classList.add("error"); return; }
    if (d === undefined) { msg.textContent = t("closure.badtime"); msg.classList.add("error"); return; }
    pending = { target, effective_at: d ? d.toISOString() : undefined };
    document.getElementById("closure-confirm-text").replaceChildren(t("closure.confirm.pre"), " ",
      el("strong", {}, el("bdi", { text: EvacConsole.targetName(target) })), " ",
      t("closure.confirm.when", { when: d ? utcText(d) : t("closure.now") }), " ", t("closure.confirm.post"));
    show("closure-confirm", true);
    document.getElementById("closure-confirm-yes").focus();
  }
  function cancelClosure() {
    pending = null;
    show("closure-confirm", false);
    document.querySelector("#closure-form button[type=submit]").focus();
  }
  async function sendClosure() {
    if (!pending) return;
    const body = pending;
    pending = null;
    show("closure-confirm", false);
    await sendReplan("/closures", { body, key: Evac.newKey() });
  }
  async function sendReplan(path, opts) {
    const msg = document.getElementById("closure-msg");
    const res = document.getElementById("closure-result");
    msg.textContent = t("closure.sending");
    msg.classList.remove("error");
    let r;
    try { r = await api("POST", path, opts); }
    catch (e) { msg.textContent = t("error", { detail: e.message }); msg.classList.add("error"); return; }
    if (r.status === 401) { signOut(); return; }
    if (!r.ok) {
      msg.textContent = t("closure.refused", { detail: await detail(r) });
      msg.classList.add("error");
      res.dataset.state = "error";
      return;
    }
    msg.textContent = "";
    showReplan(await r.json());
    loadBoard().catch(fail("by-place"));
    loadTrips((Evac.session() || {}).role).catch(fail("trip-list"));
    document.dispatchEvent(new Event("evac:replanned"));
  }
  function causeText(out) {
    if (out.closure) return t("cause.closure", { target: EvacConsole.targetName(out.closure) });
    if (out.breakdown) return t("cause.breakdown", { what: out.breakdown });
    return t("cause.replan");
  }
  /** The re-plan's answer: counts, KPIs before and after, and who changed and why. */
  function showReplan(out) {
    const res = document.getElementById("closure-result");
    res.dataset.state = "ok";
    res.replaceChildren(el("div", { class: "ok-box" },
      el("p", {}, el("strong", { text: t("replan.done", { gen: out.generation }) }), " ", causeText(out)),
      el("p", { text: t("replan.counts", { rebooked: fmt(out.rebooked), assigned: fmt(out.assigned),
        cancelled: fmt(out.cancelled), notified: fmt(out.notified), changed: fmt(out.changed_households) }) }),
      out.stranded && out.stranded.length ? el("p", { class: "error", text: t("replan.stranded", { n: out.stranded.length }) }) : ""));
    showKpis(out);
    const ride = (j) => (j ? el("span", {}, el("bdi", { dir: "ltr", text: j.trips.join(" + ") }), " · ",
      el("bdi", { text: EvacConsole.placeName(j.place) }), " ", el("time", { datetime: j.depart, text: when(j.depart) }),
      el("br"), el("span", { class: "muted" }, t("replan.safe"), " ", el("bdi", { text: EvacConsole.placeName(j.safe_place) }), " ",
        el("time", { datetime: j.safe_at, text: when(j.safe_at) })))
      : el("span", { class: "muted", text: t("replan.noseat") }));
    const box = document.getElementById("closure-changes");
    box.dataset.count = String(out.changes.length);
    box.replaceChildren(out.changes.length ? table([t("household"), t("people"), t("replan.before"), "→", t("replan.after"), t("reason")],
      out.changes.map((c) => [c.household, String(c.people), ride(c.before), "→", ride(c.after),
        el("span", { class: "reason", text: reasonText(c.reason) })]),
      t("replan.changes", { n: out.changes.length, total: out.changed_households }))
      : el("p", { text: t("replan.nochange") }));
  }
  const when = (iso) => (iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");
  function reasonText(r) {
    const args = { ...r };
    if (r.place) args.place = EvacConsole.placeName(r.place);
    if (r.why) args.why = t("why." + r.why) === "why." + r.why ? r.why : t("why." + r.why);
    return t("reason." + r.code + (r.code === "trip_cut" && r.dropped ? ".dropped" : ""), args);
  }
  function showKpis(out) {
    const kk = ["travelling", "safe", "left_behind", "clearance_h", "trips"];
    document.getElementById("kpis").replaceChildren(table([t("kpi"), t("before"), t("after")],
      kk.map((k) => [t("kpi." + k), fmt(out.kpis_before[k]), fmt(out.kpis_after[k])]),
      `${t("generation")} ${out.generation} · ${causeText(out)}`));
  }
  async function replan() {
    await sendReplan("/replans", {});
  }

  async function loadAudit() {
    const rows = await getJson("/audit?limit=50");
    document.getElementById("audit-list").replaceChildren(table([t("at"), t("actor"), t("action"), t("subject")],
      rows.map((a) => [a.at.slice(0, 19).replace("T", " "), a.actor, a.action, a.subject]), t("audit")));
  }

  // -- registry: people search and household view (the duplicate review queue is review.js) -------------------
  async function searchPeople(ev) {
    ev.preventDefault();
    const q = document.getElementById("reg-q").value.trim();
    const note = document.getElementById("reg-note");
    note.textContent = "";
    if (!q) return;
    let found, total;
    try {
      const r = await api("GET", "/people?limit=50&q=" + encodeURIComponent(q));
      if (r.status === 401) { signOut(); return; }
      if (!r.ok) throw new Error(await detail(r));
      found = await r.json();
      total = Number(r.headers.get("X-Total-Count") || found.length);
    } catch (e) { note.textContent = t("error", { detail: e.message }); return; }
    if (!found.length) note.textContent = t("search.none");
    else if (total > found.length) note.textContent = t("search.more", { n: found.length, total: total.toLocaleString() });
    document.getElementById("reg-results").replaceChildren(table([t("name"), t("birth"), t("id"), t("household"), t("status"),
                                                                  t("trip"), t("place")],
      found.map((p) => [
        el("button", { type: "button", class: "link person", "data-person": p.id, "data-household": p.household,
                       title: t("open.household", { name: p.name || p.original || p.id }),
                       onclick: () => showHousehold(p.household).catch(fail("reg-household")) }, Evac.personName(p)),
        p.birth || "—", p.id, p.household, Evac.statusText(p.status), p.trip || "—",
        el("bdi", { text: EvacConsole.placeName(p.place) })]),
      `${t("search.go")}: ${found.length}`));
    document.getElementById("reg-results").dataset.count = String(found.length);
    document.getElementById("reg-results").dataset.total = String(total);
  }
  async function showHousehold(hid) {
    const h = await getJson("/households/" + encodeURIComponent(hid));
    const box = document.getElementById("reg-household");
    box.replaceChildren(table([t("name"), t("id"), t("status"), t("trip"), t("place")],
      h.members.map((p) => [Evac.personName(p), p.id, Evac.statusText(p.status), p.trip || "—",
                            el("bdi", { text: EvacConsole.placeName(p.place) })]),
      t("household.of", { id: h.id })));
    box.dataset.household = h.id;
  }
  // -- notifications: the outbox (ids, template, language, delivery state; the API returns no message text) ---
  async function loadOutbox() {
    const status = document.getElementById("outbox-status").value;
    const rows = await getJson("/outbox?limit=200" + (status ? "&status=" + encodeURIComponent(status) : ""));
    const box = document.getElementById("outbox-list");
    box.dataset.count = String(rows.length);
    if (!rows.length) { box.replaceChildren(el("p", { text: t("outbox.none") })); return; }
    // channel: the gateway that last carried the message (null: none has tried it yet, chosen at delivery)
    const channel = (c) => el("span", { class: "ob-ch" + (c ? "" : " none"), "data-channel": c || "",
                                        text: !c ? t("ch.none") : t("ch." + c) === "ch." + c ? c : t("ch." + c) });
    box.replaceChildren(table([t("id"), t("person"), t("household"), t("template"), t("language"), t("channel"),
                               t("delivery"), t("attempts"), t("last.error")],
      rows.map((m) => [String(m.id), m.person_id, m.household_id, el("span", { "data-template": m.template, text: tr("tpl." + m.template, m.template) }),
        tr("langname." + m.language, m.language), channel(m.channel),
        el("span", { class: "ob ob-" + m.status, text: t("ob." + m.status) }), String(m.attempts), m.last_error || "—"]),
      `${t("messages")}: ${rows.length}`));
  }

  function signOut() {
    Evac.setSession(null);
    EvacConsole.forget();
    document.dispatchEvent(new Event("evac:signout"));
    show("work", false); show("wrong-role", false); show("who", false); show("signin", true);
  }

  async function start() {
    const s = Evac.session();
    if (!s) { signOut(); document.body.dataset.ready = "true"; return; }
    Evac.applyLang();
    show("signin", false);
    show("who", true);
    // "Signed in as {user} ({role})": the name and the role isolated, so Arabic keeps its parentheses in place
    const [pre, mid, post] = t("signin.as", { user: "\u0000", role: "\u0001" }).split(/\u0000|\u0001/);
    document.getElementById("who-text").replaceChildren(pre, el("bdi", { text: s.user }), mid,
      el("bdi", { text: tr("role." + s.role, s.role) }), post ?? "");
    const allowed = SECTIONS[s.role];
    if (!allowed) { show("wrong-role", true); show("work", false); document.body.dataset.ready = "true"; return; }
    show("work", true);
    for (const li of document.querySelectorAll("[data-sec]")) li.hidden = !allowed.includes(li.dataset.sec);
    for (const id of Object.values(SECTIONS).flat()) show(id, allowed.includes(id));
    const jobs = [loadBoard().then(loadUnaccounted).catch(fail("unacc-list")),
                  loadTrips(s.role).catch(fail("trip-list"))];
    if (allowed.includes("registry")) show("reg-people", EDITORS.includes(s.role));  // the queue: review.js
    if (allowed.includes("notifications")) jobs.push(loadOutbox().catch(fail("outbox-list")));
    if (allowed.includes("audit")) jobs.push(loadAudit().catch(fail("audit-list")));
    if (allowed.includes("closure")) jobs.push(loadTargets().catch(fail("closure-result")));
    for (const sec of allowed) {
      for (const load of EvacConsole.loaders(sec)) jobs.push(load(s.role).catch(fail(sec + "-error")));
    }
    await Promise.all(jobs);
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", () => {
    Evac.initLangSelect();
    document.getElementById("signin-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = document.getElementById("signin-error");
      err.textContent = "";
      document.body.dataset.ready = "false";
      const s = await Evac.login(document.getElementById("username").value, document.getElementById("password").value)
        .catch(() => null);
      if (!s) { err.textContent = t("signin.failed"); return; }
      await start();
    });
    document.getElementById("signout").addEventListener("click", () => { Evac.logout(); signOut(); });
    for (const f of ["place", "status", "trip"]) {
      document.getElementById("unacc-" + f).addEventListener("change", () => loadUnaccounted().catch(fail("unacc-list")));
    }
    document.getElementById("unacc-form").addEventListener("submit", (ev) => {  // Enter in the trip field
      ev.preventDefault();
      loadUnaccounted().catch(fail("unacc-list"));
    });
    document.getElementById("unacc-export").addEventListener("click", () => exportCsv().catch(fail("unacc-list")));
    document.getElementById("closure-form").addEventListener("submit", askClosure);
    document.getElementById("closure-confirm-yes").addEventListener("click", sendClosure);
    document.getElementById("closure-confirm-no").addEventListener("click", cancelClosure);
    document.getElementById("target").addEventListener("change", showTarget);
    document.getElementById("effective").addEventListener("input", showEffective);
    document.getElementById("replan").addEventListener("click", replan);
    // a place clicked on the situation map (map.js) becomes the closure's target
    document.addEventListener("evac:pick", (ev) => {
      const sel = document.getElementById("target");
      if (!sel || document.getElementById("closure").hidden) return;
      sel.value = ev.detail.id;
      showTarget();
    });
    document.getElementById("reg-search-form").addEventListener("submit", searchPeople);
    document.getElementById("outbox-status").addEventListener("change", () => loadOutbox().catch(fail("outbox-list")));
    document.addEventListener("evac:lang", () => { if (Evac.session()) start(); });
    // the funnel saw a change (a scan, an arrival, a merge, a re-plan): the board's other parts follow
    let following = null;
    document.addEventListener("evac:live", () => {
      const s = Evac.session();
      if (!s || !SECTIONS[s.role] || following) return;
      following = Promise.all([loadBoard().catch(fail("by-place")), loadUnaccounted().catch(fail("unacc-list"))])
        .finally(() => { following = null; });
    });
    start();
  });
})();
