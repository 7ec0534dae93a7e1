// Bad input is refused before anything is sent: a clear message here beats
// a 400 from whichever node happened to be asked.

import { ReplikitClientError } from './errors.js';
import { READ_CONSISTENCIES, type GetOptions, type WriteOptions } from './types.js';

const MODES = ['quorum', 'sync', 'semi-sync', 'async'];

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw bad(`a key must be a non-empty string, got ${describe(key)}`);
}

/** JSON.stringify would silently turn NaN into null and drop undefined: refuse those instead. */
export function checkValue(value: unknown, name: string): void {
  if (value === undefined) throw bad(`${name} is missing`);
  try {
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item)) throw new Error(`holds ${item}, which JSON cannot carry`);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') {
        throw new Error(`holds ${typeof item}, which JSON cannot carry`);
      }
      return item;
    });
  } catch (error) {
    throw bad(`${name} ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function checkWriteOptions(options: WriteOptions): void {
  if (typeof options !== 'object' || options === null) throw bad('write options must be an object');
  if (options.mode !== undefined && !MODES.includes(options.mode)) {
    throw bad(`unknown replication mode ${describe(options.mode)}; expected one of ${MODES.join(', ')}`);
  }
  if (options.minReplicas !== undefined && !isCount(options.minReplicas)) throw bad('minReplicas must be a non-negative integer');
  if (options.timeoutMs !== undefined && !(typeof options.timeoutMs === 'number' && options.timeoutMs > 0 && Number.isFinite(options.timeoutMs))) {
    throw bad('timeoutMs must be a positive number');
  }
  if (options.fencingToken !== undefined && !isCount(options.fencingToken)) throw bad('fencingToken must be a non-negative integer');
}

export function checkGetOptions(options: GetOptions): void {
  if (typeof options !== 'object' || options === null) throw bad('read options must be an object');
  if (options.consistency !== undefined && !READ_CONSISTENCIES.includes(options.consistency)) {
    throw bad(`unknown consistency ${describe(options.consistency)}; expected one of ${READ_CONSISTENCIES.join(', ')}`);
  }
  if (options.minIndex !== undefined && !isCount(options.minIndex)) throw bad('minIndex must be a non-negative integer');
  // The server refuses these elsewhere too: silently ignoring them would promise a guarantee not given.
  if (options.minIndex !== undefined && options.consistency !== 'read-your-writes' && options.consistency !== 'monotonic') {
    throw bad('minIndex applies to consistency read-your-writes or monotonic');
  }
  if (options.maxLagMs !== undefined && options.consistency !== 'bounded') throw bad('maxLagMs applies to consistency bounded');
  if (options.maxLagMs !== undefined && !(typeof options.maxLagMs === 'number' && options.maxLagMs >= 0 && Number.isFinite(options.maxLagMs))) {
    throw bad('maxLagMs must be a non-negative number');
  }
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

function bad(message: string): ReplikitClientError {
  return new ReplikitClientError('bad-request', message);
}
