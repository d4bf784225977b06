// Issue 7, the npm and script-tag doors in real Chromium: the package as `npm pack` ships it,
// a Vite app built from that tarball, and the classic loader with `defer`, `async` and at the
// end of <body>, with players present before it runs and inserted after.
//
// `cargo xtask test` packs the package, installs the tarball into examples/npm-vite, type-checks
// and builds it before these tests run (the "distribution" step of xtask/src/test_suite.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { baseUrl, launchBrowser, newPage } from './harness.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ENGINE_FILES = ['/dist/index.js', '/dist/shoppable_player_wasm.js', '/dist/shoppable_player_wasm_bg.wasm'];

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Opens a tab that records every request's path and when it was made (performance.now() of the page's clock). */
async function openRecorded() {
  const opened = await newPage(browser);
  const requests = [];
  opened.page.on('request', (request) => {
    requests.push({ path: new URL(request.url()).pathname, at: Date.now() });
  });
  opened.requests = requests;
  opened.count = (path) => requests.filter((r) => r.path === path).length;
  return opened;
}

/** Waits until every `<shoppable-player>` on the page (or in `root`) has played past `seconds`. */
const waitForPlayback = (page, selector, seconds = 1, timeout = 30_000) =>
  page.waitForFunction(
    ({ selector, seconds }) => {
      const players = [...document.querySelectorAll(selector)];
      return players.length > 0 && players.every((p) => p.shadowRoot?.querySelector('video')?.currentTime > seconds);
    },
    { selector, seconds },
    { timeout },
  );

function packedTarball() {
  const { version } = JSON.parse(readFileSync(`${repo}npm-package/package.json`, 'utf8'));
  return `${repo}npm-package/shoppable-player-${version}.tgz`;
}

