// A Transport over TCP (optionally mutual TLS) between processes on different
// hosts.
//
// Connection rule: two one-directional connections per pair of nodes. Each
// node dials every peer and uses that connection only to send; it accepts the
// peers' connections only to receive. There is no tie-break to get wrong and
// no race when both ends dial at once: each direction lives, fails and
// reconnects on its own, and a node that restarts simply dials again (its
// newer inbound connection replaces the stale one at the listener). The cost
// is two sockets per pair, which is nothing at Raft cluster sizes.
//
// Each `send` groups messages by peer and writes one length-prefixed msgpack
// frame per peer (see frame-codec.ts, batch-codec.ts); handshake.ts describes
// how both ends prove they hold the cluster's shared secret.

import { assert } from '../../ground/assert.js';
import type { Message, NodeId } from '../../core/types.js';
import { groupByPeer } from '../group-by-peer.js';
import { createSeededRandom } from '../seeded-random.js';
import type { PeerGoneHandler, ReceiveHandler, Transport } from '../types.js';
import { seedFromString } from './backoff.js';
import { encodeBatchFrame } from './batch-codec.js';
import { FRAME_HEADER_BYTES } from './frame-codec.js';
import { Listener } from './listener.js';
import { isValidPort, resolveOptions, type TcpAddress, type TcpTransportOptions } from './options.js';
import { OutboundLink, type OutboundState } from './outbound-link.js';
import { createSocketFactory } from './sockets.js';
import { emptyTcpStats, type TcpTransportStats } from './stats.js';

export interface TcpPeerStatus {
  readonly address: TcpAddress;
  /** Our connection to the peer (what we send on). */
  readonly outbound: OutboundState;
  /** Whether the peer's connection to us (what we receive on) is authenticated right now. */
  readonly inboundConnected: boolean;
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  readonly consecutiveFailures: number;
}

export interface TcpTransport extends Transport {
  /** Starts accepting peers' connections; resolves with the bound address (the real port when 0 was asked). */
  listen(): Promise<TcpAddress>;
  /** Points a known peer at a new address (it moved, or its port was only known after it listened). */
  setPeerAddress(peer: NodeId, address: TcpAddress): void;
  peerStatus(): Readonly<Record<NodeId, TcpPeerStatus>>;
  stats(): TcpTransportStats;
  /** Like `close`, and resolves once the listening port is released. */
  closeAsync(): Promise<void>;
}

export function createTcpTransport(options: TcpTransportOptions): TcpTransport {
  const limits = resolveOptions(options);
  const selfId = options.selfId;
  const log = options.log ?? (() => {});
  const logLine = (line: string): void => log(`tcp ${selfId}: ${line}`);
  const keys = { clusterId: options.clusterId, secret: Uint8Array.from(options.secret) };
  const sockets = createSocketFactory({ tls: options.tls, tlsHandshakeTimeoutMs: limits.handshakeTimeoutMs });
  const random = createSeededRandom(options.seed ?? seedFromString(selfId));
  const stats = emptyTcpStats();
  const peers: readonly NodeId[] = Object.freeze(Object.keys(options.peers));
  const peerSet: ReadonlySet<NodeId> = new Set(peers);
  let handler: ReceiveHandler | null = null;
  let peerGone: PeerGoneHandler | null = null;
  let closed = false;
  let listening: Promise<TcpAddress> | null = null;
  let closing: Promise<void> | null = null;

  function deliver(peer: NodeId, messages: readonly Message[]): void {
    if (closed) return;
    // Only the authenticated sender's own messages to us; anything else is a
    // confused or lying peer, and the core must never see it.
    const accepted = messages.filter((message) => message.from === peer && message.to === selfId);
    const rejected = messages.length - accepted.length;
    if (rejected > 0) {
      stats.droppedReceivedMessages += rejected;
      logLine(`dropped ${rejected} message(s) from ${peer} not sent by ${peer} to ${selfId}`);
    }
    if (accepted.length === 0) return;
    if (handler === null) {
      // No receiver yet: Raft recovers from lost messages, and holding them would be unbounded.
      stats.droppedReceivedMessages += accepted.length;
      return;
    }
    stats.receivedMessages += accepted.length;
    stats.receivedBatches += 1;
    handler(accepted);
  }

  const links = new Map<NodeId, OutboundLink>();
  const listener = new Listener({
    selfId,
    keys,
    limits,
    sockets,
    stats,
    log: logLine,
    peers: peerSet,
    onBatch: deliver,
    onPeerConnected: (peer) => links.get(peer)?.peerIsUp(),
  });

  for (const peer of peers) {
    const address = options.peers[peer];
    assert(address !== undefined, 'every listed peer has an address');
    links.set(
      peer,
      new OutboundLink(
        {
          selfId,
          peerId: peer,
          keys,
          limits,
          sockets,
          random,
          stats,
          log: logLine,
          onPeerGone: () => {
            if (!closed) peerGone?.(peer);
          },
        },
        { ...address },
      ),
    );
  }

  function send(messages: readonly Message[]): void {
    if (closed) {
      stats.droppedMessages += messages.length;
      return;
    }
    for (const [to, batch] of groupByPeer(selfId, messages)) {
      const link = links.get(to);
      // Membership can name a node before it is configured here; not a bug.
      if (link === undefined || !link.canAccept(batch.length)) {
        stats.droppedMessages += batch.length;
        continue;
      }
      const frame = encodeBatchFrame(batch);
      if (frame.byteLength - FRAME_HEADER_BYTES > limits.maxFrameBytes) {
        stats.droppedMessages += batch.length;
        logLine(`dropped a ${frame.byteLength}-byte batch to ${to}: over the ${limits.maxFrameBytes}-byte frame limit`);
        continue;
      }
      link.send(frame, batch.length);
    }
  }

  function onReceive(receiver: ReceiveHandler): void {
    assert(handler === null, 'a transport has a single receiver');
    handler = receiver;
  }

  function listen(): Promise<TcpAddress> {
    if (closed) return Promise.reject(new Error(`tcp transport ${selfId} is closed`));
    listening ??= listener.listen(options.listen);
    return listening;
  }

  function setPeerAddress(peer: NodeId, address: TcpAddress): void {
    const link = links.get(peer);
    assert(link !== undefined, `${peer} is a configured peer`);
    assert(isValidPort(address.port), `peer ${peer}'s port is 0..65535`);
    link.setAddress({ ...address });
  }

  function peerStatus(): Record<NodeId, TcpPeerStatus> {
    const connected = new Set(listener.connectedPeers());
    const status: Record<NodeId, TcpPeerStatus> = {};
    for (const [peer, link] of links) {
      status[peer] = {
        address: link.currentAddress,
        outbound: link.currentState,
        inboundConnected: connected.has(peer),
        queuedMessages: link.queuedMessages,
        queuedBytes: link.queuedBytes,
        consecutiveFailures: link.consecutiveFailures,
      };
    }
    return status;
  }

  function closeAsync(): Promise<void> {
    if (closing !== null) return closing;
    closed = true;
    for (const link of links.values()) link.close();
    closing = listener.close();
    return closing;
  }

  return {
    send,
    onReceive,
    onPeerGone: (listener: PeerGoneHandler) => {
      assert(peerGone === null, 'a transport has a single crash-evidence listener');
      peerGone = listener;
    },
    peers,
    close: () => void closeAsync(),
    stats: () => ({ ...stats }),
    listen,
    setPeerAddress,
    peerStatus,
    closeAsync,
  };
}
