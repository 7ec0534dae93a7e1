// A stored record is [CRC-32 of the rest, 4 bytes big-endian][rest]. The
// checksum lets `load` tell a torn or rotted record from a good one.

import { Buffer } from 'node:buffer';
import { crc32 } from './crc32.js';

export const CHECKSUM_BYTES = 4;

/**
 * A record with room for `bodyBytes` after the checksum. allocUnsafe draws
 * small records from Node's pool (a zeroed `new Uint8Array` costs more than
 * the checksum); callers write every byte, then call `writeChecksum`.
 */
export function allocateRecord(bodyBytes: number): Buffer {
  return Buffer.allocUnsafe(CHECKSUM_BYTES + bodyBytes);
}

export function writeChecksum(record: Buffer): Buffer {
  record.writeUInt32BE(crc32(record.subarray(CHECKSUM_BYTES)), 0);
  return record;
}

export function seal(payload: Uint8Array): Uint8Array {
  const record = allocateRecord(payload.byteLength);
  record.set(payload, CHECKSUM_BYTES);
  return writeChecksum(record);
}

/** The payload, or null when the record is too short or its checksum does not match. */
export function unseal(record: Uint8Array): Uint8Array | null {
  if (record.byteLength < CHECKSUM_BYTES) return null;
  const stored = ((record[0]! << 24) | (record[1]! << 16) | (record[2]! << 8) | record[3]!) >>> 0;
  const payload = record.subarray(CHECKSUM_BYTES);
  return crc32(payload) === stored ? payload : null;
}
