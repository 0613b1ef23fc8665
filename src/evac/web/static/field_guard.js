/* The field page is for those who may record check-ins and boardings (field officers, and admins and planners
   who stand in for them). A viewer has read-only access: the page must not show them live-looking scan and
   check-in controls that the API would refuse anyway (403). So a viewer — already signed in, or signing in
   here — is sent to the console's trips, which is read-only for their role. The API's role checks are what
   protect the data; this only keeps the page honest.

   Loaded before field.js (both deferred, in order), so its DOMContentLoaded handler runs first, and it wraps
   Evac.login before field.js's sign-in form can call it. Hook: html[data-readonly=redirect]. */
"use strict";
(() => {
  const READ_ONLY = ["viewer"];
  const TARGET = "/console#trips";

  /** True (and on the way to the console) when ``s`` is a read-only session. */
  function redirect(s) {
    if (!s || !READ_ONLY.includes(s.role)) return false;
    document.documentElement.dataset.readonly = "redirect";
    const style = document.createElement("style");
    style.textContent = "#work, #scan, #signin { display: none !important; }";
    document.head.append(style);
    location.replace(TARGET);
    return true;
  }

  const login = Evac.login;
  Evac.login = async (...args) => {
    const s = await login(...args);
    // the page is leaving: never resolve, so field.js shows nothing of its own for this session
    if (redirect(s)) return new Promise(() => {});
    return s;
  };
  if (!redirect(Evac.session())) {
    document.addEventListener("DOMContentLoaded", () => redirect(Evac.session()));
  }
})();
