// createCluster's options, their defaults, and the checks that refuse bad
// ones with a readable message before any worker starts.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicationMode } from '../core/types.js';
import { DEFAULT_NODE_TIMING } from '../node/node-config.js';
import { ReplikitError } from '../ground/errors.js';

export interface ClusterOptions {
  /** Voters at start, 1 to 9. */
  readonly nodes?: number;
  /** Where each node keeps its LMDB environment (`<dataDir>/<id>`); a fresh temp dir by default. */
  readonly dataDir?: string;
  readonly mode?: ReplicationMode;
  readonly semiSyncMinReplicas?: number;
  readonly replicationTimeoutMs?: number;
  readonly tickMs?: number;
  readonly electionTimeoutTicks?: number;
  readonly heartbeatIntervalTicks?: number;
  readonly snapshotEveryEntries?: number;
  /** A follower further behind than this fails the health check and raises lag-over-threshold. */
  readonly lagThresholdMs?: number;
  /** How often the supervisor asks each node how it is. */
  readonly watchIntervalMs?: number;
  /**
   * A node that does not answer for this long is hung: terminated and restarted. Generous, since a
   * busy node on a loaded machine answers late without being hung; a hung leader is replaced by an
   * election well before, and fenced as soon as a newer leader exists.
   */
  readonly hangTimeoutMs?: number;
  /** Restarts of one node within a minute before it is left down and reported as crash-looping. */
  readonly maxRestartsPerMinute?: number;
  /** A request that finds no leader or no answer gives up after this. */
  readonly requestTimeoutMs?: number;
}

export type ResolvedClusterOptions = Required<ClusterOptions>;

export function resolveClusterOptions(options: ClusterOptions = {}): ResolvedClusterOptions {
  const known = new Set<string>([
    'nodes',
    'dataDir',
    'mode',
    'semiSyncMinReplicas',
    'replicationTimeoutMs',
    'tickMs',
    'electionTimeoutTicks',
    'heartbeatIntervalTicks',
    'snapshotEveryEntries',
    'lagThresholdMs',
    'watchIntervalMs',
    'hangTimeoutMs',
    'maxRestartsPerMinute',
    'requestTimeoutMs',
  ]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ReplikitError('bad-request', `unknown cluster option ${JSON.stringify(key)}`);
  }
  const resolved: ResolvedClusterOptions = {
    nodes: 3,
    dataDir: join(tmpdir(), `replikit-${process.pid}-${Date.now().toString(36)}`),
    mode: 'quorum',
    semiSyncMinReplicas: 1,
    replicationTimeoutMs: 1000,
    tickMs: DEFAULT_NODE_TIMING.tickMs,
    electionTimeoutTicks: DEFAULT_NODE_TIMING.electionTimeoutTicks,
    heartbeatIntervalTicks: DEFAULT_NODE_TIMING.heartbeatIntervalTicks,
    snapshotEveryEntries: 50_000,
    lagThresholdMs: 1000,
    watchIntervalMs: 25,
    hangTimeoutMs: 3000,
    maxRestartsPerMinute: 5,
    requestTimeoutMs: 5000,
    ...stripUndefined(options),
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.nodes) || resolved.nodes < 1 || resolved.nodes > 9) {
    problems.push(`nodes must be an integer from 1 to 9, got ${resolved.nodes}`);
  }
  if (!['quorum', 'sync', 'semi-sync', 'async'].includes(resolved.mode)) {
    problems.push(`unknown mode ${JSON.stringify(resolved.mode)}; expected quorum, sync, semi-sync or async`);
  }
  for (const name of ['tickMs', 'replicationTimeoutMs', 'lagThresholdMs', 'watchIntervalMs', 'hangTimeoutMs', 'requestTimeoutMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number, got ${value}`);
  }
  for (const name of ['electionTimeoutTicks', 'heartbeatIntervalTicks', 'snapshotEveryEntries', 'maxRestartsPerMinute'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(resolved.semiSyncMinReplicas) || resolved.semiSyncMinReplicas < 0) {
    problems.push(`semiSyncMinReplicas must be a non-negative integer, got ${resolved.semiSyncMinReplicas}`);
  }
  if (resolved.heartbeatIntervalTicks >= resolved.electionTimeoutTicks) {
    problems.push('heartbeatIntervalTicks must be below electionTimeoutTicks');
  }
  if (typeof resolved.dataDir !== 'string' || resolved.dataDir.length === 0) problems.push('dataDir must be a non-empty path');
  if (problems.length > 0) throw new ReplikitError('bad-request', `invalid cluster options: ${problems.join('; ')}`);
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
