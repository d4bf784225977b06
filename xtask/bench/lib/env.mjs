// What `cargo xtask bench` passes to every bench script, read in one place.
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the bench with \`cargo xtask bench\``);
  return value;
}

export const env = {
  /** The workspace root. */
  get root() { return required('BENCH_ROOT'); },
  /** `full` or `smoke` (tiny inputs, one iteration: checks the bench, measures nothing). */
  get smoke() { return required('BENCH_MODE') === 'smoke'; },
  get results() { return required('BENCH_RESULTS'); },
  /** The CommonJS entry of player-core compiled for Node (xtask/bench-wasm). */
  get wasm() { return required('BENCH_WASM'); },
  /** The bench server's origin, e.g. `http://127.0.0.1:41234`. */
  get baseUrl() { return required('BASE_URL').replace(/\/+$/, ''); },
  get chromium() { return process.env.CHROMIUM_PATH || '/usr/bin/chromium'; },
  /** Full runs only: the 10 s 1080p MPEG-TS segment and the ABR ladder. */
  get segment1080p() { return process.env.BENCH_SEGMENT_1080P || null; },
  get abrMaster() { return process.env.BENCH_ABR_MASTER || null; },
  get abrUrl() { return process.env.BENCH_ABR_URL || null; },
};

/** Writes one measurement's results as `results/NAME.json`. */
export function writeResult(name, value) {
  mkdirSync(env.results, { recursive: true });
  writeFileSync(join(env.results, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

/** A measurement's results, or `null` when it did not run or failed before writing. */
export function readResult(name) {
  const path = join(env.results, `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

/** The installed version of an npm package of the bench. */
export function packageVersion(name) {
  const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}
