// Issue 6 in real Chromium: every interaction reaches the page's dataLayer in GA4's ecommerce
// schema, read back as pushed and as GTM's model sees it (Google's data-layer-helper, which
// wraps `dataLayer.push` the way GTM does), plus the DOM event and `player.on` sinks, double
// clicks, consent and lookback attribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { baseUrl, browserPerFile } from './harness.mjs';

const require = createRequire(import.meta.url);
const DATA_LAYER_HELPER = require.resolve('data-layer-helper/dist/data-layer-helper.js');
const FMP4 = '/streams/vod-fmp4/master.m3u8';
const DEMO_FEED = '/feeds/demo.json';
const ATTRIBUTION_KEY = 'shoppable-player:attribution:v1';
const PLAYER = { src: FMP4, products: DEMO_FEED, 'video-id': 'spring-show', 'video-title': 'Spring drop', engine: 'mse', muted: true };

const files = browserPerFile();

/**
 * Opens the test page at `query`, runs `beforePlayer` in it (e.g. a Consent Mode default), sets
 * up `window[layer]` watched by data-layer-helper (its model after every event is kept in
 * `window.__models`), then inserts one player with `attributes`.
 */
async function openPlayer(attributes, { query = '', layer = 'dataLayer', beforePlayer = null, clearStorage = true } = {}) {
  const opened = await files.open();
  const { page } = opened;
  await page.goto(`${baseUrl()}/tests/player.html${query}`);
  if (clearStorage) await page.evaluate(() => localStorage.clear());
  await page.addScriptTag({ path: DATA_LAYER_HELPER });
  await page.evaluate(
    ({ attributes, layer, beforePlayer }) => {
      window[layer] = window[layer] || [];
      window.gtag = function gtag() {
        window[layer].push(arguments);
      };
      if (beforePlayer) new Function(beforePlayer)();
      window.__models = [];
      window.__dom = [];
      // GTM's view: the merged model right after each event.
      const helper = new DataLayerHelper(window[layer], (model, message) => {
        if (message && message.event) {
          window.__models.push({ event: message.event, ecommerce: JSON.parse(JSON.stringify(helper.get('ecommerce') ?? null)) });
        }
      }, true);
      const player = document.createElement('shoppable-player');
      for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value === true ? '' : value);
      player.addEventListener('shoppable:ready', () => {
        // `player.on` is the third sink; it must see what the DOM event sees.
        for (const type of ['select_item', 'add_to_cart', 'begin_checkout']) {
          player.player.on(type, (detail) => window.__dom.push({ via: 'on', type, detail }));
        }
      });
      for (const type of ['select_item', 'add_to_cart', 'begin_checkout']) {
        player.addEventListener(`shoppable:${type}`, (e) => window.__dom.push({ via: 'dom', type, detail: e.detail }));
      }
      document.getElementById('stage').append(player);
    },
    { attributes, layer, beforePlayer: beforePlayer && `(${beforePlayer})()` },
  );
  return opened;
}

const part = (page, name) => page.locator('shoppable-player').locator(`[part="${name}"]`);
const entries = (page, layer = 'dataLayer') =>
  page.evaluate((layer) => JSON.parse(JSON.stringify([...window[layer]].filter((e) => !(e && e.length !== undefined)))), layer);
const pushed = (page, event, layer = 'dataLayer') =>
  page.waitForFunction(({ event, layer }) => (window[layer] || []).some((e) => e && e.event === event), { event, layer }, { timeout: 20_000 });
const callPlayer = (page, script) => page.evaluate(`document.querySelector('shoppable-player').player.${script}`);

/** Items as the demo feed describes them (GA4 item shape). */
const item = (id, variant, price, quantity, index = 0, { name = 'Linen tee', category = 'Tops' } = {}) => ({
  item_id: id,
  item_name: name,
  item_brand: 'Acme',
  item_category: category,
  item_variant: variant,
  price,
  quantity,
  ...(index === null ? {} : { index }),
  item_list_id: 'spring-show',
  item_list_name: 'Spring drop',
});
const ecommerce = (value, items) => ({ currency: 'USD', value, items });

/**
 * Checks the context every event carries and strips its moving parts (`video_current_time`,
 * the session id) so the rest can be compared exactly. Returns the stripped entries.
 */
