// Counters of a TCP transport: the common TransportStats plus what only a
// network transport has (dials, refusals, protocol errors).

import type { TransportStats } from '../types.js';

/** Monotonic counters since the transport was created. */
export interface TcpTransportStats extends TransportStats {
  /** Outbound dials started (first connections and reconnects). */
  readonly connectAttempts: number;
  /** Outbound connections that finished the handshake. */
  readonly connects: number;
  /** Of `connects`, those to a peer this transport had been connected to before. */
  readonly reconnects: number;
  /** Inbound connections that finished the handshake. */
  readonly acceptedConnections: number;
  /**
   * Connections closed before they were authenticated: a bad or missing
   * handshake either way, a TLS failure, a timeout, a garbage frame, or over
   * the pending-handshake limit. Each such connection counts once.
   */
  readonly refusedConnections: number;
  /** Authenticated connections closed because a frame broke the protocol. */
  readonly protocolErrors: number;
  /** Received messages not delivered: `from`/`to` not matching the connection, or no receiver yet. */
  readonly droppedReceivedMessages: number;
}

export type MutableTcpStats = { -readonly [K in keyof TcpTransportStats]: TcpTransportStats[K] };

export function emptyTcpStats(): MutableTcpStats {
  return {
    sentMessages: 0,
    sentBatches: 0,
    sentBytes: 0,
    receivedMessages: 0,
    receivedBatches: 0,
    droppedMessages: 0,
    connectAttempts: 0,
    connects: 0,
    reconnects: 0,
    acceptedConnections: 0,
    refusedConnections: 0,
    protocolErrors: 0,
    droppedReceivedMessages: 0,
  };
}
