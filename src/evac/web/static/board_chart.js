/* People safe over time on the status board: registered with EvacConsole (console.js). */
"use strict";
