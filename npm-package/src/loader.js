// The script-tag door: `<script src=".../shoppable-player.js" defer>`. A classic script that
// defines <shoppable-player> at once and fetches the engine (ES module + wasm) from its own
// directory only when the first element connects — once, however many players the page has.
import { defineElement, defineTracker, restoreMiniplayer } from './element.js';

const self = document.currentScript;
const base = new URL('.', (self && self.src) || location.href).href;
let engine;

const loadEngine = () => (engine ??= import(`${base}index.js`));
defineElement(loadEngine);
defineTracker(loadEngine);
// A miniplayer left floating by the previous page of the site comes back here.
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => restoreMiniplayer());
else restoreMiniplayer();
// Pages without a bundler reach the functions that need no element here.
window.ShoppablePlayer ??= {
  /** See `trackProductView` in the npm API: resolves to whether `video_assisted_view` was pushed. */
  trackProductView: (productId, options) => loadEngine().then((m) => m.trackProductView(productId, options)),
};
