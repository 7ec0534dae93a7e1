// The page's script: one file bundled by esbuild from src/dashboard/page/
// (scripts/build-page.mjs, run by `npm run build`), lying next to this module:
// dist/src/dashboard/ in the package, src/dashboard/ (git-ignored) when the
// server runs from source in the tests.

import { readFileSync } from 'node:fs';

export const PAGE_BUNDLE_FILE = new URL('./page.bundle.js', import.meta.url);

/** The bundle's text, or null when it was never built. */
export function readPageBundle(): string | null {
  try {
    return readFileSync(PAGE_BUNDLE_FILE, 'utf8');
  } catch {
    return null;
  }
}
