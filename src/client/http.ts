// One HTTP exchange with one endpoint, reported as data rather than thrown:
// the caller decides what a failure means (a write must tell "never sent"
// from "sent, answer lost"; a read does not care).

/** Transport failures that happen before any byte of the request left: the server cannot have acted on it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Names the leader this client could not reach; the node asked instead holds the request until it
 * knows another leader (the server's side: UNREACHABLE_LEADER_HEADER in src/http/routes-kv.ts).
 */
export const UNREACHABLE_LEADER_HEADER = 'x-replikit-unreachable-leader';

/** How much of a non-JSON answer an error message quotes. */
const MAX_QUOTED_BODY_CHARS = 120;

export type Exchange =
  | {
      readonly kind: 'answer';
      readonly status: number;
      /** The parsed JSON body; undefined when the body was not JSON. */
      readonly body: unknown;
      /** The start of a body that was not JSON, for error messages. */
      readonly rawStart: string;
    }
  | {
      readonly kind: 'no-answer';
      /** False only when the request certainly never reached the server (connection refused, no such host). */
      readonly maybeSent: boolean;
      /** The client's own timeout fired. */
      readonly timedOut: boolean;
      /** The caller's signal (close()) stopped it. */
      readonly aborted: boolean;
      /** A short description, e.g. "ECONNREFUSED" or "no answer within 500 ms". */
      readonly reason: string;
    };

export interface ExchangeInit {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborts the exchange when the client closes. */
  readonly signal: AbortSignal;
}

export async function exchange(url: string, init: ExchangeInit): Promise<Exchange> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(init.timeoutMs)));
  const signal = AbortSignal.any([timeout, init.signal]);
  const noAnswer = (error: unknown, phase: 'connect' | 'body'): Exchange => {
    if (init.signal.aborted) return { kind: 'no-answer', maybeSent: true, timedOut: false, aborted: true, reason: 'the client was closed' };
    if (timeout.aborted) {
      return { kind: 'no-answer', maybeSent: true, timedOut: true, aborted: false, reason: `no answer within ${init.timeoutMs} ms` };
    }
    const code = systemCode(error);
    return {
      kind: 'no-answer',
      maybeSent: phase === 'body' || !(code !== null ? NOT_SENT_CODES.has(code) : refusedByFetch(error)),
      timedOut: false,
      aborted: false,
      reason: code ?? describe(error),
    };
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      signal,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    return noAnswer(error, 'connect');
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return noAnswer(error, 'body');
  }
  try {
    return { kind: 'answer', status: response.status, body: JSON.parse(text) as unknown, rawStart: '' };
  } catch {
    return { kind: 'answer', status: response.status, body: undefined, rawStart: text.slice(0, MAX_QUOTED_BODY_CHARS) };
  }
}

/** fetch wraps the socket error in `cause` (an AggregateError when several addresses were tried). */
function systemCode(error: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || seen.has(next)) continue;
    seen.add(next);
    const code = (next as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
    queue.push((next as { cause?: unknown }).cause);
    const errors = (next as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return null;
}

/** fetch refuses some URLs itself (the spec's blocked ports), before any connection. */
function refusedByFetch(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error && cause.message === 'bad port';
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
