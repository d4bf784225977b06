// The record of a bench run: merges results/*.json into BENCH_RECORD (target/bench.json), prints
// the summary table, and for a full run writes BENCH_DOC (docs/benchmarks.md). A figure that
// misses its target says so; a measurement that failed says that instead of a number.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { env, readResult } from './lib/env.mjs';

const sizes = readResult('sizes');
const cpu = readResult('cpu');
const browser = readResult('browser');
const soakResult = readResult('soak');
const elapsedSeconds = Number(process.env.BENCH_ELAPSED_S) || null;

// ── Formatting ────────────────────────────────────────────────────────────────────────────────

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const bytesText = (bytes) => `${bytes.toLocaleString('en-US')} B`;
const MiB = (bytes) => `${(bytes / 1048576).toFixed(2)} MiB`;
const signedMiB = (bytes) => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1048576).toFixed(2)} MiB`;
const ms = (value) => `${Math.round(value).toLocaleString('en-US')} ms`;
const MBps = (value) => `${value.toFixed(1)} MB/s`;
const times = (value) => `${value.toFixed(2)}×`;
const kbps = (bps) => `${Math.round(bps / 1000).toLocaleString('en-US')} kbit/s`;
const ok = (value) => (value ? 'met' : '**MISSED**');
const failed = (result) => !result || result.error;
const why = (result) => (result && result.error ? `not measured: ${result.error}` : 'not measured');

// ── The summary rows ──────────────────────────────────────────────────────────────────────────

/** {n, measure, ours, theirs, ratio, target, result} — `result`: met / MISSED / info / why not. */
const rows = [];
const row = (n, measure, ours, theirs, ratioText, target, result) =>
  rows.push({ n, measure, ours, theirs, ratio: ratioText, target, result });
const missing = (n, measure, target, result) => row(n, measure, '—', '—', '—', target, why(result));

if (failed(sizes)) {
  missing(1, 'Shipped bytes', '', sizes);
} else {
  const { loader, sdk } = sizes.ours;
  const { full, light } = sizes.hlsjs;
  row(1, 'Script-tag loader, gzip -9', bytesText(loader.gzip), '—', '—', '≤ 10,000 B', ok(loader.gzip <= sizes.budgets.loaderGzip));
  row(
    1,
    'Whole SDK (loader + index.js + glue + wasm), gzip -9',
    kB(sdk.gzip),
    `hls.light.min.js ${kB(light.gzip)}`,
    times(sdk.gzip / light.gzip),
    '≤ 100 kB and < hls.light',
    ok(sdk.gzip <= sizes.budgets.sdkGzip && sdk.gzip < light.gzip),
  );
  row(1, 'Whole SDK vs hls.js full build, gzip -9', kB(sdk.gzip), `hls.min.js ${kB(full.gzip)}`, times(sdk.gzip / full.gzip), '—', 'info');
  row(1, 'Whole SDK, brotli', kB(sdk.brotli), `hls.light.min.js ${kB(light.brotli)}`, times(sdk.brotli / light.brotli), '—', 'info');
}

if (failed(cpu)) {
  missing(2, 'Playlist parsing', '≥ 10×', cpu);
  missing(3, 'Transmuxing', '≥ 3×', cpu);
} else {
  for (const p of cpu.parsing) {
    row(2, `Parse: ${p.name}`, MBps(p.oursMBps), `hls.js ${MBps(p.theirsMBps)}`, times(p.ratio), p.informational ? '—' : '≥ 10×', p.informational ? 'info' : ok(p.ratio >= 10));
  }
  for (const t of cpu.transmuxing) {
    row(3, `TS→fMP4: ${t.name}`, MBps(t.oursMBps), `mux.js ${MBps(t.theirsMBps)}`, times(t.ratio), '≥ 3×', ok(t.ratio >= 3));
  }
}

const b = browser || {};
const ttff = b.ttff;
if (failed(ttff)) {
  missing(4, 'Time to first frame', '≤ hls.js', ttff);
} else {
  row(
    4,
    `Time to first frame, median of ${ttff.runs} runs each (lower is better)`,
    ms(ttff.oursMs),
    `hls.js ${ms(ttff.hlsjsMs)}`,
    times(ttff.ratio),
    '≤ 1.00× (no slower)',
    ok(ttff.ratio <= 1),
  );
}

const lt = b.longTasks;
if (failed(lt)) {
  missing(5, 'Main-thread long tasks during playback', 'none > 50 ms', lt);
} else {
  // The longtask API reports only tasks over 50 ms: without any, "longest" is unknown but short.
  const longest = (x) => (x.count ? `longest ${ms(x.longestMs)}, ${x.over50} over 50 ms` : 'none over 50 ms');
  const text = (r) => longest(r.playback);
  row(5, `Long tasks during ${lt.ours.seconds} s of playback (demo page)`, text(lt.ours), `hls.js ${text(lt.hlsjs)}`, '—', 'none > 50 ms', ok(lt.ours.playback.over50 === 0));
  const start = (r) => longest(r.startup);
  row(5, 'Long tasks from navigation to first frame', start(lt.ours), `hls.js ${start(lt.hlsjs)}`, '—', '—', 'info');
}

const cycles = b.cycles;
if (failed(cycles)) {
  missing(6, 'Memory after create/destroy cycles', 'plateau', cycles);
} else {
  const o = cycles.ours;
  const h = cycles.hlsjs;
  const at = (r) => r.samples.find((s) => s.cycle === r.reportedCycle) ?? r.samples.at(-1);
  const growth = (v) => (v.growth === null ? 'n/a' : `${signedMiB(v.growth)} from cycle ${v.fromX} to ${v.toX}`);
  row(
    6,
    `JS heap after ${o.reportedCycle} create/destroy cycles (plateau checked over ${o.cycles})`,
    `${MiB(at(o).jsHeapUsed)} (${growth(o.verdict.jsHeap)})`,
    `hls.js ${MiB(at(h).jsHeapUsed)} (${growth(h.verdict.jsHeap)})`,
    '—',
    'plateau',
    o.verdict.jsHeap.plateaus === null ? 'n/a' : ok(o.verdict.jsHeap.plateaus),
  );
  row(
    6,
    `Wasm linear memory after ${o.reportedCycle} cycles (plateau checked over ${o.cycles})`,
    `${MiB(at(o).wasm)} (${growth(o.verdict.wasm)})`,
    'hls.js has no wasm',
    '—',
    'plateau',
    o.verdict.wasm.plateaus === null ? 'n/a' : ok(o.verdict.wasm.plateaus),
  );
}
const soak = soakResult;
if (failed(soak)) {
  missing(6, 'Memory over looping playback', 'plateau', soak);
} else {
  const v = soak.verdict;
  const minutes = `${(soak.seconds / 60).toFixed(soak.seconds >= 60 ? 0 : 1)} min`;
  const growth = (x) => (x.growth === null ? 'n/a' : signedMiB(x.growth));
  const last = soak.samples.at(-1);
  row(
    6,
    `JS heap / wasm memory over ${minutes} of looping playback (${soak.loops} loops; growth after the first fifth)`,
    `${MiB(last.jsHeapUsed)} (${growth(v.jsHeap)}) / ${MiB(last.wasm)} (${growth(v.wasm)})`,
    '—',
    '—',
    'plateau',
    v.jsHeap.plateaus === null ? 'n/a' : ok(v.jsHeap.plateaus && v.wasm.plateaus),
  );
}

const abr = b.abr;
if (failed(abr)) {
  missing(7, 'ABR under a bandwidth trace', '—', abr);
} else {
  const trace = abr.trace.map((s) => `${s.kbps / 1000} Mbit/s ${s.seconds} s`).join(' → ');
  row(7, `ABR stall time (${trace})`, ms(abr.ours.stallMs), `hls.js ${ms(abr.hlsjs.stallMs)}`, '—', '—', 'info');
  row(7, 'ABR mean bitrate played', kbps(abr.ours.meanBitrate ?? 0), `hls.js ${kbps(abr.hlsjs.meanBitrate ?? 0)}`, abr.hlsjs.meanBitrate ? times(abr.ours.meanBitrate / abr.hlsjs.meanBitrate) : '—', '—', 'info');
  row(7, 'ABR rendition switches', String(abr.ours.switches), `hls.js ${abr.hlsjs.switches}`, '—', '—', 'info');
}

// ── Machine and run ───────────────────────────────────────────────────────────────────────────

function tryRun(command, args) {
  try {
    return execFileSync(command, args, { cwd: env.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
const osRelease = existsSync('/etc/os-release')
  ? (/^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8')) || [])[1]
  : null;
const cpus = os.cpus();
const commit = tryRun('git', ['rev-parse', '--short', 'HEAD']);
const dirty = Boolean(tryRun('git', ['status', '--porcelain', '--untracked-files=no']));
const machine = {
  cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
  cores: cpus.length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${osRelease || os.type()} (Linux ${os.release()})`,
  node: process.version,
  chromium: b.chromium || null,
  rustc: process.env.BENCH_RUSTC || null,
  loadAverageAtStart: sizes && sizes.loadAverageAtStart,
  loadAverageAtEnd: os.loadavg(),
};
const date = new Date();
const record = {
  date: date.toISOString(),
  mode: env.smoke ? 'smoke' : 'full',
  commit: commit ? `${commit}${dirty ? ' + uncommitted changes' : ''}` : null,
  elapsedSeconds,
  machine,
  summary: rows,
  results: { sizes, cpu, browser, soak: soakResult },
};
writeFileSync(process.env.BENCH_RECORD, `${JSON.stringify(record, null, 2)}\n`);

