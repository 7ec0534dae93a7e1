// A dot is one event: the counter-th event of an actor. The dot-based types
// (OR-Set, MV-Register, OR-Map) keep, beside a version vector that says what
// a replica has seen, the dots still "live"; this is their one join rule.
//
// A dot that the other side has seen (its vector covers it) but no longer
// holds was removed or overwritten there, so the join drops it. A dot held by
// both, or unseen by the other side, stays. That rule is what makes a remove
// win only over the adds it observed, and what keeps removes free of
// tombstones: the vector is the tombstone, and it does not grow per element.

import { assert } from '../ground/assert.js';
import * as vv from './version-vector.js';

export interface Dot {
  readonly actor: vv.ActorId;
  readonly counter: number;
}

/** Orders dots by actor, then counter; every dot list is kept in this order. */
export function compareDots(a: Dot, b: Dot): number {
  if (a.actor !== b.actor) return a.actor < b.actor ? -1 : 1;
  return a.counter - b.counter;
}

/**
 * The causal join of two dot lists, each sorted by compareDots and with the
 * version vector of the replica it came from. Where a dot is in both, the
 * copy from `a` is kept (a dot names one event, so both copies carry the same
 * payload).
 */
export function joinDots<D extends Dot>(aDots: readonly D[], aSeen: vv.VersionVector, bDots: readonly D[], bSeen: vv.VersionVector): D[] {
  const joined: D[] = [];
  let ai = 0;
  let bi = 0;
  while (ai < aDots.length || bi < bDots.length) {
    const a = aDots[ai];
    const b = bDots[bi];
    const order = a === undefined ? 1 : b === undefined ? -1 : compareDots(a, b);
    if (order === 0) {
      joined.push(a as D);
      ai++;
      bi++;
    } else if (order < 0) {
      const dot = a as D;
      if (!vv.covers(bSeen, dot.actor, dot.counter)) joined.push(dot);
      ai++;
    } else {
      const dot = b as D;
      if (!vv.covers(aSeen, dot.actor, dot.counter)) joined.push(dot);
      bi++;
    }
  }
  return joined;
}

/** Checks the invariants of a dot list: sorted, and every dot seen by the replica's own vector. */
export function assertDots(dots: readonly Dot[], seen: vv.VersionVector, what: string): void {
  for (let index = 0; index < dots.length; index++) {
    const dot = dots[index] as Dot;
    assert(Number.isSafeInteger(dot.counter) && dot.counter > 0, `${what}: a dot counter must be a positive integer`);
    assert(vv.covers(seen, dot.actor, dot.counter), `${what}: dot ${dot.actor}:${dot.counter} is not in the replica's own vector`);
    if (index > 0) assert(compareDots(dots[index - 1] as Dot, dot) < 0, `${what}: dots out of order or repeated`);
  }
}

/** The next dot of `actor` on a replica that has seen `seen`, and the vector that includes it. */
export function nextDot(seen: vv.VersionVector, actor: vv.ActorId): { dot: Dot; seen: vv.VersionVector } {
  const counter = vv.counterOf(seen, actor) + 1;
  return { dot: { actor, counter }, seen: vv.withCounter(seen, actor, counter) };
}
