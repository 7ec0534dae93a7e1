// The sequential specification of one key: a register with read, write, cas and
// delete. States are small integers (interned values) so that a search state is
// cheap to hash and compare; 0 is the absent key, which is also how null reads.

import { assert, unreachable } from '../ground/assert.js';
import { canonicalJson } from './canonical-json.js';
import type { Operation } from './pairing.js';
import type { OpFunction } from './history.js';

export type RegisterState = number;

/** The absent key. Every key starts here; a delete returns here; reads of it return null. */
export const ABSENT: RegisterState = 0;
/** What `stepRegister` returns when the operation cannot happen in the given state. */
export const ILLEGAL = -1;

export const READ = 0;
export const WRITE = 1;
export const CAS = 2;
export const DELETE = 3;
export type StepKind = typeof READ | typeof WRITE | typeof CAS | typeof DELETE;

/** Interns JSON values by canonical form: equal values get equal ids, null gets ABSENT. */
export class ValueTable {
  private readonly ids = new Map<string, RegisterState>([['null', ABSENT]]);
  private readonly values: unknown[] = [null];

  intern(value: unknown): RegisterState {
    const canonical = canonicalJson(value);
    const known = this.ids.get(canonical);
    if (known !== undefined) return known;
    const id = this.values.length;
    this.ids.set(canonical, id);
    this.values.push(value);
    return id;
  }

  /** How many distinct values (ABSENT included) have been interned; ids are 0..size-1. */
  get size(): number {
    return this.values.length;
  }

  valueOf(id: RegisterState): unknown {
    assert(id >= 0 && id < this.values.length, `no interned value ${id}`);
    return this.values[id];
  }
}

/** An operation compiled for the model: what it does (`kind`) and its interned arguments. */
export interface RegisterStep {
  readonly kind: StepKind;
  /** read: the value read; write: the value written; cas: expected; delete: unused. */
  readonly a: RegisterState;
  /** cas: the next value; otherwise unused. */
  readonly b: RegisterState;
}

export function compileOperation(op: Operation, values: ValueTable): RegisterStep {
  const f: OpFunction = op.f;
  switch (f) {
    case 'read':
      return { kind: READ, a: values.intern(op.value), b: ABSENT };
    case 'write':
      return { kind: WRITE, a: values.intern(op.value), b: ABSENT };
    case 'delete':
      return { kind: DELETE, a: ABSENT, b: ABSENT };
    case 'cas': {
      // Shape is validated before operations are built; see eventShapeProblems.
      assert(Array.isArray(op.value) && op.value.length === 2, 'cas value must be [expected, next]');
      return { kind: CAS, a: values.intern(op.value[0]), b: values.intern(op.value[1]) };
    }
    default:
      return unreachable(f, 'unknown op function');
  }
}

/** The value an op needs the register to hold (read: the value read; cas: expected), or ILLEGAL when none. */
export function observedValue(step: RegisterStep): RegisterState {
  return step.kind === READ || step.kind === CAS ? step.a : ILLEGAL;
}

/** The value an op leaves in the register if it takes effect, or ILLEGAL for a read (which changes nothing). */
export function producedValue(step: RegisterStep): RegisterState {
  switch (step.kind) {
    case WRITE:
      return step.a;
    case CAS:
      return step.b;
    case DELETE:
      return ABSENT;
    default:
      return ILLEGAL;
  }
}

/** The model's transition: the state after `kind(a, b)` from `state`, or ILLEGAL. */
export function stepRegister(state: RegisterState, kind: StepKind, a: RegisterState, b: RegisterState): RegisterState {
  switch (kind) {
    case READ:
      return state === a ? state : ILLEGAL;
    case WRITE:
      return a;
    case CAS:
      return state === a ? b : ILLEGAL;
    case DELETE:
      return ABSENT;
    default:
      return unreachable(kind, 'unknown step kind');
  }
}
