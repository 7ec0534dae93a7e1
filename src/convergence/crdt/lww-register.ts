// Last-write-wins register: the write with the greatest HLC timestamp wins.
// It converges, and it loses data: of two concurrent writes one is dropped
// without a trace, which is why `mergeReportingLoss` says which one, so that
// a store using LWW can count what it threw away.

import * as hlc from '../hlc.js';
import { canonicalElement, compareKeys, type JsonValue } from '../json.js';

export interface LwwWrite {
  readonly value: JsonValue;
  readonly timestamp: hlc.HlcTimestamp;
}

export interface LwwRegister {
  readonly kind: 'lww-register';
  /** null until the first write. */
  readonly write: LwwWrite | null;
}

export function empty(): LwwRegister {
  return { kind: 'lww-register', write: null };
}

/** Writes `value` stamped `timestamp` (from hlc.now); a write older than the register's is ignored. */
export function set(register: LwwRegister, value: JsonValue, timestamp: hlc.HlcTimestamp): LwwRegister {
  hlc.assertTimestamp(timestamp);
  return merge(register, { kind: 'lww-register', write: { value: canonicalElement(value).element, timestamp } });
}

/** The winning value; undefined before the first write. */
export function value(register: LwwRegister): JsonValue | undefined {
  return register.write?.value;
}

export function merge(a: LwwRegister, b: LwwRegister): LwwRegister {
  return mergeReportingLoss(a, b).register;
}

/** The merge, and the write it discarded: the one of a's and b's that is not the winner (null when nothing was lost). */
export function mergeReportingLoss(a: LwwRegister, b: LwwRegister): { register: LwwRegister; discarded: LwwWrite | null } {
  if (a.write === null) return { register: b, discarded: null };
  if (b.write === null) return { register: a, discarded: null };
  const order = compareWrites(a.write, b.write);
  if (order === 0) return { register: a, discarded: null };
  return order > 0 ? { register: a, discarded: b.write } : { register: b, discarded: a.write };
}

function compareWrites(a: LwwWrite, b: LwwWrite): number {
  const byTime = hlc.compare(a.timestamp, b.timestamp);
  if (byTime !== 0) return byTime;
  // The same timestamp on two different writes means one node stamped two
  // writes alike (a clock restored from an old backup, say). Deciding by the
  // value keeps the merge commutative even then.
  return compareKeys(canonicalElement(a.value).key, canonicalElement(b.value).key);
}
