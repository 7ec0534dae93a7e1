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

export const DEFAULT_NODE_TIMING = {
  tickMs: 5,
  electionTimeoutTicks: 12,
  heartbeatIntervalTicks: 2,
} as const;

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
