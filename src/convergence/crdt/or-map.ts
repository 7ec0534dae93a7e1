// Observed-remove map whose fields are CRDTs (after riak_dt_map). A field is
// named by (name, kind), so a counter and a set called "x" are two fields and
// a merge never meets two kinds under one name.
//
// Every field is a "causal" CRDT that takes its dots from the map's one
// version vector (Almeida, Shoker, Baquero: "Delta State Replicated Data
// Types", 2018, the ORMap over dot stores; riak_dt embeds its types the same
// way, through their parent's clock). A field is present while it holds a
// live dot; removing a field drops its dots, and the map's vector remembers
// them, so a merge does not bring them back, while an update the remover had
// not seen carries a dot it does not cover and keeps the field (add-wins).
//
// Sharing the map's vector is what makes removal safe. A field that kept a
// vector of its own would start again from an empty one when re-created
// after a remove, and reuse dots (or restart counts) that another replica
// still holds for the old field: an add made after the remove could then be
// dropped by a merge. The test "an add to a re-created field survives..."
// pins that case.
//
// Field kinds are those that make sense when a remove resets them: a
// counter (increments and decrements, riak_dt's emcntr), an OR-Set, an
// MV-Register, an LWW-Register, and a nested map. A grow-only set or counter
// inside a map would not be grow-only.

import { assert, unreachable } from '../../ground/assert.js';
import { assertDots, compareDots, joinDots, nextDot, type Dot } from '../dots.js';
import * as hlc from '../hlc.js';
import { canonicalElement, compareKeys, type JsonValue } from '../json.js';
import * as vv from '../version-vector.js';
import * as orSet from './or-set.js';

export type FieldKind = 'counter' | 'or-set' | 'mv-register' | 'lww-register' | 'or-map';

export const FIELD_KINDS: readonly FieldKind[] = ['counter', 'or-set', 'mv-register', 'lww-register', 'or-map'];

/** One actor's running totals in a counter field, as of its dot; the field's value sums the actors' latest entries. */
export interface CounterEntry extends Dot {
  readonly increments: number;
  readonly decrements: number;
}

export interface MvFieldEntry extends Dot {
  readonly value: JsonValue;
}

export interface LwwFieldEntry extends Dot {
  readonly value: JsonValue;
  readonly timestamp: hlc.HlcTimestamp;
}

/** A field and its state; every store is sorted (by dot, element or field) and a field with an empty store is absent. */
export type OrMapField =
  | { readonly name: string; readonly kind: 'counter'; readonly store: readonly CounterEntry[] }
  | { readonly name: string; readonly kind: 'or-set'; readonly store: readonly orSet.OrSetEntry[] }
  | { readonly name: string; readonly kind: 'mv-register'; readonly store: readonly MvFieldEntry[] }
  | { readonly name: string; readonly kind: 'lww-register'; readonly store: readonly LwwFieldEntry[] }
  | { readonly name: string; readonly kind: 'or-map'; readonly store: readonly OrMapField[] };

export interface OrMap {
  readonly kind: 'or-map';
  /** Every dot this replica has seen, in any field at any depth. */
  readonly seen: vv.VersionVector;
  /** Present fields, sorted by name, then kind. */
  readonly fields: readonly OrMapField[];
}

export interface FieldRef {
  readonly name: string;
  readonly kind: FieldKind;
}

/** What can be done to the field at the end of a path (every field before it is a nested map). */
export type FieldOp =
  | { readonly type: 'increment'; readonly amount: number }
  | { readonly type: 'add'; readonly element: JsonValue }
  | { readonly type: 'remove'; readonly element: JsonValue }
  | { readonly type: 'set'; readonly value: JsonValue }
  | { readonly type: 'set-lww'; readonly value: JsonValue; readonly timestamp: hlc.HlcTimestamp }
  | { readonly type: 'remove-field' };

export type FieldValue = number | JsonValue[] | JsonValue | OrMapValue;
export type OrMapValue = Array<{ readonly name: string; readonly kind: FieldKind; readonly value: FieldValue }>;

/** Field names travel in every copy of the map; keep them short. */
export const MAX_FIELD_NAME_LENGTH = 256;
/** Nested maps deeper than this are a schema bug; the recursive merge and checks stay shallow. */
export const MAX_FIELD_DEPTH = 16;

const OPS_BY_KIND: Record<FieldKind, ReadonlyArray<FieldOp['type']>> = {
  counter: ['increment', 'remove-field'],
  'or-set': ['add', 'remove', 'remove-field'],
  'mv-register': ['set', 'remove-field'],
  'lww-register': ['set-lww', 'remove-field'],
  'or-map': ['remove-field'],
};

export function empty(): OrMap {
  return { kind: 'or-map', seen: vv.empty(), fields: [] };
}

/**
 * `actor` (the replica making the change) applies `op` to the field at
 * `path`: [{name, kind}] for a field of this map, [{name: 'profile', kind:
 * 'or-map'}, {name: 'visits', kind: 'counter'}] for one inside a nested map.
 */
