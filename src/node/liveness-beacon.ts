// A node thread's core clock and leader lease, published in shared memory
// after every loop turn, so the host's watchdog can read them without a message
// round trip. A round trip to a busy (not hung) thread can take longer than
// the watchdog may wait, and a slow answer was being taken for a hang.
//
// Both clocks are "epoch ms": performance.timeOrigin + performance.now(). A
// worker's performance.now() starts at its own origin; the sum is comparable
// across the threads of one process.

import { assert } from '../ground/assert.js';

/** Slots of the shared BigInt64Array, in epoch microseconds (Atomics needs integers; they also order the two stores). */
const CORE_CLOCK = 0;
const LEASE_UNTIL = 1;
const ALIVE_AT = 2;
const SLOTS = 3;

export interface BeaconReading {
  /**
   * How far the node's core clock has been stepped (epoch ms); 0 before the first turn. The core
   * knows its lease lapsed once this reaches leaseUntilMs, and a loop that runs moves it forward.
   */
  readonly coreClockMs: number;
  /** When the node's own core will consider its leader lease lapsed (epoch ms); 0 when it holds none. */
  readonly leaseUntilMs: number;
  /**
   * When the node's event loop last ran (epoch ms): its tick timer, or a turn's end. A loop that
   * runs is between turns or awaiting storage inside one; either way its next turn steps the time
   * that passed into the core before it serves anything.
   */
  readonly aliveAtMs: number;
}

export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function createBeaconBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
}

/** The node thread's side. */
export class BeaconWriter {
  private readonly slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    assert(buffer.byteLength === SLOTS * BigInt64Array.BYTES_PER_ELEMENT, 'liveness beacon buffer has the wrong size');
    this.slots = new BigInt64Array(buffer);
  }

  /**
   * After a turn. `leaseUntilMs` first, then the clock: a reader that sees the
   * new clock also sees a lease no older than that turn's.
   */
  publish(coreClockMs: number, leaseUntilMs: number): void {
    Atomics.store(this.slots, LEASE_UNTIL, toMicros(leaseUntilMs));
    Atomics.store(this.slots, CORE_CLOCK, toMicros(coreClockMs));
    Atomics.store(this.slots, ALIVE_AT, toMicros(coreClockMs));
  }

  /** From the tick timer: the loop runs, even in the middle of a long turn's storage wait. */
  alive(nowMs: number): void {
    Atomics.store(this.slots, ALIVE_AT, toMicros(nowMs));
  }
}

/** The host's side. */
export class BeaconReader {
  private readonly slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    assert(buffer.byteLength === SLOTS * BigInt64Array.BYTES_PER_ELEMENT, 'liveness beacon buffer has the wrong size');
    this.slots = new BigInt64Array(buffer);
  }

  read(): BeaconReading {
    const coreClockMs = Number(Atomics.load(this.slots, CORE_CLOCK)) / 1000;
    return {
      coreClockMs,
      leaseUntilMs: Number(Atomics.load(this.slots, LEASE_UNTIL)) / 1000,
      aliveAtMs: Number(Atomics.load(this.slots, ALIVE_AT)) / 1000,
    };
  }
}

function toMicros(ms: number): bigint {
  return BigInt(Math.min(Math.max(0, Math.round(ms * 1000)), Number.MAX_SAFE_INTEGER));
}
