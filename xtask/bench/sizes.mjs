// Shipped bytes: what a shopper's browser downloads. Raw, gzip -9 (the gzip program, as
// `cargo xtask build` reports it and as Shopify measures app-block assets) and brotli (quality
// 11, Node's zlib: what a CDN serving pre-compressed assets sends). Writes results/sizes.json.
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { loadavg } from 'node:os';
import { env, writeResult, packageVersion } from './lib/env.mjs';

function measure(path) {
  const bytes = readFileSync(path);
  const gzip = spawnSync('gzip', ['-9c'], { input: bytes, maxBuffer: 1 << 30 });
  if (gzip.status !== 0) throw new Error(`gzip -9c ${path} failed: ${gzip.stderr}`);
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  return { raw: statSync(path).size, gzip: gzip.stdout.length, brotli: brotli.length };
}

function group(files) {
  const measured = files.map(({ name, path }) => ({ name, ...measure(path) }));
  const total = (key) => measured.reduce((sum, file) => sum + file[key], 0);
  return { files: measured, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}

const dist = join(env.root, 'npm-package/dist');
const hls = new URL('./node_modules/hls.js/dist/', import.meta.url).pathname;
const file = (dir, name) => ({ name, path: join(dir, name) });

// The script-tag door fetches the loader, which imports index.js, which imports the
// wasm-bindgen glue, which fetches the wasm: all four are what "the whole SDK" costs.
const result = {
  ours: {
    loader: group([file(dist, 'shoppable-player.js')]),
    sdk: group(
      ['shoppable-player.js', 'index.js', 'shoppable_player_wasm.js', 'shoppable_player_wasm_bg.wasm'].map((name) =>
        file(dist, name),
      ),
    ),
  },
  hlsjs: {
    version: packageVersion('hls.js'),
    full: group([file(hls, 'hls.min.js')]),
    light: group([file(hls, 'hls.light.min.js')]),
  },
  budgets: { loaderGzip: 10_000, sdkGzip: 100_000 },
  // The first measurement of the run: how busy the shared machine was when it started.
  loadAverageAtStart: loadavg(),
};
writeResult('sizes', result);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`sizes: loader ${kb(result.ours.loader.gzip)} gzip; SDK ${kb(result.ours.sdk.gzip)} gzip, ${kb(result.ours.sdk.brotli)} brotli`);
console.log(`sizes: hls.min.js ${kb(result.hlsjs.full.gzip)} gzip; hls.light.min.js ${kb(result.hlsjs.light.gzip)} gzip`);
