// The leaderless (Dynamo-style) family's pure protocol core: placement on a
// consistent-hash ring, coordinated requests with per-request n/r/w, DVV
// siblings and tombstones, read repair and hinted handoff. No runtime yet.

export { LeaderlessCore, MAX_OUTPUT_ITEMS_BETWEEN_DRAINS } from './leaderless-core.js';
export type { LeaderlessConfig, PersistedReplicas } from './leaderless-core.js';
export type { LeaderlessOutput, PersistWrite, Stamp } from './output.js';
export { MAX_REMEMBERED_STAMPS } from './replica.js';
export type { LeaderlessMessage } from './messages.js';
export { HINT_RETRY_TICKS, MAX_HANDOFFS_PER_TICK_PER_TARGET, MAX_HINTS_PER_TARGET } from './hints.js';
export type { Hint } from './hints.js';
export { MAX_PENDING_REQUESTS } from './requests.js';
export type { Answer, ClientRequest, FailureReason, Operation } from './requests.js';
export { DEFAULT_VNODES_PER_NODE, createRing, ownershipShares, preferenceList, sloppyPreferenceList } from './ring.js';
export type { Ring, SloppyTarget } from './ring.js';
export { LEADERLESS_PLANTED_BUGS, isLeaderlessPlantedBug } from './planted-bugs.js';
export type { LeaderlessPlantedBug } from './planted-bugs.js';
export { MemoryReplicaStore } from './replica-store.js';
export type { ReplicaStore } from './replica-store.js';
export type { KeyClock, NodeId, Sibling, Value } from './types.js';
