// Type declarations for `shoppable-player`, written by hand against the runtime in
// `src/index.js`, `src/element.js` and the wasm handle in `player-ui/src/player.rs`.
// The event payloads follow docs/events.md (GA4 ecommerce schema), the feed docs/feed.md.

// ───────────────────────────── Product feed (version 1) ─────────────────────────────

/** A product or variant id: our strings, or Shopify's numeric ids (read as decimal strings). */
export type FeedId = string | number;

/** A product option in our shape (`{name, values}`), Shopify `.js` (adds `position`) or Liquid (just the name). */
export type FeedOption = { name: string; values?: string[]; position?: number } | string;

/** A variant in our shape. Prices are integers in minor units (cents), as Shopify counts them. */
export interface FeedVariant {
  id: FeedId;
  sku?: string | null;
  /** One value per product option, in order. */
  options?: string[];
  /** Integer cents: 2900 with USD is $29.00. */
  price: number;
  /** The "was" price in cents; kept only when above `price`. */
  compare_at_price?: number | null;
  /** Default `true`; `false` shows "Sold out". */
  available?: boolean;
  image?: string | null;
  /** Units in stock: the cart will not hold more. */
  inventory?: number | null;
}

/** A product in our shape. */
export interface FeedProduct {
  id: FeedId;
  title: string;
  brand?: string | null;
  category?: string | null;
  /** Storefront page: http(s), protocol-relative or relative (resolved against the page). */
  url?: string | null;
  /** Card image; also raster `data:image/…` URLs. */
  image?: string | null;
  /** Plain text or HTML (shown as plain text). */
  description?: string | null;
  options?: FeedOption[];
  variants: FeedVariant[];
}

/** A variant as Shopify's `/products/{handle}.js` and Liquid's `{{ product | json }}` print it. */
export interface ShopifyVariant {
  id: number | string;
  title?: string;
  option1?: string | null;
  option2?: string | null;
  option3?: string | null;
  options?: string[];
  sku?: string | null;
  /** Integer cents. */
  price: number;
  compare_at_price?: number | null;
  available?: boolean;
  featured_image?: { src: string } | string | null;
  inventory_quantity?: number | null;
  inventory_management?: string | null;
  inventory_policy?: 'deny' | 'continue' | string;
  [key: string]: unknown;
}

/** A product as Shopify's `/products/{handle}.js` and Liquid's `{{ product | json }}` print it. */
export interface ShopifyProduct {
  id: number | string;
  title: string;
  handle?: string;
  description?: string | null;
  body_html?: string | null;
  vendor?: string | null;
  type?: string | null;
  product_type?: string | null;
  url?: string | null;
  featured_image?: { src: string } | string | null;
  images?: Array<string | { src: string }>;
  options?: FeedOption[];
  variants: ShopifyVariant[];
  [key: string]: unknown;
}

/** When a product is on screen, in media seconds. */
export interface TimelineEntry {
  /** The id of a product in this feed. */
  product: FeedId;
  start: number;
  /** After `start`; absent or null: until the end of the video. */
  end?: number | null;
}

/** The feed object (docs/feed.md, docs/feed.schema.json). */
export interface ProductFeed {
  version?: 1;
  /** ISO 4217 code for every price; else the `currency` option applies. */
  currency?: string;
  products: Array<FeedProduct | ShopifyProduct>;
  timeline?: TimelineEntry[];
}

/** What `setProducts` and the `products`/inline feed accept: a feed, a bare array, one product, or their JSON text. */
export type ProductsInput = ProductFeed | Array<FeedProduct | ShopifyProduct> | FeedProduct | ShopifyProduct | string;

// ───────────────────────────── Options ─────────────────────────────

/**
 * Where the checkout button goes: `event` (dispatch `shoppable:begin_checkout`, the host decides),
 * `shopify` (add the lines to Shopify's Ajax cart, then open `/cart`), or a URL template with
 * `{lines}` (`40001:2,50001:1`) and `{video_id}`.
 */
export type CheckoutMode = 'event' | 'shopify' | (string & {});

