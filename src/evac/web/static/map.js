/* The situation map: registered with EvacConsole (console.js). */
"use strict";
