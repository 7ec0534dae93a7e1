// The connection this node dials to one peer, which carries only this node's
// messages to that peer (the peer's messages to us come on the connection it
// dials; see tcp-transport.ts). It owns the peer's bounded send queue, the
// dialer side of the handshake, and reconnecting with backoff.
//
//   idle ──dial──> connecting ──welcome ok──> ready
//     ^               │                         │
//     │               └──fail──> backoff <──────┘ (closed)
//     └─ no address yet            │
//                                  └──timer──> connecting
//
// Queued frames wait only for the current connection: when it closes they are
// dropped (and counted), so a peer that is down costs no memory and does not
// receive a burst of stale messages when it returns. While in backoff new
// messages are dropped at once: the peer is known to be unreachable.

import type * as net from 'node:net';
import { assert } from '../../ground/assert.js';
import type { NodeId } from '../../core/types.js';
import type { RandomSource } from '../seeded-random.js';
import { backoffDelayMs } from './backoff.js';
import { describeFrameError, FrameDecoder } from './frame-codec.js';
import { checkWelcome, decodeHandshakePayload, encodeHandshakeFrame, makeConfirm, makeHello, newNonce, type HandshakeKeys } from './handshake.js';
import { KEEPALIVE_INITIAL_DELAY_MS, MAX_HANDSHAKE_FRAME_BYTES } from './limits.js';
import type { ResolvedLimits, TcpAddress } from './options.js';
import type { SocketFactory } from './sockets.js';
import type { MutableTcpStats } from './stats.js';

export type OutboundState = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

export interface OutboundLinkDeps {
  readonly selfId: NodeId;
  readonly peerId: NodeId;
  readonly keys: HandshakeKeys;
  readonly limits: ResolvedLimits;
  readonly sockets: SocketFactory;
  readonly random: RandomSource;
  readonly stats: MutableTcpStats;
  readonly log: (line: string) => void;
  /**
   * Crash evidence: the connection that worked was closed by the peer, and dialing it again at once
   * was refused: nothing listens there any more, so the peer's process (or its node thread, which
   * owns the listener) is gone. A pause, a partition or a dead host refuse nothing: they stay silent.
   */
  readonly onPeerGone?: () => void;
}

/**
 * A connection that worked for at least this long and was closed by the peer is dialed again at
 * once (to learn quickly whether the peer is gone); one that lasted less waits out the backoff, so
 * a peer that accepts and drops connections cannot make us spin.
 */
const IMMEDIATE_REDIAL_MIN_UPTIME_MS = 1000;

interface QueuedFrame {
  readonly frame: Buffer;
  readonly messages: number;
}

/** What one dial holds; replaced as a whole, so a late event of an old socket cannot touch a new one. */
interface Attempt {
  readonly socket: net.Socket;
  readonly nonce: Uint8Array;
  readonly decoder: FrameDecoder;
  /** Why we are closing it, for the log line written on 'close'. */
  closeReason: string | null;
  /** The last socket error, when the peer or the network closed it. */
  lastError: string | null;
  /** Its code (ECONNREFUSED, ECONNRESET...), when there was one. */
  lastErrorCode: string | null;
  /** When the handshake finished (performance.now()), or null while connecting. */
  readySinceMs: number | null;
  /** write() returned false: wait for 'drain' before writing more. */
  waitingForDrain: boolean;
  /** Runs while waiting for 'drain'; a peer that reads nothing for too long gets a fresh connection. */
  stallTimer: ReturnType<typeof setTimeout> | null;
}

export class OutboundLink {
  private state: OutboundState = 'idle';
  private attempt: Attempt | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Failed dials since the last connection that finished its handshake. */
  private failures = 0;
  private everConnected = false;
  /**
   * The last working connection was closed by the peer, and no dial has worked since: a refused
   * dial now is crash evidence (reported once).
   */
  private lostPeerUnreported = false;
  private queue: (QueuedFrame | undefined)[] = [];
  private queueHead = 0;
  private queuedMessagesNow = 0;
  private queuedBytesNow = 0;

  constructor(
    private readonly deps: OutboundLinkDeps,
    private address: TcpAddress,
  ) {
    if (address.port !== 0) this.dial();
  }

  get currentState(): OutboundState {
    return this.state;
  }

  get currentAddress(): TcpAddress {
    return this.address;
  }

  get queuedMessages(): number {
    return this.queuedMessagesNow;
  }

