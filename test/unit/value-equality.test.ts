// Equality of JSON values decided by own keys only: a key such as `__proto__`
// or `constructor` is found through the prototype of every object by `in` and
// by assignment, and must not be.

import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/check/canonical-json.js';
import { applyToMap, valuesEqual } from '../../src/kv/index.js';

describe('equality that own keys decide', () => {
  it('compare-and-set does not take a key on the prototype for a stored one', () => {
    const stored = { y: 1 };
    expect(valuesEqual(JSON.parse('{"__proto__":{}}'), stored)).toBe(false);
    expect(valuesEqual(JSON.parse('{"constructor":{}}'), stored)).toBe(false);
    expect(valuesEqual(JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"__proto__":{"a":1}}'))).toBe(true);
    const state = new Map<string, unknown>([['k', JSON.parse('{"__proto__":{}}')]]);
    expect(applyToMap(state, { op: 'cas', key: 'k', expected: { y: 1 }, next: 2 })).toMatchObject({ ok: false, reason: 'cas-mismatch' });
  });

  it('canonical JSON keeps a __proto__ key instead of setting a prototype', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1},"b":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).not.toBe(canonicalJson({}));
  });
});
