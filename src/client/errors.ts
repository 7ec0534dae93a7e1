// The one error type the HTTP client throws: a code to branch on, the HTTP
// status when a server answered (null when none did), and a message that
// names the endpoint. Never a raw fetch stack: transport failures are
// described by their system code (ECONNREFUSED, ...), not passed through.

export type ReplikitClientErrorCode =
  /** Refused before sending, or a 400 from the server (includes a reused, older seq). */
  | 'bad-request'
  /** 503 from a node that is not the leader, and no leader took the request in time. */
  | 'not-leader'
  /** No endpoint could name a leader in time. */
  | 'no-leader'
  /** 503 from a stopped node, or every endpoint was unreachable. */
  | 'unavailable'
  /** 503 on a `bounded` read: every node asked was further behind than `maxLagMs`. */
  | 'too-stale'
  /** 429: the node has too many requests waiting. */
  | 'busy'
  /** A read got no answer in time (504, or no response before the client's timeout). */
  | 'timeout'
  /**
   * A write was sent and its fate is not known (504 "Outcome unknown", a lost
   * response or a dropped connection) and the retries, each with the same
   * (clientId, seq), ran out. It was applied once or not at all.
   */
  | 'outcome-unknown'
  /** 409 on a cas: `details.current` holds the value found. */
  | 'cas-mismatch'
  /** 409: a write with a higher fencing token was already accepted for this key. */
  | 'stale-fencing-token'
  /** Another 409. */
  | 'conflict'
  /** A 5xx the contract does not name: a server bug, not retried. */
  | 'server-error'
  /** 401: the node wants a token (none was given), or does not accept the one given. Not retried. */
  | 'unauthorized'
  /** 403: the token's role is too low for the call (`details.neededRole`). Not retried. */
  | 'forbidden'
  /** The endpoint answered something that is not the replikit API. */
  | 'bad-response'
  /** The client was closed. */
  | 'closed';

export interface ReplikitClientErrorDetails {
  /** The endpoint of the last attempt. */
  readonly endpoint?: string;
  /** HTTP requests made for this call, redirects included. */
  readonly attempts?: number;
  /** cas-mismatch: the value the key holds. */
  readonly current?: unknown;
  readonly leaderId?: string | null;
  readonly leaderUrl?: string | null;
  /** The server's own words, when it gave any. */
  readonly serverMessage?: string;
  /** forbidden: the role the call needs, and the one the token has, as the node said. */
  readonly neededRole?: string;
  readonly tokenRole?: string;
}

export class ReplikitClientError extends Error {
  override readonly name = 'ReplikitClientError';

  constructor(
    readonly code: ReplikitClientErrorCode,
    message: string,
    /** The HTTP status of the answer this error comes from; null when no server answered. */
    readonly status: number | null = null,
    readonly details: ReplikitClientErrorDetails = {},
  ) {
    super(message);
  }
}
