// Issue 10 in real Chromium: the miniplayer (float, scroll, keep playing, survive a page
// navigation with the cart), clip mode (`start`/`end`, `loop`, "watch the full show"),
// product clips (`product="ID"`) and chapter markers on the seek bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, browserPerFile } from './harness.mjs';

const FMP4 = '/streams/vod-fmp4/master.m3u8';
const DEMO_FEED = '/feeds/demo.json';
const BASE = { src: FMP4, products: DEMO_FEED, engine: 'mse', muted: true, 'video-id': 'spring-show', 'video-title': 'Spring drop' };
/** One segment of the test streams, the tolerance for where a clip stops. */
const SEGMENT = 2;

const files = browserPerFile();

/** Opens the test page (made tall, so it can scroll) with one player, recording its events. */
async function openPlayer(attributes, { page: existing = null } = {}) {
  let page = existing;
  if (!page) {
    ({ page } = await files.open());
    await page.goto(`${baseUrl()}/tests/player.html`);
    await page.evaluate(() => sessionStorage.clear());
  }
  await page.evaluate((attributes) => {
    localStorage.clear();
    window.__events = [];
    document.body.style.minHeight = '3000px';
    const player = document.createElement('shoppable-player');
    for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value === true ? '' : value);
    for (const type of ['ready', 'miniplayer_open', 'miniplayer_close']) {
      player.addEventListener(`shoppable:${type}`, (e) => window.__events.push({ type, detail: e.detail }));
    }
    document.getElementById('stage').append(player);
  }, attributes);
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'ready'), null, { timeout: 20_000 });
  return page;
}

const part = (page, name) => page.locator('shoppable-player').locator(`[part="${name}"]`);
const currentTime = (page) => page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').currentTime);
const paused = (page) => page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').paused);
const waitForTime = (page, predicate, arg, timeout = 20_000) =>
  page.waitForFunction(
    ({ predicate, arg }) => new Function('t', 'arg', `return (${predicate})(t, arg)`)(document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime ?? -1, arg),
    { predicate: predicate.toString(), arg },
    { timeout },
  );

test('the miniplayer floats while the page scrolls, keeps playing, docks by dragging and expands back', async () => {
  const page = await openPlayer({ ...BASE, autoplay: true });
  await waitForTime(page, (t) => t > 0.5);
  await part(page, 'miniplayer-button').click();
  const host = page.locator('shoppable-player');
  assert.equal(await host.getAttribute('data-miniplayer'), 'bottom-right');
  await page.evaluate(() => window.scrollTo(0, 2500));
  const box = await host.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box.x + box.width <= viewport.width && box.y + box.height <= viewport.height && box.y > viewport.height / 2,
    `floats in the bottom right of the window after scrolling: ${JSON.stringify(box)}`);
  const before = await currentTime(page);
  await waitForTime(page, (t, before) => t > before + 1, before);
  // Dragged to the top left, it docks there.
  const handle = part(page, 'miniplayer-drag');
  const from = await handle.boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(40, 40, { steps: 5 });
  await page.mouse.up();
  assert.equal(await host.getAttribute('data-miniplayer'), 'top-left');
  await part(page, 'miniplayer-expand').click();
  assert.equal(await host.getAttribute('data-miniplayer'), null);
  const events = await page.evaluate(() => window.__events.filter((e) => e.type.startsWith('miniplayer')).map((e) => [e.type, e.detail.video_id]));
  assert.deepEqual(events, [['miniplayer_open', 'spring-show'], ['miniplayer_close', 'spring-show']]);
  const pushed = await page.evaluate(() => dataLayer.filter((e) => /^miniplayer_/.test(e.event)).map((e) => e.event));
  assert.deepEqual(pushed, ['miniplayer_open', 'miniplayer_close']);
});