function checkContext(list, { videoUrl, duration, session }) {
  return list.map((entry) => {
    if (!entry.event) return entry;
    const { video_current_time: time, video_session_id: id, video_duration: d, ...rest } = entry;
    assert.equal(typeof time, 'number', `${entry.event}: video_current_time`);
    assert.ok(time >= 0 && time <= duration + 0.5, `${entry.event}: video_current_time ${time}`);
    assert.equal(id, session, `${entry.event}: one session id for the view`);
    // The playlist's 30 s at first; the media's own length once it has all been appended.
    assert.ok(Math.abs(d - duration) < 0.25, `${entry.event}: video_duration ${d}, the video's ${duration}`);
    assert.equal(rest.video_url, videoUrl);
    assert.equal(rest.video_provider, 'shoppable-player');
    assert.equal(rest.video_live, false);
    assert.equal(rest.utm_source, 'newsletter');
    assert.equal(rest.utm_campaign, 'spring');
    const { video_id, video_title, video_url, video_provider, video_live, utm_source, utm_campaign, ...own } = rest;
    assert.equal(video_id, 'spring-show');
    assert.equal(video_title, 'Spring drop');
    return own;
  });
}

test('a scripted viewing session pushes the exact ordered GA4 entries, and GTM\'s model matches each', async () => {
  const { page, pageErrors } = await openPlayer(
    { ...PLAYER, autoplay: true, checkout: 'event' },
    { query: '?utm_source=newsletter&utm_campaign=spring&utm_term=' },
  );
  // A card shows at 4 s and is seen for a second: `view_item_list`. Then pause to shop.
  await pushed(page, 'view_item_list');
  await callPlayer(page, 'pause()');
  await part(page, 'product-card').click();
  await part(page, 'product-sheet').waitFor();
  const sheet = page.locator('shoppable-player').locator('[part="product-sheet"]');
  // Size first: Navy in S is sold out, so Navy is marked unavailable until M is chosen.
  await sheet.locator('[part="variant-option"][data-value="M"]').click();
  await sheet.locator('[part="variant-option"][data-value="Navy"]').click();
  await sheet.locator('[part="variant-option"][data-value="L"]').click();
  await part(page, 'add-to-cart').click();
  await page.waitForTimeout(700); // two deliberate clicks, not a double click
  await part(page, 'add-to-cart').click();
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelector('[part="cart-count"]').textContent.trim() === '2');
  await page.keyboard.press('Escape');
  await part(page, 'cart-button').click();
  await part(page, 'cart-drawer').waitFor();
  await part(page, 'quantity-decrease').click();
  await part(page, 'checkout-button').click();
  await pushed(page, 'begin_checkout');
  // Watch on past 25 %.
  await callPlayer(page, 'play()');
  await page.waitForFunction(() => dataLayer.some((e) => e.event === 'video_progress' && e.video_percent === 25), null, { timeout: 20_000 });

  const all = await entries(page);
  const { duration, session } = await page.evaluate(() => ({
    duration: Math.round(document.querySelector('shoppable-player').shadowRoot.querySelector('video').duration * 1000) / 1000,
    session: dataLayer.find((e) => e.event)?.video_session_id,
  }));
  assert.match(session, /^[0-9a-f]{16}$/);
  // Quality changes (and any stall) come whenever the network decides: checked on their own.
  const quality = all.filter((e) => e.event === 'video_quality_change');
  assert.ok(quality.length >= 1, 'the first rendition is reported');
  assert.equal(quality[0].video_quality_previous, undefined);
  assert.equal(quality[0].video_quality_auto, true);
  assert.match(quality[0].video_quality, /^\d+p$/);
  const session_entries = all.filter((e) => e.event !== 'video_quality_change' && e.event !== 'video_stall');
  const stripped = checkContext(session_entries, { videoUrl: `${baseUrl()}${FMP4}`, duration, session });
  assert.equal(all.filter((e) => e.utm_term !== undefined).length, 0, 'empty campaign values are left out');

  const navyL = item('TEE-NAVY-L', 'Navy / L', 31, 1, null);
  assert.deepEqual(stripped, [
    { event: 'video_start', video_percent: 0, visible: true, video_engine: 'mse' },
    { event: 'video_progress', video_percent: 10, visible: true },
    { ecommerce: null },
    { event: 'view_item_list', ecommerce: ecommerce(29, [item('TEE-SAND-S', 'Sand / S', 29, 1)]) },
    { ecommerce: null },
    { event: 'select_item', ecommerce: ecommerce(29, [item('TEE-SAND-S', 'Sand / S', 29, 1)]) },
    { ecommerce: null },
    { event: 'view_item', ecommerce: ecommerce(29, [item('TEE-SAND-S', 'Sand / S', 29, 1, null)]) },
    { ecommerce: null },
    { event: 'select_variant', ecommerce: ecommerce(29, [item('TEE-SAND-M', 'Sand / M', 29, 1, null)]) },
    { ecommerce: null },
    { event: 'select_variant', ecommerce: ecommerce(31, [item('TEE-NAVY-M', 'Navy / M', 31, 1, null)]) },
    { ecommerce: null },
    { event: 'select_variant', ecommerce: ecommerce(31, [navyL]) },
    { ecommerce: null },
    { event: 'add_to_cart', ecommerce: ecommerce(31, [{ ...navyL, index: 0 }]) },
    { ecommerce: null },
    { event: 'add_to_cart', ecommerce: ecommerce(31, [{ ...navyL, index: 0 }]) },
    { ecommerce: null },
    { event: 'view_cart', ecommerce: ecommerce(62, [{ ...navyL, quantity: 2, index: 0 }]) },
    { ecommerce: null },
    { event: 'remove_from_cart', ecommerce: ecommerce(31, [{ ...navyL, index: 0 }]) },
    { ecommerce: null },
    { event: 'begin_checkout', ecommerce: ecommerce(31, [{ ...navyL, index: 0 }]) },
    { event: 'video_progress', video_percent: 25, visible: true },
  ]);

  // GTM's model after each ecommerce event holds exactly that event's ecommerce object: the
  // `{ecommerce: null}` before it kept the previous items from being merged in.
  const models = await page.evaluate(() => window.__models);
  const pushedEcommerce = session_entries.filter((e) => e.event && e.ecommerce);
  const modelled = models.filter((m) => pushedEcommerce.some((e) => e.event === m.event));
  assert.deepEqual(modelled, pushedEcommerce.map(({ event, ecommerce }) => ({ event, ecommerce })));

  // The DOM event and `player.on` get the same object; begin_checkout adds the lines.
  const dom = await page.evaluate(() => window.__dom);
  for (const type of ['select_item', 'add_to_cart', 'begin_checkout']) {
    const inLayer = all.filter((e) => e.event === type);
    for (const via of ['dom', 'on']) {
      const got = dom.filter((d) => d.type === type && d.via === via).map((d) => {
        const { lines, method, ...payload } = d.detail;
        return payload;
      });
      assert.deepEqual(got, inLayer, `${type} via ${via}`);
    }
  }
  const checkout = dom.find((d) => d.type === 'begin_checkout' && d.via === 'dom').detail;
  assert.equal(checkout.method, 'event');
  assert.deepEqual(checkout.lines.map((l) => [l.variant_id, l.quantity]), [['40006', 1]]);
  assert.deepEqual(pageErrors, []);
});

