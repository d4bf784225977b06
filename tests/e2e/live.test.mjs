// Live shows in Chromium against the dev server's live simulator (/live/{name}/…): joining at
// the edge, holding the latency, a frozen playlist, and the end of the show. Each test starts
// its own stream; target duration 2 s, window 6 segments, the first request finds 12 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, baseUrl, newPage } from './harness.mjs';

const TD = 2;
let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function control(name, action) {
  const response = await fetch(`${baseUrl()}/live/${name}/control/${action}`, { method: 'POST' });
  assert.equal(response.status, 200, `${action} ${name}`);
  return response.json();
}

/** Seconds of show produced so far: the true live edge (the stream starts at media time 0). */
async function showTime(name) {
  return (await (await fetch(`${baseUrl()}/live/${name}/status`)).json()).time;
}

async function watchShow(name, { restart = 'restart', products, latency } = {}) {
  await control(name, restart);
  const { page, pageErrors } = await newPage(browser);
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate(([src, products, latency]) => {
    window.__events = [];
    const player = document.createElement('shoppable-player');
    player.setAttribute('src', src);
    player.setAttribute('engine', 'mse');
    player.setAttribute('muted', '');
    player.setAttribute('autoplay', '');
    if (products) player.setAttribute('products', products);
    if (latency) player.setAttribute('latency', latency);
    for (const type of ['ready', 'error']) {
      player.addEventListener(`shoppable:${type}`, (e) => window.__events.push({ type, detail: e.detail }));
    }
    document.getElementById('stage').append(player);
  }, [`/live/${name}/master.m3u8`, products, latency]);
  return { page, pageErrors };
}

const media = (page) =>
  page.evaluate(() => {
    const video = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
    const s = video.seekable;
    return {
      time: video.currentTime,
      paused: video.paused,
      duration: video.duration,
      seekable: s.length ? [s.start(0), s.end(s.length - 1)] : null,
    };
  });

const playing = (page, timeout = 20_000) =>
  page.waitForFunction(
    () => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime > 0.2,
    null,
    { timeout },
  );

const unique = (prefix) => `${prefix}-${process.pid}-${Date.now()}`;

