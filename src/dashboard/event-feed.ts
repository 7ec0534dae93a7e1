// The events a dashboard pushes as they happen: the serving node's role
// changes and fencings, in dev mode the cluster supervisor's events, and the
// fencings other nodes list in their /status. Subscribed once for the
// dashboard's life (not per page), with the most recent kept so that a page
// opened later starts its timeline with what it missed.

import type { NodeId, Role } from '../core/types.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';
import { fencingFrom, SeenFencings, type FencingView } from './fencing-feed.js';
import type { ClusterEventMessage, FeedMessage, RoleEventMessage } from './protocol.js';

const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];

/** Supervisor events not worth a page's attention: applied key changes are per write and can be large. */
const IGNORED_CLUSTER_EVENTS: readonly string[] = ['changes'];

export interface EventFeedOptions {
  readonly endpoint: NodeEndpoint;
  readonly clusterEvents?: (listener: (event: unknown) => void) => () => void;
  readonly recentKept: number;
  readonly maxEventJsonChars: number;
  readonly nowMs?: () => number;
}

export class EventFeed {
  private readonly recentMessages: FeedMessage[] = [];
  private readonly listeners = new Set<(message: FeedMessage) => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly nowMs: () => number;
  private readonly seenFencings = new SeenFencings();

  constructor(private readonly options: EventFeedOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    const nodeId = options.endpoint.id;
    this.unsubscribes.push(
      options.endpoint.onEvent((event) => {
        if (event.type === 'role') {
          this.publish({
            kind: 'role',
            data: { atMs: this.nowMs(), source: 'node', id: nodeId, role: event.role, term: event.term, leaderId: event.leaderId, why: event.why },
          });
        } else if (event.type === 'fatal') {
          this.publish({ kind: 'cluster', data: { atMs: this.nowMs(), event: { type: 'fatal', id: nodeId, message: event.message } } });
        }
      }),
    );
    const unsubscribeFencing = options.endpoint.onFencing?.((record) => this.fencing(nodeId, record));
    if (unsubscribeFencing) this.unsubscribes.push(unsubscribeFencing);
    if (options.clusterEvents) {
      this.unsubscribes.push(options.clusterEvents((event) => this.fromCluster(event, nodeId)));
    }
  }

  /** Oldest first. */
  recent(): FeedMessage[] {
    return [...this.recentMessages];
  }

  /** The fencings a node lists in its /status: those not shown yet go out now. */
  observeFencing(id: NodeId, fencings: readonly FencingView[]): void {
    for (const fencing of fencings) this.fencing(id, fencing);
  }

  onMessage(listener: (message: FeedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.listeners.clear();
  }

  private fromCluster(event: unknown, nodeId: NodeId): void {
    if (typeof event !== 'object' || event === null) return;
    const type = (event as { type?: unknown }).type;
    if (typeof type !== 'string' || IGNORED_CLUSTER_EVENTS.includes(type)) return;
    const atMs = this.nowMs();
    if (type === 'role') {
      const role = roleMessage(event, atMs);
      // The serving node's own role changes already arrive from its endpoint.
      if (role && role.id !== nodeId) this.publish({ kind: 'role', data: role });
      return;
    }
    const id = (event as { id?: unknown }).id;
    const fencing = type === 'node-fenced' ? fencingFrom(event) : null;
    if (fencing && typeof id === 'string') {
      this.fencing(id, fencing);
      return;
    }
    this.publish({ kind: 'cluster', data: { atMs, event: this.jsonSafe(event, type) } });
  }

  /** One fencing, in the same shape whichever route brought it, once. */
  private fencing(id: NodeId, fencing: FencingView): void {
    if (!this.seenFencings.firstSight(id, fencing)) return;
    const { atMs, reason, term, detail } = fencing;
    this.publish({ kind: 'cluster', data: { atMs: this.nowMs(), event: { type: 'node-fenced', id, atMs, reason, term, detail } } });
  }

  /** A plain JSON copy, cut down to its type when it is too large to be worth sending. */
  private jsonSafe(event: object, type: string): ClusterEventMessage['event'] {
    try {
      const json = JSON.stringify(event);
      if (json.length <= this.options.maxEventJsonChars) return JSON.parse(json) as ClusterEventMessage['event'];
    } catch {
      // not serializable: fall through to the type alone
    }
    return { type };
  }

  private publish(message: FeedMessage): void {
    this.recentMessages.push(message);
    if (this.recentMessages.length > this.options.recentKept) this.recentMessages.shift();
    for (const listener of this.listeners) listener(message);
  }
}

function roleMessage(event: object, atMs: number): RoleEventMessage | null {
  const { id, role, term, leaderId, why } = event as Record<string, unknown>;
  if (typeof id !== 'string' || typeof role !== 'string' || !ROLES.includes(role as Role) || typeof term !== 'number') return null;
  return {
    atMs,
    source: 'cluster',
    id,
    role: role as Role,
    term,
    leaderId: typeof leaderId === 'string' ? leaderId : null,
    ...(typeof why === 'string' ? { why } : {}),
  };
}
