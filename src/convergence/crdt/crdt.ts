// Every CRDT as one tagged union: a stored value says by its `kind` what it
// is, so a replica that receives one knows how to merge it.

import { assert, unreachable } from '../../ground/assert.js';
import type { JsonValue } from '../json.js';
import * as gCounter from './g-counter.js';
import * as gSet from './g-set.js';
import * as lwwRegister from './lww-register.js';
import * as mvRegister from './mv-register.js';
import * as orMap from './or-map.js';
import * as orSet from './or-set.js';
import * as pnCounter from './pn-counter.js';

export type Crdt = gCounter.GCounter | pnCounter.PnCounter | gSet.GSet | orSet.OrSet | lwwRegister.LwwRegister | mvRegister.MvRegister | orMap.OrMap;

export type CrdtKind = Crdt['kind'];

export const CRDT_KINDS: readonly CrdtKind[] = ['g-counter', 'pn-counter', 'g-set', 'or-set', 'lww-register', 'mv-register', 'or-map'];

export function isCrdtKind(kind: unknown): kind is CrdtKind {
  return typeof kind === 'string' && (CRDT_KINDS as readonly string[]).includes(kind);
}

export function empty(kind: CrdtKind): Crdt {
  switch (kind) {
    case 'g-counter':
      return gCounter.empty();
    case 'pn-counter':
      return pnCounter.empty();
    case 'g-set':
      return gSet.empty();
    case 'or-set':
      return orSet.empty();
    case 'lww-register':
      return lwwRegister.empty();
    case 'mv-register':
      return mvRegister.empty();
    case 'or-map':
      return orMap.empty();
    default:
      return unreachable(kind, 'unknown CRDT kind');
  }
}

/** The join of two states of the same kind. */
export function merge<C extends Crdt>(a: C, b: C): C {
  assert(a.kind === b.kind, `cannot merge a ${a.kind} with a ${b.kind}`);
  const x: Crdt = a;
  const y = b as Crdt;
  switch (x.kind) {
    case 'g-counter':
      return gCounter.merge(x, y as gCounter.GCounter) as C;
    case 'pn-counter':
      return pnCounter.merge(x, y as pnCounter.PnCounter) as C;
    case 'g-set':
      return gSet.merge(x, y as gSet.GSet) as C;
    case 'or-set':
      return orSet.merge(x, y as orSet.OrSet) as C;
    case 'lww-register':
      return lwwRegister.merge(x, y as lwwRegister.LwwRegister) as C;
    case 'mv-register':
      return mvRegister.merge(x, y as mvRegister.MvRegister) as C;
    case 'or-map':
      return orMap.merge(x, y as orMap.OrMap) as C;
    default:
      return unreachable(x, 'unknown CRDT kind');
  }
}

/** What a read shows: a number for counters, an array for sets and the MV-Register, the value for LWW, fields for a map. */
export function value(crdt: Crdt): CrdtValue {
  switch (crdt.kind) {
    case 'g-counter':
      return gCounter.value(crdt);
    case 'pn-counter':
      return pnCounter.value(crdt);
    case 'g-set':
      return gSet.value(crdt);
    case 'or-set':
      return orSet.value(crdt);
    case 'lww-register':
      return lwwRegister.value(crdt) ?? null;
    case 'mv-register':
      return mvRegister.value(crdt);
    case 'or-map':
      return orMap.value(crdt);
    default:
      return unreachable(crdt, 'unknown CRDT kind');
  }
}

export type CrdtValue = JsonValue | orMap.OrMapValue;
