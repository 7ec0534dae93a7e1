// The server side: accepts connections, bounds how many strangers may be
// mid-handshake at once, and keeps one authenticated inbound connection per
// peer (a newer one replaces the older: the peer restarted or lost its socket
// without us noticing yet).

import type * as net from 'node:net';
import { assert } from '../../ground/assert.js';
import type { Message, NodeId } from '../../core/types.js';
import type { HandshakeKeys } from './handshake.js';
import { InboundConnection } from './inbound-connection.js';
import type { ResolvedLimits, TcpAddress } from './options.js';
import type { SocketFactory } from './sockets.js';
import type { MutableTcpStats } from './stats.js';

export interface ListenerDeps {
  readonly selfId: NodeId;
  readonly keys: HandshakeKeys;
  readonly limits: ResolvedLimits;
  readonly sockets: SocketFactory;
  readonly stats: MutableTcpStats;
  readonly log: (line: string) => void;
  readonly peers: ReadonlySet<NodeId>;
  readonly onBatch: (peer: NodeId, messages: readonly Message[]) => void;
  /** A peer's connection to us passed the handshake. */
  readonly onPeerConnected?: (peer: NodeId) => void;
}

export class Listener {
  private server: net.Server | null = null;
  private closing = false;
  private readonly pending = new Set<InboundConnection>();
  private readonly byPeer = new Map<NodeId, InboundConnection>();

  constructor(private readonly deps: ListenerDeps) {}

  /** Peers with an authenticated connection to us right now. */
  connectedPeers(): NodeId[] {
    return [...this.byPeer.keys()];
  }

  /** Resolves with the bound address; rejects with the system error (EADDRINUSE...) when it cannot listen. */
  listen(address: TcpAddress): Promise<TcpAddress> {
    assert(this.server === null, 'listen is called once');
    assert(!this.closing, 'listen before close');
    const { deps } = this;
    const server = deps.sockets.createServer(
      (socket) => this.accept(socket),
      (error, socket) => {
        deps.stats.refusedConnections += 1;
        deps.log(`refused TLS connection from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: ${error.message}`);
      },
    );
    this.server = server;
    // Authenticated peers plus the strangers allowed mid-handshake; the kernel
    // queue aside, nothing else can hold a socket of ours.
    server.maxConnections = deps.peers.size * 2 + deps.limits.maxPendingHandshakes;
    return new Promise((resolve, reject) => {
      const onListenError = (error: Error): void => reject(error);
      server.once('error', onListenError);
      server.listen(address.port, address.host, () => {
        server.off('error', onListenError);
        server.on('error', (error: Error) => deps.log(`listener error: ${error.message}`));
        const bound = server.address();
        assert(bound !== null && typeof bound === 'object', 'a listening TCP server has an address');
        resolve({ host: address.host, port: bound.port });
      });
    });
  }

  /** Closes every inbound connection now; resolves once the server has let go of its port. */
  close(): Promise<void> {
    this.closing = true;
    for (const connection of [...this.pending, ...this.byPeer.values()]) connection.close('transport closed');
    this.pending.clear();
    this.byPeer.clear();
    const server = this.server;
    if (server === null) return Promise.resolve();
    return new Promise((resolve) => {
      if (server.listening) {
        server.close(() => resolve());
        return;
      }
      // listen() still in flight: close once it has bound, or give up with it.
      server.once('listening', () => server.close(() => resolve()));
      server.once('error', () => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    const { deps } = this;
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.pending.size >= deps.limits.maxPendingHandshakes) {
      deps.stats.refusedConnections += 1;
      deps.log(
        `refused connection from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: ` +
          `${deps.limits.maxPendingHandshakes} handshakes already pending`,
      );
      // An 'error' listener, or a reset arriving before destroy completes would be unhandled.
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const connection = new InboundConnection(socket, {
      selfId: deps.selfId,
      keys: deps.keys,
      limits: deps.limits,
      stats: deps.stats,
      log: deps.log,
      isKnownPeer: (id) => deps.peers.has(id),
      onAuthenticated: (authenticated) => this.onAuthenticated(authenticated),
      onBatch: deps.onBatch,
      onClosed: (closed) => this.onClosed(closed),
    });
    this.pending.add(connection);
  }

  private onAuthenticated(connection: InboundConnection): void {
    const peer = connection.peer;
    assert(peer !== null, 'an authenticated connection knows its peer');
    this.pending.delete(connection);
    const older = this.byPeer.get(peer);
    this.byPeer.set(peer, connection);
    this.deps.log(`accepted connection from ${peer} (${connection.remoteAddress})`);
    if (older !== undefined) older.close('replaced by a newer connection from the same node');
    this.deps.onPeerConnected?.(peer);
  }

  private onClosed(connection: InboundConnection): void {
    this.pending.delete(connection);
    const peer = connection.peer;
    if (peer !== null && this.byPeer.get(peer) === connection) this.byPeer.delete(peer);
  }
}
