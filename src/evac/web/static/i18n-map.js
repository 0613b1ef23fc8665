/* Strings of the situation map (same keys in every language; tests/web checks). */
"use strict";
window.EVAC_I18N_ADD({
  en: {
  },
  ru: {
  },
  ar: {
  }
});
