// Issue 9 in real Chromium: long looping playback (buffer bounded by the engine's back buffer,
// wasm memory flat), create/destroy cycles that leave nothing behind, three players on one page,
// and a cart that survives broken storage and concurrent tabs.
//
// `cargo xtask test` runs the short form (SOAK_SECONDS=60, SOAK_CYCLES=250 by default);
// `cargo xtask soak` runs the soak tests of this same file for 30 minutes and 300 cycles, and
// passes SOAK_REPORT to collect the figures for docs/testing.md.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launchBrowser, baseUrl, newPage } from './harness.mjs';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const SOAK_CYCLES = Number(process.env.SOAK_CYCLES ?? 250);
const SOAK_REPORT = process.env.SOAK_REPORT ?? null;
const FULL_SOAK = SOAK_SECONDS >= 600;

const FMP4 = '/streams/vod-fmp4/master.m3u8';
const TS = '/streams/vod-ts/master.m3u8';
const BYTERANGE = '/streams/vod-byterange/master.m3u8';
const DEMO_FEED = '/feeds/demo.json';
/** `EngineConfig::default()` in player-core/src/hls/engine/mod.rs: what the player keeps behind and ahead. */
const BACK_BUFFER_S = 30;
const FORWARD_BUFFER_S = 30;
/** The fixtures' segment length: eviction and fetching work in whole segments. */
const SEGMENT_S = 2;
const CART_KEY = (host) => `shoppable-player:cart:v1:${host}`;

let browser;
const pages = new Set();
const report = {};

before(async () => {
  browser = await launchBrowser();
});
afterEach(async () => {
  for (const page of pages) await page.close().catch(() => {});
  pages.clear();
});
after(async () => {
  await browser?.close();
  if (SOAK_REPORT) writeFileSync(SOAK_REPORT, JSON.stringify(report, null, 2));
});

/**
 * Runs before any page script: keeps every wasm memory the page instantiates (the SDK exposes
 * none, and must not for this), and counts live timers and animation frames by wrapping the
 * timer functions, so a test can see what a destroyed player left scheduled.
 */
function instrument() {
  const memories = [];
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then((result) => {
        const instance = result instanceof WebAssembly.Instance ? result : result.instance;
        for (const value of Object.values(instance.exports)) {
          if (value instanceof WebAssembly.Memory) memories.push(value);
        }
        return result;
      });
    };
  }
  let endOfStreamCalls = 0;
  const endOfStream = MediaSource.prototype.endOfStream;
  MediaSource.prototype.endOfStream = function (...args) {
    endOfStreamCalls++;
    return endOfStream.apply(this, args);
  };
  const timeouts = new Set();
  const intervals = new Set();
  const frames = new Set();
  const { setTimeout: st, setInterval: si, clearTimeout: ct, clearInterval: ci } = window;
  const { requestAnimationFrame: raf, cancelAnimationFrame: caf } = window;
  window.setTimeout = function (callback, ...rest) {
    let id;
    const fire = typeof callback === 'function'
      ? function (...args) {
        timeouts.delete(id);
        return callback.apply(this, args);
      }
      : callback;
    id = st.call(window, fire, ...rest);
    timeouts.add(id);
    return id;
  };
  window.setInterval = function (...args) {
    const id = si.apply(window, args);
    intervals.add(id);
    return id;
  };
  // The two clear functions are interchangeable in browsers (one id space).
  window.clearTimeout = window.clearInterval = function (id) {
    timeouts.delete(id);
    intervals.delete(id);
    return ct.call(window, id), ci.call(window, id);
  };
  window.requestAnimationFrame = function (callback) {
    let id;
    id = raf.call(window, (now) => {
      frames.delete(id);
      callback(now);
    });
    frames.add(id);
    return id;
  };
  window.cancelAnimationFrame = function (id) {
    frames.delete(id);
    return caf.call(window, id);
  };
  window.__hardening = {
    wasmBytes: () => memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0),
    endOfStreamCalls: () => endOfStreamCalls,
    timers: () => ({ timeouts: timeouts.size, intervals: intervals.size, frames: frames.size }),
  };
}

/**
 * A tab of the test page with the instrumentation. Tabs share one browser profile, so the
 * saved cart is cleared first (before `init` scripts that may break storage) unless
 * `keepStorage`.
 */