// ── The terminal table ────────────────────────────────────────────────────────────────────────

const plain = (text) => String(text).replaceAll('**', '');
const columns = ['n', 'measure', 'ours', 'theirs', 'ratio', 'target', 'result'];
const headers = { n: '#', measure: 'Measure', ours: 'Ours', theirs: 'Them', ratio: 'Ratio', target: 'Target', result: 'Result' };
const widths = Object.fromEntries(
  columns.map((c) => [c, Math.min(c === 'measure' ? 60 : 44, Math.max(headers[c].length, ...rows.map((r) => plain(r[c]).length)))]),
);
const cell = (c, text) => {
  const value = plain(text);
  return (value.length > widths[c] ? `${value.slice(0, widths[c] - 1)}…` : value).padEnd(widths[c]);
};
console.log(`\nbench (${record.mode}) ${record.date} on ${machine.cores} × ${machine.cpu}, commit ${record.commit}`);
console.log(columns.map((c) => cell(c, headers[c])).join('  '));
for (const r of rows) console.log(columns.map((c) => cell(c, r[c])).join('  '));
console.log(`\nrecord: ${process.env.BENCH_RECORD}`);

// ── docs/benchmarks.md ────────────────────────────────────────────────────────────────────────

if (process.env.BENCH_DOC) {
  writeFileSync(process.env.BENCH_DOC, markdown());
  console.log(`doc: ${process.env.BENCH_DOC}`);
}

