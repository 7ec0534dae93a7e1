import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import * as orMap from '../../../src/convergence/crdt/or-map.js';
import type { JsonValue } from '../../../src/convergence/json.js';
import { CausalHistory } from './support/causal-history.js';
import { REPLICA_COUNT, REPLICA_IDS, expectJoinLaws, mergeInEveryOrder, run, steps } from './support/replicas.js';

type Path = readonly orMap.FieldRef[];
const LIKES: Path = [{ name: 'likes', kind: 'counter' }];
const LIKES_SET: Path = [{ name: 'likes', kind: 'or-set' }]; // same name, another kind: another field
const TAGS: Path = [{ name: 'tags', kind: 'or-set' }];
const TITLE: Path = [{ name: 'title', kind: 'mv-register' }];
const PROFILE: Path = [{ name: 'profile', kind: 'or-map' }];
const VISITS: Path = [...PROFILE, { name: 'visits', kind: 'counter' }];
const NICK: Path = [...PROFILE, { name: 'nick', kind: 'lww-register' }];

// An operation as generated; the LWW timestamp gets the replica's id as its node id when applied.
type MapOp = { readonly path: Path; readonly op: orMap.FieldOp };
const element = fc.constantFrom<JsonValue>('red', 'blue', { shade: 'dark' });
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  fc.record({ path: fc.constant(LIKES), op: fc.record({ type: fc.constant('increment' as const), amount: fc.integer({ min: 1, max: 3 }) }) }),
  fc.record({ path: fc.constant(VISITS), op: fc.record({ type: fc.constant('increment' as const), amount: fc.constantFrom(-2, -1, 1, 2) }) }),
  fc.record({ path: fc.constantFrom(TAGS, LIKES_SET), op: fc.record({ type: fc.constantFrom('add' as const, 'remove' as const), element }) }),
  fc.record({ path: fc.constant(TITLE), op: fc.record({ type: fc.constant('set' as const), value: fc.integer({ min: 0, max: 3 }) }) }),
  fc.record({
    path: fc.constant(NICK),
    op: fc.record({
      type: fc.constant('set-lww' as const),
      value: fc.constantFrom('ada', 'grace'),
      timestamp: fc.record({ wallMs: fc.integer({ min: 0, max: 5 }), logical: fc.integer({ min: 0, max: 2 }), nodeId: fc.constant('') }),
    }),
  }),
  fc.record({ path: fc.constantFrom(LIKES, TAGS, LIKES_SET, TITLE, PROFILE, VISITS, NICK), op: fc.constant({ type: 'remove-field' as const }) }),
);
const mapHistory = steps(mapOp, 40);

function applyOp(map: orMap.OrMap, { path, op }: MapOp, actor: string): orMap.OrMap {
  const stamped = op.type === 'set-lww' ? { ...op, timestamp: { ...op.timestamp, nodeId: actor } } : op;
  return orMap.apply(map, actor, path, stamped);
}
const mapType = { initial: orMap.empty, apply: applyOp, merge: orMap.merge };

const pathKey = (path: Path): string => JSON.stringify(path.map((step) => [step.name, step.kind]));
const isPrefix = (prefix: Path, path: Path): boolean =>
  prefix.length <= path.length && prefix.every((step, index) => step.name === path[index]?.name && step.kind === path[index]?.kind);

/** Every present field, as path keys, at any depth. */
function presentPaths(value: orMap.OrMapValue, prefix: Path = []): string[] {
  return value.flatMap((field) => {
    const path = [...prefix, { name: field.name, kind: field.kind }];
    const inner = field.kind === 'or-map' ? presentPaths(field.value as orMap.OrMapValue, path) : [];
    return [pathKey(path), ...inner];
  });
}

