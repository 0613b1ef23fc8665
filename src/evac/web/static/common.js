/* Shared by both pages: the session (token in sessionStorage), API calls, languages, DOM helpers.
   No framework; data is inserted with textContent only (never innerHTML), so names cannot inject markup. */
"use strict";
const Evac = (() => {
  const LANGS = ["en", "ru", "ar"];

  function session() {
    try { return JSON.parse(sessionStorage.getItem("evac.session")); } catch { return null; }
  }
  function setSession(s) {
    if (s) sessionStorage.setItem("evac.session", JSON.stringify(s)); else sessionStorage.removeItem("evac.session");
  }
  function deviceId() {
    let d = localStorage.getItem("evac.device");
    if (!d) { d = "web-" + crypto.randomUUID(); localStorage.setItem("evac.device", d); }
    return d;
  }
  /** A fresh Idempotency-Key: a retry of the same write reuses it, so the server applies it once. */
  function newKey() { return "web-" + crypto.randomUUID(); }

  /** Call the API; rejects (TypeError) only when the network is unreachable. */
  function api(method, path, { body, key } = {}) {
    const s = session();
    const headers = { "X-Device-Id": deviceId() };
    if (s) headers.Authorization = "Bearer " + s.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    return fetch("/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                      cache: "no-store" });
  }
  async function detail(r) {
    try { const j = await r.json(); return typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail); }
    catch { return "HTTP " + r.status; }
  }
  async function login(username, password) {
    const r = await api("POST", "/auth/login", { body: { username, password } });
    if (!r.ok) return null;
    const j = await r.json();
    const s = { token: j.access_token, user: j.username, role: j.role, place: j.place };
    setSession(s);
    // the user's language follows them from device to device (the server remembers it)
    if (LANGS.includes(j.language)) localStorage.setItem("evac.lang." + s.user, j.language);
    return s;
  }

  /** End the session on the server too: every token of the user stops working at once (best effort: offline
      the request fails and the token simply expires). The page then clears what it keeps. */
  function logout() {
    const s = session();
    if (!s) return;
    fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + s.token }, keepalive: true,
                                   cache: "no-store" }).catch(() => {});
  }

  // -- languages ---------------------------------------------------------------------------------------
  function lang() {
    const s = session();
    const l = (s && localStorage.getItem("evac.lang." + s.user)) || localStorage.getItem("evac.lang") || "en";
    return LANGS.includes(l) ? l : "en";
  }
  function t(key, vars) {
    const d = window.EVAC_I18N[lang()] || {};
    let s = d[key] ?? window.EVAC_I18N.en[key] ?? key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll("{" + k + "}", String(v));
    return s;
  }
  /** Translate every data-i18n* element and set <html lang dir>; a choice (``l``) is remembered per user, on
      the device and on the server (best effort: offline, the device keeps it and the next choice retries). */
  function applyLang(l) {
    if (l) {
      const s = session();
      localStorage.setItem("evac.lang", l);
      if (s) {
        localStorage.setItem("evac.lang." + s.user, l);
        api("PUT", "/me/language", { body: { language: l } }).catch(() => {});
      }
    }
    const cur = lang();
    document.documentElement.lang = cur;
    document.documentElement.dir = cur === "ar" ? "rtl" : "ltr";
    for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
    for (const e of document.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
    for (const e of document.querySelectorAll("[data-i18n-label]")) e.setAttribute("aria-label", t(e.dataset.i18nLabel));
    const sel = document.getElementById("lang");
    if (sel) sel.value = cur;
  }

  // -- DOM ---------------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  /** A name in its original script with the Latin form beside it (each isolated for bidi). */
  function personName(p) {
    const orig = p.original || "", latin = p.name || "";
    const out = el("span", { class: "pname" }, el("bdi", { class: "orig", text: orig || latin }));
    if (orig && latin && orig !== latin) out.append(" ", el("bdi", { class: "latin", lang: "en", text: latin }));
    return out;
  }
  function statusText(s) { return t("st." + s); }
  function table(headers, rows, caption) {
    return el("table", {},
      caption ? el("caption", { text: caption }) : null,
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) =>
        i === 0 ? el("th", { scope: "row" }, c ?? "") : el("td", {}, c ?? ""))))));
  }
  function show(id, on) { const e = document.getElementById(id); if (e) e.hidden = !on; }

  function initLangSelect() {
    const sel = document.getElementById("lang");
    if (sel) sel.addEventListener("change", () => { applyLang(sel.value); document.dispatchEvent(new Event("evac:lang")); });
    applyLang();
  }

  return { session, setSession, api, detail, login, newKey, lang, t, applyLang, el, personName, statusText,
           table, show, initLangSelect, logout };
})();
