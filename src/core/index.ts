// The replication core's public face: explicit named exports only.

export { RaftCore, emptyPersistedState } from './raft-core.js';
export { sendsBeforePersist } from './send-order.js';
export type { CommandResult, CoreStartOptions } from './raft-core.js';
export { resolveCoreConfig, validateCoreConfig, validateWritePolicy, DEFAULT_ELECTION_TIMEOUT_TICKS } from './config.js';
export type { CoreConfig, CoreConfigInput, WritePolicy } from './config.js';
export { PLANTED_BUGS, isPlantedBug } from './planted-bugs.js';
export type { PlantedBug } from './planted-bugs.js';
export { createRandom, seedFromText } from './random.js';
export type { Random } from './random.js';
export { applyMembershipChange } from './membership.js';
export { quorumSize, committedIndex, voteResult, quorumActive } from './quorum.js';
export { InvariantError, assert } from '../ground/assert.js';
export type * from './types.js';
