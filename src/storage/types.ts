// The storage seams of a node, narrow on purpose (after hashicorp/raft's
// LogStore + StableStore + SnapshotStore): the runtime persists what the core's
// `ready()` asks for in one durable write, and rebuilds the core from `load`.
// The state machine's key-value data lives behind a separate `KvStore`.

import type { Entry, HardState, Membership, PersistedState, Snapshot } from '../core/types.js';

/** Everything one loop turn must make durable, written as one transaction. */
export interface PersistBatch {
  readonly hardState?: HardState;
  /**
   * Replaces the stored snapshot (only the newest is kept). Stored log entries
   * after it survive only when the stored entry at `snapshot.meta.index` has
   * the snapshot's term; otherwise the whole stored log is discarded (Raft §7).
   */
  readonly snapshot?: Snapshot;
  /** Deletes every stored entry with index >= entries[0].index, then writes these. */
  readonly entries: readonly Entry[];
  /** Deletes stored entries <= this index; must not exceed the stored snapshot's index. */
  readonly compactThrough?: number;
}

/** Why `load` cut the log short. */
export type TailDamage =
  /** The record's checksum did not match, or it did not decode as an entry. */
  | 'corrupt'
  /** The record decoded, but its index is not the one after the previous entry. */
  | 'not-contiguous'
  /** The record decoded, but its term is lower than the previous entry's. */
  | 'term-decreased'
  /** No record was bad, but the stored commit index points past the last one: records are missing. */
  | 'missing';

/** What `load` dropped from the end of the log, and persisted as dropped. */
export interface TailRepair {
  /** Index (storage key) of the first dropped record. */
  readonly droppedFrom: number;
  /** How many stored records were dropped, the first bad one included. */
  readonly droppedCount: number;
  readonly reason: TailDamage;
  /** Set when the stored commit index pointed past the repaired log and was lowered to its end. */
  readonly commitLoweredFrom?: number;
}

export interface LoadedState extends PersistedState {
  /** Present when a corrupt or torn tail was dropped. */
  readonly repairedTail?: TailRepair;
}

export interface NodeStorage {
  /** One durable write for the whole batch; resolves after it is on disk (fsync). */
  persist(batch: PersistBatch): Promise<void>;
  /**
   * The hard state (default {term: 0, vote: null, commit: 0}), the newest snapshot
   * or null, and the contiguous entries after it. A corrupt or torn tail is
   * detected by checksum and contiguity, truncated on disk, and reported.
   * `bootstrap` is recorded on the first load; later loads return the recorded one.
   */
  load(bootstrap: Membership): Promise<LoadedState>;
  close(): Promise<void>;
}

export type KvMutation = { readonly type: 'set'; readonly key: string; readonly value: unknown } | { readonly type: 'delete'; readonly key: string };

/** The state machine's storage. Keys iterate in UTF-8 byte (code point) order. */
export interface KvStore {
  get(key: string): unknown | undefined;
  /**
   * Applies the mutations atomically together with the applied index, so a
   * restart knows where to resume applying. Resolves once visible to `get`;
   * it need not wait for an fsync (the log and snapshot can rebuild the state),
   * and in LMDB the next persist's fsync covers it.
   */
  applyBatch(mutations: readonly KvMutation[], appliedIndex: number): Promise<void>;
  appliedIndex(): number;
  /** A consistent image for a snapshot: every key and its stored value, sorted by key (kv-image.ts). */
  exportImage(): Uint8Array;
  /** Replaces the whole contents with an image from `exportImage`. */
  importImage(image: Uint8Array, appliedIndex: number): Promise<void>;
  entries(prefix?: string, limit?: number): Iterable<[string, unknown]>;
  close(): Promise<void>;
}
