import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as lwwRegister from '../../../src/convergence/crdt/lww-register.js';
import * as mvRegister from '../../../src/convergence/crdt/mv-register.js';
import * as hlc from '../../../src/convergence/hlc.js';
import { CausalHistory } from './support/causal-history.js';
import { REPLICA_COUNT, REPLICA_IDS, expectJoinLaws, mergeInEveryOrder, run, steps } from './support/replicas.js';

type LwwOp = { readonly value: number; readonly wallMs: number; readonly logical: number };
const lwwOp: fc.Arbitrary<LwwOp> = fc.record({
  value: fc.integer({ min: 0, max: 9 }),
  wallMs: fc.integer({ min: 0, max: 20 }),
  logical: fc.integer({ min: 0, max: 3 }),
});
const lwwType = {
  initial: lwwRegister.empty,
  apply: (register: lwwRegister.LwwRegister, op: LwwOp, actor: string) =>
    lwwRegister.set(register, op.value, { wallMs: op.wallMs, logical: op.logical, nodeId: actor }),
  merge: lwwRegister.merge,
};
const lwwHistory = steps(lwwOp);

describe('LWW-Register', () => {
  it('of two concurrent writes, the one with the older timestamp is dropped: that is data loss, and it is reported', () => {
    // Two replicas take a write each, neither having seen the other's; r1's clock runs 5 ms ahead.
    const atR0 = lwwRegister.set(lwwRegister.empty(), 'cart: book', hlc.now(hlc.create('r0'), 1_000).timestamp);
    const atR1 = lwwRegister.set(lwwRegister.empty(), 'cart: pen', hlc.now(hlc.create('r1'), 1_005).timestamp);
    const { register, discarded } = lwwRegister.mergeReportingLoss(atR0, atR1);
    expect(lwwRegister.value(register)).toBe('cart: pen');
    expect(discarded).toEqual({ value: 'cart: book', timestamp: { wallMs: 1_000, logical: 0, nodeId: 'r0' } });
    // The book is gone from the merged state, not hidden in it.
    expect(JSON.stringify(register)).not.toContain('book');
    expect(lwwRegister.merge(atR1, atR0)).toEqual(register);
  });

  it('a tie on wall time and logical counter is broken by node id', () => {
    const atR0 = lwwRegister.set(lwwRegister.empty(), 'from r0', { wallMs: 5, logical: 0, nodeId: 'r0' });
    const atR1 = lwwRegister.set(lwwRegister.empty(), 'from r1', { wallMs: 5, logical: 0, nodeId: 'r1' });
    expect(lwwRegister.value(lwwRegister.merge(atR0, atR1))).toBe('from r1');
  });

  it('an older write set locally is ignored, and nothing is reported lost by merging with an empty register', () => {
    const newer = lwwRegister.set(lwwRegister.empty(), 2, { wallMs: 9, logical: 0, nodeId: 'r0' });
    expect(lwwRegister.value(lwwRegister.set(newer, 1, { wallMs: 3, logical: 0, nodeId: 'r0' }))).toBe(2);
    expect(lwwRegister.mergeReportingLoss(newer, lwwRegister.empty()).discarded).toBeNull();
    expect(lwwRegister.value(lwwRegister.empty())).toBeUndefined();
  });

  it('round-trips through JSON and msgpackr unchanged', () => {
    const register = lwwRegister.set(lwwRegister.empty(), { name: 'Ada' }, { wallMs: 1, logical: 2, nodeId: 'r0' });
    expect(JSON.parse(JSON.stringify(register))).toEqual(register);
    expect(unpack(pack(register))).toEqual(register);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(lwwHistory, (history) => expectJoinLaws(lwwRegister.merge, run(lwwType, history))),
      { numRuns: 300 },
    );
  });

  it('property: after merging all replicas, in any order, the greatest write wins, and each merge reports what it dropped', () => {
    fc.assert(
      fc.property(lwwHistory, (history) => {
        const writes = history.flatMap((step) =>
          step.type === 'local'
            ? [{ value: step.op.value, timestamp: { wallMs: step.op.wallMs, logical: step.op.logical, nodeId: REPLICA_IDS[step.replica] as string } }]
            : [],
        );
        const greatest = writes.reduce<lwwRegister.LwwWrite | null>(
          (best, write) =>
            best === null ||
            hlc.compare(write.timestamp, best.timestamp) > 0 ||
            (hlc.compare(write.timestamp, best.timestamp) === 0 && write.value > (best.value as number))
              ? write
              : best,
          null,
        );
        const states = run(lwwType, history);
        for (const merged of mergeInEveryOrder(lwwRegister.merge, states)) expect(merged.write).toEqual(greatest);
        // The write a merge drops is exactly the input write that is not the winner.
        const [a, b] = states as [lwwRegister.LwwRegister, lwwRegister.LwwRegister];
        const { register, discarded } = lwwRegister.mergeReportingLoss(a, b);
        const loser =
          a.write === null || b.write === null || JSON.stringify(a.write) === JSON.stringify(b.write)
            ? null
            : JSON.stringify(register.write) === JSON.stringify(a.write)
              ? b.write
              : a.write;
        expect(discarded).toEqual(loser);
        expect([a.write, b.write]).toContainEqual(register.write);
      }),
      { numRuns: 300 },
    );
  });
});

