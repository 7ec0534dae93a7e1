// One measured run of one configuration: a fresh cluster, an election, an
// untimed warm-up (JIT, the log reaching its compacted steady size), then
// rounds of load for a fixed wall-clock duration.

import { BenchCluster, latencyPercentile, type DriverName } from './cluster.js';

/** Untimed load before each measurement. */
export const WARMUP_MS = 500;

export interface RunResult {
  readonly electionRounds: number;
  /** Role driver calls, all nodes together, from start-up to a leader: the driver's whole workload. */
  readonly electionRoleEvents: number;
  readonly rounds: number;
  readonly entriesPerSec: number;
  readonly messagesPerSec: number;
  readonly p50LatencyRounds: number;
  readonly p99LatencyRounds: number;
  /** Role driver calls during the measurement (0 when leadership is stable). */
  readonly roleEvents: number;
}

export function measureOnce(nodes: number, driver: DriverName, durationMs: number): RunResult {
  const cluster = new BenchCluster(nodes, driver);
  const electionRounds = cluster.electLeader();
  const electionRoleEvents = cluster.counters.roleEvents;
  runFor(cluster, WARMUP_MS);
  cluster.resetCounters();
  const elapsedMs = runFor(cluster, durationMs);
  const { counters } = cluster;
  const seconds = elapsedMs / 1000;
  return {
    electionRounds,
    electionRoleEvents,
    rounds: counters.rounds,
    entriesPerSec: counters.appliedCommands / seconds,
    messagesPerSec: counters.messages / seconds,
    p50LatencyRounds: latencyPercentile(counters.latencyRounds, 0.5),
    p99LatencyRounds: latencyPercentile(counters.latencyRounds, 0.99),
    roleEvents: counters.roleEvents,
  };
}

/** Rounds until `durationMs` has passed; returns the exact elapsed time. */
function runFor(cluster: BenchCluster, durationMs: number): number {
  const started = performance.now();
  for (;;) {
    cluster.step();
    const elapsedMs = performance.now() - started;
    if (elapsedMs >= durationMs) return elapsedMs;
  }
}
