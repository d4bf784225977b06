// Memory over long looping playback of our player (10 minutes in a full run): the fixture
// ladder restarted with `player.seek(0)` + `play()` at each end, memory sampled after forced GC.
// Runs in its own Chromium alongside the other measurements (see bench.rs), so the whole bench
// stays within its time budget. Writes results/soak.json.
import { env, writeResult } from './lib/env.mjs';
import { plateau } from './lib/stats.mjs';
import { FIXTURE, launch, firstFrame, memorySession, memorySample, sleep } from './lib/chromium.mjs';

const seconds = env.smoke ? 6 : 600;
const sampleEvery = env.smoke ? 3 : 30;

const browser = await launch();
// `cargo xtask bench` stops the soak with SIGTERM when the run cannot go on: close Chromium too.
process.once('SIGTERM', () => {
  browser.close().finally(() => process.exit(143));
});
try {
  const { context, page, cdp, errors } = await memorySession(browser, 'ours', '&loop=1');
  await firstFrame(page);
  const started = Date.now();
  const samples = [];
  for (;;) {
    const at = (Date.now() - started) / 1000;
    const playback = await page.evaluate(() => {
      const entry = window.__bench.current();
      return { time: entry.video.currentTime, loops: entry.loops, waitingEvents: entry.waitingEvents };
    });
    samples.push({ at, ...playback, ...(await memorySample(cdp, page)) });
    if (at >= seconds) break;
    if (!env.smoke && samples.length % 4 === 1) {
      console.log(`soak: ${at.toFixed(0)} s, ${playback.loops} loops, JS heap ${(samples.at(-1).jsHeapUsed / 1048576).toFixed(2)} MiB`);
    }
    await sleep(Math.min(sampleEvery, seconds - at) * 1000);
  }
  await context.close();
  const series = (key) => samples.map((s) => [s.at, s[key]]);
  const fromX = seconds / 5;
  writeResult('soak', {
    player: 'ours',
    stream: FIXTURE,
    seconds,
    sampleEverySeconds: sampleEvery,
    loops: samples.at(-1).loops,
    samples,
    verdict: {
      jsHeap: plateau(series('jsHeapUsed'), { fromX, absolute: 1024 * 1024, relative: 0.05 }),
      wasm: plateau(series('wasm'), { fromX, absolute: 256 * 1024, relative: 0.05 }),
      domNodes: plateau(series('domNodes'), { fromX, absolute: 50, relative: 0 }),
    },
    errors,
  });
} finally {
  await browser.close();
}
