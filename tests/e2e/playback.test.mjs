// Issue 2's vertical slice in real Chromium: a <shoppable-player> from the script-tag loader
// plays the generated fMP4 ladder through our own engine and MSE, switches quality on request,
// and fails clearly on bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, baseUrl, newPage } from './harness.mjs';

const FMP4 = '/streams/vod-fmp4/master.m3u8';
let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Opens the test page and inserts a player with `attributes`; records its events. */
async function openPlayer(attributes) {
  const { page, pageErrors } = await newPage(browser);
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate((attributes) => {
    window.__events = [];
    const player = document.createElement('shoppable-player');
    for (const [name, value] of Object.entries(attributes)) {
      player.setAttribute(name, value === true ? '' : value);
    }
    for (const type of ['ready', 'error']) {
      player.addEventListener(`shoppable:${type}`, (e) => window.__events.push({ type, detail: e.detail }));
    }
    document.getElementById('stage').append(player);
  }, attributes);
  return { page, pageErrors };
}

const videoState = (page) =>
  page.evaluate(() => {
    const video = document.querySelector('shoppable-player').shadowRoot.querySelector('[part="video"]');
    return { time: video.currentTime, height: video.videoHeight, src: video.src, paused: video.paused };
  });

const waitForTime = (page, seconds, timeout = 20_000) =>
  page.waitForFunction(
    (s) => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime > s,
    seconds,
    { timeout },
  );

const events = (page, type) => page.evaluate((type) => window.__events.filter((e) => e.type === type), type);

