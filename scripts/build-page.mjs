// Bundles the dashboard page (src/dashboard/page/dom/main.ts and what it
// imports) into one browser script, written where the server looks for it:
// next to the dashboard's compiled module (dist/src/dashboard/), which the
// package ships, and next to its source (src/dashboard/, git-ignored) for the
// tests, which run the server from source. `npm run build` runs this after tsc.
// Type checking is not esbuild's job: `npm run typecheck` checks the page with
// src/dashboard/page/tsconfig.json.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_BUNDLE_NAME = 'page.bundle.js';
const shipped = join(root, 'dist', 'src', 'dashboard', PAGE_BUNDLE_NAME);
const beside = join(root, 'src', 'dashboard', PAGE_BUNDLE_NAME);

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/dashboard/page/dom/main.ts'],
  tsconfig: 'src/dashboard/page/tsconfig.json',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: shipped,
  charset: 'utf8',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
mkdirSync(dirname(beside), { recursive: true });
copyFileSync(shipped, beside);

const inputs = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
console.log(`page: ${inputs} modules bundled into ${bytes} bytes (${PAGE_BUNDLE_NAME})`);
