// A log entry on disk: seal(msgpack([format, index, term, kind, data, membership])).
// A positional tuple keeps records small and makes absent optional fields
// explicit (null), so a decoded Entry carries exactly the fields written.

import type { Entry } from '../core/types.js';
import { packValue, unpackValue } from './msgpack.js';
import {
  isEntryKind,
  isIndex,
  membershipFromTuple,
  membershipToTuple,
  RECORD_FORMAT_V1,
} from './record-shapes.js';
import { seal, unseal } from './sealed-record.js';

export function encodeEntryRecord(entry: Entry): Uint8Array {
  return seal(
    packValue([
      RECORD_FORMAT_V1,
      entry.index,
      entry.term,
      entry.kind,
      entry.data ?? null,
      entry.membership ? membershipToTuple(entry.membership) : null,
    ]),
  );
}

/** The entry, or null when the record is torn, corrupt, or not an entry. */
export function decodeEntryRecord(record: Uint8Array): Entry | null {
  const payload = unseal(record);
  if (payload === null) return null;
  let tuple: unknown;
  try {
    tuple = unpackValue(payload);
  } catch {
    return null;
  }
  if (!Array.isArray(tuple) || tuple.length !== 6 || tuple[0] !== RECORD_FORMAT_V1) return null;
  const [, index, term, kind, data, membershipTuple] = tuple as unknown[];
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
