// KvStore on LMDB: the `kv` database holds values by key (stored-value.ts), and `meta`
// holds the applied index, written in the same transaction as the mutations.
//
// applyBatch resolves at commit and does not wait for the fsync: the state
// machine can always be rebuilt from the snapshot and the log, and every later
// persist's fsync covers this commit too (LMDB commits are ordered). So the
// runtime pays one fsync wait per loop turn, the persist's.

import type { LmdbNodeDatabases, LmdbNodeEnvironment } from './lmdb-environment.js';
import { decodeStoredKvImage, encodeKvImage, type StoredPair } from './kv-image.js';
import { decodeKvKey, encodeKvKey } from './kv-keys.js';
import { assertAppliedIndexAdvances, assertKvKey } from './kv-rules.js';
import { decodeIndexRecord, encodeIndexRecord } from './state-records.js';
import { decodeStoredValue, encodeStoredValue } from './stored-value.js';
import { StorageCorruptionError } from './storage-corruption-error.js';
import type { KvMutation, KvStore } from './types.js';

const APPLIED_INDEX_KEY = 'applied-index';

export class LmdbKvStore implements KvStore {
  private readonly databases: LmdbNodeDatabases;

  constructor(private readonly environment: LmdbNodeEnvironment) {
    this.databases = environment.retain();
  }

  get(key: string): unknown | undefined {
    const packed = this.databases.kv.get(encodeKvKey(key));
    return packed === undefined ? undefined : decodeStoredValue(packed);
  }

  async applyBatch(mutations: readonly KvMutation[], appliedIndex: number): Promise<void> {
    assertAppliedIndexAdvances(this.appliedIndex(), appliedIndex);
    // Check and pack outside the transaction: nothing in it may throw halfway.
    const writes = mutations.map((mutation) => {
      assertKvKey(mutation.key);
      const key = encodeKvKey(mutation.key);
      return mutation.type === 'set' ? ([key, encodeStoredValue(mutation.value)] as const) : ([key] as const);
    });
    const appliedRecord = encodeIndexRecord(appliedIndex);
    const { root, kv, meta } = this.databases;
    await root.transaction(() => {
      for (const [key, packed] of writes) {
        if (packed === undefined) kv.removeSync(key);
        else kv.putSync(key, packed);
      }
      meta.putSync(APPLIED_INDEX_KEY, appliedRecord);
    });
  }

  appliedIndex(): number {
    const record = this.databases.meta.get(APPLIED_INDEX_KEY);
    if (record === undefined) return 0;
    const index = decodeIndexRecord(record);
    if (index === null) throw new StorageCorruptionError('stored applied index record is corrupt');
    return index;
  }

  exportImage(): Uint8Array {
    // One range read runs in one read transaction: a consistent image even
    // while an applyBatch is committing. Values go as stored, never re-encoded.
    const pairs: StoredPair[] = [];
    for (const { key, value } of this.databases.kv.getRange({ snapshot: true })) {
      pairs.push([decodeKvKey(key), value]);
    }
    return encodeKvImage(pairs);
  }

  async importImage(image: Uint8Array, appliedIndex: number): Promise<void> {
    const writes = decodeStoredKvImage(image).map(([key, stored]) => {
      assertKvKey(key);
      return [encodeKvKey(key), stored] as const;
    });
    const appliedRecord = encodeIndexRecord(appliedIndex);
    const { root, kv, meta } = this.databases;
    await root.transaction(() => {
      kv.clearSync();
      for (const [key, packed] of writes) kv.putSync(key, packed);
      meta.putSync(APPLIED_INDEX_KEY, appliedRecord);
    });
  }

  *entries(prefix = '', limit = Number.POSITIVE_INFINITY): Generator<[string, unknown]> {
    let yielded = 0;
    for (const { key: stored, value } of this.databases.kv.getRange({ start: encodeKvKey(prefix), snapshot: true })) {
      const key = decodeKvKey(stored);
      if (yielded >= limit || !key.startsWith(prefix)) return;
      yielded++;
      yield [key, decodeStoredValue(value)];
    }
  }

  async close(): Promise<void> {
    await this.environment.release();
  }
}
