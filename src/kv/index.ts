export { decodeCommand, encodeCommand } from './command.js';
export type { ClientSession, KvCommand } from './command.js';
export { applyCommand, applyMutations, applyToMap } from './apply.js';
export type { KvMutation, KvResult, KvView } from './apply.js';
export { valuesEqual } from './values.js';
export { MAX_CLIENT_ID_LENGTH, MAX_KEY_BYTES, MAX_VALUE_BYTES, RESERVED_KEY_PREFIX, fenceKey, isReservedKey, keyProblem, sessionKey } from './keys.js';
