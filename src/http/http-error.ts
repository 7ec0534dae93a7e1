// The one error a handler throws to answer with a 4xx/5xx: a status, a short
// fixed `error` a client can branch on, an optional human `detail`, and any
// extra fields the contract names (leaderId, lagMs, current, ...).

import { MAX_ERROR_DETAIL_CHARS } from './limits.js';

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail === undefined ? error : `${error}: ${detail}`);
  }

  body(): Record<string, unknown> {
    return { error: this.error, ...(this.detail !== undefined ? { detail: clip(this.detail) } : {}), ...this.extra };
  }
}

export function badRequest(detail: string): HttpError {
  return new HttpError(400, 'Bad request', detail);
}

/** Messages from parsers may quote the input; keep them short. */
export function clip(text: string): string {
  return text.length <= MAX_ERROR_DETAIL_CHARS ? text : `${text.slice(0, MAX_ERROR_DETAIL_CHARS)}…`;
}
