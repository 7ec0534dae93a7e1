// The small pieces of the core, each on its own: the in-memory log, a
// follower's replication progress, write acknowledgements per mode, the read
// barrier, membership arithmetic, and config validation.

import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/ground/assert.js';
import { resolveCoreConfig, validateCoreConfig, validateWritePolicy, type WritePolicy } from '../../src/core/config.js';
import { allMembers, applyMembershipChange, isMember, isVoter } from '../../src/core/membership.js';
import { quorumSize } from '../../src/core/quorum.js';
import { Progress } from '../../src/core/progress.js';
import { RaftLog } from '../../src/core/raft-log.js';
import { ReadBarrier } from '../../src/core/read-barrier.js';
import type { Entry, Membership } from '../../src/core/types.js';
import { WriteAcks, type ReplicationView } from '../../src/core/write-acks.js';

function entry(index: number, term: number, bytes = 1): Entry {
  return { index, term, kind: 'command', data: new Uint8Array(bytes) };
}

function logWith(terms: readonly number[]): RaftLog {
  const log = new RaftLog();
  terms.forEach((term, i) => log.append(entry(i + 1, term)));
  return log;
}

const MEMBERS: Membership = { voters: ['a', 'b', 'c'], learners: ['d'] };

// ----------------------------------------------------------------- RaftLog

describe('RaftLog', () => {
  it('an empty log starts at index 1 with the term of index 0 being 0', () => {
    const log = new RaftLog();
    expect([log.firstIndex(), log.lastIndex(), log.lastTerm()]).toEqual([1, 0, 0]);
    expect(log.term(0)).toBe(0);
    expect(log.term(1)).toBeUndefined();
    expect(log.matchTerm(0, 0)).toBe(true);
  });

  it('appends only at the next index', () => {
    const log = logWith([1, 1]);
    expect(() => log.append(entry(4, 1))).toThrow(InvariantError);
    expect(() => log.append(entry(2, 1))).toThrow(InvariantError);
    log.append(entry(3, 2));
    expect([log.lastIndex(), log.lastTerm()]).toEqual([3, 2]);
  });

  it('isUpToDate compares last terms first, then lengths (§5.4.1)', () => {
    const log = logWith([1, 1, 2]);
    expect(log.isUpToDate(9, 1)).toBe(false);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(1, 3)).toBe(true);
  });

  it('slice honours maxCount and maxBytes but always returns at least one entry', () => {
    const log = new RaftLog();
    for (let i = 1; i <= 5; i++) log.append(entry(i, 1, 10));
    expect(log.slice(2, 5, 2, 1000).map((e) => e.index)).toEqual([2, 3]);
    expect(log.slice(1, 5, 10, 25).map((e) => e.index)).toEqual([1, 2]);
    expect(log.slice(3, 5, 10, 1).map((e) => e.index)).toEqual([3]);
    expect(log.slice(4, 9, 10, 1000).map((e) => e.index)).toEqual([4, 5]);
  });

  it('truncateFrom drops the suffix, never a committed entry, and marks the rewrite point unstable', () => {
    const log = logWith([1, 1, 2, 2]);
    log.stableTo(4, 2);
    expect(log.unstableEntries()).toEqual([]);
    log.commitTo(2);
    expect(() => log.truncateFrom(2)).toThrow(InvariantError);
    log.truncateFrom(3);
    expect(log.lastIndex()).toBe(2);
    log.append(entry(3, 3));
    expect(log.unstableEntries().map((e) => [e.index, e.term])).toEqual([[3, 3]]);
    expect(log.stableIndex).toBe(2);
  });

  it('stableTo ignores a persisted entry that has since been overwritten', () => {
    const log = logWith([1, 1]);
    log.truncateFrom(2);
    log.append(entry(2, 2));
    log.stableTo(2, 1); // the runtime persisted the old entry 2
    expect(log.unstableEntries().map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    log.stableTo(2, 2);
    expect(log.unstableEntries()).toEqual([]);
  });

  it('commitTo only moves forward, and never beyond the last index', () => {
    const log = logWith([1, 1, 1]);
    expect(log.commitTo(2)).toBe(true);
    expect(log.commitTo(1)).toBe(false);
    expect(log.committed).toBe(2);
    expect(() => log.commitTo(4)).toThrow(InvariantError);
  });

  it('nextCommitted hands out (applied, committed] at most maxCount at a time; appliedTo never passes commit', () => {
    const log = logWith([1, 1, 1, 1, 1]);
    log.commitTo(4);
    expect(log.nextCommitted(3).map((e) => e.index)).toEqual([1, 2, 3]);
    log.appliedTo(3);
    expect(log.nextCommitted(3).map((e) => e.index)).toEqual([4]);
    expect(() => log.appliedTo(5)).toThrow(InvariantError);
  });

  it('compactTo forgets applied entries and keeps the boundary term', () => {
    const log = logWith([1, 1, 2, 2, 3]);
    log.commitTo(4);
    expect(() => log.compactTo(3)).toThrow(InvariantError); // not applied yet
    log.appliedTo(4);
    log.compactTo(3);
    expect([log.firstIndex(), log.lastIndex()]).toEqual([4, 5]);
    expect(log.term(3)).toBe(2);
    expect(log.entry(3)).toBeUndefined();
    expect(log.term(2)).toBeUndefined();
    expect(log.snapshotBoundary()).toEqual({ index: 3, term: 2 });
    expect(() => log.slice(3, 5, 10, 1000)).toThrow(InvariantError);
    expect(() => log.truncateFrom(3)).toThrow(InvariantError);
  });

  it('restore replaces the whole log by a snapshot boundary', () => {
    const log = logWith([1, 1]);
    log.restore({ index: 10, term: 4, membership: MEMBERS });
    expect([log.firstIndex(), log.lastIndex(), log.lastTerm(), log.committed, log.applied]).toEqual([11, 10, 4, 10, 10]);
    expect(log.unstableEntries()).toEqual([]);
  });

  it('load rebuilds from disk: everything stable, the commit index clamped to the log', () => {
    const log = new RaftLog();
    log.load({ index: 2, term: 1, membership: MEMBERS }, [entry(3, 2), entry(4, 2)], 9);
    expect([log.firstIndex(), log.lastIndex(), log.committed, log.applied]).toEqual([3, 4, 4, 2]);
    expect(log.unstableEntries()).toEqual([]);
    const fresh = new RaftLog();
    fresh.load(null, [entry(1, 1)], 0);
    expect(fresh.committed).toBe(0);
  });

  it('configIndexesFrom lists config entries in order', () => {
    const log = new RaftLog();
    log.append(entry(1, 1));
    log.append({ index: 2, term: 1, kind: 'config', membership: MEMBERS });
    log.append({ index: 3, term: 1, kind: 'noop' });
    log.append({ index: 4, term: 1, kind: 'config', membership: MEMBERS });
    expect(log.configIndexesFrom(1)).toEqual([2, 4]);
    expect(log.configIndexesFrom(3)).toEqual([4]);
  });
});

