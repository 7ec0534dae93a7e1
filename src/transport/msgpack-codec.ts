// Packs one batch of messages into one buffer that owns its memory, so the
// sender can transfer it (zero-copy through the port) without detaching
// anything it still uses.

import { Packr, Unpackr } from 'msgpackr';
import { assert } from '../ground/assert.js';
import type { Message } from '../core/types.js';

// Records (msgpackr's default) write each object shape once per buffer; with no
// shared structures the shape definitions travel inline, so any Unpackr in any
// thread can decode a batch on its own.
const packr = new Packr({ useRecords: true });

// Decoded `data` fields are views into the received batch buffer, not copies:
// allocating one ArrayBuffer per entry made decoding a 512-entry batch about
// 10x slower (measured: ~760us vs ~70us). The cost is on the consumer: a view
// keeps the whole batch alive while it lives, and structured-cloning or
// transferring it later would copy or detach the entire batch, so whoever keeps
// an entry's bytes long-term or posts them to another thread copies them first
// (`data.slice()`).
const unpackr = new Unpackr({ useRecords: true });

export function packBatch(messages: readonly Message[]): Uint8Array {
  const packed = packr.pack(messages);
  // msgpackr returns a view into its module-wide scratch buffer (shared by every
  // Packr in this thread, lmdb's included). Transferring that would detach it,
  // so copy out once into a buffer of exactly this batch's size.
  return new Uint8Array(packed);
}

export function unpackBatch(bytes: Uint8Array): Message[] {
  const decoded: unknown = unpackr.unpack(bytes);
  assert(Array.isArray(decoded), 'a packed batch decodes to an array of messages');
  return decoded as Message[];
}