/** Options of `createPlayer`; the element's attributes map to these (`video-id` → `videoId`). */
export interface PlayerOptions {
  /** The HLS stream (multivariant or media playlist). */
  src?: string;
  /** URL of a product feed. */
  products?: string;
  /** A product feed's JSON text (what the element reads from its `<script type="application/json">` child). */
  productsJson?: string;
  /** Reported as `video_id` on every event and as `item_list_id`. */
  videoId?: string;
  /** Reported as `video_title` on every event and as `item_list_name`. */
  videoTitle?: string;
  poster?: string;
  /** Start playing as soon as possible (browsers allow it when `muted`). */
  autoplay?: boolean;
  muted?: boolean;
  /** Currency of prices when the feed names none (ISO 4217). */
  currency?: string;
  /** BCP 47 locale for prices; default: the browser's. */
  locale?: string;
  /** Default: `shopify` on a Shopify storefront, else `event`. */
  checkout?: CheckoutMode;
  /**
   * With `checkout: 'shopify'`: `'immediate'` sends every cart change to the store's cart at
   * once (refusals are rolled back and shown); default: lines are handed over at checkout.
   */
  cartSync?: 'immediate' | 'checkout';
  /** Name of the GTM array events are pushed to; default `dataLayer`. */
  dataLayer?: string;
  /** Clip mode: media seconds to start at. */
  start?: number | string;
  /** Clip mode: media seconds to stop at. */
  end?: number | string;
  /** Play this product's moments as a clip. */
  product?: string;
  /** Clip mode: start the clip again at its end instead of stopping. */
  loop?: boolean;
  /** Open as a floating miniplayer (set when a miniplayer is restored on a new page). */
  miniplayer?: boolean;
  /** Media seconds to resume at once the stream has loaded. */
  resumeAt?: number | string;
  /** `mse` forces the wasm engine on Media Source Extensions; `native` the browser's HLS. */
  engine?: 'auto' | 'mse' | 'native';
  /** Live streams: seconds behind the live edge to play at. */
  latency?: number | string;
  /** The host's say on storing the lookback attribution record; Google Consent Mode applies too. */
  consent?: Consent;
  /** Lookback window for `video_assisted_view`, in hours (default 72). */
  attributionWindow?: number | string;
  /** The store's own campaign parameters to capture, comma-separated (`ref,affiliate_id`). */
  campaignParams?: string;
  /** The product this page is about: reports `video_assisted_view` when it was interacted with in a video. */
  productId?: string;
}

export type Consent = 'granted' | 'denied';

/** The first-party lookback record (`localStorage`, see docs/events.md "What is stored"). */
export interface AttributionRecord {
  v: 1;
  products: Array<{
    product_id: string;
    variant_id?: string;
    event: 'select_item' | 'view_item' | 'select_variant' | 'add_to_cart';
    video_id: string;
    video_title: string;
    /** Second of the video, in milliseconds. */
    video_time_ms: number;
    live: boolean;
    session_id: string;
    /** Milliseconds since the epoch. */
    at: number;
  }>;
}

/** Options of `trackProductView` and `<shoppable-player-tracker>`. */
export interface TrackProductViewOptions {
  /** Name of the GTM array; default `dataLayer`. */
  dataLayer?: string;
  /** Lookback window in hours; default 72. */
  attributionWindow?: number | string;
}

// ───────────────────────────── Cart ─────────────────────────────

/** A line of the page's cart (shared by every player on the page, saved across reloads). */
export interface CartItem {
  variant_id: string;
  product_id: string;
  /** The product title. */
  title: string;
  /** Option values joined by ` / ` (`Sand / M`); empty without options. */
  variant_title: string;
  quantity: number;
  /** Minor units (cents). */
  unit_price: number;
  /** Major units (`29` for 2900 cents). */
  price: number;
  currency: string;
  image: string | null;
}

export interface PlayerCart {
  /** The lines, in the order they were added. */
  readonly items: CartItem[];
  /** Adds units of a feed variant; resolves to the units really added (stock limits apply). Rejects for an unknown variant. */
  add(variantId: FeedId, quantity?: number): Promise<number>;
  /** Sets a line's quantity; 0 removes the line. */
  update(variantId: FeedId, quantity: number): Promise<void>;
  remove(variantId: FeedId): Promise<void>;
  clear(): Promise<void>;
}

// ───────────────────────────── Events ─────────────────────────────

/** Fields every event ends with: which video, and which second of it (docs/events.md). */
export interface VideoContext {
  video_id: string;
  video_title: string;
  video_url: string;
  video_provider: 'shoppable-player';
  /** Seconds, up to 3 decimals. */
  video_current_time: number;
  /** Seconds; 0 for live streams and while unknown. */
  video_duration: number;
  video_live: boolean;
  /** 16 hex digits, new for every view. */
  video_session_id: string;
  utm_id?: string;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  utm_source_platform?: string;
  utm_creative_format?: string;
  utm_marketing_tactic?: string;
  gclid?: string;
  gbraid?: string;
  wbraid?: string;
}