// ---------------------------------------------------------------- Progress

describe('Progress', () => {
  it('starts probing just after the leader last index', () => {
    const progress = new Progress(7, 0, false);
    expect([progress.state, progress.next, progress.match]).toEqual(['probe', 8, 0]);
  });

  it('probe: one append in flight, then paused until an answer', () => {
    const progress = new Progress(7, 0, false);
    expect(progress.isPaused(8)).toBe(false);
    progress.sentEntries(8, 1);
    expect(progress.isPaused(8)).toBe(true);
    expect(progress.next).toBe(8); // a probe does not advance next
    expect(progress.maybeUpdate(8, 5)).toBe(true);
    expect(progress.isPaused(8)).toBe(false);
    expect([progress.match, progress.next, progress.lastProgressTick]).toEqual([8, 9, 5]);
  });

  it('replicate: pipelines up to maxInflight appends, freed as they are acknowledged', () => {
    const progress = new Progress(0, 0, false);
    progress.becomeReplicate();
    progress.sentEntries(2, 2);
    progress.sentEntries(4, 2);
    expect(progress.next).toBe(5);
    expect(progress.isPaused(2)).toBe(true);
    progress.maybeUpdate(2, 1);
    expect(progress.inflight).toEqual([4]);
    expect(progress.isPaused(2)).toBe(false);
    expect(progress.maybeUpdate(1, 2)).toBe(false); // old news
  });

  it('replicate: a rejection at or below match is stale; a real one falls back to probing at the hint', () => {
    const progress = new Progress(0, 0, false);
    progress.maybeUpdate(5, 0);
    progress.becomeReplicate();
    progress.sentEntries(10, 5);
    expect(progress.maybeDecreaseTo(5, 3)).toBe(false);
    expect(progress.maybeDecreaseTo(10, 8)).toBe(true);
    expect([progress.state, progress.next]).toEqual(['probe', 8]);
    const never = new Progress(0, 0, false);
    never.maybeUpdate(5, 0);
    never.becomeReplicate();
    never.maybeDecreaseTo(10, 1);
    expect(never.next).toBe(6); // never below match + 1
  });

  it('probe: only the answer to the outstanding probe moves next', () => {
    const progress = new Progress(9, 0, false); // next 10: the probe is at prevLogIndex 9
    progress.sentEntries(10, 1);
    expect(progress.maybeDecreaseTo(7, 3)).toBe(false);
    expect(progress.maybeDecreaseTo(9, 4)).toBe(true);
    expect([progress.next, progress.probeSent]).toEqual([4, false]);
  });

  it('snapshot: paused until the snapshot lands', () => {
    const progress = new Progress(0, 0, false);
    progress.becomeSnapshot(20);
    expect([progress.state, progress.pendingSnapshotIndex, progress.isPaused(100)]).toEqual(['snapshot', 20, true]);
    progress.maybeUpdate(20, 3);
    progress.becomeReplicate();
    expect([progress.state, progress.next]).toEqual(['replicate', 21]);
  });
});

