// The core's configuration: timing in ticks, limits on every queue and batch,
// and the default write policy. Bad values are refused with a clear message
// before a node starts, never discovered halfway through an election.

import type { RoleDriver } from '../../machines/index.js';
import type { PlantedBug } from './planted-bugs.js';
import type { NodeId, ReplicationMode } from './types.js';

export interface WritePolicy {
  readonly mode: ReplicationMode;
  /** semi-sync: followers besides the leader that must hold an entry. */
  readonly minReplicas: number;
  /** sync: a write fails (outcome unknown) after this; semi-sync: falls back to the leader's disk. */
  readonly timeoutTicks: number;
}

export interface CoreConfig {
  readonly id: NodeId;
  /** Base election timeout; each wait is drawn from [base, base + electionJitterTicks). */
  readonly electionTimeoutTicks: number;
  /**
   * How far waits spread above the base (default: the base, as in the Raft paper). Narrower
   * means a dead leader is replaced sooner in the worst case; it must stay wide enough that two
   * followers rarely time out within one round trip of each other.
   */
  readonly electionJitterTicks: number;
  /**
   * How patient a follower may become (election-patience.ts): it waits at least
   * electionTimeoutTicks, longer when the gaps it sees between a leader's messages grow, never more
   * than this. Equal to electionTimeoutTicks (the default), the wait never adapts. Leader
   * stickiness and the lease stay on electionTimeoutTicks, so adapting is only ever more patient.
   */
  readonly maxElectionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly preVote: boolean;
  /** A leader that hears from no majority within an election timeout steps down; enables leases. */
  readonly checkQuorum: boolean;
  /** How much faster than the leader's clock a follower's may run, in ticks per lease. */
  readonly leaseDriftTicks: number;
  readonly maxEntriesPerAppend: number;
  readonly maxAppendBytes: number;
  readonly maxInflightAppends: number;
  readonly maxPendingWrites: number;
  readonly maxPendingReads: number;
  readonly maxEntryBytes: number;
  /** Committed entries handed to the state machine in one Ready; bounds the driver's apply per turn. */
  readonly maxCommittedPerReady: number;
  /** A follower whose match has not moved for this long while behind is probed again. */
  readonly replicationStallTicks: number;
  /** A learner within this many entries of the leader's last index is promoted to voter. */
  readonly learnerPromoteLagEntries: number;
  readonly autoPromoteLearners: boolean;
  readonly defaultWrite: WritePolicy;
  readonly seed: number;
  /** Which implementation of the role statechart to run; the XState machine by default. */
  readonly roleDriver?: RoleDriver;
  /** Simulator only: break one rule on purpose. */
  readonly plantedBug?: PlantedBug | null;
}

export type CoreConfigInput = Partial<CoreConfig> & Pick<CoreConfig, 'id'>;

export const DEFAULT_ELECTION_TIMEOUT_TICKS = 10;

export function resolveCoreConfig(input: CoreConfigInput): CoreConfig {
  const electionTimeoutTicks = input.electionTimeoutTicks ?? DEFAULT_ELECTION_TIMEOUT_TICKS;
  const heartbeatIntervalTicks = input.heartbeatIntervalTicks ?? 1;
  const config: CoreConfig = {
    electionTimeoutTicks,
    electionJitterTicks: electionTimeoutTicks,
    maxElectionTimeoutTicks: electionTimeoutTicks,
    heartbeatIntervalTicks,
    preVote: true,
    checkQuorum: true,
    leaseDriftTicks: 1,
    maxEntriesPerAppend: 512,
    maxAppendBytes: 1 << 20,
    maxInflightAppends: 64,
    maxPendingWrites: 1 << 16,
    maxPendingReads: 1 << 12,
    maxEntryBytes: 1 << 20,
    maxCommittedPerReady: 1024,
    replicationStallTicks: heartbeatIntervalTicks * 3,
    learnerPromoteLagEntries: 64,
    autoPromoteLearners: true,
    seed: 1,
    plantedBug: null,
    ...input,
    defaultWrite: {
      mode: 'quorum',
      minReplicas: 1,
      timeoutTicks: electionTimeoutTicks * 5,
      ...input.defaultWrite,
    },
  };
  const problems = validateCoreConfig(config);
  if (problems.length > 0) throw new RangeError(`invalid core config: ${problems.join('; ')}`);
  return config;
}

const MODES: readonly ReplicationMode[] = ['quorum', 'sync', 'semi-sync', 'async'];

export function validateCoreConfig(config: CoreConfig): string[] {
  const problems: string[] = [];
  const positiveInteger = (name: keyof CoreConfig, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      problems.push(`${name} must be a positive integer, got ${String(value)}`);
    }
  };
  if (typeof config.id !== 'string' || config.id.length === 0) problems.push('id must be a non-empty string');
  positiveInteger('electionTimeoutTicks', config.electionTimeoutTicks);
  positiveInteger('electionJitterTicks', config.electionJitterTicks);
  positiveInteger('heartbeatIntervalTicks', config.heartbeatIntervalTicks);
  positiveInteger('maxElectionTimeoutTicks', config.maxElectionTimeoutTicks);
  if (config.maxElectionTimeoutTicks < config.electionTimeoutTicks) {
    problems.push(`maxElectionTimeoutTicks (${config.maxElectionTimeoutTicks}) must be at least electionTimeoutTicks (${config.electionTimeoutTicks})`);
  }
  positiveInteger('maxEntriesPerAppend', config.maxEntriesPerAppend);
  positiveInteger('maxAppendBytes', config.maxAppendBytes);
  positiveInteger('maxInflightAppends', config.maxInflightAppends);
  positiveInteger('maxPendingWrites', config.maxPendingWrites);
  positiveInteger('maxPendingReads', config.maxPendingReads);
  positiveInteger('maxEntryBytes', config.maxEntryBytes);
  positiveInteger('maxCommittedPerReady', config.maxCommittedPerReady);
  positiveInteger('replicationStallTicks', config.replicationStallTicks);
  if (config.heartbeatIntervalTicks >= config.electionTimeoutTicks) {
    problems.push(`heartbeatIntervalTicks (${config.heartbeatIntervalTicks}) must be below electionTimeoutTicks (${config.electionTimeoutTicks})`);
  }
  if (!Number.isInteger(config.leaseDriftTicks) || config.leaseDriftTicks < 0) {
    problems.push(`leaseDriftTicks must be a non-negative integer, got ${config.leaseDriftTicks}`);
  } else if (config.leaseDriftTicks >= config.electionTimeoutTicks) {
    problems.push(
      `leaseDriftTicks (${config.leaseDriftTicks}) must be below electionTimeoutTicks (${config.electionTimeoutTicks}), or the lease is never valid`,
    );
  }
  problems.push(...validateWritePolicy(config.defaultWrite));
  return problems;
}

export function validateWritePolicy(policy: Partial<WritePolicy>): string[] {
  const problems: string[] = [];
  if (policy.mode !== undefined && !MODES.includes(policy.mode)) {
    problems.push(`unknown replication mode ${JSON.stringify(policy.mode)}; expected one of ${MODES.join(', ')}`);
  }
  if (policy.minReplicas !== undefined && (!Number.isInteger(policy.minReplicas) || policy.minReplicas < 0)) {
    problems.push(`minReplicas must be a non-negative integer, got ${String(policy.minReplicas)}`);
  }
  if (policy.timeoutTicks !== undefined && (!Number.isInteger(policy.timeoutTicks) || policy.timeoutTicks < 1)) {
    problems.push(`timeoutTicks must be a positive integer, got ${String(policy.timeoutTicks)}`);
  }
  return problems;
}
