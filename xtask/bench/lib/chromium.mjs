// Headless Debian Chromium for the browser measurements (never a downloaded browser), and what
// the measurements share: the page shell's URL, fresh contexts, first-frame waits, memory samples.
import { chromium } from 'playwright-core';
import { env } from './env.mjs';

/** The 3-rendition fMP4 test ladder (30 s), as the browser tests and the demo page play it. */
export const FIXTURE = '/streams/vod-fmp4/master.m3u8';
export const INSTRUMENT = new URL('../pages/instrument.js', import.meta.url).pathname;
export const PLAYERS = ['ours', 'hlsjs'];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export const shellUrl = (player, src, extra = '') =>
  `${env.baseUrl}/bench/shell.html?player=${player}&src=${encodeURIComponent(src)}${extra}`;

/**
 * The flags the browser tests use (tests/e2e/harness.mjs). Playwright gives every launch a fresh
 * temporary profile, and every measurement gets its own fresh context (cold cache).
 */
export function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A fresh context and page that records uncaught errors. */
export async function open(browser, viewport = { width: 1000, height: 700 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return { context, page, errors };
}

/** Waits until the current player's video presented its first frame; returns what was recorded. */
export async function firstFrame(page, timeout = 20_000) {
  const handle = await page.waitForFunction(
    () => {
      const entry = window.__bench && window.__bench.current && window.__bench.current();
      return entry && entry.firstFrame !== null ? { firstFrame: entry.firstFrame, by: entry.firstFrameBy } : null;
    },
    null,
    { timeout, polling: 50 },
  );
  return handle.jsonValue();
}

/** A shell page for memory measurements, with a CDP session. */
export async function memorySession(browser, player, extra) {
  const session = await open(browser);
  const cdp = await session.context.newCDPSession(session.page);
  await cdp.send('Performance.enable');
  await session.page.goto(shellUrl(player, FIXTURE, extra));
  await session.page.evaluate(() => window.__bench.ready);
  return { ...session, cdp };
}

/** JS heap and DOM after a forced full GC, wasm linear memory, via CDP and the instrumentation. */
export async function memorySample(cdp, page) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
  const usage = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__bench.wasmBytes());
  return {
    jsHeapUsed: metric.JSHeapUsedSize,
    jsHeapTotal: metric.JSHeapTotalSize,
    backingStores: usage.backingStorageSize ?? null,
    domNodes: metric.Nodes,
    listeners: metric.JSEventListeners,
    wasm,
  };
}