test('npm pack ships the built files, the types and the README, and every export resolves inside the tarball', () => {
  const tarball = packedTarball();
  assert.ok(existsSync(tarball), `${tarball} is missing: cargo xtask test packs it in its distribution step`);
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''))
    .sort();
  assert.deepEqual(files, [
    'README.md',
    'dist/index.js',
    'dist/shoppable-player.js',
    'dist/shoppable_player_wasm.js',
    'dist/shoppable_player_wasm_bg.wasm',
    'package.json',
    'types/index.d.ts',
  ]);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const targets = [];
  const collect = (value) => (typeof value === 'string' ? targets.push(value) : Object.values(value).forEach(collect));
  collect(manifest.exports);
  for (const target of targets) {
    assert.ok(files.includes(target.replace(/^\.\//, '')), `exports target ${target} is not in the tarball`);
  }
  assert.equal(manifest.exports['.'].types, './types/index.d.ts');
  assert.equal(manifest.exports['.'].import, './dist/index.js');
  assert.deepEqual(manifest.sideEffects, ['./dist/shoppable-player.js'], 'only the loader defines things on import');
  // The ES entry imports the glue by the name wasm-bindgen gave it, and the glue the wasm.
  const entry = execFileSync('tar', ['-xzOf', tarball, 'package/dist/index.js'], { encoding: 'utf8' });
  assert.match(entry, /from\s*["']\.\/shoppable_player_wasm\.js["']/);
  // Every function the declarations promise is exported by the ES entry, and nothing else is.
  const declarations = execFileSync('tar', ['-xzOf', tarball, 'package/types/index.d.ts'], { encoding: 'utf8' });
  const declared = [...declarations.matchAll(/^export function (\w+)/gm)].map((m) => m[1]).sort();
  const exported = [...entry.match(/export\s*{([^}]*)}/)[1].matchAll(/(?:\bas\s+)?(\w+)\s*(?:,|$)/g)].map((m) => m[1]).sort();
  assert.deepEqual(exported, declared);
  const glue = execFileSync('tar', ['-xzOf', tarball, 'package/dist/shoppable_player_wasm.js'], { encoding: 'utf8' });
  assert.match(glue, /new URL\(['"]shoppable_player_wasm_bg\.wasm['"], import\.meta\.url\)/);
});

test('the Vite app built from the packed tarball plays, shows a product card and adds to the cart', async () => {
  const built = `${repo}examples/npm-vite/dist/index.html`;
  assert.ok(existsSync(built), `${built} is missing: cargo xtask test builds it in its distribution step`);
  const { page, pageErrors, consoleErrors, requests } = await openRecorded();
  await page.goto(`${baseUrl()}/npm-vite/dist/`);
  await waitForPlayback(page, '#player .shoppable-player');
  assert.match(await page.locator('#status').textContent(), /^Playing \(\d+ s, 3 qualities, 2 products\)$/);

  // The tee's moment starts at 4 s.
  const card = page.locator('#player [part="product-card"]');
  await card.waitFor({ timeout: 20_000 });
  assert.equal(await card.getAttribute('data-product-id'), 'tee');
  await card.click();
  await page.locator('#player [part="product-sheet"]').waitFor();
  await page.locator('#player [part="variant-option"][data-option="Size"][data-value="M"]').click();
  await page.locator('#player [part="add-to-cart"]').click();
  await page.waitForFunction(() => document.querySelector('#bag-count').value === '1');
  assert.equal((await page.locator('#player [part="cart-count"]').textContent()).trim(), '1');
  assert.deepEqual(
    await page.evaluate(() => window.shoppablePlayer.cart.items.map((i) => [i.variant_id, i.quantity, i.unit_price])),
    [['40002', 1, 2900]],
  );

  // Everything came from the app's own bundle: the hashed wasm Vite emitted, nothing from /dist.
  const paths = requests.map((r) => r.path);
  assert.ok(
    paths.some((p) => /^\/npm-vite\/dist\/assets\/shoppable_player_wasm_bg-[\w-]+\.wasm$/.test(p)),
    `the wasm was not loaded from the Vite build: ${paths.filter((p) => p.endsWith('.wasm'))}`,
  );
  assert.deepEqual(paths.filter((p) => p.startsWith('/dist/')), []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('loader async, element inserted 2 s later: nothing is fetched until then, then the player plays', async () => {
  const { page, pageErrors, requests, count } = await openRecorded();
  const started = Date.now();
  await page.goto(`${baseUrl()}/tests/loader/async.html?later=1&delay=2000`);
  await page.waitForFunction(() => customElements.get('shoppable-player') !== undefined);
  await page.waitForFunction(() => window.__insertedAt !== undefined, null, { timeout: 10_000 });
  const insertedAt = await page.evaluate(() => performance.timeOrigin + window.__insertedAt);
  assert.ok(insertedAt - started >= 1900, 'the element was inserted 2 s after the page started');
  await waitForPlayback(page, 'shoppable-player');
  for (const path of ENGINE_FILES) {
    const fetched = requests.filter((r) => r.path === path);
    assert.equal(fetched.length, 1, `${path} fetched once`);
    assert.ok(fetched[0].at >= insertedAt - 50, `${path} was fetched ${insertedAt - fetched[0].at} ms before the element existed`);
  }
  assert.equal(count('/dist/shoppable-player.js'), 1);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('loader defer: players present before it runs are upgraded, and the engine loads once for all', async () => {
  const { page, pageErrors, count } = await openRecorded();
  await page.goto(`${baseUrl()}/tests/loader/defer.html?later=2&delay=500`);
  await page.waitForFunction(() => document.querySelectorAll('shoppable-player').length === 4);
  await waitForPlayback(page, 'shoppable-player');
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('shoppable-player')].filter((p) => p.player).length), 4);
  for (const path of ENGINE_FILES) assert.equal(count(path), 1, `${path} fetched once for four players`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('loader at the end of <body>: the player before it and one added afterwards both play', async () => {
  const { page, pageErrors, count } = await openRecorded();
  await page.goto(`${baseUrl()}/tests/loader/end-of-body.html?later=1&delay=300`);
  await page.waitForFunction(() => document.querySelectorAll('shoppable-player').length === 2);
  await waitForPlayback(page, 'shoppable-player');
  for (const path of ENGINE_FILES) assert.equal(count(path), 1, `${path} fetched once`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('a page with the loader and no player never downloads the engine', async () => {
  const { page, count } = await openRecorded();
  await page.goto(`${baseUrl()}/tests/loader/async.html`);
  await page.waitForFunction(() => customElements.get('shoppable-player') !== undefined);
  await page.waitForTimeout(1500);
  assert.equal(count('/dist/shoppable-player.js'), 1);
  for (const path of ENGINE_FILES) assert.equal(count(path), 0, `${path} was fetched without a player`);
  await page.close();
});

test('the script-tag demo is a plain store page: one classic script tag, no inline script', async () => {
  const html = readFileSync(`${repo}examples/script-tag/index.html`, 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one script tag');
  assert.match(scripts[0][1], /src="\/dist\/shoppable-player\.js"/);
  assert.doesNotMatch(scripts[0][1], /type="module"/);
  assert.equal(scripts[0][2].trim(), '');
  const { page, pageErrors } = await openRecorded();
  await page.goto(`${baseUrl()}/script-tag/`);
  await waitForPlayback(page, 'shoppable-player');
  assert.deepEqual(pageErrors, []);
  await page.close();
});
