// The log replication rules of the Raft paper (§5.3) and log compaction (§7),
// one test per rule: a lone follower fed hand-made AppendEntries where the
// rule is the follower's, a scripted cluster where it is the leader's.

import { describe, expect, it } from 'vitest';
import { RaftCore as Core } from '../../src/core/index.js';
import type {
  AppendEntries,
  AppendEntriesResponse,
  CoreConfigInput,
  InstallSnapshot,
  Message,
  NodeId,
  RaftCore,
  RequestVoteResponse,
} from '../../src/core/index.js';
import { ScriptedCluster, drain, entriesWithTerms, loneCore } from '../support/scripted-cluster.js';

const VOTERS = ['a', 'b', 'c'];
const PLAIN: Omit<CoreConfigInput, 'id'> = { preVote: false, checkQuorum: false };

function append(from: NodeId, to: NodeId, term: number, fields: Partial<AppendEntries> = {}): AppendEntries {
  return { type: 'AppendEntries', from, to, term, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, ...fields };
}

function ofType<K extends Message['type']>(messages: readonly Message[], type: K): Extract<Message, { type: K }>[] {
  return messages.filter((message): message is Extract<Message, { type: K }> => message.type === type);
}

/** The one AppendEntriesResponse in the core's next Ready. */
function appendResponse(core: RaftCore): AppendEntriesResponse {
  const responses = ofType(drain(core).messages, 'AppendEntriesResponse');
  expect(responses).toHaveLength(1);
  return responses[0] as AppendEntriesResponse;
}

/** A cluster of `ids` (no pre-vote, no check-quorum) where a leads and everyone holds its no-op. */
function clusterLedByA(ids: readonly NodeId[] = VOTERS, config: Omit<CoreConfigInput, 'id'> = {}): ScriptedCluster {
  const cluster = new ScriptedCluster(ids, { ...PLAIN, ...config });
  cluster.elect('a', ids);
  cluster.deliverAll();
  for (const id of ids) expect(cluster.core(id).status().commitIndex).toBe(1);
  return cluster;
}

const data = (byte: number): Uint8Array => new Uint8Array([byte]);

// ------------------------------------------------------------- the leader side

