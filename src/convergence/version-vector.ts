// Version vectors: one counter per actor, the causal history "every event of
// actor A numbered 1..vv[A]". Plain records with sorted keys and no zero
// entries, so equal vectors serialise to equal bytes (msgpackr and JSON alike).
// Functions never mutate their arguments.

import { assert } from '../ground/assert.js';

export type ActorId = string;
export type VersionVector = { readonly [actor: ActorId]: number };
export type Ordering = 'equal' | 'before' | 'after' | 'concurrent';

/**
 * Actors are replicas (nodes, vnodes, datacenters), never clients: a vector
 * with one entry per client grows without bound (the reason Riak moved to
 * vnode ids). A vector reaching this many actors means that rule was broken,
 * and it is an invariant violation rather than slow growth nobody sees.
 */
export const MAX_ACTORS_PER_VECTOR = 1024;

/** Actor ids travel in every vector of every stored value; keep them short. */
export const MAX_ACTOR_ID_LENGTH = 128;

export const EMPTY: VersionVector = Object.freeze({});

export function empty(): VersionVector {
  return EMPTY;
}

/** The counter of `actor`; 0 when it has none. Own properties only, so "__proto__" is an ordinary actor. */
export function counterOf(vector: VersionVector, actor: ActorId): number {
  return Object.hasOwn(vector, actor) ? (vector[actor] as number) : 0;
}

export function actors(vector: VersionVector): ActorId[] {
  return Object.keys(vector).sort();
}

/** Builds a canonical vector (sorted, no zeros) from [actor, counter] pairs; the highest counter per actor wins. */
export function fromEntries(entries: Iterable<readonly [ActorId, number]>): VersionVector {
  const counters = new Map<ActorId, number>();
  for (const [actor, counter] of entries) {
    assertActor(actor);
    assertCounter(counter);
    if (counter > (counters.get(actor) ?? 0)) counters.set(actor, counter);
  }
  assert(
    counters.size <= MAX_ACTORS_PER_VECTOR,
    `a version vector has ${counters.size} actors, over MAX_ACTORS_PER_VECTOR (${MAX_ACTORS_PER_VECTOR}); are clients used as actors?`,
  );
  const sorted = [...counters.keys()].sort();
  // Object.fromEntries defines own properties, so an actor named "__proto__" is stored, not swallowed.
  return Object.fromEntries(sorted.map((actor) => [actor, counters.get(actor) as number]));
}

export function entries(vector: VersionVector): Array<[ActorId, number]> {
  return actors(vector).map((actor) => [actor, counterOf(vector, actor)]);
}

/** The vector after one more event of `actor`. */
export function increment(vector: VersionVector, actor: ActorId): VersionVector {
  return withCounter(vector, actor, counterOf(vector, actor) + 1);
}

/** The vector with `actor`'s counter raised to at least `counter`. */
export function withCounter(vector: VersionVector, actor: ActorId, counter: number): VersionVector {
  return fromEntries([...entries(vector), [actor, counter]]);
}

/** Pointwise maximum: the history of both. */
export function merge(a: VersionVector, b: VersionVector): VersionVector {
  return fromEntries([...entries(a), ...entries(b)]);
}

/** True when `a` has seen every event `b` has (a ≥ b pointwise). */
export function descends(a: VersionVector, b: VersionVector): boolean {
  for (const actor of Object.keys(b)) {
    if (counterOf(a, actor) < counterOf(b, actor)) return false;
  }
  return true;
}

/** How `a` relates to `b`: 'before' means a happened before b (b descends a and they differ). */
export function compare(a: VersionVector, b: VersionVector): Ordering {
  const aSeesB = descends(a, b);
  const bSeesA = descends(b, a);
  if (aSeesB && bSeesA) return 'equal';
  if (bSeesA) return 'before';
  if (aSeesB) return 'after';
  return 'concurrent';
}

export function equal(a: VersionVector, b: VersionVector): boolean {
  return compare(a, b) === 'equal';
}

/** True when the vector's history holds the event `counter` of `actor`. */
export function covers(vector: VersionVector, actor: ActorId, counter: number): boolean {
  return counter <= counterOf(vector, actor);
}

/** Throws unless `value` is a canonical vector; for data read back from disk or the wire. */
export function assertVersionVector(value: VersionVector): void {
  const names = Object.keys(value);
  assert(names.length <= MAX_ACTORS_PER_VECTOR, `a version vector has more than ${MAX_ACTORS_PER_VECTOR} actors`);
  for (const actor of names) {
    assertActor(actor);
    const counter = value[actor];
    assert(typeof counter === 'number' && counter > 0, `version vector counter of ${actor} must be positive`);
    assertCounter(counter);
  }
}

export function assertActor(actor: ActorId): void {
  assert(
    typeof actor === 'string' && actor.length > 0 && actor.length <= MAX_ACTOR_ID_LENGTH,
    `an actor id is a string of 1 to ${MAX_ACTOR_ID_LENGTH} characters`,
  );
}

function assertCounter(counter: number): void {
  assert(Number.isSafeInteger(counter) && counter >= 0, `a version vector counter must be a safe integer >= 0, not ${counter}`);
}
