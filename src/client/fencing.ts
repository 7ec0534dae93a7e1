// Fencing tokens from acknowledged writes, for handing to an external
// resource (a storage service, a file lock) that must refuse a deposed
// holder's late requests.
//
// The token is the pair [term, index], compared term first, then index.
// Not one packed number: a JavaScript number holds 53 bits exactly, and an
// index alone can pass 2^32 in a long-lived cluster, so any split of the bits
// between term and index would one day overflow and order tokens wrongly.
// The pair never does. (Index alone would order committed writes, but a
// write acknowledged in async or degraded semi-sync mode can be lost and its
// index reused in a later term: the term breaks that tie correctly.)

import { ReplikitClientError } from './errors.js';
import type { WriteResult } from './types.js';

export type FencingToken = readonly [term: number, index: number];

export function fencingToken(result: WriteResult): FencingToken {
  const term = result?.term;
  const index = result?.index;
  if (!isCount(term) || !isCount(index)) {
    throw new ReplikitClientError('bad-request', 'fencingToken needs the { term, index } of an acknowledged write');
  }
  return [term, index];
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareFencingTokens(a: FencingToken, b: FencingToken): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
