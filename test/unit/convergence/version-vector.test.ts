import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as vv from '../../../src/convergence/version-vector.js';
import { expectJoinLaws } from './support/replicas.js';

const ACTORS = ['a', 'b', 'c', 'd'];
const vector = fc.array(fc.tuple(fc.constantFrom(...ACTORS), fc.integer({ min: 0, max: 4 })), { maxLength: 6 }).map((pairs) => vv.fromEntries(pairs));

describe('version vectors', () => {
  it('a vector that saw one more event of an actor comes after the one it grew from', () => {
    const before = vv.fromEntries([['a', 1]]);
    const after = vv.increment(before, 'b');
    expect(after).toEqual({ a: 1, b: 1 });
    expect(vv.compare(before, after)).toBe('before');
    expect(vv.compare(after, before)).toBe('after');
  });

  it('two vectors that each saw an event the other did not are concurrent', () => {
    expect(vv.compare({ a: 2, b: 1 }, { a: 1, b: 2 })).toBe('concurrent');
  });

  it('merge is the pointwise maximum and drops nothing', () => {
    expect(vv.merge({ a: 2, b: 1 }, { b: 3, c: 1 })).toEqual({ a: 2, b: 3, c: 1 });
  });

  it('is stored canonically: sorted actors, no zero counters, the same bytes for the same history', () => {
    const vector1 = vv.fromEntries([
      ['b', 1],
      ['a', 2],
      ['c', 0],
    ]);
    expect(Object.keys(vector1)).toEqual(['a', 'b']);
    expect(JSON.stringify(vector1)).toBe(JSON.stringify(vv.merge({ b: 1 }, { a: 2 })));
  });

  it('round-trips through JSON and msgpackr unchanged', () => {
    const vector1 = vv.fromEntries([
      ['n1', 3],
      ['n2', 1],
    ]);
    expect(JSON.parse(JSON.stringify(vector1))).toEqual(vector1);
    expect(unpack(pack(vector1))).toEqual(vector1);
  });

  it('an actor named "__proto__" is an ordinary actor, not the object prototype', () => {
    const vector1 = vv.increment(vv.empty(), '__proto__');
    expect(vv.counterOf(vector1, '__proto__')).toBe(1);
    expect(vv.counterOf(vv.empty(), '__proto__')).toBe(0);
    expect(vv.compare(vv.empty(), vector1)).toBe('before');
    expect(vv.counterOf(JSON.parse(JSON.stringify(vector1)) as vv.VersionVector, '__proto__')).toBe(1);
  });

  it('a vector past MAX_ACTORS_PER_VECTOR actors is an invariant violation (clients used as actors)', () => {
    const pairs = Array.from({ length: vv.MAX_ACTORS_PER_VECTOR + 1 }, (_, index) => [`client-${index}`, 1] as const);
    expect(() => vv.fromEntries(pairs)).toThrow(/MAX_ACTORS_PER_VECTOR/);
  });

  it('property: merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(vector, vector, vector, (a, b, c) => expectJoinLaws(vv.merge, [a, b, c])),
      { numRuns: 500 },
    );
  });

  it('property: the merge descends both inputs and is the least vector that does', () => {
    fc.assert(
      fc.property(vector, vector, vector, (a, b, upper) => {
        const merged = vv.merge(a, b);
        expect(vv.descends(merged, a) && vv.descends(merged, b)).toBe(true);
        if (vv.descends(upper, a) && vv.descends(upper, b)) expect(vv.descends(upper, merged)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: compare agrees with descends both ways, and is its own mirror image', () => {
    const mirror = { equal: 'equal', before: 'after', after: 'before', concurrent: 'concurrent' } as const;
    fc.assert(
      fc.property(vector, vector, (a, b) => {
        const expected = vv.descends(a, b) ? (vv.descends(b, a) ? 'equal' : 'after') : vv.descends(b, a) ? 'before' : 'concurrent';
        expect(vv.compare(a, b)).toBe(expected);
        expect(vv.compare(b, a)).toBe(mirror[expected]);
        expect(vv.compare(a, b) === 'equal').toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 500 },
    );
  });

  it('property: increment moves a vector strictly after itself, and after-ness is transitive', () => {
    fc.assert(
      fc.property(vector, fc.constantFrom(...ACTORS), fc.constantFrom(...ACTORS), (a, first, second) => {
        const once = vv.increment(a, first);
        const twice = vv.increment(once, second);
        expect(vv.compare(once, a)).toBe('after');
        expect(vv.compare(twice, a)).toBe('after');
        expect(vv.counterOf(once, first)).toBe(vv.counterOf(a, first) + 1);
      }),
      { numRuns: 300 },
    );
  });
});
