// `node --test lib/` — the pure parts of the bench, checked on inputs whose answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, quantile, ratio, plateau, qoe, longTaskSummary } from './stats.mjs';
import { mediaPlaylist, multivariantPlaylist } from './playlists.mjs';

test('median of odd and even counts, ignoring non-numbers', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([null, 5, NaN]), 5);
  assert.equal(median([]), null);
});

test('quantiles interpolate between order statistics', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([10, 20], 0.5), 15);
  assert.equal(quantile([], 0.5), null);
});

test('ratio refuses missing or zero denominators', () => {
  assert.equal(ratio(10, 4), 2.5);
  assert.equal(ratio(10, 0), null);
  assert.equal(ratio(null, 4), null);
});

test('plateau: flat after warm-up passes, steady growth fails', () => {
  const flat = [[0, 10e6], [60, 30e6], [120, 30.1e6], [600, 30.2e6]];
  assert.equal(plateau(flat, { fromX: 120, absolute: 1e6, relative: 0.05 }).plateaus, true);
  const leak = [[0, 10e6], [120, 30e6], [600, 40e6]];
  const verdict = plateau(leak, { fromX: 120, absolute: 1e6, relative: 0.05 });
  assert.equal(verdict.plateaus, false);
  assert.equal(verdict.growth, 10e6);
  assert.equal(plateau([[0, 1]], { fromX: 0, absolute: 0, relative: 0 }).plateaus, null);
});

test('qoe counts a stall, weights bitrate by media time played and counts switches', () => {
  const rates = { 720: 3e6, 240: 5e5 };
  const samples = [
    { t: 0, time: 0, height: 720, paused: false, ended: false },
    { t: 1000, time: 1, height: 720, paused: false, ended: false },
    { t: 2000, time: 1, height: 720, paused: false, ended: false }, // 1 s stalled
    { t: 3000, time: 2, height: 240, paused: false, ended: false },
    { t: 4000, time: 3, height: 240, paused: false, ended: false },
  ];
  const result = qoe(samples, rates, [{ name: 'a', from: 0, to: 2500 }, { name: 'b', from: 2500, to: 9e9 }]);
  assert.equal(result.stallMs, 1000);
  assert.equal(result.switches, 1);
  assert.equal(result.playedSeconds, 3);
  assert.equal(result.meanBitrate, Math.round((3e6 + 5e5 + 5e5) / 3));
  assert.deepEqual(result.phases.map((p) => p.stallMs), [1000, 0]);
  assert.equal(result.phases[1].meanBitrate, 5e5);
});

test('a paused player is not stalled', () => {
  const samples = [
    { t: 0, time: 5, height: 240, paused: true, ended: false },
    { t: 5000, time: 5, height: 240, paused: true, ended: false },
  ];
  assert.equal(qoe(samples, { 240: 1 }).stallMs, 0);
});

test('long tasks are split at the first frame', () => {
  const tasks = [{ start: 100, duration: 120 }, { start: 900, duration: 55 }, { start: 950, duration: 30 }];
  const summary = longTaskSummary(tasks, 500, 2000);
  assert.deepEqual(summary.startup, { count: 1, over50: 1, longestMs: 120, blockingMs: 70 });
  assert.equal(summary.playback.over50, 1);
  assert.equal(summary.playback.longestMs, 55);
});

test('generated playlists are deterministic and have the asked-for size', () => {
  const a = mediaPlaylist(10_000);
  assert.equal(a, mediaPlaylist(10_000));
  assert.equal(a.match(/^#EXTINF:/gm).length, 10_000);
  assert.equal(a.match(/^#EXT-X-PROGRAM-DATE-TIME:/gm).length, 10_000);
  assert.ok(a.endsWith('#EXT-X-ENDLIST\n'));
  const m = multivariantPlaylist(20);
  assert.equal(m.match(/^#EXT-X-STREAM-INF:/gm).length, 20);
});
