// What a face (the HTTP server, a metrics exporter, the dashboard) needs from
// one node, whether the node runs in a worker thread of `replikit dev` or in
// the same process as in `replikit node`. Every method settles: a node that
// is down or hung answers `stopped`/null rather than leaving the caller hanging.

import type { MembershipChange, NodeId } from '../core/types.js';
import type { FencingRecord } from './fencing.js';
import type { NodeEvent, NodeStatus } from './node-runtime.js';
import type { ClientAnswer, ClientRequest } from './requests.js';

export interface NodeEndpoint {
  readonly id: NodeId;
  submit(requests: readonly ClientRequest[]): Promise<ClientAnswer[]>;
  /** Null when the node is down or does not answer in time. */
  status(): Promise<NodeStatus | null>;
  transferLeadership(to: NodeId): Promise<{ ok: boolean; error?: string }>;
  proposeMembership(change: MembershipChange): Promise<{ ok: boolean; index?: number; error?: string }>;
  /** Role changes and fatal errors as they happen; returns an unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
  /**
   * Each time this node's supervisor fences it; returns an unsubscribe
   * function. Absent where nothing can fence the node (an embedded runtime).
   */
  onFencing?(listener: (record: FencingRecord) => void): () => void;
}

/** Dev-only chaos controls (`replikit dev`); absent on a production node. */
export interface DevControls {
  crash(id: NodeId): Promise<void>;
  restart(id: NodeId): Promise<void>;
  pause(id: NodeId): void;
  resume(id: NodeId): void;
  partition(groups: readonly (readonly NodeId[])[]): Promise<void>;
  heal(): Promise<void>;
  nodeIds(): NodeId[];
}