async function openPage({ init = [], keepStorage = false } = {}) {
  const opened = await newPage(browser);
  const { page } = opened;
  pages.add(page);
  await page.addInitScript(instrument);
  await page.goto(`${baseUrl()}/tests/player.html`);
  if (!keepStorage) await page.evaluate(() => localStorage.clear());
  if (init.length > 0) {
    for (const script of init) await page.addInitScript(script);
    await page.reload();
  }
  return opened;
}

/** Adds a `<shoppable-player>` per entry of `players` (attribute maps); records their events. */
async function addPlayers(page, players) {
  await page.evaluate((players) => {
    window.__events ??= [];
    for (const attributes of players) {
      const index = document.querySelectorAll('shoppable-player').length;
      const player = document.createElement('shoppable-player');
      for (const [name, value] of Object.entries(attributes)) {
        player.setAttribute(name, value === true ? '' : value);
      }
      for (const type of ['ready', 'error', 'add_to_cart', 'begin_checkout']) {
        player.addEventListener(`shoppable:${type}`, (e) => window.__events.push({ type, index, detail: e.detail }));
      }
      document.getElementById('stage').append(player);
    }
  }, players);
}

const events = (page, type) => page.evaluate((type) => window.__events.filter((e) => e.type === type), type);
const waitForEvents = (page, type, count, timeout = 20_000) =>
  page.waitForFunction(
    ({ type, count }) => window.__events.filter((e) => e.type === type).length >= count,
    { type, count },
    { timeout },
  );
const part = (page, name, index = 0) => page.locator('shoppable-player').nth(index).locator(`[part="${name}"]`);
const text = async (locator) => (await locator.textContent()).trim();
const times = (page) =>
  page.evaluate(() => [...document.querySelectorAll('shoppable-player')].map((p) => p.shadowRoot.querySelector('video').currentTime));
const callPlayer = (page, index, script, arg) =>
  page.evaluate(
    ({ index, script, arg }) => {
      const p = document.querySelectorAll('shoppable-player')[index].player;
      return new Function('player', 'arg', `return (${script})(player, arg)`)(p, arg);
    },
    { index, script: script.toString(), arg },
  );

/** JS heap after two full collections, live objects of a few kinds, listeners, timers, wasm. */
async function leakSample(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
  const liveObjects = async (constructor) => {
    const { result: prototype } = await cdp.send('Runtime.evaluate', { expression: `${constructor}.prototype` });
    const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: prototype.objectId });
    const { result } = await cdp.send('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    await cdp.send('Runtime.releaseObject', { objectId: objects.objectId });
    await cdp.send('Runtime.releaseObject', { objectId: prototype.objectId });
    return result.value;
  };
  const listenersOn = async (expression) => {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
    return listeners.map((l) => l.type);
  };
  const { timers, wasm } = await page.evaluate(() => ({ timers: window.__hardening.timers(), wasm: window.__hardening.wasmBytes() }));
  return {
    jsHeapUsed: metric.JSHeapUsedSize,
    listenersTotal: metric.JSEventListeners,
    domNodes: metric.Nodes,
    windowListeners: await listenersOn('window'),
    documentListeners: await listenersOn('document'),
    mediaSources: await liveObjects('MediaSource'),
    videos: await liveObjects('HTMLVideoElement'),
    abortControllers: await liveObjects('AbortController'),
    ...timers,
    wasm,
  };
}

const MiB = 1024 * 1024;
const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;

/**
 * A long on-demand stream made of a 30 s ladder repeated with discontinuities, served by
 * Playwright routing beside the real renditions (so segments are the real files): long enough
 * that the back buffer, not the stream's length, is what bounds the buffer. MPEG-TS by default,
 * because each segment then goes through our transmuxer too; with `vod-fmp4`, every repeat's
 * timestamps restart at 0, as a spliced-in ad's do.
 */
