// Issue 11 on a phone-sized touch screen (390×844, touch, device scale factor 3): a vertical
// show fills the player, cards and panels take their phone forms (carousel, bottom sheets that
// swipe closed), every touch target is at least 44×44, controls step aside and come back on a
// tap; and the iPhone engines: ManagedMediaSource (a stand-in wrapping the real MediaSource)
// and native HLS (Chromium here plays HLS itself) when no Media Source exists at all.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, baseUrl, newPage } from './harness.mjs';

const VERTICAL = '/streams/vod-vertical/master.m3u8';
const LANDSCAPE = '/streams/vod-fmp4/master.m3u8';
const DEMO_FEED = '/feeds/demo.json';
/** The demo feed's products without its timeline: moments come only from the stream. */
const PRODUCTS_ONLY = (() => {
  const feed = JSON.parse(readFileSync(new URL('../../examples/feeds/demo.json', import.meta.url), 'utf8'));
  delete feed.timeline;
  return JSON.stringify(feed);
})();
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

let browser;
const pages = new Set();
before(async () => {
  browser = await launchBrowser(PHONE);
});
afterEach(async () => {
  for (const page of pages) await page.close().catch(() => {});
  pages.clear();
});
after(async () => {
  await browser?.close();
});

/** Opens the test page (after `initScript`, if any) and inserts one player with `attributes`. */
async function openPlayer(attributes, { initScript = null, inlineFeed = null, css = null } = {}) {
  const opened = await newPage(browser);
  const { page } = opened;
  pages.add(page);
  if (initScript) await page.addInitScript(initScript);
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate(({ attributes, inlineFeed, css }) => {
    localStorage.clear();
    if (css) {
      const style = document.createElement('style');
      style.textContent = css;
      document.head.append(style);
    }
    window.__events = [];
    window.dataLayer = [];
    const player = document.createElement('shoppable-player');
    for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value === true ? '' : value);
    if (inlineFeed) {
      const script = document.createElement('script');
      script.type = 'application/json';
      script.textContent = inlineFeed;
      player.append(script);
    }
    for (const type of ['ready', 'error', 'add_to_cart', 'video_start']) {
      player.addEventListener(`shoppable:${type}`, (e) => window.__events.push({ type, detail: e.detail }));
    }
    document.getElementById('stage').append(player);
  }, { attributes, inlineFeed, css });
  return opened;
}

const part = (page, name) => page.locator(`shoppable-player [part="${name}"]`);
const waitForEvent = (page, type, timeout = 20_000) =>
  page.waitForFunction((type) => window.__events.some((e) => e.type === type), type, { timeout });
const eventDetail = (page, type) => page.evaluate((type) => window.__events.find((e) => e.type === type)?.detail, type);
const videoTime = (page) => page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').currentTime);
const waitForTime = (page, seconds, timeout = 25_000) =>
  page.waitForFunction(
    (s) => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime > s,
    seconds,
    { timeout },
  );
const rect = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
});

/**
 * Where the picture is drawn inside the video element, from its intrinsic size and object-fit:
 * what a person sees, rather than the element's box (which is the same either way).
 */
const picture = (page) => page.evaluate(() => {
  const video = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
  const box = video.getBoundingClientRect();
  const fit = getComputedStyle(video).objectFit;
  const scale = (fit === 'cover' ? Math.max : Math.min)(box.width / video.videoWidth, box.height / video.videoHeight);
  const width = video.videoWidth * scale;
  const height = video.videoHeight * scale;
  return {
    box: { width: box.width, height: box.height },
    // The part of the element's box the picture covers.
    covered: { width: Math.min(width, box.width), height: Math.min(height, box.height) },
    fit,
  };
});

/** A finger drag on the screen through CDP's touch input (real touchstart/move/end). */
async function swipe(page, from, to, steps = 8) {
  const cdp = await page.context().newCDPSession(page);
  const point = (x, y) => [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from.x, from.y) });
  for (let i = 1; i <= steps; i++) {
    const x = from.x + ((to.x - from.x) * i) / steps;
    const y = from.y + ((to.y - from.y) * i) / steps;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(x, y) });
    await page.waitForTimeout(16);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/**
 * Every interactive element with a `part` that is shown now, with its size: those under 44×44
 * CSS px are what a thumb would miss.
 */
const smallTargets = (page) => page.evaluate(() => {
  const root = document.querySelector('shoppable-player').shadowRoot;
  const interactive = 'button, a[href], input, select, [role="button"], [tabindex]:not([tabindex="-1"])';
  return [...root.querySelectorAll('[part]')]
    .filter((el) => el.matches(interactive))
    .filter((el) => {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden';
    })
    .map((el) => {
      const r = el.getBoundingClientRect();
      return { part: el.getAttribute('part'), width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 };
    })
    .filter(({ width, height }) => width < 44 || height < 44);
});

