// The log as the core sees it: a snapshot boundary, then the entries after it,
// all in memory (compaction keeps it bounded). Which prefix is durable is
// tracked by `stableIndex`; everything after it is handed to the runtime in
// the next Ready and becomes stable on advance().

import { assert } from '../ground/assert.js';
import type { Entry, SnapshotMeta } from './types.js';

export class RaftLog {
  private snapshotIndex = 0;
  private snapshotTerm = 0;
  private entries: Entry[] = [];
  /** Last index known to be on disk. */
  stableIndex = 0;
  /** Lowest index changed since the last Ready: the runtime must rewrite from here. */
  private unstableFrom = 1;
  committed = 0;
  applied = 0;

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  snapshotBoundary(): { index: number; term: number } {
    return { index: this.snapshotIndex, term: this.snapshotTerm };
  }

  /** The term at `index`, or undefined when it is compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return (this.entries[index - this.snapshotIndex - 1] as Entry).term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapshotIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshotIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return this.compareLast(lastIndex, lastTerm) >= 0;
  }

  /** A log ending at (lastIndex, lastTerm) is strictly more up to date than ours. */
  isNewer(lastIndex: number, lastTerm: number): boolean {
    return this.compareLast(lastIndex, lastTerm) > 0;
  }

  /** Positive when the other log is more up to date (§5.4.1: later last term, then longer), 0 when as up to date. */
  private compareLast(lastIndex: number, lastTerm: number): number {
    const ourTerm = this.lastTerm();
    return lastTerm !== ourTerm ? lastTerm - ourTerm : lastIndex - this.lastIndex();
  }

  /** Entries in [from, to], at most `maxCount` and about `maxBytes`; from must not be compacted. */
  slice(from: number, to: number, maxCount: number, maxBytes: number): Entry[] {
    assert(from > this.snapshotIndex, `slice from compacted index ${from}`);
    const last = Math.min(to, this.lastIndex(), from + maxCount - 1);
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = from; index <= last; index++) {
      const entry = this.entries[index - this.snapshotIndex - 1] as Entry;
      bytes += entry.data?.byteLength ?? 0;
      // Always send at least one entry, or a large entry would never move.
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  append(entry: Entry): void {
    assert(entry.index === this.lastIndex() + 1, `append at ${entry.index} after ${this.lastIndex()}`);
    this.entries.push(entry);
  }

  /** Drop every entry at or after `index` (a conflict with the leader's log). */
  truncateFrom(index: number): void {
    assert(index > this.committed, `truncating committed entry ${index} (commit ${this.committed})`);
    assert(index > this.snapshotIndex, `truncating into the snapshot at ${index}`);
    this.entries.length = index - this.snapshotIndex - 1;
    this.unstableFrom = Math.min(this.unstableFrom, index);
    this.stableIndex = Math.min(this.stableIndex, index - 1);
  }

  /** The entries the runtime must (re)write, starting at the lowest changed index. */
  unstableEntries(): Entry[] {
    const from = Math.max(this.unstableFrom, this.snapshotIndex + 1);
    if (from > this.lastIndex()) return [];
    return this.entries.slice(from - this.snapshotIndex - 1);
  }

  /** The runtime persisted everything through `index` (with term `term`). */
  stableTo(index: number, term: number): void {
    if (this.term(index) !== term) return; // overwritten since: still unstable
    this.stableIndex = Math.max(this.stableIndex, index);
    this.unstableFrom = this.stableIndex + 1;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /** Forget entries through `index`; they are covered by a snapshot. */
  compactTo(index: number): void {
    assert(index <= this.applied, `compacting unapplied index ${index} (applied ${this.applied})`);
    if (index <= this.snapshotIndex) return;
    const term = this.term(index);
    assert(term !== undefined, `compacting unknown index ${index}`);
    this.entries.splice(0, index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** Replace the whole log by a snapshot's boundary (a follower far behind). */
  restore(meta: SnapshotMeta): void {
    this.entries = [];
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.committed = meta.index;
    this.applied = meta.index;
    this.stableIndex = meta.index;
    this.unstableFrom = meta.index + 1;
  }

  /** Rebuild from disk: everything loaded is already stable. */
  load(meta: SnapshotMeta | null, entries: readonly Entry[], commit: number): void {
    if (meta) this.restore(meta);
    for (const entry of entries) this.append(entry);
    this.stableIndex = this.lastIndex();
    this.unstableFrom = this.stableIndex + 1;
    this.committed = Math.min(Math.max(commit, this.snapshotIndex), this.lastIndex());
    this.applied = this.snapshotIndex;
  }

  /** Entries in (applied, committed], at most `maxCount`, to hand to the state machine. */
  nextCommitted(maxCount: number): Entry[] {
    const from = this.applied + 1;
    const to = Math.min(this.committed, this.applied + maxCount);
    if (from > to) return [];
    return this.entries.slice(from - this.snapshotIndex - 1, to - this.snapshotIndex);
  }

  appliedTo(index: number): void {
    assert(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    this.applied = Math.max(this.applied, index);
  }

  /** Indexes of config entries at or after `from`, newest last. */
  configIndexesFrom(from: number): number[] {
    const out: number[] = [];
    for (let index = Math.max(from, this.snapshotIndex + 1); index <= this.lastIndex(); index++) {
      if (this.entries[index - this.snapshotIndex - 1]?.kind === 'config') out.push(index);
    }
    return out;
  }
}
