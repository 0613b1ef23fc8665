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
  return {
    register(section, load) { (loaders[section] ||= []).push(load); },
    loaders(section) { return loaders[section] || []; },
  };
})();
(() => {
  const { api, detail, el, t, show, table } = Evac;
  const SECTIONS = {
    admin: ["board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications", "users", "audit"],
    planner: ["board", "unaccounted", "map", "decision", "trips", "closure", "registry", "notifications"],
    viewer: ["board", "unaccounted", "map", "decision", "trips", "registry"],
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
    document.getElementById("by-place").replaceChildren(table([t("place"), ...statuses.map(Evac.statusText)],
      places.map((p) => [p, ...statuses.map((s) => String(b.by_place[p][s] || 0))]), t("by.place")));
    const kk = ["travelling", "safe", "left_behind", "clearance_h", "trips"];
    document.getElementById("plans").replaceChildren(table([t("generation"), t("reason"), ...kk.map((k) => t("kpi." + k))],
      b.plans.map((p) => [String(p.generation) + (p.active ? " ✓" : ""), p.reason, ...kk.map((k) => fmt(p.kpis[k]))]),
      t("plans")));
    const sel = document.getElementById("unacc-place");
    const cur = sel.value;
    sel.replaceChildren(el("option", { value: "", text: t("all") }), ...places.map((p) => el("option", { value: p, text: p })));
    sel.value = cur;
  }
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
      unaccounted.map((p) => [p.id, p.household, Evac.statusText(p.status), p.trip || "—", p.place || "—"]),
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
    const esc = (v) => `"${String(v ?? "").replaceAll('"', '""')}"`;
    const csv = [cols.join(","), ...all.map((p) => cols.map((c) => esc(p[c])).join(","))].join("\r\n");
    const a = el("a", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: "unaccounted.csv" });
    document.body.append(a); a.click(); a.remove();
  }

  async function loadTrips(role) {
    const trips = await getJson("/trips?limit=500");
    const canManifest = role !== "viewer";
    document.getElementById("trip-list").replaceChildren(table(
      [t("trip"), t("asset"), t("from"), t("to"), t("depart"), t("people")],
      trips.map((x) => [canManifest ? el("button", { type: "button", class: "link", text: x.id, onclick: () => showManifest(x.id) }) : x.id,
        x.asset, x.origin, x.destination, x.depart.slice(0, 16).replace("T", " "), String(x.people)]), t("trips")));
  }
  async function showManifest(id) {
    const m = await getJson("/trips/" + encodeURIComponent(id));
    document.getElementById("trip-manifest").replaceChildren(table([t("name"), t("household"), t("status"), t("place")],
      m.passengers.map((p) => [Evac.personName(p), p.household, Evac.statusText(p.status), p.place || "—"]),
      `${t("manifest")} ${m.id}`));
  }

  function showKpis(out) {
    const kk = ["travelling", "safe", "left_behind", "clearance_h", "trips"];
    document.getElementById("kpis").replaceChildren(table([t("kpi"), t("before"), t("after")],
      kk.map((k) => [t("kpi." + k), fmt(out.kpis_before[k]), fmt(out.kpis_after[k])]),
      `${t("generation")} ${out.generation}${out.closure ? " · " + out.closure : ""}`));
  }
  async function postClosure(ev) {
    ev.preventDefault();
    const msg = document.getElementById("closure-msg");
    msg.textContent = "";
    const body = { target: document.getElementById("target").value.trim() };
    const eff = document.getElementById("effective").value;
    if (eff) body.effective_at = new Date(eff).toISOString();
    const r = await api("POST", "/closures", { body, key: Evac.newKey() });
    if (!r.ok) { msg.textContent = t("error", { detail: await detail(r) }); return; }
    showKpis(await r.json());
    loadBoard().catch(fail("by-place"));
    document.dispatchEvent(new Event("evac:replanned"));
  }
  async function replan() {
    const msg = document.getElementById("closure-msg");
    const r = await api("POST", "/replans");
    if (!r.ok) { msg.textContent = t("error", { detail: await detail(r) }); return; }
    showKpis(await r.json());
    loadBoard().catch(fail("by-place"));
    document.dispatchEvent(new Event("evac:replanned"));
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
        p.birth || "—", p.id, p.household, Evac.statusText(p.status), p.trip || "—", p.place || "—"]),
      `${t("search.go")}: ${found.length}`));
    document.getElementById("reg-results").dataset.count = String(found.length);
    document.getElementById("reg-results").dataset.total = String(total);
  }
  async function showHousehold(hid) {
    const h = await getJson("/households/" + encodeURIComponent(hid));
    const box = document.getElementById("reg-household");
    box.replaceChildren(table([t("name"), t("id"), t("status"), t("trip"), t("place")],
      h.members.map((p) => [Evac.personName(p), p.id, Evac.statusText(p.status), p.trip || "—", p.place || "—"]),
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
      rows.map((m) => [String(m.id), m.person_id, m.household_id, m.template, m.language, channel(m.channel),
        el("span", { class: "ob ob-" + m.status, text: t("ob." + m.status) }), String(m.attempts), m.last_error || "—"]),
      `${t("messages")}: ${rows.length}`));
  }

  function signOut() {
    Evac.setSession(null);
    show("work", false); show("wrong-role", false); show("who", false); show("signin", true);
  }

  async function start() {
    const s = Evac.session();
    if (!s) { signOut(); document.body.dataset.ready = "true"; return; }
    Evac.applyLang();
    show("signin", false);
    show("who", true);
    document.getElementById("who-text").textContent = t("signin.as", { user: s.user, role: s.role });
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
    document.getElementById("signout").addEventListener("click", signOut);
    for (const f of ["place", "status", "trip"]) {
      document.getElementById("unacc-" + f).addEventListener("change", () => loadUnaccounted().catch(fail("unacc-list")));
    }
    document.getElementById("unacc-form").addEventListener("submit", (ev) => {  // Enter in the trip field
      ev.preventDefault();
      loadUnaccounted().catch(fail("unacc-list"));
    });
    document.getElementById("unacc-export").addEventListener("click", () => exportCsv().catch(fail("unacc-list")));
    document.getElementById("closure-form").addEventListener("submit", postClosure);
    document.getElementById("replan").addEventListener("click", replan);
    document.getElementById("reg-search-form").addEventListener("submit", searchPeople);
    document.getElementById("outbox-status").addEventListener("change", () => loadOutbox().catch(fail("outbox-list")));
    document.addEventListener("evac:lang", () => { if (Evac.session()) start(); });
    start();
  });
})();
