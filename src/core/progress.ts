// What the leader knows about each follower's log (etcd-io/raft's Progress):
// probe sends one append and waits; replicate pipelines up to a limit of
// appends in flight; snapshot waits for an InstallSnapshot to land.

import { assert } from '../ground/assert.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Probe: an append is out and we wait for its answer or the next heartbeat answer. */
  probeSent = false;
  /** Last index of each append in flight (replicate), oldest first. */
  readonly inflight: number[] = [];
  pendingSnapshotIndex = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  lastHeardTick: number;
  lastProgressTick: number;
  /** The commit index carried by the last append sent. */
  sentCommit = 0;
  /** Highest heartbeat round acknowledged. */
  ackedRound = 0;

  constructor(
    lastIndex: number,
    nowTick: number,
    readonly learner: boolean,
  ) {
    this.next = lastIndex + 1;
    this.lastHeardTick = nowTick;
    this.lastProgressTick = nowTick;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflight.length = 0;
    this.pendingSnapshotIndex = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflight.length = 0;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = 'snapshot';
    this.pendingSnapshotIndex = snapshotIndex;
    this.inflight.length = 0;
  }

  isPaused(maxInflight: number): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflight.length >= maxInflight;
      case 'snapshot':
        return true;
    }
  }

  /** An append carrying entries through `lastIndex` left for this follower. */
  sentEntries(lastIndex: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflight.push(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** The follower holds everything through `index`; false when that is old news. */
  maybeUpdate(index: number, nowTick: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.probeSent = false;
    this.lastProgressTick = nowTick;
    let freed = 0;
    while (freed < this.inflight.length && (this.inflight[freed] as number) <= index) freed++;
    this.inflight.splice(0, freed);
    return true;
  }

  /**
   * An append at `rejectedIndex` was refused; `nextGuess` is where the leader's
   * log and the follower's may agree. False when the refusal is stale.
   */
  maybeDecreaseTo(rejectedIndex: number, nextGuess: number): boolean {
    if (this.state === 'replicate') {
      // Appends are pipelined: only a refusal at or above what we know matches means anything.
      if (rejectedIndex <= this.match) return false;
      this.becomeProbe();
      this.next = Math.max(this.match + 1, Math.min(rejectedIndex, nextGuess));
      return true;
    }
    // Probe: only the answer to the probe we are waiting on counts.
    if (this.next - 1 !== rejectedIndex) return false;
    this.next = Math.max(this.match + 1, Math.min(rejectedIndex, nextGuess));
    assert(this.next >= 1, 'next index below 1');
    this.probeSent = false;
    return true;
  }
}