test('a viewer joins within three target durations of the live edge', async () => {
  const name = unique('join');
  const { page, pageErrors } = await watchShow(name);
  await playing(page);
  const { time, seekable } = await media(page);
  const [ready] = await page.evaluate(() => window.__events.filter((e) => e.type === 'ready'));
  assert.equal(ready?.detail.live, true);
  // Against the edge the player knows (the playlist's), and against the true one, which the
  // playlist trails by up to a segment.
  assert.ok(seekable && seekable[1] - time <= 3 * TD + 0.5, `joined ${seekable?.[1] - time} s behind the playlist edge`);
  const behind = (await showTime(name)) - time;
  assert.ok(behind <= 3 * TD + TD + 1, `joined ${behind} s behind the live edge`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('latency stays within bounds over a 60-second run', async () => {
  const name = unique('latency');
  const { page } = await watchShow(name);
  await playing(page);
  let worst = 0;
  for (let i = 0; i < 30; i++) {
    await page.waitForTimeout(2_000);
    const { time, paused } = await media(page);
    assert.equal(paused, false);
    worst = Math.max(worst, (await showTime(name)) - time);
  }
  // Target latency 3 target durations; the edge moves in 2 s steps; a little for reload timing.
  assert.ok(worst <= 3 * TD + TD + 1.5, `worst latency ${worst.toFixed(2)} s`);
  await page.close();
});

test('a frozen playlist shows "reconnecting" and playback resumes when it moves again', async () => {
  const name = unique('frozen');
  const { page } = await watchShow(name);
  await playing(page);
  await control(name, 'freeze');
  const status = page.locator('shoppable-player [part="status"]');
  await status.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await status.innerText(), /Reconnecting/);
  await control(name, 'unfreeze');
  await status.waitFor({ state: 'hidden', timeout: 20_000 });
  const before = (await media(page)).time;
  await page.waitForFunction(
    (t) => document.querySelector('shoppable-player').shadowRoot.querySelector('video').currentTime > t + 2,
    before,
    { timeout: 20_000 },
  );
  const errors = await page.evaluate(() => window.__events.filter((e) => e.type === 'error'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the end of the show turns it into a seekable replay', async () => {
  const name = unique('ended');
  const { page } = await watchShow(name);
  await playing(page);
  await control(name, 'end');
  const status = page.locator('shoppable-player [part="status"]');
  await status.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await status.innerText(), /ended/);
  await page.locator('shoppable-player [part="live-badge"]').waitFor({ state: 'detached' });
  const { duration } = await media(page);
  assert.ok(Number.isFinite(duration) && duration > 10, `a replay has a duration: ${duration}`);
  // Seek back to the start of what the window still holds and play from there.
  const { seekable } = await media(page);
  const target = seekable[0] + 1;
  await page.evaluate((t) => document.querySelector('shoppable-player').player.seek(t), target);
  await page.waitForFunction(
    (t) => {
      const v = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
      return !v.seeking && v.currentTime > t + 1;
    },
    target,
    { timeout: 20_000 },
  );
  await page.close();
});

/** The live edge as published: where the playlist's last full segment and trailing parts end. */
async function publishedEdge(name, rendition = '144p') {
  const text = await (await fetch(`${baseUrl()}/live/${name}/${rendition}/index.m3u8`)).text();
  const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)[1]);
  const lines = text.split('\n');
  let edge = first * TD;
  let trailing = 0;
  for (const line of lines) {
    const segment = /^#EXTINF:([\d.]+)/.exec(line);
    if (segment) {
      edge += Number(segment[1]);
      trailing = 0;
    }
    const part = /^#EXT-X-PART:DURATION=([\d.]+)/.exec(line);
    if (part) trailing += Number(part[1]);
  }
  // Parts listed before a segment's EXTINF belong to it; only those after the last one add.
  return edge + trailing;
}

test('low-latency HLS plays part by part near PART-HOLD-BACK', async () => {
  const name = unique('low') + '-ll';
  const { page } = await watchShow(name);
  const partRequests = [];
  page.on('request', (request) => {
    const range = request.headers().range;
    if (/\/seg_\d+\.ts$/.test(new URL(request.url()).pathname) && range) partRequests.push(range);
  });
  await playing(page);
  await page.waitForTimeout(4_000);
  let worst = 0;
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(1_000);
    const { time, paused } = await media(page);
    assert.equal(paused, false);
    worst = Math.max(worst, (await publishedEdge(name)) - time);
  }
  // PART-HOLD-BACK is 1.5 s and parts are 0.5 s; regular HLS would sit 6 s behind.
  assert.ok(worst <= 1.5 + 0.5 + 1.0, `worst latency ${worst.toFixed(2)} s behind the published edge`);
  assert.ok(partRequests.length >= 8, `parts loaded as byte ranges of segments: ${partRequests.length}`);
  await page.close();
});

test('low-latency HLS with a resource per part loads each hinted part once, before any playlist lists it', async () => {
  // `-ll-parts`: every part is its own resource and the preload hint names the next one
  // (no byte range), so the player can ask for it before it exists and the server holds it.
  const name = unique('low-parts') + '-ll-parts';
  const { page } = await watchShow(name);
  const fetched = [];
  page.on('request', (request) => {
    // rendition/file: each rendition names its parts alike.
    const file = /\/([^/]+\/seg_\d+(?:\.part\d+)?\.ts)$/.exec(new URL(request.url()).pathname);
    if (file) fetched.push(file[1]);
  });
  await playing(page);
  await page.waitForTimeout(4_000);
  let worst = 0;
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(1_000);
    const { time, paused } = await media(page);
    assert.equal(paused, false);
    worst = Math.max(worst, (await publishedEdge(name)) - time);
  }
  // The same bound as for byte-range parts: PART-HOLD-BACK 1.5 s, parts of 0.5 s.
  assert.ok(worst <= 1.5 + 0.5 + 1.0, `worst latency ${worst.toFixed(2)} s behind the published edge`);

  // The server's view: when each part was first asked for and first listed in a playlist it
  // answered. Only the server can tell a hinted request from one made after a listing.
  const log = await (await fetch(`${baseUrl()}/live/${name}/parts`)).json();
  const requested = log.parts
    .filter((p) => p.requests > 0)
    .sort((a, b) => a.first_requested_ms - b.first_requested_ms);
  // The first seconds load the parts behind the edge from the playlist; from then on the
  // player is at the edge, where every part it needs is the hinted one.
  const steady = requested.slice(8);
  assert.ok(steady.length >= 16, `parts requested at the edge: ${steady.length} (of ${requested.length})`);
  const describe = (p) => `${p.rendition} ${p.msn}.${p.part} requested ${p.first_requested_ms?.toFixed(0)} ms, listed ${p.first_listed_ms?.toFixed(0)} ms, published ${p.published_ms.toFixed(0)} ms`;
  const late = steady.filter((p) => p.first_listed_ms !== null && p.first_listed_ms <= p.first_requested_ms);
  // A rendition switch may start on a listed part (the new rendition's hint is not known
  // yet); anything more means the hints are not being used.
  assert.ok(late.length <= 2, `parts requested only after a playlist listed them:\n${late.map(describe).join('\n')}`);
  // Asked for before it existed: the request was waiting at the server when the part appeared.
  const waiting = steady.filter((p) => p.first_requested_ms < p.published_ms);
  assert.ok(waiting.length >= steady.length * 0.8, `${waiting.length} of ${steady.length} parts requested before they were published`);

  // Each part once, and no segment loaded whole after (or besides) its parts.
  const twice = requested.filter((p) => p.requests > 1);
  assert.deepEqual(twice.map(describe), [], 'parts requested more than once');
  const counts = new Map();
  for (const file of fetched) counts.set(file, (counts.get(file) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'files fetched more than once by the page');
  const partSegments = new Set(fetched.filter((f) => f.includes('.part')).map((f) => f.split('.')[0]));
  const wholeAlso = fetched.filter((f) => !f.includes('.part') && partSegments.has(f.split('.')[0]));
  assert.deepEqual(wholeAlso, [], 'segments loaded whole as well as part by part');
  await page.close();
});

