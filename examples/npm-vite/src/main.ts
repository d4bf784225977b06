// A store page that plays a shoppable video from the npm package. Strict TypeScript: every
// option, event payload and cart line below is checked against the package's declarations.
import { createPlayer, type CartItem, type Player, type PlayerOptions } from 'shoppable-player';
import './style.css';

const slot = document.querySelector<HTMLDivElement>('#player');
const bagCount = document.querySelector<HTMLOutputElement>('#bag-count');
const status = document.querySelector<HTMLParagraphElement>('#status');
if (!slot || !bagCount || !status) throw new Error('the page is missing #player, #bag-count or #status');

const options: PlayerOptions = {
  src: '/streams/vod-fmp4/master.m3u8',
  products: '/feeds/demo.json',
  videoId: 'spring-show',
  videoTitle: 'Spring drop',
  currency: 'USD',
  checkout: 'event',
  engine: 'mse',
  muted: true,
  autoplay: true,
};
const player: Player = createPlayer(slot, options);

/** The store's own bag badge follows the player's cart (shared by every player on the page). */
function showBag(items: readonly CartItem[]): void {
  bagCount!.value = String(items.reduce((units, line) => units + line.quantity, 0));
}

player.on('ready', ({ duration, renditions, products }) => {
  const length = duration === null ? 'live' : `${Math.round(duration)} s`;
  status.textContent = `Playing (${length}, ${renditions.length} qualities, ${products} products)`;
  showBag(player.cart.items);
});
player.on('error', ({ code, message }) => {
  status.textContent = `${code}: ${message}`;
});
for (const type of ['add_to_cart', 'remove_from_cart'] as const) {
  player.on(type, () => showBag(player.cart.items));
}
player.on('begin_checkout', (event) => {
  // `checkout: 'event'` leaves the hand-off to the store: here, its own cart page.
  const lines = player.cart.items.map((line) => `${line.variant_id}:${line.quantity}`).join(',');
  status.textContent = `Checkout: ${lines} (${event.ecommerce?.value ?? 0} ${event.ecommerce?.currency ?? ''})`.trim();
});

// For the browser tests and the curious: the player on the page.
declare global {
  interface Window {
    shoppablePlayer: Player;
  }
}
window.shoppablePlayer = player;
