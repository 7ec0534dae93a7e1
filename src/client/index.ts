// replikit's HTTP client: explicit named exports.

export { createClient, ReplikitClient } from './client.js';
export { ReplikitSession } from './session.js';
export { ReplikitClientError } from './errors.js';
export type { ReplikitClientErrorCode, ReplikitClientErrorDetails } from './errors.js';
export { fencingToken, compareFencingTokens } from './fencing.js';
export type { FencingToken } from './fencing.js';
export { DEFAULT_BACKOFF_MS, DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_TOTAL_TIMEOUT_MS, MAX_CLIENT_ID_LENGTH } from './options.js';
export type { BackoffMs, ClientOptions } from './options.js';
export { READ_CONSISTENCIES } from './types.js';
export type { GetOptions, GetResult, NodeStatusView, ReadConsistency, ReplicationMode, WriteOptions, WriteResult } from './types.js';
