// A KvStore image: msgpack([[key, value], ...]) sorted by key. Both stores
// write and read this one format, so a snapshot taken by a memory store in the
// simulator restores into LMDB and back.

import { assert } from '../ground/assert.js';
import { packValue, unpackValue } from './msgpack.js';

export type KvPair = [key: string, value: unknown];

export function encodeKvImage(sortedPairs: readonly KvPair[]): Uint8Array {
  return packValue(sortedPairs);
}

/** The image travelled inside a checksummed snapshot, so a bad shape means a bug, not bit rot. */
export function decodeKvImage(image: Uint8Array): KvPair[] {
  const pairs = unpackValue(image);
  assert(Array.isArray(pairs), 'kv image is not an array');
  for (const pair of pairs as unknown[]) {
    assert(Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string', 'kv image holds a malformed pair');
  }
  return pairs as KvPair[];
}
