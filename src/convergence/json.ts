// The values the toolkit stores inside sets, registers and siblings are plain
// JSON, so that msgpackr and JSON.stringify both carry them unchanged and two
// replicas agree on what "the same element" means.

import { assert } from '../ground/assert.js';
import { canonicalJson } from '../check/canonical-json.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [name: string]: JsonValue };

/**
 * The identity of a JSON value: its canonical JSON (object keys sorted). Two
 * elements are the same set element exactly when their keys are equal.
 */
export function elementKey(value: JsonValue): string {
  assert(isJsonValue(value), 'a stored element must be plain JSON (finite numbers, no undefined, no bigint)');
  return canonicalJson(value);
}

/**
 * The element in canonical form (object keys sorted, -0 as 0) and its key.
 * Sets store the canonical form, so that replicas that added {a, b} and
 * {b, a} hold the same bytes.
 */
export function canonicalElement(value: JsonValue): { key: string; element: JsonValue } {
  const key = elementKey(value);
  return { key, element: JSON.parse(key) as JsonValue };
}

/** True for plain JSON data; false for undefined, NaN, Infinity, bigint, functions, and class instances. */
export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null) return true;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return true;
    case 'number':
      // canonicalJson would turn NaN and Infinity into null, which would make them equal to null.
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) return value.every(isJsonValue);
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      return Object.values(value as Record<string, unknown>).every(isJsonValue);
    }
    default:
      return false;
  }
}

/** Orders by canonical key, so that every replica lays out a set the same way. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