type MvOp = number;
const mvType = {
  initial: mvRegister.empty,
  apply: (register: mvRegister.MvRegister, value: MvOp, actor: string) => mvRegister.set(register, value, actor),
  merge: mvRegister.merge,
};
const mvHistory = steps(fc.integer({ min: 0, max: 4 }), 40);

describe('MV-Register', () => {
  it('keeps both of two concurrent writes, where LWW would drop one', () => {
    const atR0 = mvRegister.set(mvRegister.empty(), 'cart: book', 'r0');
    const atR1 = mvRegister.set(mvRegister.empty(), 'cart: pen', 'r1');
    expect(mvRegister.value(mvRegister.merge(atR0, atR1))).toEqual(['cart: book', 'cart: pen']);
  });

  it('a write that saw both concurrent values replaces them', () => {
    const both = mvRegister.merge(mvRegister.set(mvRegister.empty(), 1, 'r0'), mvRegister.set(mvRegister.empty(), 2, 'r1'));
    const resolved = mvRegister.set(both, 3, 'r1');
    expect(mvRegister.value(mvRegister.merge(resolved, both))).toEqual([3]);
  });

  it('round-trips through JSON and msgpackr unchanged, and keeps its invariants', () => {
    const register = mvRegister.merge(mvRegister.set(mvRegister.empty(), 1, 'r0'), mvRegister.set(mvRegister.empty(), 2, 'r1'));
    expect(JSON.parse(JSON.stringify(register))).toEqual(register);
    expect(unpack(pack(register))).toEqual(register);
    mvRegister.assertMvRegister(register);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(mvHistory, (history) => expectJoinLaws(mvRegister.merge, run(mvType, history))),
      { numRuns: 300 },
    );
  });

  it('property: every replica, and every merge order of all of them, holds exactly the writes no later write had seen', () => {
    fc.assert(
      fc.property(mvHistory, (history) => {
        const states = REPLICA_IDS.map(() => mvRegister.empty());
        const model = new CausalHistory<number>(REPLICA_COUNT);
        const expected = (ids: ReadonlySet<number>): number[] =>
          [...new Set(model.survivors(ids, () => true).map((event) => event.payload))].sort((x, y) => x - y);
        for (const step of history) {
          if (step.type === 'local') {
            states[step.replica] = mvRegister.set(states[step.replica] as mvRegister.MvRegister, step.op, REPLICA_IDS[step.replica] as string);
            model.record(step.replica, step.op);
          } else {
            states[step.into] = mvRegister.merge(states[step.into] as mvRegister.MvRegister, states[step.from] as mvRegister.MvRegister);
            model.merge(step.into, step.from);
          }
          states.forEach((state, index) => expect(mvRegister.value(state)).toEqual(expected(model.history(index))));
        }
        for (const merged of mergeInEveryOrder(mvRegister.merge, states)) expect(mvRegister.value(merged)).toEqual(expected(model.everything()));
      }),
      { numRuns: 300 },
    );
  });
});
