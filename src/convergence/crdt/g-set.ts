// Grow-only set: elements are only ever added; the join is the union.

import { canonicalElement, compareKeys, elementKey, type JsonValue } from '../json.js';

export interface GSet {
  readonly kind: 'g-set';
  /** Sorted by canonical JSON, each element once. */
  readonly elements: readonly JsonValue[];
}

export function empty(): GSet {
  return { kind: 'g-set', elements: [] };
}

export function add(set: GSet, element: JsonValue): GSet {
  if (has(set, element)) return set;
  return union([set.elements, [element]]);
}

export function has(set: GSet, element: JsonValue): boolean {
  const key = elementKey(element);
  return set.elements.some((member) => elementKey(member) === key);
}

export function value(set: GSet): JsonValue[] {
  return [...set.elements];
}

export function merge(a: GSet, b: GSet): GSet {
  return union([a.elements, b.elements]);
}

function union(lists: ReadonlyArray<readonly JsonValue[]>): GSet {
  const byKey = new Map<string, JsonValue>();
  for (const list of lists) {
    for (const member of list) {
      const { key, element } = canonicalElement(member);
      byKey.set(key, element);
    }
  }
  const keys = [...byKey.keys()].sort(compareKeys);
  return { kind: 'g-set', elements: keys.map((key) => byKey.get(key) as JsonValue) };
}
