// Packs one batch of messages into one buffer that owns its memory, so the
// sender can transfer it (zero-copy through the port) without detaching
// anything it still uses.

import { Packr, Unpackr } from 'msgpackr';
import { assert } from '../core/assert.js';
import type { Message } from '../core/types.js';

// Records (msgpackr's default) write each object shape once per buffer; with no
// shared structures the shape definitions travel inline, so any Unpackr in any
// thread can decode a batch on its own.
const packr = new Packr({ useRecords: true });

// copyBuffers: a decoded `data` is then its own exact-size Uint8Array rather than
// a view into the whole batch. A view would keep the batch alive as long as any
// one entry is, and structured-cloning or transferring it later would copy or
// detach the entire batch instead of the entry.
const unpackr = new Unpackr({ useRecords: true, copyBuffers: true });

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
