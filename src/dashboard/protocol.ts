// What the dashboard's server sends its page: the event stream
// (GET /dashboard/events) and the machine (GET /dashboard/machine.json). The
// server code that produces the messages and the page (src/dashboard/page/,
// type-checked with the DOM library) both compile against these types, so
// neither can change the contract alone. Types only: the page imports nothing
// else from the server side.
//
//   event: hello     once, first: who serves the page and what happened lately
//   event: snapshot  every SNAPSHOT_INTERVAL_MS: every node's status, as fetched
//   event: role      at once: a node's role changed
//   event: cluster   at once: dev mode, the supervisor's events (crash, partition, ...); any
//                    mode, fencings (`node-fenced`), pushed or read from the nodes' /status

import type { NodeId, Role } from '../core/types.js';

export type { NodeId, Role };

/** A node's role as the page shows it; `down` when it did not answer. */
export type ShownRole = Role | 'down';

export interface FollowerLag {
  readonly matchIndex: number;
  readonly lagEntries: number;
  readonly lagMs: number;
}

/** The fields of a node's GET /status the dashboard uses. */
export interface NodeStatusView {
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly leaseValid: boolean;
  readonly lagMs: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly followers: Readonly<Record<NodeId, FollowerLag>>;
}

export interface NodeSample {
  readonly id: NodeId;
  readonly url: string;
  readonly role: ShownRole;
  /** When the request that produced this sample was sent (server clock, ms since the epoch). */
  readonly sampledAtMs: number;
  /** Present when the node answered. */
  readonly status?: NodeStatusView;
  /** Why the node shows as down. */
  readonly error?: string;
}

export interface ClusterSnapshot {
  readonly atMs: number;
  readonly nodes: readonly NodeSample[];
}

export interface RoleEventMessage {
  readonly atMs: number;
  /** `node`: from the serving node itself; `cluster`: from the dev cluster's supervisor. */
  readonly source: 'node' | 'cluster';
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId | null;
  /** Why the role changed, in words (describeRoleCause), when the source said. */
  readonly why?: string;
}

export interface ClusterEventMessage {
  /** When this server published it (a fencing says when it happened in its own `atMs`). */
  readonly atMs: number;
  /**
   * A supervisor event (`node-crashed`, `partition`, ...) as JSON, a node's
   * `fatal` error, or a fencing: `{type: 'node-fenced', id, atMs, reason, term, detail}`
   * (reason: stale-leader, lease-expired, remote-request or hung), sent once per fencing.
   */
  readonly event: { readonly type: string } & Readonly<Record<string, unknown>>;
}

export type FeedMessage = { readonly kind: 'role'; readonly data: RoleEventMessage } | { readonly kind: 'cluster'; readonly data: ClusterEventMessage };

export interface HelloMessage {
  /** The node whose endpoint this dashboard was created with. */
  readonly nodeId: NodeId;
  readonly devMode: boolean;
  readonly snapshotIntervalMs: number;
  /** Which state of the statechart each role is drawn in (roleStatePath). */
  readonly roleStatePaths: Readonly<Record<Role, string>>;
  /** Events from before this page connected, oldest first. */
  readonly recent: readonly FeedMessage[];
}

/** One transition of GET /dashboard/machine.json, as much as the page reads (the server serves describeRoleMachine()). */
export interface MachineTransitionView {
  readonly from: string;
  readonly to: string;
  readonly event: string;
}

export interface MachineView {
  readonly transitions: readonly MachineTransitionView[];
}
