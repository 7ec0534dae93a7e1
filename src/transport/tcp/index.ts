// The TCP transport: nodes on different hosts, joined by length-prefixed
// msgpack frames over TCP or mutual TLS, authenticated by a shared secret.

export { createTcpTransport, type TcpPeerStatus, type TcpTransport } from './tcp-transport.js';
export type { TcpAddress, TcpTlsOptions, TcpTransportLimits, TcpTransportOptions } from './options.js';
export type { TcpTransportStats } from './stats.js';
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
  DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
  DEFAULT_MIN_BACKOFF_MS,
  DEFAULT_WRITE_STALL_TIMEOUT_MS,
  KEEPALIVE_INITIAL_DELAY_MS,
  MAX_HANDSHAKE_FRAME_BYTES,
  MAX_ID_LENGTH,
  MIN_SECRET_BYTES,
  NONCE_BYTES,
} from './limits.js';
// The wire format on its own, for tests, fuzzers and tools that speak to a node.
export { decodeFrames, describeFrameError, encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, type FrameError, type NextFrame } from './frame-codec.js';
export { decodeBatch, encodeBatchFrame, type DecodedBatch } from './batch-codec.js';
export { isMessage } from './message-shape.js';
export {
  checkConfirm,
  checkHello,
  checkWelcome,
  decodeHandshakePayload,
  encodeHandshakeFrame,
  makeConfirm,
  makeHello,
  makeWelcome,
  newNonce,
  PROTOCOL_VERSION,
  type Checked,
  type Confirm,
  type HandshakeFrame,
  type HandshakeKeys,
  type Hello,
  type Welcome,
} from './handshake.js';
export { backoffDelayMs, type BackoffLimits } from './backoff.js';
