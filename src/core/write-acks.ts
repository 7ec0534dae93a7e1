// When a client of a write is answered, per replication mode. The mode never
// changes what commits (that is always a majority of the current term); it
// only decides when "done" is said. Pending writes wait in index order in one
// bounded queue per mode, so each turn pops from the fronts only.

import type { WritePolicy } from './config.js';
import type { WriteAck } from './types.js';

interface PendingWrite {
  readonly index: number;
  readonly term: number;
  readonly minReplicas: number;
  readonly deadlineTick: number;
}

export interface ReplicationView {
  readonly commitIndex: number;
  /** Match indexes of the voters other than the leader. */
  followerMatches(): number[];
}

export class WriteAcks {
  private readonly quorum: PendingWrite[] = [];
  private readonly sync: PendingWrite[] = [];
  private readonly semiSync: PendingWrite[] = [];
  private readonly async: PendingWrite[] = [];
  private readonly out: WriteAck[] = [];

  constructor(private readonly maxPending: number) {}

  size(): number {
    return this.quorum.length + this.sync.length + this.semiSync.length + this.async.length;
  }

  isFull(): boolean {
    return this.size() >= this.maxPending;
  }

  add(index: number, term: number, policy: WritePolicy, nowTick: number): void {
    const pending = { index, term, minReplicas: policy.minReplicas, deadlineTick: nowTick + policy.timeoutTicks };
    switch (policy.mode) {
      case 'quorum':
        this.quorum.push(pending);
        break;
      case 'sync':
        this.sync.push(pending);
        break;
      case 'semi-sync':
        this.semiSync.push(pending);
        break;
      case 'async':
        this.async.push(pending);
        break;
    }
  }

  /** Whether collect() would answer anything now (cheap: looks at queue fronts only). */
  hasDue(view: ReplicationView, nowTick: number): boolean {
    if (this.async.length > 0) return true;
    const quorumFront = this.quorum[0];
    if (quorumFront && quorumFront.index <= view.commitIndex) return true;
    const syncFront = this.sync[0];
    const semiSyncFront = this.semiSync[0];
    if (!syncFront && !semiSyncFront) return false;
    const matches = view.followerMatches();
    if (syncFront && (nowTick >= syncFront.deadlineTick || this.syncSatisfied(syncFront, view, matches))) return true;
    if (semiSyncFront && (nowTick >= semiSyncFront.deadlineTick || this.semiSyncSatisfied(semiSyncFront, matches))) {
      return true;
    }
    return false;
  }

  private syncSatisfied(write: PendingWrite, view: ReplicationView, matches: readonly number[]): boolean {
    if (write.index > view.commitIndex) return false;
    for (const match of matches) if (match < write.index) return false;
    return true;
  }

  private semiSyncSatisfied(write: PendingWrite, matches: readonly number[]): boolean {
    const needed = Math.min(write.minReplicas, matches.length);
    let holding = 0;
    for (const match of matches) if (match >= write.index) holding++;
    return holding >= needed;
  }

  /**
   * Answers owed now. Called as a Ready is built: every entry this leader
   * proposed is in that Ready or already stable, so "on the leader's disk"
   * holds by the time the runtime sends any answer.
   */
  collect(view: ReplicationView, nowTick: number): WriteAck[] {
    for (const write of this.async.splice(0)) this.out.push({ index: write.index, term: write.term, ok: true, degraded: false });
    while (this.quorum.length > 0 && (this.quorum[0] as PendingWrite).index <= view.commitIndex) {
      const write = this.quorum.shift() as PendingWrite;
      this.out.push({ index: write.index, term: write.term, ok: true, degraded: false });
    }
    if (this.sync.length > 0 || this.semiSync.length > 0) this.collectReplicaCounted(view, nowTick);
    return this.out.splice(0);
  }

  private collectReplicaCounted(view: ReplicationView, nowTick: number): void {
    const matches = view.followerMatches();
    while (this.sync.length > 0) {
      const write = this.sync[0] as PendingWrite;
      if (this.syncSatisfied(write, view, matches)) {
        this.out.push({ index: write.index, term: write.term, ok: true, degraded: false });
      } else if (nowTick >= write.deadlineTick) {
        this.out.push({ index: write.index, term: write.term, ok: false, reason: 'sync-timeout' });
      } else break;
      this.sync.shift();
    }
    while (this.semiSync.length > 0) {
      const write = this.semiSync[0] as PendingWrite;
      if (this.semiSyncSatisfied(write, matches)) {
        this.out.push({ index: write.index, term: write.term, ok: true, degraded: false });
      } else if (nowTick >= write.deadlineTick) {
        // Fallback, as MySQL's semi-sync does: answer from the leader's disk and say so.
        this.out.push({ index: write.index, term: write.term, ok: true, degraded: true });
      } else break;
      this.semiSync.shift();
    }
  }

  /** This node is no longer leader: every pending write has an unknown outcome. */
  failAll(): WriteAck[] {
    const failed: WriteAck[] = [];
    for (const queue of [this.quorum, this.sync, this.semiSync, this.async]) {
      for (const write of queue.splice(0)) {
        failed.push({ index: write.index, term: write.term, ok: false, reason: 'leadership-lost' });
      }
    }
    failed.sort((a, b) => a.index - b.index);
    return failed;
  }
}
