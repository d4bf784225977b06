// Phone-layout screenshots for the docs (docs/screenshots/phone-*.png): the vertical show with a
// product card, the product sheet and the cart, as bottom sheets on a 390×844 touch screen.
// Not part of the test suite. Run against a demo server:
//   cargo xtask serve --port 8786 &  cd tests && BASE_URL=http://127.0.0.1:8786 node screenshots.mjs
import { fileURLToPath } from 'node:url';
import { launchBrowser, baseUrl, newPage } from './e2e/harness.mjs';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const browser = await launchBrowser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
try {
  const { page } = await newPage(browser);
  await page.goto(`${baseUrl()}/tests/player.html`);
  await page.evaluate(() => {
    localStorage.clear();
    const player = document.createElement('shoppable-player');
    for (const [name, value] of Object.entries({
      src: '/streams/vod-vertical/master.m3u8', products: '/feeds/demo.json', engine: 'mse', muted: '', autoplay: '',
    })) player.setAttribute(name, value);
    document.getElementById('stage').append(player);
  });
  const card = page.locator('shoppable-player [part="product-card"][data-product-id="tee"]');
  await card.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(600);
  // CSS pixels: a 390×844 image rather than the device's 1170×2532.
  const shot = (name) => page.screenshot({ path: `${OUT}phone-${name}.png`, scale: 'css' });
  await shot('card');
  await card.tap();
  await page.locator('shoppable-player [part="variant-option"][data-value="M"]').tap();
  await page.locator('shoppable-player [part="variant-option"][data-value="Navy"]').tap();
  await page.locator('shoppable-player [part="add-to-cart"]').tap();
  await page.evaluate(() => document.querySelector('shoppable-player').shadowRoot.querySelector('[part="product-sheet"]').scrollTo(0, 0));
  await page.waitForTimeout(500);
  await shot('sheet');
  await page.locator('shoppable-player [part="close-button"]').tap();
  await page.locator('shoppable-player [part="cart-button"]').tap();
  await page.locator('shoppable-player [part="cart-drawer"]').waitFor();
  await page.waitForTimeout(500);
  await shot('cart');
} finally {
  await browser.close();
}
