// Shared pieces for tests on a real worker-thread cluster.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster, type Cluster, type ClusterOptions } from '../../src/index.js';

/**
 * These tests run the default timing, the one users get: patient enough that a
 * saturated CI machine does not elect a new leader while nothing failed.
 */
export async function withCluster<T>(options: ClusterOptions, run: (cluster: Cluster) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'replikit-test-'));
  const cluster = await createCluster({ dataDir, ...options });
  try {
    return await run(cluster);
  } finally {
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll until `condition` holds; fail with `what` after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function leaderOf(cluster: Cluster): Promise<string> {
  let leaderId: string | null = null;
  await eventually(async () => {
    leaderId = (await cluster.status()).leaderId;
    return leaderId !== null;
  }, 'a leader');
  return leaderId as unknown as string;
}

/**
 * Resolves with the new leader once the cluster itself routes writes to a leader other than
 * `oldLeader` (its 'leader-change' event). Call it before cutting the old leader off, so the event
 * cannot be missed. /status can name the new leader a moment earlier, and a write sent in that moment
 * still goes to the old leader, which the supervisor may shoot with the write in flight.
 */
export function routedToNewLeader(cluster: Cluster, oldLeader: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cluster.off('event', listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for the cluster to route to a leader other than ${oldLeader}`));
    }, timeoutMs);
    function listener(event: { type: string; leaderId?: string | null }): void {
      if (event.type !== 'leader-change' || !event.leaderId || event.leaderId === oldLeader) return;
      clearTimeout(timer);
      cluster.off('event', listener);
      resolve(event.leaderId);
    }
    cluster.on('event', listener);
  });
}

/**
 * Every acknowledged write must be readable: for each key, a linearizable
 * read returns the last acknowledged value or one written after it (writes
 * with unknown outcome may have landed later).
 */
export async function expectNoAcknowledgedWriteLost(
  cluster: Cluster,
  acknowledged: Map<string, number>,
  attempted: Map<string, Set<number>>,
): Promise<string[]> {
  const lost: string[] = [];
  for (const [key, value] of acknowledged) {
    const read = await cluster.get(key);
    const seen = read?.value;
    const allowed = [...(attempted.get(key) ?? [])].filter((candidate) => candidate >= value);
    if (typeof seen !== 'number' || !allowed.includes(seen)) lost.push(`${key}: acknowledged ${value}, read ${JSON.stringify(seen)}`);
  }
  return lost;
}
