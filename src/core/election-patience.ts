// How long a follower waits for its leader before it campaigns. It never waits
// less than the election timeout T (leader stickiness and the lease count on
// that), and it waits longer when the leader's messages have lately come with
// long gaps: on a loaded machine a healthy leader's loop can go unscheduled
// for hundreds of milliseconds, and a follower that has seen such gaps should
// not take the next one for a death. The wait adapts to the largest gap seen
// over a recent window (a rolling maximum of two buckets), bounded above so a
// leader that really went silent is still replaced in bounded time. Time is
// ticks, so the simulator replays it exactly.

import { assert } from '../ground/assert.js';

/** A follower waits this many times the largest recent gap, at least (then clamped to [T, max]). */
export const PATIENCE_PER_GAP = 2;
/** One bucket of the rolling maximum lasts this many election timeouts. */
export const GAP_WINDOW_ELECTION_TIMEOUTS = 5;

export class ElectionPatience {
  private lastContact: { readonly leaderId: string; readonly tick: number } | null = null;
  private bucketStartTick = 0;
  private bucketMaxGapTicks = 0;
  private previousBucketMaxGapTicks = 0;
  private readonly windowTicks: number;

  constructor(
    private readonly minTicks: number,
    private readonly maxTicks: number,
  ) {
    assert(Number.isInteger(minTicks) && minTicks >= 1, `minTicks ${minTicks} is a positive integer`);
    assert(Number.isInteger(maxTicks) && maxTicks >= minTicks, `maxTicks ${maxTicks} is at least minTicks ${minTicks}`);
    this.windowTicks = minTicks * GAP_WINDOW_ELECTION_TIMEOUTS;
  }

  /** A message from the leader of the current term arrived at `nowTick`. */
  contact(leaderId: string, nowTick: number): void {
    this.roll(nowTick);
    const last = this.lastContact;
    // A gap counts only between two messages of the same leader: the silence around an election is not jitter.
    if (last !== null && last.leaderId === leaderId) {
      this.bucketMaxGapTicks = Math.max(this.bucketMaxGapTicks, nowTick - last.tick);
    }
    this.lastContact = { leaderId, tick: nowTick };
  }

  /** The leader is gone or unknown: the next contact starts a new series of gaps. */
  forgetLeader(): void {
    this.lastContact = null;
  }

  /** Ticks of silence before a campaign, before jitter. */
  waitTicks(nowTick: number): number {
    this.roll(nowTick);
    const largestGapTicks = Math.max(this.bucketMaxGapTicks, this.previousBucketMaxGapTicks);
    const wait = Math.min(this.maxTicks, Math.max(this.minTicks, Math.ceil(largestGapTicks * PATIENCE_PER_GAP)));
    assert(wait >= this.minTicks && wait <= this.maxTicks, `patience ${wait} within [${this.minTicks}, ${this.maxTicks}]`);
    return wait;
  }

  /** The largest gap between a leader's messages seen in the recent window. */
  largestRecentGapTicks(nowTick: number): number {
    this.roll(nowTick);
    return Math.max(this.bucketMaxGapTicks, this.previousBucketMaxGapTicks);
  }

  private roll(nowTick: number): void {
    const elapsed = nowTick - this.bucketStartTick;
    if (elapsed < this.windowTicks) return;
    this.previousBucketMaxGapTicks = elapsed < 2 * this.windowTicks ? this.bucketMaxGapTicks : 0;
    this.bucketMaxGapTicks = 0;
    this.bucketStartTick = nowTick;
  }
}