function table(headerCells, bodyRows) {
  const escape = (text) => String(text).replaceAll('|', '\\|');
  return [
    `| ${headerCells.join(' | ')} |`,
    `| ${headerCells.map(() => '---').join(' | ')} |`,
    ...bodyRows.map((cells) => `| ${cells.map(escape).join(' | ')} |`),
  ].join('\n');
}

function markdown() {
  const out = [];
  const push = (...lines) => out.push(...lines);
  const day = record.date.slice(0, 10);
  push(
    '# Benchmarks',
    '',
    `Measured by \`cargo xtask bench\` on **${day}** (${record.date}), commit \`${record.commit}\`, in ` +
      `${elapsedSeconds ? `${Math.round(elapsedSeconds / 60)} min ${Math.round(elapsedSeconds % 60)} s` : 'unknown time'}. ` +
      'Every figure below comes from that one run; ours and theirs were measured in the same run, ' +
      'interleaved, on the same inputs. Rerun the command to replace this page.',
    '',
    '**Machine.** ' +
      `${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; ` +
      `Chromium ${machine.chromium} (Debian, headless, software decoding); ${machine.rustc}. ` +
      `Load average (1/5/15 min) ${fmtLoad(machine.loadAverageAtStart)} at the start, ${fmtLoad(machine.loadAverageAtEnd)} at the end.`,
    '',
    '**Noise.** This is a shared 2-core machine: other engineers were building and testing on it during ' +
      'the run. Absolute times and MB/s move by tens of percent from run to run; the ratios, measured ' +
      'side by side in alternating rounds, are the figures to read, and even they move by some ' +
      'tens of percent between runs.',
    '',
    '## Summary',
    '',
    table(
      ['#', 'Measure', 'Ours', 'Them', 'Ratio (ours / them)', 'Target', 'Result'],
      rows.map((r) => [r.n, r.measure, r.ours, r.theirs, r.ratio, r.target, r.result]),
    ),
    '',
    'Ratios are ours divided by theirs: for speed (MB/s) higher is better, for sizes and times lower is better.',
    '',
  );

  push('## 1. Shipped bytes', '');
  if (failed(sizes)) push(why(sizes), '');
  else {
    const fileRows = [];
    for (const f of sizes.ours.sdk.files) fileRows.push([`ours: dist/${f.name}`, bytesText(f.raw), bytesText(f.gzip), bytesText(f.brotli)]);
    fileRows.push(['**ours: whole SDK**', bytesText(sizes.ours.sdk.raw), bytesText(sizes.ours.sdk.gzip), bytesText(sizes.ours.sdk.brotli)]);
    for (const [label, g] of [['hls.min.js', sizes.hlsjs.full], ['hls.light.min.js', sizes.hlsjs.light]]) {
      fileRows.push([`hls.js ${sizes.hlsjs.version}: dist/${label}`, bytesText(g.raw), bytesText(g.gzip), bytesText(g.brotli)]);
    }
    push(
      table(['File', 'Raw', 'gzip -9', 'brotli (q 11)'], fileRows),
      '',
      'The script-tag door downloads all four files of ours: the loader, which imports `index.js`, which ' +
        'imports the wasm-bindgen glue, which fetches the wasm. gzip is the `gzip -9` program (as ' +
        '`cargo xtask build` reports); brotli is quality 11 from Node\'s zlib. 1 kB = 1,000 bytes. ' +
        'hls.js\'s builds are from the bench\'s own npm install (`xtask/bench/package.json`).',
      '',
    );
  }

  push('## 2–3. Playlist parsing and transmuxing (Node)', '');
  if (failed(cpu)) push(why(cpu), '');
  else {
    push(
      table(
        ['Input', 'Bytes', 'Ours', 'Them', 'Ratio', 'Rounds ours (MB/s)', 'Rounds them (MB/s)'],
        [...cpu.parsing, ...cpu.transmuxing].map((c) => [
          c.name,
          bytesText(c.bytes),
          MBps(c.oursMBps),
          `${c.theirs} ${MBps(c.theirsMBps)}`,
          times(c.ratio),
          c.rounds.ours.map((x) => x.toFixed(0)).join(', '),
          c.rounds.theirs.map((x) => x.toFixed(0)).join(', '),
        ]),
      ),
      '',
      `Node ${cpu.node}; hls.js ${cpu.versions['hls.js']}, mux.js ${cpu.versions['mux.js']}. ` +
        'Ours is player-core compiled to wasm32 exactly as the SDK is (release profile: `opt-level = "z"`, ' +
        'LTO, then `wasm-opt -Oz`), through a small wasm-bindgen wrapper (`xtask/bench-wasm`), called from JS, ' +
        'with its input copied into wasm memory on every call. Each parser gets a playlist the way its player ' +
        'does: hls.js\'s loader hands `M3U8Parser` the response text; the SDK\'s `fetch` reads the body with ' +
        '`arrayBuffer()` and hands the bytes to wasm, where the engine decodes and parses them with ' +
        '`parse_playlist_bytes` — so ours is timed from the response bytes (copy into wasm memory, UTF-8 ' +
        'check, parse), theirs from the response text. An informational row gives ours a JS string instead ' +
        '(wasm-bindgen then encodes it into wasm memory with a JS loop over its characters).',
      '',
      `Method: both sides are first checked to give the same answer (10,000 segments, 20 variants and 5 ` +
        'EXT-X-MEDIA renditions; transmuxed output sizes within 10 % of each other — ' +
        (cpu.transmuxing.map((t) => `${t.id}: ours ${bytesText(t.outputBytes.ours)}, mux.js ${bytesText(t.outputBytes.theirs)}`).join('; ')) +
        `). Each side is warmed up for ${cpu.method.warmupMs} ms, then timed with \`process.hrtime.bigint()\` ` +
        `in ${cpu.method.rounds} alternating rounds (ABBA order) of at least ${cpu.method.roundMs} ms; ` +
        'a figure is the median round, in MB/s of input (10^6 bytes).',
      '',
      '- **hls.js parser**: `M3U8Parser`, exported by name from `hls.js/dist/hls.mjs`. Media playlist: ' +
        '`M3U8Parser.parseLevelPlaylist(text, url, 0, "main", 0, null)`; multivariant: ' +
        '`parseMasterPlaylist(text, url)` then `parseMasterPlaylistMedia(text, url, parsed)` (the two calls ' +
        'hls.js\'s playlist loader makes). Neither resolves segment URLs while parsing: hls.js resolves a ' +
        'fragment\'s URL when it is read, player-core a segment\'s when it is requested ' +
        '(`MediaPlaylist::url_of`); in the informational "both also resolving" row hls.js reads every ' +
        '`fragment.url` and ours collects every `segment_urls()`.',
      '- **Generated playlists** (`xtask/bench/lib/playlists.mjs`, deterministic; the run\'s copies are in ' +
        '`target/bench/results/inputs/`): 10,000 segments of 5.8–6.2 s each with EXT-X-PROGRAM-DATE-TIME; ' +
        'a multivariant playlist of 20 H.264 variants with 3 audio and 2 subtitle renditions.',
      '- **mux.js**: `new muxjs.mp4.Transmuxer()` per rendition, `push(segment)` + `flush()` per segment, ' +
        'counting `initSegment` + `data` bytes. Ours: one `Transmuxer` per rendition, `transmux(segment, ' +
        '{start, discontinuity_sequence})` per segment, counting init + media bytes. The ladder is the ' +
        'test fixture `tests/fixtures/streams/vod-ts` (3 renditions of 30 s); the 1080p segment is made ' +
        'once by ffmpeg into `target/bench/media/`.',
      '',
    );
  }

  push('## 4. Time to first frame (headless Chromium)', '');
  if (failed(ttff)) push(why(ttff), '');
  else {
    push(
      table(
        ['Player', 'Median', 'Middle half of the runs', 'Runs (ms, in order)'],
        [
          ['ours (`engine="mse"`)', ms(ttff.oursMs), iqrText(ttff.iqr?.ours), ttff.samples.ours.map((x) => x.toFixed(0)).join(', ')],
          [`hls.js ${b.hlsjs} (defaults)`, ms(ttff.hlsjsMs), iqrText(ttff.iqr?.hlsjs), ttff.samples.hlsjs.map((x) => x.toFixed(0)).join(', ')],
        ],
      ),
      '',
      ttffOverlap(ttff),
      '',
      `Stream \`${ttff.stream}\` (the 3-rendition fMP4 test ladder), same server, same page shell ` +
        '(`xtask/bench/pages/shell.html`), which loads either player\'s script and creates the player once ' +
        'the document is parsed: ours as `<shoppable-player engine="mse" muted autoplay>` through the ' +
        'script-tag loader, hls.js as `new Hls()` with its default configuration on a muted `<video>`, ' +
        '`play()` on `MANIFEST_PARSED`. **Definition:** from navigation start (`performance.timeOrigin`) ' +
        'to the presentation time of the first video frame reported by `requestVideoFrameCallback` ' +
        `(recorded via: ${ttff.firstFrameBy.join(', ')}). Every run is a fresh browser context (cold HTTP cache, no ` +
        'cached compiled wasm), so it includes downloading and compiling each player. The runs alternate ' +
        'ours/hls.js in ABBA order. Each player picks its own start rendition.',
      '',
    );
  }

  push('## 5. Main-thread health', '');
  if (failed(lt)) push(why(lt), '');
  else {
    const cellText = (w) => (w.count ? `${ms(w.longestMs)} / ${w.over50} / ${ms(w.blockingMs)}` : 'none over 50 ms');
    const r = (name, x) => [
      name,
      x.page,
      cellText(x.playback),
      cellText(x.startup),
      x.playedToSeconds === null ? 'n/a' : `${x.playedToSeconds.toFixed(1)} s`,
    ];
    push(
      table(
        ['Player', 'Page', `During ${lt.ours.seconds} s of playback: longest / over 50 ms / blocking`, 'Before the first frame: same', 'currentTime at the end'],
        [r('ours', lt.ours), r('hls.js', lt.hlsjs)],
      ),
      '',
      'Long tasks are `PerformanceObserver` `longtask` entries (tasks of 50 ms or more), observed from ' +
        'before the first script runs. "During playback" is the window from the first frame to ' +
        `${lt.ours.seconds} s later; "blocking" sums each task's time beyond 50 ms. ` +
        `Ours plays the demo store page \`/script-tag/\` (its product feed included) with \`engine="mse"\`. ` +
        (lt.ours.productCards
          ? 'Product cards were on screen during the run.'
          : '**Products and cart are not rendered by the player yet** (no `part="product-card"` appeared), so ' +
            'this measures the video engine and player chrome only; the same run will include cards and the ' +
            'cart once the UI renders them.'),
      '',
    );
  }

  push('## 6. Memory', '');
  if (failed(cycles)) push(`Create/destroy cycles: ${why(cycles)}`, '');
  else {
    const c = cycles.ours;
    push(
      `**${c.cycles} create/destroy cycles** (${c.seconds.toFixed(0)} s, ${c.failures} cycles without a first frame within 15 s; ` +
        `the issue asks for the state after ${c.reportedCycle}, and the run goes on to ${c.cycles} so that a slow leak has room to show). ` +
        'Each cycle inserts a player for the fMP4 test ladder, waits for its first frame and removes it ' +
        '(ours: `element.remove()`, which destroys the player; hls.js: `hls.destroy()` and removing the video). ' +
        'Samples after two forced full garbage collections (CDP `HeapProfiler.collectGarbage`).',
      '',
      table(
        ['After cycle', 'Ours JS heap', 'Ours wasm memory', 'Ours DOM nodes', 'Ours listeners', 'hls.js JS heap', 'hls.js DOM nodes'],
        c.samples.map((s, i) => {
          const h = cycles.hlsjs.samples[i];
          return [s.cycle, MiB(s.jsHeapUsed), MiB(s.wasm), s.domNodes, s.listeners, h ? MiB(h.jsHeapUsed) : '—', h ? h.domNodes : '—'];
        }),
      ),
      '',
      `Verdict for ours (plateau = growth from cycle ${c.verdict.jsHeap.fromX ?? '?'} to ${c.verdict.jsHeap.toX ?? '?'} within the allowance): ` +
        verdictText(c.verdict) + '. hls.js: ' + verdictText(cycles.hlsjs.verdict, ['jsHeap', 'domNodes']) + '.',
      '',
    );
  }
  if (failed(soak)) push(`Looping playback: ${why(soak)}`, '');
  else {
    push(
      `**${(soak.seconds / 60).toFixed(soak.seconds >= 60 ? 0 : 1)} minutes of looping playback** of ours (\`${soak.stream}\`, ` +
        `30 s long, restarted with \`player.seek(0)\` + \`play()\` at each end: ${soak.loops} loops), sampled every ` +
        `${soak.sampleEverySeconds} s after forced garbage collection:`,
      '',
      table(
        ['Time', 'currentTime', 'Loops', 'JS heap', 'Wasm memory', 'DOM nodes', 'ArrayBuffer backing stores'],
        soak.samples.map((s) => [
          `${s.at.toFixed(0)} s`,
          s.time.toFixed(1),
          s.loops,
          MiB(s.jsHeapUsed),
          MiB(s.wasm),
          s.domNodes,
          s.backingStores === null ? 'n/a' : MiB(s.backingStores),
        ]),
      ),
      '',
      `Verdict (growth after the first fifth of the run): ${verdictText(soak.verdict)}.`,
      '',
    );
  }
  push(
    '**What is measured and what is not.** JS heap is V8\'s used heap (CDP `Performance.getMetrics` ' +
      '`JSHeapUsedSize`); it excludes ArrayBuffer backing stores, which the soak reports separately ' +
      '(CDP `Runtime.getHeapUsage`). Wasm memory is the size of the SDK\'s WebAssembly linear memory, ' +
      'read from the `WebAssembly.Memory` the page instantiated (the bench page wraps ' +
      '`WebAssembly.instantiate*` to keep a reference; the SDK exposes nothing for this). One wasm instance ' +
      'serves every player on a page, and linear memory never shrinks, so its size is the high-water mark ' +
      'of the engine\'s allocations. Not measured: memory held by the browser\'s media pipeline ' +
      '(SourceBuffers, decoders) and the GPU/compositor, which no page API nor CDP domain reports per page ' +
      'here; `performance.measureUserAgentSpecificMemory` needs a cross-origin-isolated page and still ' +
      'does not separate media buffers.',
    '',
  );

  push('## 7. ABR under the same network', '');
  if (failed(abr)) push(why(abr), '');
  else {
    const phaseNames = abr.ours.phases.map((p) => p.name);
    push(
      table(
        ['Player', 'Stall time', 'Mean bitrate', 'Switches', ...phaseNames.map((n) => `At ${n}: mean bitrate / stall`), 'First frame'],
        [['ours', abr.ours], [`hls.js ${b.hlsjs}`, abr.hlsjs]].map(([name, r]) => [
          name,
          ms(r.stallMs),
          r.meanBitrate ? kbps(r.meanBitrate) : 'n/a',
          r.switches,
          ...r.phases.map((p) => `${p.meanBitrate ? kbps(p.meanBitrate) : 'n/a'} / ${ms(p.stallMs)}`),
          ms(r.firstFrameMs),
        ]),
      ),
      '',
      'Media segments fetched from each rendition during each phase (the decisions on the network side; ' +
        'the screen shows them once the buffer ahead has played out, so the per-phase bitrates above lag them):',
      '',
      table(
        ['Player', ...phaseNames],
        [['ours', abr.ours], [`hls.js ${b.hlsjs}`, abr.hlsjs]].map(([name, r]) => [
          name,
          ...r.phases.map((p) =>
            Object.entries(p.segmentsFetched || {})
              .sort((x, y) => parseInt(y[0], 10) - parseInt(x[0], 10))
              .map(([rendition, count]) => `${rendition} × ${count}`)
              .join(', ') || 'none',
          ),
        ]),
      ),
      '',
      `Stream \`${abr.stream}\`: ${Object.entries(abr.bitrateByHeight)
        .sort((x, y) => y[1] - x[1])
        .map(([h, bw]) => `${h}p ${kbps(bw)}`)
        .join(', ')} (declared BANDWIDTH), 2 s fMP4 segments, made once by ffmpeg. ` +
        `Trace: ${abr.trace.map((s) => `${s.kbps} kbit/s for ${s.seconds} s`).join(', then ')}, applied from ` +
        'navigation on with CDP `Network.emulateNetworkConditions` (20 ms latency) to each player\'s page. ' +
        'Both players ran at the same time, each in its own context on its own emulated link, so they ' +
        `saw the same trace at the same moments. Both players are ${abr.playerWidth ?? 640} CSS pixels wide at device ` +
        'pixel ratio 1, so no rung is ruled out by size (ours caps quality to the player\'s size; hls.js does ' +
        'not by default). Figures come from the video element, the same way for ' +
        'both: sampled every 250 ms from the first frame; **stall time** is wall time during which the video ' +
        'was playing (not paused, not ended) but its `currentTime` advanced by less than a tenth of the ' +
        'wall time; **mean bitrate** is the declared bitrate of the rendition on screen (`videoHeight`), ' +
        'weighted by the media time played with it; **switches** counts changes of the rendition on ' +
        'screen. Each player uses its default ABR configuration. The issue sets no target here.',
      '',
    );
  }

  push(
    '## How the run is organised',
    '',
    '`cargo xtask bench` provisions what is missing, regenerates the test fixtures if their recipe changed, ' +
      'builds the SDK (`cargo xtask build`), builds `xtask/bench-wasm` for Node, encodes the bench media ' +
      'once (cached under `target/bench/media/`), then serves the demo site plus the bench\'s pages, ' +
      'hls.js and media from one loopback origin (`xtask/src/bench/site.rs`) and runs ' +
      '`xtask/bench/{sizes,cpu,browser,report}.mjs`. Timing-sensitive measurements (parsing, transmuxing, ' +
      'time to first frame, long tasks, create/destroy cycles, ABR) run one after another; the 10-minute ' +
      'looping-playback memory run (`soak.mjs`, its own Chromium) runs alongside all of them, or the bench ' +
      'would not fit its 15-minute budget. That player is one more load on an already shared machine: it ' +
      'can make the other figures worse, never better. `cargo xtask bench --smoke` runs every measurement ' +
      'once on tiny inputs and writes only ' +
      '`target/bench-smoke.json`.',
    '',
  );
  return `${out.join('\n')}`;
}