async function routeLongStream(page, repeats, ladder = 'vod-ts') {
  const base = baseUrl();
  const master = await (await fetch(`${base}/streams/${ladder}/master.m3u8`)).text();
  await page.route(`${base}/streams/${ladder}/soak-master.m3u8`, (route) =>
    route.fulfill({ contentType: 'application/vnd.apple.mpegurl', body: master.replaceAll('index.m3u8', 'soak.m3u8') }));
  await page.route(new RegExp(`/streams/${ladder}/[^/]+/soak\\.m3u8$`), async (route) => {
    const real = await (await fetch(route.request().url().replace('soak.m3u8', 'index.m3u8'))).text();
    const lines = real.split('\n');
    const firstSegment = lines.findIndex((l) => l.startsWith('#EXTINF'));
    const header = lines.slice(0, firstSegment);
    const segments = lines.slice(firstSegment).filter((l) => l && l !== '#EXT-X-ENDLIST');
    const body = [...header];
    for (let i = 0; i < repeats; i++) {
      if (i > 0) body.push('#EXT-X-DISCONTINUITY');
      body.push(...segments);
    }
    body.push('#EXT-X-ENDLIST', '');
    route.fulfill({ contentType: 'application/vnd.apple.mpegurl', body: body.join('\n') });
  });
  return `/streams/${ladder}/soak-master.m3u8`;
}

