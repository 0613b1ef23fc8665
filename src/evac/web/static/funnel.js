/* The status board's funnel, live: registered → eligible → willing → undecided → called → confirmed →
   checked in → boarded → departed → safe, and unaccounted, in total, per assembly point and per priority class.

   Data: GET /status-board/funnel, then the server-sent events of GET /status-board/stream (event "funnel",
   the same JSON) read with fetch() — EventSource cannot send the bearer token, and a token in the URL would
   end up in histories and proxy logs. The stream ends every few minutes and is reopened (so the server
   checks the token again); if it cannot be opened at all (a proxy that buffers), the page falls back to an
   ETag'd poll of /status-board/funnel every POLL_S seconds (304 while nothing changed). Every new version
   fires "evac:live" so the other board parts (the unaccounted list, the chart) follow.

   Hooks: #funnel[data-live=connecting|open|poll|lost][data-version], [data-stage=<stage>][data-value],
   #funnel-place tbody tr[data-point], td[data-stage]. */
"use strict";
(() => {
  const { el, t, table } = Evac;
  const POLL_S = 10;
  let data = null;        // the last funnel shown
  let conn = null;        // AbortController of the open stream
  let pollTimer = null;
  let generation = 0;     // bumps on sign-out / restart: a late answer of an old connection is dropped

  const box = () => document.getElementById("funnel");
  const clock = () => new Date().toLocaleTimeString(Evac.lang(), { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function setLive(state, text) {
    box().dataset.live = state;
    document.getElementById("funnel-status").textContent = text;
  }

  function render(f) {
    data = f;
    const root = box();
    root.dataset.version = f.version;
    document.getElementById("funnel-stages").replaceChildren(...f.stages.map((s) =>
      el("li", { class: "kcard stage" + (s === "unaccounted" ? " warn" : s === "safe" ? " good" : ""),
                 "data-stage": s, "data-value": String(f.totals[s]), title: t("fn." + s + ".hint") },
        el("div", { class: "k", text: t("fn." + s) }),
        el("div", { class: "v", text: f.totals[s].toLocaleString(Evac.lang()) }),
        el("div", { class: "hint", text: t("fn." + s + ".hint") }))));
    const cells = (row) => f.stages.map((s) => el("span", { "data-stage": s, text: (row[s] || 0).toLocaleString(Evac.lang()) }));
    const placeTable = table([t("fn.col.place"), ...f.stages.map((s) => t("fn." + s))],
      f.places.map((p) => [el("bdi", { text: EvacConsole.placeName(p) }), ...cells(f.by_place[p])]), t("fn.place"));
    const classTable = table([t("fn.col.class"), ...f.stages.map((s) => t("fn." + s))],
      f.classes.map((c) => [t("cls." + c) === "cls." + c ? c : t("cls." + c), ...cells(f.by_class[c])]), t("fn.class"));
    // stage hooks on the cells themselves (the span is inside the td table() builds)
    for (const [tbl, keys] of [[placeTable, f.places], [classTable, f.classes]]) {
      tbl.querySelectorAll("tbody tr").forEach((tr, i) => {
        tr.dataset[tbl === placeTable ? "point" : "class"] = keys[i];
        for (const span of tr.querySelectorAll("span[data-stage]")) span.parentElement.dataset.stage = span.dataset.stage;
      });
    }
    document.getElementById("funnel-place").replaceChildren(placeTable);
    document.getElementById("funnel-class").replaceChildren(classTable);
  }

  function changed(f) {
    const fresh = data !== null && data.version !== f.version;  // the first load is not a change
    render(f);
    if (fresh) document.dispatchEvent(new CustomEvent("evac:live", { detail: { version: f.version } }));
  }

  /** Read server-sent events from a fetch() body: blocks separated by a blank line, "event:" and "data:" lines. */
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replaceAll("\r\n", "\n");
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = "message", dataText = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) dataText += line.slice(5).trimStart();
        }
        if (dataText) onEvent(event, dataText);
      }
    }
  }

  async function stream(gen) {
    let failures = 0;
    while (gen === generation) {
      const s = Evac.session();
      if (!s) return;
      conn = new AbortController();
      let got = false;
      try {
        const r = await fetch("/api/v1/status-board/stream", { headers: { Authorization: "Bearer " + s.token,
          Accept: "text/event-stream", "X-Device-Id": localStorage.getItem("evac.device") || "" },
          signal: conn.signal, cache: "no-store" });
        if (r.status === 401 || r.status === 403) return;  // signed out or role changed: the console says so elsewhere
        if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
        await readEvents(r.body, (event, text) => {
          if (event !== "funnel" || gen !== generation) return;
          got = true;
          failures = 0;
          changed(JSON.parse(text));
          setLive("open", t("fn.live", { time: clock() }));
        });
      } catch (e) {
        if (gen !== generation) return;
      }
      if (gen !== generation) return;
      if (!got && ++failures >= 2) { poll(gen); return; }  // the stream cannot be held open here: poll instead
      setLive("lost", t("fn.lost"));
      await new Promise((ok) => setTimeout(ok, got ? 500 : 2000 * failures));
    }
  }

  /** The fallback: GET /status-board/funnel with If-None-Match every POLL_S seconds (304: nothing changed). */
  async function poll(gen) {
    if (gen !== generation) return;
    try {
      const headers = {};
      const s = Evac.session();
      if (!s) return;
      const r = await fetch("/api/v1/status-board/funnel", { cache: "no-store", headers: {
        Authorization: "Bearer " + s.token, ...(data ? { "If-None-Match": `"${data.version}"` } : {}), ...headers } });
      if (r.status === 200) changed(await r.json());
      if (r.status === 200 || r.status === 304) setLive("poll", t("fn.poll", { s: POLL_S, time: clock() }));
    } catch { /* offline for a moment: the next poll tries again */ }
    if (gen === generation) pollTimer = setTimeout(() => poll(gen), POLL_S * 1000);
  }

  function stop() {
    generation += 1;
    if (conn) conn.abort();
    conn = null;
    clearTimeout(pollTimer);
  }

  async function load() {
    await EvacConsole.labels();
    if (data && conn) { render(data); return; }  // a language change: redraw, keep the open stream
    stop();
    const gen = generation;
    const r = await Evac.api("GET", "/status-board/funnel");
    if (!r.ok) throw new Error(await Evac.detail(r));
    render(await r.json());
    setLive("connecting", t("fn.connecting"));
    stream(gen);
  }

  EvacConsole.register("board", load);
  document.addEventListener("evac:signout", () => { stop(); data = null; });
})();
