// One stability run on real processes: three `replikit node` processes on
// loopback, autocannon at 64 connections PUTting to the leader for the whole
// run, no fault injected. A healthy cluster must answer every request 2xx and
// keep its leader: any term change, 503 or error is a defect, and its cause is
// read from the nodes' own log lines (every role change says why).

import { autocannon } from '../http/autocannon.js';
import { ReplikitCluster, eventually, START_TIMEOUT_MS } from '../http/procs.js';

export interface ProcessRun {
  readonly seconds: number;
  readonly connections: number;
  readonly writesPerSec: number;
  readonly total2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The highest term any node reported at the end minus the one at the start. */
  readonly termChanges: number;
  /** Role changes and fencings the nodes logged during the run, with their causes. */
  readonly roleLog: readonly string[];
}

/** The leader must have held its term this long before load starts. */
const SETTLED_MS = 2_000;
const VALUE_JSON = '{"v":"0123456789abcdef"}';
const ROLE_LINE = /role: |fenced \(|evidence: /;

export async function processRun(seconds: number, connections: number): Promise<ProcessRun> {
  const cluster = await ReplikitCluster.start(3);
  try {
    const leader = await settledLeader(cluster);
    const linesBefore = cluster.logLines(ROLE_LINE).length;
    const termBefore = await highestTerm(cluster);
    const summary = await autocannon(
      ['-c', String(connections), '-m', 'PUT', '-H', 'content-type=application/json', '-b', VALUE_JSON, `${cluster.url(leader.id)}/key/bench`],
      seconds,
    );
    const termAfter = await highestTerm(cluster);
    const latency = summary['latency'] as Record<string, number>;
    const total2xx = Number(summary['2xx'] ?? 0);
    const durationS = Number(summary['duration'] ?? seconds);
    return {
      seconds,
      connections,
      writesPerSec: total2xx / durationS,
      total2xx,
      non2xx: Number(summary['non2xx'] ?? 0),
      errors: Number(summary['errors'] ?? 0),
      timeouts: Number(summary['timeouts'] ?? 0),
      p50Ms: latency['p50'] ?? Number.NaN,
      p99Ms: latency['p99'] ?? Number.NaN,
      termChanges: termAfter - termBefore,
      roleLog: cluster.logLines(ROLE_LINE).slice(linesBefore),
    };
  } finally {
    cluster.close();
  }
}

async function settledLeader(cluster: ReplikitCluster): Promise<{ id: string; term: number }> {
  let seen: { id: string; term: number; sinceMs: number } | null = null;
  return eventually(
    async () => {
      const leader = await cluster.leader();
      if (!leader || !seen || leader.id !== seen.id || leader.term !== seen.term) {
        seen = leader ? { ...leader, sinceMs: performance.now() } : null;
        return null;
      }
      return performance.now() - seen.sinceMs >= SETTLED_MS ? leader : null;
    },
    'a settled leader',
    START_TIMEOUT_MS,
  );
}

async function highestTerm(cluster: ReplikitCluster): Promise<number> {
  let highest = 0;
  for (const id of cluster.ids()) {
    const term = (await cluster.status(id))?.['term'];
    if (typeof term === 'number') highest = Math.max(highest, term);
  }
  return highest;
}