describe('§5.3 log replication: the leader', () => {
  it('§5.3 the leader appends a client command to its own log and sends it to every follower', () => {
    const cluster = clusterLedByA();
    const result = cluster.core('a').propose(data(7));
    expect(result).toEqual({ ok: true, index: 2, term: 1 });
    cluster.settle();
    expect(cluster.core('a').entryAt(2)).toEqual({ index: 2, term: 1, kind: 'command', data: data(7) });
    const appends = ofType(cluster.pending, 'AppendEntries');
    expect(appends.map((m) => [m.to, m.prevLogIndex, m.prevLogTerm, m.leaderCommit, m.entries.map((e) => e.index)])).toEqual([
      ['b', 1, 1, 1, [2]],
      ['c', 1, 1, 1, [2]],
    ]);
  });

  it('§5.3 an entry is committed once the leader has replicated it on a majority, and only then applied', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const cluster = clusterLedByA(ids);
    cluster.core('a').propose(data(7));
    cluster.settle();
    const withB = (m: Message): boolean => m.to === 'b' || m.from === 'b';
    const withC = (m: Message): boolean => m.to === 'c' || m.from === 'c';
    cluster.deliverAll(withB); // a and b hold it: 2 of 5
    expect(cluster.core('a').status().commitIndex).toBe(1);
    expect(cluster.node('a').applied.map((e) => e.index)).toEqual([1]);
    cluster.deliverAll((m) => withC(m) && m.type !== 'AppendEntries'); // nothing reached c yet
    cluster.deliverAll((m) => withC(m) && m.type === 'AppendEntries' && m.entries.length > 0);
    cluster.deliverAll((m) => m.type === 'AppendEntriesResponse' && m.from === 'c'); // 3 of 5
    expect(cluster.core('a').status().commitIndex).toBe(2);
    expect(cluster.node('a').applied.map((e) => e.index)).toEqual([1, 2]);
  });

  it('§5.3 followers learn the commit index from the leader and apply committed entries in log order', () => {
    const cluster = clusterLedByA();
    for (let i = 0; i < 3; i++) cluster.core('a').propose(data(10 + i));
    cluster.settle();
    cluster.deliverAll();
    for (const id of VOTERS) {
      expect(cluster.core(id).status().commitIndex).toBe(4);
      expect(cluster.node(id).applied.map((e) => [e.index, e.kind, e.data?.[0]])).toEqual([
        [1, 'noop', undefined],
        [2, 'command', 10],
        [3, 'command', 11],
        [4, 'command', 12],
      ]);
    }
  });

  it('§5.3 the leader pipelines appends to a follower that is keeping up, up to maxInflightAppends', () => {
    const cluster = clusterLedByA(VOTERS, { maxEntriesPerAppend: 1, maxInflightAppends: 2 });
    for (let i = 0; i < 3; i++) cluster.core('a').propose(data(i));
    cluster.settle();
    const toB = (): AppendEntries[] => ofType(cluster.pending, 'AppendEntries').filter((m) => m.to === 'b');
    expect(toB().map((m) => m.entries.map((e) => e.index))).toEqual([[2], [3]]); // no wait for the first answer
    cluster.deliver((m) => m.to === 'b' && m.type === 'AppendEntries' && m.prevLogIndex === 1);
    cluster.deliver((m) => m.from === 'b' && m.type === 'AppendEntriesResponse');
    expect(toB().map((m) => m.entries.map((e) => e.index))).toEqual([[3], [4]]); // one answer frees one slot
  });

  it('§5.3 the leader retries with a lower nextIndex after a rejection', () => {
    // a's log: [1, 1, 1, 2, 2]; it wins term 3 and appends its no-op at 6.
    const a = loneCore('a', VOTERS, PLAIN, { term: 2, entries: entriesWithTerms([1, 1, 1, 2, 2]) });
    while (a.role !== 'candidate') a.tick();
    drain(a);
    const granted: RequestVoteResponse = { type: 'RequestVoteResponse', from: 'b', to: 'a', term: 3, preVote: false, granted: true };
    a.step(granted);
    expect(a.role).toBe('leader');
    const first = ofType(drain(a).messages, 'AppendEntries').find((m) => m.to === 'b');
    expect(first).toMatchObject({ prevLogIndex: 5, prevLogTerm: 2, entries: [{ index: 6, term: 3, kind: 'noop' }] });
    // b holds only [1, 1, 1]: it refuses, and says where its log may agree.
    a.step({
      type: 'AppendEntriesResponse',
      from: 'b',
      to: 'a',
      term: 3,
      success: false,
      matchIndex: 0,
      rejectedIndex: 5,
      hintIndex: 3,
      hintTerm: 1,
    });
    const retry = ofType(drain(a).messages, 'AppendEntries').filter((m) => m.to === 'b');
    expect(retry).toHaveLength(1);
    expect(retry[0]).toMatchObject({ prevLogIndex: 3, prevLogTerm: 1 });
    expect(retry[0]?.entries.map((e) => e.index)).toEqual([4, 5, 6]);
    expect(a.status().progress['b']?.nextIndex).toBe(4);
    a.step({
      type: 'AppendEntriesResponse',
      from: 'b',
      to: 'a',
      term: 3,
      success: true,
      matchIndex: 6,
      rejectedIndex: 0,
      hintIndex: 0,
      hintTerm: 0,
    });
    expect(a.status().progress['b']).toMatchObject({ matchIndex: 6, nextIndex: 7 });
    expect(a.status().commitIndex).toBe(6); // a and b: a majority of three, in term 3
  });

  // Figure 7: the leader of term 8 and six followers' possible logs.
  const LEADER_LOG = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const FIGURE_7: Record<string, number[]> = {
    '(a) missing an entry': [1, 1, 1, 4, 4, 5, 5, 6, 6],
    '(b) missing many entries': [1, 1, 1, 4],
    '(c) an extra uncommitted entry of term 6': [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    '(d) extra entries of a later term 7': [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    '(e) missing entries and extra ones of term 4': [1, 1, 1, 4, 4, 4, 4],
    '(f) extra entries of terms 2 and 3': [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, followerLog] of Object.entries(FIGURE_7)) {
    it(`§5.3 the leader forces a follower's log to duplicate its own (Figure 7 ${name})`, () => {
      // a leads with b's vote (b holds the leader's log); c is the follower of the figure.
      const cluster = new ScriptedCluster(VOTERS, PLAIN);
      cluster.restartWith('a', 7, entriesWithTerms(LEADER_LOG));
      cluster.restartWith('b', 7, entriesWithTerms(LEADER_LOG));
      cluster.restartWith('c', 7, entriesWithTerms(followerLog));
      cluster.elect('a', ['a', 'b']);
      expect(cluster.core('a').status().term).toBe(8);
      cluster.deliverAll();
      const expected = [...LEADER_LOG, 8]; // and the leader's no-op of term 8
      expect(cluster.logTerms('a')).toEqual(expected); // the leader never rewrites its own log
      expect(cluster.logTerms('c')).toEqual(expected);
      expect(cluster.core('c').status().commitIndex).toBe(expected.length);
      expect(
        cluster
          .node('c')
          .disk.load()
          .entries.map((e) => e.term),
      ).toEqual(expected);
    });
  }
});

// ----------------------------------------------------------- the follower side

describe('§5.3 log replication: the follower', () => {
  /** Follower b of leader a in term `term`, holding `terms`. */
  const follower = (terms: number[], term = 3, commit = 0): RaftCore => loneCore('b', VOTERS, PLAIN, { term, commit, entries: entriesWithTerms(terms) });

  it('§5.3 a follower rejects AppendEntries whose prevLogIndex/prevLogTerm do not match', () => {
    const b = follower([1, 1, 2]);
    b.step(append('a', 'b', 3, { prevLogIndex: 3, prevLogTerm: 3, entries: entriesWithTerms([3], 4) }));
    expect(appendResponse(b)).toMatchObject({ success: false, term: 3, rejectedIndex: 3, hintIndex: 3, hintTerm: 2 });
    b.step(append('a', 'b', 3, { prevLogIndex: 5, prevLogTerm: 3, entries: entriesWithTerms([3], 6) }));
    expect(appendResponse(b)).toMatchObject({ success: false, rejectedIndex: 5, hintIndex: 3, hintTerm: 2 });
    expect(b.status().lastIndex).toBe(3);
    b.step(append('a', 'b', 3, { prevLogIndex: 3, prevLogTerm: 2, entries: entriesWithTerms([3], 4) }));
    expect(appendResponse(b)).toMatchObject({ success: true, matchIndex: 4 });
  });

  it('§5.3 a rejection hints past every entry of a term newer than prevLogTerm (one round trip per term)', () => {
    const b = follower([1, 1, 2, 2, 2]);
    b.step(append('a', 'b', 3, { prevLogIndex: 5, prevLogTerm: 3 }));
    expect(appendResponse(b)).toMatchObject({ success: false, rejectedIndex: 5, hintIndex: 5, hintTerm: 2 });
    b.step(append('a', 'b', 3, { prevLogIndex: 5, prevLogTerm: 1 }));
    expect(appendResponse(b)).toMatchObject({ success: false, rejectedIndex: 5, hintIndex: 2, hintTerm: 1 });
  });

  it('§5.3 a conflicting entry and all that follow it are deleted', () => {
    const b = follower([1, 1, 2, 2, 2]);
    b.step(append('a', 'b', 3, { prevLogIndex: 2, prevLogTerm: 1, entries: entriesWithTerms([3, 3], 3) }));
    const ready = drain(b);
    // The runtime is told to rewrite from index 3, which drops 5 as well.
    expect(ready.entries.map((e) => [e.index, e.term])).toEqual([
      [3, 3],
      [4, 3],
    ]);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 4 })]);
    expect(b.status().lastIndex).toBe(4);
    expect([1, 2, 3, 4].map((i) => b.entryAt(i)?.term)).toEqual([1, 1, 3, 3]);
  });

  it('§5.3 the truncation rule can fail: with the planted bug no-truncate the conflicting entries stay', () => {
    const b = loneCore('b', VOTERS, { ...PLAIN, plantedBug: 'no-truncate' }, { term: 3, entries: entriesWithTerms([1, 1, 2, 2, 2]) });
    b.step(append('a', 'b', 3, { prevLogIndex: 2, prevLogTerm: 1, entries: entriesWithTerms([3, 3], 3) }));
    drain(b);
    expect([1, 2, 3, 4, 5].map((i) => b.entryAt(i)?.term)).toEqual([1, 1, 2, 2, 2]);
  });

  it('§5.3 a follower appends only the entries it does not already hold; a repeated AppendEntries changes nothing', () => {
    const b = follower([1, 1]);
    const message = append('a', 'b', 3, { prevLogIndex: 1, prevLogTerm: 1, entries: entriesWithTerms([1, 3], 2) });
    b.step(message);
    let ready = drain(b);
    expect(ready.entries.map((e) => e.index)).toEqual([3]);
    b.step(message);
    ready = drain(b);
    expect(ready.entries).toEqual([]);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 3 })]);
  });

  it('§5.3 a late AppendEntries whose entries are all held truncates nothing after them', () => {
    const b = follower([1, 1, 3, 3]);
    b.step(append('a', 'b', 3, { prevLogIndex: 1, prevLogTerm: 1, entries: entriesWithTerms([1], 2) }));
    const ready = drain(b);
    expect(ready.entries).toEqual([]);
    expect(b.status().lastIndex).toBe(4);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 2 })]);
  });

  it('§5.3 a follower commits min(leaderCommit, index of the last new entry)', () => {
    // Entries 3 and 4 are not vouched for by this message: they may still be overwritten.
    const b = follower([1, 1, 2, 2]);
    b.step(append('a', 'b', 3, { prevLogIndex: 1, prevLogTerm: 1, entries: entriesWithTerms([1], 2), leaderCommit: 4 }));
    const ready = drain(b);
    expect(b.status().commitIndex).toBe(2);
    expect(ready.committed.map((e) => e.index)).toEqual([1, 2]);
  });

  it('§5.3 an AppendEntries below the commit index is answered with the commit index and rewrites nothing', () => {
    const b = follower([1, 1, 1], 3, 3);
    b.step(append('a', 'b', 3, { prevLogIndex: 1, prevLogTerm: 1, entries: entriesWithTerms([9], 2) }));
    const ready = drain(b);
    expect(ready.entries).toEqual([]);
    expect(b.entryAt(2)?.term).toBe(1);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 3 })]);
  });

  it('§5.3 a restarted follower comes back with the log, term and vote it had persisted', () => {
    const cluster = clusterLedByA();
    cluster.core('a').propose(data(1));
    cluster.settle();
    cluster.deliverAll();
    const before = cluster.core('b').status();
    cluster.crash('b');
    cluster.start('b');
    const after = cluster.core('b').status();
    // Commit is volatile (Figure 2): it comes back no higher than it was, and is relearned from the leader.
    expect(after).toMatchObject({ term: before.term, vote: before.vote, lastIndex: 2, role: 'follower' });
    expect(after.commitIndex).toBeLessThanOrEqual(before.commitIndex);
    expect(cluster.logTerms('b')).toEqual([1, 1]);
    cluster.run(10);
    expect(cluster.core('b').status().commitIndex).toBe(2);
  });
});