// --------------------------------------------------------------- WriteAcks

describe('WriteAcks', () => {
  const policy = (mode: WritePolicy['mode'], minReplicas = 1, timeoutTicks = 10): WritePolicy => ({
    mode,
    minReplicas,
    timeoutTicks,
  });
  const view = (commitIndex: number, matches: number[]): ReplicationView => ({ commitIndex, followerMatches: () => matches });

  it('quorum: answers in index order as the commit index passes each write', () => {
    const acks = new WriteAcks(10);
    acks.add(1, 1, policy('quorum'), 0);
    acks.add(2, 1, policy('quorum'), 0);
    expect(acks.hasDue(view(0, [0, 0]), 0)).toBe(false);
    expect(acks.collect(view(1, [1, 0]), 0)).toEqual([{ index: 1, term: 1, ok: true, degraded: false }]);
    expect(acks.collect(view(2, [2, 0]), 0)).toEqual([{ index: 2, term: 1, ok: true, degraded: false }]);
    expect(acks.size()).toBe(0);
  });

  it('async: answers at once', () => {
    const acks = new WriteAcks(10);
    acks.add(3, 2, policy('async'), 0);
    expect(acks.hasDue(view(0, []), 0)).toBe(true);
    expect(acks.collect(view(0, [0, 0]), 0)).toEqual([{ index: 3, term: 2, ok: true, degraded: false }]);
  });

  it('sync: needs commit and every follower, else sync-timeout at the deadline', () => {
    const acks = new WriteAcks(10);
    acks.add(1, 1, policy('sync', 1, 5), 10);
    expect(acks.collect(view(1, [1, 0]), 14)).toEqual([]);
    expect(acks.collect(view(0, [1, 1]), 14)).toEqual([]); // held by all, but not committed
    expect(acks.hasDue(view(1, [1, 0]), 15)).toBe(true);
    expect(acks.collect(view(1, [1, 0]), 15)).toEqual([{ index: 1, term: 1, ok: false, reason: 'sync-timeout' }]);
    acks.add(2, 1, policy('sync', 1, 5), 20);
    expect(acks.collect(view(2, [2, 2]), 20)).toEqual([{ index: 2, term: 1, ok: true, degraded: false }]);
  });

  it('semi-sync: minReplicas followers (capped at the follower count), else degraded at the deadline', () => {
    const acks = new WriteAcks(10);
    acks.add(1, 1, policy('semi-sync', 2, 5), 0);
    expect(acks.collect(view(0, [1, 0, 0, 0]), 4)).toEqual([]);
    expect(acks.collect(view(0, [1, 1, 0, 0]), 4)).toEqual([{ index: 1, term: 1, ok: true, degraded: false }]);
    acks.add(2, 1, policy('semi-sync', 2, 5), 10);
    expect(acks.collect(view(0, [2, 0, 0, 0]), 15)).toEqual([{ index: 2, term: 1, ok: true, degraded: true }]);
    acks.add(3, 1, policy('semi-sync', 5, 5), 20);
    expect(acks.collect(view(0, [3]), 20)).toEqual([{ index: 3, term: 1, ok: true, degraded: false }]);
  });

  it('answers within a mode in index order: a later write waits for an earlier one', () => {
    const acks = new WriteAcks(10);
    acks.add(1, 1, policy('sync', 1, 100), 0);
    acks.add(2, 1, policy('sync', 1, 5), 0);
    expect(acks.collect(view(2, [2, 0]), 5)).toEqual([]);
  });

  it('failAll fails every pending write of every mode as leadership-lost, by index', () => {
    const acks = new WriteAcks(10);
    acks.add(3, 1, policy('sync'), 0);
    acks.add(1, 1, policy('quorum'), 0);
    acks.add(2, 1, policy('semi-sync'), 0);
    expect(acks.failAll().map((ack) => [ack.index, ack.ok, ack.ok ? null : ack.reason])).toEqual([
      [1, false, 'leadership-lost'],
      [2, false, 'leadership-lost'],
      [3, false, 'leadership-lost'],
    ]);
    expect(acks.size()).toBe(0);
  });

  it('is full at maxPending writes across all modes', () => {
    const acks = new WriteAcks(2);
    acks.add(1, 1, policy('quorum'), 0);
    expect(acks.isFull()).toBe(false);
    acks.add(2, 1, policy('sync'), 0);
    expect(acks.isFull()).toBe(true);
  });
});

