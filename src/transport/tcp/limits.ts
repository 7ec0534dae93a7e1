// Every limit of the TCP transport in one place, with why it has its value.
// The defaults can be overridden per transport (`TcpTransportLimits`), except
// the handshake-frame and node-id sizes, which are part of the protocol.

/**
 * The largest frame payload accepted from an authenticated peer. A frame
 * carries one `send` call's batch to one peer, so this caps the largest
 * InstallSnapshot that can cross; larger batches are dropped by the sender
 * (and would be refused by the receiver) instead of allocating without bound.
 */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * The largest frame accepted before a connection is authenticated. Handshake
 * frames are a few hundred bytes; a stranger must not make the listener buffer
 * the data-frame maximum.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 4 * 1024;

/** Node ids and cluster ids longer than this are refused in the handshake. */
export const MAX_ID_LENGTH = 256;

/** How much of an untrusted string (a stranger's cluster or node id) goes into a log line. */
export const MAX_LOGGED_STRING_LENGTH = 64;

/** Shorter shared secrets are a configuration error: HMAC-SHA256 is only as strong as its key. */
export const MIN_SECRET_BYTES = 16;

/** Bytes of the random nonce each side contributes to a handshake. */
export const NONCE_BYTES = 32;

/**
 * From the start of a dial (or an accepted socket) to a finished handshake.
 * A silent stranger, a truncated handshake frame, or a peer that accepts TCP
 * but never answers frees its socket after this long.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;

/** Unauthenticated inbound connections held at once; more are closed on arrival. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 64;

/**
 * Reconnect delays double from min to max. The max stays well under a typical
 * election timeout multiple, so a peer that comes back is heard from within a
 * couple of seconds; the min keeps a peer that accepts and immediately drops
 * us from turning into a busy loop.
 */
export const DEFAULT_MIN_BACKOFF_MS = 50;
export const DEFAULT_MAX_BACKOFF_MS = 2_000;

/**
 * Messages and bytes waiting in one peer's send queue (not yet handed to the
 * socket because it is connecting or pushing back). Over either limit new
 * batches are dropped and counted: Raft retransmits, memory must not grow.
 * The same values as the MessagePort transport's in-flight window.
 */
export const DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER = 4096;
export const DEFAULT_MAX_QUEUED_BYTES_PER_PEER = 32 * 1024 * 1024;

/**
 * How long a connection may push back (write() said false and no 'drain'
 * since) before it is dropped and redialed. TCP alone would keep writing into
 * a dead host's connection until its retransmissions give up (~15 minutes on
 * Linux); a peer that reads nothing for this long gets a fresh connection
 * (its queue is dropped either way).
 */
export const DEFAULT_WRITE_STALL_TIMEOUT_MS = 15_000;

/** TCP keepalive probes start after this much idle time, so a vanished host is noticed. */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;
