// Every request is checked before it reaches the core: a bad one gets a clear
// answer and changes nothing.

import { isWellFormedUnicode, keyProblem, MAX_CLIENT_ID_LENGTH, MAX_VALUE_BYTES } from '../kv/keys.js';
import { READ_CONSISTENCIES, type ClientRequest, type WriteOptions } from './requests.js';

const MODES = ['quorum', 'sync', 'semi-sync', 'async'];
/** A node id named by a client (`unreachableLeader`); it is only compared, never stored. */
const MAX_NAMED_NODE_ID_LENGTH = 128;

/** Why `request` cannot be served, or null when it can. */
export function validateRequest(request: ClientRequest): string | null {
  if (typeof request !== 'object' || request === null) return 'a request must be an object';
  const keyIssue = keyProblem(request.key);
  if (keyIssue) return keyIssue;
  const unreachable: unknown = request.unreachableLeader;
  if (unreachable !== undefined && (typeof unreachable !== 'string' || unreachable.length === 0 || unreachable.length > MAX_NAMED_NODE_ID_LENGTH)) {
    return `unreachableLeader must be a node id of 1 to ${MAX_NAMED_NODE_ID_LENGTH} characters`;
  }
  switch (request.kind) {
    case 'get': {
      if (!READ_CONSISTENCIES.includes(request.consistency)) {
        return `unknown consistency ${JSON.stringify(request.consistency)}; expected one of ${READ_CONSISTENCIES.join(', ')}`;
      }
      if (request.minIndex !== undefined && !isCount(request.minIndex)) return `minIndex must be a non-negative integer`;
      if (request.maxLagMs !== undefined && !(Number.isFinite(request.maxLagMs) && request.maxLagMs >= 0)) {
        return 'maxLagMs must be a non-negative number';
      }
      return null;
    }
    case 'put':
      return valueProblem(request.value, 'value') ?? optionsProblem(request.options);
    case 'delete':
      return optionsProblem(request.options);
    case 'cas':
      return valueProblem(request.expected, 'expected') ?? valueProblem(request.next, 'next') ?? optionsProblem(request.options);
    default:
      return `unknown request kind ${JSON.stringify((request as { kind: unknown }).kind)}`;
  }
}

/** Values are JSON-shaped (what HTTP clients can send back and forth) and bounded in size. */
export function valueProblem(value: unknown, name: string): string | null {
  if (value === undefined) return `${name} is missing`;
  const shape = jsonShapeProblem(value, 0);
  if (shape) return `${name} ${shape}`;
  // Its size as stored: UTF-8 JSON text (kv/tagged-json.ts).
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_VALUE_BYTES) return `${name} is ${bytes} bytes as JSON, over the limit of ${MAX_VALUE_BYTES}`;
  return null;
}

/** Nesting beyond this is refused rather than recursed into. */
const MAX_VALUE_DEPTH = 64;

function jsonShapeProblem(value: unknown, depth: number): string | null {
  if (depth > MAX_VALUE_DEPTH) return `nests deeper than ${MAX_VALUE_DEPTH} levels`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonShapeProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) {
      const problem = jsonShapeProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return `must be JSON data (null, boolean, number, string, array, plain object), got ${typeof value}`;
}

function optionsProblem(options: WriteOptions | undefined): string | null {
  if (options === undefined) return null;
  if (options.mode !== undefined && !MODES.includes(options.mode)) {
    return `unknown replication mode ${JSON.stringify(options.mode)}; expected one of ${MODES.join(', ')}`;
  }
  if (options.minReplicas !== undefined && !isCount(options.minReplicas)) return 'minReplicas must be a non-negative integer';
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    return 'timeoutMs must be a positive number';
  }
  if (options.fencingToken !== undefined && !isCount(options.fencingToken)) return 'fencingToken must be a non-negative integer';
  if (options.session !== undefined) {
    const { clientId, seq, floor } = options.session;
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH || !isWellFormedUnicode(clientId)) {
      return `session clientId must be a non-empty string of well-formed Unicode, at most ${MAX_CLIENT_ID_LENGTH} characters`;
    }
    if (!isCount(seq) || seq < 1) return 'session seq must be a positive integer';
    if (floor !== undefined && (!isCount(floor) || floor < 1 || floor > seq)) {
      return 'session floor must be a positive integer no greater than seq (the lowest seq still unanswered)';
    }
  }
  return null;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