test('the phone emulation is a touch screen with a coarse pointer', async () => {
  const { page } = await openPlayer({ src: VERTICAL, engine: 'mse', muted: true });
  const facts = await page.evaluate(() => ({
    width: innerWidth,
    ratio: devicePixelRatio,
    coarse: matchMedia('(pointer: coarse)').matches,
    touch: navigator.maxTouchPoints > 0,
  }));
  assert.deepEqual(facts, { width: 390, ratio: 3, coarse: true, touch: true });
});

test('a vertical show fills a phone-width player; a 16:9 show in a phone-shaped box is letterboxed', async () => {
  const { page, pageErrors } = await openPlayer({ src: VERTICAL, products: DEMO_FEED, engine: 'mse', muted: true, autoplay: true });
  await waitForTime(page, 1);
  await page.waitForFunction(() => document.querySelector('shoppable-player').dataset.videoOrientation === 'portrait');
  const host = await rect(page.locator('shoppable-player'));
  assert.equal(Math.round(host.width), 390);
  // 9:16 at the screen's width: 693 px tall, within the 844 px screen.
  assert.ok(Math.abs(host.height - (390 * 16) / 9) < 2, `player is ${host.width}×${host.height}`);
  const vertical = await picture(page);
  assert.ok(vertical.covered.width >= vertical.box.width - 1 && vertical.covered.height >= vertical.box.height - 1,
    `the picture fills the player: ${JSON.stringify(vertical)}`);
  assert.deepEqual(pageErrors, []);

  // The page sizes the player as the whole screen: the vertical show fills it (cropping a
  // sliver), the 16:9 show keeps its shape in a letterbox.
  const fullScreen = 'shoppable-player { height: 844px; }';
  for (const [src, fills] of [[VERTICAL, true], [LANDSCAPE, false]]) {
    const other = await openPlayer({ src, engine: 'mse', muted: true, autoplay: true }, { css: fullScreen });
    await waitForTime(other.page, 0.5);
    const seen = await picture(other.page);
    assert.equal(Math.round(seen.box.height), 844);
    if (fills) {
      assert.ok(seen.covered.width >= 389 && seen.covered.height >= 843, `vertical fills: ${JSON.stringify(seen)}`);
    } else {
      assert.ok(Math.abs(seen.covered.height - (390 * 9) / 16) < 2, `16:9 letterboxed: ${JSON.stringify(seen)}`);
      assert.equal(seen.fit, 'contain');
    }
  }
});