// The reference model: which operations a removal (or a later write) that saw them cancels.
type Event = MapOp;
function cancels(later: { payload: Event }, earlier: { payload: Event }): boolean {
  const [r, e] = [later.payload, earlier.payload];
  if (r.op.type === 'remove-field') return isPrefix(r.path, e.path);
  if (r.op.type === 'remove' && e.op.type === 'add')
    return pathKey(r.path) === pathKey(e.path) && JSON.stringify(r.op.element) === JSON.stringify(e.op.element);
  if (r.op.type === 'set' && e.op.type === 'set') return pathKey(r.path) === pathKey(e.path);
  return false;
}
const ADDING_OPS = new Set(['increment', 'add', 'set', 'set-lww']);

function expectMatchesModel(map: orMap.OrMap, model: CausalHistory<Event>, ids: ReadonlySet<number>, where: string): void {
  const live = model.survivors(ids, cancels).filter((event) => ADDING_OPS.has(event.payload.op.type));
  // A field is present exactly when some write under it was cancelled by nothing that saw it (add-wins).
  const expectedPaths = new Set<string>();
  for (const event of live) for (let depth = 1; depth <= event.payload.path.length; depth++) expectedPaths.add(pathKey(event.payload.path.slice(0, depth)));
  expect(presentPaths(orMap.value(map)).sort(), `fields of ${where}`).toEqual([...expectedPaths].sort());
  // Set fields hold exactly the adds no removal that saw them cancelled; the MV field, the writes nothing later saw.
  for (const path of [TAGS, LIKES_SET]) {
    const expected = new Set(
      live
        .filter((event) => pathKey(event.payload.path) === pathKey(path))
        .map((event) => JSON.stringify((event.payload.op as { element: JsonValue }).element)),
    );
    const actual = ((orMap.get(map, path) as JsonValue[] | undefined) ?? []).map((x) => JSON.stringify(x));
    expect(actual.sort(), `${path[0]?.name} of ${where}`).toEqual([...expected].sort());
  }
  const titles = [
    ...new Set(live.filter((event) => pathKey(event.payload.path) === pathKey(TITLE)).map((event) => (event.payload.op as { value: number }).value)),
  ];
  expect((orMap.get(map, TITLE) as number[] | undefined) ?? [], `title of ${where}`).toEqual(titles.sort((x, y) => x - y));
  // The likes counter never loses an increment that no removal saw, and never counts one twice.
  const likes = (orMap.get(map, LIKES) as number | undefined) ?? 0;
  const amountOf = (event: { payload: Event }) => (event.payload.op as { amount: number }).amount;
  const likesEvents = model.eventsOf(ids).filter((event) => pathKey(event.payload.path) === pathKey(LIKES) && event.payload.op.type === 'increment');
  const unremoved = live.filter((event) => pathKey(event.payload.path) === pathKey(LIKES)).reduce((sum, event) => sum + amountOf(event), 0);
  expect(likes, `likes of ${where} keeps every increment no removal saw`).toBeGreaterThanOrEqual(unremoved);
  expect(likes, `likes of ${where} counts nothing twice`).toBeLessThanOrEqual(likesEvents.reduce((sum, event) => sum + amountOf(event), 0));
}