test('a floating miniplayer follows the shopper to the next page: same video and second, cart intact', async () => {
  const page = await openPlayer({ ...BASE, autoplay: true });
  await page.evaluate(() => document.querySelector('shoppable-player').player.cart.add('40002', 2));
  await waitForTime(page, (t) => t > 3);
  await part(page, 'miniplayer-button').click();
  // Leave the page (as a click on a store link would); pagehide saves the miniplayer.
  const left = await currentTime(page);
  await page.goto(`${baseUrl()}/tests/player.html?page=2`);
  const restored = page.locator('shoppable-player');
  await restored.waitFor({ state: 'attached' });
  // The loader inserts the element at once; it floats once the engine has loaded and mounted.
  await page.waitForFunction(() => document.querySelector('shoppable-player')?.hasAttribute('data-miniplayer'), null, { timeout: 20_000 });
  assert.equal(await restored.getAttribute('data-miniplayer'), 'bottom-right', 'it floats on the new page');
  await page.waitForFunction(() => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.readyState >= 2, null, { timeout: 20_000 });
  const resumed = await currentTime(page);
  assert.ok(Math.abs(resumed - left) < 1 + 0.5, `resumed at ${resumed} s, left at ${left} s`);
  await waitForTime(page, (t, r) => t > r + 0.5, resumed);
  assert.equal((await part(page, 'cart-count').textContent()).trim(), '2');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('shoppable-player:miniplayer:v1')), null, 'restored once');
  // Closing a restored miniplayer removes it from the page.
  await part(page, 'miniplayer-close').click();
  await restored.waitFor({ state: 'detached' });
});

test('clip mode: start/end plays just that part and ends on "watch the full show", which plays on', async () => {
  const page = await openPlayer({ ...BASE, autoplay: true, start: '6', end: '10' });
  await waitForTime(page, (t) => t >= 6 && t < 7);
  await part(page, 'full-show-button').waitFor({ timeout: 20_000 });
  const stopped = await currentTime(page);
  assert.ok(stopped >= 10 - 0.5 && stopped <= 10 + SEGMENT, `stopped at ${stopped}`);
  assert.equal(await paused(page), true);
  await part(page, 'full-show-button').click();
  await waitForTime(page, (t, s) => t > s + 1.5, stopped);
  assert.equal(await part(page, 'full-show-button').count(), 0);
});

test('clip mode with loop starts again at start', async () => {
  const page = await openPlayer({ ...BASE, autoplay: true, start: '4', end: '7', loop: true });
  await waitForTime(page, (t) => t > 6.5);
  await waitForTime(page, (t) => t >= 4 && t < 5.5);
  assert.equal(await paused(page), false);
  assert.equal(await part(page, 'full-show-button').count(), 0);
});

test('product="tote" plays exactly the tote\'s moment from the feed timeline', async () => {
  const page = await openPlayer({ ...BASE, autoplay: true, product: 'tote' });
  // The demo feed shows the tote from 20 s to 28 s.
  await waitForTime(page, (t) => t >= 20 && t < 21.5);
  const cards = await part(page, 'product-card').evaluateAll((els) => els.map((e) => e.dataset.productId));
  assert.deepEqual(cards, ['tote']);
  await part(page, 'full-show-button').waitFor({ timeout: 20_000 });
  const stopped = await currentTime(page);
  assert.ok(stopped >= 28 - 0.5 && stopped <= 28 + SEGMENT, `stopped at ${stopped}`);
});

test('chapter markers name each product moment and seek to it, by pointer and by keyboard', async () => {
  const page = await openPlayer(BASE);
  const markers = part(page, 'chapter');
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelectorAll('[part="chapter"]').length === 2);
  assert.deepEqual(
    await markers.evaluateAll((els) => els.map((e) => [e.dataset.productId, e.getAttribute('aria-label')])),
    [['tee', 'Linen tee, 0:04'], ['tote', 'Canvas tote, 0:20']],
  );
  await markers.nth(1).hover();
  assert.ok(await markers.nth(1).locator('.sp-chapter-name').isVisible(), 'the name shows on hover');
  await markers.nth(1).click();
  await waitForTime(page, (t) => Math.abs(t - 20) < 0.1);
  await markers.nth(0).focus();
  await page.keyboard.press('Enter');
  await waitForTime(page, (t) => Math.abs(t - 4) < 0.1);
});
