// What the client's calls take and give back. Plain data, mirroring the
// HTTP contract (src/http) rather than importing the server's types, so the
// client can be used against any replikit node without the server code.

export type ReadConsistency = 'linearizable' | 'lease' | 'read-your-writes' | 'monotonic' | 'bounded' | 'eventual';

export const READ_CONSISTENCIES: readonly ReadConsistency[] = ['linearizable', 'lease', 'read-your-writes', 'monotonic', 'bounded', 'eventual'];

/** Consistency levels only the leader can serve. */
export const LEADER_CONSISTENCIES: readonly ReadConsistency[] = ['linearizable', 'lease'];

export type ReplicationMode = 'quorum' | 'sync' | 'semi-sync' | 'async';

export interface WriteOptions {
  /** When the leader answers; the cluster's default mode when absent. */
  readonly mode?: ReplicationMode;
  /** semi-sync: followers that must hold the write. */
  readonly minReplicas?: number;
  /** The server's own wait for replication (not the client's HTTP timeout). */
  readonly timeoutMs?: number;
  /** Refused (stale-fencing-token) when a write with a higher token was accepted for this key. */
  readonly fencingToken?: number;
}

export interface WriteResult {
  readonly term: number;
  readonly index: number;
}

export interface GetOptions {
  /** `linearizable` by default. */
  readonly consistency?: ReadConsistency;
  /** read-your-writes / monotonic: answer only from a state at least this new. */
  readonly minIndex?: number;
  /** bounded: refuse answers from a node further behind than this. */
  readonly maxLagMs?: number;
}

/** `T` is the type the caller stored under the key: the store keeps JSON and does not check it. */
export interface GetResult<T = unknown> {
  readonly value: T;
  /** The applied index the value reflects. */
  readonly index: number;
  readonly nodeId: string;
  readonly role: string;
  /** How far behind the leader the answering node may be (0 on the leader). */
  readonly lagMs: number;
}

/** One node's `GET /status`. Fields beyond these are kept as the server sent them. */
export interface NodeStatusView {
  readonly nodeId: string;
  readonly role: string;
  readonly term: number;
  readonly leaderId: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly leaseValid: boolean;
  readonly lagMs: number;
  readonly membership: unknown;
  readonly followers: Readonly<Record<string, unknown>>;
  readonly [extra: string]: unknown;
}
