// Dotted version vector sets: the siblings of one key, with the causality
// that says which of them a new write replaces. The model is Riak's dvvset
// (Gonçalves, Almeida, Baquero, Fonte: "Scalable and Accurate Causality
// Tracking for Eventually Consistent Stores", 2014); this is a fresh
// implementation of it, without the "anonymous" values dvvset keeps for
// writes that no server stamped: here every value gets a dot.
//
// Per actor (a server that coordinates writes, never a client), an entry
// holds a counter n and the values of its newest dots, newest first:
// values[i] was written as the (n - i)-th event of that actor, and events
// 1 .. n - values.length are history whose values were superseded. A key's
// siblings are all the values of all entries.
//
// The one rule the caller must keep: an actor's events are numbered by the
// actor alone, each number used once. That holds when the actor is the
// server whose replica of the key is passed to `update`, which already has
// every earlier event of its own.

import { assert } from '../ground/assert.js';
import * as vv from './version-vector.js';
import type { Dot } from './dots.js';

export interface DvvEntry<V> {
  readonly actor: vv.ActorId;
  readonly counter: number;
  /** The values of the dots counter, counter - 1, ...: newest first. */
  readonly values: readonly V[];
}

export interface DvvSet<V> {
  readonly kind: 'dvv-set';
  /** Sorted by actor; one entry per actor. */
  readonly entries: readonly DvvEntry<V>[];
}

/**
 * Riak refuses a write that would leave a key with more than 100 siblings
 * (its `max_siblings`); so does `update`. Siblings only pile up when clients
 * write without the context of a read, or when the same key is written
 * concurrently for a long time; a hundred of them is a client bug to report,
 * not a state to grow. `sync` never refuses (refusing would stop replicas
 * from converging), so after a sync a key can hold up to this many siblings
 * per coordinating actor.
 */
export const MAX_SIBLINGS_PER_KEY = 100;

export type UpdateResult<V> =
  | { readonly ok: true; readonly clock: DvvSet<V> }
  | { readonly ok: false; readonly error: 'too-many-siblings'; readonly siblings: number; readonly maxSiblings: number };

export function empty<V>(): DvvSet<V> {
  return { kind: 'dvv-set', entries: [] };
}

/** The causal context of a clock: what a client gets with a read and hands back with its next write. */
export function join<V>(clock: DvvSet<V>): vv.VersionVector {
  return vv.fromEntries(clock.entries.map((entry) => [entry.actor, entry.counter]));
}

/** Every sibling, by actor then newest first. */
export function values<V>(clock: DvvSet<V>): V[] {
  return clock.entries.flatMap((entry) => entry.values);
}

/** Every sibling with the dot it was written as. */
export function siblings<V>(clock: DvvSet<V>): Array<{ readonly dot: Dot; readonly value: V }> {
  return clock.entries.flatMap((entry) => entry.values.map((value, index) => ({ dot: { actor: entry.actor, counter: entry.counter - index }, value })));
}

export function siblingCount<V>(clock: DvvSet<V>): number {
  let count = 0;
  for (const entry of clock.entries) count += entry.values.length;
  return count;
}

/**
 * The clock after `actor` (the coordinating server, whose replica `clock` is)
 * writes `value` for a client that had seen `context` (the `join` of its
 * read; the empty vector for a blind write). The values the context covers
 * are replaced; every other value stays as a sibling of the new one.
 */
export function update<V>(
  clock: DvvSet<V>,
  context: vv.VersionVector,
  value: V,
  actor: vv.ActorId,
  maxSiblings: number = MAX_SIBLINGS_PER_KEY,
): UpdateResult<V> {
  vv.assertActor(actor);
  const seen = sync(fromContext<V>(context), clock);
  const entries: DvvEntry<V>[] = [];
  let placed = false;
  for (const entry of seen.entries) {
    if (!placed && entry.actor >= actor) {
      if (entry.actor === actor) {
        entries.push({ actor, counter: entry.counter + 1, values: [value, ...entry.values] });
        placed = true;
        continue;
      }
      entries.push({ actor, counter: 1, values: [value] });
      placed = true;
    }
    entries.push(entry);
  }
  if (!placed) entries.push({ actor, counter: 1, values: [value] });
  const next: DvvSet<V> = { kind: 'dvv-set', entries };
  const count = siblingCount(next);
  if (count > maxSiblings) return { ok: false, error: 'too-many-siblings', siblings: count, maxSiblings };
  return { ok: true, clock: next };
}

/**
 * Merges two replicas of a key: the causal history of both, and every value
 * that neither replica's history has superseded. Commutative, associative,
 * idempotent.
 */
export function sync<V>(a: DvvSet<V>, b: DvvSet<V>): DvvSet<V> {
  const entries: DvvEntry<V>[] = [];
  let ai = 0;
  let bi = 0;
  while (ai < a.entries.length || bi < b.entries.length) {
    const left = a.entries[ai];
    const right = b.entries[bi];
    if (right === undefined || (left !== undefined && left.actor < right.actor)) {
      entries.push(left as DvvEntry<V>);
      ai++;
    } else if (left === undefined || right.actor < left.actor) {
      entries.push(right);
      bi++;
    } else {
      entries.push(mergeEntries(left, right));
      ai++;
      bi++;
    }
  }
  return { kind: 'dvv-set', entries };
}

/** Throws unless `clock` keeps the representation's invariants; for data read back from disk or the wire. */
export function assertDvvSet<V>(clock: DvvSet<V>): void {
  assert(clock.kind === 'dvv-set', 'not a dvv-set');
  assert(clock.entries.length <= vv.MAX_ACTORS_PER_VECTOR, 'a dvv-set has more actors than a version vector may');
  clock.entries.forEach((entry, index) => {
    vv.assertActor(entry.actor);
    assert(Number.isSafeInteger(entry.counter) && entry.counter > 0, 'a dvv-set entry counter must be a positive integer');
    assert(entry.values.length <= entry.counter, 'a dvv-set entry holds more values than it has dots');
    if (index > 0) assert((clock.entries[index - 1] as DvvEntry<V>).actor < entry.actor, 'dvv-set entries out of order');
  });
}

function fromContext<V>(context: vv.VersionVector): DvvSet<V> {
  return { kind: 'dvv-set', entries: vv.entries(context).map(([actor, counter]) => ({ actor, counter, values: [] })) };
}

// One actor's entry seen by two replicas. Its live dots are those after the
// longer of the two histories; the entry with the higher counter holds all
// of them (the other cannot hold a dot past its own counter).
function mergeEntries<V>(a: DvvEntry<V>, b: DvvEntry<V>): DvvEntry<V> {
  const supersededUpTo = Math.max(a.counter - a.values.length, b.counter - b.values.length);
  const newer = a.counter >= b.counter ? a : b;
  return { actor: newer.actor, counter: newer.counter, values: newer.values.slice(0, newer.counter - supersededUpTo) };
}
