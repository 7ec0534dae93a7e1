// The one msgpack dialect storage writes, so a record packed by one
// implementation (or one version of this code) unpacks the same in another.

import { Packr } from 'msgpackr';

const packr = new Packr({
  // Plain msgpack maps, no shared-structure table: every record must decode on
  // its own, because the record holding a shared table could be the corrupt one.
  useRecords: false,
  // Decoded byte strings own their memory instead of viewing the read buffer,
  // which LMDB and the caller may reuse.
  copyBuffers: true,
});

export function packValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Throws on malformed input; callers that read from disk catch and treat it as corruption. */
export function unpackValue(bytes: Uint8Array): unknown {
  // A plain Uint8Array view makes byte strings decode as Uint8Array rather than
  // Buffer, so a command payload comes back as the type it went in as.
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return packr.unpack(plain);
}
