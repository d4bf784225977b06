// The <shoppable-player> custom element. One definition serves both doors: the script-tag
// loader passes a function that lazy-loads the engine, the npm entry one that has it already.
// (wasm-bindgen cannot subclass HTMLElement, so the class lives here and calls into wasm.)

const BOOLEAN = new Set(['autoplay', 'muted']);
const ATTRIBUTES = [
  'src', 'products', 'video-id', 'video-title', 'poster', 'autoplay', 'muted', 'currency',
  'locale', 'checkout', 'data-layer', 'start', 'end', 'product', 'engine', 'latency',
  'consent', 'attribution-window', 'campaign-params', 'product-id', 'cart-sync',
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
