// The player under network faults, in real Chromium against the real server's fault injection
// (xtask/src/faults.rs, docs/testing.md): each test serves the fMP4 ladder (3 renditions,
// 15 × 2 s segments) under its own `/faulty/{scope}/` path, sets rules for that scope only,
// and asserts what a viewer sees: playback goes on, or one clear error is shown.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, baseUrl, newPage } from './harness.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await resetFaults();
  await browser?.close();
});
beforeEach(resetFaults);

async function resetFaults() {
  const response = await fetch(`${baseUrl()}/__faults/reset`, { method: 'POST' });
  assert.equal(response.status, 204, 'the server has fault injection');
}

/** Adds fault rules; throws with the server's reason when it refuses one. */
async function addFaults(...rules) {
  const response = await fetch(`${baseUrl()}/__faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rules),
  });
  assert.equal(response.status, 200, await response.text());
}

/** How many requests each rule has faulted, by pattern. */
async function faultHits() {
  const rules = await (await fetch(`${baseUrl()}/__faults`)).json();
  return Object.fromEntries(rules.map((r) => [r.path, r.hits]));
}

/** The fMP4 ladder under `/faulty/{scope}/`: faults for one test touch no other test. */
const stream = (scope) => `/faulty/${scope}/vod-fmp4`;

/**
 * Opens a `<shoppable-player engine="mse" muted autoplay>` for `src`, recording its
 * `shoppable:error` details and the path of every request the page makes.
 */
async function openPlayer(src) {
  const { page, pageErrors } = await newPage(browser);
  const paths = [];
  page.on('request', (request) => paths.push(new URL(request.url()).pathname));
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate((src) => {
    window.__errors = [];
    const player = document.createElement('shoppable-player');
    for (const [name, value] of Object.entries({ src, engine: 'mse', muted: '', autoplay: '' })) {
      player.setAttribute(name, value);
    }
    player.addEventListener('shoppable:error', (e) => window.__errors.push(e.detail));
    document.getElementById('stage').append(player);
  }, src);
  return { page, pageErrors, paths };
}

const errorsOf = (page) => page.evaluate(() => window.__errors);

/** Waits until the video's currentTime passes `seconds`, saying where it stood if not. */
async function waitForTime(page, seconds, timeout = 40_000) {
  await page
    .waitForFunction(
      (t) => {
        const video = document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video');
        return video && !video.seeking && video.currentTime > t;
      },
      seconds,
      { timeout },
    )
    .catch(async (error) => {
      const state = await page
        .evaluate(() => {
          const v = document.querySelector('shoppable-player').shadowRoot.querySelector('video');
          return { time: v.currentTime, readyState: v.readyState, paused: v.paused };
        })
        .catch(() => null);
      const errors = await errorsOf(page).catch(() => null);
      throw new Error(
        `currentTime did not pass ${seconds} s within ${timeout} ms: video ${JSON.stringify(state)}, ` +
          `shoppable:error ${JSON.stringify(errors)} (${error.message.split('\n')[0]})`,
      );
    });
}

async function assertNoFatalError(page, pageErrors) {
  const fatal = (await errorsOf(page)).filter((e) => e.fatal);
  assert.deepEqual(fatal, [], 'no fatal shoppable:error');
  assert.deepEqual(pageErrors, [], 'no exception escaped on the page');
  const shown = await page.evaluate(
    () => !!document.querySelector('shoppable-player').shadowRoot.querySelector('[part="error"]'),
  );
  assert.equal(shown, false, 'no error is shown to the viewer');
}

const count = (paths, pattern) => paths.filter((p) => pattern.test(p)).length;

test('a segment missing (404) from the playing renditions fails over to another and plays on', async () => {
  const base = stream('failover');
  // 240p and 360p, where ABR plays on a fast link; 144p still has it.
  const rule = `${base}/*0p/seg_002.m4s`;
  await addFaults({ path: rule, status: 404 });
  const { page, pageErrors, paths } = await openPlayer(`${base}/master.m3u8`);
  try {
    await waitForTime(page, 8);
    assert.ok((await faultHits())[rule] >= 1, 'a 404 was served');
    assert.equal(count(paths, /\/144p\/seg_002\.m4s$/), 1, 'segment 2 came from 144p');
    await assertNoFatalError(page, pageErrors);
    const reported = await errorsOf(page);
    assert.ok(
      reported.some((e) => !e.fatal && e.code === 'segment_load'),
      `the failover is reported as a non-fatal error: ${JSON.stringify(reported)}`,
    );
  } finally {
    await page.close();
  }
});

test('a playlist answering 503 to the next 2 requests is retried and plays', async () => {
  const base = stream('playlist-503');
  const rule = `${base}/master.m3u8`;
  await addFaults({ path: rule, status: 503, times: 2 });
  const { page, pageErrors, paths } = await openPlayer(`${base}/master.m3u8`);
  try {
    await waitForTime(page, 3);
    assert.equal((await faultHits())[rule], 2);
    assert.equal(count(paths, /\/master\.m3u8$/), 3, 'two failures, one success, no more');
    await assertNoFatalError(page, pageErrors);
    assert.deepEqual(await errorsOf(page), [], 'a retried playlist is not an error');
  } finally {
    await page.close();
  }
});

test('added latency and a bandwidth cap make ABR settle on a lower rendition', async () => {
  const base = stream('slow-link');
  // 60 kB/s = 480 kbit/s: 144p (267 kbit/s) fits, 240p (580 kbit/s) and 360p do not.
  const rule = `${base}/*.m4s`;
  await addFaults({ path: rule, latency_ms: 100, bytes_per_second: 60_000 });
  const { page, pageErrors, paths } = await openPlayer(`${base}/master.m3u8`);
  try {
    await waitForTime(page, 8, 60_000);
    assert.ok((await faultHits())[rule] >= 3, 'segments went through the slow link');
    const segments = paths.filter((p) => p.endsWith('.m4s'));
    const last = segments.slice(-3);
    assert.ok(
      last.every((p) => p.includes('/144p/')),
      `the last segments come from 144p: ${JSON.stringify(segments)}`,
    );
    await assertNoFatalError(page, pageErrors);
  } finally {
    await page.close();
  }
});

for (const [name, fault] of [
  ['a truncated body (Content-Length promises more than is sent)', { truncate: 0.5 }],
  ['a connection reset mid-body', { reset: 0.3 }],
]) {
  test(`${name} is retried and playback goes on`, async () => {
    const base = stream(Object.keys(fault)[0]);
    const rule = `${base}/*/seg_001.m4s`;
    // The first request is broken; a second rule (1 ms of latency) counts, at the server,
    // the requests after it.
    const again = `${base}/*/seg_001.m*`;
    await addFaults({ path: rule, ...fault, times: 1 }, { path: again, latency_ms: 1 });
    const { page, pageErrors } = await openPlayer(`${base}/master.m3u8`);
    try {
      await waitForTime(page, 8);
      const hits = await faultHits();
      assert.equal(hits[rule], 1);
      assert.ok(hits[again] >= 1, 'segment 1 was asked for again');
      await assertNoFatalError(page, pageErrors);
    } finally {
      await page.close();
    }
  });
}

test('a hung response is cut off by its deadline and retried, and playback goes on', async () => {
  const base = stream('hang');
  const rule = `${base}/*/seg_002.m4s`;
  await addFaults({ path: rule, hang: true, times: 1 });
  const { page, pageErrors, paths } = await openPlayer(`${base}/master.m3u8`);
  try {
    await waitForTime(page, 8);
    assert.equal((await faultHits())[rule], 1);
    assert.ok(count(paths, /\/seg_002\.m4s$/) >= 2, 'segment 2 was asked for again');
    await assertNoFatalError(page, pageErrors);
  } finally {
    await page.close();
  }
});

test('a segment missing from every rendition ends in one fatal error, shown with a human message', async () => {
  const base = stream('gone');
  const rule = `${base}/*/seg_002.m4s`;
  await addFaults({ path: rule, status: 404 });
  const { page, pageErrors } = await openPlayer(`${base}/master.m3u8`);
  try {
    const error = page.locator('shoppable-player [part="error"]');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await error.innerText();
    assert.match(text, /could not load part of the video/i);
    assert.match(text, /HTTP 404/);
    // Two tries on each of two renditions, then the whole budget (4) on the last one.
    assert.equal((await faultHits())[rule], 8);
    const fatal = (await errorsOf(page)).filter((e) => e.fatal);
    assert.equal(fatal.length, 1, JSON.stringify(fatal));
    assert.equal(fatal[0].code, 'segment_load');
    assert.match(fatal[0].url, /\/seg_002\.m4s$/);
    assert.equal(fatal[0].message, text.split('\n').pop().trim());
    // It stays one: nothing is retried after the budget.
    await page.waitForTimeout(1_500);
    assert.equal((await faultHits())[rule], 8);
    assert.equal((await errorsOf(page)).filter((e) => e.fatal).length, 1);
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
  }
});

test('when the faults are cleared the player recovers on its own', async () => {
  const base = stream('recover');
  const rule = `${base}/*.m4s`;
  // Every segment fails (an outage of the media servers) from the start.
  await addFaults({ path: rule, status: 503 });
  const { page, pageErrors } = await openPlayer(`${base}/master.m3u8`);
  try {
    // Wait until the player has been refused a few times, then bring the servers back.
    const deadline = Date.now() + 20_000;
    while (((await faultHits())[rule] ?? 0) < 3) {
      assert.ok(Date.now() < deadline, 'the player kept asking during the outage');
      await new Promise((r) => setTimeout(r, 100));
    }
    await resetFaults();
    await waitForTime(page, 4);
    await assertNoFatalError(page, pageErrors);
  } finally {
    await page.close();
  }
});