/**
 * Records, in the page, the media time at which each product's card is first and last seen
 * (sampled every 50 ms).
 */
function recordCards(page) {
  return page.evaluate(() => {
    window.__cards = {};
    const host = document.querySelector('shoppable-player');
    setInterval(() => {
      const video = host.shadowRoot.querySelector('video');
      for (const card of host.shadowRoot.querySelectorAll('[part~="product-card"]')) {
        if (!card.checkVisibility()) continue;
        const id = card.dataset.productId;
        const seen = (window.__cards[id] ??= { first: video.currentTime, last: video.currentTime });
        seen.last = video.currentTime;
      }
    }, 50);
  });
}

const waitForMediaTime = (page, seconds, timeout) =>
  page.waitForFunction(
    (s) => document.querySelector('shoppable-player').shadowRoot.querySelector('video').currentTime > s,
    seconds,
    { timeout },
  );

// The simulator's moments repeat every 30 s of show: tee from 4 to 18 s, tote from 20 to 28 s.
// The feed lists the products without a timeline, so only the stream can bring the cards.
for (const { route, restart } of [
  { route: 'EXT-X-DATERANGE', restart: 'restart?moments=daterange' },
  { route: 'ID3 in the segments', restart: 'restart?moments=id3' },
]) {
  test(`a product moment carried by ${route} shows its card within 1 s of its start and removes it at its end`, async () => {
    const name = unique('moment');
    const { page } = await watchShow(name, { restart, products: '/tests/feeds/no-timeline.json' });
    await playing(page);
    await recordCards(page);
    await waitForMediaTime(page, 29.5, 40_000);
    const cards = await page.evaluate(() => window.__cards);
    const tote = cards.tote;
    assert.ok(tote, `the tote card was shown (seen: ${JSON.stringify(cards)})`);
    assert.ok(tote.first >= 20 - 0.05 && tote.first < 21, `tote card appeared at ${tote.first}`);
    assert.ok(tote.last < 29 && tote.last >= 27.5, `tote card last seen at ${tote.last}`);
    await page.close();
  });
}

test('the latency attribute sets how far behind the live edge the player plays', async () => {
  const name = unique('latency-attr');
  // A 20-segment window leaves room to sit 12 s back instead of the default 6 s.
  const { page } = await watchShow(name, { restart: 'restart?window=20&preroll=40', latency: '12' });
  await playing(page);
  await page.waitForTimeout(6_000);
  const { time, seekable } = await media(page);
  // The playlist edge moves in 2 s steps while playback moves smoothly: the gap to it swings
  // between the target and one segment less. The default target (6 s) would read 4 to 6.5 s.
  const behind = seekable[1] - time;
  assert.ok(behind >= 12 - TD - 0.5 && behind <= 12 + TD + 1, `${behind.toFixed(2)} s behind the playlist edge, asked for 12`);
  await page.close();
});
