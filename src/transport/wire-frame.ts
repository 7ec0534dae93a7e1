// What actually crosses a MessagePort between two message-port transports.
// Data frames carry one batch; ack frames carry the receiver's cumulative
// consumption so the sender can bound what is in flight (MessagePort itself
// has no backpressure: postMessage never fails and the receiving queue grows
// without bound when the receiver's event loop is busy).

import type { Message } from '../core/types.js';

/** A batch as a structured clone of the message array. */
export interface ClonedBatchFrame {
  readonly kind: 'cloned-batch';
  readonly messages: readonly Message[];
  /** The size the sender charged to its in-flight window, echoed back in acks. */
  readonly accountedBytes: number;
  readonly ackNow: boolean;
}

/** A batch packed by msgpackr into one buffer, whose ArrayBuffer is transferred. */
export interface PackedBatchFrame {
  readonly kind: 'packed-batch';
  readonly bytes: Uint8Array;
  readonly ackNow: boolean;
}

// `ackNow`: the sender's window is at least half full, so the receiver acks
// right after this frame instead of once per event-loop turn. Under steady
// ping-pong traffic a turn can take many frames to end (libuv keeps polling
// while messages keep arriving), and a window waiting for it would run dry.

/** Cumulative totals the receiver has handed to its handler; idempotent, so coalescing is safe. */
export interface AckFrame {
  readonly kind: 'ack';
  readonly consumedMessages: number;
  readonly consumedBytes: number;
}

export type WireFrame = ClonedBatchFrame | PackedBatchFrame | AckFrame;

export function isWireFrame(value: unknown): value is WireFrame {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  switch (kind) {
    case 'cloned-batch':
      return Array.isArray((value as ClonedBatchFrame).messages);
    case 'packed-batch':
      return (value as PackedBatchFrame).bytes instanceof Uint8Array;
    case 'ack':
      return typeof (value as AckFrame).consumedMessages === 'number';
    default:
      return false;
  }
}
