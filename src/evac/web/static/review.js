/* The duplicate review queue of the crisis-cell console: pairs page by page (best score first), filtered by
   band (likely matches / to review) and assembly point before paging; merge one pair, accept every likely
   match at once (after an explicit confirmation), unmerge what was merged. Above the queue: how many likely
   matches are still unreviewed — planning and the status board count each such group once meanwhile.
   Viewers get ids, scores and evidence only (the API redacts names) and no buttons.
   Registered with EvacConsole (console.js) for the "registry" section. */
"use strict";
(() => {
  const { api, detail, el, t, show, table } = Evac;
  /** Roles that may merge (the API enforces the same). */
  const EDITORS = ["admin", "planner"];
  const PAGE = 50;
  const state = { role: null, user: null, offset: 0, total: 0, likely: 0, summary: { total: 0, likely: 0, review: 0 } };
  let merges = [];  // merges done in this session: each offers an Unmerge button

  async function getJson(path) {
    const r = await api("GET", path);
    if (!r.ok) throw new Error(await detail(r));
    return r.json();
  }
  /** The filters as query parameters (band, place), shared by the page, the summary and the bulk accept. */
  function filters() {
    const q = new URLSearchParams();
    const band = document.getElementById("dupe-band").value;
    const place = document.getElementById("dupe-place").value;
    if (band) q.set("band", band);
    if (place) q.set("place", place);
    return q;
  }
  const canEdit = () => EDITORS.includes(state.role);

  function side(p) {
    return el("div", { class: "side" }, el("div", {}, el("strong", { text: p.id }), p.name || p.original ? " " : "",
      p.name || p.original ? Evac.personName(p) : null),
      el("div", { class: "muted", text: [p.household, p.city, p.birth, p.sex].filter(Boolean).join(" · ") }));
  }

  async function loadSummary() {
    const place = document.getElementById("dupe-place").value;
    const s = await getJson("/registry/dupes/summary" + (place ? "?place=" + encodeURIComponent(place) : ""));
    const sel = document.getElementById("dupe-place");
    sel.replaceChildren(el("option", { value: "", text: t("all") }),
      ...Object.entries(s.places).map(([p, n]) => el("option", { value: p, text: `${p} (${n.toLocaleString()})` })));
    sel.value = place && place in s.places ? place : "";
    const note = document.getElementById("dupe-unresolved");
    note.textContent = s.unresolved_likely ? t("dupes.unresolved", { n: s.unresolved_likely.toLocaleString(),
                                                                     m: s.planned_once.toLocaleString() }) : "";
    note.dataset.count = String(s.unresolved_likely);
    state.likely = s.likely;
    state.summary = s;
    const accept = document.getElementById("dupe-accept");
    accept.hidden = !canEdit() || s.likely === 0;
    accept.textContent = t("accept.likely", { n: s.likely.toLocaleString() });
  }

  async function loadPage() {
    const q = filters();
    q.set("limit", String(PAGE));
    q.set("offset", String(state.offset));
    const pairs = await getJson("/registry/dupes?" + q);
    const s = state.summary;
    const band = q.get("band");
    state.total = band === "likely" ? s.likely : band === "review" ? s.review : s.total;
    const box = document.getElementById("dupe-list");
    box.dataset.count = String(pairs.length);
    box.dataset.total = String(state.total);
    const range = document.getElementById("dupe-range");
    range.textContent = pairs.length ? t("page.range", { from: (state.offset + 1).toLocaleString(),
      to: (state.offset + pairs.length).toLocaleString(), total: state.total.toLocaleString() }) : "";
    document.getElementById("dupe-prev").disabled = state.offset === 0;
    document.getElementById("dupe-next").disabled = state.offset + pairs.length >= state.total;
    show("dupe-pages", state.total > PAGE);
    if (!pairs.length) { box.replaceChildren(el("p", { text: t("dupes.none") })); return; }
    const headers = [t("score"), t("decision"), t("person.a"), t("person.b"), t("evidence")];
    if (canEdit()) headers.push(t("action"));
    box.replaceChildren(table(headers, pairs.map((d) => {
      const row = [d.score.toFixed(3), d.decision, side(d.a), side(d.b),
        el("ul", { class: "evidence" }, d.evidence.map((x) => el("li", { text: x })))];
      if (canEdit()) row.push(el("button", { type: "button", class: "merge", "data-pair": `${d.a.id}~${d.b.id}`,
        "aria-label": t("merge.label", { kept: d.a.id, merged: d.b.id }), text: t("merge"),
        onclick: () => merge(d.a.id, d.b.id) }));
      return row;
    }), `${t("dupes")}: ${state.total.toLocaleString()}`));
    for (const tr of box.querySelectorAll("tbody tr")) {
      const b = tr.querySelector("button.merge");
      if (b) tr.dataset.pair = b.dataset.pair;
    }
  }
  async function reload() {
    await loadSummary();
    if (state.offset >= state.total && state.offset > 0) state.offset = Math.max(0, state.offset - PAGE);
    await loadPage();
  }
  const fail = (e) => document.getElementById("dupe-list").replaceChildren(
    el("p", { class: "error", text: t("error", { detail: e.message }) }));

  function renderMerges() {
    document.getElementById("merged-list").replaceChildren(merges.length ? table([t("person"), t("action")],
      merges.map((m) => [`${m.merged} → ${m.kept}`, el("button", { type: "button", class: "unmerge secondary",
        "data-person": m.merged, text: t("unmerge"), "aria-label": t("unmerge.label", { merged: m.merged }),
        onclick: () => unmerge(m.merged) })]), t("merged.recent")) : "");
  }
  function say(text, isError) {
    const msg = document.getElementById("dupe-msg");
    msg.textContent = text;
    msg.classList.toggle("error", Boolean(isError));
  }
  async function write(path, body) {
    say("");
    let r;
    try { r = await api("POST", path, { body, key: Evac.newKey() }); }
    catch (e) { say(t("error", { detail: e.message }), true); return null; }
    if (!r.ok) { say(t("error", { detail: await detail(r) }), true); return null; }
    return r.json();
  }
  function remember(done) {
    const gone = new Set(done.map((m) => m.merged));
    merges = [...merges.filter((m) => !gone.has(m.merged)), ...done];
  }
  async function merge(kept, merged) {
    const out = await write("/registry/merges", { kept, merged });
    if (out) { remember([out]); say(t("merged.msg", out)); }
    renderMerges();
    await reload().catch(fail);
  }
  async function unmerge(merged) {
    const out = await write("/registry/unmerges", { merged });
    if (out) { merges = merges.filter((m) => m.merged !== out.merged); say(t("unmerged.msg", out)); }
    renderMerges();
    await reload().catch(fail);
  }

  /** Bulk accept, step 1: say what will happen and wait for an explicit yes (nothing is sent before). */
  function askAccept() {
    const place = document.getElementById("dupe-place").value;
    document.getElementById("dupe-confirm-text").textContent = t(place ? "accept.confirm.place" : "accept.confirm",
      { n: state.likely.toLocaleString(), place });
    show("dupe-confirm", true);
    document.getElementById("dupe-confirm-no").focus();
  }
  async function accept() {
    show("dupe-confirm", false);
    const place = document.getElementById("dupe-place").value;
    const out = await write("/registry/dupes/accept-likely", place ? { place } : {});
    if (out) {
      remember(out.merges);
      say(t("accepted.msg", { pairs: out.pairs.toLocaleString(), merged: out.merged.toLocaleString(),
                              people: out.people.toLocaleString() }));
    }
    renderMerges();
    state.offset = 0;
    await reload().catch(fail);
  }

  async function load(role) {
    const s = Evac.session();
    if (!s || s.user !== state.user) { merges = []; state.offset = 0; }
    state.role = role;
    state.user = s ? s.user : null;
    show("reg-merges", canEdit());
    show("dupe-confirm", false);
    renderMerges();
    await reload();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const id of ["dupe-band", "dupe-place"]) {
      document.getElementById(id).addEventListener("change", () => { state.offset = 0; reload().catch(fail); });
    }
    document.getElementById("dupe-prev").addEventListener("click", () => {
      state.offset = Math.max(0, state.offset - PAGE); loadPage().catch(fail);
    });
    document.getElementById("dupe-next").addEventListener("click", () => {
      state.offset += PAGE; loadPage().catch(fail);
    });
    document.getElementById("dupe-accept").addEventListener("click", askAccept);
    document.getElementById("dupe-confirm-yes").addEventListener("click", accept);
    document.getElementById("dupe-confirm-no").addEventListener("click", () => show("dupe-confirm", false));
    document.getElementById("unmerge-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const id = document.getElementById("unmerge-id").value.trim();
      if (id) unmerge(id);
    });
  });
  EvacConsole.register("registry", load);
})();
