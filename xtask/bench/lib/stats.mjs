// Small, pure statistics shared by the measurements and the report (unit-tested in
// stats.test.mjs).

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The `q` quantile (0–1) by linear interpolation between order statistics. */
export function quantile(values, q) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** `ours / theirs` when both are positive numbers, else `null`. */
export function ratio(ours, theirs) {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? ours / theirs : null;
}

/**
 * Whether a series of `[x, bytes]` samples has stopped growing: the growth between the sample
 * at `fromX` (the first at or after it) and the last one is at most `max(absolute, relative ×
 * value at fromX)`. Returns the figures the verdict rests on.
 */
export function plateau(samples, { fromX, absolute, relative }) {
  const usable = samples.filter(([, value]) => Number.isFinite(value));
  const start = usable.find(([x]) => x >= fromX) ?? usable[0];
  const end = usable.at(-1);
  if (!start || !end || start === end) {
    return { plateaus: null, from: start?.[1] ?? null, to: end?.[1] ?? null, growth: null, allowed: null };
  }
  const growth = end[1] - start[1];
  const allowed = Math.max(absolute, relative * start[1]);
  return {
    plateaus: growth <= allowed,
    fromX: start[0],
    toX: end[0],
    from: start[1],
    to: end[1],
    growth,
    allowed,
  };
}

/**
 * Quality of experience from a player's timeline of samples `{t, time, height, paused, ended}`
 * (t: wall clock in ms; time: the video's currentTime in s; height: videoHeight), taken every
 * few hundred ms from the first frame on.
 *
 * - stall time: wall time during which the video was neither paused nor ended yet its
 *   currentTime advanced by less than a tenth of the wall time that passed;
 * - mean bitrate: the declared bitrate of the rendition on screen, weighted by the media time
 *   actually played with it (`bitrateByHeight` maps videoHeight to bits per second);
 * - switches: changes of the rendition on screen.
 *
 * `phases` (optional) `[{name, from, to}]` in the samples' clock adds a mean bitrate per phase.
 */
export function qoe(samples, bitrateByHeight, phases = []) {
  let stallMs = 0;
  let played = 0;
  let weighted = 0;
  let switches = 0;
  let previousHeight = null;
  const perPhase = phases.map((phase) => ({ ...phase, played: 0, weighted: 0, stallMs: 0 }));
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const wall = b.t - a.t;
    const media = b.time - a.time;
    const phase = perPhase.find((p) => a.t >= p.from && a.t < p.to);
    if (!a.paused && !a.ended && !b.ended && wall > 0 && media < (wall / 1000) * 0.1) {
      stallMs += wall;
      if (phase) phase.stallMs += wall;
    }
    const bitrate = bitrateByHeight[b.height];
    if (media > 0 && media < 5 && bitrate) {
      played += media;
      weighted += bitrate * media;
      if (phase) {
        phase.played += media;
        phase.weighted += bitrate * media;
      }
    }
  }
  for (const sample of samples) {
    if (!sample.height) continue;
    if (previousHeight !== null && sample.height !== previousHeight) switches++;
    previousHeight = sample.height;
  }
  return {
    stallMs: Math.round(stallMs),
    playedSeconds: played,
    meanBitrate: played > 0 ? Math.round(weighted / played) : null,
    switches,
    phases: perPhase.map(({ name, played: p, weighted: w, stallMs: s }) => ({
      name,
      playedSeconds: p,
      meanBitrate: p > 0 ? Math.round(w / p) : null,
      stallMs: Math.round(s),
    })),
  };
}

/** Long tasks `{start, duration}` split at `from` (e.g. the first frame) and `to`. */
export function longTaskSummary(tasks, from, to = Infinity) {
  const inWindow = tasks.filter((task) => task.start >= from && task.start < to);
  const before = tasks.filter((task) => task.start < from);
  const summary = (list) => ({
    count: list.length,
    over50: list.filter((task) => task.duration > 50).length,
    longestMs: list.length ? Math.max(...list.map((task) => task.duration)) : 0,
    // Time beyond 50 ms summed, as Lighthouse's total blocking time counts it.
    blockingMs: list.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0),
  });
  return { playback: summary(inWindow), startup: summary(before) };
}
