/* Users and roles (admin): the list with each user's role, assembly point and whether the account is active,
   changed in place (PATCH /users/{name}; deactivating revokes the user's tokens at once), and a form to add a
   user (POST /users). The server checks everything again; refusals are shown as the API words them.
   Registered with EvacConsole (console.js). */
"use strict";
(() => {
  const { api, detail, el, t, table } = Evac;
  const ROLES = ["field_officer", "planner", "viewer", "admin"];

  function say(text, isError) {
    document.getElementById("users-msg").textContent = isError ? "" : text;
    document.getElementById("users-error").textContent = isError ? text : "";
  }

  async function places() {
    const r = await api("GET", "/status-board");
    if (!r.ok) return [];
    return Object.keys((await r.json()).by_place).filter((p) => p !== "unknown").sort();
  }

  function row(u, me) {
    const id = (f) => `u-${f}-${u.username}`;
    const role = el("select", { id: id("role"), "aria-label": t("user.role.of", { user: u.username }) },
      ROLES.map((r) => el("option", { value: r, text: t("role." + r), selected: r === u.role })));
    const place = el("input", { id: id("place"), value: u.place || "", list: "user-places", maxlength: "100",
                                 autocapitalize: "none", "aria-label": t("user.place.of", { user: u.username }) });
    const active = el("input", { id: id("active"), type: "checkbox", checked: u.active,
                                  disabled: u.username === me, "aria-label": t("user.active.of", { user: u.username }) });
    const save = el("button", { type: "button", class: "secondary save-user", "data-user": u.username,
                                text: t("user.save"), "aria-label": t("user.save.of", { user: u.username }),
                                onclick: () => update(u, role.value, place.value.trim(), active.checked) });
    return [u.username, role, place, active, save];
  }

  async function update(u, role, place, active) {
    const body = {};
    if (role !== u.role) body.role = role;
    if (place !== (u.place || "")) body.place = place;
    if (active !== u.active) body.active = active;
    if (!Object.keys(body).length) { say(t("user.unchanged", { user: u.username })); return; }
    const r = await api("PATCH", "/users/" + encodeURIComponent(u.username), { body });
    if (!r.ok) { say(t("error", { detail: await detail(r) }), true); return; }
    await load();  // the list shows the saved state before the page says so: nobody edits a row about to be redrawn
    say(t("user.saved", { user: u.username }));
  }

  async function add(ev) {
    ev.preventDefault();
    const f = ev.target;
    const body = { username: f.username.value.trim(), role: f.role.value, password: f.password.value };
    if (f.place.value.trim()) body.place = f.place.value.trim();
    const r = await api("POST", "/users", { body });
    if (!r.ok) { say(t("error", { detail: await detail(r) }), true); return; }
    f.password.value = "";  // never left in the page
    f.username.value = "";
    await load();
    say(t("user.added", { user: body.username, role: t("role." + body.role) }));
  }

  async function load() {
    const r = await api("GET", "/users");
    if (!r.ok) throw new Error(await detail(r));
    const users = await r.json();
    const me = (Evac.session() || {}).user;
    const box = document.getElementById("user-list");
    box.replaceChildren(table([t("username"), t("role"), t("place"), t("active"), t("action")],
      users.map((u) => row(u, me)), t("users")));
    box.dataset.count = String(users.length);
    document.getElementById("user-places").replaceChildren(...(await places()).map((p) => el("option", { value: p })));
  }

  EvacConsole.register("users", load);
  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("user-add-form").addEventListener("submit", (ev) => add(ev).catch((e) => say(
      t("error", { detail: e.message }), true)));
  });
})();
