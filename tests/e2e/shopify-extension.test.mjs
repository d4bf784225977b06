// Issue 7, the Shopify door: the theme app extension's app block and app embed rendered with
// liquidjs from product objects in Shopify's JSON shape, into a storefront page on the test
// server's origin, whose fake Ajax Cart API (xtask/src/shopify_cart.rs) receives the checkout.
// A shopper plays the video, opens a card, picks a variant, adds it and checks out.
//
// `cargo xtask test` copies the SDK's build into the extension's assets/ and runs theme-check on
// it (its "distribution" step) before these tests run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baseUrl, launchBrowser, newPage } from './harness.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const EXTENSION = `${repo}examples/shopify/extensions/shoppable-player`;
// The extension's directory as the demo server serves it (its fallback serves examples/).
const ASSETS_URL = '/shopify/extensions/shoppable-player/assets';
const { Liquid } = createRequire(`${repo}examples/shopify/package.json`)('liquidjs');

/** Products as Liquid's `{{ product | json }}` prints them: option names only, prices in cents, numeric ids. */
const PRODUCTS = [
  {
    id: 7001000000001,
    title: 'Linen tee',
    handle: 'linen-tee',
    description: '<p>A breathable linen tee, <strong>garment-dyed</strong> &amp; soft.</p>',
    vendor: 'Acme',
    type: 'Tops',
    tags: ['linen'],
    price: 2900,
    available: true,
    url: '/products/linen-tee',
    featured_image: '/img/tee.svg',
    images: ['/img/tee.svg', '/img/tee-navy.svg'],
    options: ['Color', 'Size'],
    variants: [
      ['40001', 'Sand', 'S', 2900, true, 5],
      ['40002', 'Sand', 'M', 2900, true, 3],
      ['40003', 'Sand', 'L', 2900, false, 0],
      ['40004', 'Navy', 'S', 3100, false, 0],
      ['40005', 'Navy', 'M', 3100, true, 2],
      ['40006', 'Navy', 'L', 3100, true, 8],
    ].map(([id, color, size, price, available, stock]) => ({
      id: Number(id),
      title: `${color} / ${size}`,
      option1: color,
      option2: size,
      option3: null,
      sku: `TEE-${color.toUpperCase().slice(0, 4)}-${size}`,
      requires_shipping: true,
      taxable: true,
      featured_image: color === 'Navy' ? { src: '/img/tee-navy.svg' } : null,
      available,
      name: `Linen tee - ${color} / ${size}`,
      public_title: `${color} / ${size}`,
      options: [color, size],
      price,
      weight: 200,
      compare_at_price: color === 'Sand' ? 3500 : null,
      inventory_management: 'shopify',
      inventory_quantity: stock,
      inventory_policy: 'deny',
      barcode: '',
    })),
  },
  {
    id: 7001000000002,
    title: 'Canvas tote',
    handle: 'canvas-tote',
    description: 'Heavy canvas with leather handles.',
    vendor: 'Acme',
    type: 'Bags',
    url: '/products/canvas-tote',
    featured_image: '/img/tote.svg',
    options: ['Color'],
    variants: [
      { id: 50001, title: 'Natural', option1: 'Natural', option2: null, option3: null, sku: 'TOTE-NAT', price: 4500, available: true, inventory_management: null, inventory_quantity: 0, inventory_policy: 'deny' },
      { id: 50002, title: 'Olive', option1: 'Olive', option2: null, option3: null, sku: 'TOTE-OLV', price: 4500, available: true, inventory_management: null, inventory_quantity: 0, inventory_policy: 'deny' },
    ],
  },
];

const SETTINGS = {
  stream_url: '/streams/vod-fmp4/master.m3u8',
  video_id: 'spring-show',
  video_title: 'Spring drop "live"',
  autoplay: true,
  products: PRODUCTS,
  moments: '4-18\n20-28',
  checkout: 'shopify',
};

/**
 * A Liquid engine with the Shopify pieces the extension uses: `asset_url` (the extension's
 * assets on the test server), `t` (the extension's storefront locale), Shopify's `json` (which
 * escapes <, > and & so JSON cannot close the <script> it sits in) and `{% schema %}`, which
 * renders nothing.
 */
