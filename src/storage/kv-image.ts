// A KvStore image: every key with its value as the store keeps it (the bytes
// of stored-value.ts), sorted by key. Both stores write and read this one
// format, so a snapshot taken by a memory store in the simulator restores into
// LMDB and back. Values travel as stored bytes, never decoded and re-encoded,
// so a follower that installs a snapshot holds what the leader held, byte for
// byte, values stored before tagged JSON included.
//
// Images written before that were msgpack([[key, value], ...]) with decoded
// values; they still import, their values stored as those stores stored them.

import { assert } from '../ground/assert.js';
import { packValue, unpackValue } from './msgpack.js';
import { decodeStoredValue } from './stored-value.js';

export type KvPair = [key: string, value: unknown];
export type StoredPair = [key: string, stored: Uint8Array];

/** The first item of an image in this format; a legacy image starts with a pair (an array) or is empty. */
const IMAGE_FORMAT = 'kv-image/2';

export function encodeKvImage(sortedPairs: readonly StoredPair[]): Uint8Array {
  return packValue([IMAGE_FORMAT, sortedPairs]);
}

/** The image travelled inside a checksummed snapshot, so a bad shape means a bug, not bit rot. */
export function decodeStoredKvImage(image: Uint8Array): StoredPair[] {
  const decoded = unpackValue(image);
  assert(Array.isArray(decoded), 'kv image is not an array');
  if (decoded[0] === IMAGE_FORMAT) {
    const pairs: unknown = decoded[1];
    assert(decoded.length === 2 && Array.isArray(pairs), 'kv image holds no pair list');
    for (const pair of pairs as unknown[]) {
      assert(Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && pair[1] instanceof Uint8Array, 'kv image holds a malformed pair');
    }
    return pairs as StoredPair[];
  }
  assert(typeof decoded[0] !== 'string', `kv image of unknown format ${String(decoded[0])} (written by a newer replikit?)`);
  for (const pair of decoded as unknown[]) {
    assert(Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string', 'kv image holds a malformed pair');
  }
  // Packed as the stores packed every value then, so they read back as they did then.
  return (decoded as KvPair[]).map(([key, value]): StoredPair => [key, packValue(value)]);
}

/** The image's keys and decoded values, for inspection. */
export function decodeKvImage(image: Uint8Array): KvPair[] {
  return decodeStoredKvImage(image).map(([key, stored]): KvPair => [key, decodeStoredValue(stored)]);
}
