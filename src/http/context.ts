// What every route handler of one server shares.

import type { NodeId } from '../core/types.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';
import type { LeaderHint } from './error-mapping.js';
import type { HttpLimits } from './limits.js';
import type { NodeMetrics } from './metrics.js';
import type { RecentFencing } from './recent-fencing.js';

export interface ServerContext {
  readonly endpoint: NodeEndpoint;
  readonly limits: HttpLimits;
  readonly metrics: NodeMetrics;
  readonly recentFencing: RecentFencing;
  readonly lagThresholdMs: number;
  /** Every node's base URL, as known now (nodes join and leave). */
  readonly peerUrls: () => Readonly<Record<NodeId, string>>;
}

/**
 * Where the client should go instead. A refusal that does not name the leader
 * (an election was under way) is completed from the node's status, which may
 * know by now.
 */
export async function leaderHint(context: ServerContext, leaderId: NodeId | null | undefined): Promise<LeaderHint> {
  let id = leaderId ?? null;
  if (id === null) id = (await context.endpoint.status())?.leaderId ?? null;
  return { leaderId: id, leaderUrl: id === null ? null : (context.peerUrls()[id] ?? null) };
}
