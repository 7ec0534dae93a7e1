// What the nodes say about the cluster right now, and bounded waits for it
// to reach a state (a leader everyone running agrees on, a node caught up).

import type { ClusterTarget } from './cluster-target.js';
import { POLL_INTERVAL_MS } from './limits.js';
import { nodeStatus, type NodeStatusSnapshot } from './node-api.js';
import { sleep } from './sleep.js';

export type ClusterView = Map<string, NodeStatusSnapshot | null>;

export async function viewCluster(target: ClusterTarget): Promise<ClusterView> {
  const ids = target.nodeIds;
  const statuses = await Promise.all(ids.map((id) => nodeStatus(target.urlOf(id), target.token)));
  return new Map(ids.map((id, i) => [id, statuses[i] ?? null]));
}

/** The node claiming leadership in the highest term, with its status. */
export function leaderIn(view: ClusterView): NodeStatusSnapshot | null {
  let best: NodeStatusSnapshot | null = null;
  for (const status of view.values()) {
    if (status?.role === 'leader' && (best === null || status.term > best.term)) best = status;
  }
  return best;
}

export async function currentLeader(target: ClusterTarget): Promise<NodeStatusSnapshot | null> {
  return leaderIn(await viewCluster(target));
}

/** The first node seen claiming leadership (highest term), polling up to `timeoutMs`; null when none did. */
export async function waitForLeader(target: ClusterTarget, timeoutMs: number): Promise<NodeStatusSnapshot | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const leader = await currentLeader(target);
    if (leader || performance.now() >= deadline) return leader;
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * Waits until one leader is named by every node that answers and is a member
 * (removed nodes may keep an old view). Null when the time ran out.
 */
export async function waitForAgreedLeader(target: ClusterTarget, timeoutMs: number): Promise<NodeStatusSnapshot | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const view = await viewCluster(target);
    const leader = leaderIn(view);
    if (leader) {
      const members = new Set([...leader.voters, ...leader.learners]);
      const agreed = [...view.values()].every((status) => status === null || !members.has(status.nodeId) || status.leaderId === leader.nodeId);
      if (agreed) return leader;
    }
    if (performance.now() >= deadline) return null;
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Polls until `done` holds for a fresh view; false when the time ran out. */
export async function waitForView(target: ClusterTarget, timeoutMs: number, done: (view: ClusterView) => boolean): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (done(await viewCluster(target))) return true;
    if (performance.now() >= deadline) return false;
    await sleep(POLL_INTERVAL_MS);
  }
}

/** One line per node, for a finding: "n1 follower t7 -> n2 (voters n1 n2 n3)", "n3 no answer". */
export function describeView(view: ClusterView): string {
  return [...view.entries()]
    .map(([id, status]) =>
      status === null
        ? `${id} no answer`
        : `${id} ${status.role} t${status.term} -> ${status.leaderId ?? 'none'} (voters ${status.voters.join(' ')}${status.learners.length > 0 ? `; learners ${status.learners.join(' ')}` : ''})`,
    )
    .join('; ');
}
