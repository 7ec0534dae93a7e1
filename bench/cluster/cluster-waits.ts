// Waiting on a cluster's state through status(), with a deadline: a wait
// that never ends is a finding to report, not a benchmark that hangs.

import type { Cluster, ClusterStatus, NodeId } from '../../src/index.js';
import { sleep } from './harness.js';

/** How often status() is asked while waiting. */
const POLL_INTERVAL_MS = 10;

export class WaitTimeoutError extends Error {}

export async function waitForStatus(cluster: Cluster, what: string, timeoutMs: number, condition: (status: ClusterStatus) => boolean): Promise<ClusterStatus> {
  const deadlineMs = performance.now() + timeoutMs;
  for (;;) {
    const status = await cluster.status();
    if (condition(status)) return status;
    if (performance.now() > deadlineMs) {
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}; last status ${JSON.stringify(status)}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** A leader, and every node running. */
export function waitForHealthy(cluster: Cluster, timeoutMs: number): Promise<ClusterStatus> {
  return waitForStatus(
    cluster,
    'a leader and every node running',
    timeoutMs,
    (status) => status.leaderId !== null && status.nodes.every((node) => node.state === 'running'),
  );
}

/** `id` has applied everything the leader had committed when the wait began. */
export async function waitForCatchUp(cluster: Cluster, id: NodeId, timeoutMs: number): Promise<ClusterStatus> {
  const leader = await waitForHealthy(cluster, timeoutMs);
  const target = leader.nodes.find((node) => node.id === leader.leaderId)?.commitIndex ?? 0;
  return waitForStatus(cluster, `${id} to apply index ${target}`, timeoutMs, (status) => {
    const node = status.nodes.find((candidate) => candidate.id === id);
    return node !== undefined && node.state === 'running' && node.appliedIndex >= target;
  });
}