/** A GA4 ecommerce item. */
export interface EcommerceItem {
  /** The variant's SKU, else its id. */
  item_id: string;
  item_name: string;
  item_brand?: string;
  item_category?: string;
  /** Option values joined by ` / `. */
  item_variant?: string;
  /** Unit price in major units. */
  price: number;
  quantity: number;
  index?: number;
  /** The video id. */
  item_list_id?: string;
  /** The video title. */
  item_list_name?: string;
}

export interface Ecommerce {
  /** Absent when neither the feed nor the `currency` option names one. */
  currency?: string;
  /** Sum of price × quantity in major units. */
  value?: number;
  items: EcommerceItem[];
}

export type EcommerceEventName =
  | 'view_item_list'
  | 'select_item'
  | 'view_item'
  | 'select_variant'
  | 'add_to_cart'
  | 'remove_from_cart'
  | 'view_cart'
  | 'begin_checkout';

/** `{event, ecommerce: {currency, value, items}, …video context}` — what GA4's ecommerce tags read. */
export interface EcommerceEvent<E extends EcommerceEventName = EcommerceEventName> extends VideoContext {
  event: E;
  ecommerce: Ecommerce;
}

export interface VideoStartEvent extends VideoContext {
  event: 'video_start';
  video_percent?: number;
  visible: boolean;
}

export interface VideoProgressEvent extends VideoContext {
  event: 'video_progress';
  /** On demand: 10, 25, 50 or 75. */
  video_percent?: number;
  /** Live: seconds watched (60, 300, 600, 1200, 1800, then every 1800). */
  video_watch_time?: number;
  visible: boolean;
}

export interface VideoCompleteEvent extends VideoContext {
  event: 'video_complete';
  video_percent?: number;
  visible: boolean;
}

export interface VideoQualityChangeEvent extends VideoContext {
  event: 'video_quality_change';
  /** `720p`, or `128kbps` without a picture height. */
  video_quality: string;
  /** Bits per second. */
  video_bitrate: number;
  video_quality_previous?: string;
  /** Adaptive bitrate chose it (not the viewer). */
  video_quality_auto: boolean;
}

export interface VideoStallEvent extends VideoContext {
  event: 'video_stall';
  video_stall_duration: number;
}

export interface VideoErrorEvent extends VideoContext {
  event: 'video_error';
  error_code: ErrorCode;
  error_message: string;
  error_fatal: boolean;
}

export interface MiniplayerEvent extends VideoContext {
  event: 'miniplayer_open' | 'miniplayer_close';
}

/** Pushed on a later page (e.g. the product page) for a product interacted with in a video. */
export interface VideoAssistedViewEvent {
  event: 'video_assisted_view';
  product_id: string;
  variant_id?: string;
  interaction: 'select_item' | 'view_item' | 'select_variant' | 'add_to_cart';
  /** Whole seconds since the interaction. */
  interaction_age: number;
  video_id: string;
  video_title: string;
  video_current_time: number;
  video_live: boolean;
  video_session_id: string;
}

/** Stable codes of `shoppable:error` (`detail.code`). */
export type ErrorCode =
  | 'manifest_load'
  | 'manifest_parse'
  | 'segment_load'
  | 'segment_parse'
  | 'media_unsupported'
  | 'media_decode'
  | 'feed_load'
  | 'feed_invalid'
  | 'cart'
  | 'engine_load'
  | (string & {});

/** `shoppable:error`: every error, fatal or not. */
export interface PlayerErrorDetail {
  code: ErrorCode;
  /** A human message naming the offending input (and its line/column for feeds). */
  message: string;
  url: string | null;
  /** Playback stopped. Feed and cart errors never are. */
  fatal?: boolean;
  /** Feed problems, one message each (`feed_invalid`). */
  issues?: string[];
}

/** A rendition of the stream, in ascending bandwidth; `setQuality(index)` takes its `index`. */
export interface Rendition {
  index: number;
  bandwidth: number;
  width: number | null;
  height: number | null;
  label: string;
}

/** `shoppable:ready`: the stream and the feed are loaded. */
export interface ReadyDetail {
  engine: 'mse' | 'native';
  live: boolean;
  /** Seconds; null for live streams. */
  duration: number | null;
  renditions: Rendition[];
  /** Products in the feed. */
  products: number;
}

