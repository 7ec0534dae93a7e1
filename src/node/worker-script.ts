// Where the node worker's compiled script is. Workers run JavaScript: when the
// caller runs from source (under vitest), the build in dist/ is used.

import { fileURLToPath } from 'node:url';

export function nodeWorkerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return fileURLToPath(new URL('../../dist/src/node/node-worker.js', import.meta.url));
  return fileURLToPath(new URL('./node-worker.js', import.meta.url));
}
