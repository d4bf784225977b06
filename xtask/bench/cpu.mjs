// Playlist parsing and TS→fMP4 transmuxing throughput in Node: player-core compiled to wasm
// (xtask/bench-wasm, built like the SDK) against hls.js's M3U8Parser and mux.js, on the same
// inputs in the same process. Writes results/cpu.json.
//
// Method: both sides are first checked to produce the same result (segment and variant counts,
// output sizes within 10 %), so neither can win by doing less. Then each is warmed up, and timed
// in alternating rounds (ours, theirs, theirs, ours, …) of at least ROUND_MS each with
// process.hrtime.bigint(); a side's figure is the median of its rounds, in MB/s of input
// (1 MB = 10^6 bytes). The ratio is ours / theirs.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { env, writeResult, packageVersion } from './lib/env.mjs';
import { median, ratio } from './lib/stats.mjs';
import { mediaPlaylist, multivariantPlaylist, MULTIVARIANT_RENDITIONS } from './lib/playlists.mjs';

const require = createRequire(import.meta.url);
const ours = require(env.wasm);
const muxjs = require('mux.js');
// hls.js exports its parser (and other internals) from the ES module build; hls.min.js does not.
const { M3U8Parser } = await import('hls.js/dist/hls.mjs');

const smoke = env.smoke;
// BENCH_ONLY=parse (or transmux) runs only that section, as browser.mjs does for its own.
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
const wanted = (section) => !only || only.includes(section);
const WARMUP_MS = smoke ? 0 : 1500;
const ROUND_MS = smoke ? 0 : 400;
const ROUNDS = smoke ? 1 : 8;
const MEDIA_SEGMENTS = smoke ? 50 : 10_000;
const VARIANTS = 20;
const BASE = 'https://cdn.example/show/';

/** Runs `fn` until `minMs` passed (at least once); returns {iterations, seconds, sink}. */
function round(fn, minMs) {
  let iterations = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const limit = BigInt(Math.round(minMs * 1e6));
  do {
    sink += fn();
    iterations++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return { iterations, seconds: Number(elapsed) / 1e9, sink };
}

/** Times `sides` ({ours, theirs}: functions over the same input of `bytes` bytes). */
function compare({ bytes, ours: oursFn, theirs: theirsFn }) {
  round(oursFn, WARMUP_MS);
  round(theirsFn, WARMUP_MS);
  const rates = { ours: [], theirs: [] };
  for (let i = 0; i < ROUNDS; i++) {
    // ABBA order, so a drift in machine load over the run does not favour one side.
    const order = i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const side of order) {
      const { iterations, seconds } = round(side === 'ours' ? oursFn : theirsFn, ROUND_MS);
      rates[side].push((bytes * iterations) / seconds / 1e6);
    }
  }
  const oursMBps = median(rates.ours);
  const theirsMBps = median(rates.theirs);
  return { oursMBps, theirsMBps, ratio: ratio(oursMBps, theirsMBps), rounds: rates };
}

function check(condition, message) {
  if (!condition) throw new Error(`cpu bench: ${message}`);
}

// ── Playlist parsing ──────────────────────────────────────────────────────────────────────────

const inputs = join(env.results, 'inputs');
mkdirSync(inputs, { recursive: true });
const mediaText = mediaPlaylist(MEDIA_SEGMENTS);
const multivariantText = multivariantPlaylist(VARIANTS);
writeFileSync(join(inputs, 'media.m3u8'), mediaText);
writeFileSync(join(inputs, 'master.m3u8'), multivariantText);

