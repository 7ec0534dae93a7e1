// Rules every KvStore enforces, so memory and LMDB fail alike.

import { Buffer } from 'node:buffer';
import { assert } from '../ground/assert.js';
import { isWellFormedUnicode } from '../kv/keys.js';

/**
 * The longest key, in UTF-8 bytes. lmdb-js refuses keys over 1978 encoded
 * bytes; 1 KiB leaves room for its key encoding and is plenty for a key.
 * Exported so the command layer rejects long keys at propose time: a key that
 * fails here at apply time would fail on every replica.
 */
export const MAX_KV_KEY_BYTES = 1024;

export function assertKvKey(key: string): void {
  assert(typeof key === 'string', 'kv key must be a string');
  // Stored as UTF-8, which has no bytes for a lone surrogate: such a key would come back changed.
  assert(isWellFormedUnicode(key), 'kv key must be well-formed Unicode (no lone surrogates)');
  assert(Buffer.byteLength(key, 'utf8') <= MAX_KV_KEY_BYTES, `kv key longer than ${MAX_KV_KEY_BYTES} UTF-8 bytes`);
}

/** Re-applying an older index would replay entries onto a newer state. */
export function assertAppliedIndexAdvances(current: number, next: number): void {
  assert(Number.isSafeInteger(next) && next >= current, `applied index ${next} is behind ${current}`);
}