export function apply(map: OrMap, actor: vv.ActorId, path: readonly FieldRef[], op: FieldOp): OrMap {
  assert(path.length > 0 && path.length <= MAX_FIELD_DEPTH, `a field path has 1 to ${MAX_FIELD_DEPTH} steps`);
  path.forEach((step, index) => {
    assert(step.name.length <= MAX_FIELD_NAME_LENGTH, `an or-map field name is at most ${MAX_FIELD_NAME_LENGTH} characters`);
    assert(FIELD_KINDS.includes(step.kind), `no field kind ${String(step.kind)}`);
    if (index < path.length - 1) assert(step.kind === 'or-map', 'every step of a path but the last is a nested or-map');
  });
  const target = path[path.length - 1] as FieldRef;
  assert(OPS_BY_KIND[target.kind].includes(op.type), `a ${target.kind} field has no ${op.type} operation`);
  const { dot, seen } = nextDot(map.seen, actor);
  const fields = applyToFields(map.fields, path, op, dot);
  // Only operations that add state use the dot; a removal leaves the vector as it was.
  const usesDot = op.type !== 'remove' && op.type !== 'remove-field';
  return { kind: 'or-map', seen: usesDot ? seen : map.seen, fields };
}

/** The value of the field at `path`, or undefined when it is absent. */
export function get(map: OrMap, path: readonly FieldRef[]): FieldValue | undefined {
  let fields: readonly OrMapField[] = map.fields;
  for (const [index, step] of path.entries()) {
    const field = findField(fields, step);
    if (field === undefined) return undefined;
    if (index === path.length - 1) return fieldValue(field);
    if (field.kind !== 'or-map') return undefined;
    fields = field.store;
  }
  return undefined;
}

export function value(map: OrMap): OrMapValue {
  return fieldsValue(map.fields);
}

export function merge(a: OrMap, b: OrMap): OrMap {
  return { kind: 'or-map', seen: vv.merge(a.seen, b.seen), fields: joinFields(a.fields, a.seen, b.fields, b.seen, 1) };
}

/** Throws unless the map keeps its invariants (sorted stores, no empty field, every dot in the vector); for data read back. */
export function assertOrMap(map: OrMap): void {
  assert(map.kind === 'or-map', 'not an or-map');
  vv.assertVersionVector(map.seen);
  assertFields(map.fields, map.seen, 1);
}

function applyToFields(fields: readonly OrMapField[], path: readonly FieldRef[], op: FieldOp, dot: Dot): OrMapField[] {
  const [step, ...rest] = path as [FieldRef, ...FieldRef[]];
  const current = findField(fields, step);
  const others = fields.filter((field) => field !== current);
  let next: OrMapField | undefined;
  if (rest.length > 0) {
    const inner = current?.kind === 'or-map' ? current.store : [];
    next = { name: step.name, kind: 'or-map', store: applyToFields(inner, rest, op, dot) };
  } else if (op.type === 'remove-field') {
    next = undefined;
  } else {
    next = applyToField(current ?? emptyField(step), op, dot);
  }
  if (next !== undefined && next.store.length > 0) others.push(next);
  return others.sort(compareFields);
}

function applyToField(field: OrMapField, op: FieldOp, dot: Dot): OrMapField {
  switch (field.kind) {
    case 'counter': {
      assert(op.type === 'increment', 'a counter field only counts');
      assert(Number.isSafeInteger(op.amount) && op.amount !== 0, `a counter changes by a non-zero integer, not ${op.amount}`);
      const own = latestEntryOf(field.store, dot.actor);
      const entry: CounterEntry = {
        ...dot,
        increments: (own?.increments ?? 0) + Math.max(op.amount, 0),
        decrements: (own?.decrements ?? 0) + Math.max(-op.amount, 0),
      };
      assert(Number.isSafeInteger(entry.increments) && Number.isSafeInteger(entry.decrements), 'a counter passed Number.MAX_SAFE_INTEGER');
      const others = field.store.filter((other) => other.actor !== dot.actor);
      return { ...field, store: [...others, entry].sort(compareDots) };
    }
    case 'or-set':
      if (op.type === 'add') return { ...field, store: orSet.addEntry(field.store, op.element, dot) };
      assert(op.type === 'remove', 'an or-set field adds or removes');
      return { ...field, store: orSet.removeEntry(field.store, op.element) };
    case 'mv-register':
      assert(op.type === 'set', 'an mv-register field is set');
      return { ...field, store: [{ ...dot, value: canonicalElement(op.value).element }] };
    case 'lww-register': {
      assert(op.type === 'set-lww', 'an lww-register field is set with a timestamp');
      hlc.assertTimestamp(op.timestamp);
      const written = { value: canonicalElement(op.value).element, timestamp: op.timestamp };
      const winner = [written, ...field.store].reduce((best, entry) => (compareLww(entry, best) > 0 ? entry : best));
      // The new dot replaces what this replica saw, keeping the newest write among it and the new one.
      return { ...field, store: [{ ...dot, value: winner.value, timestamp: winner.timestamp }] };
    }
    case 'or-map':
      return unreachable(op as never, 'a nested map is changed through a longer path');
    default:
      return unreachable(field, 'unknown field kind');
  }
}

