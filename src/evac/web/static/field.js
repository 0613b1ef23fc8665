/* The field officer's page: sign in, the assigned assembly point and its trips, search by name, check in and
   board a whole household with one action, the trip's manifest with who is missing.

   Offline: every write goes through a queue kept in localStorage with its Idempotency-Key; the queue is sent
   in order whenever the connection is back (a replay of a key the server already applied changes nothing).
   A write the server refuses (HTTP 4xx other than 401) moves to the conflicts list, shown until the officer
   retries or dismisses it: it is never dropped and never overwritten. The manifest of each trip is saved on
   the device so the page can show and search it offline; the service worker caches the page itself.

   Scanning a pass: the camera (getUserMedia, frames decoded with the vendored jsQR) or, as a fallback, an image
   of the pass; the decoded token goes through the same queue as any write (the server verifies its signature).
   The officer chooses what a scan does — check in, or board the trip selected above — and for whom: the whole
   household booked on the pass's trip (the default: families travel together) or the pass holder only. The
   choice is remembered on the device. The token's ids (person, household, trip; no name) are read locally,
   unverified, only to mark people as pending and to refuse at once a pass for another trip when boarding.

   The field loop, every step an idempotent write through the same queue: a household's answer to the
   call-forward (confirmed / declines), check-in and boarding of the whole household (the server covers every
   member holding a seat and refuses a household with none), no-show, the vehicle's departure, arrival at the
   haven (a scan, a tick on the manifest, or the whole trip), and walk-in registration. A trip the re-plan
   dropped is shown as an incident (when, why, where its people are now), never swapped silently for another.

   Connection: navigator.onLine is not trusted alone (a phone on a captive network, or a page reopened from
   the service worker, may say "online" with no server in reach): a request that fails to reach the server
   marks the page offline until one succeeds.

   Privacy: sign-out and the idle timeout (data-idle-min on <body>) wipe every copy of personal data from the
   device — saved manifests, search results, trips, conflicts, any IndexedDB database and Cache Storage entry
   other than the page shell. Unsent writes are sent first; sign-out with writes still unsent asks before
   discarding them; the idle timeout keeps them and the conflicts, stripped of names (ids only; an unsent walk-in
   keeps the details typed for it, which are the registration itself), for the next sign-in. */
