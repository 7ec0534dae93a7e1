// The checking stage: a history split by key, each key checked on a piscina
// worker with the checker's own budgets (steps, visited-set memory), a heap
// limit on the worker and a wall-clock timeout. A key that runs out of any of
// them is "unknown", never a hang: its worker thread is stopped.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { splitByKey, type HistoryEvent, type KeyVerdict } from '../check/index.js';
import type { CheckTask } from './check-worker.js';
import { CHECK_KEY_TIMEOUT_MS, CHECK_MAX_CACHE_BYTES, CHECK_MAX_STEPS, CHECK_WORKER_HEAP_MB } from './limits.js';

export interface CheckingOptions {
  readonly maxSteps?: number;
  readonly maxCacheBytes?: number;
  readonly keyTimeoutMs?: number;
  readonly threads?: number;
}

export interface CheckedHistory {
  /** In order of each key's first appearance. */
  readonly verdicts: (KeyVerdict & { readonly elapsedMs: number })[];
  readonly anomalies: number;
  readonly unknown: number;
}

function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  // Under vitest this module runs from src/; the worker must be the compiled one.
  if (here.endsWith('.ts')) return fileURLToPath(new URL('../../dist/src/verify/check-worker.js', import.meta.url));
  return fileURLToPath(new URL('./check-worker.js', import.meta.url));
}

export async function checkHistoryOnPool(events: readonly HistoryEvent[], options: CheckingOptions = {}): Promise<CheckedHistory> {
  const byKey = splitByKey(events);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), byKey.size));
  const timeoutMs = options.keyTimeoutMs ?? CHECK_KEY_TIMEOUT_MS;
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: 0,
    maxThreads: threads,
    resourceLimits: { maxOldGenerationSizeMb: CHECK_WORKER_HEAP_MB },
  });
  try {
    const keys = [...byKey.keys()];
    const verdicts: CheckedHistory['verdicts'] = new Array(keys.length);
    // At most `threads` keys submitted at once, so each key's timeout measures its own run, not its wait in the queue.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < keys.length) {
        const i = next++;
        const key = keys[i] as string;
        const task: CheckTask = {
          key,
          events: byKey.get(key) ?? [],
          maxSteps: options.maxSteps ?? CHECK_MAX_STEPS,
          maxCacheBytes: options.maxCacheBytes ?? CHECK_MAX_CACHE_BYTES,
        };
        verdicts[i] = await checkWithTimeout(pool, task, timeoutMs);
      }
    };
    await Promise.all(Array.from({ length: threads }, lane));
    return {
      verdicts,
      anomalies: verdicts.filter((verdict) => verdict.result === 'not-linearizable').length,
      unknown: verdicts.filter((verdict) => verdict.result === 'unknown').length,
    };
  } finally {
    await pool.destroy();
  }
}

async function checkWithTimeout(pool: Piscina, task: CheckTask, timeoutMs: number): Promise<CheckedHistory['verdicts'][number]> {
  const started = performance.now();
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  const ops = task.events.filter((event) => event.type === 'invoke').length;
  try {
    const verdict = (await pool.run(task, { signal: abort.signal })) as KeyVerdict;
    return { ...verdict, elapsedMs: performance.now() - started };
  } catch (error) {
    const reason = timedOut ? `checking took longer than ${timeoutMs} ms` : `the checking worker failed: ${(error as Error).message}`;
    return { key: task.key, result: 'unknown', ops, reason, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