test(`soak: ${SOAK_SECONDS} s of looping playback stays within the back buffer with flat wasm memory`, { timeout: (SOAK_SECONDS + 120) * 1000 }, async () => {
  const { page, pageErrors } = await openPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  // 90 s: the playhead spends most of each loop more than a back buffer past the start.
  const repeats = 3;
  const duration = repeats * 30;
  const src = await routeLongStream(page, repeats);
  await addPlayers(page, [{ src, products: DEMO_FEED, engine: 'mse', muted: true, autoplay: true }]);
  await waitForEvents(page, 'ready', 1);
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot?.querySelector('video')?.currentTime > 1, null, { timeout: 20_000 });
  await page.evaluate(() => {
    window.__loops = 0;
    window.__stuckAtEnd = 0;
    const element = document.querySelector('shoppable-player');
    const video = element.shadowRoot.querySelector('video');
    const restart = () => {
      element.player.seek(0);
      element.player.play();
    };
    // Looping the way a host page would: seek to the start and play again at the end.
    video.addEventListener('ended', () => {
      window.__loops++;
      restart();
    });
    // A fixed bug (docs/testing.md): on the spliced stream the playhead froze a few frames
    // before the end and never fired `ended`. Still counted, reported, and looped past, so a
    // regression shows in the report while the rest of the soak still measures buffer and
    // memory.
    let last = -1;
    let still = 0;
    setInterval(() => {
      const nearEnd = video.duration - video.currentTime < 0.5;
      still = nearEnd && !video.paused && !video.ended && video.currentTime === last ? still + 1 : 0;
      last = video.currentTime;
      if (still >= 4) {
        still = 0;
        window.__stuckAtEnd++;
        restart();
      }
    }, 500);
  });
  // The short run starts late in the stream so it plays past a back buffer and loops too.
  if (!FULL_SOAK) await callPlayer(page, 0, (p, t) => p.seek(t), duration - SOAK_SECONDS + 15);

  const started = Date.now();
  const sampleEvery = FULL_SOAK ? 15_000 : 3_000;
  const samples = [];
  let memoryFrom = null;
  for (;;) {
    const at = (Date.now() - started) / 1000;
    const media = await page.evaluate(() => {
      const video = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
      const t = video.currentTime;
      let behind = 0;
      let ahead = 0;
      let total = 0;
      for (let i = 0; i < video.buffered.length; i++) {
        const [start, end] = [video.buffered.start(i), video.buffered.end(i)];
        total += end - start;
        behind += Math.max(0, Math.min(end, t) - start);
        // Only the range being played: after a loop, what was buffered before the seek back
        // stays until played past (as in hls.js, only the back buffer is evicted).
        if (start <= t + 0.1 && end > t) ahead = end - t;
      }
      return { time: t, behind, ahead, total, loops: window.__loops, stuckAtEnd: window.__stuckAtEnd, paused: video.paused, ended: video.ended, readyState: video.readyState, duration: video.duration, ranges: video.buffered.length, endOfStream: window.__hardening.endOfStreamCalls(), end: video.buffered.length ? video.buffered.end(video.buffered.length - 1) : null };
    });
    const sample = { at, ...media };
    // Memory after a forced GC costs a second or two; every fourth sample is enough.
    if (samples.length % 4 === 0) Object.assign(sample, await leakSample(page, cdp));
    samples.push(sample);
    if (FULL_SOAK && samples.length % 8 === 1) {
      console.log(`soak: ${at.toFixed(0)} s, t=${media.time.toFixed(1)}, loops ${media.loops} (+${media.stuckAtEnd} stuck), buffered ${media.total.toFixed(1)} s (${media.behind.toFixed(1)} behind)${sample.wasm ? `, wasm ${mib(sample.wasm)}, JS heap ${mib(sample.jsHeapUsed)}` : ''}`);
    }
    // Memory is compared from the end of the first loop's warm-up (a fifth of the run).
    if (memoryFrom === null && sample.wasm && at >= SOAK_SECONDS / 5) memoryFrom = sample;
    if (at >= SOAK_SECONDS) break;
    await page.waitForTimeout(sampleEvery);
  }
  const last = samples.findLast((s) => s.wasm);
  const worstBehind = Math.max(...samples.map((s) => s.behind));
  // Ahead only until the first loop: after `seek(0)` the media buffered before the seek joins
  // the range being played (it is not fetched again), which says nothing about fetching ahead.
  const worstAhead = Math.max(...samples.filter((s) => s.loops + s.stuckAtEnd === 0).map((s) => s.ahead));
  const worstTotal = Math.max(...samples.map((s) => s.total));
  const { loops, stuckAtEnd } = samples.at(-1);
  report.loop = {
    seconds: SOAK_SECONDS,
    streamSeconds: duration,
    loops,
    stuckAtEnd,
    samples: samples.length,
    worstBufferedBehindS: worstBehind,
    worstBufferedAheadFirstPassS: worstAhead,
    worstBufferedTotalS: worstTotal,
    wasmFrom: memoryFrom.wasm,
    wasmLast: last.wasm,
    wasmMax: Math.max(...samples.filter((s) => s.wasm).map((s) => s.wasm)),
    jsHeapFrom: memoryFrom.jsHeapUsed,
    jsHeapLast: last.jsHeapUsed,
    jsHeapMax: Math.max(...samples.filter((s) => s.wasm).map((s) => s.jsHeapUsed)),
    listenersFrom: memoryFrom.listenersTotal,
    listenersLast: last.listenersTotal,
    domNodesFrom: memoryFrom.domNodes,
    domNodesLast: last.domNodes,
    series: samples.map(({ at, time, behind, ahead, total, wasm, jsHeapUsed }) => [Math.round(at), +time.toFixed(1), +behind.toFixed(1), +ahead.toFixed(1), +total.toFixed(1), wasm ?? null, jsHeapUsed ?? null]),
  };
  console.log('soak loop:', JSON.stringify({ ...report.loop, series: undefined }));

  // Playback went on the whole time and looped: a frozen player would also keep memory flat.
  assert.ok(loops + stuckAtEnd >= Math.floor((SOAK_SECONDS - 20) / duration) + (FULL_SOAK ? 0 : 1), `looped ${loops} times (+${stuckAtEnd} stuck at the end); samples ${JSON.stringify(samples.slice(-2).map(({ time, paused, ended, readyState, duration, ranges, total, endOfStream, end }) => ({ time, paused, ended, readyState, duration, ranges, total, endOfStream, end })))}`);
  const advancing = samples.filter((s, i) => i > 0 && s.time !== samples[i - 1].time).length;
  assert.ok(advancing >= samples.length - 3, `currentTime moved in ${advancing} of ${samples.length} samples`);
  // The engine evicts once more than a segment past the back buffer is behind the playhead, and
  // only between appends: allow one segment of lag and one of rounding.
  assert.ok(worstBehind <= BACK_BUFFER_S + 3 * SEGMENT_S, `at most ${worstBehind.toFixed(1)} s buffered behind the playhead`);
  assert.ok(worstAhead <= FORWARD_BUFFER_S + 2 * SEGMENT_S, `at most ${worstAhead.toFixed(1)} s buffered ahead before the first loop`);
  // Stale media from before a loop's seek adds at most one more window: never growth.
  assert.ok(worstTotal <= 2 * (BACK_BUFFER_S + FORWARD_BUFFER_S) + 4 * SEGMENT_S, `at most ${worstTotal.toFixed(1)} s buffered`);
  // Linear memory never shrinks, so growth is what a leak looks like: none after the warm-up
  // beyond a page or so of allocator slack.
  assert.ok(last.wasm - memoryFrom.wasm <= 1 * MiB, `wasm memory ${mib(memoryFrom.wasm)} → ${mib(last.wasm)}`);
  assert.ok(last.jsHeapUsed - memoryFrom.jsHeapUsed <= 4 * MiB, `JS heap ${mib(memoryFrom.jsHeapUsed)} → ${mib(last.jsHeapUsed)}`);
  assert.ok(last.listenersTotal - memoryFrom.listenersTotal <= 20, `event listeners ${memoryFrom.listenersTotal} → ${last.listenersTotal}`);
  assert.deepEqual(pageErrors, []);
});

