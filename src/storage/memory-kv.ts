// KvStore in memory, for the simulator and tests. Values are kept packed, as
// LMDB keeps them, so a caller mutating a value after `applyBatch` or after
// `get` changes nothing stored, and values round-trip exactly as through LMDB.

import { decodeKvImage, encodeKvImage, type KvPair } from './kv-image.js';
import { compareKeys } from './key-order.js';
import { assertAppliedIndexAdvances, assertKvKey } from './kv-rules.js';
import { packValue, unpackValue } from './msgpack.js';
import type { KvMutation, KvStore } from './types.js';

export class MemoryKvStore implements KvStore {
  private values = new Map<string, Uint8Array>();
  private applied = 0;

  get(key: string): unknown | undefined {
    const packed = this.values.get(key);
    return packed === undefined ? undefined : unpackValue(packed);
  }

  async applyBatch(mutations: readonly KvMutation[], appliedIndex: number): Promise<void> {
    assertAppliedIndexAdvances(this.applied, appliedIndex);
    // Pack everything first: a value msgpack rejects must leave the store unchanged.
    const writes = mutations.map((mutation) => {
      assertKvKey(mutation.key);
      return mutation.type === 'set' ? ([mutation.key, packValue(mutation.value)] as const) : ([mutation.key] as const);
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
    return encodeKvImage(this.sortedKeys('').map((key): KvPair => [key, this.get(key)]));
  }

  async importImage(image: Uint8Array, appliedIndex: number): Promise<void> {
    const pairs = decodeKvImage(image);
    const values = new Map<string, Uint8Array>();
    for (const [key, value] of pairs) values.set(key, packValue(value));
    this.values = values;
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