function iqrText(iqr) {
  return Array.isArray(iqr) && iqr.every(Number.isFinite) ? `${ms(iqr[0])} – ${ms(iqr[1])}` : 'n/a';
}

/** Whether the medians differ by more than the spread of the runs: said, not left to guess. */
function ttffOverlap(ttff) {
  const a = ttff.iqr?.ours;
  const b = ttff.iqr?.hlsjs;
  if (!a || !b || ttff.runs < 4) return '';
  const overlap = a[0] <= b[1] && b[0] <= a[1];
  return overlap
    ? 'The middle halves of the two players\' runs overlap: on this shared machine the difference between ' +
        'the medians is within run-to-run noise, and another run can put the ratio on the other side of 1.'
    : 'The middle halves of the two players\' runs do not overlap: the difference is larger than this ' +
        'machine\'s run-to-run noise.';
}

function fmtLoad(load) {
  return Array.isArray(load) ? load.map((x) => x.toFixed(2)).join(' / ') : 'n/a';
}

function verdictText(verdict, keys = ['jsHeap', 'wasm', 'domNodes']) {
  const names = { jsHeap: 'JS heap', wasm: 'wasm memory', domNodes: 'DOM nodes' };
  return keys
    .filter((key) => verdict[key])
    .map((key) => {
      const v = verdict[key];
      if (v.plateaus === null) return `${names[key]} n/a`;
      const amount = key === 'domNodes' ? `${v.growth >= 0 ? '+' : ''}${v.growth} nodes` : signedMiB(v.growth);
      const allowed = key === 'domNodes' ? `${v.allowed}` : MiB(v.allowed);
      return `${names[key]} ${v.plateaus ? 'plateaus' : '**grows**'} (${amount}, allowed ${allowed})`;
    })
    .join(', ');
}
