import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as gCounter from '../../../src/convergence/crdt/g-counter.js';
import * as pnCounter from '../../../src/convergence/crdt/pn-counter.js';
import { expectJoinLaws, mergeInEveryOrder, run, steps, type Replicated, type Step } from './support/replicas.js';

const gCounterType: Replicated<gCounter.GCounter, number> = {
  initial: gCounter.empty,
  apply: (counter, amount, actor) => gCounter.increment(counter, actor, amount),
  merge: gCounter.merge,
};
const pnCounterType: Replicated<pnCounter.PnCounter, number> = {
  initial: pnCounter.empty,
  apply: (counter, amount, actor) => pnCounter.increment(counter, actor, amount),
  merge: pnCounter.merge,
};

const gHistory = steps(fc.integer({ min: 1, max: 5 }));
const pnHistory = steps(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -5, max: -1 })));

const sumOfIncrements = (history: ReadonlyArray<Step<number>>): number => history.reduce((sum, step) => (step.type === 'local' ? sum + step.op : sum), 0);

describe('G-Counter', () => {
  it('concurrent increments on two replicas both count', () => {
    const atR0 = gCounter.increment(gCounter.empty(), 'r0', 2);
    const atR1 = gCounter.increment(gCounter.empty(), 'r1', 3);
    expect(gCounter.value(gCounter.merge(atR0, atR1))).toBe(5);
  });

  it('merging a replica twice does not count its increments twice', () => {
    const atR0 = gCounter.increment(gCounter.empty(), 'r0', 2);
    const merged = gCounter.merge(gCounter.merge(atR0, atR0), atR0);
    expect(gCounter.value(merged)).toBe(2);
  });

  it('refuses to grow by zero or less, and round-trips through JSON and msgpackr', () => {
    expect(() => gCounter.increment(gCounter.empty(), 'r0', 0)).toThrow(/positive integer/);
    const counter = gCounter.increment(gCounter.increment(gCounter.empty(), 'r1', 4), 'r0', 1);
    expect(JSON.parse(JSON.stringify(counter))).toEqual(counter);
    expect(unpack(pack(counter))).toEqual(counter);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(gHistory, (history) => expectJoinLaws(gCounter.merge, run(gCounterType, history))),
      { numRuns: 300 },
    );
  });

  it('property: after merging all replicas, in any order, the value is the sum of every increment', () => {
    fc.assert(
      fc.property(gHistory, (history) => {
        for (const merged of mergeInEveryOrder(gCounter.merge, run(gCounterType, history))) {
          expect(gCounter.value(merged)).toBe(sumOfIncrements(history));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('PN-Counter', () => {
  it('an increment and a concurrent decrement both count', () => {
    const atR0 = pnCounter.increment(pnCounter.empty(), 'r0', 5);
    const atR1 = pnCounter.decrement(pnCounter.empty(), 'r1', 2);
    expect(pnCounter.value(pnCounter.merge(atR0, atR1))).toBe(3);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(pnHistory, (history) => expectJoinLaws(pnCounter.merge, run(pnCounterType, history))),
      { numRuns: 300 },
    );
  });

  it('property: after merging all replicas, in any order, the value is the sum of every change', () => {
    fc.assert(
      fc.property(pnHistory, (history) => {
        for (const merged of mergeInEveryOrder(pnCounter.merge, run(pnCounterType, history))) {
          expect(pnCounter.value(merged)).toBe(sumOfIncrements(history));
        }
      }),
      { numRuns: 300 },
    );
  });
});
