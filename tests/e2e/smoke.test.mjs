// The ground every other browser test stands on: the demo server hands the built SDK and the
// generated streams to a browser the way a CDN would (media types, byte ranges), and Chromium
// accepts what we built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseUrl, launchBrowser, newPage } from './harness.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const WASM = 'dist/shoppable_player_wasm_bg.wasm';

async function get(path, headers = {}) {
  const response = await fetch(`${baseUrl()}${path}`, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** The CODECS attribute of every variant in a master playlist. */
function codecsOf(masterPlaylist) {
  return [...masterPlaylist.matchAll(/^#EXT-X-STREAM-INF:.*CODECS="([^"]+)"/gm)].map((m) => m[1]);
}

test('the wasm is served as application/wasm, byte for byte', async () => {
  const { response, body } = await get(`/${WASM}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/wasm');
  assert.deepEqual(body, await readFile(join(repo, 'npm-package', WASM)));
});

for (const ladder of ['vod-ts', 'vod-fmp4']) {
  test(`${ladder} playlists carry the HLS media type and describe every variant`, async () => {
    const { response, body } = await get(`/streams/${ladder}/master.m3u8`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const master = body.toString('utf8');
    const variants = master.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    assert.equal(variants.length, 3, master);
    for (const variant of variants) {
      assert.match(variant, /BANDWIDTH=\d+/);
      assert.match(variant, /RESOLUTION=\d+x\d+/);
      assert.match(variant, /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    }
    const media = await get(`/streams/${ladder}/360p/index.m3u8`);
    assert.equal(media.response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.match(media.body.toString('utf8'), /#EXT-X-ENDLIST/);
  });
}

for (const [segment, type] of [
  ['vod-ts/360p/seg_001.ts', 'video/mp2t'],
  ['vod-fmp4/360p/seg_001.m4s', 'video/mp4'],
]) {
  test(`a Range request on ${segment} gets 206 and exactly those bytes`, async () => {
    const file = await readFile(join(repo, 'tests/fixtures/streams', segment));
    // Three TS packets in, a thousand bytes long: not aligned to anything the server could
    // special-case.
    const [first, last] = [564, 1563];
    const { response, body } = await get(`/streams/${segment}`, { Range: `bytes=${first}-${last}` });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-type'), type);
    assert.equal(response.headers.get('content-range'), `bytes ${first}-${last}/${file.length}`);
    assert.deepEqual(body, file.subarray(first, last + 1));

    const tail = await get(`/streams/${segment}`, { Range: 'bytes=-100' });
    assert.equal(tail.response.status, 206);
    assert.deepEqual(tail.body, file.subarray(file.length - 100));
  });
}

test('Chromium compiles the served wasm and its MSE accepts every CODECS we advertise', async () => {
  const codecs = [];
  for (const ladder of ['vod-ts', 'vod-fmp4']) {
    codecs.push(...codecsOf(await readFile(join(repo, 'tests/fixtures/streams', ladder, 'master.m3u8'), 'utf8')));
  }
  assert.ok(codecs.length > 0, 'no CODECS found in the master playlists');

  const browser = await launchBrowser();
  try {
    const { page, consoleErrors, pageErrors } = await newPage(browser);
    // Any page of the origin will do; the glue script is always in dist.
    await page.goto(`${baseUrl()}/dist/shoppable_player_wasm.js`);
    const result = await page.evaluate(
      async ({ wasm, codecs }) => {
        // compileStreaming rejects any Content-Type other than application/wasm.
        const module = await WebAssembly.compileStreaming(fetch(wasm));
        return {
          exports: WebAssembly.Module.exports(module).length,
          unsupported: codecs.filter((c) => !MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`)),
        };
      },
      { wasm: `/${WASM}`, codecs },
    );
    assert.ok(result.exports > 0, 'the wasm module exports nothing');
    assert.deepEqual(result.unsupported, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
