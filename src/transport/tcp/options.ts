// What a TCP transport is configured with, and the resolved limits it runs on.

import { assert } from '../../ground/assert.js';
import type { NodeId } from '../../core/types.js';
import { MAX_ENCODABLE_FRAME_BYTES } from './frame-codec.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
  DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
  DEFAULT_MIN_BACKOFF_MS,
  DEFAULT_WRITE_STALL_TIMEOUT_MS,
  MAX_HANDSHAKE_FRAME_BYTES,
  MAX_ID_LENGTH,
  MIN_SECRET_BYTES,
} from './limits.js';

export interface TcpAddress {
  readonly host: string;
  /** 0 in `peers` means "not known yet": nothing is dialed until `setPeerAddress`. */
  readonly port: number;
}

/** PEM certificate chain, private key and CA(s); the same CA verifies both directions. */
export interface TcpTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer | (string | Buffer)[];
}

export interface TcpTransportLimits {
  readonly maxFrameBytes?: number;
  readonly maxQueuedMessagesPerPeer?: number;
  /** A single batch larger than this is still queued to an empty queue, or a large snapshot could never go out. */
  readonly maxQueuedBytesPerPeer?: number;
  readonly handshakeTimeoutMs?: number;
  readonly maxPendingHandshakes?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly writeStallTimeoutMs?: number;
}

export interface TcpTransportOptions {
  readonly selfId: NodeId;
  /** Where to accept peers' connections; port 0 picks a free port (see `listen()`'s result). */
  readonly listen: TcpAddress;
  /** Every node this one exchanges messages with, and where it listens. */
  readonly peers: Readonly<Record<NodeId, TcpAddress>>;
  /** Nodes of different clusters refuse each other even if they share a secret. */
  readonly clusterId: string;
  /** Shared by every node of the cluster; at least MIN_SECRET_BYTES. */
  readonly secret: Uint8Array;
  readonly tls?: TcpTlsOptions;
  /** One line per connection event worth an operator's attention; silent when absent. */
  readonly log?: (line: string) => void;
  readonly limits?: TcpTransportLimits;
  /** Seeds the reconnect jitter; defaults to a hash of `selfId`. */
  readonly seed?: number;
}

export interface ResolvedLimits {
  readonly maxFrameBytes: number;
  readonly maxQueuedMessagesPerPeer: number;
  readonly maxQueuedBytesPerPeer: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingHandshakes: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly writeStallTimeoutMs: number;
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65_535;
}

/** Configuration errors are programming errors of the caller: they fail at creation, loudly. */
export function resolveOptions(options: TcpTransportOptions): ResolvedLimits {
  const limits = options.limits ?? {};
  const resolved: ResolvedLimits = {
    maxFrameBytes: limits.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxQueuedMessagesPerPeer: limits.maxQueuedMessagesPerPeer ?? DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
    maxQueuedBytesPerPeer: limits.maxQueuedBytesPerPeer ?? DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
    handshakeTimeoutMs: limits.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    maxPendingHandshakes: limits.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES,
    minBackoffMs: limits.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS,
    maxBackoffMs: limits.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    writeStallTimeoutMs: limits.writeStallTimeoutMs ?? DEFAULT_WRITE_STALL_TIMEOUT_MS,
  };
  assert(isPositiveInteger(resolved.maxFrameBytes) && resolved.maxFrameBytes <= MAX_ENCODABLE_FRAME_BYTES, 'maxFrameBytes fits the 4-byte frame length');
  assert(resolved.maxFrameBytes >= MAX_HANDSHAKE_FRAME_BYTES, 'maxFrameBytes holds at least a handshake frame');
  assert(isPositiveInteger(resolved.maxQueuedMessagesPerPeer), 'maxQueuedMessagesPerPeer is a positive integer');
  assert(isPositiveInteger(resolved.maxQueuedBytesPerPeer), 'maxQueuedBytesPerPeer is a positive integer');
  assert(isPositiveInteger(resolved.handshakeTimeoutMs), 'handshakeTimeoutMs is a positive integer');
  assert(isPositiveInteger(resolved.maxPendingHandshakes), 'maxPendingHandshakes is a positive integer');
  assert(isPositiveInteger(resolved.writeStallTimeoutMs), 'writeStallTimeoutMs is a positive integer');
  assert(
    Number.isFinite(resolved.minBackoffMs) && resolved.minBackoffMs > 0 && resolved.maxBackoffMs >= resolved.minBackoffMs,
    'backoff limits are positive and ordered',
  );
  assert(options.selfId.length > 0 && options.selfId.length <= MAX_ID_LENGTH, 'selfId is a non-empty short id');
  assert(options.clusterId.length > 0 && options.clusterId.length <= MAX_ID_LENGTH, 'clusterId is a non-empty short id');
  assert(options.secret.byteLength >= MIN_SECRET_BYTES, `the shared secret has at least ${MIN_SECRET_BYTES} bytes`);
  assert(isValidPort(options.listen.port), 'the listen port is 0..65535');
  for (const [id, address] of Object.entries(options.peers)) {
    assert(id !== options.selfId, 'a node is not its own peer');
    assert(id.length > 0 && id.length <= MAX_ID_LENGTH, `peer id ${JSON.stringify(id)} is a non-empty short id`);
    assert(isValidPort(address.port), `peer ${id}'s port is 0..65535`);
  }
  return resolved;
}
