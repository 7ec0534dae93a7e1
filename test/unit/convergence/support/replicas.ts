// Reachable states for property tests: three replicas apply random local
// operations and merge each other's states in a random order. Laws are
// checked on the states such histories reach, not on arbitrary structures
// that no replica could hold.

import fc from 'fast-check';
import { expect } from 'vitest';

export const REPLICA_IDS = ['r0', 'r1', 'r2'] as const;
export const REPLICA_COUNT = REPLICA_IDS.length;

export type Step<Op> =
  { readonly type: 'local'; readonly replica: number; readonly op: Op } | { readonly type: 'merge'; readonly into: number; readonly from: number };

const replicaIndex = fc.integer({ min: 0, max: REPLICA_COUNT - 1 });

export function steps<Op>(op: fc.Arbitrary<Op>, maxLength = 30): fc.Arbitrary<Array<Step<Op>>> {
  const local = fc.record({ type: fc.constant('local' as const), replica: replicaIndex, op });
  const merge = fc.record({ type: fc.constant('merge' as const), into: replicaIndex, from: replicaIndex });
  // size 'max': lengths spread over the whole range; fast-check's default keeps arrays near 10 long,
  // too short for an add, a merge, a remove and another merge to meet often.
  return fc.array(fc.oneof({ weight: 2, arbitrary: local }, { weight: 1, arbitrary: merge }), { maxLength, size: 'max' });
}

export interface Replicated<S, Op> {
  readonly initial: () => S;
  /** One local operation by the replica's own actor id. */
  readonly apply: (state: S, op: Op, actor: string) => S;
  readonly merge: (a: S, b: S) => S;
}

/** Runs the steps and returns every replica's final state. */
export function run<S, Op>(type: Replicated<S, Op>, history: ReadonlyArray<Step<Op>>): S[] {
  const states = REPLICA_IDS.map(() => type.initial());
  for (const step of history) {
    if (step.type === 'local') {
      states[step.replica] = type.apply(states[step.replica] as S, step.op, REPLICA_IDS[step.replica] as string);
    } else {
      states[step.into] = type.merge(states[step.into] as S, states[step.from] as S);
    }
  }
  return states;
}

/** Commutative, associative and idempotent, as structural equality of the stored representation. */
export function expectJoinLaws<S>(merge: (a: S, b: S) => S, [a, b, c]: readonly S[]): void {
  const x = a as S;
  const y = b as S;
  const z = c as S;
  expect(merge(x, y), 'commutative').toEqual(merge(y, x));
  expect(merge(merge(x, y), z), 'associative').toEqual(merge(x, merge(y, z)));
  expect(merge(x, x), 'idempotent').toEqual(x);
  expect(merge(merge(x, y), y), 'absorbs what it already holds').toEqual(merge(x, y));
}

/** Every order of merging the replicas gives one state. */
export function mergeInEveryOrder<S>(merge: (a: S, b: S) => S, states: readonly S[]): S[] {
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  return orders.map(([first, ...rest]) => rest.reduce<S>((merged, index) => merge(merged, states[index] as S), states[first as number] as S));
}
