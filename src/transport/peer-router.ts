// One transport per peer behind the Transport interface, so the supervisor can
// replace the channel to a single peer when that peer restarts (its old port
// died with its worker) without touching the others.

import type { Message, NodeId } from '../core/types.js';
import type { PeerGoneHandler, ReceiveHandler, Transport, TransportStats } from './types.js';

export class PeerRouter implements Transport {
  private readonly byPeer = new Map<NodeId, Transport>();
  private handler: ReceiveHandler | null = null;
  private peerGone: PeerGoneHandler | null = null;
  /** Counters of transports already replaced, so stats stay monotonic. */
  private retired: TransportStats = emptyStats();
  private unroutable = 0;

  get peers(): readonly NodeId[] {
    return [...this.byPeer.keys()];
  }

  /** Route messages for `peer` through `transport` from now on; the old one is closed. */
  setPeer(peer: NodeId, transport: Transport): void {
    const old = this.byPeer.get(peer);
    if (old) {
      this.retired = addStats(this.retired, old.stats());
      old.close();
    }
    this.byPeer.set(peer, transport);
    if (this.handler) transport.onReceive(this.handler);
    // Only the current channel's end is evidence: the old one was closed here, on purpose.
    transport.onPeerGone?.((gone) => {
      if (this.byPeer.get(gone) === transport) this.peerGone?.(gone);
    });
  }

  onPeerGone(handler: PeerGoneHandler): void {
    this.peerGone = handler;
  }

  send(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    const grouped = new Map<NodeId, Message[]>();
    for (const message of messages) {
      const group = grouped.get(message.to);
      if (group) group.push(message);
      else grouped.set(message.to, [message]);
    }
    for (const [peer, group] of grouped) {
      const transport = this.byPeer.get(peer);
      if (transport) transport.send(group);
      else this.unroutable += group.length;
    }
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
    for (const transport of this.byPeer.values()) transport.onReceive(handler);
  }

  close(): void {
    for (const transport of this.byPeer.values()) transport.close();
    this.byPeer.clear();
  }

  stats(): TransportStats {
    let total = addStats(this.retired, { ...emptyStats(), droppedMessages: this.unroutable });
    for (const transport of this.byPeer.values()) total = addStats(total, transport.stats());
    return total;
  }
}

function emptyStats(): TransportStats {
  return { sentMessages: 0, sentBatches: 0, sentBytes: 0, receivedMessages: 0, receivedBatches: 0, droppedMessages: 0 };
}

function addStats(a: TransportStats, b: TransportStats): TransportStats {
  return {
    sentMessages: a.sentMessages + b.sentMessages,
    sentBatches: a.sentBatches + b.sentBatches,
    sentBytes: a.sentBytes + b.sentBytes,
    receivedMessages: a.receivedMessages + b.receivedMessages,
    receivedBatches: a.receivedBatches + b.receivedBatches,
    droppedMessages: a.droppedMessages + b.droppedMessages,
  };
}