describe('OR-Map', () => {
  it('concurrent increments of a counter field both count', () => {
    const atR0 = orMap.apply(orMap.empty(), 'r0', LIKES, { type: 'increment', amount: 2 });
    const atR1 = orMap.apply(orMap.empty(), 'r1', LIKES, { type: 'increment', amount: 3 });
    expect(orMap.get(orMap.merge(atR0, atR1), LIKES)).toBe(5);
  });

  it('add wins: an update concurrent with the removal of its field keeps the field', () => {
    const shared = orMap.apply(orMap.empty(), 'r0', TAGS, { type: 'add', element: 'red' });
    const removed = orMap.apply(shared, 'r1', TAGS, { type: 'remove-field' });
    const updated = orMap.apply(shared, 'r0', TAGS, { type: 'add', element: 'blue' });
    // The removal saw "red" and takes it; it had not seen "blue".
    expect(orMap.get(orMap.merge(removed, updated), TAGS)).toEqual(['blue']);
  });

  it('a removal wins over what it saw: a merge does not bring the field back', () => {
    const shared = orMap.apply(orMap.empty(), 'r0', VISITS, { type: 'increment', amount: 1 });
    const removed = orMap.apply(shared, 'r1', PROFILE, { type: 'remove-field' });
    expect(orMap.value(orMap.merge(removed, shared))).toEqual([]);
  });

  it('an add to a field re-created after its removal survives a merge with a replica that still holds the old field', () => {
    // A map whose fields kept vectors of their own lost "yellow" here: the re-created set reused the dot
    // r0:1 that r1 still held for "red", and each side's vector then dropped the other's add.
    let r0 = orMap.apply(orMap.empty(), 'r0', TAGS, { type: 'add', element: 'red' });
    let r1 = orMap.merge(orMap.empty(), r0);
    r0 = orMap.apply(r0, 'r0', TAGS, { type: 'remove-field' });
    r0 = orMap.apply(r0, 'r0', TAGS, { type: 'add', element: 'yellow' });
    r1 = orMap.apply(r1, 'r1', TAGS, { type: 'add', element: 'green' });
    expect(orMap.get(orMap.merge(r0, r1), TAGS)).toEqual(['green', 'yellow']);
  });

  it('a counter and a set with the same name are two fields', () => {
    const map = orMap.apply(orMap.apply(orMap.empty(), 'r0', LIKES, { type: 'increment', amount: 1 }), 'r0', LIKES_SET, { type: 'add', element: 'ada' });
    expect(orMap.value(map)).toEqual([
      { name: 'likes', kind: 'counter', value: 1 },
      { name: 'likes', kind: 'or-set', value: ['ada'] },
    ]);
  });

  it('refuses an operation its field kind does not have', () => {
    expect(() => orMap.apply(orMap.empty(), 'r0', LIKES, { type: 'add', element: 'x' })).toThrow(/no add operation/);
    expect(() =>
      orMap.apply(
        orMap.empty(),
        'r0',
        [
          { name: 'x', kind: 'counter' },
          { name: 'y', kind: 'counter' },
        ],
        { type: 'increment', amount: 1 },
      ),
    ).toThrow(/nested or-map/);
  });

  it('round-trips through JSON and msgpackr unchanged, and keeps its invariants', () => {
    let map = orMap.apply(orMap.empty(), 'r0', VISITS, { type: 'increment', amount: 2 });
    map = orMap.apply(map, 'r1', NICK, { type: 'set-lww', value: 'ada', timestamp: { wallMs: 1, logical: 0, nodeId: 'r1' } });
    map = orMap.apply(map, 'r0', TITLE, { type: 'set', value: { text: 'hi' } });
    expect(JSON.parse(JSON.stringify(map))).toEqual(map);
    expect(unpack(pack(map))).toEqual(map);
    orMap.assertOrMap(map);
  });

  it('property: merge is commutative, associative and idempotent on reachable states', () => {
    fc.assert(
      fc.property(mapHistory, (history) => {
        const states = run(mapType, history);
        states.forEach(orMap.assertOrMap);
        expectJoinLaws(orMap.merge, states);
      }),
      { numRuns: 300 },
    );
  });

  it('property: fields, set elements, MV values and counts match the causal model on every replica and after any merge order', () => {
    fc.assert(
      fc.property(mapHistory, (history) => {
        const states = REPLICA_IDS.map(() => orMap.empty());
        const model = new CausalHistory<Event>(REPLICA_COUNT);
        for (const step of history) {
          if (step.type === 'local') {
            states[step.replica] = applyOp(states[step.replica] as orMap.OrMap, step.op, REPLICA_IDS[step.replica] as string);
            model.record(step.replica, step.op);
          } else {
            states[step.into] = orMap.merge(states[step.into] as orMap.OrMap, states[step.from] as orMap.OrMap);
            model.merge(step.into, step.from);
          }
          states.forEach((state, index) => expectMatchesModel(state, model, model.history(index), REPLICA_IDS[index] as string));
        }
        for (const merged of mergeInEveryOrder(orMap.merge, states)) expectMatchesModel(merged, model, model.everything(), 'all merged');
      }),
      { numRuns: 150 },
    );
  });
});
