// A stored record is [CRC-32 of payload, 4 bytes big-endian][payload]. The
// checksum lets `load` tell a torn or rotted record from a good one.

import { crc32 } from './crc32.js';

const CHECKSUM_BYTES = 4;

export function seal(payload: Uint8Array): Uint8Array {
  const record = new Uint8Array(CHECKSUM_BYTES + payload.byteLength);
  new DataView(record.buffer).setUint32(0, crc32(payload), false);
  record.set(payload, CHECKSUM_BYTES);
  return record;
}

/** The payload, or null when the record is too short or its checksum does not match. */
export function unseal(record: Uint8Array): Uint8Array | null {
  if (record.byteLength < CHECKSUM_BYTES) return null;
  const stored = new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(0, false);
  const payload = record.subarray(CHECKSUM_BYTES);
  return crc32(payload) === stored ? payload : null;
}
