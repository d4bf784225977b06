// The script-tag door: `<script src=".../shoppable-player.js" defer>`. A classic script that
// defines <shoppable-player> at once and fetches the engine (ES module + wasm) from its own
// directory only when the first element connects — once, however many players the page has.
import { defineElement } from './element.js';

const self = document.currentScript;
const base = new URL('.', (self && self.src) || location.href).href;
let engine;

defineElement(() => (engine ??= import(`${base}index.js`)));