test('video progress fires for playback, not for seeking past thresholds', async () => {
  const { page } = await openPlayer({ ...PLAYER, autoplay: true });
  await page.waitForFunction(() => dataLayer.some((e) => e.event === 'video_progress' && e.video_percent === 10), null, { timeout: 20_000 });
  await callPlayer(page, 'seek(24)'); // 80 %: past 25, 50 and 75 without watching them
  await pushed(page, 'video_complete');
  const video = (await entries(page)).filter((e) => /^video_(start|progress|complete)$/.test(e.event ?? ''));
  assert.deepEqual(
    video.map((e) => [e.event, e.video_percent]),
    [['video_start', 0], ['video_progress', 10], ['video_complete', 100]],
  );
});

test('a double click adds once and reports once', async () => {
  const { page } = await openPlayer({ ...PLAYER, checkout: 'event' });
  await part(page, 'rail-button').click();
  const rail = page.locator('shoppable-player').locator('[part="rail-item"][data-product-id="tee"] button').first();
  await rail.dblclick();
  await part(page, 'product-sheet').waitFor();
  await part(page, 'add-to-cart').dblclick();
  await page.waitForTimeout(600);
  const count = await part(page, 'cart-count').textContent();
  assert.equal(count.trim(), '1');
  const events = (await entries(page)).map((e) => e.event).filter(Boolean);
  assert.equal(events.filter((e) => e === 'select_item').length, 1, events.join());
  assert.equal(events.filter((e) => e === 'add_to_cart').length, 1, events.join());
  assert.deepEqual(await callPlayer(page, 'cart.items.map((l) => l.quantity)'), [1]);
});

/** Opens the tee's sheet from the rail and adds its default variant. */
async function addTee(page, layer = 'dataLayer') {
  await part(page, 'rail-button').click();
  await page.locator('shoppable-player').locator('[part="rail-item"][data-product-id="tee"] button').first().click();
  await part(page, 'add-to-cart').click();
  await pushed(page, 'add_to_cart', layer);
}

