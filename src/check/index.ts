// The linearizability checker: pure functions over plain data, so a history
// can be checked in the simulator's process or on a worker pool key by key.

export type { HistoryEvent, OpFunction, OpType } from './history.js';
export { MAX_REPORTED_PROBLEMS, eventShapeProblems, isHistoryEvent, parseHistoryLines, splitByKey } from './history.js';
export type { Operation, Pairing } from './pairing.js';
export { pairOperations, validateHistory } from './pairing.js';
export type { CheckOptions, HistoryVerdict, KeyVerdict } from './check.js';
export { checkHistory, checkKey } from './check.js';
export type { SearchOptions, SearchResult, StuckPoint } from './linearizability.js';
export { DEFAULT_MAX_CACHE_BYTES, DEFAULT_MAX_STEPS, searchLinearization } from './linearizability.js';
export type { LostWrite, LostWritesReport } from './lost-writes.js';
export { MAX_LOST_WRITE_EXAMPLES, lostAcknowledgedWrites } from './lost-writes.js';
export { canonicalJson, jsonEqual } from './canonical-json.js';