function joinFields(
  aFields: readonly OrMapField[],
  aSeen: vv.VersionVector,
  bFields: readonly OrMapField[],
  bSeen: vv.VersionVector,
  depth: number,
): OrMapField[] {
  assert(depth <= MAX_FIELD_DEPTH, `or-map nested deeper than MAX_FIELD_DEPTH (${MAX_FIELD_DEPTH})`);
  const byKey = new Map<string, { a?: OrMapField; b?: OrMapField }>();
  for (const field of aFields) byKey.set(fieldKey(field), { a: field });
  for (const field of bFields) {
    const key = fieldKey(field);
    byKey.set(key, { ...byKey.get(key), b: field });
  }
  const fields: OrMapField[] = [];
  for (const [, { a, b }] of byKey) {
    const joined = joinField(a ?? emptyField(b as OrMapField), aSeen, b ?? emptyField(a as OrMapField), bSeen, depth);
    if (joined.store.length > 0) fields.push(joined);
  }
  return fields.sort(compareFields);
}

function joinField(a: OrMapField, aSeen: vv.VersionVector, b: OrMapField, bSeen: vv.VersionVector, depth: number): OrMapField {
  // joinFields pairs fields by (name, kind), so b has a's kind.
  switch (a.kind) {
    case 'counter':
      return { ...a, store: joinDots(a.store, aSeen, (b as typeof a).store, bSeen) };
    case 'or-set':
      return { ...a, store: orSet.joinEntries(a.store, aSeen, (b as typeof a).store, bSeen) };
    case 'mv-register':
      return { ...a, store: joinDots(a.store, aSeen, (b as typeof a).store, bSeen) };
    case 'lww-register':
      return { ...a, store: joinDots(a.store, aSeen, (b as typeof a).store, bSeen) };
    case 'or-map':
      return { ...a, store: joinFields(a.store, aSeen, (b as typeof a).store, bSeen, depth + 1) };
    default:
      return unreachable(a, 'unknown field kind');
  }
}

function fieldValue(field: OrMapField): FieldValue {
  switch (field.kind) {
    case 'counter': {
      const actors = new Set(field.store.map((entry) => entry.actor));
      let total = 0;
      for (const actor of actors) {
        const entry = latestEntryOf(field.store, actor) as CounterEntry;
        total += entry.increments - entry.decrements;
      }
      return total;
    }
    case 'or-set':
      return field.store.map((entry) => entry.element);
    case 'mv-register': {
      const byKey = new Map(field.store.map((entry) => [canonicalElement(entry.value).key, entry.value]));
      return [...byKey.keys()].sort(compareKeys).map((key) => byKey.get(key) as JsonValue);
    }
    case 'lww-register':
      return field.store.reduce((best, entry) => (compareLww(entry, best) > 0 ? entry : best)).value;
    case 'or-map':
      return fieldsValue(field.store);
    default:
      return unreachable(field, 'unknown field kind');
  }
}

function fieldsValue(fields: readonly OrMapField[]): OrMapValue {
  return fields.map((field) => ({ name: field.name, kind: field.kind, value: fieldValue(field) }));
}

function assertFields(fields: readonly OrMapField[], seen: vv.VersionVector, depth: number): void {
  assert(depth <= MAX_FIELD_DEPTH, `or-map nested deeper than MAX_FIELD_DEPTH (${MAX_FIELD_DEPTH})`);
  fields.forEach((field, index) => {
    assert(FIELD_KINDS.includes(field.kind), `or-map field ${field.name} has an unknown kind`);
    assert(field.store.length > 0, `or-map field ${field.name} is empty and should have been dropped`);
    if (index > 0) assert(compareFields(fields[index - 1] as OrMapField, field) < 0, 'or-map fields out of order or repeated');
    if (field.kind === 'or-set') orSet.assertEntries(field.store, seen);
    else if (field.kind === 'or-map') assertFields(field.store, seen, depth + 1);
    else assertDots(field.store, seen, `or-map field ${field.name}`);
  });
}

function emptyField(like: FieldRef): OrMapField {
  return { name: like.name, kind: like.kind, store: [] } as OrMapField;
}

function findField(fields: readonly OrMapField[], ref: FieldRef): OrMapField | undefined {
  return fields.find((field) => field.name === ref.name && field.kind === ref.kind);
}

function latestEntryOf(store: readonly CounterEntry[], actor: vv.ActorId): CounterEntry | undefined {
  let latest: CounterEntry | undefined;
  for (const entry of store) if (entry.actor === actor && (latest === undefined || entry.counter > latest.counter)) latest = entry;
  return latest;
}

function compareLww(a: { value: JsonValue; timestamp: hlc.HlcTimestamp }, b: { value: JsonValue; timestamp: hlc.HlcTimestamp }): number {
  return hlc.compare(a.timestamp, b.timestamp) || compareKeys(canonicalElement(a.value).key, canonicalElement(b.value).key);
}

function fieldKey(field: FieldRef): string {
  return JSON.stringify([field.name, field.kind]);
}

function compareFields(a: FieldRef, b: FieldRef): number {
  return compareKeys(a.name, b.name) || compareKeys(a.kind, b.kind);
}
