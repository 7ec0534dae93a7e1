// The watchdog's judgement of one look at a leader's beacon (liveness-beacon.ts).
//
// A leader's lease lapsing is not itself a danger: its core checks the lease
// before serving anything alone, and time reaches the core before any request
// does (the loop steps ticks first). The danger is a thread that cannot run:
// it cannot learn that its lease lapsed, and it might wake while another
// leader serves. So past the lease, the host waits for a sign that the loop
// ran after the lapse (the core's clock passed it, or the loop's tick timer
// fired after it), and shoots only if none comes within `graceMs`, early
// enough that the thread is gone before another leader can be elected (the
// inequality in host-supervisor.ts).

import type { BeaconReading } from '../node/liveness-beacon.js';

export type LeaseVerdict =
  /** The node holds no lease: it serves nothing alone. */
  | 'no-lease'
  /** The lease still runs. */
  | 'held'
  /** The lease lapsed and the node's loop ran since: it serves nothing alone. */
  | 'lapse-seen'
  /** The lease lapsed and the core has not seen it yet: look again. */
  | 'waiting'
  /** The lease lapsed `graceMs` ago and the core still has not seen it: the thread is stuck. */
  | 'shoot';

/**
 * `watchedSinceMs`: since when the watchdog itself has run on time. Silence is counted only from
 * then: on a host short of CPU the watchdog's own timer comes late too, and a thread that merely
 * waited for a core would otherwise be shot as hung.
 */
export function judgeLease(reading: BeaconReading, nowMs: number, graceMs: number, watchedSinceMs = 0): LeaseVerdict {
  if (reading.leaseUntilMs === 0) return 'no-lease';
  if (nowMs < reading.leaseUntilMs) return 'held';
  if (reading.coreClockMs >= reading.leaseUntilMs || reading.aliveAtMs > reading.leaseUntilMs) return 'lapse-seen';
  return nowMs < Math.max(reading.leaseUntilMs, watchedSinceMs) + graceMs ? 'waiting' : 'shoot';
}
