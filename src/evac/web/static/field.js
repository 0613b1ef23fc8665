/* The field officer's page: sign in, the assigned assembly point and its trips, search by name, check in and
   board a whole household with one action, the trip's manifest with who is missing.

   Offline: every write goes through a queue kept in localStorage with its Idempotency-Key; the queue is sent
   in order whenever the connection is back (a replay of a key the server already applied changes nothing).
   A write the server refuses (HTTP 4xx other than 401) moves to the conflicts list, shown until the officer
   retries or dismisses it: it is never dropped and never overwritten. The manifest of each trip is saved on
   the device so the page can show and search it offline; the service worker caches the page itself.

   Scanning a pass: the camera (getUserMedia, frames decoded with the vendored jsQR) or, as a fallback, an image
   of the pass; the decoded token goes through the same queue as a check-in (the server verifies its signature). */
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
      el("p", {}, el("strong", { text: c.pass ? t("scan.pass")
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
    store.set("queue", [...queue(), { key, route, household, label, body: { person_ids: ids }, at: new Date().toISOString() }]);
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
          if (item.pass) scanDone(j.results);
        } else {
          store.set("conflicts", [...conflicts(), { ...item, status: r.status, detail: await detail(r) }]);
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
      if (!pending || ORDER.indexOf(status) > ORDER.indexOf(p.status)) p.status = status;
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
          const pendingIds = new Set(queue().flatMap((q) => q.body.person_ids || []));
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
  function scanNote(text, error) {
    const note = document.getElementById("scan-note");
    note.textContent = text;
    note.className = error ? "error" : "";
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
  function submitPass(token) {
    if (!token || token.length > 400) { scanNote(t("scan.none"), true); return; }
    const key = Evac.newKey();
    store.set("queue", [...queue(), { key, route: "checkins", household: "", label: t("scan.pass"), pass: true,
                                      body: { pass: token }, at: new Date().toISOString() }]);
    const note = document.getElementById("scan-note");
    delete note.dataset.person;
    scanNote(t("scan.sent"));
    renderNet();
    flush();
  }
  function scanDone(results) {
    const ids = results.map((r) => r.person);
    scanNote(t("scan.done", { people: results.map((r) => `${r.person} (${Evac.statusText(r.status)})`).join(", ") }));
    document.getElementById("scan-note").dataset.person = ids.join(" ");
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
      state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (e) { scanNote(t("scan.nocamera", { detail: e.name || e.message }), true); return; }
    const video = document.getElementById("scan-video");
    video.srcObject = state.stream;
    video.hidden = false;
    show("scan-start", false);
    show("scan-stop", true);
    scanNote("");
    try { await video.play(); } catch { /* autoplay refused: frames still arrive once the user taps */ }
    const tick = () => {
      if (!state.stream) return;
      const token = video.readyState >= 2 ? decode(video, video.videoWidth, video.videoHeight, "dontInvert") : null;
      if (token) { stopCamera(); submitPass(token); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
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
    await loadTrips();
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
    document.getElementById("signout").addEventListener("click", () => signOut(false));
    document.getElementById("search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = document.getElementById("q").value.trim();
      if (q) search(q);
    });
    document.getElementById("trip").addEventListener("change", (ev) => {
      state.trip = ev.target.value;
      store.set("trip", state.trip);
      refreshManifest();
    });
    document.getElementById("scan-start").addEventListener("click", startCamera);
    document.getElementById("scan-stop").addEventListener("click", stopCamera);
    document.getElementById("pass-file").addEventListener("change", (ev) => scanFile(ev.target));
    document.getElementById("missing-only").addEventListener("change", (ev) => {
      state.missingOnly = ev.target.checked;
      renderManifest();
    });
    document.addEventListener("evac:lang", () => { renderNet(); renderResults(); renderManifest(); });
    window.addEventListener("online", () => { renderNet(); flush(); });
    window.addEventListener("offline", renderNet);
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    start();
  });
})();
