export { decodeCommand, encodeCommand } from './command.js';
export type { KvCommand } from './command.js';
export { applyCommand, applyToMap } from './apply.js';
export type { KvMutation, KvResult, KvView } from './apply.js';
export { valuesEqual } from './values.js';
