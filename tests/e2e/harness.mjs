// Shared set-up for the browser tests. `cargo xtask test` builds the SDK, starts the demo server
// and passes its address in BASE_URL; the browser is the machine's Debian Chromium, never a
// downloaded one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, afterEach } from 'node:test';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Tests assert playback itself, so autoplay must not depend on a user gesture.
  '--autoplay-policy=no-user-gesture-required',
];

/** The test server's origin, e.g. `http://127.0.0.1:41234` (no trailing slash). */
export function baseUrl() {
  const url = process.env.BASE_URL;
  if (!url) {
    throw new Error('BASE_URL is not set: run the browser tests with `cargo xtask test`');
  }
  return url.replace(/\/+$/, '');
}

/**
 * Starts headless Chromium with a fresh profile, so no cache, storage or cart survives from an
 * earlier run. Returns `{ context, close() }`; `close` also deletes the profile.
 *
 * Playwright refuses `--user-data-dir` in `launch()`; a persistent context is its way to choose
 * the profile directory. `contextOptions` go to it as well (e.g. a phone's viewport, touch and
 * device scale factor).
 */
export async function launchBrowser(contextOptions = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'shoppable-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      ...contextOptions,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a tab that records what went wrong in it: `consoleErrors` (console.error and failed
 * loads reported to the console, each with its URL) and `pageErrors` (uncaught exceptions), for
 * tests to assert are empty.
 */
export async function newPage(browser) {
  const page = await browser.context.newPage();
  const consoleErrors = [];
  const pageErrors = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url } = message.location();
    // Chromium asks every origin for a favicon on its own; its 404 says nothing about the page.
    if (url && new URL(url).pathname === '/favicon.ico') return;
    consoleErrors.push(url ? `${message.text()} (${url})` : message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error));
  return { page, consoleErrors, pageErrors };
}

/**
 * One browser for a test file, and every page a test opened through `open()` closed after that
 * test, pass or fail (an open tab would keep playing or syncing its cart into the next test).
 * Call at the top level of a test file; use `files.open()` where `newPage(browser)` would go.
 */
export function browserPerFile(contextOptions = {}) {
  const state = { browser: null, pages: new Set() };
  before(async () => {
    state.browser = await launchBrowser(contextOptions);
  });
  afterEach(async () => {
    for (const page of state.pages) await page.close().catch(() => {});
    state.pages.clear();
  });
  after(async () => {
    await state.browser?.close();
  });
  return {
    get browser() {
      return state.browser;
    },
    async open() {
      const opened = await newPage(state.browser);
      state.pages.add(opened.page);
      return opened;
    },
  };
}
