// What the page concludes from the nodes' statuses and the role tracker: who
// leads, how far each follower lags, which network side a node is on, and
// which node served the page. No DOM here.

import type { NodeId, NodeSample, NodeStatusView } from '../protocol.js';
import { compareNodeIds } from './format.js';
import type { LagSample } from './lag-history.js';
import type { RoleTracker } from './tracker.js';

const NET_LETTERS = 'ABCDEFGHIJKLMNOP';

export interface WorstLag extends LagSample {
  readonly id: NodeId;
}

export function sortedIds(nodes: readonly { readonly id: NodeId }[]): NodeId[] {
  return nodes.map((node) => node.id).sort(compareNodeIds);
}

/** The leader of the highest term among the nodes that say they lead (a deposed one may not know yet). */
export function leaderOf(ids: readonly NodeId[], tracker: Pick<RoleTracker, 'roleOf' | 'termOf'>): NodeId | null {
  let best: NodeId | null = null;
  for (const id of ids) {
    if (tracker.roleOf(id) !== 'leader') continue;
    if (best === null || tracker.termOf(id) > tracker.termOf(best)) best = id;
  }
  return best;
}

/** A follower's lag as its leader reports it; null for a node down or not reported. */
export function followerLag(leaderStatus: NodeStatusView | null, id: NodeId, isDown: boolean): LagSample | null {
  const report = leaderStatus && !isDown ? leaderStatus.followers[id] : undefined;
  return report ? { lagMs: report.lagMs, lagEntries: report.lagEntries } : null;
}

/** On the leader's card: the follower furthest behind (by time, then entries). */
export function worstLag(leaderStatus: NodeStatusView | null): WorstLag | null {
  let worst: WorstLag | null = null;
  for (const [id, report] of Object.entries(leaderStatus ? leaderStatus.followers : {})) {
    if (!worst || report.lagMs > worst.lagMs || (report.lagMs === worst.lagMs && report.lagEntries > worst.lagEntries)) {
      worst = { id, lagMs: report.lagMs, lagEntries: report.lagEntries };
    }
  }
  return worst;
}

/** 'net A', 'net B', ... for the side of a partition a node is on; 'cut off' when it is on none; null when there is no partition. */
export function netOf(partition: readonly (readonly NodeId[])[] | null, id: NodeId): string | null {
  if (!partition) return null;
  const index = partition.findIndex((group) => group.includes(id));
  return index === -1 ? 'cut off' : `net ${NET_LETTERS.charAt(index)}`;
}

/**
 * The node this page is on. The server may share one dashboard between
 * several nodes (dev mode), so the page's own origin says which node it is
 * on: the node whose URL has the page's host, else its port; else the node
 * the dashboard was created for.
 */
export function servedByOf(nodes: readonly NodeSample[], page: { readonly host: string; readonly port: string }, helloNodeId: NodeId | null): NodeId | null {
  const urlOf = (node: NodeSample): URL | null => {
    try {
      return new URL(node.url);
    } catch {
      return null;
    }
  };
  const byHost = nodes.find((node) => urlOf(node)?.host === page.host);
  if (byHost) return byHost.id;
  const byPort = nodes.find((node) => urlOf(node)?.port === page.port);
  if (byPort) return byPort.id;
  return helloNodeId;
}
