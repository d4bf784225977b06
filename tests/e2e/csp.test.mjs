// Issue 7, strict CSP: the demo store page at /csp/ is served with the policy below (by
// xtask/src/server.rs) and the player must play, show a product and fill the cart without one
// `securitypolicyviolation` event. A control shows the listener really sees violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, launchBrowser, newPage } from './harness.mjs';

const POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "media-src 'self' blob:; connect-src 'self'";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Opens /csp/ recording every CSP violation from the first byte of the document on. */
async function openStrictPage() {
  const opened = await newPage(browser);
  // Init scripts run through the DevTools protocol, before the page's own scripts: not subject
  // to the page's policy, and they see violations from the very start.
  await opened.page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
        column: e.columnNumber,
        sample: e.sample,
      });
    });
  });
  const response = await opened.page.goto(`${baseUrl()}/csp/`);
  assert.equal(response.headers()['content-security-policy'], POLICY);
  return opened;
}

const violations = (page) => page.evaluate(() => window.__violations);

test('under the strict policy the player plays, shows a card and adds to the cart with zero violations', async () => {
  const { page, pageErrors, consoleErrors } = await openStrictPage();
  const player = page.locator('shoppable-player');
  await page.waitForFunction(() => document.querySelector('shoppable-player')?.shadowRoot?.querySelector('video')?.currentTime > 1, null, {
    timeout: 30_000,
  });
  const card = player.locator('[part="product-card"]');
  await card.waitFor({ timeout: 20_000 });
  // Product images load under img-src 'self'.
  await page.waitForFunction(() => {
    const img = document.querySelector('shoppable-player').shadowRoot.querySelector('[part="product-card"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  await card.click();
  await player.locator('[part="product-sheet"]').waitFor();
  await player.locator('[part="variant-option"][data-option="Size"][data-value="M"]').click();
  await player.locator('[part="add-to-cart"]').click();
  await page.waitForFunction(() => document.querySelector('shoppable-player').shadowRoot.querySelector('[part="cart-count"]').textContent.trim() === '1');
  await page.keyboard.press('Escape');
  await player.locator('[part="cart-button"]').click();
  await player.locator('[part="cart-drawer"]').waitFor();
  assert.equal((await player.locator('[part="cart-subtotal"]').textContent()).trim(), '$29.00');
  // The seek bar and the swatches are styled through CSSOM, which the policy allows: they
  // must have their computed styles, not just no violations.
  const played = await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('.sp-played')?.style.width ?? null);
  assert.notEqual(played, null, 'the seek bar renders');
  assert.match(played, /%$/);
  // The player's stylesheet applies (adoptedStyleSheets), although style-src has no 'unsafe-inline'.
  assert.equal(await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.adoptedStyleSheets.length), 1);

  assert.deepEqual(await violations(page), []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test('control: a style attribute written through HTML on that page is reported as a violation', async () => {
  const { page } = await openStrictPage();
  await page.evaluate(() => {
    const div = document.createElement('div');
    div.setAttribute('style', 'color: red');
    document.body.append(div);
  });
  await page.waitForFunction(() => window.__violations.length > 0);
  const [violation] = await violations(page);
  assert.equal(violation.directive, 'style-src-attr');
  await page.close();
});