test('shopping by touch: card carousel, bottom sheet, variant, add, swipe closed, cart sheet, 44 px targets', async () => {
  const { page, pageErrors } = await openPlayer({ src: VERTICAL, products: DEMO_FEED, engine: 'mse', muted: true, autoplay: true });
  const card = page.locator('shoppable-player [part="product-card"][data-product-id="tee"]');
  await card.waitFor({ state: 'visible', timeout: 20_000 });
  const host = await rect(page.locator('shoppable-player'));
  // The cards run along the bottom, across the player's width, above the controls.
  const cards = await rect(page.locator('shoppable-player .sp-cards'));
  assert.ok(cards.width > host.width - 2, `carousel spans the player: ${JSON.stringify(cards)}`);
  const controls = await rect(part(page, 'controls'));
  assert.ok(cards.bottom <= controls.top + 30 && cards.top > host.top + host.height / 2, `carousel at the bottom: ${JSON.stringify({ cards, controls })}`);
  assert.deepEqual(await smallTargets(page), [], 'player targets are at least 44×44');

  await card.tap();
  const sheet = part(page, 'product-sheet');
  await sheet.waitFor({ state: 'visible' });
  await page.waitForTimeout(400); // the slide-up animation
  const sheetBox = await rect(sheet);
  // A bottom sheet: full width, on the player's bottom edge, not covering the top.
  assert.ok(Math.abs(sheetBox.bottom - host.bottom) < 1.5, `sheet on the bottom edge: ${JSON.stringify({ sheetBox, host })}`);
  assert.ok(Math.abs(sheetBox.width - host.width) < 1.5);
  assert.ok(sheetBox.top > host.top + 40, `sheet leaves the top of the video: ${JSON.stringify(sheetBox)}`);
  assert.deepEqual(await smallTargets(page), [], 'sheet targets are at least 44×44');

  // Sand S is preselected and Navy S is sold out: size first, then colour.
  await page.locator('shoppable-player [part="variant-option"][data-value="M"]').tap();
  await page.locator('shoppable-player [part="variant-option"][data-value="Navy"]').tap();
  for (const value of ['M', 'Navy']) {
    assert.equal(await page.locator(`shoppable-player [part="variant-option"][data-value="${value}"]`).getAttribute('aria-pressed'), 'true');
  }
  await part(page, 'add-to-cart').tap();
  await page.waitForFunction(() => window.__events.some((e) => e.type === 'add_to_cart'));
  assert.equal((await part(page, 'cart-count').textContent()).trim(), '1');

  // A short drag down by the grabber springs back; a long one closes the sheet. (The sheet
  // grew with the "added" message, and tapping scrolled it: measure it again.)
  const x = sheetBox.left + sheetBox.width / 2;
  const grown = await rect(sheet);
  await swipe(page, { x, y: grown.top + 12 }, { x, y: grown.top + 40 });
  await page.waitForTimeout(400);
  assert.equal(await sheet.isVisible(), true, 'a short drag does not close the sheet');
  assert.ok(Math.abs((await rect(sheet)).top - grown.top) < 1.5, 'and the sheet is back in place');
  await swipe(page, { x, y: grown.top + 12 }, { x, y: grown.top + 360 });
  await sheet.waitFor({ state: 'detached', timeout: 3_000 });

  await part(page, 'cart-button').tap();
  const drawer = part(page, 'cart-drawer');
  await drawer.waitFor({ state: 'visible' });
  await page.waitForTimeout(400);
  const drawerBox = await rect(drawer);
  assert.ok(Math.abs(drawerBox.bottom - host.bottom) < 1.5 && drawerBox.top > host.top + 40, `cart is a bottom sheet: ${JSON.stringify(drawerBox)}`);
  assert.equal(await page.locator('shoppable-player [part="cart-line"][data-variant-id="40005"]').count(), 1);
  assert.deepEqual(await smallTargets(page), [], 'cart targets are at least 44×44');
  await swipe(page, { x, y: drawerBox.top + 12 }, { x, y: drawerBox.top + 360 });
  await drawer.waitFor({ state: 'detached', timeout: 3_000 });
  assert.deepEqual(pageErrors, []);
});

test('muted autoplay offers tap-to-unmute; controls hide during playback and a tap brings them back without pausing', async () => {
  const { page, pageErrors } = await openPlayer({ src: VERTICAL, engine: 'mse', muted: true, autoplay: true });
  const unmute = part(page, 'unmute-button');
  await unmute.waitFor({ state: 'visible', timeout: 20_000 });
  const controls = part(page, 'controls');
  // No interaction for a while: the controls step aside.
  await page.waitForFunction(
    () => getComputedStyle(document.querySelector('shoppable-player').shadowRoot.querySelector('[part="controls"]')).visibility === 'hidden',
    null,
    { timeout: 8_000 },
  );
  const before = await videoTime(page);
  await part(page, 'video').tap({ position: { x: 195, y: 250 } });
  await page.waitForTimeout(300);
  assert.equal(await controls.evaluate((el) => getComputedStyle(el).visibility), 'visible');
  const state = await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').paused);
  assert.equal(state, false, 'the tap that shows the controls does not pause');
  assert.ok((await videoTime(page)) > before);
  // A second tap, with the controls shown, pauses as a tap on the video does.
  await part(page, 'video').tap({ position: { x: 195, y: 250 } });
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').paused);

  await unmute.tap();
  await unmute.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').muted), false);
  assert.deepEqual(pageErrors, []);
});

/** iOS 17.1+: no `MediaSource`, a `ManagedMediaSource` that decides when fetching is welcome. */
function managedMediaSourceOnly() {
  const Real = window.MediaSource;
  window.__mms = { constructed: 0, streaming: true, fetchedWhileHeld: [], instance: null };
  class ManagedMediaSource extends Real {
    constructor() {
      super();
      window.__mms.constructed += 1;
      window.__mms.instance = this;
      // As Safari does once enough is buffered: ask for no more until further notice.
      this.addEventListener('sourceopen', () => {
        window.__mms.streaming = false;
        this.dispatchEvent(new Event('endstreaming'));
      });
    }
  }
  window.__mms.start = () => {
    window.__mms.streaming = true;
    window.__mms.instance.dispatchEvent(new Event('startstreaming'));
  };
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    if (!window.__mms.streaming && !url.endsWith('.m3u8')) window.__mms.fetchedWhileHeld.push(url);
    return fetch.call(this, input, init);
  };
  delete window.MediaSource;
  window.ManagedMediaSource = ManagedMediaSource;
}

