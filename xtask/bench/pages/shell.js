// The bench's page shell: loads one player's script and creates a player for `src`, the same
// way for both, so the figures differ only by the player.
//   ours:  /dist/shoppable-player.js (the script-tag loader) and <shoppable-player engine="mse">
//   hlsjs: hls.js's hls.min.js from the bench's npm install, a <video> and `new Hls()` with its
//          defaults, started on MANIFEST_PARSED as hls.js's documentation shows.
(function () {
  const bench = window.__bench;
  const params = new URLSearchParams(location.search);
  const player = params.get('player') || 'ours';
  const src = params.get('src');
  const SCRIPTS = { ours: '/dist/shoppable-player.js', hlsjs: '/vendor/hls.js/hls.min.js' };
  if (!SCRIPTS[player]) throw new Error(`unknown player ${player}`);

  const script = document.createElement('script');
  script.src = SCRIPTS[player];
  script.async = false;
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = () => reject(new Error(`${script.src} did not load`));
  });
  document.head.append(script);
  const parsed = new Promise((resolve) => {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', resolve, { once: true });
    else resolve();
  });

  const width = Number(params.get('width'));
  if (width > 0) document.documentElement.style.setProperty('--player-width', `${width}px`);

  let current = null;
  bench.player = player;
  bench.ready = Promise.all([loaded, parsed]);

  /** Creates a player in #stage; returns the time (performance.now) it was inserted. */
  bench.create = () => {
    const stage = document.getElementById('stage');
    const created = performance.now();
    if (player === 'ours') {
      const element = document.createElement('shoppable-player');
      element.setAttribute('src', src);
      element.setAttribute('engine', 'mse');
      element.setAttribute('muted', '');
      element.setAttribute('autoplay', '');
      stage.append(element);
      current = { element };
    } else {
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.autoplay = true;
      stage.append(video);
      const hls = new window.Hls();
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.loadSource(src);
      hls.attachMedia(video);
      current = { element: video, hls };
    }
    current.created = created;
    return created;
  };

  /** Destroys the player: removing our element destroys it; hls.js needs `destroy()`. */
  bench.destroy = () => {
    if (!current) return;
    if (current.hls) current.hls.destroy();
    current.element.remove();
    current = null;
  };

  /** The video of the current player and what the instrumentation recorded about it. */
  bench.current = () => {
    if (!current) return null;
    const entry = bench.videos.at(-1);
    return entry && entry.found >= current.created ? entry : null;
  };

  if (params.get('loop') === '1') {
    // Looping playback through each player's API: seek to the start when the video ends.
    bench.onEnded = (video) => {
      if (player === 'ours') {
        current.element.player.seek(0);
        current.element.player.play().catch(() => {});
      } else {
        video.currentTime = 0;
        video.play().catch(() => {});
      }
    };
  }

  if (params.get('autostart') !== '0') bench.ready.then(() => bench.create());
})();
