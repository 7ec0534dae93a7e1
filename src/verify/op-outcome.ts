// How a client error becomes a history outcome. `fail` means the op certainly
// did not take effect, `info` that it may have. Getting this wrong in the
// `fail` direction would make the checker report anomalies that are not
// there, so only the codes the client documents as definite are `fail`.

import type { OpFunction, OpType } from '../check/index.js';
import { ReplikitClientError, type ReplikitClientErrorCode } from '../client/index.js';

/**
 * Refusals that changed nothing (src/client/router.ts: a write that might have
 * reached a server and then ran out of retries is `outcome-unknown` instead).
 */
const DEFINITE_FAILURES: ReadonlySet<ReplikitClientErrorCode> = new Set<ReplikitClientErrorCode>([
  'bad-request',
  'not-leader',
  'no-leader',
  'unavailable',
  'too-stale',
  'busy',
  'cas-mismatch',
  'stale-fencing-token',
]);

export function outcomeOfError(f: OpFunction, error: unknown): Exclude<OpType, 'invoke' | 'ok'> {
  // A read that failed changed nothing, whatever the reason.
  if (f === 'read') return 'fail';
  if (error instanceof ReplikitClientError && DEFINITE_FAILURES.has(error.code)) return 'fail';
  return 'info';
}

export function errorCode(error: unknown): string {
  return error instanceof ReplikitClientError ? error.code : error instanceof Error ? error.name : 'thrown';
}
