// One stability run in one process: the embedded API on a 3-node dev cluster
// (worker threads), 2,000 writes kept in flight for the whole run, no fault
// injected. Every write must succeed and the leader must hold: a failed write
// or a leader change is a defect, and the nodes' role events say why.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster, ReplikitError, type Cluster } from '../../src/index.js';

export interface EmbeddedRun {
  readonly seconds: number;
  readonly inFlight: number;
  readonly writesPerSec: number;
  readonly acknowledged: number;
  /** Failed writes by error code. */
  readonly failed: Readonly<Record<string, number>>;
  readonly leaderChanges: number;
  /** Role changes during the run, with the cause each node gave. */
  readonly roleLog: readonly string[];
}

/** A leader must exist within this long of the cluster starting. */
const LEADER_TIMEOUT_MS = 15_000;
/** And hold its term this long before load starts. */
const SETTLED_MS = 2_000;

export async function embeddedRun(seconds: number, inFlight: number): Promise<EmbeddedRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'replikit-bench-stability-'));
  const cluster = await createCluster({ nodes: 3, dataDir });
  try {
    await settledLeader(cluster);
    const roleLog: string[] = [];
    let leaderChanges = 0;
    const startedMs = performance.now();
    const stamp = (): string => `${((performance.now() - startedMs) / 1000).toFixed(2)} s`;
    let loading = true;
    cluster.on('event', (event: { type: string; id?: string; role?: string; term?: number; why?: string; leaderId?: string | null }) => {
      if (!loading) return; // closing the cluster afterwards makes its own role changes
      if (event.type === 'leader-change') leaderChanges++;
      if (event.type === 'role') roleLog.push(`${stamp()} ${event.id}: ${event.role} in term ${event.term} (${event.why})`);
      if (event.type === 'node-crashed' || event.type === 'node-fenced') roleLog.push(`${stamp()} ${JSON.stringify(event)}`);
    });
    const deadlineMs = startedMs + seconds * 1000;
    const failed: Record<string, number> = {};
    let acknowledged = 0;
    const lane = async (laneId: number): Promise<void> => {
      for (let i = 0; performance.now() < deadlineMs; i++) {
        try {
          await cluster.put(`lane${laneId}`, i);
          acknowledged++;
        } catch (error) {
          const code = error instanceof ReplikitError ? error.code : 'thrown';
          failed[code] = (failed[code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, (_, laneId) => lane(laneId)));
    loading = false;
    const elapsedS = (performance.now() - startedMs) / 1000;
    return { seconds, inFlight, writesPerSec: acknowledged / elapsedS, acknowledged, failed, leaderChanges, roleLog };
  } finally {
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function settledLeader(cluster: Cluster): Promise<void> {
  const deadline = performance.now() + LEADER_TIMEOUT_MS;
  let seen: { id: string; term: number; sinceMs: number } | null = null;
  for (;;) {
    const status = await cluster.status();
    const leader = status.leaderId === null ? null : { id: status.leaderId, term: status.term };
    if (!leader || !seen || leader.id !== seen.id || leader.term !== seen.term) seen = leader ? { ...leader, sinceMs: performance.now() } : null;
    else if (performance.now() - seen.sinceMs >= SETTLED_MS) return;
    if (performance.now() > deadline) throw new Error('no settled leader');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