// Each side gets a playlist the way its player does: hls.js's loader hands its parser the
// response text (responseText); the SDK's fetch reads the body with arrayBuffer() and hands the
// bytes to wasm (player-core/src/web/fetch.rs), where the engine decodes and parses them. Neither
// side is timed for what the network layer did before (the browser's decoding into a JS string,
// or reading the body into an ArrayBuffer); both are timed for everything after, including
// ours copying the bytes into wasm memory and checking that they are UTF-8.
const bodyBytes = (text) => new Uint8Array(Buffer.from(text, 'utf8'));
const parseOurs = (text, url) => {
  const bytes = bodyBytes(text);
  return () => ours.parse_playlist_count(bytes, url);
};
// The same from a JS string (wasm-bindgen encodes it into wasm memory on every call): not how
// the SDK receives playlists; reported for information.
const parseOursText = (text, url) => () => ours.parse_playlist_text_count(text, url);
const parseLevel = (text, url) => () => {
  const details = M3U8Parser.parseLevelPlaylist(text, url, 0, 'main', 0, null);
  if (details.playlistParsingError) throw details.playlistParsingError;
  return details.fragments.length;
};
// Neither parser resolves segment URLs: hls.js resolves a fragment's URL when it is read,
// player-core when a segment is requested (MediaPlaylist::url_of). These variants make both
// resolve every one, as a player that listed all segment URLs would.
const parseOursResolved = (text, url) => {
  const bytes = bodyBytes(text);
  return () => ours.parse_playlist_resolve_all(bytes, url);
};
const parseLevelResolved = (text, url) => () => {
  const details = M3U8Parser.parseLevelPlaylist(text, url, 0, 'main', 0, null);
  let length = 0;
  for (const fragment of details.fragments) length += fragment.url.length;
  return details.fragments.length + (length > 0 ? 0 : 1);
};
// hls.js's playlist loader runs both: the variants, then the EXT-X-MEDIA renditions.
const parseMultivariant = (text, url) => () => {
  const parsed = M3U8Parser.parseMasterPlaylist(text, url);
  if (parsed.playlistParsingError) throw parsed.playlistParsingError;
  const media = M3U8Parser.parseMasterPlaylistMedia(text, url, parsed);
  return parsed.levels.length + (media ? 0 : 1);
};

const mediaUrl = `${BASE}1080p.m3u8`;
const masterUrl = `${BASE}master.m3u8`;
check(parseOurs(mediaText, mediaUrl)() === MEDIA_SEGMENTS, `player-core did not find ${MEDIA_SEGMENTS} segments`);
check(parseLevel(mediaText, mediaUrl)() === MEDIA_SEGMENTS, `hls.js did not find ${MEDIA_SEGMENTS} segments`);
check(parseOursResolved(mediaText, mediaUrl)() === MEDIA_SEGMENTS, `player-core did not resolve ${MEDIA_SEGMENTS} segment URLs`);
check(parseOursText(mediaText, mediaUrl)() === MEDIA_SEGMENTS, `player-core did not find ${MEDIA_SEGMENTS} segments in the text`);
check(parseOurs(multivariantText, masterUrl)() === VARIANTS, `player-core did not find ${VARIANTS} variants`);
check(parseMultivariant(multivariantText, masterUrl)() === VARIANTS, `hls.js did not find ${VARIANTS} variants`);
check(
  ours.parse_playlist_renditions(bodyBytes(multivariantText), masterUrl) === MULTIVARIANT_RENDITIONS,
  'player-core did not read every EXT-X-MEDIA rendition',
);
{
  const parsed = M3U8Parser.parseMasterPlaylist(multivariantText, masterUrl);
  const media = M3U8Parser.parseMasterPlaylistMedia(multivariantText, masterUrl, parsed);
  const found = Object.values(media).reduce((sum, list) => sum + list.length, 0);
  check(found === MULTIVARIANT_RENDITIONS, `hls.js read ${found} EXT-X-MEDIA renditions`);
}

const parsing = [];
const run = (entry, sides) => {
  if (!wanted(entry.theirs === 'hls.js' ? 'parse' : 'transmux')) return null;
  process.stdout.write(`cpu: ${entry.name} … `);
  const result = { ...entry, ...compare(sides) };
  console.log(
    `ours ${result.oursMBps.toFixed(1)} MB/s, ${entry.theirs} ${result.theirsMBps.toFixed(1)} MB/s, ×${result.ratio.toFixed(2)}`,
  );
  return result;
};
const mediaBytes = Buffer.byteLength(mediaText);
parsing.push(
  run(
    { name: `media playlist, ${MEDIA_SEGMENTS} segments with PROGRAM-DATE-TIME`, id: 'media', bytes: mediaBytes, theirs: 'hls.js' },
    { bytes: mediaBytes, ours: parseOurs(mediaText, mediaUrl), theirs: parseLevel(mediaText, mediaUrl) },
  ),
);
parsing.push(
  run(
    {
      name: `same, both also resolving every segment URL`,
      id: 'media-resolved',
      bytes: mediaBytes,
      theirs: 'hls.js',
      informational: true,
    },
    { bytes: mediaBytes, ours: parseOursResolved(mediaText, mediaUrl), theirs: parseLevelResolved(mediaText, mediaUrl) },
  ),
);
parsing.push(
  run(
    {
      name: `same, ours given a JS string instead of the response bytes (not how the SDK receives playlists)`,
      id: 'media-text',
      bytes: mediaBytes,
      theirs: 'hls.js',
      informational: true,
    },
    { bytes: mediaBytes, ours: parseOursText(mediaText, mediaUrl), theirs: parseLevel(mediaText, mediaUrl) },
  ),
);
const masterBytes = Buffer.byteLength(multivariantText);
parsing.push(
  run(
    { name: `multivariant playlist, ${VARIANTS} variants + ${MULTIVARIANT_RENDITIONS} renditions`, id: 'multivariant', bytes: masterBytes, theirs: 'hls.js' },
    { bytes: masterBytes, ours: parseOurs(multivariantText, masterUrl), theirs: parseMultivariant(multivariantText, masterUrl) },
  ),
);