function shopifyLiquid() {
  const engine = new Liquid({ root: EXTENSION, extname: '.liquid', strictFilters: true });
  const locale = JSON.parse(readFileSync(`${EXTENSION}/locales/en.default.json`, 'utf8'));
  engine.registerFilter('asset_url', (name) => `${ASSETS_URL}/${name}`);
  engine.registerFilter('t', (key) => {
    const value = key.split('.').reduce((node, part) => node?.[part], locale);
    if (typeof value !== 'string') throw new Error(`translation missing: ${key}`);
    return value;
  });
  engine.registerFilter('json', (value) =>
    JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
  );
  engine.registerTag('schema', {
    parse(_token, remaining) {
      for (let token = remaining.shift(); token; token = remaining.shift()) {
        if (token.name === 'endschema') return;
      }
      throw new Error('{% schema %} is not closed');
    },
    render() {
      return '';
    },
  });
  return engine;
}

function schemaOf(file) {
  const text = readFileSync(`${EXTENSION}/blocks/${file}`, 'utf8');
  const match = text.match(/{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/);
  assert.ok(match, `${file} has a {% schema %}`);
  return JSON.parse(match[1]);
}

async function renderStorefront(settings = SETTINGS) {
  const engine = shopifyLiquid();
  const block = await engine.renderFile('blocks/shoppable-player', {
    block: { id: 'AbC123xyz', settings, shopify_attributes: 'data-shopify-editor-block="{&quot;id&quot;:&quot;AbC123xyz&quot;}"' },
    cart: { currency: { iso_code: 'USD' } },
    request: { locale: { iso_code: 'en' } },
  });
  const embed = await engine.renderFile('blocks/app-embed', { block: { id: 'embed1', settings: {} } });
  // A theme's layout around them: Shopify's `content_for_header` defines window.Shopify.
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Spring drop – Acme</title>
  <script>window.Shopify = { shop: 'acme.myshopify.com', routes: { root: '/' } };</script>
</head>
<body>
  <main><section class="shopify-section">${block}</section></main>
  ${embed}
</body>
</html>`;
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the app block and the app embed declare what the theme editor shows', () => {
  const block = schemaOf('shoppable-player.liquid');
  assert.equal(block.target, 'section');
  const settings = Object.fromEntries(block.settings.map((s) => [s.id, s]));
  assert.deepEqual(Object.keys(settings), ['stream_url', 'video_id', 'video_title', 'autoplay', 'products', 'moments', 'checkout']);
  assert.equal(settings.products.type, 'product_list');
  assert.equal(settings.autoplay.type, 'checkbox');
  assert.equal(settings.checkout.default, 'shopify');
  const embed = schemaOf('app-embed.liquid');
  assert.equal(embed.target, 'body');
  // Every t: label has its text in the schema locale.
  const schemaLocale = JSON.parse(readFileSync(`${EXTENSION}/locales/en.default.schema.json`, 'utf8'));
  const labels = JSON.stringify([block, embed]).match(/"t:[^"]+"/g);
  for (const label of labels) {
    const value = label.slice(3, -1).split('.').reduce((node, part) => node?.[part], schemaLocale);
    assert.equal(typeof value, 'string', `${label} is translated in en.default.schema.json`);
  }
});

test('the block renders the picked products as an inline feed of Shopify product JSON, with their moments', async () => {
  const hostile = structuredClone(PRODUCTS);
  hostile[1].title = 'Tote </script><script>alert(1)</script>';
  const html = await renderStorefront({ ...SETTINGS, products: hostile, moments: '4-18\n20-28, 40 - 45.5' });
  const inline = html.match(/<script type="application\/json">([\s\S]*?)<\/script>/);
  assert.ok(inline, 'one inline feed');
  const feed = JSON.parse(inline[1]);
  assert.deepEqual(feed.products, hostile, 'the products exactly as Liquid printed them');
  assert.deepEqual(feed.timeline, [
    { product: 7001000000001, start: 4, end: 18 },
    { product: 7001000000002, start: 20, end: 28 },
    { product: 7001000000002, start: 40, end: 45.5 },
  ]);
  // liquidjs's `escape` writes &#34; where Shopify's writes &quot;: both are the same attribute.
  assert.match(html, /video-title="Spring drop (&quot;|&#34;)live(&quot;|&#34;)"/);
  assert.match(html, /checkout="shopify"/);
  assert.match(html, /\sautoplay muted\s/);
  assert.equal(html.match(/<script src="[^"]*shoppable-player\.js" defer><\/script>/g).length, 1, 'the embed loads the loader once');
});

test('storefront: card → variant → add to cart → checkout sends /cart/add.js with the video context', async () => {
  for (const file of ['shoppable-player.js', 'index.js', 'shoppable_player_wasm.js', 'shoppable_player_wasm_bg.wasm']) {
    assert.ok(existsSync(`${EXTENSION}/assets/${file}`), `assets/${file} is missing: cargo xtask test copies the build there`);
  }
  const reset = await fetch(`${baseUrl()}/__shopify/reset`, { method: 'POST' });
  assert.equal(reset.status, 204);
  const html = await renderStorefront();
  const { page, pageErrors, consoleErrors } = await newPage(browser);
  const requests = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  const storefront = `${baseUrl()}/products/spring-drop`;
  await page.route(storefront, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(storefront);

  const player = page.locator('shoppable-player');
  await page.waitForFunction(() => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime > 1, null, { timeout: 30_000 });
  // The tee's card at its moment (4 s), from the Shopify product the merchant picked.
  const card = player.locator('[part="product-card"]');
  await card.waitFor({ timeout: 20_000 });
  assert.equal(await card.getAttribute('data-product-id'), '7001000000001');
  assert.match(await card.textContent(), /Linen tee/);
  await card.click();
  await player.locator('[part="product-sheet"]').waitFor();
  // Navy / S is sold out (available: false), so from Sand / S the shopper picks M, then Navy.
  assert.equal(await player.locator('[part="variant-option"][data-value="Navy"]').getAttribute('aria-disabled'), 'true');
  await player.locator('[part="variant-option"][data-option="Size"][data-value="M"]').click();
  await player.locator('[part="variant-option"][data-option="Color"][data-value="Navy"]').click();
  assert.equal((await player.locator('[part="price"]').textContent()).trim(), '$31.00');
  const addedAt = await page.evaluate(() => document.querySelector('shoppable-player').player.currentTime);
  await player.locator('[part="add-to-cart"]').click();
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelector('[part="cart-count"]').textContent.trim() === '1');

  // Close the sheet (a modal dialog), open the cart, check out.
  await page.keyboard.press('Escape');
  await player.locator('[part="product-sheet"]').waitFor({ state: 'detached' });
  await player.locator('[part="cart-button"]').click();
  await player.locator('[part="cart-drawer"]').waitFor();
  await Promise.all([page.waitForURL(`${baseUrl()}/cart`, { timeout: 15_000 }), player.locator('[part="checkout-button"]').click()]);
  assert.deepEqual(await page.locator('#cart li').allTextContents(), ['Linen tee - Navy / M × 1']);

  const received = await (await fetch(`${baseUrl()}/__shopify/received`)).json();
  assert.equal(received.length, 1, `one request to the cart API: ${JSON.stringify(received)}`);
  const [{ path, content_type: contentType, body }] = received;
  assert.equal(path, '/cart/add.js');
  assert.equal(contentType, 'application/json');
  assert.equal(body.items.length, 1);
  const [item] = body.items;
  assert.deepEqual({ id: item.id, quantity: item.quantity, video_id: item.properties._video_id }, { id: 40005, quantity: 1, video_id: 'spring-show' });
  assert.ok(Number.isInteger(item.properties._video_time), `_video_time ${item.properties._video_time} is whole seconds`);
  assert.ok(Math.abs(item.properties._video_time - addedAt) <= 1.5, `_video_time ${item.properties._video_time} is when it was added (${addedAt} s)`);
  assert.deepEqual(Object.keys(item.properties).sort(), ['_video_id', '_video_time']);

  // The engine came from the extension's assets, once.
  for (const file of ['index.js', 'shoppable_player_wasm.js', 'shoppable_player_wasm_bg.wasm']) {
    assert.equal(requests.filter((p) => p === `${ASSETS_URL}/${file}`).length, 1, `${file} fetched once from the extension's assets`);
  }
  assert.deepEqual(requests.filter((p) => p.startsWith('/dist/')), []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});
