// Multi-value register: a write replaces every value its replica has seen;
// concurrent writes are all kept, and a read returns them all, for the
// application (or a later write that saw them) to resolve. Dots as in the
// OR-Set: a value is kept while the other side has not seen its dot.

import { assert } from '../../ground/assert.js';
import { assertDots, joinDots, nextDot, type Dot } from '../dots.js';
import { canonicalElement, compareKeys, type JsonValue } from '../json.js';
import * as vv from '../version-vector.js';

export interface MvEntry extends Dot {
  readonly value: JsonValue;
}

export interface MvRegister {
  readonly kind: 'mv-register';
  readonly seen: vv.VersionVector;
  /** The concurrent values, by dot (actor, then counter). */
  readonly entries: readonly MvEntry[];
}

export function empty(): MvRegister {
  return { kind: 'mv-register', seen: vv.empty(), entries: [] };
}

/** `actor` (the replica making the change) writes `value`, replacing every value this replica holds. */
export function set(register: MvRegister, value: JsonValue, actor: vv.ActorId): MvRegister {
  const { dot, seen } = nextDot(register.seen, actor);
  return { kind: 'mv-register', seen, entries: [{ ...dot, value: canonicalElement(value).element }] };
}

/** The distinct concurrent values, sorted by canonical JSON; empty before the first write. */
export function value(register: MvRegister): JsonValue[] {
  const byKey = new Map<string, JsonValue>();
  for (const entry of register.entries) {
    const { key, element } = canonicalElement(entry.value);
    byKey.set(key, element);
  }
  return [...byKey.keys()].sort(compareKeys).map((key) => byKey.get(key) as JsonValue);
}

export function merge(a: MvRegister, b: MvRegister): MvRegister {
  return { kind: 'mv-register', seen: vv.merge(a.seen, b.seen), entries: joinDots(a.entries, a.seen, b.entries, b.seen) };
}

export function assertMvRegister(register: MvRegister): void {
  assert(register.kind === 'mv-register', 'not an mv-register');
  vv.assertVersionVector(register.seen);
  assertDots(register.entries, register.seen, 'mv-register');
}
