// Observed-remove set, add-wins, without tombstones: the "ORSWOT" of riak_dt
// (Bieniusa et al., "An optimized conflict-free replicated set", 2012).
// Each present element carries the dots of the adds that put it there; the
// set's version vector records every add the replica has seen. A remove
// drops the element's dots, and the vector remembers them as seen, so a merge
// does not bring them back; an add the remover had not seen carries a dot
// the remover's vector does not cover, and survives. A removed element
// leaves nothing behind but counters already in the vector.

import { assert } from '../../ground/assert.js';
import { assertDots, joinDots, nextDot, type Dot } from '../dots.js';
import { canonicalElement, compareKeys, elementKey, type JsonValue } from '../json.js';
import * as vv from '../version-vector.js';

export interface OrSetEntry {
  /** In canonical form (see canonicalElement). */
  readonly element: JsonValue;
  /** The adds that keep it present: at most one per actor, sorted. */
  readonly dots: readonly Dot[];
}

export interface OrSet {
  readonly kind: 'or-set';
  /** Every add this replica has seen, present or since removed. */
  readonly seen: vv.VersionVector;
  /** Present elements, sorted by canonical JSON. */
  readonly entries: readonly OrSetEntry[];
}

export function empty(): OrSet {
  return { kind: 'or-set', seen: vv.empty(), entries: [] };
}

/** `actor` (the replica making the change) adds `element`. The new add replaces the adds of it this replica saw. */
export function add(set: OrSet, element: JsonValue, actor: vv.ActorId): OrSet {
  const { dot, seen } = nextDot(set.seen, actor);
  return { kind: 'or-set', seen, entries: addEntry(set.entries, element, dot) };
}

/** Removes `element` as this replica sees it: adds it has not seen are untouched. Removing an absent element changes nothing. */
export function remove(set: OrSet, element: JsonValue): OrSet {
  const entries = removeEntry(set.entries, element);
  return entries === set.entries ? set : { kind: 'or-set', seen: set.seen, entries };
}

export function has(set: OrSet, element: JsonValue): boolean {
  const key = elementKey(element);
  return set.entries.some((entry) => elementKey(entry.element) === key);
}

/** The present elements, sorted by canonical JSON. */
export function value(set: OrSet): JsonValue[] {
  return set.entries.map((entry) => entry.element);
}

export function merge(a: OrSet, b: OrSet): OrSet {
  return { kind: 'or-set', seen: vv.merge(a.seen, b.seen), entries: joinEntries(a.entries, a.seen, b.entries, b.seen) };
}

/**
 * The join of two replicas' entries, each with the vector of the replica it
 * came from. Exported for the OR-Map, whose set fields share the map's vector.
 */
export function joinEntries(aEntries: readonly OrSetEntry[], aSeen: vv.VersionVector, bEntries: readonly OrSetEntry[], bSeen: vv.VersionVector): OrSetEntry[] {
  const byKey = new Map<string, { a?: OrSetEntry; b?: OrSetEntry }>();
  for (const entry of aEntries) byKey.set(elementKey(entry.element), { a: entry });
  for (const entry of bEntries) {
    const key = elementKey(entry.element);
    byKey.set(key, { ...byKey.get(key), b: entry });
  }
  const entries: OrSetEntry[] = [];
  for (const [, pair] of byKey) {
    const dots = joinDots(pair.a?.dots ?? [], aSeen, pair.b?.dots ?? [], bSeen);
    const element = (pair.a ?? pair.b)?.element as JsonValue;
    if (dots.length > 0) entries.push({ element, dots });
  }
  return sortEntries(entries);
}

/** The entries after an add of `element` as `dot`: the new dot replaces the element's dots this replica holds. */
export function addEntry(entries: readonly OrSetEntry[], element: JsonValue, dot: Dot): OrSetEntry[] {
  const { key, element: canonical } = canonicalElement(element);
  const others = entries.filter((entry) => elementKey(entry.element) !== key);
  return sortEntries([...others, { element: canonical, dots: [dot] }]);
}

/** The entries without `element`. */
export function removeEntry(entries: readonly OrSetEntry[], element: JsonValue): readonly OrSetEntry[] {
  const key = elementKey(element);
  const remaining = entries.filter((entry) => elementKey(entry.element) !== key);
  return remaining.length === entries.length ? entries : remaining;
}

/** Checks entries against the vector of the replica that holds them. */
export function assertEntries(entries: readonly OrSetEntry[], seen: vv.VersionVector): void {
  let previousKey: string | undefined;
  for (const entry of entries) {
    const key = elementKey(entry.element);
    assert(previousKey === undefined || previousKey < key, 'or-set entries out of order or repeated');
    assert(entry.dots.length > 0, 'an or-set entry without dots should have been dropped');
    assertDots(entry.dots, seen, 'or-set');
    previousKey = key;
  }
}

/** Throws unless the set keeps its invariants; for data read back from disk or the wire. */
export function assertOrSet(set: OrSet): void {
  assert(set.kind === 'or-set', 'not an or-set');
  vv.assertVersionVector(set.seen);
  assertEntries(set.entries, set.seen);
}

function sortEntries(entries: readonly OrSetEntry[]): OrSetEntry[] {
  return entries
    .map((entry) => ({ key: elementKey(entry.element), entry }))
    .sort((x, y) => compareKeys(x.key, y.key))
    .map(({ entry }) => entry);
}
