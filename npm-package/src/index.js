// The npm door: `import { createPlayer, defineElement } from 'shoppable-player'`.
import init, { mount, trackProductView as track } from './shoppable_player_wasm.js';
import { defineElement as defineCustomElement, defineTracker as defineTrackerElement } from './element.js';
export { restoreMiniplayer } from './element.js';

let wasm;
const loadWasm = () => (wasm ??= init());

/**
 * The source playlist, requested now rather than once the engine has downloaded, compiled and
 * rendered: the first of the requests before the first frame then overlaps all of that. The
 * engine takes this response for its first request. Native HLS (`engine="native"`) fetches for
 * itself, so nothing is requested for it.
 */
function prefetchSource(options) {
  if (typeof options.src !== 'string' || !options.src || options.engine === 'native') return undefined;
  const response = fetch(options.src);
  // Handled here too, so a player destroyed before it mounts leaves no unhandled rejection; the
  // engine, which awaits the same promise, still sees the failure and retries.
  response.catch(() => {});
  return response;
}

/**
 * A player. Usable at once: calls made while the engine is still loading apply when it is
 * ready (`player.ready` resolves then).
 */
class Player {
  #host;
  #handle = null;
  #cart = null;
  #destroyed = false;

  constructor(host, options) {
    this.#host = host;
    const source = prefetchSource(options);
    this.ready = loadWasm().then(() => {
      if (this.#destroyed) return;
      this.#handle = mount(host, options, source);
    });
  }

  #whenReady(action) {
    const run = () => (this.#handle ? action(this.#handle) : undefined);
    // A throwing action (e.g. an unknown variant) rejects instead of throwing.
    return this.#handle ? new Promise((resolve) => resolve(run())) : this.ready.then(run);
  }

  /** Starts playback. Rejects when the browser refuses (autoplay rules). */
  play() {
    return this.#whenReady((h) => h.play());
  }
  pause() {
    this.#whenReady((h) => h.pause());
  }
  /** Moves the playhead to `time` seconds. */
  seek(time) {
    this.#whenReady((h) => h.seek(Number(time)));
  }
  /** Plays another HLS stream in this player. */
  load(src) {
    this.#whenReady((h) => h.load(String(src)));
  }
  /** Quality: an index into `ready`'s `renditions` (ascending bandwidth), or -1 for automatic. */
  setQuality(index) {
    this.#whenReady((h) => h.setQuality(index));
  }
  /** Replaces the product feed: a feed object, Shopify product objects, or their JSON text. */
  setProducts(feed) {
    this.#whenReady((h) => h.setProducts(feed));
  }
  /** Shows `productId`'s card from now on, for `duration` seconds (default 10). */
  highlightProduct(productId, duration) {
    this.#whenReady((h) => h.highlightProduct(String(productId), duration == null ? undefined : Number(duration)));
  }
  /**
   * The page's cart, shared by every player on the page and saved across reloads. `items`
   * lists `{variant_id, product_id, title, variant_title, quantity, unit_price, price,
   * currency, image}` (`unit_price` in cents, `price` in major units).
   */
  get cart() {
    const ready = (action) => this.#whenReady(action);
    const handle = () => this.#handle;
    return (this.#cart ??= {
      get items() {
        return handle() ? handle().cartItems() : [];
      },
      /** Adds units of a feed variant; resolves to the units added (stock limits apply). */
      add: (variantId, quantity = 1) => ready((h) => h.cartAdd(String(variantId), quantity >>> 0)),
      /** Sets a line's quantity; 0 removes the line. */
      update: (variantId, quantity) => ready((h) => h.cartUpdate(String(variantId), quantity >>> 0)),
      remove: (variantId) => ready((h) => h.cartRemove(String(variantId))),
      clear: () => ready((h) => h.cartClear()),
    });
  }
  /**
   * The host's say on storing the lookback attribution record: `'granted'` or `'denied'`
   * (which also removes what was stored). Google Consent Mode's `analytics_storage` applies too.
   */
  setConsent(consent) {
    this.#whenReady((h) => h.setConsent(String(consent)));
  }
  /**
   * The lookback attribution record `{v, products: [...]}` (see docs/events.md) for your
   * checkout, or `null` before the engine has loaded.
   */
  getAttribution() {
    return this.#handle ? this.#handle.getAttribution() : null;
  }
  get currentTime() {
    return this.#handle ? this.#handle.currentTime : 0;
  }
  /** The element that `shoppable:*` events are dispatched on. */
  get element() {
    return this.#host;
  }
  /** Calls `callback(detail)` for every `type` event; returns a function that unsubscribes. */
  on(type, callback) {
    const listener = (event) => callback(event.detail);
    this.#host.addEventListener(`shoppable:${type}`, listener);
    return () => this.#host.removeEventListener(`shoppable:${type}`, listener);
  }
  /** Stops playback and removes everything the player created. */
  destroy() {
    this.#destroyed = true;
    if (this.#handle) {
      this.#handle.destroy();
      this.#handle.free();
      this.#handle = null;
    }
  }
}

/** Renders a player into `host` itself (the custom element's path). */
export function attach(host, options = {}) {
  return new Player(host, options);
}

/** Creates a player inside `container`. */
export function createPlayer(container, options = {}) {
  const host = document.createElement('div');
  host.className = 'shoppable-player';
  container.appendChild(host);
  const player = new Player(host, options);
  const destroy = player.destroy.bind(player);
  player.destroy = () => {
    destroy();
    host.remove();
  };
  return player;
}

/**
 * The page is about `productId`: pushes `video_assisted_view` to the dataLayer when the viewer
 * interacted with that product in a video within the lookback window (once per page load).
 * `options`: `{ dataLayer = 'dataLayer', attributionWindow = 72 }` (hours). Resolves to whether
 * it pushed.
 */
export async function trackProductView(productId, options = {}) {
  await loadWasm();
  return track(String(productId), options);
}

/** Defines `<shoppable-player-tracker product-id="…">` for pages that use the npm package. */
export function defineTracker(name = 'shoppable-player-tracker') {
  return defineTrackerElement(async () => ({ trackProductView }), name);
}

/** Defines `<shoppable-player>` (or `name`) for pages that use the npm package. */
export function defineElement(name = 'shoppable-player') {
  return defineCustomElement(async () => ({ attach }), name);
}
