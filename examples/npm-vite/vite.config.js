import { defineConfig } from 'vite';

export default defineConfig({
  // Relative URLs, so the built app works from any directory (the demo server serves it at
  // /npm-vite/dist/).
  base: './',
  // The wasm-bindgen glue finds its .wasm with `new URL('…_bg.wasm', import.meta.url)`. The
  // production build copies it into dist/assets by itself; in `vite dev` the package must not be
  // pre-bundled, or that URL would point into Vite's dependency cache.
  optimizeDeps: { exclude: ['shoppable-player'] },
  server: {
    // `vite dev` serves the app; the streams, feed and images come from `cargo xtask serve`.
    proxy: {
      '/streams': 'http://127.0.0.1:8080',
      '/feeds': 'http://127.0.0.1:8080',
      '/img': 'http://127.0.0.1:8080',
    },
  },
});
