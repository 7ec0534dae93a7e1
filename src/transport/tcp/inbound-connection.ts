// One connection a peer dialed to us: the listener side of the handshake, then
// a stream of batch frames from that peer. Until the confirm is checked only
// handshake-sized frames are accepted and nothing is delivered; any frame that
// breaks the protocol closes this connection alone.

import type * as net from 'node:net';
import type { Message, NodeId } from '../../core/types.js';
import { decodeBatch } from './batch-codec.js';
import { describeFrameError, FrameDecoder } from './frame-codec.js';
import { checkConfirm, checkHello, decodeHandshakePayload, encodeHandshakeFrame, makeWelcome, newNonce, type HandshakeKeys } from './handshake.js';
import { KEEPALIVE_INITIAL_DELAY_MS, MAX_HANDSHAKE_FRAME_BYTES } from './limits.js';
import type { ResolvedLimits } from './options.js';
import type { MutableTcpStats } from './stats.js';

export interface InboundConnectionDeps {
  readonly selfId: NodeId;
  readonly keys: HandshakeKeys;
  readonly limits: ResolvedLimits;
  readonly stats: MutableTcpStats;
  readonly log: (line: string) => void;
  readonly isKnownPeer: (id: NodeId) => boolean;
  readonly onAuthenticated: (connection: InboundConnection) => void;
  readonly onBatch: (peer: NodeId, messages: readonly Message[]) => void;
  readonly onClosed: (connection: InboundConnection) => void;
}

type Stage =
  | { readonly name: 'awaiting-hello' }
  | { readonly name: 'awaiting-confirm'; readonly peer: NodeId; readonly dialerNonce: Uint8Array; readonly listenerNonce: Uint8Array }
  | { readonly name: 'authenticated'; readonly peer: NodeId }
  | { readonly name: 'closed'; readonly peer: NodeId | null };

export class InboundConnection {
  private stage: Stage = { name: 'awaiting-hello' };
  private readonly decoder = new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES);
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly remote: string;
  private lastError: string | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly deps: InboundConnectionDeps,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    socket.on('close', () => this.onClose());
    this.timer = setTimeout(() => this.refuse(`no handshake within ${deps.limits.handshakeTimeoutMs} ms`), deps.limits.handshakeTimeoutMs);
    this.timer.unref();
  }

  /** The peer this connection authenticated as (still known after it closed), or null if it never did. */
  get peer(): NodeId | null {
    return this.stage.name === 'authenticated' || this.stage.name === 'closed' ? this.stage.peer : null;
  }

  get remoteAddress(): string {
    return this.remote;
  }

  /** Closes without counting an error (transport closing, or replaced by a newer connection of the same peer). */
  close(reason: string): void {
    if (this.stage.name === 'closed') return;
    const peer = this.peer;
    // An unauthenticated connection ends refused, whoever closes it.
    if (peer === null) this.deps.stats.refusedConnections += 1;
    this.stage = { name: 'closed', peer };
    clearTimeout(this.timer);
    if (peer !== null) this.deps.log(`closed connection from ${peer} (${this.remote}): ${reason}`);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.stage.name === 'closed') return;
    this.decoder.push(chunk);
    // Every pass consumes a frame or leaves; a frame (or the receiver) may close us mid-chunk.
    while (!this.isClosed()) {
      const next = this.decoder.next();
      if (!next.ok) {
        this.refuse(describeFrameError(next.error));
        return;
      }
      if (next.frame === null) return;
      this.onFrame(next.frame);
    }
  }

  // A method, not an inline check: TypeScript would keep the narrowing across onFrame's side effects.
  private isClosed(): boolean {
    return this.stage.name === 'closed';
  }

  private onFrame(frame: Uint8Array): void {
    const { deps } = this;
    const stage = this.stage;
    switch (stage.name) {
      case 'awaiting-hello': {
        const payload = decodeHandshakePayload(frame);
        const hello = payload.ok ? checkHello(deps.keys, payload.value, deps.selfId, deps.isKnownPeer) : payload;
        if (!hello.ok) {
          this.refuse(hello.reason);
          return;
        }
        const listenerNonce = newNonce();
        const peer = hello.value.from;
        this.socket.write(encodeHandshakeFrame(makeWelcome(deps.keys, deps.selfId, peer, hello.value.nonce, listenerNonce)));
        this.stage = { name: 'awaiting-confirm', peer, dialerNonce: hello.value.nonce, listenerNonce };
        return;
      }
      case 'awaiting-confirm': {
        const payload = decodeHandshakePayload(frame);
        const confirm = payload.ok ? checkConfirm(deps.keys, payload.value, stage.peer, deps.selfId, stage.dialerNonce, stage.listenerNonce) : payload;
        if (!confirm.ok) {
          this.refuse(confirm.reason);
          return;
        }
        clearTimeout(this.timer);
        this.stage = { name: 'authenticated', peer: stage.peer };
        this.decoder.setMaxFrameBytes(deps.limits.maxFrameBytes);
        deps.stats.acceptedConnections += 1;
        deps.onAuthenticated(this);
        return;
      }
      case 'authenticated': {
        const batch = decodeBatch(frame);
        if (!batch.ok) {
          this.refuse(batch.reason);
          return;
        }
        deps.onBatch(stage.peer, batch.messages);
        return;
      }
      case 'closed':
        return;
    }
  }

  private onEnd(): void {
    if (this.decoder.bufferedBytes > 0) this.refuse(`connection ended inside a frame`);
    else if (this.stage.name !== 'authenticated') this.refuse('connection ended during the handshake');
    else this.close('the peer ended it');
  }

  private onClose(): void {
    if (this.stage.name !== 'closed') {
      const reason = this.lastError ?? 'closed by the peer';
      if (this.stage.name === 'authenticated') this.close(reason);
      else this.refuse(`${reason} during the handshake`);
    }
    this.deps.onClosed(this);
  }

  /**
   * Closes for a protocol violation: before authentication it is a refused
   * connection, after it a protocol error of a known peer. Logged either way.
   */
  private refuse(reason: string): void {
    if (this.stage.name === 'closed') return;
    const { deps } = this;
    const peer = this.peer;
    if (peer === null) {
      deps.stats.refusedConnections += 1;
      deps.log(`refused connection from ${this.remote}: ${reason}`);
    } else {
      deps.stats.protocolErrors += 1;
      deps.log(`closed connection from ${peer} (${this.remote}) on a protocol error: ${reason}`);
    }
    this.stage = { name: 'closed', peer };
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}
