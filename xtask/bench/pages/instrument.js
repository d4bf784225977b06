// Bench instrumentation, run before any other script of the page (the shell loads it first; on
// other pages the bench injects it as an init script). It observes and changes nothing the
// players see: it records long tasks, keeps a reference to every WebAssembly memory the page
// instantiates (to read its size — the SDK exposes nothing for this), finds every <video>
// (also inside shadow roots) and records its first presented frame and a playback timeline.
(function () {
  if (window.__bench) return;
  const bench = (window.__bench = {
    longTasks: [],
    wasmMemories: [],
    videos: [],
    /** Set by the shell: called with the video when it ends (looping playback). */
    onEnded: null,
    sampleEveryMs: 250,
  });

  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {
    bench.longTaskError = String(error);
  }

  const keepMemory = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result && result.instance;
    if (instance) {
      for (const value of Object.values(instance.exports)) {
        if (value instanceof WebAssembly.Memory) bench.wasmMemories.push(value);
      }
    }
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then(keepMemory);
    };
  }
  /** Bytes of linear memory of every wasm instance on the page. */
  bench.wasmBytes = () => bench.wasmMemories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);

  function track(video) {
    if (bench.videos.some((entry) => entry.video === video)) return;
    const entry = {
      video,
      found: performance.now(),
      firstFrame: null,
      firstFrameBy: null,
      waitingEvents: 0,
      loops: 0,
      samples: [],
    };
    bench.videos.push(entry);
    const first = (time, by) => {
      if (entry.firstFrame !== null) return;
      entry.firstFrame = time;
      entry.firstFrameBy = by;
    };
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback((now, metadata) => first(metadata.presentationTime ?? now, 'requestVideoFrameCallback'));
    }
    video.addEventListener('timeupdate', () => {
      if (video.currentTime > 0) first(performance.now(), 'timeupdate');
    });
    video.addEventListener('waiting', () => entry.waitingEvents++);
    video.addEventListener('ended', () => {
      entry.loops++;
      if (bench.onEnded) bench.onEnded(video);
    });
    const timer = setInterval(() => {
      if (!video.isConnected) return clearInterval(timer);
      if (entry.firstFrame === null) return;
      entry.samples.push({
        t: performance.timeOrigin + performance.now(),
        time: video.currentTime,
        height: video.videoHeight,
        paused: video.paused,
        ended: video.ended,
      });
    }, bench.sampleEveryMs);
  }

  function watch(root) {
    for (const video of root.querySelectorAll('video')) track(video);
    new MutationObserver(() => {
      for (const video of root.querySelectorAll('video')) track(video);
    }).observe(root, { childList: true, subtree: true });
  }
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    watch(root);
    return root;
  };
  watch(document);
})();
