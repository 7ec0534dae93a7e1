import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as gSet from '../../../src/convergence/crdt/g-set.js';
import * as orSet from '../../../src/convergence/crdt/or-set.js';
import { compareDots, type Dot } from '../../../src/convergence/dots.js';
import { elementKey, type JsonValue } from '../../../src/convergence/json.js';
import * as vv from '../../../src/convergence/version-vector.js';
import { CausalHistory } from './support/causal-history.js';
import { REPLICA_COUNT, REPLICA_IDS, expectJoinLaws, mergeInEveryOrder, run, steps, type Step } from './support/replicas.js';

// Elements include objects written with their keys in different orders: they are one element.
const ELEMENTS: JsonValue[] = ['apple', 'pear', 7, { sku: 1, size: 'L' }, { size: 'L', sku: 1 }, [1, 'x']];
const element = fc.constantFrom(...ELEMENTS);
const keysOf = (values: readonly JsonValue[]): string[] => values.map(elementKey).sort();

type SetOp = { readonly type: 'add' | 'remove'; readonly element: JsonValue };
const setOp: fc.Arbitrary<SetOp> = fc.record({ type: fc.constantFrom('add' as const, 'remove' as const), element });
const orSetHistory = steps(setOp, 40);

type Merge = (a: orSet.OrSet, b: orSet.OrSet) => orSet.OrSet;

/**
 * Add-wins, checked against the causal model: an element is present on a
 * replica exactly when the replica knows an add of it that no remove of it
 * had seen. Checked on every replica after every step.
 */
const presenceMatchesTheModel = (merge: Merge) =>
  fc.property(orSetHistory, (history) => {
    const states = REPLICA_IDS.map(() => orSet.empty());
    const model = new CausalHistory<{ type: SetOp['type']; key: string }>(REPLICA_COUNT);
    const expectedPresent = (ids: ReadonlySet<number>): string[] => {
      const unremoved = model.survivors(ids, (later, earlier) => later.payload.type === 'remove' && later.payload.key === earlier.payload.key);
      return [...new Set(unremoved.filter((event) => event.payload.type === 'add').map((event) => event.payload.key))].sort();
    };
    for (const step of history) {
      if (step.type === 'local') {
        const actor = REPLICA_IDS[step.replica] as string;
        const state = states[step.replica] as orSet.OrSet;
        states[step.replica] = step.op.type === 'add' ? orSet.add(state, step.op.element, actor) : orSet.remove(state, step.op.element);
        model.record(step.replica, { type: step.op.type, key: elementKey(step.op.element) });
      } else {
        states[step.into] = merge(states[step.into] as orSet.OrSet, states[step.from] as orSet.OrSet);
        model.merge(step.into, step.from);
      }
      states.forEach((state, index) => {
        expect(keysOf(orSet.value(state)), `elements of ${REPLICA_IDS[index]}`).toEqual(expectedPresent(model.history(index)));
      });
    }
    for (const merged of mergeInEveryOrder(merge, states)) {
      expect(keysOf(orSet.value(merged)), 'elements after merging all').toEqual(expectedPresent(model.everything()));
    }
  });

const orSetType = {
  initial: orSet.empty,
  apply: (state: orSet.OrSet, op: SetOp, actor: string) => (op.type === 'add' ? orSet.add(state, op.element, actor) : orSet.remove(state, op.element)),
  merge: orSet.merge,
};

// The OR-Set merge written again here with its one rule as a parameter:
// whether a dot that only one side holds is kept. With the right rule it
// must pass the model check; with each planted wrong rule it must fail.
type KeepOneSided = (dot: Dot, otherSeen: vv.VersionVector) => boolean;
function mergeWithRule(keepOneSided: KeepOneSided): Merge {
  return (a, b) => {
    const dotsOf = (set: orSet.OrSet, key: string): readonly Dot[] => set.entries.find((entry) => elementKey(entry.element) === key)?.dots ?? [];
    const same = (x: Dot) => (y: Dot) => x.actor === y.actor && x.counter === y.counter;
    const byKey = new Map([...a.entries, ...b.entries].map((entry) => [elementKey(entry.element), entry.element]));
    const entries: orSet.OrSetEntry[] = [];
    for (const key of [...byKey.keys()].sort()) {
      const inA = dotsOf(a, key);
      const inB = dotsOf(b, key);
      const dots = [
        ...inA.filter((dot) => inB.some(same(dot)) || keepOneSided(dot, b.seen)),
        ...inB.filter((dot) => !inA.some(same(dot)) && keepOneSided(dot, a.seen)),
      ].sort(compareDots);
      if (dots.length > 0) entries.push({ element: byKey.get(key) as JsonValue, dots });
    }
    return { kind: 'or-set', seen: vv.merge(a.seen, b.seen), entries };
  };
}
const mergeKeepingUnseenDots = mergeWithRule((dot, otherSeen) => !vv.covers(otherSeen, dot.actor, dot.counter));
// Planted bugs: drop every add the other side does not hold (so a concurrent add is lost)...
const mergeDroppingOneSidedAdds = mergeWithRule(() => false);
// ...and ask "has the other side heard of this actor?" where it must ask "has it seen this dot?".
const mergeCheckingActorsNotDots = mergeWithRule((dot, otherSeen) => vv.counterOf(otherSeen, dot.actor) === 0);

