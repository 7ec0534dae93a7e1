// How the state machine's keys are stored in LMDB: their UTF-8 bytes, exactly.
//
// Stores made before used lmdb-js's default key encoding (ordered-binary),
// which is not one-to-one for strings: one of 64 or more UTF-16 units is
// written as raw UTF-8, a shorter one with U+0000..U+0004 escaped as (4, c),
// so "\u0004\u0000..." (64 units) and "\u0000..." (63) share their bytes, and
// a range read returns a long key holding U+0000 as an array. Every reserved
// key starts with U+0000, so a user key could overwrite a fencing token or a
// session, and a snapshot image of such keys was refused. UTF-8 bytes are
// one-to-one for every well-formed string (keys are refused otherwise).

import { Buffer } from 'node:buffer';
import { StorageCorruptionError } from './storage-corruption-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeKvKey(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

export function decodeKvKey(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new StorageCorruptionError(`a stored kv key (${bytes.byteLength} bytes) is not UTF-8`);
  }
}

// ------------------------------------------------------ the format before this

/** ordered-binary's first byte before a string whose first unit is below 28. */
const LEGACY_ESCAPE_PREFIX = 27;
const LEGACY_FIRST_UNESCAPED_UNIT = 28;
/** Below this many UTF-16 units the old encoding escaped units 0..4 as (4, unit). */
const LEGACY_SHORT_STRING_UNITS = 0x40;
const LEGACY_UNIT_ESCAPE = 4;

/**
 * A key as the old encoding stored it, read back: the reading that encodes back to exactly these
 * bytes. Where two readings do (the encoding was not one-to-one), the short one is taken, which is
 * what lmdb-js itself returned for a read by key. Null when no reading fits.
 */
export function decodeLegacyKvKey(bytes: Uint8Array): string | null {
  const escaped = bytes[0] === LEGACY_ESCAPE_PREFIX;
  const body = escaped ? bytes.subarray(1) : bytes;
  for (const candidate of [decodeLegacyShort(body), decodeLegacyLong(body)]) {
    if (candidate === null || candidate.length === 0) continue;
    if (candidate.charCodeAt(0) < LEGACY_FIRST_UNESCAPED_UNIT !== escaped) continue;
    if (Buffer.compare(encodeLegacyKvKey(candidate), bytes) === 0) return candidate;
  }
  return null;
}

/** The old encoding of a string key (ordered-binary's, for strings), for the check above and tests. */
export function encodeLegacyKvKey(key: string): Buffer {
  const prefix = key.length > 0 && key.charCodeAt(0) < LEGACY_FIRST_UNESCAPED_UNIT ? [LEGACY_ESCAPE_PREFIX] : [];
  if (key.length >= LEGACY_SHORT_STRING_UNITS) return Buffer.concat([Buffer.from(prefix), Buffer.from(key, 'utf8')]);
  const bytes: number[] = [...prefix];
  for (const byte of Buffer.from(key, 'utf8')) {
    if (byte <= LEGACY_UNIT_ESCAPE) bytes.push(LEGACY_UNIT_ESCAPE);
    bytes.push(byte);
  }
  return Buffer.from(bytes);
}

function decodeLegacyLong(body: Uint8Array): string | null {
  const text = tryUtf8(body);
  return text !== null && text.length >= LEGACY_SHORT_STRING_UNITS ? text : null;
}

function decodeLegacyShort(body: Uint8Array): string | null {
  const unescaped: number[] = [];
  for (let i = 0; i < body.byteLength; i++) {
    const byte = body[i] as number;
    if (byte === LEGACY_UNIT_ESCAPE) {
      if (i + 1 >= body.byteLength) return null;
      unescaped.push(body[++i] as number);
    } else {
      unescaped.push(byte);
    }
  }
  const text = tryUtf8(Uint8Array.from(unescaped));
  return text !== null && text.length < LEGACY_SHORT_STRING_UNITS ? text : null;
}

function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
