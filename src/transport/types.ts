// The transport is how a node's runtime moves the core's messages between
// nodes. It knows nothing about Raft beyond `Message.to`/`Message.from`, so a
// MessagePort transport (worker threads) and a TCP transport (length-prefixed
// frames) can implement the same interface.

import type { Message, NodeId } from '../core/types.js';

export type ReceiveHandler = (messages: readonly Message[]) => void;

/**
 * Evidence that a peer's thread or process is gone: its channel closed and it cannot be reached
 * again (a MessagePort whose other end closed, a TCP connection closed by the peer whose redial is
 * refused). Never raised for silence, a slow peer or a partition: only for what a live peer cannot
 * cause.
 */
export type PeerGoneHandler = (peer: NodeId) => void;

/** Monotonic counters since the transport was created. */
export interface TransportStats {
  /** Messages handed to the wire (a duplicated message counts twice). */
  readonly sentMessages: number;
  /** Frames handed to the wire: at most one per peer per `send` call. */
  readonly sentBatches: number;
  /** Encoded bytes handed to the wire; 0 where the size is not observable (structured clone). */
  readonly sentBytes: number;
  readonly receivedMessages: number;
  readonly receivedBatches: number;
  /** Messages not sent: over a limit, to an unknown or closed peer, or dropped by an injected fault. */
  readonly droppedMessages: number;
}

export interface Transport {
  /** Queue messages of one loop turn; each peer gets at most one postMessage/frame per call. Never blocks. */
  send(messages: readonly Message[]): void;
  /** Register the single receiver; called with every batch that arrived (in arrival order per peer). */
  onReceive(handler: ReceiveHandler): void;
  /** Register the single listener for crash evidence; a transport that can see none never calls it. */
  onPeerGone?(handler: PeerGoneHandler): void;
  /** Peers this transport can reach. */
  readonly peers: readonly NodeId[];
  close(): void;
  stats(): TransportStats;
}
