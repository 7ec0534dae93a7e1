// Every limit the HTTP face enforces, named once. The store's own limits
// (key and value size) live in src/kv/keys.ts; these only bound what a client
// can make the server hold or wait for before the request reaches a node.

import { MAX_VALUE_BYTES } from '../kv/keys.js';

/** Slack above the largest payload for JSON punctuation, escapes and the CAS wrapper. */
const BODY_SLACK_BYTES = 64 * 1024;

/**
 * A body is at most this big: a CAS carries two values of up to MAX_VALUE_BYTES
 * each (1 MiB together), plus slack. Checked on Content-Length before reading
 * and again while streaming (chunked bodies declare no length).
 */
export const MAX_BODY_BYTES = 2 * MAX_VALUE_BYTES + BODY_SLACK_BYTES;

/** A body that has not finished arriving this long after the handler asked for it gets 408. */
export const BODY_TIMEOUT_MS = 10_000;

/** Headers must be complete this long after the connection opened (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * Node's own backstop for receiving a whole request; above BODY_TIMEOUT_MS so
 * that our JSON 408 normally answers first.
 */
export const REQUEST_TIMEOUT_MS = 15_000;

/** An unread body after an early answer is read and dropped up to this many bytes, then the connection is cut. */
export const MAX_DRAIN_BYTES = 4 * MAX_BODY_BYTES;

/** ...and for at most this long (shorter than REQUEST_TIMEOUT_MS, so Node's own timeout never answers twice). */
export const DRAIN_TIMEOUT_MS = 5_000;

/** How often Node checks headersTimeout/requestTimeout (its default, 30 s, would make them late). */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/** Idle keep-alive connections close after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Open connections per server (dashboards hold one each for their event stream); more are refused by Node. */
export const MAX_CONNECTIONS = 1024;

/** Request targets (path plus query) longer than this are refused before routing. */
export const MAX_URL_BYTES = 8 * 1024;

/** Node ids named in admin requests: short, printable, path-safe. */
export const MAX_NODE_ID_LENGTH = 64;
export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Groups in one partition request, and nodes in all of them together. */
export const MAX_PARTITION_GROUPS = 16;

/**
 * Fencings of this node listed in /status (`recentFencing`, oldest first) for
 * the dashboards that sample it; older ones are only counted in /metrics.
 */
export const RECENT_FENCING_KEPT = 20;

/** Error details quote parser messages; they are cut to this many characters. */
export const MAX_ERROR_DETAIL_CHARS = 300;

export interface HttpLimits {
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  bodyTimeoutMs: BODY_TIMEOUT_MS,
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
};

/** Overrides (tests shorten the timeouts) on top of the defaults, checked so a typo cannot disable a limit. */
export function resolveHttpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`HTTP limit ${name} must be a positive number, got ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError('HTTP limit headersTimeoutMs must not exceed requestTimeoutMs (Node refuses it)');
  }
  return limits;
}
