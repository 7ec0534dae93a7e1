import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as convergence from '../../../src/convergence/index.js';

const { crdt, gCounter, pnCounter, gSet, orSet, lwwRegister, mvRegister, orMap } = convergence;

// One state of each kind, as two replicas would hold them.
function twoReplicasOfEachKind(): Array<[convergence.Crdt, convergence.Crdt, unknown]> {
  return [
    [gCounter.increment(gCounter.empty(), 'r0', 2), gCounter.increment(gCounter.empty(), 'r1', 3), 5],
    [pnCounter.increment(pnCounter.empty(), 'r0', 2), pnCounter.decrement(pnCounter.empty(), 'r1', 3), -1],
    [gSet.add(gSet.empty(), 'a'), gSet.add(gSet.empty(), 'b'), ['a', 'b']],
    [orSet.add(orSet.empty(), 'a', 'r0'), orSet.add(orSet.empty(), 'b', 'r1'), ['a', 'b']],
    [
      lwwRegister.set(lwwRegister.empty(), 'old', { wallMs: 1, logical: 0, nodeId: 'r0' }),
      lwwRegister.set(lwwRegister.empty(), 'new', { wallMs: 2, logical: 0, nodeId: 'r1' }),
      'new',
    ],
    [mvRegister.set(mvRegister.empty(), 1, 'r0'), mvRegister.set(mvRegister.empty(), 2, 'r1'), [1, 2]],
    [
      orMap.apply(orMap.empty(), 'r0', [{ name: 'n', kind: 'counter' }], { type: 'increment', amount: 1 }),
      orMap.apply(orMap.empty(), 'r1', [{ name: 'n', kind: 'counter' }], { type: 'increment', amount: 1 }),
      [{ name: 'n', kind: 'counter', value: 2 }],
    ],
  ];
}

describe('the CRDT union', () => {
  it('has one kind tag per type, and an empty state of each', () => {
    expect(crdt.CRDT_KINDS).toEqual(['g-counter', 'pn-counter', 'g-set', 'or-set', 'lww-register', 'mv-register', 'or-map']);
    for (const kind of crdt.CRDT_KINDS) expect(crdt.empty(kind).kind).toBe(kind);
  });

  it('merges any kind by its tag, after the states crossed the wire as msgpack and JSON', () => {
    for (const [a, b, expected] of twoReplicasOfEachKind()) {
      const overMsgpack = unpack(pack(b)) as convergence.Crdt;
      const overJson = JSON.parse(JSON.stringify(a)) as convergence.Crdt;
      expect(crdt.value(crdt.merge(overJson, overMsgpack)), a.kind).toEqual(expected);
      expect(crdt.isCrdtKind(overMsgpack.kind)).toBe(true);
    }
  });

  it('refuses to merge two different kinds', () => {
    expect(() => crdt.merge<convergence.Crdt>(gCounter.empty(), gSet.empty())).toThrow(/cannot merge a g-counter with a g-set/);
  });
});