// --------------------------------------------------------------- snapshots §7

describe('§7 log compaction', () => {
  const snapshotMessage = (index: number, term: number, learners: string[] = []): InstallSnapshot => ({
    type: 'InstallSnapshot',
    from: 'a',
    to: 'b',
    term: 3,
    snapshot: { meta: { index, term, membership: { voters: VOTERS, learners } }, data: data(index) },
  });

  it('§7 a follower far behind gets InstallSnapshot after the leader compacts; its log restarts from the snapshot', () => {
    const cluster = clusterLedByA();
    const withoutC = (m: Message): boolean => m.from !== 'c' && m.to !== 'c';
    for (let i = 0; i < 10; i++) {
      cluster.core('a').propose(data(i));
      cluster.settle();
      cluster.deliverAll(withoutC);
      cluster.drop();
    }
    expect(cluster.core('a').status()).toMatchObject({ commitIndex: 11, appliedIndex: 11 });
    const snapshot = cluster.compact('a', 8, data(88));
    expect(snapshot?.meta).toMatchObject({ index: 8, term: 1 });
    expect(cluster.core('a').status().firstIndex).toBe(9);

    cluster.run(10); // c is back: the leader probes it, finds 2 compacted, and sends the snapshot
    const installs = cluster.readies.filter(({ id, ready }) => id === 'c' && ready.snapshot);
    expect(installs).toHaveLength(1);
    expect(installs[0]?.ready.snapshot?.meta).toMatchObject({ index: 8, term: 1 });
    expect(installs[0]?.ready.snapshot?.data).toEqual(data(88));
    const c = cluster.core('c');
    expect(c.status()).toMatchObject({ firstIndex: 9, lastIndex: 11, commitIndex: 11, appliedIndex: 11 });
    expect(c.latestSnapshot()?.meta.index).toBe(8);
    expect(cluster.logTerms('c')).toEqual(cluster.logTerms('a'));
    // It applied the snapshot's image, then only the entries after it.
    expect(cluster.node('c').applied.map((e) => e.index)).toEqual([1, 9, 10, 11]);
    expect(cluster.node('c').disk.snapshot?.meta.index).toBe(8);
    cluster.crash('c');
    cluster.start('c');
    // The snapshot is committed by definition; the rest of commit is volatile and relearned.
    expect(cluster.core('c').status()).toMatchObject({ firstIndex: 9, lastIndex: 11, commitIndex: 8 });
    cluster.run(10);
    expect(cluster.core('c').status()).toMatchObject({ commitIndex: 11 });
  });

  it('§7 InstallSnapshot beyond the follower log replaces the whole log and its membership', () => {
    const b = loneCore('b', VOTERS, PLAIN, { term: 3, entries: entriesWithTerms([1, 1]) });
    b.step(snapshotMessage(5, 2, ['d']));
    const ready = drain(b);
    expect(b.status().membership).toEqual({ voters: VOTERS, learners: ['d'] });
    expect(ready.snapshot?.meta).toMatchObject({ index: 5, term: 2 });
    expect(ready.entries).toEqual([]);
    expect(ready.committed).toEqual([]); // the image replaces applying 1..5
    expect(b.status()).toMatchObject({ firstIndex: 6, lastIndex: 5, commitIndex: 5, appliedIndex: 5 });
    expect(b.entryAt(1)).toBeUndefined();
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 5 })]);
  });

  it("§7 a follower that already holds the snapshot's last entry keeps the entries after it", () => {
    const b = loneCore('b', VOTERS, PLAIN, { term: 3, entries: entriesWithTerms([1, 1, 1, 1]) });
    b.step(snapshotMessage(2, 1));
    const ready = drain(b);
    expect(ready.snapshot).toBeUndefined();
    expect(b.status()).toMatchObject({ firstIndex: 1, lastIndex: 4, commitIndex: 2 });
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 2 })]);
  });

  it('§7 a snapshot older than the follower commit index is ignored', () => {
    const b = loneCore('b', VOTERS, PLAIN, { term: 3, commit: 4, entries: entriesWithTerms([1, 1, 1, 1]) });
    b.step(snapshotMessage(3, 1));
    const ready = drain(b);
    expect(ready.snapshot).toBeUndefined();
    expect(b.status()).toMatchObject({ firstIndex: 1, lastIndex: 4, commitIndex: 4 });
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ success: true, matchIndex: 4 })]);
  });
});

// ------------------------------------------------------- what must be durable

describe('§5 durable state: term and vote, not commit', () => {
  it('a commit-only change carries no hard state, so it costs no fsync', () => {
    const b = loneCore('b', VOTERS, PLAIN, { term: 3, entries: entriesWithTerms([1, 1]) });
    b.step(append('a', 'b', 3, { prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 2 }));
    const ready = drain(b);
    expect(b.status().commitIndex).toBe(2);
    expect(ready.hardState).toBeUndefined();
    expect(ready.committed.map((entry) => entry.index)).toEqual([1, 2]);
  });

  it('a restart whose state machine applied past the stored commit resumes there and applies nothing twice', () => {
    const persisted = {
      hardState: { term: 3, vote: null, commit: 1 },
      snapshot: null,
      entries: entriesWithTerms([1, 1, 3]),
      bootstrap: { voters: VOTERS, learners: [] },
    };
    const b = new Core({ ...PLAIN, seed: 1, id: 'b' }, persisted, { appliedIndex: 2 });
    expect(b.status().commitIndex).toBe(2);
    expect(b.status().appliedIndex).toBe(2);
    expect(b.hasReady() ? drain(b).committed : []).toEqual([]);
  });
});