// -------------------------------------------------------------- ReadBarrier

describe('ReadBarrier', () => {
  it('a read waits for the next round, released once a majority acknowledged it', () => {
    const reads = new ReadBarrier(10);
    reads.add(1, 5);
    expect(reads.needsRound()).toBe(true);
    const round = reads.startRound(100);
    expect(reads.needsRound()).toBe(false);
    reads.quorumAcked(round - 1);
    expect(reads.hasReleased()).toBe(false);
    reads.quorumAcked(round);
    expect(reads.take()).toEqual([{ requestId: 1, index: 5 }]);
    expect(reads.take()).toEqual([]);
    expect(reads.quorumAckedSentTick()).toBe(100);
  });

  it('a read that arrives after a round was sent waits for a later round', () => {
    const reads = new ReadBarrier(10);
    const first = reads.startRound(1);
    reads.add(1, 3);
    reads.quorumAcked(first);
    expect(reads.hasReleased()).toBe(false);
    reads.quorumAcked(reads.startRound(2));
    expect(reads.take()).toEqual([{ requestId: 1, index: 3 }]);
  });

  it('reads parked until the term commits take the commit index then; dropAll returns every unreleased read', () => {
    const reads = new ReadBarrier(10);
    reads.waitForTermCommit(1);
    expect(reads.needsRound()).toBe(false);
    reads.termCommitted(4);
    expect(reads.needsRound()).toBe(true);
    reads.waitForTermCommit(2);
    reads.quorumAcked(reads.startRound(0));
    expect(reads.take()).toEqual([{ requestId: 1, index: 4 }]);
    reads.add(3, 4);
    expect(reads.dropAll()).toEqual([2, 3]);
    expect(reads.isFull()).toBe(false);
  });

  it('refuses an acknowledgement of a round never sent, and fills at maxPending', () => {
    const reads = new ReadBarrier(2);
    expect(() => reads.quorumAcked(1)).toThrow(InvariantError);
    reads.add(1, 0);
    reads.waitForTermCommit(2);
    expect(reads.isFull()).toBe(true);
  });
});

// --------------------------------------------------------------- membership

