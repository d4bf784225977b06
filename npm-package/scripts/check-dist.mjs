// `npm pack` / `npm publish` guard: the package is only its built files, so refuse to pack
// before `cargo xtask build` has produced every one of them.
import { statSync } from 'node:fs';

const required = [
  'dist/index.js',
  'dist/shoppable-player.js',
  'dist/shoppable_player_wasm.js',
  'dist/shoppable_player_wasm_bg.wasm',
  'types/index.d.ts',
];
const missing = required.filter((file) => {
  try {
    return !statSync(new URL(`../${file}`, import.meta.url)).isFile();
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.error(`shoppable-player: missing ${missing.join(', ')}; run \`cargo xtask build\` first`);
  process.exit(1);
}
