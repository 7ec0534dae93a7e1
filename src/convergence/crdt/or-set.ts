// Observed-remove set, add-wins, without tombstones: the "ORSWOT" of riak_dt
// (Bieniusa et al., "An optimized conflict-free replicated set", 2012).
// Each present element carries the dots of the adds that put it there; the
// set's version vector records every add the replica has seen. A remove
// drops the element's dots, and the vector remembers them as seen, so a merge
// does not bring them back; an add the remover had not seen carries a dot
// the remover's vector does not cover, and survives. A removed element
// leaves nothing behind but counters already in the vector.

import { assert } from '../../core/assert.js';
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
  const { key, element: canonical } = canonicalElement(element);
  const { dot, seen } = nextDot(set.seen, actor);
  const entries = set.entries.filter((entry) => elementKey(entry.element) !== key);
  entries.push({ element: canonical, dots: [dot] });
  return { kind: 'or-set', seen, entries: sortEntries(entries) };
}

/** Removes `element` as this replica sees it: adds it has not seen are untouched. Removing an absent element changes nothing. */
export function remove(set: OrSet, element: JsonValue): OrSet {
  const key = elementKey(element);
  const entries = set.entries.filter((entry) => elementKey(entry.element) !== key);
  return entries.length === set.entries.length ? set : { kind: 'or-set', seen: set.seen, entries };
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
  const byKey = new Map<string, { a?: OrSetEntry; b?: OrSetEntry }>();
  for (const entry of a.entries) byKey.set(elementKey(entry.element), { a: entry });
  for (const entry of b.entries) {
    const key = elementKey(entry.element);
    byKey.set(key, { ...byKey.get(key), b: entry });
  }
  const entries: OrSetEntry[] = [];
  for (const [, pair] of byKey) {
    const dots = joinDots(pair.a?.dots ?? [], a.seen, pair.b?.dots ?? [], b.seen);
    const element = (pair.a ?? pair.b)?.element as JsonValue;
    if (dots.length > 0) entries.push({ element, dots });
  }
  return { kind: 'or-set', seen: vv.merge(a.seen, b.seen), entries: sortEntries(entries) };
}

/** Throws unless the set keeps its invariants; for data read back from disk or the wire. */
export function assertOrSet(set: OrSet): void {
  assert(set.kind === 'or-set', 'not an or-set');
  vv.assertVersionVector(set.seen);
  let previousKey: string | undefined;
  for (const entry of set.entries) {
    const key = elementKey(entry.element);
    assert(previousKey === undefined || previousKey < key, 'or-set entries out of order or repeated');
    assert(entry.dots.length > 0, 'an or-set entry without dots should have been dropped');
    assertDots(entry.dots, set.seen, 'or-set');
    previousKey = key;
  }
}

function sortEntries(entries: OrSetEntry[]): OrSetEntry[] {
  return entries
    .map((entry) => ({ key: elementKey(entry.element), entry }))
    .sort((x, y) => compareKeys(x.key, y.key))
    .map(({ entry }) => entry);
}
