// Where the node worker's compiled script is. Workers run JavaScript: when the
// caller runs from source (under vitest), the build in dist/ is used.

import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

/** How long a running worker gets to end itself before it is terminated from outside. */
export const COOPERATIVE_EXIT_TIMEOUT_MS = 1000;

/**
 * Stop a node thread. A worker that is running (not hung, not paused) ends
 * itself from JavaScript, so the stop never lands inside an lmdb-js native
 * call: worker.terminate() there aborts the whole process. Only a worker that
 * does not exit in time (hung or paused: blocked in JavaScript, not in LMDB)
 * is terminated from outside.
 */
export async function stopWorker(worker: Worker, askToExit: (() => Promise<unknown>) | null): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  if (askToExit) {
    void askToExit().catch(() => undefined);
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), COOPERATIVE_EXIT_TIMEOUT_MS)),
    ]);
    if (!timedOut) return;
  }
  await worker.terminate();
}

export function nodeWorkerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return fileURLToPath(new URL('../../dist/src/node/node-worker.js', import.meta.url));
  return fileURLToPath(new URL('./node-worker.js', import.meta.url));
}
