// Reading the server's answers: the success shapes the contract promises,
// and every error status turned into a ReplikitClientError with a code.
// A body that does not have the promised shape is `bad-response`, so a
// wrong URL (some other server) fails loudly instead of reading as "absent".

import { ReplikitClientError, type ReplikitClientErrorCode } from './errors.js';
import type { GetResult, NodeStatusView, WriteResult } from './types.js';

/** Server error codes (when a body carries `code`) and the client codes they become. */
const SERVER_CODES: Readonly<Record<string, ReplikitClientErrorCode>> = {
  'not-leader': 'not-leader',
  'bad-request': 'bad-request',
  busy: 'busy',
  timeout: 'timeout',
  'unknown-outcome': 'outcome-unknown',
  'outcome-unknown': 'outcome-unknown',
  'cas-mismatch': 'cas-mismatch',
  'stale-fencing-token': 'stale-fencing-token',
  'too-stale': 'too-stale',
  stopped: 'unavailable',
};

export interface LeaderHint {
  readonly leaderId: string | null;
  readonly leaderUrl: string | null;
}

export function record(body: unknown): Record<string, unknown> | null {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

export function leaderHint(body: unknown): LeaderHint {
  const fields = record(body);
  const leaderId = fields?.['leaderId'];
  const leaderUrl = fields?.['leaderUrl'];
  return {
    leaderId: typeof leaderId === 'string' && leaderId.length > 0 ? leaderId : null,
    leaderUrl: typeof leaderUrl === 'string' && leaderUrl.length > 0 ? leaderUrl : null,
  };
}

export function writeResult(body: unknown): WriteResult | null {
  const fields = record(body);
  const term = fields?.['term'];
  const index = fields?.['index'];
  if (!isCount(term) || !isCount(index)) return null;
  return { term, index };
}

export function getResult(body: unknown): GetResult | null {
  const fields = record(body);
  if (!fields || !('value' in fields) || !isCount(fields['index'])) return null;
  const nodeId = fields['nodeId'];
  const role = fields['nodeRole'] ?? fields['role'];
  const lagMs = fields['lagMs'];
  return {
    value: fields['value'],
    index: fields['index'],
    nodeId: typeof nodeId === 'string' ? nodeId : '',
    role: typeof role === 'string' ? role : '',
    lagMs: typeof lagMs === 'number' && Number.isFinite(lagMs) ? lagMs : 0,
  };
}

/** A 404 on a key is "absent" only when the body says so: other 404s mean a wrong URL. */
export function isKeyNotFound(status: number, body: unknown): boolean {
  const message = record(body)?.['error'];
  return status === 404 && typeof message === 'string' && /key not found/i.test(message);
}

/** The applied index a "Key not found" answer reflects, when the server says. */
export function notFoundIndex(body: unknown): number | null {
  const index = record(body)?.['index'];
  return isCount(index) ? index : null;
}

export function statusView(body: unknown): NodeStatusView | null {
  const fields = record(body);
  if (!fields || typeof fields['nodeId'] !== 'string' || typeof fields['role'] !== 'string' || !isCount(fields['term'])) return null;
  const leaderId = fields['leaderId'];
  const followers = record(fields['followers']) ?? {};
  return {
    ...fields,
    nodeId: fields['nodeId'],
    role: fields['role'],
    term: fields['term'],
    leaderId: typeof leaderId === 'string' && leaderId.length > 0 ? leaderId : null,
    commitIndex: countOr(fields['commitIndex']),
    appliedIndex: countOr(fields['appliedIndex']),
    lastIndex: countOr(fields['lastIndex']),
    leaseValid: fields['leaseValid'] === true,
    lagMs: typeof fields['lagMs'] === 'number' ? fields['lagMs'] : 0,
    membership: fields['membership'],
    followers,
  };
}

export interface AnswerContext {
  readonly endpoint: string;
  readonly attempts: number;
  /** What was asked, for the message: "PUT k", "GET k", "status". */
  readonly what: string;
  readonly isWrite: boolean;
}

/** The error an answer with a non-success status stands for. */
export function answerError(status: number, body: unknown, rawStart: string, context: AnswerContext): ReplikitClientError {
  const fields = record(body);
  const error = typeof fields?.['error'] === 'string' ? fields['error'] : undefined;
  const detail = typeof fields?.['detail'] === 'string' ? fields['detail'] : undefined;
  const serverMessage = error !== undefined && detail !== undefined ? `${error}: ${detail}` : (error ?? detail);
  const code = errorCode(status, fields, error ?? '', context.isWrite);
  const hint = leaderHint(body);
  const said = serverMessage ?? (rawStart ? `non-JSON answer ${JSON.stringify(rawStart)}` : 'no error message');
  const words =
    code === 'unauthorized'
      ? `${context.endpoint} refused the request (401): ${detail ?? said}`
      : code === 'forbidden'
        ? `${context.endpoint} refused the token (403): ${detail ?? said}`
        : `${context.endpoint} answered ${status}: ${said}`;
  const needs = fields?.['needs'];
  const role = fields?.['role'];
  return new ReplikitClientError(code, `${context.what}: ${words}`, status, {
    endpoint: context.endpoint,
    attempts: context.attempts,
    ...(serverMessage !== undefined ? { serverMessage } : {}),
    ...(code === 'forbidden' && typeof needs === 'string' ? { neededRole: needs } : {}),
    ...(code === 'forbidden' && typeof role === 'string' ? { tokenRole: role } : {}),
    ...(fields && 'current' in fields ? { current: fields['current'] } : {}),
    ...(fields && ('leaderId' in fields || 'leaderUrl' in fields) ? hint : {}),
  });
}

/** By `code` when the body has one, else by status and the short fixed `error` text the contract names. */
function errorCode(status: number, fields: Record<string, unknown> | null, text: string, isWrite: boolean): ReplikitClientErrorCode {
  const declared = fields?.['code'];
  if (typeof declared === 'string' && SERVER_CODES[declared]) {
    const code = SERVER_CODES[declared];
    // A write that timed out on the server was proposed: its fate is unknown, whatever the server calls it.
    return isWrite && code === 'timeout' ? 'outcome-unknown' : code;
  }
  switch (status) {
    case 400:
    case 413:
    case 422:
      return 'bad-request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 409:
      if (fields && 'current' in fields) return 'cas-mismatch';
      if (/cas|mismatch/i.test(text)) return 'cas-mismatch';
      if (/fenc/i.test(text)) return 'stale-fencing-token';
      return 'conflict';
    case 429:
      return 'busy';
    case 503:
      if (/stale|lag|behind/i.test(text)) return 'too-stale';
      if (/leader/i.test(text) || (fields && ('leaderId' in fields || 'leaderUrl' in fields))) return 'not-leader';
      return 'unavailable';
    case 504:
      return isWrite ? 'outcome-unknown' : 'timeout';
    default:
      if (status >= 500) return 'server-error';
      return 'bad-response';
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function countOr(value: unknown): number {
  return isCount(value) ? value : 0;
}
