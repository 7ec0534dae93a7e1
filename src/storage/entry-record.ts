// A log entry on disk:
//   [CRC-32][index: f64 BE][term: f64 BE][msgpack([format, kind, data, membership])]
// Index and term sit in a fixed header so a persist can check the term of a
// stored entry without checksumming and decoding a payload of up to a megabyte.
// The msgpack tuple is positional and writes absent optional fields as null,
// so a decoded Entry carries exactly the fields written.

import type { Entry } from '../core/types.js';
import { packValue, unpackValue } from './msgpack.js';
import { isEntryKind, isIndex, membershipFromTuple, membershipToTuple, RECORD_FORMAT_V1 } from './record-shapes.js';
import { allocateRecord, CHECKSUM_BYTES, unseal, writeChecksum } from './sealed-record.js';

const INDEX_OFFSET = CHECKSUM_BYTES;
const TERM_OFFSET = INDEX_OFFSET + 8;
const BODY_OFFSET = TERM_OFFSET + 8;

export function encodeEntryRecord(entry: Entry): Uint8Array {
  const body = packValue([RECORD_FORMAT_V1, entry.kind, entry.data ?? null, entry.membership ? membershipToTuple(entry.membership) : null]);
  const record = allocateRecord(BODY_OFFSET - CHECKSUM_BYTES + body.byteLength);
  record.writeDoubleBE(entry.index, INDEX_OFFSET);
  record.writeDoubleBE(entry.term, TERM_OFFSET);
  record.set(body, BODY_OFFSET);
  return writeChecksum(record);
}

/**
 * The term in a record's header, unverified (no checksum): good enough for a
 * consistency check at persist time, since load verifies every record anyway.
 */
export function peekEntryTerm(record: Uint8Array): number | undefined {
  if (record.byteLength < BODY_OFFSET) return undefined;
  const term = new DataView(record.buffer, record.byteOffset, record.byteLength).getFloat64(TERM_OFFSET, false);
  return isIndex(term) ? term : undefined;
}

/** The entry, or null when the record is torn, corrupt, or not an entry. */
export function decodeEntryRecord(record: Uint8Array): Entry | null {
  if (record.byteLength < BODY_OFFSET || unseal(record) === null) return null;
  const header = new DataView(record.buffer, record.byteOffset, BODY_OFFSET);
  const index = header.getFloat64(INDEX_OFFSET, false);
  const term = header.getFloat64(TERM_OFFSET, false);
  let tuple: unknown;
  try {
    tuple = unpackValue(record.subarray(BODY_OFFSET));
  } catch {
    return null;
  }
  if (!Array.isArray(tuple) || tuple.length !== 4 || tuple[0] !== RECORD_FORMAT_V1) return null;
  const [, kind, data, membershipTuple] = tuple as unknown[];
  if (!isIndex(index) || !isIndex(term) || !isEntryKind(kind)) return null;
  if (data !== null && !(data instanceof Uint8Array)) return null;
  let membership = null;
  if (membershipTuple !== null) {
    membership = membershipFromTuple(membershipTuple);
    if (membership === null) return null;
  }
  return {
    index,
    term,
    kind,
    ...(data !== null ? { data } : {}),
    ...(membership !== null ? { membership } : {}),
  };
}