  get queuedBytes(): number {
    return this.queuedBytesNow;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Points the link at a new address: any current connection is dropped and the new one dialed at once. */
  setAddress(address: TcpAddress): void {
    if (this.state === 'closed') return;
    this.address = address;
    this.failures = 0;
    this.lostPeerUnreported = false;
    this.clearTimer();
    this.detach('peer address changed');
    this.state = 'idle';
    if (address.port !== 0) this.dial();
  }

  /**
   * The peer has just dialed us, so it is up: a link waiting out its backoff dials now. Links
   * between followers carry nothing in steady state, so without this a restarted peer stayed
   * unreachable for up to a whole backoff (2 s), and the first election after it returned
   * dropped its votes.
   */
  peerIsUp(): void {
    if (this.state !== 'backoff') return;
    this.clearTimer();
    this.dial();
  }

  /** Whether a batch of `messages` could be queued now, so the caller need not encode one that would be dropped. */
  canAccept(messages: number): boolean {
    if (this.state !== 'connecting' && this.state !== 'ready') return false;
    return this.queuedMessagesNow + messages <= this.deps.limits.maxQueuedMessagesPerPeer;
  }

  /** Writes or queues one frame of `messages` messages; over a limit or while unreachable it is dropped and counted. */
  send(frame: Buffer, messages: number): void {
    const { stats, limits } = this.deps;
    if (!this.canAccept(messages)) {
      stats.droppedMessages += messages;
      return;
    }
    const attempt = this.attempt;
    assert(attempt !== null, 'a connecting or ready link has a socket');
    if (this.state === 'ready' && !attempt.waitingForDrain && this.queueHead === this.queue.length) {
      this.write(attempt, frame, messages);
      return;
    }
    // An empty queue takes any frame, or a batch larger than the byte limit could never go out.
    if (this.queuedBytesNow > 0 && this.queuedBytesNow + frame.byteLength > limits.maxQueuedBytesPerPeer) {
      stats.droppedMessages += messages;
      return;
    }
    this.queue.push({ frame, messages });
    this.queuedMessagesNow += messages;
    this.queuedBytesNow += frame.byteLength;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearTimer();
    this.detach('transport closed');
    this.dropQueue();
  }

  // ------------------------------------------------------------ connecting

  private dial(): void {
    assert(this.state === 'idle' || this.state === 'backoff', `dial from ${this.state}`);
    assert(this.attempt === null, 'one connection attempt at a time');
    const { deps } = this;
    this.state = 'connecting';
    deps.stats.connectAttempts += 1;
    const nonce = newNonce();
    const socket = deps.sockets.dial(this.address, () => {
      if (this.attempt === attempt) socket.write(encodeHandshakeFrame(makeHello(deps.keys, deps.selfId, deps.peerId, nonce)));
    });
    const attempt: Attempt = {
      socket,
      nonce,
      decoder: new FrameDecoder(MAX_HANDSHAKE_FRAME_BYTES),
      closeReason: null,
      lastError: null,
      lastErrorCode: null,
      readySinceMs: null,
      waitingForDrain: false,
      stallTimer: null,
    };
    this.attempt = attempt;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
    socket.on('data', (chunk: Buffer) => this.onData(attempt, chunk));
    socket.on('drain', () => this.onDrain(attempt));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      attempt.lastError = error.message;
      attempt.lastErrorCode = error.code ?? null;
    });
    socket.on('close', () => this.onClose(attempt));
    // Covers connect, TLS and our handshake: a peer that accepts TCP and then
    // says nothing must not hold the link in 'connecting' forever.
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.attempt === attempt && this.state === 'connecting') {
        this.abandon(attempt, `no handshake within ${deps.limits.handshakeTimeoutMs} ms`);
      }
    }, deps.limits.handshakeTimeoutMs);
    this.timer.unref();
  }

  private onData(attempt: Attempt, chunk: Buffer): void {
    if (this.attempt !== attempt || attempt.closeReason !== null) return;
    attempt.decoder.push(chunk);
    const next = attempt.decoder.next();
    if (!next.ok) {
      this.refuse(attempt, describeFrameError(next.error));
      return;
    }
    if (next.frame === null) return;
    if (this.state === 'ready') {
      // The listener never speaks after its welcome; anything more is a broken or hostile peer.
      this.abandon(attempt, 'listener sent data after the handshake');
      return;
    }
    const payload = decodeHandshakePayload(next.frame);
    const welcome = payload.ok ? checkWelcome(this.deps.keys, payload.value, this.deps.selfId, this.deps.peerId, attempt.nonce) : payload;
    if (!welcome.ok) {
      this.refuse(attempt, welcome.reason);
      return;
    }
    if (attempt.decoder.bufferedBytes > 0) {
      this.abandon(attempt, 'listener sent data after the handshake');
      return;
    }
    const { deps } = this;
    attempt.socket.write(encodeHandshakeFrame(makeConfirm(deps.keys, deps.selfId, deps.peerId, attempt.nonce, welcome.value.nonce)));
    this.clearTimer();
    this.state = 'ready';
    attempt.readySinceMs = performance.now();
    this.lostPeerUnreported = false;
    if (this.everConnected) deps.stats.reconnects += 1;
    deps.stats.connects += 1;
    deps.log(
      `${this.everConnected ? 'reconnected' : 'connected'} to ${deps.peerId} at ${this.where()}` +
        (this.failures > 0 ? ` after ${this.failures} failed dial(s)` : ''),
    );
    this.everConnected = true;
    this.failures = 0;
    this.flush(attempt);
  }

  private onDrain(attempt: Attempt): void {
    if (this.attempt !== attempt) return;
    attempt.waitingForDrain = false;
    if (attempt.stallTimer !== null) clearTimeout(attempt.stallTimer);
    attempt.stallTimer = null;
    this.flush(attempt);
  }

  private onClose(attempt: Attempt): void {
    if (attempt.stallTimer !== null) clearTimeout(attempt.stallTimer);
    attempt.stallTimer = null;
    if (this.attempt !== attempt) return;
    this.attempt = null;
    this.clearTimer();
    this.dropQueue();
    if (this.state === 'closed' || this.state === 'idle') return;
    const reason = attempt.closeReason ?? attempt.lastError ?? 'closed by the peer';
    if (this.state === 'ready') {
      this.deps.log(`connection to ${this.deps.peerId} at ${this.where()} lost: ${reason}`);
      this.failures = 0;
      if (attempt.closeReason === null) {
        // Closed by the peer, not by us: the next dial tells whether anything still listens there.
        this.lostPeerUnreported = true;
        const uptimeMs = performance.now() - (attempt.readySinceMs ?? Number.POSITIVE_INFINITY);
        if (uptimeMs >= IMMEDIATE_REDIAL_MIN_UPTIME_MS) {
          this.state = 'backoff';
          this.dial();
          return;
        }
      }
    } else {
      if (this.lostPeerUnreported && attempt.lastErrorCode === 'ECONNREFUSED') {
        this.lostPeerUnreported = false;
        this.deps.log(`${this.deps.peerId} is gone: its connection closed and a redial was refused`);
        this.deps.onPeerGone?.();
      }
      this.failures += 1;
      // Powers of two only: a peer down for an hour logs a dozen lines, not thousands.
      if ((this.failures & (this.failures - 1)) === 0) {
        this.deps.log(`dial to ${this.deps.peerId} at ${this.where()} failed (${this.failures} in a row): ${reason}`);
      }
    }
    this.state = 'backoff';
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.state === 'backoff') this.dial();
      },
      backoffDelayMs(this.failures, this.deps.limits, this.deps.random),
    );
    this.timer.unref();
  }

  /** A listener that failed our checks: counted as a refused connection. */
  private refuse(attempt: Attempt, reason: string): void {
    this.deps.stats.refusedConnections += 1;
    this.abandon(attempt, `refused the listener: ${reason}`);
  }

  /** Closes the socket now; the 'close' event that follows does the bookkeeping, once. */
  private abandon(attempt: Attempt, reason: string): void {
    attempt.closeReason ??= reason;
    if (attempt.stallTimer !== null) clearTimeout(attempt.stallTimer);
    attempt.stallTimer = null;
    attempt.socket.destroy();
  }

  /** Lets go of the current connection without waiting for its 'close' (which then finds it stale). */
  private detach(reason: string): void {
    const attempt = this.attempt;
    if (attempt === null) return;
    this.attempt = null;
    this.abandon(attempt, reason);
    this.dropQueue();
  }

  // ---------------------------------------------------------------- sending

  private write(attempt: Attempt, frame: Buffer, messages: number): void {
    const { stats, limits } = this.deps;
    attempt.waitingForDrain = !attempt.socket.write(frame);
    if (attempt.waitingForDrain && attempt.stallTimer === null) {
      attempt.stallTimer = setTimeout(() => {
        attempt.stallTimer = null;
        if (this.attempt === attempt && attempt.waitingForDrain) {
          this.abandon(attempt, `the peer read nothing for ${limits.writeStallTimeoutMs} ms`);
        }
      }, limits.writeStallTimeoutMs);
      attempt.stallTimer.unref();
    }
    stats.sentMessages += messages;
    stats.sentBatches += 1;
    stats.sentBytes += frame.byteLength;
  }

  private flush(attempt: Attempt): void {
    while (this.queueHead < this.queue.length && !attempt.waitingForDrain) {
      const queued = this.queue[this.queueHead];
      assert(queued !== undefined, 'queued frames are present between head and end');
      this.queue[this.queueHead] = undefined;
      this.queueHead += 1;
      this.queuedMessagesNow -= queued.messages;
      this.queuedBytesNow -= queued.frame.byteLength;
      this.write(attempt, queued.frame, queued.messages);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }

  private dropQueue(): void {
    this.deps.stats.droppedMessages += this.queuedMessagesNow;
    this.queue = [];
    this.queueHead = 0;
    this.queuedMessagesNow = 0;
    this.queuedBytesNow = 0;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private where(): string {
    return `${this.address.host}:${this.address.port}`;
  }
}