test('a long spliced stream plays to its end and ends: the back buffer evicted after the last append does not leave it open', async () => {
  const { page, pageErrors } = await openPage();
  const src = await routeLongStream(page, 3);
  await addPlayers(page, [{ src, engine: 'mse', muted: true, autoplay: true }]);
  await waitForEvents(page, 'ready', 1);
  // Near the end, after more than a back buffer of media: the last appends, then an eviction.
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot?.querySelector('video')?.duration > 80, null, { timeout: 20_000 });
  await page.evaluate(() => {
    const video = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
    video.currentTime = video.duration - 4;
  });
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelector('video').ended, null, { timeout: 20_000 });
  assert.deepEqual(pageErrors, []);
});

test('fMP4 whose timestamps restart at each discontinuity plays across every splice', async () => {
  const { page, pageErrors } = await openPage();
  const src = await routeLongStream(page, 3, 'vod-fmp4');
  await addPlayers(page, [{ src, engine: 'mse', muted: true, autoplay: true }]);
  await waitForEvents(page, 'ready', 1);
  // Just before each splice, so that passing it means having played across it.
  for (const splice of [30, 60]) {
    await callPlayer(page, 0, (p, t) => p.seek(t), splice - 2);
    await page.waitForFunction(
      (lower) => document.querySelector('shoppable-player').shadowRoot.querySelector('video').currentTime > lower,
      splice + 2,
      { timeout: 20_000 },
    );
  }
  assert.deepEqual(pageErrors, []);
});

test(`soak: ${SOAK_CYCLES} create/destroy cycles leave no timers, listeners, MediaSources or memory behind`, { timeout: (SOAK_CYCLES * 6 + 60) * 1000 }, async () => {
  const { page, pageErrors } = await openPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  /** One player's life: mount, load stream and feed, append media, play, then removal. */
  const cycle = (count) =>
    page.evaluate(async ({ count, src, products }) => {
      for (let i = 0; i < count; i++) {
        const player = document.createElement('shoppable-player');
        for (const [name, value] of Object.entries({ src, products, engine: 'mse', muted: '', autoplay: '' })) {
          player.setAttribute(name, value);
        }
        const ready = new Promise((resolve, reject) => {
          player.addEventListener('shoppable:ready', resolve, { once: true });
          player.addEventListener('shoppable:error', (e) => reject(new Error(JSON.stringify(e.detail))), { once: true });
        });
        document.getElementById('stage').append(player);
        await ready;
        const video = player.shadowRoot.querySelector('video');
        await new Promise((resolve) => {
          const check = () => (video.currentTime > 0.2 ? resolve() : setTimeout(check, 20));
          check();
        });
        // Open and close the cart drawer so the commerce UI's listeners are part of the cycle.
        player.shadowRoot.querySelector('[part="cart-button"]')?.click();
        await new Promise((resolve) => setTimeout(resolve, 50));
        player.remove();
      }
    }, { count, src: FMP4, products: DEMO_FEED });

  // The first players load the wasm, the feed cache and the page's cart: a baseline after them.
  await cycle(3);
  const baseline = await leakSample(page, cdp);
  const started = Date.now();
  await cycle(SOAK_CYCLES);
  const seconds = (Date.now() - started) / 1000;
  // Timers a removed player cancelled are gone at once; one still running would also keep
  // firing, so give any in-flight callback a moment before counting.
  await page.waitForTimeout(500);
  const end = await leakSample(page, cdp);
  report.cycles = { cycles: SOAK_CYCLES, seconds, baseline, end };
  console.log('soak cycles:', JSON.stringify(report.cycles));

  assert.equal(await page.locator('shoppable-player').count(), 0);
  assert.equal(end.mediaSources, 0, 'no MediaSource survives its player');
  assert.equal(end.videos, 0, 'no video element survives its player');
  assert.ok(end.abortControllers <= baseline.abortControllers, `AbortControllers ${baseline.abortControllers} → ${end.abortControllers}`);
  assert.ok(end.intervals <= baseline.intervals, `intervals ${baseline.intervals} → ${end.intervals}`);
  assert.ok(end.timeouts <= baseline.timeouts + 1, `pending timeouts ${baseline.timeouts} → ${end.timeouts}`);
  assert.ok(end.frames <= baseline.frames + 1, `pending animation frames ${baseline.frames} → ${end.frames}`);
  assert.deepEqual(end.windowListeners.sort(), baseline.windowListeners.sort(), 'listeners on window');
  assert.deepEqual(end.documentListeners.sort(), baseline.documentListeners.sort(), 'listeners on document');
  // A leak of one listener, closure or DOM tree per player shows as growth proportional to the
  // cycles; the bounds are well under one per cycle.
  assert.ok(end.listenersTotal - baseline.listenersTotal < SOAK_CYCLES / 3, `event listeners ${baseline.listenersTotal} → ${end.listenersTotal}`);
  assert.ok(end.domNodes - baseline.domNodes < SOAK_CYCLES, `DOM nodes ${baseline.domNodes} → ${end.domNodes}`);
  assert.ok(end.jsHeapUsed - baseline.jsHeapUsed < 2 * MiB, `JS heap ${mib(baseline.jsHeapUsed)} → ${mib(end.jsHeapUsed)}`);
  // Linear memory grows by 64 KiB pages and never shrinks. A leak of a few hundred bytes per
  // player (the page-wide cart signal once kept every destroyed player's subscriptions: ~650
  // bytes a cycle, a page every ~100 cycles) shows as pages over this many cycles; one page is
  // allocator slack.
  assert.ok(end.wasm - baseline.wasm <= 64 * 1024, `wasm memory ${mib(baseline.wasm)} → ${mib(end.wasm)}`);
  assert.deepEqual(pageErrors, []);
});

