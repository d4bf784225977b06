// The <shoppable-player> custom element. One definition serves both doors: the script-tag
// loader passes a function that lazy-loads the engine, the npm entry one that has it already.
// (wasm-bindgen cannot subclass HTMLElement, so the class lives here and calls into wasm.)

const BOOLEAN = new Set(['autoplay', 'muted', 'loop', 'miniplayer']);
const ATTRIBUTES = [
  'src', 'products', 'video-id', 'video-title', 'poster', 'autoplay', 'muted', 'currency',
  'locale', 'checkout', 'data-layer', 'start', 'end', 'product', 'engine', 'latency',
  'consent', 'attribution-window', 'campaign-params', 'product-id', 'cart-sync', 'loop',
  'miniplayer', 'resume-at',
];

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** The element's attributes (and inline feed) as `createPlayer` options. */
export function optionsFromAttributes(element) {
  const options = {};
  for (const name of ATTRIBUTES) {
    if (!element.hasAttribute(name)) continue;
    options[camel(name)] = BOOLEAN.has(name) ? true : element.getAttribute(name);
  }
  // An inline feed: <shoppable-player><script type="application/json">{…}</script></shoppable-player>
  const inline = element.querySelector(':scope > script[type="application/json"]');
  if (inline) options.productsJson = inline.textContent;
  return options;
}

/**
 * Defines the custom element `name` (once). `loadEngine()` resolves to an object with
 * `attach(host, options)` returning a player.
 */
export function defineElement(loadEngine, name = 'shoppable-player') {
  const existing = customElements.get(name);
  if (existing) return existing;

  class ShoppablePlayerElement extends HTMLElement {
    static observedAttributes = ['src'];
    #player = null;
    #attaching = null;

    /** The player API (`play`, `seek`, `setProducts`, `cart`, `on`, `destroy`, …) once attached. */
    get player() {
      return this.#player;
    }

    connectedCallback() {
      if (this.#player || this.#attaching) return;
      const attempt = (this.#attaching = {});
      loadEngine().then(
        (engine) => {
          // Removed (or re-added) while the engine was loading: that call owns the element now.
          if (this.#attaching !== attempt || !this.isConnected) return;
          this.#attaching = null;
          this.#player = engine.attach(this, optionsFromAttributes(this));
        },
        (error) => {
          if (this.#attaching === attempt) this.#attaching = null;
          const detail = { code: 'engine_load', message: `The video player could not load: ${error?.message ?? error}`, url: null };
          this.dispatchEvent(new CustomEvent('shoppable:error', { detail, bubbles: true, composed: true }));
        },
      );
    }

    disconnectedCallback() {
      this.#attaching = null;
      this.#player?.destroy();
      this.#player = null;
    }

    attributeChangedCallback(name, previous, value) {
      if (name === 'src' && this.#player && value && value !== previous) this.#player.load(value);
    }
  }

  customElements.define(name, ShoppablePlayerElement);
  return ShoppablePlayerElement;
}

/**
 * Defines `<shoppable-player-tracker product-id="…">` (once): on a page about a product (no
 * player needed), it reports `video_assisted_view` when the viewer interacted with that product
 * in a video within the lookback window. `loadEngine()` resolves to an object with
 * `trackProductView(productId, options)`.
 */
export function defineTracker(loadEngine, name = 'shoppable-player-tracker') {
  const existing = customElements.get(name);
  if (existing) return existing;

  class ShoppablePlayerTrackerElement extends HTMLElement {
    connectedCallback() {
      const productId = this.getAttribute('product-id');
      if (!productId) return;
      const options = {
        dataLayer: this.getAttribute('data-layer') ?? undefined,
        attributionWindow: this.getAttribute('attribution-window') ?? undefined,
      };
      loadEngine().then((engine) => engine.trackProductView(productId, options));
    }
  }

  customElements.define(name, ShoppablePlayerTrackerElement);
  return ShoppablePlayerTrackerElement;
}

/** `sessionStorage` key of a miniplayer to put back on the next page (written by the player). */
const MINIPLAYER_KEY = 'shoppable-player:miniplayer:v1';
/** A saved miniplayer older than this is not restored. */
const MINIPLAYER_MAX_AGE_MS = 30 * 60 * 1000;

/**
 * Puts back the miniplayer the previous page of this site left floating (same video, same
 * second, same muted state; the cart is the page's cart anyway). Does nothing when there is
 * none, when it is stale, or when this page already has a player for that video. Returns the
 * new element, or null.
 */
export function restoreMiniplayer(name = 'shoppable-player') {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(MINIPLAYER_KEY));
    sessionStorage.removeItem(MINIPLAYER_KEY);
  } catch {
    return null; // storage blocked, or not ours
  }
  const options = saved && saved.options;
  if (!options || typeof options.src !== 'string' || !(Date.now() - saved.at < MINIPLAYER_MAX_AGE_MS)) return null;
  for (const existing of document.querySelectorAll(name)) {
    if (existing.getAttribute('src') === options.src) return null;
  }
  const element = document.createElement(name);
  const restored = { ...options, miniplayer: true, resumeAt: String(saved.time), muted: saved.muted, autoplay: saved.playing };
  for (const attribute of ATTRIBUTES) {
    const value = restored[camel(attribute)];
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(attribute, BOOLEAN.has(attribute) ? '' : String(value));
  }
  if (typeof options.productsJson === 'string') {
    const inline = document.createElement('script');
    inline.type = 'application/json';
    inline.textContent = options.productsJson;
    element.append(inline);
  }
  document.body.append(element);
  return element;
}
