// Positive-negative counter: two grow-only counters, one for increments and
// one for decrements; the value is their difference.

import { assert } from '../../ground/assert.js';
import * as gCounter from './g-counter.js';
import type * as vv from '../version-vector.js';

export interface PnCounter {
  readonly kind: 'pn-counter';
  readonly increments: gCounter.GCounter;
  readonly decrements: gCounter.GCounter;
}

export function empty(): PnCounter {
  return { kind: 'pn-counter', increments: gCounter.empty(), decrements: gCounter.empty() };
}

/** `actor` adds `amount`, which may be negative (a decrement) but not zero. */
export function increment(counter: PnCounter, actor: vv.ActorId, amount = 1): PnCounter {
  assert(Number.isSafeInteger(amount) && amount !== 0, `a pn-counter changes by a non-zero integer, not ${amount}`);
  return amount > 0
    ? { ...counter, increments: gCounter.increment(counter.increments, actor, amount) }
    : { ...counter, decrements: gCounter.increment(counter.decrements, actor, -amount) };
}

export function decrement(counter: PnCounter, actor: vv.ActorId, amount = 1): PnCounter {
  return increment(counter, actor, -amount);
}

export function value(counter: PnCounter): number {
  return gCounter.value(counter.increments) - gCounter.value(counter.decrements);
}

export function merge(a: PnCounter, b: PnCounter): PnCounter {
  return {
    kind: 'pn-counter',
    increments: gCounter.merge(a.increments, b.increments),
    decrements: gCounter.merge(a.decrements, b.decrements),
  };
}
