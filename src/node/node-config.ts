// A node's runtime settings: the core's, in ticks, plus how long a tick is
// and the runtime's own limits. Validated before anything starts.

import type { CoreConfigInput } from '../core/config.js';
import type { Membership, NodeId, ReplicationMode } from '../core/types.js';

export interface NodeRuntimeConfig {
  readonly id: NodeId;
  /** Membership when the node's disk holds none yet. */
  readonly bootstrap: Membership;
  /** How long one core tick is. */
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly defaultMode: ReplicationMode;
  readonly semiSyncMinReplicas: number;
  /** sync: fail (outcome unknown) after this; semi-sync: fall back to the leader's disk. */
  readonly replicationTimeoutMs: number;
  /** Take a snapshot and compact the log after this many applied entries. */
  readonly snapshotEveryEntries: number;
  /** A read waiting for its index to be applied gives up after this. */
  readonly readWaitTimeoutMs: number;
  /** A write whose answer has not come gives up (outcome unknown) after this. */
  readonly writeTimeoutMs: number;
  /** Requests waiting for an answer on this node at once; more are refused with `busy`. */
  readonly maxPendingRequests: number;
  /** Core settings beyond the ones above (limits, pre-vote, check-quorum, seed). */
  readonly core?: Omit<CoreConfigInput, 'id'>;
}

/**
 * Patient by default, as etcd is: heartbeats every 100 ms, and a follower that hears nothing for
 * 1 s (longer after it has seen its leader stall: election-patience.ts) campaigns. On a shared
 * 2-core machine an event loop can go unscheduled for hundreds of milliseconds, and a tighter
 * timeout elected new leaders while nothing had failed. A crash is not waited out: its evidence
 * (a closed channel) starts an election at once (Transport.onPeerGone).
 */
export const DEFAULT_NODE_TIMING = {
  tickMs: 10,
  electionTimeoutTicks: 100,
  heartbeatIntervalTicks: 10,
} as const;

/**
 * The spread and the upper bound of the election wait, for a base timeout T: waits are drawn from
 * [T, T + 0.3 T) (narrow enough that a silent leader is replaced within about 1.3 T; the pre-vote
 * tie-break keeps close timeouts from splitting the vote), and patience may grow to 2 T.
 */
export function electionSpread(electionTimeoutTicks: number): { electionJitterTicks: number; maxElectionTimeoutTicks: number } {
  return {
    electionJitterTicks: Math.max(1, Math.round(electionTimeoutTicks * ELECTION_JITTER_FRACTION)),
    maxElectionTimeoutTicks: electionTimeoutTicks * MAX_PATIENCE_FACTOR,
  };
}

/** Election waits spread over this fraction of the base timeout. */
export const ELECTION_JITTER_FRACTION = 0.3;
/** A follower's patience grows to at most this many base timeouts. */
export const MAX_PATIENCE_FACTOR = 2;

export function nodeConfigProblems(config: NodeRuntimeConfig): string[] {
  const problems: string[] = [];
  const positive = (name: keyof NodeRuntimeConfig, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number, got ${value}`);
  };
  positive('tickMs', config.tickMs);
  positive('replicationTimeoutMs', config.replicationTimeoutMs);
  positive('snapshotEveryEntries', config.snapshotEveryEntries);
  positive('readWaitTimeoutMs', config.readWaitTimeoutMs);
  positive('writeTimeoutMs', config.writeTimeoutMs);
  positive('maxPendingRequests', config.maxPendingRequests);
  if (config.bootstrap.voters.length === 0) problems.push('the bootstrap membership needs at least one voter');
  return problems;
}
