// Loader test pages: `?later=N&delay=MS` inserts N players MS milliseconds after this script
// runs, into #stage, and records when (window.__insertedAt, in performance.now() time).
(() => {
  const query = new URLSearchParams(location.search);
  const later = Number(query.get('later') || 0);
  const delay = Number(query.get('delay') || 0);
  if (later <= 0) return;
  setTimeout(() => {
    window.__insertedAt = performance.now();
    for (let i = 0; i < later; i++) {
      const player = document.createElement('shoppable-player');
      player.setAttribute('src', '/streams/vod-fmp4/master.m3u8');
      player.setAttribute('products', '/feeds/demo.json');
      player.setAttribute('engine', 'mse');
      player.setAttribute('muted', '');
      player.setAttribute('autoplay', '');
      document.getElementById('stage').append(player);
    }
  }, delay);
})();
