// Reconnect delays: exponential from min to max, with "equal jitter" (half the
// delay fixed, half random) so nodes that lost a peer at the same moment do not
// all redial it in lockstep, yet no delay collapses towards zero. The random
// source is seeded, so a run's reconnect schedule can be replayed.

import { assert } from '../../ground/assert.js';
import type { RandomSource } from '../seeded-random.js';

export interface BackoffLimits {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * The delay before the next dial after `failures` failed attempts in a row (0
 * after a connection that worked): the base doubles from min to max and the
 * delay is uniform in [base/2, base).
 */
export function backoffDelayMs(failures: number, limits: BackoffLimits, random: RandomSource): number {
  assert(Number.isInteger(failures) && failures >= 0, 'failures is a non-negative integer');
  assert(limits.minBackoffMs >= 0 && limits.maxBackoffMs >= limits.minBackoffMs, 'backoff limits are ordered');
  // 2 ** failures overflows to Infinity past ~1024 failures; min() keeps that harmless.
  const baseMs = Math.min(limits.maxBackoffMs, limits.minBackoffMs * 2 ** Math.min(failures, 64));
  return baseMs / 2 + random() * (baseMs / 2);
}

/** FNV-1a of a string, for a default seed that differs per node but is stable across runs. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
