// Compiled by `tsc --noEmit` only (never bundled): the public contract of the package's
// declarations. Each `@ts-expect-error` line must stay an error, so a declaration that becomes
// too loose (or a renamed API) fails the type check.
import {
  attach,
  createPlayer,
  defineElement,
  defineTracker,
  trackProductView,
  type DataLayerEntry,
  type PlayerEventMap,
  type ProductFeed,
  type ShopifyProduct,
} from 'shoppable-player';

export function contract(container: HTMLElement): void {
  const player = createPlayer(container, { src: '/streams/show/master.m3u8', autoplay: true, muted: true });
  void player.play().catch(() => player.pause());
  player.seek(12.5);
  player.load('/streams/other/master.m3u8');
  player.setQuality(-1);
  player.highlightProduct('tee', 5);
  const seconds: number = player.currentTime;
  const host: HTMLElement = player.element;
  void [seconds, host, player.ready];

  // The cart: lines carry cents and major units.
  void player.cart.add('40001', 2).then((added: number) => added);
  void player.cart.update('40001', 1);
  void player.cart.remove(40001);
  void player.cart.clear();
  const cents: number[] = player.cart.items.map((line) => line.unit_price * line.quantity);
  void cents;

  // Event payloads: GA4 ecommerce with the video context.
  const off = player.on('add_to_cart', (event) => {
    const value: number | undefined = event.ecommerce.value;
    const items: string[] = event.ecommerce.items.map((item) => `${item.item_id} × ${item.quantity}`);
    const when: number = event.video_current_time;
    const live: boolean = event.video_live;
    void [value, items, when, live, event.event satisfies 'add_to_cart'];
  });
  off();
  player.on('video_progress', (event) => void (event.video_percent ?? event.video_watch_time));
  player.on('error', ({ code, message, url }) => void [code, message, url]);
  player.on('ready', (ready) => void ready.renditions.map((r) => r.label));

  // Feeds: our shape and Shopify's, mixed.
  const shopify: ShopifyProduct = {
    id: 7234567890999,
    title: 'Canvas Tote',
    options: ['Color'],
    variants: [{ id: 42000000000001, option1: 'Natural', price: 4500, available: true }],
  };
  const feed: ProductFeed = {
    version: 1,
    currency: 'USD',
    products: [{ id: 'tee', title: 'Linen tee', variants: [{ id: '40001', price: 2900 }] }, shopify],
    timeline: [{ product: 'tee', start: 4, end: 18 }],
  };
  player.setProducts(feed);
  player.setProducts(JSON.stringify(feed));
  player.setProducts([shopify]);

  // The element and the DOM events.
  defineElement();
  const element = document.createElement('shoppable-player');
  element.addEventListener('shoppable:begin_checkout', (event) => void event.detail.ecommerce.items.length);
  void element.player?.cart.items;
  attach(document.createElement('div'), { videoId: 'x', checkout: 'shopify' }).destroy();

  // Lookback attribution and consent.
  player.setConsent('denied');
  const record = player.getAttribution();
  void record?.products.map((p) => `${p.product_id}@${p.video_time_ms}`);
  void trackProductView('tee', { attributionWindow: 24 }).then((pushed: boolean) => pushed);
  defineTracker();
  void window.ShoppablePlayer?.trackProductView(7001);

  const entry: DataLayerEntry = { ecommerce: null };
  void entry;
  const detail: PlayerEventMap['view_cart']['ecommerce']['items'][number]['price'] = 29;
  void detail;

  // What must not compile:
  // @ts-expect-error the option is `videoId`, not `video_id`
  createPlayer(container, { video_id: 'x' });
  // @ts-expect-error `autoplay` is a boolean
  createPlayer(container, { autoplay: 'yes' });
  // @ts-expect-error there is no `stop`
  player.stop();
  // @ts-expect-error unknown event name
  player.on('purchase', () => {});
  // @ts-expect-error prices are integer cents, not strings
  player.setProducts({ products: [{ id: 'x', title: 'X', variants: [{ id: '1', price: '29.00' }] }] });
  // @ts-expect-error cart lines are read-only through `add`/`update`/`remove`
  player.cart.items = [];
  player.on('add_to_cart', (event) => {
    // @ts-expect-error add_to_cart carries no video_percent
    void event.video_percent;
  });
  // @ts-expect-error consent is granted or denied
  player.setConsent('yes');
  // @ts-expect-error engine is one of auto | mse | native
  createPlayer(container, { engine: 'flash' });
}
