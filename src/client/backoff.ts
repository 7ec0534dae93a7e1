// How long to wait before a retry. Exponential so a struggling cluster is
// not hammered, jittered so many clients that failed together do not retry
// together ("equal jitter": half the step fixed, half random).

import type { BackoffMs } from './options.js';

/** Retry `retry` (0 for the first retry) waits between half and all of min(max, min * 2^retry). */
export function backoffDelayMs(retry: number, backoff: BackoffMs, random: () => number = Math.random): number {
  const step = Math.min(backoff.max, backoff.min * 2 ** Math.min(retry, 30));
  return Math.max(backoff.min, step / 2 + random() * (step / 2));
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