// ── many players ───────────────────────────────────────────────────────────────────────────

test('three players on one page play independently, share one cart, and one fatal error leaves the others playing', async () => {
  const { page, pageErrors } = await openPage();
  await addPlayers(page, [FMP4, TS, BYTERANGE].map((src) => ({ src, products: DEMO_FEED, engine: 'mse', muted: true, autoplay: true })));
  await waitForEvents(page, 'ready', 3);
  await page.waitForFunction(
    () => [...document.querySelectorAll('shoppable-player')].every((p) => p.shadowRoot?.querySelector('video')?.currentTime > 1),
    null,
    { timeout: 20_000 },
  );

  // Pausing one leaves the others playing; seeking one moves only that one.
  await callPlayer(page, 1, (p) => p.pause());
  await callPlayer(page, 2, (p) => p.seek(20));
  const before = await times(page);
  await page.waitForTimeout(2_000);
  const after = await times(page);
  assert.ok(after[0] - before[0] > 1, `player 1 plays on: ${before[0]} → ${after[0]}`);
  assert.ok(Math.abs(after[1] - before[1]) < 0.05, `player 2 stays paused: ${before[1]} → ${after[1]}`);
  assert.ok(before[2] >= 19.9 && after[2] - before[2] > 1, `player 3 plays from its seek: ${before[2]} → ${after[2]}`);
  assert.ok(before[0] < 19, 'player 1 was not moved by player 3\'s seek');

  // One cart: added in the first player's sheet, counted in all three.
  await part(page, 'rail-button', 0).click();
  await page.locator('shoppable-player').nth(0).locator('[part="rail-item"][data-product-id="tote"] button').first().click();
  await part(page, 'product-sheet', 0).waitFor();
  await part(page, 'add-to-cart', 0).click();
  for (const index of [0, 1, 2]) assert.equal(await text(part(page, 'cart-count', index)), '1', `player ${index + 1}'s count`);

  // A fatal error in the third player (its stream replaced by a body that is not a playlist)
  // shows in that player only.
  await callPlayer(page, 1, (p) => p.play());
  await callPlayer(page, 2, (p) => p.load('/tests/streams/not-a-playlist.m3u8'));
  await part(page, 'error', 2).waitFor({ state: 'visible', timeout: 15_000 });
  const [fatal] = (await events(page, 'error')).filter((e) => e.detail.fatal);
  assert.equal(fatal?.index, 2, 'the error event is the third player\'s');
  assert.equal(fatal.detail.code, 'manifest_parse');
  const atError = await times(page);
  await page.waitForTimeout(2_000);
  const later = await times(page);
  assert.ok(later[0] - atError[0] > 1 && later[1] - atError[1] > 1, `the others play on: ${atError} → ${later}`);
  for (const index of [0, 1]) assert.equal(await part(page, 'error', index).count(), 0, `no error in player ${index + 1}`);
  // The cart still works from a surviving player, and the broken one's count follows.
  await callPlayer(page, 1, (p) => p.cart.add('40001', 2));
  for (const index of [0, 1, 2]) assert.equal(await text(part(page, 'cart-count', index)), '3', `player ${index + 1}'s count`);
  assert.equal((await events(page, 'error')).filter((e) => e.index !== 2).length, 0, 'no error from the others');
  assert.deepEqual(pageErrors, []);
});

