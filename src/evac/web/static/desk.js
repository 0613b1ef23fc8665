/* The relatives' enquiry desk (admin, planner) and the situation report (also viewers).
   Enquiry: search the person, record the caller (POST /enquiries: sealed in the store), show the answer policy
   allows — the only words to read out — and, apart, the person's record for the desk officer. The log below
   lists recent calls, newest first. Situation report: a summary on the page, PDF and CSV downloads (counts only).
   Registered with EvacConsole (console.js). Data goes in with textContent only. */
"use strict";
(() => {
  const { api, detail, el, t, table } = Evac;
  let chosen = null;

  function error(id, text) { document.getElementById(id).textContent = text || ""; }

  function choose(p) {
    chosen = p;
    document.getElementById("enq-person").textContent = p
      ? t("enq.chosen", { name: p.name || p.id, id: p.id, birth: p.birth || "?" }) : t("enq.nobody");
  }

  async function search(ev) {
    ev.preventDefault();
    error("enquiries-error");
    const q = document.getElementById("enq-q").value.trim();
    if (!q) return;
    const r = await api("GET", "/people?limit=20&q=" + encodeURIComponent(q));
    if (!r.ok) { error("enquiries-error", t("error", { detail: await detail(r) })); return; }
    const people = await r.json();
    const box = document.getElementById("enq-results");
    box.dataset.count = String(people.length);
    box.replaceChildren(people.length ? table([t("enq.name"), t("enq.birth"), t("status"), ""],
      people.map((p) => [el("bdi", { text: p.name || p.id }), p.birth || "", t("st." + p.status),
        el("button", { type: "button", class: "secondary", text: t("enq.pick"), "data-person": p.id,
                       onclick: () => choose(p) })]), t("enq.results"))
      : el("p", { text: t("enq.none.found") }));
  }

  async function record(ev) {
    ev.preventDefault();
    error("enquiries-error");
    const f = ev.target;
    const body = { caller_name: f.caller_name.value.trim(), caller_contact: f.caller_contact.value.trim(),
                   relation: f.relation.value.trim(), question: f.question.value.trim(), language: f.language.value };
    if (chosen) body.person = chosen.id;
    const r = await api("POST", "/enquiries", { body });
    if (!r.ok) { error("enquiries-error", t("error", { detail: await detail(r) })); return; }
    const out = await r.json();
    document.getElementById("enq-answer").hidden = false;
    const say = document.getElementById("enq-say");
    say.textContent = out.answer;
    say.lang = out.language;
    document.getElementById("enq-desk").textContent = out.person
      ? t("enq.desk", { status: t("st." + out.person.status), trip: out.person.trip || "—", id: out.enquiry })
      : t("enq.desk.none", { id: out.enquiry });
    for (const name of ["caller_name", "caller_contact", "relation", "question"]) f[name].value = "";
    choose(null);
    await loadLog();
  }

  async function loadLog() {
    const r = await api("GET", "/enquiries?limit=20");
    if (!r.ok) throw new Error(await detail(r));
    const rows = await r.json();
    const box = document.getElementById("enq-log");
    box.dataset.count = String(rows.length);
    box.replaceChildren(rows.length ? table(
      [t("enq.when"), t("enq.caller.short"), t("enq.contact.short"), t("enq.relation.short"), t("enq.about"), t("enq.outcome"), t("enq.by")],
      rows.map((e) => [(e.at || "").replace("T", " ").slice(0, 16), el("bdi", { text: e.caller_name }),
        el("bdi", { text: e.caller_contact }), el("bdi", { text: e.relation }), e.person || "—",
        t("enq.o." + e.outcome), e.actor]), t("enq.log")) : el("p", { text: t("enq.log.empty") }));
  }

  function hours() { return document.getElementById("sitrep-hours").value; }

  async function download(format) {
    error("sitrep-error");
    const r = await api("GET", `/sitrep?format=${format}&hours=${hours()}`);
    if (!r.ok) { error("sitrep-error", t("error", { detail: await detail(r) })); return; }
    const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
    const a = el("a", { href: URL.createObjectURL(await r.blob()), download: name ? name[1] : "sitrep." + format });
    document.body.append(a); a.click(); a.remove();
  }

  async function loadSitrep() {
    const r = await api("GET", "/sitrep?hours=" + hours());
    if (r.status === 409) { document.getElementById("sitrep-summary").replaceChildren(el("p", { text: t("sitrep.none") })); return; }
    if (!r.ok) throw new Error(await detail(r));
    const s = await r.json();
    const a = s.activity;
    const parts = [table([t("sitrep.people"), t("st.arrived_safe"), t("unaccounted"), t("st.checked_in"),
                          t("st.boarded"), t("st.departed"), t("sitrep.incidents"), t("sitrep.departures")],
      [[s.people, s.safe, s.unaccounted, a.checked_in, a.boarded, a.departed, s.incidents.length,
        s.next_departures.length]], t("sitrep.caption", { hours: s.hours }))];
    // incidents first among what the cell must act on: a trip dropped with people on board above all
    if (s.incidents.length) {
      parts.push(table([t("enq.when"), t("sitrep.kind"), t("sitrep.subject"), t("sitrep.detail")],
        s.incidents.map((i) => [(i.at || "").replace("T", " ").slice(0, 16), t("inc." + i.kind),
                                el("bdi", { text: i.subject }), i.detail]), t("sitrep.incidents")));
    }
    document.getElementById("sitrep-summary").replaceChildren(...parts);
  }

  EvacConsole.register("enquiries", loadLog);
  EvacConsole.register("sitrep", loadSitrep);
  document.addEventListener("DOMContentLoaded", () => {
    const fail = (id) => (e) => error(id, t("error", { detail: e.message }));
    document.getElementById("enq-search-form").addEventListener("submit", (ev) => search(ev).catch(fail("enquiries-error")));
    document.getElementById("enq-form").addEventListener("submit", (ev) => record(ev).catch(fail("enquiries-error")));
    document.getElementById("sitrep-pdf").addEventListener("click", () => download("pdf").catch(fail("sitrep-error")));
    document.getElementById("sitrep-csv").addEventListener("click", () => download("csv").catch(fail("sitrep-error")));
    document.getElementById("sitrep-hours").addEventListener("change", () => loadSitrep().catch(fail("sitrep-error")));
  });
})();