/** Every event the player dispatches, by name (`shoppable:<name>` on the element, `player.on(name, cb)`). */
export interface PlayerEventMap {
  ready: ReadyDetail;
  error: PlayerErrorDetail;
  view_item_list: EcommerceEvent<'view_item_list'>;
  select_item: EcommerceEvent<'select_item'>;
  view_item: EcommerceEvent<'view_item'>;
  select_variant: EcommerceEvent<'select_variant'>;
  add_to_cart: EcommerceEvent<'add_to_cart'>;
  remove_from_cart: EcommerceEvent<'remove_from_cart'>;
  view_cart: EcommerceEvent<'view_cart'>;
  begin_checkout: EcommerceEvent<'begin_checkout'>;
  video_start: VideoStartEvent;
  video_progress: VideoProgressEvent;
  video_complete: VideoCompleteEvent;
  video_quality_change: VideoQualityChangeEvent;
  video_stall: VideoStallEvent;
  video_error: VideoErrorEvent;
  miniplayer_open: MiniplayerEvent;
  miniplayer_close: MiniplayerEvent;
  video_assisted_view: VideoAssistedViewEvent;
}

export type PlayerEventName = keyof PlayerEventMap;

/** One entry of `window.dataLayer` as the player pushes it (ecommerce events follow a `{ecommerce: null}` push). */
export type DataLayerEntry = { ecommerce: null } | PlayerEventMap[Exclude<PlayerEventName, 'ready' | 'error'>];

// ───────────────────────────── The player ─────────────────────────────

export interface Player {
  /** Resolves once the engine (module + wasm) has loaded and the player is mounted. */
  readonly ready: Promise<void>;
  /** Starts playback; rejects when the browser refuses (autoplay rules). */
  play(): Promise<void>;
  pause(): void;
  /** Moves the playhead to `time` seconds. */
  seek(time: number): void;
  /** Plays another HLS stream in this player. */
  load(src: string): void;
  /** An index into `ready`'s `renditions`, or -1 for automatic. */
  setQuality(index: number): void;
  /** Replaces the product feed. Problems are reported as `error` events (`feed_invalid`). */
  setProducts(feed: ProductsInput): void;
  /** Shows `productId`'s card from now on, for `duration` seconds (default 10). */
  highlightProduct(productId: FeedId, duration?: number): void;
  /** The page's cart. */
  readonly cart: PlayerCart;
  /** The playhead in seconds (0 until ready). */
  readonly currentTime: number;
  /** The element `shoppable:*` events are dispatched on. */
  readonly element: HTMLElement;
  /** Calls `callback(detail)` for every `type` event; returns a function that unsubscribes. */
  on<K extends PlayerEventName>(type: K, callback: (detail: PlayerEventMap[K]) => void): () => void;
  /** Grants or denies storing the attribution record (`'denied'` also removes it). */
  setConsent(consent: Consent): void;
  /** The lookback attribution record, pruned to the window; null before the engine has loaded. */
  getAttribution(): AttributionRecord | null;
  /** Stops playback and removes everything the player created. Safe to call twice. */
  destroy(): void;
}

/** Creates a player inside `container` (appends a host element to it). */
export function createPlayer(container: Element, options?: PlayerOptions): Player;

/** Renders a player into `host` itself (what the custom element does). */
export function attach(host: HTMLElement, options?: PlayerOptions): Player;

/** Defines `<shoppable-player>` (or `name`) for pages that use the npm package. Returns the class. */
export function defineElement(name?: string): CustomElementConstructor;

/**
 * On a page about `productId` (typically its product page): pushes `video_assisted_view` when the
 * viewer interacted with that product in a video within the lookback window, once per page load.
 * Resolves to whether it pushed. Script-tag pages: `ShoppablePlayer.trackProductView`.
 */
export function trackProductView(productId: FeedId, options?: TrackProductViewOptions): Promise<boolean>;

/** Defines `<shoppable-player-tracker product-id="…">` (or `name`), which calls `trackProductView`. */
export function defineTracker(name?: string): CustomElementConstructor;

/**
 * Puts back the miniplayer the previous page of this site left floating (same video, second and
 * muted state). The script-tag loader does this by itself. Returns the new element, or null.
 */
export function restoreMiniplayer(name?: string): HTMLElement | null;

/** The `<shoppable-player>` element. */
export interface ShoppablePlayerElement extends HTMLElement {
  /** The player, once the engine has loaded (null before, and after disconnection). */
  readonly player: Player | null;
  addEventListener<K extends PlayerEventName>(
    type: `shoppable:${K}`,
    listener: (this: ShoppablePlayerElement, event: CustomEvent<PlayerEventMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'shoppable-player': ShoppablePlayerElement;
  }
  interface Window {
    /** Defined by the script-tag loader (`dist/shoppable-player.js`). */
    ShoppablePlayer?: {
      trackProductView(productId: FeedId, options?: TrackProductViewOptions): Promise<boolean>;
    };
  }
}
