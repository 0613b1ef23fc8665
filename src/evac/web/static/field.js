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
   unverified, only to mark people as pending and to refuse at once a pass for another trip when boarding. */
"use strict";
(() => {
  const { api, detail, el, t, show } = Evac;
  const state = { trips: [], trip: null, manifests: {}, results: [], missingOnly: false, flushing: false,
                  stream: null };

  const user = () => (Evac.session() || {}).user || "-";
  const store = {
    get(name, dflt) { try { return JSON.parse(localStorage.getItem(`evac.${name}.${user()}`)) ?? dflt; } catch { return dflt; } },
    set(name, v) { localStorage.setItem(`evac.${name}.${user()}`, JSON.stringify(v)); },
  };
  const queue = () => store.get("queue", []);
  const conflicts = () => store.get("conflicts", []);
  const TARGET = { checkins: "checked_in", boardings: "boarded" };
  const SCAN_EVERY_MS = 120;  // ~8 decodes per second: quick enough at a door, easy on a phone's battery
  const scanMode = () => ({ action: "checkins", scope: "household", ...store.get("scan", {}) });
  const ORDER = ["registered", "notified", "confirmed", "declined", "no_show", "checked_in", "boarded", "departed",
                 "arrived_safe"];

  // -- connection and counters ---------------------------------------------------------------------------
  function renderNet() {
    const on = navigator.onLine;
    const net = document.getElementById("net");
    net.textContent = t(on ? "net.online" : "net.offline");
    net.className = "net " + (on ? "on" : "off");
    const n = queue().length;
    const p = document.getElementById("pending");
    p.textContent = t("queue.pending", { n });
    p.dataset.count = String(n);
    renderConflicts();
  }

  function renderConflicts() {
    const list = conflicts();
    const box = document.getElementById("conflict-list");
    box.replaceChildren(...list.map((c, i) => el("li", { class: "conflict", "data-key": c.key },
      el("p", {}, el("strong", { text: c.pass ? `${t("scan.pass")} · ${actionText(c.route, c.body.whole_household)}`
        : `${t(c.route === "boardings" ? "board.hh" : "checkin.hh")} ${c.household}` }),
        " — ", c.label || ""),
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
  function enqueue(route, household, ids, label) {
    const key = Evac.newKey();
    // boarding loads the vehicle of the selected trip: the server refuses anyone booked on another one
    const body = route === "boardings" && state.trip ? { person_ids: ids, trip: state.trip } : { person_ids: ids };
    store.set("queue", [...queue(), { key, route, household, label, body, at: new Date().toISOString() }]);
    setLocal(ids, TARGET[route], true);
    renderNet();
    flush();
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
        if (r.status === 401 || r.status >= 500 || r.status === 429) { if (r.status === 401) signOut(true); break; }
        const rest = queue().filter((q) => q.key !== item.key);
        if (r.ok) {
          const j = await r.json();
          for (const res of j.results) setLocal([res.person], res.status, false);
          if (item.pass) scanDone(j.results, item);
        } else {
          const d = await detail(r);
          store.set("conflicts", [...conflicts(), { ...item, status: r.status, detail: d }]);
          if (item.pass) {
            setLocal(item.ids || [], null, false);
            scanNote(t("scan.refused", { detail: d }), true);
          }
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
      if (status && (!pending || ORDER.indexOf(status) > ORDER.indexOf(p.status))) p.status = status;
      p.pending = pending;
    }
    store.set("manifests", state.manifests);
    renderResults();
    renderManifest();
  }

  // -- trips and the manifest ---------------------------------------------------------------------------
  async function loadTrips() {
    try {
      const r = await api("GET", "/trips?limit=500");
      if (r.status === 401) return signOut(true);
      if (r.ok) { state.trips = await r.json(); store.set("trips", state.trips); }
    } catch { state.trips = store.get("trips", []); }
    const sel = document.getElementById("trip");
    sel.replaceChildren(...state.trips.map((tr) => el("option", { value: tr.id,
      text: `${tr.id} · ${tr.asset} · ${tr.origin} → ${tr.destination} · ${tr.depart.slice(0, 16).replace("T", " ")}` })));
    state.trip = state.trips.some((x) => x.id === store.get("trip", null)) ? store.get("trip", null)
      : (state.trips[0] || {}).id || null;
    if (state.trip) sel.value = state.trip;
    await refreshManifest();
  }

  async function refreshManifest() {
    if (!state.trip) { renderManifest(); return; }
    if (navigator.onLine) {
      try {
        const r = await api("GET", "/trips/" + encodeURIComponent(state.trip));
        if (r.ok) {
          const m = await r.json();
          const pendingIds = new Set(queue().flatMap((q) => q.ids || q.body.person_ids || []));
          for (const p of m.passengers) if (pendingIds.has(p.id)) p.pending = true;
          state.manifests[state.trip] = m;
          store.set("manifests", state.manifests);
        }
      } catch { /* offline: keep the saved copy */ }
    }
    renderManifest();
  }

  function renderManifest() {
    const m = state.trip && state.manifests[state.trip];
    const box = document.getElementById("manifest-body");
    if (!m) { box.replaceChildren(); return; }
    const ps = m.passengers;
    const count = (ss) => ps.filter((p) => ss.includes(p.status)).length;
    const boarded = count(["boarded", "departed", "arrived_safe"]);
    const checked = count(["checked_in"]);
    const missing = ps.length - boarded - checked;
    document.getElementById("manifest-summary").textContent =
      t("manifest.summary", { boarded, checked, missing, total: ps.length });
    const rows = ps.filter((p) => !state.missingOnly || !["checked_in", "boarded", "departed", "arrived_safe"].includes(p.status));
    box.replaceChildren(Evac.table([t("name"), t("household"), t("status")], rows.map((p) => [
      Evac.personName(p), p.household,
      el("span", { class: "st st-" + p.status + (p.pending ? " pending" : ""), "data-person": p.id },
        Evac.statusText(p.status), p.pending ? ` (${t("pending")})` : ""),
    ]), `${t("manifest")} ${m.id}`));
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
        else if (r.status === 401) return signOut(true);
        else if (r.status !== 422) note.textContent = t("error", { detail: await detail(r) });
        else found = [];
      } catch { found = null; }
    }
    if (found === null) {
      note.textContent = t("search.offline");
      const words = q.toLowerCase().split(/\s+/).filter(Boolean);
      const all = Object.values(state.manifests).flatMap((m) => m.passengers);
      found = all.filter((p) => words.every((w) => `${p.name} ${p.original}`.toLowerCase().includes(w)));
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
      return el("li", { class: "household", "data-household": hid },
        el("h3", { text: `${t("household")} ${hid}` }),
        el("ul", { class: "members" }, members.map((p) => el("li", {}, Evac.personName(p), " — ",
          el("span", { class: "st st-" + p.status + (p.pending ? " pending" : ""), "data-person": p.id },
            Evac.statusText(p.status), p.pending ? ` (${t("pending")})` : "")))),
        el("div", { class: "actions" },
          el("button", { type: "button", class: "checkin", text: t("checkin.hh"),
                         onclick: () => enqueue("checkins", hid, household(hid).map((p) => p.id), label) }),
          el("button", { type: "button", class: "board", text: t("board.hh"),
                         onclick: () => enqueue("boardings", hid, household(hid).map((p) => p.id), label) })));
    }));
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
    return t(route === "boardings" ? (whole ? "board.hh" : "board.one") : (whole ? "checkin.hh" : "checkin.one"));
  }
  /** The line under the scan choices: what the next scan will do (and onto which trip, when boarding). */
  function renderScanWhat() {
    const m = scanMode();
    document.getElementById(m.action === "boardings" ? "scan-board" : "scan-checkin").checked = true;
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
    scanNote(t(item.route === "boardings" ? "scan.boarded" : "scan.done", { people: who.join(", ") }), "ok");
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

  // -- session -----------------------------------------------------------------------------------------
  function signOut(expired) {
    stopCamera();
    Evac.setSession(null);
    show("work", false);
    show("signin", true);
    show("who", false);
    if (expired) document.getElementById("signin-error").textContent = t("signin.failed");
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
    document.getElementById("signout").addEventListener("click", () => { Evac.logout(); signOut(false); });
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
    document.addEventListener("evac:lang", () => { renderNet(); renderResults(); renderManifest(); renderScanWhat(); });
    window.addEventListener("online", () => { renderNet(); flush(); });
    window.addEventListener("offline", renderNet);
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    start();
  });
})();
