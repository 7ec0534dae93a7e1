// KvStore in memory, for the simulator and tests. Values are kept encoded, as
// LMDB keeps them, so a caller mutating a value after `applyBatch` or after
// `get` changes nothing stored, and values round-trip exactly as through LMDB.

import { decodeStoredKvImage, encodeKvImage, type StoredPair } from './kv-image.js';
import { compareKeys } from './key-order.js';
import { assertAppliedIndexAdvances, assertKvKey } from './kv-rules.js';
import { decodeStoredValue, encodeStoredValue } from './stored-value.js';
import type { KvMutation, KvStore } from './types.js';

export class MemoryKvStore implements KvStore {
  private values = new Map<string, Uint8Array>();
  private applied = 0;

  get(key: string): unknown | undefined {
    const packed = this.values.get(key);
    return packed === undefined ? undefined : decodeStoredValue(packed);
  }

  async applyBatch(mutations: readonly KvMutation[], appliedIndex: number): Promise<void> {
    assertAppliedIndexAdvances(this.applied, appliedIndex);
    // Encode everything first: a value that cannot be encoded must leave the store unchanged.
    const writes = mutations.map((mutation) => {
      assertKvKey(mutation.key);
      return mutation.type === 'set' ? ([mutation.key, encodeStoredValue(mutation.value)] as const) : ([mutation.key] as const);
    });
    for (const [key, packed] of writes) {
      if (packed === undefined) this.values.delete(key);
      else this.values.set(key, packed);
    }
    this.applied = appliedIndex;
  }

  appliedIndex(): number {
    return this.applied;
  }

  exportImage(): Uint8Array {
    const pairs: StoredPair[] = [];
    for (const key of this.sortedKeys('')) {
      const stored = this.values.get(key);
      if (stored) pairs.push([key, stored]);
    }
    return encodeKvImage(pairs);
  }

  async importImage(image: Uint8Array, appliedIndex: number): Promise<void> {
    this.values = new Map(decodeStoredKvImage(image));
    this.applied = appliedIndex;
  }

  *entries(prefix = '', limit = Number.POSITIVE_INFINITY): Generator<[string, unknown]> {
    let yielded = 0;
    for (const key of this.sortedKeys(prefix)) {
      if (yielded >= limit) return;
      const value = this.get(key);
      if (value === undefined && !this.values.has(key)) continue; // deleted while iterating
      yielded++;
      yield [key, value];
    }
  }

  async close(): Promise<void> {}

  private sortedKeys(prefix: string): string[] {
    const keys: string[] = [];
    for (const key of this.values.keys()) if (key.startsWith(prefix)) keys.push(key);
    return keys.sort(compareKeys);
  }
}