// ── hostile playlists in the page ──────────────────────────────────────────────────────────

test('hostile playlists fail their own player with a located error while another plays on', async () => {
  const { page, pageErrors } = await openPage();
  const base = baseUrl();
  const segments = '#EXTINF:2,\nseg.ts\n'.repeat(500_000);
  const hostile = {
    // A million lines, the last one absurd: the error names its line.
    'million.m3u8': `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${segments}#EXTINF:1e308,\nlast.ts\n`,
    // 1 MiB behind every reference, thousands of references: stopped by the expansion budget.
    'bomb.m3u8': `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DEFINE:NAME="a",VALUE="${'y'.repeat(1 << 20)}"\n${'#EXTINF:2,\n{$a}{$a}{$a}{$a}.ts\n'.repeat(2_000)}`,
    'no-header.m3u8': '#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n',
  };
  for (const [name, body] of Object.entries(hostile)) {
    await page.route(`${base}/hostile/${name}`, (route) => route.fulfill({ contentType: 'application/vnd.apple.mpegurl', body }));
  }
  await addPlayers(page, [{ src: FMP4, engine: 'mse', muted: true, autoplay: true }]);
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot?.querySelector('video')?.currentTime > 0.5, null, { timeout: 20_000 });
  await addPlayers(page, Object.keys(hostile).map((name) => ({ src: `/hostile/${name}`, engine: 'mse', muted: true, autoplay: true })));
  for (const index of [1, 2, 3]) await part(page, 'error', index).waitFor({ state: 'visible', timeout: 20_000 });
  const errors = (await events(page, 'error')).map((e) => [e.index, e.detail.code, e.detail.message]);
  assert.deepEqual(errors.map(([index, code]) => [index, code]).sort(), [1, 2, 3].map((i) => [i, 'manifest_parse']), JSON.stringify(errors));
  const message = (index) => errors.find(([i]) => i === index)[2];
  assert.match(message(1), /line 1,?000,?003/);
  assert.match(message(2), /budget/);
  assert.match(message(3), /EXTM3U/);
  assert.ok(errors.every(([, , m]) => m.length < 1_000), 'messages do not echo the input');
  const before = (await times(page))[0];
  await page.waitForTimeout(1_500);
  assert.ok((await times(page))[0] - before > 0.8, 'the first player plays on');
  assert.equal(await part(page, 'error', 0).count(), 0);
  assert.deepEqual(pageErrors, []);
});

// ── cart durability ────────────────────────────────────────────────────────────────────────

/**
 * Adds two lines (one through the sheet, one through the API), checks the count, checks out
 * (`event`) and returns the lines the host received.
 */
async function fillAndCheckOut(page) {
  await addPlayers(page, [{ src: FMP4, products: DEMO_FEED, engine: 'mse', muted: true, checkout: 'event' }]);
  await waitForEvents(page, 'ready', 1);
  await part(page, 'rail-button').click();
  await page.locator('shoppable-player [part="rail-item"][data-product-id="tote"] button').first().click();
  await part(page, 'product-sheet').waitFor();
  await part(page, 'add-to-cart').click();
  await callPlayer(page, 0, (p) => p.cart.add('40001', 2));
  const items = await callPlayer(page, 0, (p) => p.cart.items.map((i) => [i.variant_id, i.quantity]));
  assert.equal(await text(part(page, 'cart-count')), '3', `cart ${JSON.stringify(items)}`);
  await page.keyboard.press('Escape');
  await part(page, 'cart-button').click();
  await part(page, 'checkout-button').click();
  await waitForEvents(page, 'begin_checkout', 1);
  const [{ detail }] = await events(page, 'begin_checkout');
  return detail.lines.map((l) => [l.variant_id, l.quantity]).sort();
}

