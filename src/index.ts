// replikit: explicit named exports of the public API.

export { createCluster, Cluster } from './cluster/cluster.js';
export type { ClusterStatus, ReadOptions, ReadResult, ReadSession, WriteResult } from './cluster/cluster.js';
export type { ClusterOptions } from './cluster/cluster-options.js';
export { ReplikitError } from './ground/errors.js';
export type { ReplikitErrorCode } from './ground/errors.js';
export type { SupervisorEvent as ClusterEvent, NodeState } from './cluster/supervisor.js';
export type { Watcher, WatchOptions } from './cluster/watch-hub.js';
export type { KvChange, NodeStatus } from './node/node-runtime.js';
export type { ReadConsistency, WriteOptions } from './node/requests.js';
export { READ_CONSISTENCIES } from './node/requests.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES } from './kv/keys.js';
export type { ReplicationMode, NodeId, Role } from './core/types.js';
export type { NodeEndpoint, DevControls } from './node/node-endpoint.js';
export type { ClientAnswer, ClientRequest, ReadAnswer, WriteAnswer, ClientError, ErrorCode } from './node/requests.js';

// The HTTP client library (also importable alone as 'replikit/client').
export { createClient, ReplikitClient, ReplikitSession, ReplikitClientError, fencingToken, compareFencingTokens } from './client/index.js';
export type { ClientOptions, FencingToken, ReplikitClientErrorCode } from './client/index.js';
