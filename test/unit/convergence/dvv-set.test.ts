import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as dvv from '../../../src/convergence/dvv-set.js';
import * as tombstones from '../../../src/convergence/dvv-tombstones.js';
import * as vv from '../../../src/convergence/version-vector.js';
import { CausalHistory } from './support/causal-history.js';
import { REPLICA_COUNT, REPLICA_IDS, expectJoinLaws, mergeInEveryOrder } from './support/replicas.js';

type Clock = dvv.DvvSet<number>;
type Sync = (a: Clock, b: Clock) => Clock;

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

function write(clock: Clock, context: vv.VersionVector, value: number, actor: string): Clock {
  const result = dvv.update(clock, context, value, actor, NO_LIMIT);
  if (!result.ok) throw new Error('unexpected refusal');
  return result.clock;
}

// A client reads a replica (keeping the context), later writes through some
// replica with one of the contexts read so far, or blind; replicas sync.
type Step =
  | { readonly type: 'read'; readonly replica: number }
  | { readonly type: 'write'; readonly replica: number; readonly context: number | null }
  | { readonly type: 'sync'; readonly into: number; readonly from: number };

const replica = fc.integer({ min: 0, max: REPLICA_COUNT - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ type: fc.constant('read' as const), replica }),
  { weight: 2, arbitrary: fc.record({ type: fc.constant('write' as const), replica, context: fc.option(fc.nat(), { nil: null }) }) },
  fc.record({ type: fc.constant('sync' as const), into: replica, from: replica }),
);
const history = fc.array(step, { maxLength: 40, size: 'max' });

const sorted = (values: readonly number[]): number[] => [...values].sort((x, y) => x - y);

interface Outcome {
  readonly clocks: Clock[];
  readonly model: CausalHistory<null>;
}

/**
 * Runs the steps against the clocks and against the reference model, and
 * checks after every step that each replica holds as siblings exactly the
 * writes its history has not superseded (a write supersedes what its
 * context had seen).
 */
function runAgainstModel(steps: readonly Step[], sync: Sync): Outcome {
  const clocks: Clock[] = REPLICA_IDS.map(() => dvv.empty<number>());
  const model = new CausalHistory<null>(REPLICA_COUNT);
  const contexts: Array<{ vector: vv.VersionVector; seen: ReadonlySet<number> }> = [];
  for (const current of steps) {
    if (current.type === 'read') {
      contexts.push({ vector: dvv.join(clocks[current.replica] as Clock), seen: model.history(current.replica) });
    } else if (current.type === 'write') {
      const context = current.context === null || contexts.length === 0 ? undefined : contexts[current.context % contexts.length];
      const event = model.record(current.replica, null, context?.seen ?? new Set());
      clocks[current.replica] = write(clocks[current.replica] as Clock, context?.vector ?? vv.empty(), event.id, REPLICA_IDS[current.replica] as string);
    } else {
      clocks[current.into] = sync(clocks[current.into] as Clock, clocks[current.from] as Clock);
      model.merge(current.into, current.from);
    }
    clocks.forEach((clock, index) => {
      const expected = model.survivors(model.history(index), () => true).map((event) => event.id);
      expect(sorted(dvv.values(clock)), `siblings of ${REPLICA_IDS[index]}`).toEqual(sorted(expected));
    });
  }
  return { clocks, model };
}

const siblingsMatchTheModel = (sync: Sync) =>
  fc.property(history, (steps) => {
    runAgainstModel(steps, sync);
  });

const syncingAllConverges = (sync: Sync) =>
  fc.property(history, (steps) => {
    const { clocks, model } = runAgainstModel(steps, sync);
    const results = mergeInEveryOrder(sync, clocks);
    for (const result of results) expect(result).toEqual(results[0]);
    const expected = model.survivors(model.everything(), () => true).map((event) => event.id);
    expect(sorted(dvv.values(results[0] as Clock))).toEqual(sorted(expected));
  });

// Planted bugs: each sync below is wrong in one way a real one could be.
const syncKeepingOnlyTheNewestSibling: Sync = (a, b) => {
  const merged = dvv.sync(a, b);
  return { ...merged, entries: merged.entries.map((entry) => ({ ...entry, values: entry.values.slice(0, 1) })) };
};
const syncKeepingSupersededValues: Sync = (a, b) => {
  const merged = dvv.sync(a, b);
  const everyValue = (actor: string): number[] =>
    [...new Set([a, b].flatMap((clock) => clock.entries.find((entry) => entry.actor === actor)?.values ?? []))].sort((x, y) => y - x);
  return { ...merged, entries: merged.entries.map((entry) => ({ ...entry, values: everyValue(entry.actor) })) };
};

