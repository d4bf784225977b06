// Runs Shopify's theme-check on a theme app extension and fails on any error:
//   node theme-check.mjs extensions/shoppable-player
// SHOPIFY_TLD_ROOT points theme-check's documentation at the copy inside its own npm package,
// so it never downloads it (no network but the npm registry).
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
process.env.SHOPIFY_TLD_ROOT ??= dirname(require.resolve('@shopify/theme-check-docs-updater/package.json'));
const { themeCheckRun } = await import('@shopify/theme-check-node');

const root = resolve(dirname(fileURLToPath(import.meta.url)), process.argv[2] ?? 'extensions/shoppable-player');
const { offenses, theme } = await themeCheckRun(root, resolve(root, '.theme-check.yml'));
const severity = ['error', 'warning', 'info'];
for (const offense of offenses) {
  const file = offense.uri.replace(/^file:\/\//, '').replace(`${root}/`, '');
  const line = offense.start ? `:${offense.start.line + 1}:${offense.start.character + 1}` : '';
  console.log(`${severity[offense.severity] ?? offense.severity}: ${file}${line} ${offense.check}: ${offense.message}`);
}
const errors = offenses.filter((offense) => offense.severity === 0).length;
console.log(`theme-check: ${theme.length} files, ${errors} errors, ${offenses.length - errors} warnings or notes`);
process.exit(errors > 0 ? 1 : 0);
