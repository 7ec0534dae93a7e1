// The convergence toolkit: pure building blocks for the replication families
// that let replicas diverge and merge them later (leaderless and
// multi-leader). No I/O, no clock, no randomness: time arrives as arguments.
// Each module is exported as a namespace (hlc.now, versionVector.merge,
// orSet.add, ...) because they share verbs (merge, value, empty).

export * as hlc from './hlc.js';
export type { HlcClock, HlcTimestamp, ReceiveResult } from './hlc.js';
export * as versionVector from './version-vector.js';
export type { ActorId, Ordering, VersionVector } from './version-vector.js';
export * as dots from './dots.js';
export type { Dot } from './dots.js';
export * as dvvSet from './dvv-set.js';
export type { DvvEntry, DvvSet, UpdateResult } from './dvv-set.js';
export * as dvvTombstones from './dvv-tombstones.js';
export type { Stored } from './dvv-tombstones.js';
export * as gCounter from './crdt/g-counter.js';
export type { GCounter } from './crdt/g-counter.js';
export * as pnCounter from './crdt/pn-counter.js';
export type { PnCounter } from './crdt/pn-counter.js';
export * as gSet from './crdt/g-set.js';
export type { GSet } from './crdt/g-set.js';
export * as orSet from './crdt/or-set.js';
export type { OrSet, OrSetEntry } from './crdt/or-set.js';
export * as lwwRegister from './crdt/lww-register.js';
export type { LwwRegister, LwwWrite } from './crdt/lww-register.js';
export * as mvRegister from './crdt/mv-register.js';
export type { MvEntry, MvRegister } from './crdt/mv-register.js';
export * as orMap from './crdt/or-map.js';
export type { CounterEntry, FieldKind, FieldOp, FieldRef, FieldValue, LwwFieldEntry, MvFieldEntry, OrMap, OrMapField, OrMapValue } from './crdt/or-map.js';
export * as crdt from './crdt/crdt.js';
export type { Crdt, CrdtKind, CrdtValue } from './crdt/crdt.js';
export * as tictacTree from './tictac-tree.js';
export type { KeyVersionDiff, SegmentHash, TictacTree } from './tictac-tree.js';
export * as hash from './hash.js';
export { canonicalElement, elementKey, isJsonValue, type JsonValue } from './json.js';