test('consent denied (Consent Mode, or the consent attribute) stores nothing for attribution', async () => {
  const denied = await openPlayer(PLAYER, {
    beforePlayer: () => gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' }),
  });
  await addTee(denied.page);
  assert.equal(await denied.page.evaluate((k) => localStorage.getItem(k), ATTRIBUTION_KEY), null);
  assert.ok(await denied.page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('shoppable-player:cart:'))), 'the cart is not analytics: it is still saved');
  // The visitor opts in: from then on interactions are remembered.
  await denied.page.evaluate(() => gtag('consent', 'update', { analytics_storage: 'granted' }));
  await denied.page.waitForTimeout(600);
  await part(denied.page, 'add-to-cart').click();
  await denied.page.waitForFunction((k) => localStorage.getItem(k) !== null, ATTRIBUTION_KEY);

  const byAttribute = await openPlayer({ ...PLAYER, consent: 'denied' });
  await addTee(byAttribute.page);
  assert.equal(await byAttribute.page.evaluate((k) => localStorage.getItem(k), ATTRIBUTION_KEY), null);
  // Granted through the API, then denied again: the record is removed.
  await callPlayer(byAttribute.page, "setConsent('granted')");
  await byAttribute.page.waitForTimeout(600);
  await part(byAttribute.page, 'add-to-cart').click();
  await byAttribute.page.waitForFunction((k) => localStorage.getItem(k) !== null, ATTRIBUTION_KEY);
  await callPlayer(byAttribute.page, "setConsent('denied')");
  assert.equal(await byAttribute.page.evaluate((k) => localStorage.getItem(k), ATTRIBUTION_KEY), null);
});

test('lookback: a product added in a video is credited on a later page by trackProductView and the tracker element', async () => {
  const { page } = await openPlayer(PLAYER);
  await addTee(page);
  const record = await callPlayer(page, 'getAttribution()');
  assert.equal(record.v, 1);
  assert.deepEqual(
    record.products.map((p) => [p.product_id, p.variant_id, p.event, p.video_id]),
    [['tee', '40001', 'add_to_cart', 'spring-show']],
  );

  // A product page of the same store, later: the loader and a tracker element, no player.
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate(() => {
    window.dataLayer = [];
    const tracker = document.createElement('shoppable-player-tracker');
    tracker.setAttribute('product-id', 'tee');
    document.body.append(tracker);
  });
  await pushed(page, 'video_assisted_view');
  const [assisted] = (await entries(page)).filter((e) => e.event === 'video_assisted_view');
  const { interaction_age, video_current_time, video_session_id, ...rest } = assisted;
  assert.ok(interaction_age >= 0 && interaction_age < 120, `interaction_age ${interaction_age}`);
  assert.equal(video_session_id, record.products[0].session_id);
  assert.equal(video_current_time, record.products[0].video_time_ms / 1000);
  assert.deepEqual(rest, {
    event: 'video_assisted_view',
    product_id: 'tee',
    variant_id: '40001',
    interaction: 'add_to_cart',
    video_id: 'spring-show',
    video_title: 'Spring drop',
    video_live: false,
  });
  // Once per page and product; nothing for a product not interacted with, or out of the window.
  const again = await page.evaluate(() => ShoppablePlayer.trackProductView('tee'));
  const tote = await page.evaluate(() => ShoppablePlayer.trackProductView('tote'));
  assert.deepEqual([again, tote], [false, false]);
  await page.reload();
  await page.evaluate(() => (window.dataLayer = []));
  const expired = await page.evaluate(() => ShoppablePlayer.trackProductView('tee', { attributionWindow: 0.000001 }));
  assert.equal(expired, false, 'an interaction older than the window is not credited');
  assert.equal((await entries(page)).filter((e) => e.event === 'video_assisted_view').length, 0);
});

test('a custom data-layer name receives the events; dataLayer gets none', async () => {
  const { page } = await openPlayer({ ...PLAYER, 'data-layer': 'shopLayer' }, { layer: 'shopLayer' });
  await addTee(page, 'shopLayer');
  const events = (await entries(page, 'shopLayer')).map((e) => e.event).filter(Boolean);
  assert.deepEqual(events.filter((e) => /item|cart/.test(e)), ['select_item', 'view_item', 'add_to_cart']);
  assert.equal(await page.evaluate(() => (window.dataLayer || []).length), 0);
});
