/* The decision page: registered with EvacConsole (console.js). */
"use strict";
