// The few questions the core asks of a key's clock, on top of the DVV set
// module: merge two replicas, are two replicas the same, which dot did a
// stamp give, has a replica seen everything another holds.

import { assert } from '../ground/assert.js';
import * as dvv from '../convergence/dvv-set.js';
import * as vv from '../convergence/version-vector.js';
import type { Dot } from '../convergence/dots.js';
import type { LeaderlessPlantedBug } from './planted-bugs.js';
import type { KeyClock, NodeId } from './types.js';

export function emptyClock(): KeyClock {
  return dvv.empty();
}

/** Both replicas' histories and every sibling neither has superseded (DVV sync). */
export function mergeClocks(a: KeyClock, b: KeyClock, bugs: ReadonlySet<LeaderlessPlantedBug>): KeyClock {
  const merged = dvv.sync(a, b);
  return bugs.has('merge-drops-sibling') ? keepNewestActorOnly(merged) : merged;
}

/**
 * True when the two replicas hold the same state. Within one actor's entry,
 * the counter and the number of live values say which dots are live, and each
 * dot names one write, so comparing those is comparing the values too.
 */
export function sameClock(a: KeyClock, b: KeyClock): boolean {
  if (a.entries.length !== b.entries.length) return false;
  return a.entries.every((entry, index) => {
    const other = b.entries[index] as dvv.DvvEntry<unknown>;
    return entry.actor === other.actor && entry.counter === other.counter && entry.values.length === other.values.length;
  });
}

/** The dot `actor` just gave the newest value of its entry in `clock` (after `dvv.update` by that actor). */
export function newestDotOf(clock: KeyClock, actor: NodeId): Dot {
  const entry = clock.entries.find((candidate) => candidate.actor === actor);
  assert(entry !== undefined && entry.values.length > 0, `a stamped clock holds no value of ${actor}`);
  return { actor, counter: entry.counter };
}

/** True when a replica whose context is `seen` has seen every event of `clock`: nothing in `clock` is news to it. */
export function hasSeenAll(seen: vv.VersionVector, clock: KeyClock): boolean {
  return vv.descends(seen, dvv.join(clock));
}

// The planted merge bug: the history of both sides, but only the newest actor's siblings survive.
function keepNewestActorOnly(clock: KeyClock): KeyClock {
  let last = -1;
  clock.entries.forEach((entry, index) => {
    if (entry.values.length > 0) last = index;
  });
  return { kind: 'dvv-set', entries: clock.entries.map((entry, index) => (index === last ? entry : { ...entry, values: [] })) };
}
