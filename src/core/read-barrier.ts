// Linearizable reads without writing to the log (Raft thesis §6.4). Every
// heartbeat broadcast is a numbered round; a read registered before round r
// was sent is safe once a majority acknowledged a round >= r, because then no
// other leader could have committed anything this leader does not know of.
// The same acknowledged rounds give the leader lease: a majority heard from
// us at the round's send tick, and none of them will vote for anyone else for
// an election timeout after that.

import { assert } from '../ground/assert.js';
import type { ReadState } from './types.js';

interface PendingRead {
  readonly requestId: number;
  /** Commit index when the read arrived; the answer must reflect at least this. */
  readonly index: number;
  /** The first round whose majority acknowledgement releases this read. */
  readonly round: number;
}

/** Rounds remembered for the lease; older acknowledgements are too old to matter. */
const MAX_TRACKED_ROUNDS = 1024;

export class ReadBarrier {
  /** The last round sent. */
  round = 0;
  private readonly sentTicks = new Map<number, number>();
  private readonly pending: PendingRead[] = [];
  /** Reads that arrived before this leader committed an entry of its term. */
  private readonly waitingForTermCommit: number[] = [];
  private quorumAckedRound = 0;
  private readonly released: ReadState[] = [];

  constructor(private readonly maxPending: number) {}

  isFull(): boolean {
    return this.pending.length + this.waitingForTermCommit.length >= this.maxPending;
  }

  /** Whether reads are waiting for a round that has not been sent yet. */
  needsRound(): boolean {
    const last = this.pending[this.pending.length - 1];
    return last !== undefined && last.round > this.round;
  }

  waitForTermCommit(requestId: number): void {
    this.waitingForTermCommit.push(requestId);
  }

  /** The leader committed an entry of its term: parked reads can now take a commit index. */
  termCommitted(commitIndex: number): void {
    for (const requestId of this.waitingForTermCommit.splice(0)) this.add(requestId, commitIndex);
  }

  add(requestId: number, commitIndex: number): void {
    this.pending.push({ requestId, index: commitIndex, round: this.round + 1 });
  }

  /** Release a read at once (a single voter, or a valid lease). */
  releaseNow(requestId: number, commitIndex: number): void {
    this.released.push({ requestId, index: commitIndex });
  }

  startRound(nowTick: number): number {
    this.round += 1;
    this.sentTicks.set(this.round, nowTick);
    if (this.sentTicks.size > MAX_TRACKED_ROUNDS) this.sentTicks.delete(this.round - MAX_TRACKED_ROUNDS);
    return this.round;
  }

  /** A majority (leader included) acknowledged every round up to `round`. */
  quorumAcked(round: number): void {
    assert(round <= this.round, `round ${round} acknowledged before it was sent (last ${this.round})`);
    if (round <= this.quorumAckedRound) return;
    this.quorumAckedRound = round;
    let released = 0;
    while (released < this.pending.length && (this.pending[released] as PendingRead).round <= round) {
      const read = this.pending[released] as PendingRead;
      this.released.push({ requestId: read.requestId, index: read.index });
      released++;
    }
    this.pending.splice(0, released);
  }

  /** The tick at which the newest majority-acknowledged round was sent, if any. */
  quorumAckedSentTick(): number | undefined {
    return this.sentTicks.get(this.quorumAckedRound);
  }

  take(): ReadState[] {
    return this.released.splice(0);
  }

  hasReleased(): boolean {
    return this.released.length > 0;
  }

  /** Leadership is gone: pending reads can no longer be proven; the runtime retries them. */
  dropAll(): number[] {
    const dropped = [...this.waitingForTermCommit.splice(0), ...this.pending.splice(0).map((read) => read.requestId)];
    return dropped;
  }
}
