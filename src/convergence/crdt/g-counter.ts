// Grow-only counter: one count per actor, each only ever raised by its own
// actor; the value is their sum, the join is the pointwise maximum.

import { assert } from '../../ground/assert.js';
import * as vv from '../version-vector.js';

export interface GCounter {
  readonly kind: 'g-counter';
  /** Per actor, the sum of that actor's increments (a version vector in shape, and merged like one). */
  readonly counts: vv.VersionVector;
}

export function empty(): GCounter {
  return { kind: 'g-counter', counts: vv.empty() };
}

/** `actor` (the replica making the change) adds `amount` (a positive integer). */
export function increment(counter: GCounter, actor: vv.ActorId, amount = 1): GCounter {
  assert(Number.isSafeInteger(amount) && amount > 0, `a g-counter grows by a positive integer, not ${amount}`);
  const total = vv.counterOf(counter.counts, actor) + amount;
  assert(Number.isSafeInteger(total), 'a g-counter count passed Number.MAX_SAFE_INTEGER');
  return { kind: 'g-counter', counts: vv.withCounter(counter.counts, actor, total) };
}

export function value(counter: GCounter): number {
  let sum = 0;
  for (const [, count] of vv.entries(counter.counts)) sum += count;
  return sum;
}

export function merge(a: GCounter, b: GCounter): GCounter {
  return { kind: 'g-counter', counts: vv.merge(a.counts, b.counts) };
}