"use strict";
(() => {
  const { detail, el, t, show } = Evac;
  const state = { trips: [], trip: null, manifests: {}, results: [], missingOnly: false, flushing: false,
                  stream: null, reachable: true, lastActive: Date.now(), incident: null, confirm: null };

  const user = () => (Evac.session() || {}).user || "-";
  const store = {
    get(name, dflt) { try { return JSON.parse(localStorage.getItem(`evac.${name}.${user()}`)) ?? dflt; } catch { return dflt; } },
    set(name, v) { localStorage.setItem(`evac.${name}.${user()}`, JSON.stringify(v)); },
  };
  const queue = () => store.get("queue", []);
  const conflicts = () => store.get("conflicts", []);
  /** What each write does to a person's status (shown as pending until the server answers). */
  const TARGET = { checkins: "checked_in", boardings: "boarded", arrivals: "arrived_safe", "no-shows": "no_show",
                   departure: "departed", arrival: "arrived_safe" };
  const SCAN_EVERY_MS = 120;  // ~8 decodes per second: quick enough at a door, easy on a phone's battery
  const IDLE_CHECK_MS = 15000;  // how often the idle timeout is checked (the timeout itself: data-idle-min)
  const scanMode = () => ({ action: "checkins", scope: "household", ...store.get("scan", {}) });
  const ORDER = ["registered", "notified", "confirmed", "declined", "no_show", "checked_in", "boarded", "departed",
                 "arrived_safe"];
  const SEATED = ["checked_in", "boarded", "departed", "arrived_safe"];

  /** Call the API and keep track of whether the server is in reach (a network failure rejects). */
  async function api(method, path, opts) {
    try {
      const r = await Evac.api(method, path, opts);
      if (!state.reachable) { state.reachable = true; renderNet(); }
      return r;
    } catch (e) {
      if (state.reachable) { state.reachable = false; renderNet(); }
      throw e;
    }
  }
  const online = () => navigator.onLine && state.reachable;

  // -- connection and counters ---------------------------------------------------------------------------
  function renderNet() {
    const on = online();
    const net = document.getElementById("net");
    net.textContent = t(on ? "net.online" : "net.offline");
    net.className = "net " + (on ? "on" : "off");
    const n = queue().length;
    const p = document.getElementById("pending");
    p.textContent = t("queue.pending", { n });
    p.dataset.count = String(n);
    renderConflicts();
  }

  function itemTitle(c) {
    if (c.pass) return `${t("scan.pass")} · ${actionText(c.route, c.body.whole_household)}`;
    return `${t(c.what || (c.route === "boardings" ? "board.hh" : "checkin.hh"))} ${c.household || c.trip || ""}`;
  }
  function renderConflicts() {
    const list = conflicts();
    const box = document.getElementById("conflict-list");
    box.replaceChildren(...list.map((c, i) => el("li", { class: "conflict", "data-key": c.key },
      el("p", {}, el("strong", { text: itemTitle(c) }), " — ", c.label || ""),
      el("p", { class: "detail", text: t("conflict.refused", { detail: c.detail }) }),
      el("button", { type: "button", class: "retry", onclick: () => retryConflict(i), text: t("conflict.retry") }),
      " ",
      el("button", { type: "button", class: "dismiss secondary", onclick: () => dismissConflict(i),
                     text: t("conflict.dismiss") }))));
    show("conflicts", list.length > 0);
    document.getElementById("conflicts").dataset.count = String(list.length);
  }
  function retryConflict(i) {
    const list = conflicts();
    const [c] = list.splice(i, 1);
    store.set("conflicts", list);
    const { status: _s, detail: _d, ...item } = c;
    store.set("queue", [...queue(), item]);
    renderNet();
    flush();
  }
  function dismissConflict(i) {
    const list = conflicts();
    list.splice(i, 1);
    store.set("conflicts", list);
    renderNet();
    refreshManifest();
  }

  // -- the queue ---------------------------------------------------------------------------------------
  /** Queue one write (sent at once when the server is in reach). ``ids``: people shown as pending meanwhile. */
  function enqueue(route, body, { household = "", ids = [], label = "", what = "", trip = "", pending } = {}) {
    const item = { key: Evac.newKey(), route, body, household, label, what, trip, ids,
                   at: new Date().toISOString() };
    store.set("queue", [...queue(), item]);
    setLocal(ids, pending ?? TARGET[route.split("/").pop()] ?? null, true);
    renderNet();
    flush();
    return item;
  }
  /** The people of a household the device knows who hold a seat (whom a household action covers). */
  function seatedIds(hid, trip) {
    return household(hid).filter((p) => p.trip && (!trip || p.trip === trip)).map((p) => p.id);
  }
  function householdAction(route, hid, label, extra) {
    const body = { household: hid, ...extra };
    const what = { checkins: "checkin.hh", boardings: "board.hh", "no-shows": "noshow.hh", arrivals: "arrived.hh",
                   replies: extra && extra.answer === "declined" ? "declined.hh" : "confirmed.hh" }[route];
    const pending = route === "replies" ? extra.answer : undefined;
    enqueue(route, body, { household: hid, ids: seatedIds(hid, body.trip), label, what, pending });
  }

  /** Send queued writes in order; stop at the first network failure (they stay queued). */
  async function flush() {
    if (state.flushing) return;
    state.flushing = true;
    let changed = false;
    try {
      while (queue().length && navigator.onLine) {
        const item = queue()[0];
        let r;
        try { r = await api("POST", "/" + item.route, { body: item.body, key: item.key }); }
        catch { break; }  // unreachable: keep it queued
        if (r.status === 401 || r.status >= 500 || r.status === 429) { if (r.status === 401) expire(); break; }
        const rest = queue().filter((q) => q.key !== item.key);
        if (r.ok) {
          const j = await r.json();
          if (item.route === "walk-ins") walkInDone(j);
          else {
            for (const res of j.results) setLocal([res.person], res.status, false);
            if (item.pass) scanDone(j.results, item);
          }
        } else {
          const d = await detail(r);
          store.set("conflicts", [...conflicts(), { ...item, status: r.status, detail: d }]);
          setLocal(item.ids || [], null, false);
          if (item.pass) scanNote(t("scan.refused", { detail: d }), true);
          if (item.route === "walk-ins") walkInNote(t("conflict.refused", { detail: d }), "error");
        }
        store.set("queue", rest);
        changed = true;
        renderNet();
      }
    } finally {
      state.flushing = false;
      renderNet();
    }
    if (changed) await refreshManifest();
    document.body.dataset.synced = String(queue().length === 0);
  }

  // -- local state of people (manifest and search results) ------------------------------------------------
  function people() {
    const m = state.trip && state.manifests[state.trip];
    return [...(m ? m.passengers : []), ...state.results];
  }
  function setLocal(ids, status, pending) {
    const want = new Set(ids);
    for (const p of people()) {
      if (!want.has(p.id)) continue;
      if (status && (!pending || ORDER.indexOf(status) > ORDER.indexOf(p.status) || status === "declined"
                     || status === "confirmed")) p.status = status;
      p.pending = pending;
    }
    store.set("manifests", state.manifests);
    renderResults();
    renderManifest();
  }

  // -- trips and the manifest ---------------------------------------------------------------------------
  function tripLabel(tr) {
    // where and when it takes people on (not the vehicle's depot, where it may start empty)
    const at = tr.pickup_at || tr.depart;
    return `${tr.id} · ${tr.asset} · ${tr.pickup || tr.origin} → ${tr.destination} · ${at.slice(0, 16).replace("T", " ")}`
      + (tr.cancelled ? ` · ${t("incident.short")}` : "");
  }
  async function loadTrips() {
    try {
      const r = await api("GET", "/trips?limit=500");
      if (r.status === 401) return expire();
      if (r.ok) { state.trips = await r.json(); store.set("trips", state.trips); }
    } catch { state.trips = store.get("trips", []); }
    const wanted = store.get("trip", null);
    const list = [...state.trips];
    if (wanted && !list.some((x) => x.id === wanted)) {
      // the trip the officer was working on is gone from the plan: show why, never switch silently
      const m = await fetchManifest(wanted);
      if (m && m.cancelled) list.unshift({ ...m, cancelled: m.cancelled });
    }
    const sel = document.getElementById("trip");
    sel.replaceChildren(...list.map((tr) => el("option", { value: tr.id, text: tripLabel(tr) })));
    state.trip = list.some((x) => x.id === wanted) ? wanted : (list[0] || {}).id || null;
    if (state.trip) sel.value = state.trip;
    await refreshManifest();
  }

  async function fetchManifest(id) {
    try {
      const r = await api("GET", "/trips/" + encodeURIComponent(id));
      return r.ok ? await r.json() : null;
    } catch { return null; }
  }

  async function refreshManifest() {
    if (!state.trip) { renderManifest(); return; }
    if (navigator.onLine) {
      const m = await fetchManifest(state.trip);
      if (m) {
        const pendingIds = new Set(queue().flatMap((q) => q.ids || []));
        for (const p of m.passengers) if (pendingIds.has(p.id)) p.pending = true;
        state.manifests[state.trip] = m;
        store.set("manifests", state.manifests);
      }
    }
    renderManifest();
  }

  function renderIncident(m) {
    const box = document.getElementById("incident");
    if (!m || !m.cancelled) { box.hidden = true; delete box.dataset.trip; return; }
    const c = m.cancelled;
    box.hidden = false;
    box.dataset.trip = m.id;
    document.getElementById("incident-text").textContent = t("incident.text", {
      trip: m.id, at: (c.at || "").slice(0, 16).replace("T", " "), reason: c.reason, generation: c.generation });
    const off = new Set(c.taken_off || []);
    document.getElementById("incident-action").textContent =
      off.size ? t("incident.action", { n: off.size }) : t("incident.empty");
    const now = document.getElementById("incident-people");
    now.replaceChildren(...m.passengers.map((p) => el("li", { "data-person": p.id, "data-off": off.has(p.id) },
      Evac.personName(p), off.has(p.id) ? ` (${t("incident.off")})` : "", " — ", el("span", { class: "st st-" + p.status, text: Evac.statusText(p.status) }), " · ",
      p.trip ? t("incident.now", { trip: p.trip }) : t("incident.none"))));
  }

  function renderManifest() {
    const m = state.trip && state.manifests[state.trip];
    const box = document.getElementById("manifest-body");
    renderIncident(m);
    show("trip-actions", !!m && !m.cancelled);
    if (!m) { box.replaceChildren(); return; }
    box.dataset.trip = m.id;
    const ps = m.passengers;
    const count = (ss) => ps.filter((p) => ss.includes(p.status)).length;
    const boarded = count(["boarded", "departed", "arrived_safe"]);
    const checked = count(["checked_in"]);
    const missing = ps.length - boarded - checked;
    document.getElementById("manifest-summary").textContent = m.cancelled ? t("incident.short")
      : t("manifest.summary", { boarded, checked, missing, total: ps.length })
        + " · " + t("manifest.safe", { safe: count(["arrived_safe"]) });
    const rows = ps.filter((p) => !state.missingOnly || !SEATED.includes(p.status));
    box.replaceChildren(Evac.table([t("name"), t("household"), t("status"), t("arrived")], rows.map((p) => [
      Evac.personName(p), p.household,
      el("span", { class: "st st-" + p.status + (p.pending ? " pending" : ""), "data-person": p.id },
        Evac.statusText(p.status), p.pending ? ` (${t("pending")})` : ""),
      m.cancelled ? "" : el("input", { type: "checkbox", class: "tick", "data-person": p.id,
        "aria-label": t("arrived.tick", { name: p.name || p.original || p.id }),
        checked: p.status === "arrived_safe", disabled: p.status !== "departed" || p.pending,
        onchange: (ev) => { if (ev.target.checked) tickArrived(p, m.id); } }),
    ]), `${t("manifest")} ${m.id}`));
  }
  function tickArrived(p, trip) {
    enqueue("arrivals", { person_ids: [p.id], trip }, { household: p.household, ids: [p.id], what: "arrived.one",
                                                        label: p.name || p.original || p.id });
  }

  /** Departure and arrival of the whole trip: two taps (the button, then confirm) since they move everyone. */
  function askTrip(kind) {
    if (!state.trip) return;
    state.confirm = kind;
    const box = document.getElementById("trip-confirm");
    box.hidden = false;
    box.dataset.kind = kind;
    document.getElementById("trip-confirm-text").textContent =
      t(kind === "departure" ? "depart.confirm" : "arrive.confirm", { trip: state.trip });
  }
  function confirmTrip(yes) {
    const kind = state.confirm;
    state.confirm = null;
    document.getElementById("trip-confirm").hidden = true;
    if (!yes || !kind || !state.trip) return;
    const m = state.manifests[state.trip];
    const from = kind === "departure" ? "boarded" : "departed";
    const ids = m ? m.passengers.filter((p) => p.status === from).map((p) => p.id) : [];
    enqueue(`trips/${encodeURIComponent(state.trip)}/${kind}`, undefined,
            { trip: state.trip, ids, what: kind === "departure" ? "depart.trip" : "arrive.trip" });
  }

  // -- search and household actions ----------------------------------------------------------------------
  async function search(q) {
    const note = document.getElementById("search-note");
    note.textContent = "";
    let found = null;
    if (navigator.onLine) {
      try {
        const r = await api("GET", "/people?limit=50&q=" + encodeURIComponent(q));
        if (r.ok) found = await r.json();
        else if (r.status === 401) return expire();
        else if (r.status !== 422) note.textContent = t("error", { detail: await detail(r) });
        else found = [];
      } catch { found = null; }
    }
    if (found === null) {
      note.textContent = t("search.offline");
      const words = q.toLowerCase().split(/\s+/).filter(Boolean);
      const all = Object.values(state.manifests).flatMap((m) => m.passengers);
      found = all.filter((p) => words.every((w) => `${p.name} ${p.original}`.toLowerCase().includes(w)));
    } else {
      // the whole household of every match: a family is acted on together, so the officer sees all of it
      const hids = [...new Set(found.map((p) => p.household))].slice(0, 10);
      for (const hid of hids) {
        try {
          const r = await api("GET", "/households/" + encodeURIComponent(hid));
          if (r.ok) for (const m of (await r.json()).members) if (!found.some((p) => p.id === m.id)) found.push(m);
        } catch { break; }
      }
    }
    const byId = new Map(people().map((p) => [p.id, p]));
    state.results = found.map((p) => ({ ...p, status: byId.get(p.id)?.pending ? byId.get(p.id).status : p.status,
                                        pending: byId.get(p.id)?.pending || false }));
    if (!state.results.length) note.textContent = t("search.none");
    renderResults();
  }

  function household(hid) {
    const seen = new Map();
    for (const p of people()) if (p.household === hid && !seen.has(p.id)) seen.set(p.id, p);
    return [...seen.values()];
  }

  function renderResults() {
    const groups = new Map();
    for (const p of state.results) {
      if (!groups.has(p.household)) groups.set(p.household, []);
      groups.get(p.household).push(p);
    }
    const box = document.getElementById("results");
    box.replaceChildren(...[...groups.keys()].map((hid) => {
      const members = household(hid);
      const label = members.map((p) => p.name || p.original).join(", ");
      const trip = (members.find((p) => p.trip) || {}).trip || null;
      const btn = (cls, key, fn) => el("button", { type: "button", class: cls, text: t(key), onclick: fn });
      return el("li", { class: "household", "data-household": hid, "data-trip": trip || "" },
        el("h3", { text: `${t("household")} ${hid}` }),
        el("p", { class: "hint", text: trip ? t("hh.trip", { trip }) : t("hh.noseat") }),
        el("ul", { class: "members" }, members.map((p) => el("li", {}, Evac.personName(p), " — ",
          el("span", { class: "st st-" + p.status + (p.pending ? " pending" : ""), "data-person": p.id },
            Evac.statusText(p.status), p.pending ? ` (${t("pending")})` : ""),
          p.trip ? "" : ` · ${t("hh.noseat.one")}`))),
        el("div", { class: "actions" },
          btn("confirm secondary", "confirmed.hh", () => householdAction("replies", hid, label, { answer: "confirmed" })),
          btn("decline secondary", "declined.hh", () => householdAction("replies", hid, label, { answer: "declined" })),
          btn("checkin", "checkin.hh", () => householdAction("checkins", hid, label)),
          btn("board", "board.hh", () => householdAction("boardings", hid, label, state.trip ? { trip: state.trip } : {})),
          btn("noshow secondary", "noshow.hh", () => householdAction("no-shows", hid, label)),
          btn("arrived secondary", "arrived.hh", () => householdAction("arrivals", hid, label)),
          trip ? btn("passes secondary", "passes.pdf", () => printPasses(hid)) : null),
        editForm(hid, members));
    }));
  }

  /** The household's boarding passes as a PDF to print (needs a connection: passes are signed by the server). */
  async function printPasses(hid) {
    const note = document.getElementById("search-note");
    let r;
    try { r = await api("GET", `/households/${encodeURIComponent(hid)}/passes.pdf`); }
    catch { if (note) note.textContent = t("edit.offline"); return; }
    if (!r.ok) { if (note) note.textContent = t("error", { detail: await detail(r) }); return; }
    const a = el("a", { href: URL.createObjectURL(await r.blob()), download: `passes-${hid}.pdf` });
    document.body.append(a); a.click(); a.remove();
  }

  /** Correct a member's phone, document or willingness (PATCH /people/{id}; needs a connection: an edit is
      not a scan, and a stale correction replayed later could overwrite a newer one). */
  function editForm(hid, members) {
    const id = (f) => `edit-${f}-${hid}`;
    const msg = el("p", { class: "hint", role: "status", id: id("msg") });
    const who = el("select", { id: id("who"), "aria-label": t("edit.who") },
      members.map((p) => el("option", { value: p.id, text: p.name || p.original || p.id })));
    const phone = el("input", { id: id("phone"), type: "tel", maxlength: "40", dir: "ltr", autocomplete: "off" });
    const doc = el("input", { id: id("document"), maxlength: "40", autocomplete: "off", autocapitalize: "characters" });
    const will = el("select", { id: id("willingness") }, ["", "wants_to_leave", "undecided", "declines"].map(
      (w) => el("option", { value: w, text: w ? t("will." + w) : t("edit.unchanged") })));
    const field = (label, input) => el("p", {}, el("label", { for: input.id, text: t(label) }), input);
    async function save(ev) {
      ev.preventDefault();
      const body = {};
      if (phone.value.trim()) body.phone = phone.value.trim();
      if (doc.value.trim()) body.document = doc.value.trim();
      if (will.value) body.willingness = will.value;
      if (!Object.keys(body).length) { msg.textContent = t("edit.nothing"); return; }
      let r;
      try { r = await api("PATCH", "/people/" + encodeURIComponent(who.value), { body }); }
      catch { msg.textContent = t("edit.offline"); return; }
      if (!r.ok) { msg.textContent = t("error", { detail: await detail(r) }); return; }
      const j = await r.json();
      msg.textContent = j.changed.length ? t("edit.saved", { fields: j.changed.map((f) => t("edit.f." + f)).join(", ") })
                                         : t("edit.same");
      phone.value = ""; doc.value = ""; will.value = "";
    }
    return el("details", { class: "edit" }, el("summary", { text: t("edit.open") }),
      el("form", { id: id("form"), onsubmit: save }, field("edit.who", who), field("edit.phone", phone),
         field("edit.document", doc), field("edit.willingness", will),
         el("button", { type: "submit", class: "secondary", text: t("edit.save") })), msg);
  }

  // -- scanning a pass (camera or image) --------------------------------------------------------------------
  /** The line under the scan controls; ``kind``: true or "error" (refused), "ok" (recorded), else neutral. */
  function scanNote(text, kind) {
    const note = document.getElementById("scan-note");
    note.textContent = text;
    note.className = kind === true || kind === "error" ? "error" : kind === "ok" ? "ok" : "";
  }
  /** The text of the QR code in an image source (video frame, bitmap), or null. Large images are scaled down. */
  function decode(src, w, h, attempts) {
    if (typeof window.jsQR !== "function" || !w || !h) return null;
    const k = Math.min(1, 1200 / Math.max(w, h));
    const cw = Math.max(1, Math.round(w * k)), ch = Math.max(1, Math.round(h * k));
    const canvas = document.createElement("canvas");
    canvas.width = cw; canvas.height = ch;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(src, 0, 0, cw, ch);
    const code = window.jsQR(ctx.getImageData(0, 0, cw, ch).data, cw, ch, { inversionAttempts: attempts });
    return code && code.data ? code.data : null;
  }
  /** The ids a pass token carries ({person, household, trip}), read without verifying (display only), or null.
      The token is itsdangerous's ``base64url(JSON).time.signature``, the JSON zlib-compressed when that is
      shorter (then the token starts with "."; inflated with the browser's DecompressionStream). */
  async function peek(token) {
    try {
      const zipped = token.startsWith(".");
      const b64 = token.split(".")[zipped ? 1 : 0].replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
      const text = !zipped ? new TextDecoder().decode(bytes)
        : await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).text();
      const j = JSON.parse(text);
      return j && typeof j.p === "string" ? { person: j.p, household: String(j.h || ""), trip: String(j.t || "") }
        : null;
    } catch { return null; }
  }
  function actionText(route, whole) {
    if (route === "arrivals") return t(whole ? "arrived.hh" : "arrived.one");
    return t(route === "boardings" ? (whole ? "board.hh" : "board.one") : (whole ? "checkin.hh" : "checkin.one"));
  }
  /** The line under the scan choices: what the next scan will do (and onto which trip, when boarding). */
  function renderScanWhat() {
    const m = scanMode();
    document.getElementById({ boardings: "scan-board", arrivals: "scan-arrived" }[m.action] || "scan-checkin")
      .checked = true;
    document.getElementById(m.scope === "person" ? "scan-person" : "scan-household").checked = true;
    const what = document.getElementById("scan-what");
    const text = actionText(m.action, m.scope !== "person");
    what.textContent = m.action !== "boardings" ? t("scan.what", { action: text })
      : state.trip ? t("scan.what.trip", { action: text, trip: state.trip }) : t("scan.notrip");
    what.className = "hint" + (m.action === "boardings" && !state.trip ? " error" : "");
    document.getElementById("scan").dataset.action = m.action;
    document.getElementById("scan").dataset.scope = m.scope;
  }
  function setScanMode(change) {
    store.set("scan", { ...scanMode(), ...change });
    renderScanWhat();
  }
  async function submitPass(token) {
    if (!token || token.length > 400) { scanNote(t("scan.none"), true); return; }
    state.lastActive = Date.now();  // a scan is activity, though nobody touched the screen
    const m = scanMode();
    const whole = m.scope !== "person";
    const info = await peek(token);
    const note = document.getElementById("scan-note");
    delete note.dataset.person;
    delete note.dataset.route;
    if (m.action === "boardings" && !state.trip) { scanNote(t("scan.notrip"), true); return; }
    if (m.action === "boardings" && info && info.trip && info.trip !== state.trip) {
      // the server would refuse it (409): say so now, at the vehicle's door, even offline
      scanNote(t("scan.othertrip", { trip: info.trip, selected: state.trip }), true);
      note.dataset.refused = "trip";
      return;
    }
    delete note.dataset.refused;
    const body = { pass: token, whole_household: whole };
    if (m.action === "boardings") body.trip = state.trip;
    // people this scan is expected to cover, as far as this device knows them (shown as pending)
    const ids = !info ? [] : whole
      ? [...new Set(people().filter((p) => p.household === info.household).map((p) => p.id))] : [info.person];
    const label = info ? (whole ? `${t("household")} ${info.household}` : `${t("person")} ${info.person}`) : "";
    store.set("queue", [...queue(), { key: Evac.newKey(), route: m.action, household: info ? info.household : "",
                                      label, pass: true, ids, body, at: new Date().toISOString() }]);
    setLocal(ids, TARGET[m.action], true);
    scanNote(t("scan.sent", { action: actionText(m.action, whole), who: label || t("scan.pass") }));
    renderNet();
    flush();
  }
  function scanDone(results, item) {
    const known = new Map(people().map((p) => [p.id, p]));
    const who = results.map((r) => {
      const p = known.get(r.person);
      return `${p ? p.name || p.original || r.person : r.person} (${Evac.statusText(r.status)})`;
    });
    const done = { boardings: "scan.boarded", arrivals: "scan.arrived.done" }[item.route] || "scan.done";
    scanNote(t(done, { people: who.join(", ") }), "ok");
    const note = document.getElementById("scan-note");
    note.dataset.person = results.map((r) => r.person).join(" ");
    note.dataset.route = item.route;
  }
  async function scanFile(input) {
    const f = input.files && input.files[0];
    if (!f) return;
    let token = null;
    try {
      const bmp = await createImageBitmap(f);
      token = decode(bmp, bmp.width, bmp.height, "attemptBoth");
      bmp.close();
    } catch { token = null; }
    input.value = "";
    if (token) submitPass(token); else scanNote(t("scan.none"), true);
  }
  function stopCamera() {
    if (state.stream) for (const tr of state.stream.getTracks()) tr.stop();
    state.stream = null;
    const video = document.getElementById("scan-video");
    video.srcObject = null;
    video.hidden = true;
    show("scan-stop", false);
    show("scan-start", true);
  }
  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      scanNote(t("scan.nocamera", { detail: "getUserMedia" }), true);
      return;
    }
    try {
      state.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false });
    } catch (e) { scanNote(t("scan.nocamera", { detail: e.name || e.message }), true); return; }
    const video = document.getElementById("scan-video");
    video.srcObject = state.stream;
    video.hidden = false;
    show("scan-start", false);
    show("scan-stop", true);
    scanNote("");
    try { await video.play(); } catch { /* autoplay refused: frames still arrive once the user taps */ }
    // The camera stays on for the next family: a queue of passes is scanned without a tap between them. A
    // pass still in front of the lens is read again and again; it is sent once per action (check in, board),
    // so switching to Board and showing the same pass boards the family.
    const sent = new Set();
    const box = document.getElementById("scan");
    let reads = 0;
    const tick = () => {
      if (!state.stream) return;
      const token = video.readyState >= 2 ? decode(video, video.videoWidth, video.videoHeight, "dontInvert") : null;
      if (token) {
        box.dataset.reads = String(++reads);
        const key = scanMode().action + " " + token;
        if (!sent.has(key)) { sent.add(key); submitPass(token); }
      }
      setTimeout(tick, SCAN_EVERY_MS);
    };
    setTimeout(tick, 0);
  }

  // -- walk-in registration ---------------------------------------------------------------------------
  const VULNS = ["child", "elderly", "pregnant", "medical", "reduced_mobility"];
  function walkInNote(text, kind) {
    const note = document.getElementById("walkin-note");
    note.textContent = text;
    note.className = kind || "";
  }
  /** One member's fields (the first is the household's reference person). */
  function memberFields(n) {
    const id = (f) => `wi-${f}-${n}`;
    const field = (f, key, attrs) => el("p", {}, el("label", { for: id(f), text: t(key) }),
                                        el("input", { id: id(f), name: f, dir: "auto", ...attrs }));
    return el("fieldset", { class: "member", "data-n": String(n) },
      el("legend", { text: t("walkin.member", { n: n + 1 }) }),
      field("given", "walkin.given", { required: true, autocomplete: "off" }),
      field("family", "walkin.family", { required: true, autocomplete: "off" }),
      field("given_latin", "walkin.given_latin", { autocomplete: "off" }),
      field("family_latin", "walkin.family_latin", { autocomplete: "off" }),
      field("birth", "walkin.birth", { placeholder: "1980-05-17", autocomplete: "off" }),
      field("nationalities", "walkin.nationalities", { value: "RU", autocomplete: "off" }),
      field("document", "walkin.document", { autocomplete: "off" }),
      field("phone", "walkin.phone", { type: "tel", autocomplete: "off" }),
      el("p", {}, el("label", { for: id("relation"), text: t("walkin.relation") }),
        el("select", { id: id("relation"), name: "relation" }, ["head", "spouse", "child", "parent", "other"]
          .filter((r) => (n === 0) === (r === "head"))
          .map((r) => el("option", { value: r, text: t("rel." + r) })))),
      el("p", {}, el("label", { for: id("sex"), text: t("walkin.sex") }),
        el("select", { id: id("sex"), name: "sex" }, el("option", { value: "", text: "—" }),
          el("option", { value: "F", text: t("sex.F") }), el("option", { value: "M", text: t("sex.M") }))),
      el("div", { class: "vulns" }, VULNS.map((v) => el("span", {},
        el("input", { type: "checkbox", id: id("v-" + v), name: "v", value: v }), " ",
        el("label", { for: id("v-" + v), text: t("vuln." + v) }), " "))));
  }
  function addMember() {
    const box = document.getElementById("walkin-members");
    box.append(memberFields(box.children.length));
  }
  function resetWalkIn() {
    document.getElementById("walkin-members").replaceChildren();
    addMember();
  }
  function submitWalkIn(ev) {
    ev.preventDefault();
    const members = [...document.querySelectorAll("#walkin-members fieldset.member")].map((fs) => {
      const v = (f) => fs.querySelector(`[name=${f}]`).value.trim();
      const m = { given: v("given"), family: v("family"), relation: v("relation"),
                  nationalities: v("nationalities").toUpperCase().split(/[\s,]+/).filter(Boolean),
                  vulnerabilities: [...fs.querySelectorAll("input[name=v]:checked")].map((c) => c.value) };
      for (const f of ["given_latin", "family_latin", "birth", "document", "phone", "sex"]) if (v(f)) m[f] = v(f);
      return m;
    });
    const s = Evac.session() || {};
    const item = enqueue("walk-ins", { place: s.place || document.getElementById("place").value, members },
                         { what: "walkin", label: t("walkin.people", { n: members.length }) });
    walkInNote(t("walkin.sent", { n: members.length }), "");
    document.getElementById("walkin").dataset.key = item.key;
    resetWalkIn();
  }
  function walkInDone(j) {
    const box = document.getElementById("walkin");
    box.dataset.household = j.household;
    box.dataset.result = j.trip ? "booked" : j.waiting ? "waiting" : "registered";
    walkInNote(j.trip ? t("walkin.booked", { household: j.household, trip: j.trip, n: j.travellers.length })
      : j.waiting ? t("walkin.waiting", { household: j.household }) : t("walkin.registered", { household: j.household }),
               "ok");
    if (j.trip && j.trip === state.trip) refreshManifest();
    loadTrips();
  }

  // -- session and the device's copy of personal data ---------------------------------------------------------
  /** Remove every copy of personal data this page keeps on the device: the saved manifests, trips, search
      results, conflicts (they carry names), the queue (unless ``keepQueue``: then only its ids stay), any
      IndexedDB database and any Cache Storage entry that is not the page shell. */
  async function wipe(u, keepQueue) {
    const mine = (k) => k.startsWith("evac.") && k.endsWith("." + u) && !k.startsWith("evac.lang.");
    // kept writes lose their labels (names); a walk-in's body is the registration itself and stays until sent
    const strip = (name) => (keepQueue ? JSON.parse(localStorage.getItem(`evac.${name}.${u}`) || "[]") : [])
      .map(({ label: _l, ...item }) => item);
    const kept = { queue: strip("queue"), conflicts: strip("conflicts") };
    for (const k of Object.keys(localStorage)) if (mine(k) && !k.startsWith("evac.scan.")) localStorage.removeItem(k);
    for (const [name, list] of Object.entries(kept)) {
      if (list.length) localStorage.setItem(`evac.${name}.${u}`, JSON.stringify(list));
    }
    state.manifests = {}; state.results = []; state.trips = []; state.trip = null; state.incident = null;
    document.getElementById("results").replaceChildren();
    document.getElementById("manifest-body").replaceChildren();
    document.getElementById("manifest-summary").textContent = "";
    document.getElementById("trip").replaceChildren();
    document.getElementById("conflict-list").replaceChildren();
    document.getElementById("incident-people").replaceChildren();
    document.getElementById("q").value = "";
    try {
      if (window.caches) for (const k of await caches.keys()) if (!k.startsWith("evac-shell-")) await caches.delete(k);
    } catch { /* no Cache Storage here */ }
    try {
      if (window.indexedDB && indexedDB.databases) {
        for (const db of await indexedDB.databases()) if (db.name) indexedDB.deleteDatabase(db.name);
      }
    } catch { /* no IndexedDB here */ }
  }
  function leave(message) {
    stopCamera();
    Evac.setSession(null);
    show("work", false);
    show("signout-confirm", false);
    show("signin", true);
    show("who", false);
    document.getElementById("signin-error").textContent = message || "";
    document.body.dataset.signedOut = "true";
    delete document.body.dataset.ready;
  }
  /** The session expired (401): personal data goes; unsent writes stay, ids only, for the next sign-in. */
  async function expire() {
    const u = user();
    await wipe(u, true);
    leave(t("signin.expired"));
  }
  /** Sign out: send what waits first; if writes are still unsent, ask before discarding them. */
  async function signOut() {
    await flush();
    const n = queue().length, c = conflicts().length;
    if (n || c) {
      show("signout-confirm", true);
      document.getElementById("signout-confirm").dataset.count = String(n);
      document.getElementById("signout-text").textContent = t("signout.unsent", { n, c });
      return;
    }
    await signOutNow();
  }
  async function signOutNow() {
    // the server revokes the token too (POST /auth/logout; awaited, so the sign-out is done when the page says
    // so), when it can be reached; the device forgets the token anyway
    try { await api("POST", "/auth/logout"); } catch { /* offline: the token is wiped from the device below */ }
    await wipe(user(), false);
    leave("");
  }
  /** Idle timeout: no touch, key or scan for data-idle-min minutes wipes the device's personal data (writes
      still unsent are kept, ids only, and go out at the next sign-in of this officer). */
  async function idleCheck() {
    const min = Number(document.body.dataset.idleMin || "15");
    if (!Evac.session() || !(min > 0) || Date.now() - state.lastActive < min * 60000) return;
    await flush();
    const u = user();
    await wipe(u, true);
    leave(t("signin.idle", { min }));
  }

  async function start() {
    const s = Evac.session();
    if (!s) { show("signin", true); show("work", false); return; }
    Evac.applyLang();
    show("signin", false);
    show("work", true);
    const who = document.getElementById("who");
    who.hidden = false;
    document.getElementById("who-text").textContent = t("signin.as", { user: s.user, role: s.role });
    const place = document.getElementById("place");
    place.replaceChildren(el("option", { value: s.place || "", text: s.place || "—" }));
    state.manifests = store.get("manifests", {});
    state.lastActive = Date.now();
    delete document.body.dataset.signedOut;
    if (!document.querySelector("#walkin-members fieldset")) resetWalkIn();
    renderNet();
    renderScanWhat();
    await loadTrips();
    renderScanWhat();
    await flush();
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", () => {
    Evac.initLangSelect();
    document.getElementById("signin-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = document.getElementById("signin-error");
      err.textContent = "";
      const s = await Evac.login(document.getElementById("username").value, document.getElementById("password").value)
        .catch(() => null);
      if (!s) { err.textContent = t("signin.failed"); return; }
      await start();
    });
    document.getElementById("signout").addEventListener("click", () => signOut());
    document.getElementById("signout-discard").addEventListener("click", () => signOutNow());
    document.getElementById("signout-cancel").addEventListener("click", () => show("signout-confirm", false));
    document.getElementById("depart-trip").addEventListener("click", () => askTrip("departure"));
    document.getElementById("arrive-trip").addEventListener("click", () => askTrip("arrival"));
    document.getElementById("trip-confirm-yes").addEventListener("click", () => confirmTrip(true));
    document.getElementById("trip-confirm-no").addEventListener("click", () => confirmTrip(false));
    document.getElementById("walkin-form").addEventListener("submit", submitWalkIn);
    document.getElementById("walkin-add").addEventListener("click", addMember);
    for (const type of ["pointerdown", "keydown", "touchstart"]) {
      document.addEventListener(type, () => { state.lastActive = Date.now(); }, { passive: true, capture: true });
    }
    setInterval(idleCheck, IDLE_CHECK_MS);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) idleCheck(); });
    document.getElementById("search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = document.getElementById("q").value.trim();
      if (q) search(q);
    });
    document.getElementById("trip").addEventListener("change", (ev) => {
      state.trip = ev.target.value;
      store.set("trip", state.trip);
      renderScanWhat();
      refreshManifest();
    });
    document.getElementById("scan-start").addEventListener("click", startCamera);
    document.getElementById("scan-stop").addEventListener("click", stopCamera);
    document.getElementById("pass-file").addEventListener("change", (ev) => scanFile(ev.target));
    for (const r of document.querySelectorAll("input[name=scan-action]")) {
      r.addEventListener("change", () => setScanMode({ action: r.value }));
    }
    for (const r of document.querySelectorAll("input[name=scan-scope]")) {
      r.addEventListener("change", () => setScanMode({ scope: r.value }));
    }
    document.getElementById("missing-only").addEventListener("change", (ev) => {
      state.missingOnly = ev.target.checked;
      renderManifest();
    });
    document.addEventListener("evac:lang", () => {
      renderNet(); renderResults(); renderManifest(); renderScanWhat();
      const box = document.getElementById("walkin-members");  // rebuilt in the new language (empty form only)
      if (![...box.querySelectorAll("input:not([type=checkbox])")].some((i) => i.value && i.name !== "nationalities")) {
        resetWalkIn();
      }
    });
    window.addEventListener("online", () => { renderNet(); flush(); });
    window.addEventListener("offline", renderNet);
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    start();
  });
})();
