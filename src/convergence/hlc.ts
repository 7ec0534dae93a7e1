// Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014).
// A timestamp stays close to physical time but never goes backwards and always
// orders a receive after the send it saw, whatever the physical clocks do.
// Physical time arrives as an argument: this module reads no clock.

import { assert } from '../ground/assert.js';

export interface HlcTimestamp {
  /** The greatest physical time (ms) this timestamp has heard of. */
  readonly wallMs: number;
  /** Orders events that share a wallMs. */
  readonly logical: number;
  /** Breaks the last tie, so that the order is total across nodes. */
  readonly nodeId: string;
}

/** A node's clock is the last timestamp it issued (or heard of, stamped with its own id). */
export type HlcClock = HlcTimestamp;

/**
 * How far ahead of our physical clock a remote timestamp may be before we
 * refuse it. Accepting it would drag our clock, and every later write, that
 * far into the future. One minute, as in CockroachDB's default of 500 ms
 * scaled for hosts without tight NTP; callers pass their own.
 */
export const DEFAULT_MAX_DRIFT_MS = 60_000;

/**
 * When the physical clock stalls, the logical counter grows by one per event.
 * Past this many events in one millisecond the clock moves its wall time one
 * millisecond ahead instead, so the counter stays a small integer (it fits in
 * 32 bits for any encoding). The wall then runs ahead of physical time by at
 * most events / MAX_LOGICAL_PER_WALL_MS ms.
 */
export const MAX_LOGICAL_PER_WALL_MS = 0x7fff_ffff;

export type ReceiveResult =
  | { readonly ok: true; readonly clock: HlcClock; readonly timestamp: HlcTimestamp }
  | {
      readonly ok: false;
      readonly error: 'remote-clock-ahead';
      /** How far the remote wall time is ahead of our physical time. */
      readonly driftMs: number;
      readonly maxDriftMs: number;
      /** Unchanged: a refused timestamp teaches the clock nothing. */
      readonly clock: HlcClock;
    };

/** A clock that has issued nothing yet. */
export function create(nodeId: string): HlcClock {
  assert(nodeId.length > 0, 'an HLC node id must not be empty');
  return { wallMs: 0, logical: 0, nodeId };
}

/** The timestamp of a local event (a write, a send) at physical time `physicalMs`. */
export function now(clock: HlcClock, physicalMs: number): { clock: HlcClock; timestamp: HlcTimestamp } {
  assertPhysicalTime(physicalMs);
  const next = physicalMs > clock.wallMs ? { wallMs: physicalMs, logical: 0, nodeId: clock.nodeId } : advance(clock.wallMs, clock.logical + 1, clock.nodeId);
  return { clock: next, timestamp: next };
}

/**
 * The timestamp of receiving `remote` at physical time `physicalMs`: greater
 * than both the clock's last timestamp and `remote`. A remote more than
 * `maxDriftMs` ahead of `physicalMs` is refused, and the clock is unchanged.
 */
export function receive(clock: HlcClock, remote: HlcTimestamp, physicalMs: number, maxDriftMs: number = DEFAULT_MAX_DRIFT_MS): ReceiveResult {
  assertPhysicalTime(physicalMs);
  assertTimestamp(remote);
  assert(Number.isSafeInteger(maxDriftMs) && maxDriftMs >= 0, 'maxDriftMs must be a non-negative integer');
  const driftMs = remote.wallMs - physicalMs;
  if (driftMs > maxDriftMs) return { ok: false, error: 'remote-clock-ahead', driftMs, maxDriftMs, clock };

  const wallMs = Math.max(clock.wallMs, remote.wallMs, physicalMs);
  let logical: number;
  if (wallMs === clock.wallMs && wallMs === remote.wallMs) logical = Math.max(clock.logical, remote.logical) + 1;
  else if (wallMs === clock.wallMs) logical = clock.logical + 1;
  else if (wallMs === remote.wallMs) logical = remote.logical + 1;
  else logical = 0;
  const next = advance(wallMs, logical, clock.nodeId);
  return { ok: true, clock: next, timestamp: next };
}

/** The total order: wall time, then logical counter, then node id (by UTF-16 code units, as everywhere in JS). */
export function compare(a: HlcTimestamp, b: HlcTimestamp): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
  return 0;
}

export function isAfter(a: HlcTimestamp, b: HlcTimestamp): boolean {
  return compare(a, b) > 0;
}

export function assertTimestamp(timestamp: HlcTimestamp): void {
  assert(Number.isSafeInteger(timestamp.wallMs) && timestamp.wallMs >= 0, `an HLC wallMs must be a non-negative integer, not ${String(timestamp.wallMs)}`);
  assert(
    Number.isSafeInteger(timestamp.logical) && timestamp.logical >= 0 && timestamp.logical <= MAX_LOGICAL_PER_WALL_MS,
    `an HLC logical counter must be an integer in [0, ${MAX_LOGICAL_PER_WALL_MS}], not ${String(timestamp.logical)}`,
  );
  assert(typeof timestamp.nodeId === 'string' && timestamp.nodeId.length > 0, 'an HLC timestamp needs a node id');
}

function advance(wallMs: number, logical: number, nodeId: string): HlcClock {
  // Only reachable when over two billion events share one millisecond.
  if (logical > MAX_LOGICAL_PER_WALL_MS) return { wallMs: wallMs + 1, logical: 0, nodeId };
  return { wallMs, logical, nodeId };
}

function assertPhysicalTime(physicalMs: number): void {
  assert(Number.isSafeInteger(physicalMs) && physicalMs >= 0, `physical time must be a non-negative integer of ms, not ${String(physicalMs)}`);
}
