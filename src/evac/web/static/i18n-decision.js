/* Strings of the decision page (same keys in every language; tests/web checks). */
"use strict";
window.EVAC_I18N_ADD({
  en: {
    "decision.page": "Decision"
  },
  ru: {
    "decision.page": "Решение"
  },
  ar: {
    "decision.page": "القرار"
  }
});
