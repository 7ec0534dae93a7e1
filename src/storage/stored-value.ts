// How a KvStore keeps one value: tagged JSON text (../kv/tagged-json.ts), so
// it reads back exactly as written. Values stored before that are msgpack and
// still read, exactly as they always did (see docs/architecture.md, "Values").

import { decodeTaggedJson, encodeTaggedJson, isTaggedJson } from '../kv/tagged-json.js';
import { unpackValue } from './msgpack.js';

export function encodeStoredValue(value: unknown): Uint8Array {
  return encodeTaggedJson(value);
}

/** Throws on bytes it cannot read; a reader from disk treats that as corruption. */
export function decodeStoredValue(bytes: Uint8Array): unknown {
  return isTaggedJson(bytes) ? decodeTaggedJson(bytes) : unpackValue(bytes);
}