// ── Transmuxing ───────────────────────────────────────────────────────────────────────────────

/** The segments of one rendition of a playlist on disk, with their start times. */
function renditionSegments(playlistPath) {
  const text = readFileSync(playlistPath, 'utf8');
  const segments = [];
  let start = 0;
  let duration = null;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#EXTINF:')) duration = parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      segments.push({ bytes: readFileSync(join(dirname(playlistPath), line)), start });
      start += duration ?? 0;
    }
  }
  return segments;
}

const ladderDir = join(env.root, 'tests/fixtures/streams/vod-ts');
let ladder = readFileSync(join(ladderDir, 'master.m3u8'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((uri) => ({ uri, segments: renditionSegments(join(ladderDir, uri)) }));
if (smoke) ladder = [{ uri: ladder.at(-1).uri, segments: ladder.at(-1).segments.slice(0, 1) }];

function oursRendition(segments) {
  const transmuxer = new ours.RenditionTransmuxer();
  try {
    let out = 0;
    for (const { bytes, start } of segments) out += transmuxer.push(bytes, start);
    return out;
  } finally {
    transmuxer.free();
  }
}

/** mux.js as players use it: one Transmuxer per rendition, push + flush per segment. */
function muxjsRendition(segments) {
  const transmuxer = new muxjs.mp4.Transmuxer();
  let out = 0;
  transmuxer.on('data', (segment) => {
    out += segment.initSegment.byteLength + segment.data.byteLength;
  });
  for (const { bytes } of segments) {
    transmuxer.push(bytes);
    transmuxer.flush();
  }
  return out;
}

const transmuxCases = [
  {
    id: 'ladder',
    name: smoke
      ? 'one test-ladder segment (smoke)'
      : `test ladder: ${ladder.length} renditions × ${ladder[0].segments.length} segments of 2 s (${ladder.map((r) => r.uri.split('/')[0]).join(', ')})`,
    renditions: ladder.map((r) => r.segments),
  },
];
if (!smoke && wanted('transmux')) {
  if (!env.segment1080p) throw new Error('BENCH_SEGMENT_1080P is not set');
  transmuxCases.push({
    id: '1080p',
    name: '10 s 1080p30 segment (H.264 High 6 Mbit/s + AAC)',
    renditions: [[{ bytes: readFileSync(env.segment1080p), start: 0 }]],
  });
}

const transmuxing = [];
for (const testCase of wanted('transmux') ? transmuxCases : []) {
  const bytes = testCase.renditions.flat().reduce((sum, s) => sum + s.bytes.length, 0);
  const oursFn = () => testCase.renditions.reduce((sum, segments) => sum + oursRendition(segments), 0);
  const theirsFn = () => testCase.renditions.reduce((sum, segments) => sum + muxjsRendition(segments), 0);
  const oursOut = oursFn();
  const theirsOut = theirsFn();
  const outputRatio = oursOut / theirsOut;
  check(
    outputRatio > 0.9 && outputRatio < 1.1,
    `${testCase.name}: outputs differ too much to compare (ours ${oursOut} bytes, mux.js ${theirsOut})`,
  );
  transmuxing.push(
    run(
      { name: testCase.name, id: testCase.id, bytes, theirs: 'mux.js', outputBytes: { ours: oursOut, theirs: theirsOut } },
      { bytes, ours: oursFn, theirs: theirsFn },
    ),
  );
}

writeResult('cpu', {
  node: process.version,
  versions: { 'hls.js': packageVersion('hls.js'), 'mux.js': packageVersion('mux.js') },
  method: { warmupMs: WARMUP_MS, roundMs: ROUND_MS, rounds: ROUNDS },
  parsing: parsing.filter(Boolean),
  transmuxing: transmuxing.filter(Boolean),
});