const EXPECTED_LINES = [['40001', 2], ['50001', 1]];

for (const { name, init, warning } of [
  {
    name: 'a storage quota error',
    init: () => {
      Storage.prototype.setItem = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    },
    warning: /could not be saved/,
  },
  {
    name: 'private-mode storage (localStorage throws SecurityError)',
    init: () => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('Access is denied for this document.', 'SecurityError');
        },
      });
    },
    warning: null,
  },
]) {
  test(`${name}: the in-memory cart keeps every line and checks out`, async () => {
    const { page, pageErrors } = await openPage({ init: [init] });
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    assert.deepEqual(await fillAndCheckOut(page), EXPECTED_LINES);
    assert.equal(await text(part(page, 'cart-count')), '3');
    if (warning) assert.ok(warnings.some((w) => warning.test(w)), `warned: ${warnings}`);
    assert.deepEqual(pageErrors, [], 'nothing threw on the page');
  });
}

for (const { name, saved, warning } of [
  { name: 'corrupt JSON', saved: '{"v":1,"lines":[{"variant_id":"40005",', warning: /not valid JSON/ },
  { name: 'an old schema version', saved: '{"v":0,"items":[{"id":"40005","qty":1}],"lines":[]}', warning: /version|not a cart/i },
]) {
  test(`${name} under the cart key: a fresh cart that works, and is saved over the bad record`, async () => {
    const { page, pageErrors } = await openPage();
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.evaluate(({ key, saved }) => localStorage.setItem(key, saved), { key: CART_KEY(new URL(baseUrl()).host), saved });
    assert.deepEqual(await fillAndCheckOut(page), EXPECTED_LINES);
    assert.ok(warnings.some((w) => warning.test(w)), `warned: ${warnings}`);
    // What replaced the bad record loads back after a reload.
    await page.reload();
    await addPlayers(page, [{ src: FMP4, products: DEMO_FEED, engine: 'mse', muted: true }]);
    await waitForEvents(page, 'ready', 1);
    assert.equal(await text(part(page, 'cart-count')), '3');
    assert.deepEqual(pageErrors, []);
  });
}

test('two tabs adding different lines at the same moment lose none', async () => {
  const first = await openPage();
  const second = await openPage({ keepStorage: true });
  const tabs = [first.page, second.page];
  for (const page of tabs) {
    await addPlayers(page, [{ src: FMP4, products: DEMO_FEED, engine: 'mse', muted: true }]);
    await waitForEvents(page, 'ready', 1);
  }
  // Rounds of simultaneous adds, a different variant in each tab.
  const rounds = [['40001', '50001'], ['40002', '50002'], ['40005', '40006']];
  for (const [a, b] of rounds) {
    await Promise.all([
      callPlayer(first.page, 0, (p, id) => p.cart.add(id, 1), a),
      callPlayer(second.page, 0, (p, id) => p.cart.add(id, 1), b),
    ]);
  }
  const all = rounds.flat().sort();
  const lines = (page) => page.evaluate(() => document.querySelector('shoppable-player').player.cart.items.map((i) => i.variant_id).sort());
  for (const page of tabs) {
    await page.waitForFunction((n) => document.querySelector('shoppable-player').player.cart.items.length === n, all.length, { timeout: 10_000 })
      .catch(() => {});
    assert.deepEqual(await lines(page), all);
    assert.equal(await text(part(page, 'cart-count')), String(all.length));
  }
  // What is saved has them all too: a third tab opened now loads every line.
  const third = await openPage({ keepStorage: true });
  await addPlayers(third.page, [{ src: FMP4, products: DEMO_FEED, engine: 'mse', muted: true }]);
  await waitForEvents(third.page, 'ready', 1);
  assert.deepEqual(await lines(third.page), all);
  for (const { pageErrors } of [first, second, third]) assert.deepEqual(pageErrors, []);
});
