/* The API reference page (/docs): the schema is only given to a signed-in admin or planner, so this script
   signs in (or reuses the console's session in this tab), fetches /openapi.json with the bearer token and
   hands it to the vendored Swagger UI; "Try it out" requests carry the same token. No other origin. */
"use strict";
(() => {
  const KEY = "evac.session";
  const form = document.getElementById("signin");
  const note = document.getElementById("note");

  function token() {
    try { const s = JSON.parse(sessionStorage.getItem(KEY)); return s && s.token; } catch { return null; }
  }
  function say(text) { note.textContent = text; note.hidden = !text; }

  async function show() {
    const t = token();
    if (!t) { form.hidden = false; return; }
    const r = await fetch("/openapi.json", { headers: { Authorization: "Bearer " + t }, cache: "no-store" });
    if (r.status === 401) { sessionStorage.removeItem(KEY); form.hidden = false; say("Please sign in again."); return; }
    if (r.status === 403) { form.hidden = true; say("The API reference is for admins and planners."); return; }
    if (!r.ok) { say("The API reference could not be loaded (HTTP " + r.status + ")."); return; }
    form.hidden = true;
    say("");
    window.SwaggerUIBundle({
      spec: await r.json(), dom_id: "#swagger-ui", validatorUrl: null, deepLinking: false,
      requestInterceptor: (req) => { const k = token(); if (k) req.headers.Authorization = "Bearer " + k; return req; },
    });
    document.body.dataset.ready = "true";
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { username: form.elements.username.value, password: form.elements.password.value };
    const r = await fetch("/api/v1/auth/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), cache: "no-store",
    });
    form.elements.password.value = "";
    if (!r.ok) { say(r.status === 429 ? "Too many failed sign-ins; wait and try again." : "Wrong user name or password."); return; }
    const j = await r.json();
    sessionStorage.setItem(KEY, JSON.stringify({ token: j.access_token, user: j.username, role: j.role, place: j.place }));
    show();
  });
  show();
})();
