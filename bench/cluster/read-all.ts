// Reads a set of keys back (for verification), a bounded number at a time,
// retrying a read that fails: a verification read that gives up would be
// mistaken for a lost write.

import type { Cluster, ReadOptions } from '../../src/index.js';

/** Reads in flight while verifying. */
const VERIFY_IN_FLIGHT = 256;
/** Attempts per key before the read's error is thrown. */
const MAX_READ_ATTEMPTS = 5;
const RETRY_DELAY_MS = 50;

/** key -> value read (undefined: absent). */
export async function readAll(cluster: Cluster, keys: readonly string[], options: ReadOptions): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      for (let attempt = 1; ; attempt++) {
        try {
          values.set(key, (await cluster.get(key, options))?.value);
          break;
        } catch (error) {
          if (attempt >= MAX_READ_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_IN_FLIGHT, keys.length) }, lane));
  return values;
}
