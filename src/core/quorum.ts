// Every quorum question the core asks, as pure functions of the voters and
// what each has told us (after etcd-io/raft's quorum/ package). Tested by
// the text tables in test/unit/quorum/testdata/: one line per case, so a new
// rule or a corner case is a line to add, not a test to write.

import { assert } from '../ground/assert.js';
import type { NodeId } from './types.js';

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/**
 * The largest index a majority of `voters` holds: the k-th largest of their indexes, k a quorum.
 * A voter `indexOf` knows nothing about counts as 0.
 */
export function committedIndex(voters: readonly NodeId[], indexOf: (voter: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const indexes = voters.map(indexOf).sort((a, b) => b - a);
  const committed = indexes[quorumSize(voters.length) - 1];
  assert(committed !== undefined, 'a quorum of voters has an index');
  return committed;
}

export type VoteResult = 'won' | 'lost' | 'pending';

/** An election's outcome so far: won by a majority granting, lost once a majority refused. */
export function voteResult(
  voters: readonly NodeId[],
  voteOf: (voter: NodeId) => boolean | undefined,
): { result: VoteResult; granted: number; rejected: number } {
  let granted = 0;
  let rejected = 0;
  for (const voter of voters) {
    const vote = voteOf(voter);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const quorum = quorumSize(voters.length);
  const result: VoteResult = granted >= quorum ? 'won' : rejected >= quorum ? 'lost' : 'pending';
  return { result, granted, rejected };
}

/** Whether a majority of `voters` is active (check-quorum: the leader heard from them lately). */
export function quorumActive(voters: readonly NodeId[], isActive: (voter: NodeId) => boolean): boolean {
  let active = 0;
  for (const voter of voters) if (isActive(voter)) active++;
  return active >= quorumSize(voters.length);
}
