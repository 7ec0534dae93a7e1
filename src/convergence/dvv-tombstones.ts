// Deletes in a sibling store: a delete is a write of a tombstone with the
// context of a read, so it replaces what that read saw and nothing else. A
// concurrent write survives it as a sibling (the key comes back, as it must:
// nobody who deleted it had seen that write). A key whose only siblings are
// tombstones reads as absent; it may be dropped from storage only once every
// replica holds the tombstone (the leaderless core decides when), or a
// replica that never heard of the delete would bring the old value back.

import * as dvv from './dvv-set.js';
import type * as vv from './version-vector.js';

export type Stored<V> = { readonly deleted: false; readonly value: V } | { readonly deleted: true };

export const TOMBSTONE: Stored<never> = Object.freeze({ deleted: true });

export function put<V>(
  clock: dvv.DvvSet<Stored<V>>,
  context: vv.VersionVector,
  value: V,
  actor: vv.ActorId,
  maxSiblings: number = dvv.MAX_SIBLINGS_PER_KEY,
): dvv.UpdateResult<Stored<V>> {
  return dvv.update(clock, context, { deleted: false, value }, actor, maxSiblings);
}

export function remove<V>(
  clock: dvv.DvvSet<Stored<V>>,
  context: vv.VersionVector,
  actor: vv.ActorId,
  maxSiblings: number = dvv.MAX_SIBLINGS_PER_KEY,
): dvv.UpdateResult<Stored<V>> {
  return dvv.update<Stored<V>>(clock, context, TOMBSTONE, actor, maxSiblings);
}

/** The values a read returns: every sibling that is not a tombstone. */
export function liveValues<V>(clock: dvv.DvvSet<Stored<V>>): V[] {
  const live: V[] = [];
  for (const stored of dvv.values(clock)) if (!stored.deleted) live.push(stored.value);
  return live;
}

/** True when the key has siblings and all of them are tombstones: it reads as absent and is a candidate for reaping. */
export function holdsOnlyTombstones<V>(clock: dvv.DvvSet<Stored<V>>): boolean {
  const all = dvv.values(clock);
  return all.length > 0 && all.every((stored) => stored.deleted);
}