describe('membership helpers', () => {
  it('quorumSize is a strict majority', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  it('voters, learners and members', () => {
    expect([isVoter(MEMBERS, 'a'), isVoter(MEMBERS, 'd'), isMember(MEMBERS, 'd'), isMember(MEMBERS, 'z')]).toEqual([true, false, true, false]);
    expect(allMembers(MEMBERS)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('one change at a time: add a learner, promote it, remove a node', () => {
    expect(applyMembershipChange(MEMBERS, { type: 'add-learner', node: 'e' })).toEqual({
      ok: true,
      membership: { voters: ['a', 'b', 'c'], learners: ['d', 'e'] },
    });
    expect(applyMembershipChange(MEMBERS, { type: 'promote', node: 'd' })).toEqual({
      ok: true,
      membership: { voters: ['a', 'b', 'c', 'd'], learners: [] },
    });
    expect(applyMembershipChange(MEMBERS, { type: 'remove', node: 'b' })).toEqual({
      ok: true,
      membership: { voters: ['a', 'c'], learners: ['d'] },
    });
    expect(applyMembershipChange(MEMBERS, { type: 'remove', node: 'd' })).toEqual({
      ok: true,
      membership: { voters: ['a', 'b', 'c'], learners: [] },
    });
  });

  it('refuses impossible changes with a reason', () => {
    expect(applyMembershipChange(MEMBERS, { type: 'add-learner', node: 'a' })).toEqual({ ok: false, problem: 'a is already a member' });
    expect(applyMembershipChange(MEMBERS, { type: 'promote', node: 'a' })).toEqual({ ok: false, problem: 'a is not a learner' });
    expect(applyMembershipChange(MEMBERS, { type: 'remove', node: 'z' })).toEqual({ ok: false, problem: 'z is not a member' });
    expect(applyMembershipChange({ voters: ['a'], learners: [] }, { type: 'remove', node: 'a' })).toEqual({
      ok: false,
      problem: 'a is the last voter',
    });
  });
});

// ------------------------------------------------------------------- config

describe('config validation', () => {
  it('fills the defaults: pre-vote, check-quorum, quorum writes, timeouts derived from the election timeout', () => {
    const config = resolveCoreConfig({ id: 'a', electionTimeoutTicks: 20, heartbeatIntervalTicks: 2 });
    expect(config).toMatchObject({
      id: 'a',
      preVote: true,
      checkQuorum: true,
      leaseDriftTicks: 1,
      replicationStallTicks: 6,
      defaultWrite: { mode: 'quorum', minReplicas: 1, timeoutTicks: 100 },
    });
    expect(resolveCoreConfig({ id: 'a', defaultWrite: { mode: 'sync' } as WritePolicy }).defaultWrite).toEqual({
      mode: 'sync',
      minReplicas: 1,
      timeoutTicks: 50,
    });
  });

  const invalid: [string, Parameters<typeof resolveCoreConfig>[0], string][] = [
    ['a zero election timeout', { id: 'a', electionTimeoutTicks: 0 }, 'electionTimeoutTicks must be a positive integer, got 0'],
    ['a zero election jitter', { id: 'a', electionJitterTicks: 0 }, 'electionJitterTicks must be a positive integer, got 0'],
    ['a fractional limit', { id: 'a', maxEntriesPerAppend: 1.5 }, 'maxEntriesPerAppend must be a positive integer, got 1.5'],
    ['an empty id', { id: '' }, 'id must be a non-empty string'],
    [
      'a heartbeat not shorter than the election timeout',
      { id: 'a', electionTimeoutTicks: 4, heartbeatIntervalTicks: 4 },
      'heartbeatIntervalTicks (4) must be below electionTimeoutTicks (4)',
    ],
    ['a negative lease drift', { id: 'a', leaseDriftTicks: -1 }, 'leaseDriftTicks must be a non-negative integer, got -1'],
    [
      'a lease drift that leaves no lease',
      { id: 'a', leaseDriftTicks: 10 },
      'leaseDriftTicks (10) must be below electionTimeoutTicks (10), or the lease is never valid',
    ],
    [
      'an unknown replication mode',
      { id: 'a', defaultWrite: { mode: 'eventual' } as unknown as WritePolicy },
      'unknown replication mode "eventual"; expected one of quorum, sync, semi-sync, async',
    ],
    ['a negative minReplicas', { id: 'a', defaultWrite: { minReplicas: -1 } as WritePolicy }, 'minReplicas must be a non-negative integer, got -1'],
  ];
  for (const [what, input, message] of invalid) {
    it(`an invalid config throws RangeError with a readable message: ${what}`, () => {
      expect(() => resolveCoreConfig(input)).toThrow(RangeError);
      expect(() => resolveCoreConfig(input)).toThrow(`invalid core config: ${message}`);
    });
  }

  it('every problem is reported at once', () => {
    const config = { ...resolveCoreConfig({ id: 'a' }), electionTimeoutTicks: 0, maxInflightAppends: 0 };
    expect(validateCoreConfig(config)).toEqual([
      'electionTimeoutTicks must be a positive integer, got 0',
      'maxInflightAppends must be a positive integer, got 0',
      'heartbeatIntervalTicks (1) must be below electionTimeoutTicks (0)',
      'leaseDriftTicks (1) must be below electionTimeoutTicks (0), or the lease is never valid',
    ]);
  });

  it('validateWritePolicy accepts a partial valid policy and names each bad field', () => {
    expect(validateWritePolicy({})).toEqual([]);
    expect(validateWritePolicy({ mode: 'semi-sync', minReplicas: 0 })).toEqual([]);
    expect(validateWritePolicy({ timeoutTicks: 0 })).toEqual(['timeoutTicks must be a positive integer, got 0']);
  });
});
