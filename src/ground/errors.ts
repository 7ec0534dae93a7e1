// The one error type the embedded API throws: a code to branch on and a
// message to read. Bad input is refused before anything is written. The codes
// are shared ground: a node answers with them, the API throws them.

/** What a node answers when a request did not succeed. */
export type ErrorCode =
  'not-leader' | 'bad-request' | 'busy' | 'timeout' | 'unknown-outcome' | 'cas-mismatch' | 'stale-fencing-token' | 'too-stale' | 'stopped';

export type ReplikitErrorCode = ErrorCode | 'no-leader' | 'unknown-node' | 'closed' | 'compacted';

export class ReplikitError extends Error {
  override readonly name = 'ReplikitError';

  constructor(
    readonly code: ReplikitErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
