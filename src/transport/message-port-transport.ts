// A Transport over one MessagePort per peer (worker threads). One frame per
// peer per `send`; a credit window per peer, refilled by the receiver's acks,
// bounds what sits in a port's queue, because postMessage never pushes back:
// a peer whose event loop is stuck (long fsync, GC, crash) would otherwise
// make the sender's and the port's memory grow without bound. Raft tolerates
// lost messages, so over the window we drop and count rather than queue.

import type { MessagePort } from 'node:worker_threads';
import { assert } from '../ground/assert.js';
import type { Message, NodeId } from '../core/types.js';
import { groupByPeer } from './group-by-peer.js';
import { estimateBatchBytes } from './message-size.js';
import { packBatch, unpackBatch } from './msgpack-codec.js';
import type { PeerGoneHandler, ReceiveHandler, Transport } from './types.js';
import { isWireFrame, type AckFrame, type ClonedBatchFrame, type PackedBatchFrame } from './wire-frame.js';

/**
 * 'clone': structured clone of the message array (no encoder in JS, but every
 * Uint8Array is cloned with its whole backing ArrayBuffer: a 100-byte view into
 * Node's 8 KiB Buffer pool costs 8 KiB on the wire).
 * 'msgpack': msgpackr into one buffer per batch, transferred (no copy in the port).
 */
export type WireEncoding = 'clone' | 'msgpack';

/**
 * msgpack is the default, from bench/transport/message-port.ts (two worker
 * threads, 100-byte entries, 2-core box shared with other jobs, three runs):
 * msgpack moved 1.2-1.6x clone's entries/s at 64 entries per AppendEntries and
 * 1.4-2.7x at 512; clone won at 1 entry (msgpack 0.6-0.75x), where per-frame
 * costs dominate and both still exceed 25k appends/s. Throughput matters when
 * batches are large, and the TCP transport will speak msgpack too. Rerun the
 * bench (it writes results/bench-transport.json) to re-check.
 */
export const DEFAULT_WIRE_ENCODING: WireEncoding = 'msgpack';

/** Messages to one peer in one frame; the rest of that peer's messages in the same `send` are dropped. */
export const DEFAULT_MAX_MESSAGES_PER_BATCH = 1024;
/** Sent-but-not-yet-consumed messages per peer before new batches to it are dropped. */
export const DEFAULT_MAX_IN_FLIGHT_MESSAGES_PER_PEER = 4096;
/** Sent-but-not-yet-consumed bytes per peer before new batches to it are dropped. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER = 32 * 1024 * 1024;

export interface MessagePortTransportOptions {
  readonly encoding?: WireEncoding;
  readonly maxMessagesPerBatch?: number;
  /** Must be at least `maxMessagesPerBatch`, so an idle peer always accepts a full batch. */
  readonly maxInFlightMessagesPerPeer?: number;
  /** A single batch larger than this is still sent to an idle peer, or a large snapshot could never go out. */
  readonly maxInFlightBytesPerPeer?: number;
  /**
   * Keep the thread alive while the ports are open. Off by default: the node's
   * own lifecycle (its tick timer) decides when a worker is done, not its links.
   */
  readonly keepThreadAlive?: boolean;
}

interface PeerLink {
  readonly id: NodeId;
  readonly port: MessagePort;
  /** False once either end of the channel has closed; sends to it are dropped. */
  open: boolean;
  postedMessages: number;
  postedBytes: number;
  ackedMessages: number;
  ackedBytes: number;
  consumedMessages: number;
  consumedBytes: number;
  ackDue: boolean;
}

interface MutableStats {
  sentMessages: number;
  sentBatches: number;
  sentBytes: number;
  receivedMessages: number;
  receivedBatches: number;
  droppedMessages: number;
}

