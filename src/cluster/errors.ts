// The one error type the embedded API throws: a code to branch on and a
// message to read. Bad input is refused before anything is written.

import type { ErrorCode } from '../node/requests.js';

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
