// A batch of messages as one frame payload: msgpackr with records, the same
// encoding the MessagePort transport uses (see ../msgpack-codec.ts for why the
// decoded `data` fields are views into the frame and who must copy them).
// Decoding is total: hostile or corrupt bytes give a reason, never a throw.

import { Packr, Unpackr } from 'msgpackr';
import type { Message } from '../../core/types.js';
import { encodeFrame } from './frame-codec.js';
import { isMessage } from './message-shape.js';

// Record shapes travel inline in every payload and the Unpackr keeps no shared
// structures, so one payload's shapes cannot leak into the next one's decoding.
const packr = new Packr({ useRecords: true });
const unpackr = new Unpackr({ useRecords: true });

/** Header and payload in one buffer; msgpackr's scratch buffer is copied out once, into it. */
export function encodeBatchFrame(messages: readonly Message[]): Buffer {
  return encodeFrame(packr.pack(messages));
}

export type DecodedBatch = { readonly ok: true; readonly messages: readonly Message[] } | { readonly ok: false; readonly reason: string };

export function decodeBatch(payload: Uint8Array): DecodedBatch {
  let decoded: unknown;
  try {
    // A plain Uint8Array view (no copy) of what is usually a Buffer, so the
    // decoded `data` fields are plain Uint8Arrays as with the MessagePort transport.
    decoded = unpackr.unpack(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
  } catch (error) {
    // msgpackr throws on truncated or malformed input (and RangeError on absurd nesting).
    return { ok: false, reason: `undecodable payload (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!Array.isArray(decoded)) return { ok: false, reason: 'payload is not an array of messages' };
  if (decoded.length === 0) return { ok: false, reason: 'empty batch' };
  for (const [i, value] of decoded.entries()) {
    if (!isMessage(value)) return { ok: false, reason: `item ${i} of the batch is not a message` };
  }
  return { ok: true, messages: decoded as Message[] };
}
