// How a node's refusal becomes an HTTP status. The distinction that matters
// most: `unknown-outcome` (504, the write may have happened: do not blindly
// retry, read first or retry with the same session seq) versus the definite
// refusals that changed nothing (503 not-leader/stopped, 429 busy, 4xx).

import type { NodeId } from '../core/types.js';
import type { ClientError, ErrorCode } from '../node/requests.js';
import { HttpError } from './http-error.js';

/** Seconds a 429 asks the client to wait before retrying. */
const BUSY_RETRY_AFTER_SECONDS = 1;

export interface LeaderHint {
  readonly leaderId: NodeId | null;
  readonly leaderUrl: string | null;
}

export function notLeader(hint: LeaderHint, detail?: string): HttpError {
  return new HttpError(503, 'Not the leader', detail, { leaderId: hint.leaderId, leaderUrl: hint.leaderUrl });
}

/** `hint` is only used for not-leader; `writeIndex` carries an unknown outcome's term and index when known. */
export function clientErrorToHttp(error: ClientError, hint: LeaderHint, writeIndex: { term?: number; index?: number } = {}): HttpError {
  const code: ErrorCode = error.code;
  switch (code) {
    case 'not-leader':
      return notLeader(hint, error.message);
    case 'bad-request':
      return new HttpError(400, 'Bad request', error.message);
    case 'busy':
      return new HttpError(429, 'Busy', error.message, {}, { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) });
    case 'timeout':
      return new HttpError(504, 'Timeout', error.message);
    case 'unknown-outcome':
      return new HttpError(504, 'Outcome unknown', error.message, {
        ...(writeIndex.term !== undefined ? { term: writeIndex.term } : {}),
        ...(writeIndex.index !== undefined ? { index: writeIndex.index } : {}),
      });
    case 'cas-mismatch':
      // An absent key is `null` here, as `expected: null` means absent.
      return new HttpError(409, 'CAS mismatch', undefined, { current: error.current ?? null });
    case 'stale-fencing-token':
      return new HttpError(409, 'Stale fencing token', error.message);
    case 'too-stale':
      return new HttpError(503, 'Too stale', error.message, { lagMs: error.lagMs ?? null });
    case 'stopped':
      return new HttpError(503, 'Node stopped', error.message);
    default: {
      const never: never = code;
      return new HttpError(500, 'Internal error', `unexpected error code ${String(never)}`);
    }
  }
}

/**
 * Errors thrown by the admin faces (ReplikitError from the cluster, plain
 * Errors from a stopped runtime). Their messages are written for users; an
 * error without a known code is internal and its message is not shown.
 */
export function thrownToHttp(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : undefined;
  switch (code) {
    case 'bad-request':
      return new HttpError(400, 'Bad request', message);
    case 'unknown-node':
      return new HttpError(404, 'Unknown node', message);
    case 'no-leader':
      return new HttpError(503, 'No leader', message);
    case 'stopped':
    case 'closed':
      return new HttpError(503, 'Node stopped', message);
    case 'timeout':
      return new HttpError(504, 'Timeout', message);
    default:
      return new HttpError(500, 'Internal error');
  }
}