describe('G-Set', () => {
  it('holds every element added on any replica, each once, objects compared by canonical JSON', () => {
    const atR0 = gSet.add(gSet.add(gSet.empty(), 'apple'), { sku: 1, size: 'L' });
    const atR1 = gSet.add(gSet.add(gSet.empty(), { size: 'L', sku: 1 }), 'pear');
    const merged = gSet.merge(atR0, atR1);
    expect(gSet.value(merged)).toEqual(['apple', 'pear', { size: 'L', sku: 1 }]);
    expect(gSet.merge(atR1, atR0)).toEqual(merged);
  });

  it('refuses what is not plain JSON (NaN would otherwise equal null)', () => {
    expect(() => gSet.add(gSet.empty(), Number.NaN)).toThrow(/plain JSON/);
  });

  it('property: merge is commutative, associative and idempotent, and loses no add', () => {
    const gSetType = { initial: gSet.empty, apply: (state: gSet.GSet, added: JsonValue) => gSet.add(state, added), merge: gSet.merge };
    fc.assert(
      fc.property(steps(element), (history: Array<Step<JsonValue>>) => {
        const states = run(gSetType, history);
        expectJoinLaws(gSet.merge, states);
        const added = [...new Set(history.flatMap((step) => (step.type === 'local' ? [elementKey(step.op)] : [])))].sort();
        for (const merged of mergeInEveryOrder(gSet.merge, states)) expect(keysOf(gSet.value(merged))).toEqual(added);
      }),
      { numRuns: 300 },
    );
  });
});

describe('OR-Set (add-wins, no tombstones)', () => {
  it('add wins when an add and a remove are concurrent', () => {
    const shared = orSet.add(orSet.empty(), 'apple', 'r0');
    const removed = orSet.remove(shared, 'apple'); // r1 removes the apple it saw
    const readded = orSet.add(shared, 'apple', 'r0'); // r0 adds it again, not having seen the remove
    expect(orSet.value(orSet.merge(removed, readded))).toEqual(['apple']);
    expect(orSet.value(orSet.merge(readded, removed))).toEqual(['apple']);
  });

  it('a remove wins over the adds it saw: a merge does not bring the element back', () => {
    const shared = orSet.add(orSet.empty(), 'apple', 'r0');
    const removed = orSet.remove(shared, 'apple');
    expect(orSet.value(orSet.merge(removed, shared))).toEqual([]);
  });

  it('a removed element leaves no tombstone: the state is just the version vector', () => {
    let set = orSet.empty();
    for (let round = 0; round < 50; round++) set = orSet.remove(orSet.add(set, `item-${round}`, 'r0'), `item-${round}`);
    expect(set).toEqual({ kind: 'or-set', seen: { r0: 50 }, entries: [] });
  });

  it('round-trips through JSON and msgpackr unchanged, and keeps its invariants', () => {
    const set = orSet.merge(orSet.add(orSet.empty(), { b: 1, a: 2 }, 'r0'), orSet.add(orSet.empty(), 'pear', 'r1'));
    expect(JSON.parse(JSON.stringify(set))).toEqual(set);
    expect(unpack(pack(set))).toEqual(set);
    orSet.assertOrSet(set);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(orSetHistory, (history) => expectJoinLaws(orSet.merge, run(orSetType, history))),
      { numRuns: 300 },
    );
  });

  it('property: an add not followed by a remove that saw it is present, on every replica and after any merge order', () => {
    fc.assert(presenceMatchesTheModel(orSet.merge), { numRuns: 300 });
  });

  it('the merge rewritten with the right rule passes the model check, so the planted bugs below differ from it only in the rule', () => {
    fc.assert(presenceMatchesTheModel(mergeKeepingUnseenDots), { numRuns: 100 });
  });

  it('planted bug: a merge that drops adds only one side has is caught', () => {
    const result = fc.check(presenceMatchesTheModel(mergeDroppingOneSidedAdds), { numRuns: 300, seed: 7 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/elements of r\d|elements after merging all/);
  });

  it('planted bug: a merge that asks whether the other side knows the actor instead of the dot is caught', () => {
    const result = fc.check(presenceMatchesTheModel(mergeCheckingActorsNotDots), { numRuns: 300, seed: 7 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/elements of r\d|elements after merging all/);
  });
});
