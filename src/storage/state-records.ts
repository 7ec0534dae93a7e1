// The non-log records: hard state, newest snapshot, bootstrap membership and
// the state machine's applied index, each seal(msgpack([format, ...fields])).
// Decoders return null for a torn, corrupt or foreign record; the caller
// decides whether that is repairable.

import type { HardState, Membership, Snapshot } from '../core/types.js';
import { packValue, unpackValue } from './msgpack.js';
import { isIndex, membershipFromTuple, membershipToTuple, RECORD_FORMAT_V1 } from './record-shapes.js';
import { seal, unseal } from './sealed-record.js';

function encodeTuple(fields: readonly unknown[]): Uint8Array {
  return seal(packValue([RECORD_FORMAT_V1, ...fields]));
}

/** The fields after the format marker, or null if the record is unusable. */
function decodeTuple(record: Uint8Array, fieldCount: number): unknown[] | null {
  const payload = unseal(record);
  if (payload === null) return null;
  let tuple: unknown;
  try {
    tuple = unpackValue(payload);
  } catch {
    return null;
  }
  if (!Array.isArray(tuple) || tuple.length !== fieldCount + 1 || tuple[0] !== RECORD_FORMAT_V1) return null;
  return tuple.slice(1) as unknown[];
}

export function encodeHardStateRecord(hardState: HardState): Uint8Array {
  return encodeTuple([hardState.term, hardState.vote, hardState.commit]);
}

export function decodeHardStateRecord(record: Uint8Array): HardState | null {
  const fields = decodeTuple(record, 3);
  if (fields === null) return null;
  const [term, vote, commit] = fields;
  if (!isIndex(term) || !isIndex(commit) || (vote !== null && typeof vote !== 'string')) return null;
  return { term, vote, commit };
}

export function encodeSnapshotRecord(snapshot: Snapshot): Uint8Array {
  const { meta, data } = snapshot;
  return encodeTuple([meta.index, meta.term, membershipToTuple(meta.membership), data]);
}

export function decodeSnapshotRecord(record: Uint8Array): Snapshot | null {
  const fields = decodeTuple(record, 4);
  if (fields === null) return null;
  const [index, term, membershipTuple, data] = fields;
  const membership = membershipFromTuple(membershipTuple);
  if (!isIndex(index) || !isIndex(term) || membership === null || !(data instanceof Uint8Array)) return null;
  return { meta: { index, term, membership }, data };
}

export function encodeMembershipRecord(membership: Membership): Uint8Array {
  return encodeTuple([membershipToTuple(membership)]);
}

export function decodeMembershipRecord(record: Uint8Array): Membership | null {
  const fields = decodeTuple(record, 1);
  return fields === null ? null : membershipFromTuple(fields[0]);
}

export function encodeIndexRecord(index: number): Uint8Array {
  return encodeTuple([index]);
}

export function decodeIndexRecord(record: Uint8Array): number | null {
  const fields = decodeTuple(record, 1);
  const index = fields?.[0];
  return isIndex(index) ? index : null;
}

/** The index and term a stored snapshot covers, kept as its own small record so a persist can check them without decoding the image. */
export interface SnapshotPosition {
  readonly index: number;
  readonly term: number;
}

export function encodeSnapshotPositionRecord(position: SnapshotPosition): Uint8Array {
  return encodeTuple([position.index, position.term]);
}

export function decodeSnapshotPositionRecord(record: Uint8Array): SnapshotPosition | null {
  const fields = decodeTuple(record, 2);
  if (fields === null) return null;
  const [index, term] = fields;
  return isIndex(index) && isIndex(term) ? { index, term } : null;
}