export function createMessagePortTransport(selfId: NodeId, ports: ReadonlyMap<NodeId, MessagePort>, options: MessagePortTransportOptions = {}): Transport {
  const encoding = options.encoding ?? DEFAULT_WIRE_ENCODING;
  const maxMessagesPerBatch = options.maxMessagesPerBatch ?? DEFAULT_MAX_MESSAGES_PER_BATCH;
  const maxInFlightMessages = options.maxInFlightMessagesPerPeer ?? DEFAULT_MAX_IN_FLIGHT_MESSAGES_PER_PEER;
  const maxInFlightBytes = options.maxInFlightBytesPerPeer ?? DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER;
  const keepThreadAlive = options.keepThreadAlive ?? false;
  assert(maxMessagesPerBatch >= 1, 'maxMessagesPerBatch is at least 1');
  assert(maxInFlightMessages >= maxMessagesPerBatch, 'the in-flight window holds at least one full batch');
  assert(maxInFlightBytes >= 1, 'maxInFlightBytesPerPeer is at least 1');
  assert(!ports.has(selfId), 'a node has no port to itself');

  const links = new Map<NodeId, PeerLink>();
  for (const [id, port] of ports) {
    const link: PeerLink = {
      id,
      port,
      open: true,
      postedMessages: 0,
      postedBytes: 0,
      ackedMessages: 0,
      ackedBytes: 0,
      consumedMessages: 0,
      consumedBytes: 0,
      ackDue: false,
    };
    // 'close' fires when either end closes (the peer's worker exited or closed its side). Closed by
    // the other end, not by us, it is crash evidence: a live worker never closes its ports.
    port.on('close', () => {
      link.open = false;
      if (!closed) peerGone?.(id);
    });
    links.set(id, link);
  }
  const peers: readonly NodeId[] = Object.freeze([...links.keys()]);
  const stats: MutableStats = {
    sentMessages: 0,
    sentBatches: 0,
    sentBytes: 0,
    receivedMessages: 0,
    receivedBatches: 0,
    droppedMessages: 0,
  };
  let handler: ReceiveHandler | null = null;
  let peerGone: PeerGoneHandler | null = null;
  let closed = false;
  let ackFlush: ReturnType<typeof setImmediate> | null = null;

  function sendBatch(link: PeerLink, batch: readonly Message[]): void {
    const inFlightMessages = link.postedMessages - link.ackedMessages;
    if (!link.open || inFlightMessages + batch.length > maxInFlightMessages) {
      stats.droppedMessages += batch.length;
      return;
    }
    const packed = encoding === 'msgpack' ? packBatch(batch) : null;
    const bytes = packed !== null ? packed.byteLength : estimateBatchBytes(batch);
    const inFlightBytes = link.postedBytes - link.ackedBytes;
    if (inFlightBytes > 0 && inFlightBytes + bytes > maxInFlightBytes) {
      stats.droppedMessages += batch.length;
      return;
    }
    const ackNow = 2 * (inFlightMessages + batch.length) >= maxInFlightMessages || 2 * (inFlightBytes + bytes) >= maxInFlightBytes;
    if (packed !== null) {
      const frame: PackedBatchFrame = { kind: 'packed-batch', bytes: packed, ackNow };
      link.port.postMessage(frame, [packed.buffer as ArrayBuffer]);
      stats.sentBytes += bytes;
    } else {
      const frame: ClonedBatchFrame = { kind: 'cloned-batch', messages: batch, accountedBytes: bytes, ackNow };
      link.port.postMessage(frame);
    }
    link.postedMessages += batch.length;
    link.postedBytes += bytes;
    stats.sentMessages += batch.length;
    stats.sentBatches += 1;
  }

  function send(messages: readonly Message[]): void {
    if (closed) {
      stats.droppedMessages += messages.length;
      return;
    }
    for (const [to, batch] of groupByPeer(selfId, messages)) {
      const link = links.get(to);
      // An unknown peer is not a bug: membership can name a node before the
      // supervisor has wired a channel to it.
      if (link === undefined) {
        stats.droppedMessages += batch.length;
        continue;
      }
      if (batch.length > maxMessagesPerBatch) {
        stats.droppedMessages += batch.length - maxMessagesPerBatch;
        batch.length = maxMessagesPerBatch;
      }
      sendBatch(link, batch);
    }
  }

  function postAck(link: PeerLink): void {
    link.ackDue = false;
    const ack: AckFrame = {
      kind: 'ack',
      consumedMessages: link.consumedMessages,
      consumedBytes: link.consumedBytes,
    };
    link.port.postMessage(ack);
  }

  function flushAcks(): void {
    ackFlush = null;
    if (closed) return;
    for (const link of links.values()) if (link.ackDue) postAck(link);
  }

  function receiveFrame(link: PeerLink, frame: unknown): void {
    if (closed) return;
    assert(isWireFrame(frame), `a frame from ${link.id} is a replikit wire frame`);
    if (frame.kind === 'ack') {
      // Acks are cumulative and a port is FIFO, so they only move forward.
      assert(frame.consumedMessages <= link.postedMessages, `${link.id} acks no more than was sent to it`);
      link.ackedMessages = frame.consumedMessages;
      link.ackedBytes = frame.consumedBytes;
      return;
    }
    let messages: readonly Message[];
    let bytes: number;
    if (frame.kind === 'packed-batch') {
      messages = unpackBatch(frame.bytes);
      bytes = frame.bytes.byteLength;
    } else {
      messages = frame.messages;
      bytes = frame.accountedBytes;
    }
    stats.receivedMessages += messages.length;
    stats.receivedBatches += 1;
    assert(handler !== null, 'ports start only once a receiver is registered');
    handler(messages);
    // Ack after the handler: a receiver that is slow to consume is exactly the
    // peer whose sender must stop adding to its queue.
    link.consumedMessages += messages.length;
    link.consumedBytes += bytes;
    if (closed) return; // the handler may have closed the transport
    if (frame.ackNow) {
      postAck(link);
      return;
    }
    // Otherwise one ack per peer per event-loop turn, however many frames arrived in it.
    link.ackDue = true;
    ackFlush ??= setImmediate(flushAcks);
  }

  function onReceive(receiver: ReceiveHandler): void {
    assert(handler === null, 'a transport has a single receiver');
    handler = receiver;
    if (closed) return;
    // Ports start delivering only now: until then frames wait in the channel,
    // bounded by each sender's in-flight window, instead of being lost.
    for (const link of links.values()) {
      link.port.on('message', (frame: unknown) => receiveFrame(link, frame));
      if (!keepThreadAlive) link.port.unref();
    }
  }

  function close(): void {
    if (closed) return;
    closed = true;
    if (ackFlush !== null) clearImmediate(ackFlush);
    ackFlush = null;
    for (const link of links.values()) {
      link.open = false;
      link.port.close();
    }
  }

  return {
    send,
    onReceive,
    onPeerGone: (listener: PeerGoneHandler) => {
      assert(peerGone === null, 'a transport has a single crash-evidence listener');
      peerGone = listener;
    },
    peers,
    close,
    stats: () => ({ ...stats }),
  };
}