test('without MediaSource, playback goes through ManagedMediaSource and fetches media only while streaming is allowed', async () => {
  const { page, pageErrors } = await openPlayer(
    { src: VERTICAL, products: DEMO_FEED, muted: true, autoplay: true },
    { initScript: managedMediaSourceOnly },
  );
  // (`load` replaces the first source with a fresh one, so there may be two.)
  await page.waitForFunction(() => window.__mms.constructed >= 1 && window.__mms.streaming === false);
  // Held: the engine has its playlists, but no media arrives and nothing plays.
  await page.waitForTimeout(2_000);
  assert.deepEqual(await page.evaluate(() => window.__mms.fetchedWhileHeld), []);
  assert.equal(await videoTime(page), 0);
  await page.evaluate(() => window.__mms.start());
  await waitForTime(page, 2);
  await waitForEvent(page, 'ready');
  const ready = await eventDetail(page, 'ready');
  assert.equal(ready.engine, 'managed-mse');
  assert.equal(ready.renditions.length, 2);
  const facts = await page.evaluate(() => ({
    constructed: window.__mms.constructed > 0,
    hasMediaSource: 'MediaSource' in window,
    remote: document.querySelector('shoppable-player').shadowRoot.querySelector('video').disableRemotePlayback,
  }));
  assert.deepEqual(facts, { constructed: true, hasMediaSource: false, remote: true });
  await page.waitForFunction(() => window.dataLayer.some((e) => e.event === 'video_start'));
  const start = await page.evaluate(() => window.dataLayer.find((e) => e.event === 'video_start'));
  assert.equal(start.video_engine, 'managed-mse');
  assert.deepEqual(pageErrors, []);
});

test('without any Media Source, native HLS plays; cards follow the feed and the stream\'s metadata cues', async () => {
  const { page, pageErrors } = await openPlayer(
    { src: VERTICAL, products: DEMO_FEED, muted: true, autoplay: true },
    { initScript: () => { delete window.MediaSource; delete window.ManagedMediaSource; } },
  );
  await waitForEvent(page, 'ready');
  const ready = await eventDetail(page, 'ready');
  assert.equal(ready.engine, 'native');
  assert.deepEqual(ready.renditions, []);
  assert.equal(ready.live, false);
  assert.equal(await part(page, 'quality-menu').count(), 0, 'no quality menu: the browser chooses');
  const src = await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').src);
  assert.ok(src.endsWith(VERTICAL), `the element plays the playlist itself: ${src}`);
  // The feed's tee moment starts at 4 s.
  await page.locator('shoppable-player [part="product-card"][data-product-id="tee"]').waitFor({ timeout: 20_000 });
  const at = await videoTime(page);
  assert.ok(at >= 3.9 && at < 6, `tee card at ${at} s`);
  await page.waitForFunction(() => window.dataLayer.some((e) => e.event === 'video_start'));
  assert.equal((await page.evaluate(() => window.dataLayer.find((e) => e.event === 'video_start'))).video_engine, 'native');
  assert.deepEqual(pageErrors, []);
});

test('native HLS: EXT-X-DATERANGE cues of a metadata text track (as Safari exposes them) become product moments', async () => {
  const { page, pageErrors } = await openPlayer(
    { src: VERTICAL, muted: true, autoplay: true },
    { initScript: () => { delete window.MediaSource; delete window.ManagedMediaSource; }, inlineFeed: PRODUCTS_ONLY },
  );
  await waitForEvent(page, 'ready');
  // Safari: one DataCue per attribute of the range, sharing its id and times. Chromium has no
  // DataCue, so VTTCues carry the same `value` objects.
  await page.evaluate(() => {
    const video = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
    const track = video.addTextTrack('metadata');
    for (const [key, data] of [['CLASS', 'com.shoppable.product'], ['X-PRODUCT-ID', 'tote']]) {
      const cue = new VTTCue(3, 9, '');
      cue.id = 'moment-1';
      cue.value = { key, data };
      cue.type = 'com.apple.quicktime.HLS';
      track.addCue(cue);
    }
    // Another class is not a product moment.
    const other = new VTTCue(3, 9, '');
    other.id = 'ad-1';
    other.value = { key: 'CLASS', data: 'com.example.ad' };
    track.addCue(other);
  });
  const tote = page.locator('shoppable-player [part="product-card"][data-product-id="tote"]');
  await tote.waitFor({ timeout: 20_000 });
  const at = await videoTime(page);
  assert.ok(at >= 2.9 && at < 4.5, `tote card at ${at} s`);
  await waitForTime(page, 9.6);
  assert.equal(await tote.count(), 0, 'the moment ended with its cue');
  assert.equal(await part(page, 'product-card').count(), 0);
  assert.deepEqual(pageErrors, []);
});