test('the fMP4 ladder plays past 3 s through our MSE engine', async () => {
  const { page, pageErrors } = await openPlayer({ src: FMP4, engine: 'mse', muted: true, autoplay: true });
  await waitForTime(page, 3);
  const video = await videoState(page);
  assert.match(video.src, /^blob:/, 'the video is fed by a MediaSource, not native HLS');
  const types = await page.evaluate(() => window.__mse.sourceBuffers);
  assert.ok(types.length > 0, 'a SourceBuffer was created');
  for (const type of types) assert.match(type, /^video\/mp4; codecs="avc1\.[0-9a-f]{6},mp4a\.40\.2"$/);
  const [ready] = await events(page, 'ready');
  assert.equal(ready?.detail.engine, 'mse');
  assert.deepEqual(ready?.detail.renditions.map((r) => r.label), ['144p', '240p', '360p']);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('the source playlist downloads while the engine does, and only once', async () => {
  const { page, pageErrors } = await openPlayer({ src: FMP4, engine: 'mse', muted: true, autoplay: true });
  await waitForTime(page, 1);
  const timing = await page.evaluate((src) => {
    const entries = performance.getEntriesByType('resource');
    const wasm = entries.find((e) => e.name.endsWith('_bg.wasm'));
    const sources = entries.filter((e) => new URL(e.name).pathname === src);
    return { wasmEnd: wasm?.responseEnd, sourceStarts: sources.map((e) => e.startTime) };
  }, FMP4);
  // The engine took the loader's response instead of asking again.
  assert.equal(timing.sourceStarts.length, 1, `the source playlist was requested ${timing.sourceStarts.length} times`);
  assert.ok(timing.wasmEnd !== undefined, 'the wasm download was not seen');
  assert.ok(
    timing.sourceStarts[0] < timing.wasmEnd,
    `the source playlist was requested at ${timing.sourceStarts[0]} ms, after the engine had downloaded (${timing.wasmEnd} ms)`,
  );
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('choosing a rendition in the quality menu fetches and shows that rendition', async () => {
  const { page } = await openPlayer({ src: FMP4, engine: 'mse', muted: true, autoplay: true });
  await waitForTime(page, 0.5);
  const menu = page.locator('shoppable-player [part="quality-menu"]');
  const labels = await menu.locator('option').allTextContents();
  assert.deepEqual(labels.slice(1), ['360p', '240p', '144p']);
  assert.match(labels[0], /^Auto/);

  const requested = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await menu.selectOption({ label: '144p' });
  await page.waitForFunction(
    () => document.querySelector('shoppable-player').shadowRoot.querySelector('video').videoHeight === 144,
    null,
    { timeout: 20_000 },
  );
  assert.ok(
    requested.some((path) => /\/vod-fmp4\/144p\/seg_?\d+\.m4s$/.test(path)),
    `a 144p segment was requested after the choice (requests: ${requested.join(', ')})`,
  );
  const after = requested.filter((path) => path.endsWith('.m4s'));
  assert.ok(after.length > 0 && after.every((p) => p.includes('/144p/')), `only 144p segments after the choice: ${after}`);
  const before = (await videoState(page)).time;
  await waitForTime(page, before + 1);
  await page.close();
});

for (const { name, src, code, message } of [
  { name: 'a src that 404s', src: '/streams/does-not-exist/master.m3u8', code: 'manifest_load', message: /HTTP 404/ },
  { name: 'a body that is not a playlist', src: '/tests/streams/not-a-playlist.m3u8', code: 'manifest_parse', message: /line 1/ },
  { name: 'a codec the browser rejects', src: '/tests/streams/unsupported-codec.m3u8', code: 'media_unsupported', message: /avc9\.ffffff/ },
]) {
  test(`${name} shows part="error" and dispatches shoppable:error`, async () => {
    const { page, pageErrors } = await openPlayer({ src, engine: 'mse', muted: true, autoplay: true });
    const error = page.locator('shoppable-player [part="error"]');
    await error.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await error.innerText(), message);
    const [event] = await events(page, 'error');
    assert.equal(event?.detail.code, code);
    assert.match(event.detail.message, message);
    assert.ok(event.detail.url, 'the error names the URL involved');
    assert.deepEqual(pageErrors, [], 'nothing threw on the page');
    // The page stays responsive: script still runs promptly.
    assert.equal(await page.evaluate(() => 6 * 7), 42);
    await page.close();
  });
}

test('removing the element stops all network activity', async () => {
  const { page } = await openPlayer({ src: FMP4, engine: 'mse', muted: true, autoplay: true });
  await waitForTime(page, 0.5);
  await page.evaluate(() => document.querySelector('shoppable-player').remove());
  const late = [];
  page.on('request', (request) => late.push(request.url()));
  await page.waitForTimeout(1500);
  assert.deepEqual(late, []);
  await page.close();
});

test('when the browser refuses autoplay, a play button is shown and starts playback', async () => {
  const { page, pageErrors } = await newPage(browser);
  // Headless Chromium here autoplays whatever --autoplay-policy says (and Playwright's evaluate
  // counts as a user gesture), so the page applies the policy browsers document: play() before
  // a real, trusted click or key press rejects with NotAllowedError. Our button's real click is
  // the gesture that lifts it.
  await page.addInitScript(() => {
    let gesture = false;
    for (const type of ['pointerdown', 'keydown']) {
      document.addEventListener(type, (e) => { gesture ||= e.isTrusted; }, true);
    }
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function () {
      if (!gesture) {
        return Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
      }
      return play.call(this);
    };
  });
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate((src) => {
    const player = document.createElement('shoppable-player');
    player.setAttribute('src', src);
    player.setAttribute('autoplay', '');
    document.getElementById('stage').append(player);
  }, FMP4);
  const button = page.locator('shoppable-player [part="big-play-button"]');
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  await page.waitForTimeout(1_000);
  assert.equal((await videoState(page)).paused, true, 'autoplay was refused, nothing plays');
  assert.equal(await page.locator('shoppable-player [part="error"]').count(), 0, 'a refusal is not an error');
  await button.click();
  await waitForTime(page, 1);
  await button.waitFor({ state: 'hidden' });
  assert.deepEqual(pageErrors, []);
  await page.close();
});
