// createClient's options, their defaults, and the checks that refuse bad
// ones before any request is made.

import { randomUUID } from 'node:crypto';
import { tokenSyntaxProblem } from '../ground/bearer-token.js';
import { ReplikitClientError } from './errors.js';

export interface BackoffMs {
  readonly min: number;
  readonly max: number;
}

export interface ClientOptions {
  /** Base URLs of the nodes, e.g. `http://127.0.0.1:4001`. Any subset works: others are learned from leader hints. */
  readonly endpoints: readonly string[];
  /** One HTTP request gives up after this (a write then counts as sent: its retry reuses its seq). */
  readonly timeoutMs?: number;
  /** Retries of one call after its first attempt; following a leader hint does not count. */
  readonly maxRetries?: number;
  /** Pause before retry n: equal jitter over min(max, min * 2^n). */
  readonly backoffMs?: BackoffMs;
  /** One call, all its attempts and pauses included, gives up after this. */
  readonly totalTimeoutMs?: number;
  /**
   * Identity for exactly-once writes, at most 128 characters; a random UUID by
   * default. Two live clients must never share one. A client given an id
   * numbers its writes from the clock (see firstSeq), so a restarted process
   * may take its predecessor's id.
   */
  readonly clientId?: string;
  /**
   * Sent as `Authorization: Bearer <token>` with every request, when the
   * nodes check tokens (`replikit node --auth-file`). A node that refuses it
   * answers 401 or 403, which the client throws at once as `unauthorized` or
   * `forbidden` (never retried: another node would say the same).
   */
  readonly token?: string;
}

export interface ResolvedClientOptions {
  readonly endpoints: readonly string[];
  /** The seq of this client's first write. */
  readonly firstSeq: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoffMs: BackoffMs;
  readonly totalTimeoutMs: number;
  readonly clientId: string;
  /** The headers every request carries: the token's, or none. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Above the server's own write timeout (5 s by default), so a slow write
 * comes back as the server's "Outcome unknown" rather than our abort.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 6_000;
/** Enough to ride out a leader election: pauses grow to ~3 s in total before the last retry. */
export const DEFAULT_MAX_RETRIES = 8;
export const DEFAULT_BACKOFF_MS: BackoffMs = { min: 25, max: 1_000 };
export const DEFAULT_TOTAL_TIMEOUT_MS = 15_000;
/** The server refuses longer client ids (src/kv/keys.ts MAX_CLIENT_ID_LENGTH). */
export const MAX_CLIENT_ID_LENGTH = 128;
/**
 * A client with a caller-chosen id starts its seqs at (ms since the epoch) x
 * this. The server remembers only the latest seq per id and answers a repeat
 * of it from memory, so a restarted process that began again at 1 would have
 * its first write silently swallowed (or refused). Starting from the clock
 * keeps the new seqs above the old ones as long as the predecessor wrote
 * fewer than this many times per millisecond (it writes one at a time, one
 * round trip each) and the clock did not step back. Below 2^53 until 2255.
 */
export const SEQS_PER_MS = 1_000;

/** No configuration should need more; a larger number is a typo that would retry for hours. */
export const MAX_RETRIES_LIMIT = 100;

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) throw bad(['options must be an object with endpoints']);
  const endpoints: string[] = [];
  if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) {
    problems.push('endpoints must be a non-empty array of URLs');
  } else {
    for (const endpoint of options.endpoints) {
      const normalized = normalizeEndpoint(endpoint);
      if (normalized === null) problems.push(`endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`);
      else if (!endpoints.includes(normalized)) endpoints.push(normalized);
    }
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!isPositive(timeoutMs)) problems.push(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  const totalTimeoutMs = options.totalTimeoutMs ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, timeoutMs);
  if (!isPositive(totalTimeoutMs)) problems.push(`totalTimeoutMs must be a positive number, got ${String(totalTimeoutMs)}`);
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
    problems.push(`maxRetries must be an integer from 0 to ${MAX_RETRIES_LIMIT}, got ${String(maxRetries)}`);
  }
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (typeof backoffMs !== 'object' || backoffMs === null || !isPositive(backoffMs.min) || !isPositive(backoffMs.max) || backoffMs.max < backoffMs.min) {
    problems.push('backoffMs must be { min, max } with 0 < min <= max');
  }
  const clientId = options.clientId ?? randomUUID();
  // A fresh random id has no history on the server: its seqs can start at 1.
  const firstSeq = options.clientId === undefined ? 1 : Date.now() * SEQS_PER_MS;
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
    problems.push(`clientId must be a non-empty string of at most ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  if (options.token !== undefined) {
    // The problem, never the token: it is a secret.
    const problem = tokenSyntaxProblem(options.token);
    if (problem) problems.push(`token: ${problem}`);
  }
  if (problems.length > 0) throw bad(problems);
  const headers: Record<string, string> = options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {};
  return { endpoints, timeoutMs, maxRetries, backoffMs: { min: backoffMs.min, max: backoffMs.max }, totalTimeoutMs, clientId, firstSeq, headers };
}

/** `http://host:port` without a trailing slash, or null when `endpoint` is not an http(s) URL. */
export function normalizeEndpoint(endpoint: unknown): string | null {
  if (typeof endpoint !== 'string') return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function bad(problems: string[]): ReplikitClientError {
  return new ReplikitClientError('bad-request', `invalid client options: ${problems.join('; ')}`);
}
