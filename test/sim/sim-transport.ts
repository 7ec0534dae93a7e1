// One node incarnation's Transport in the simulator: sends go to the seeded
// network, deliveries come from it, and crash evidence about a peer reaches
// the runtime as the real transports report it.

import type { Message, NodeId } from '../../src/core/index.js';
import type { PeerGoneHandler, ReceiveHandler, Transport, TransportStats } from '../../src/transport/types.js';

export class SimTransport implements Transport {
  private receiver: ReceiveHandler | null = null;
  private peerGoneHandler: PeerGoneHandler | null = null;
  private closed = false;
  private sent = 0;
  private received = 0;

  constructor(
    readonly peers: readonly NodeId[],
    private readonly network: (message: Message) => void,
  ) {}

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    for (const message of messages) this.network(message);
    this.sent += messages.length;
  }

  onReceive(handler: ReceiveHandler): void {
    this.receiver = handler;
  }

  onPeerGone(handler: PeerGoneHandler): void {
    this.peerGoneHandler = handler;
  }

  deliver(messages: readonly Message[]): void {
    if (this.closed || !this.receiver || messages.length === 0) return;
    this.received += messages.length;
    this.receiver(messages);
  }

  reportPeerGone(peer: NodeId): void {
    if (!this.closed) this.peerGoneHandler?.(peer);
  }

  close(): void {
    this.closed = true;
  }

  stats(): TransportStats {
    return { sentMessages: this.sent, sentBatches: 0, sentBytes: 0, receivedMessages: this.received, receivedBatches: 0, droppedMessages: 0 };
  }
}
