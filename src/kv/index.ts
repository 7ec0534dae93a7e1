export { decodeCommand, encodeCommand } from './command.js';
export type { KvCommand } from './command.js';
export { applyCommand, applyMutations, applyToMap } from './apply.js';
export type { KvMutation, KvResult, KvView } from './apply.js';
export { valuesEqual } from './values.js';
export { MAX_KEY_BYTES, MAX_VALUE_BYTES, RESERVED_KEY_PREFIX, fenceKey, isReservedKey, keyProblem } from './keys.js';
