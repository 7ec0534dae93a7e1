// GET /status, /health and /metrics: what this node says about itself.

import type { NodeStatus } from '../node/node-runtime.js';
import type { ServerContext } from './context.js';
import { HttpError } from './http-error.js';
import { json, type Reply } from './reply.js';
import type { Route } from './router.js';

export function statusRoutes(context: ServerContext): Route[] {
  return [
    { method: 'GET', pattern: '/status', access: 'read', handle: () => status(context) },
    // Open: load balancers and orchestrators probe it without credentials, and it says only healthy or not, and why.
    { method: 'GET', pattern: '/health', access: 'open', handle: () => health(context) },
    { method: 'GET', pattern: '/metrics', access: 'read', handle: () => metrics(context) },
  ];
}

function unavailable(context: ServerContext): HttpError {
  return new HttpError(503, 'Node unavailable', `${context.endpoint.id} is down or not answering`);
}

async function status(context: ServerContext): Promise<Reply> {
  const current = await context.endpoint.status();
  if (!current) throw unavailable(context);
  const followers: Record<string, { matchIndex: number; lagEntries: number; lagMs: number; learner: boolean }> = {};
  for (const [id, follower] of Object.entries(current.followers)) {
    followers[id] = { matchIndex: follower.matchIndex, lagEntries: follower.lagEntries, lagMs: follower.lagMs, learner: follower.learner };
  }
  return json(200, {
    nodeId: current.id,
    role: current.role,
    term: current.term,
    leaderId: current.leaderId,
    leaderUrl: current.leaderId === null ? null : (context.peerUrls()[current.leaderId] ?? null),
    commitIndex: current.commitIndex,
    appliedIndex: current.appliedIndex,
    lastIndex: current.lastIndex,
    leaseValid: current.leaseValid,
    lagMs: current.lagMs,
    membership: current.membership,
    followers,
    // This node's latest fencings, oldest first (RECENT_FENCING_KEPT); /metrics counts them all.
    recentFencing: context.recentFencing.list(),
  });
}

async function health(context: ServerContext): Promise<Reply> {
  const current = await context.endpoint.status();
  const problems = current ? healthProblems(current, context.lagThresholdMs) : [`${context.endpoint.id} is down or not answering`];
  return problems.length === 0 ? json(200, { healthy: true }) : json(503, { healthy: false, problems });
}

/** No leader known; on the leader, a follower too far behind; on a follower, itself too far behind. */
export function healthProblems(status: NodeStatus, lagThresholdMs: number): string[] {
  const problems: string[] = [];
  if (status.leaderId === null) problems.push('no leader known');
  if (status.role === 'leader') {
    for (const [id, follower] of Object.entries(status.followers)) {
      if (follower.lagMs > lagThresholdMs) {
        problems.push(`follower ${id} lags ${Math.round(follower.lagMs)} ms (${follower.lagEntries} entries), over ${lagThresholdMs} ms`);
      }
    }
  } else if (status.lagMs > lagThresholdMs) {
    problems.push(`this node lags ${Math.round(status.lagMs)} ms behind the leader, over ${lagThresholdMs} ms`);
  }
  return problems;
}

async function metrics(context: ServerContext): Promise<Reply> {
  const { text, contentType } = await context.metrics.scrape();
  return { status: 200, text, contentType };
}