describe('dotted version vector sets', () => {
  it('a write without context is concurrent with what is there: it adds a sibling', () => {
    const first = write(dvv.empty(), vv.empty(), 1, 'n1');
    const second = write(first, vv.empty(), 2, 'n1');
    expect(sorted(dvv.values(second))).toEqual([1, 2]);
  });

  it("a write with a read's context replaces exactly what that read saw", () => {
    let clock = write(dvv.empty(), vv.empty(), 1, 'n1');
    const context = dvv.join(clock); // a client reads 1
    clock = write(clock, vv.empty(), 2, 'n1'); // another client writes 2 blind, after that read
    clock = write(clock, context, 3, 'n1'); // the first client writes 3 having seen only 1
    expect(sorted(dvv.values(clock))).toEqual([2, 3]);
    clock = write(clock, dvv.join(clock), 4, 'n1'); // a client that read both resolves them
    expect(dvv.values(clock)).toEqual([4]);
  });

  it('concurrent writes through two coordinators both survive a sync, and a read of both resolves them', () => {
    const atN1 = write(dvv.empty(), vv.empty(), 1, 'n1');
    const atN2 = write(dvv.empty(), vv.empty(), 2, 'n2');
    const synced = dvv.sync(atN1, atN2);
    expect(sorted(dvv.values(synced))).toEqual([1, 2]);
    expect(dvv.siblings(synced)).toEqual([
      { dot: { actor: 'n1', counter: 1 }, value: 1 },
      { dot: { actor: 'n2', counter: 1 }, value: 2 },
    ]);
    const resolved = write(synced, dvv.join(synced), 3, 'n2');
    expect(dvv.values(dvv.sync(resolved, atN1))).toEqual([3]);
  });

  it('refuses a write that would make more than maxSiblings siblings, and accepts one that resolves them', () => {
    let clock: Clock = dvv.empty();
    for (let value = 1; value <= 3; value++) clock = write(clock, vv.empty(), value, 'n1');
    expect(dvv.update(clock, vv.empty(), 4, 'n1', 3)).toEqual({ ok: false, error: 'too-many-siblings', siblings: 4, maxSiblings: 3 });
    const resolving = dvv.update(clock, dvv.join(clock), 4, 'n1', 3);
    expect(resolving.ok && dvv.values(resolving.clock)).toEqual([4]);
    expect(dvv.MAX_SIBLINGS_PER_KEY).toBe(100);
  });

  it('a delete is a tombstone that replaces what its read saw; a concurrent write brings the key back', () => {
    const put = tombstones.put(dvv.empty<tombstones.Stored<string>>(), vv.empty(), 'cart: book', 'n1');
    if (!put.ok) throw new Error('refused');
    const read = dvv.join(put.clock);
    const concurrentPut = tombstones.put(put.clock, read, 'cart: book, pen', 'n2');
    const removed = tombstones.remove(put.clock, read, 'n1');
    if (!removed.ok || !concurrentPut.ok) throw new Error('refused');
    expect(tombstones.liveValues(removed.clock)).toEqual([]);
    expect(tombstones.holdsOnlyTombstones(removed.clock)).toBe(true);
    const synced = dvv.sync(removed.clock, concurrentPut.clock);
    expect(tombstones.liveValues(synced)).toEqual(['cart: book, pen']);
    expect(tombstones.holdsOnlyTombstones(synced)).toBe(false);
    expect(tombstones.holdsOnlyTombstones(dvv.empty())).toBe(false);
  });

  it('round-trips through JSON and msgpackr unchanged, and keeps its invariants', () => {
    const clock = dvv.sync(write(write(dvv.empty(), vv.empty(), 1, 'n1'), vv.empty(), 2, 'n1'), write(dvv.empty(), vv.empty(), 3, 'n2'));
    expect(JSON.parse(JSON.stringify(clock))).toEqual(clock);
    expect(unpack(pack(clock))).toEqual(clock);
    dvv.assertDvvSet(clock);
    expect(() => dvv.assertDvvSet({ kind: 'dvv-set', entries: [{ actor: 'n1', counter: 1, values: [1, 2] }] })).toThrow(/more values/);
  });

  it('property: after any interleaving of reads, writes and syncs on 3 replicas, every write not superseded by a write that saw it is a sibling', () => {
    fc.assert(siblingsMatchTheModel(dvv.sync), { numRuns: 300 });
  });

  it('property: syncing all replicas gives one clock whatever the order, holding every surviving write', () => {
    fc.assert(syncingAllConverges(dvv.sync), { numRuns: 200 });
  });

  it('property: sync is commutative, associative and idempotent on reachable clocks', () => {
    fc.assert(
      fc.property(history, (steps) => expectJoinLaws(dvv.sync, runAgainstModel(steps, dvv.sync).clocks)),
      { numRuns: 200 },
    );
  });

  it('planted bug: a sync that keeps only the newest sibling per actor is caught', () => {
    const result = fc.check(siblingsMatchTheModel(syncKeepingOnlyTheNewestSibling), { numRuns: 300, seed: 42 });
    expect(result.failed).toBe(true);
    // It fails for the right reason: a replica lost a sibling the model says survives.
    expect(String(result.errorInstance)).toMatch(/siblings of r\d/);
  });

  it('planted bug: a sync that keeps values the other replica had superseded is caught', () => {
    const result = fc.check(siblingsMatchTheModel(syncKeepingSupersededValues), { numRuns: 300, seed: 42 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/siblings of r\d/);
  });
});
