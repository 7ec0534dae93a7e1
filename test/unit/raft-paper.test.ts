// The rules beyond the paper's core algorithm, from Ongaro's thesis and the
// runtime contract: linearizable reads (ReadIndex §6.4, leases §6.4.1),
// leadership transfer (§3.10), membership changes (§4), write acknowledgements
// per replication mode, and how the core answers bad input. The election,
// replication and safety rules are in raft-paper-{election,replication,safety}.test.ts.

import { describe, expect, it } from 'vitest';
import {
  InvariantError,
  RaftCore,
  type AppendEntries,
  type CoreConfigInput,
  type Message,
  type NodeId,
  type ReadState,
  type WriteAck,
} from '../../src/core/index.js';
import { ScriptedCluster, drain, entriesWithTerms, loneCore } from '../support/scripted-cluster.js';

const VOTERS = ['a', 'b', 'c'];
const FIVE = ['a', 'b', 'c', 'd', 'e'];
const T = 10; // electionTimeoutTicks (the default)
const PLAIN: Omit<CoreConfigInput, 'id'> = { preVote: false, checkQuorum: false };
const data = (byte: number): Uint8Array => new Uint8Array([byte]);

function ofType<K extends Message['type']>(messages: readonly Message[], type: K): Extract<Message, { type: K }>[] {
  return messages.filter((message): message is Extract<Message, { type: K }> => message.type === type);
}

/** a leads `ids` and every node holds and has committed its no-op. */
function clusterLedByA(ids: readonly NodeId[] = VOTERS, config: Omit<CoreConfigInput, 'id'> = PLAIN): ScriptedCluster {
  const cluster = new ScriptedCluster(ids, config);
  if (config.checkQuorum !== false) cluster.passStartupQuiet();
  cluster.elect('a', ids);
  cluster.deliverAll();
  for (const id of ids) expect(cluster.core(id).status().commitIndex).toBe(1);
  return cluster;
}

function readStatesOf(cluster: ScriptedCluster, id: NodeId): ReadState[] {
  return cluster.readies.filter((r) => r.id === id).flatMap((r) => r.ready.readStates);
}

function acksOf(cluster: ScriptedCluster, id: NodeId): WriteAck[] {
  return cluster.readies.filter((r) => r.id === id).flatMap((r) => r.ready.acks);
}

const involves =
  (...ids: NodeId[]) =>
  (m: Message): boolean =>
    ids.includes(m.from) || ids.includes(m.to);
const not =
  (filter: (m: Message) => boolean) =>
  (m: Message): boolean =>
    !filter(m);

// -------------------------------------------------------------- ReadIndex §6.4

describe('§6.4 ReadIndex', () => {
  it('§6.4 ReadIndex: a read is released only after a heartbeat round acknowledged by a majority', () => {
    const cluster = clusterLedByA(FIVE);
    expect(cluster.core('a').readIndex(1)).toEqual({ ok: true });
    cluster.settle();
    const heartbeats = ofType(cluster.pending, 'Heartbeat');
    expect(heartbeats.map((m) => m.to)).toEqual(['b', 'c', 'd', 'e']);
    expect(readStatesOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll(involves('b')); // a and b: 2 of 5
    expect(readStatesOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll(involves('c')); // 3 of 5
    expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 1, index: 1 }]);
  });

  it('§6.4 ReadIndex: an acknowledgement of a round sent before the read arrived does not release it', () => {
    const cluster = clusterLedByA();
    cluster.tick(['a'], 1); // a heartbeat round goes out
    const early = ofType(cluster.pending, 'Heartbeat')[0]?.round ?? -1;
    cluster.core('a').readIndex(1);
    cluster.settle();
    const rounds = new Set(ofType(cluster.pending, 'Heartbeat').map((m) => m.round));
    expect(rounds).toEqual(new Set([early, early + 1]));
    const ofRound =
      (round: number) =>
      (m: Message): boolean =>
        (m.type === 'Heartbeat' || m.type === 'HeartbeatResponse') && m.round === round;
    cluster.deliverAll(ofRound(early));
    expect(readStatesOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll(ofRound(early + 1));
    expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 1, index: 1 }]);
  });

  it('§6.4 ReadIndex: a new leader releases no read before committing its no-op', () => {
    const cluster = new ScriptedCluster(VOTERS, PLAIN);
    cluster.elect('a', VOTERS); // its no-op is not replicated yet
    expect(cluster.core('a').status().commitIndex).toBe(0);
    cluster.core('a').readIndex(1);
    cluster.settle();
    const heartbeatsOnly = (m: Message): boolean => m.type === 'Heartbeat' || m.type === 'HeartbeatResponse';
    for (let i = 0; i < 3; i++) {
      cluster.tick(['a'], 1);
      cluster.deliverAll(heartbeatsOnly); // a majority answers every round...
    }
    expect(readStatesOf(cluster, 'a')).toEqual([]); // ...but the commit index may be stale
    cluster.deliverAll();
    expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 1, index: 1 }]);
  });

  it('§6.4 ReadIndex: pending reads are dropped when leadership is lost, for the runtime to retry elsewhere', () => {
    const cluster = clusterLedByA();
    cluster.core('a').readIndex(7);
    cluster.settle();
    cluster.drop();
    cluster.core('a').step({ type: 'Heartbeat', from: 'b', to: 'a', term: 5, commit: 0, round: 1 });
    cluster.settle();
    const last = cluster.readies.filter((r) => r.id === 'a').at(-1);
    expect(last?.ready.droppedReads).toEqual([7]);
    expect(readStatesOf(cluster, 'a')).toEqual([]);
  });

  it('§6.4 ReadIndex on a follower that knows no leader is refused', () => {
    const cluster = new ScriptedCluster(VOTERS, PLAIN);
    expect(cluster.core('b').readIndex(1)).toEqual({ ok: false, reason: 'not-leader', leaderId: null });
  });

  it('§6.4 ReadIndex: a single voter releases a read at once, with no round trip', () => {
    const core = loneCore('a', ['a'], PLAIN);
    while (core.role !== 'leader') core.tick();
    drain(core);
    core.readIndex(3);
    expect(drain(core).readStates).toEqual([{ requestId: 3, index: 1 }]);
  });
});

// ------------------------------------------------ ReadIndex from a follower

describe('§6.4 ReadIndex from a follower (as etcd and TiKV serve follower reads)', () => {
  const isRead = (m: Message): boolean => m.type === 'ReadIndexRequest' || m.type === 'ReadIndexResponse';

  it('a follower asks its leader, which confirms a heartbeat round and answers with its commit index', () => {
    const cluster = clusterLedByA(FIVE);
    cluster.core('a').propose(data(1));
    cluster.settle();
    cluster.deliverAll();
    expect(cluster.core('b').readIndex(4)).toEqual({ ok: true });
    cluster.settle();
    expect(ofType(cluster.pending, 'ReadIndexRequest')).toEqual([{ type: 'ReadIndexRequest', from: 'b', to: 'a', term: 1, requestId: 4, lease: false }]);
    cluster.deliver((m) => m.type === 'ReadIndexRequest');
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([]); // not before a round
    cluster.deliverAll(involves('c')); // a and c: 2 of 5
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([]);
    cluster.deliverAll(involves('d')); // 3 of 5
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([
      { type: 'ReadIndexResponse', from: 'a', to: 'b', term: 1, requestId: 4, ok: true, index: 2 },
    ]);
    cluster.deliver(isRead);
    expect(readStatesOf(cluster, 'b')).toEqual([{ requestId: 4, index: 2 }]);
    expect(readStatesOf(cluster, 'a')).toEqual([]); // the leader's own reads are not touched
  });

  it('a forwarded lease read is answered from the leader lease, without a round', () => {
    const cluster = clusterLedByA(VOTERS, { checkQuorum: true });
    cluster.run(T);
    cluster.core('c').readIndex(9, { lease: true });
    cluster.settle();
    cluster.deliver((m) => m.type === 'ReadIndexRequest');
    expect(ofType(cluster.pending, 'Heartbeat')).toEqual([]);
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([expect.objectContaining({ to: 'c', requestId: 9, ok: true, index: 1 })]);
  });

  it('a new leader answers a forwarded read only once it has committed its no-op', () => {
    const cluster = new ScriptedCluster(VOTERS, PLAIN);
    cluster.elect('a', VOTERS); // its no-op is not replicated yet
    cluster.tick(['a'], 1);
    cluster.deliverAll((m) => m.type === 'Heartbeat' || m.type === 'HeartbeatResponse'); // b learns its leader
    expect(cluster.core('b').status().leaderId).toBe('a');
    cluster.core('b').readIndex(1);
    cluster.settle();
    cluster.deliver(isRead);
    for (let i = 0; i < 3; i++) {
      cluster.tick(['a'], 1);
      cluster.deliverAll((m) => m.type === 'Heartbeat' || m.type === 'HeartbeatResponse');
    }
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([]);
    cluster.deliverAll();
    expect(readStatesOf(cluster, 'b')).toEqual([{ requestId: 1, index: 1 }]);
  });

  it('a read forwarded to a leader that is deposed is dropped, and the deposed node says so', () => {
    const cluster = clusterLedByA();
    cluster.core('b').readIndex(3);
    cluster.settle();
    cluster.deliver((m) => m.type === 'ReadIndexRequest');
    cluster.drop();
    cluster.core('a').step({ type: 'Heartbeat', from: 'c', to: 'a', term: 5, commit: 0, round: 1 });
    cluster.settle();
    expect(ofType(cluster.pending, 'ReadIndexResponse')).toEqual([
      { type: 'ReadIndexResponse', from: 'a', to: 'b', term: 5, requestId: 3, ok: false, index: 0 },
    ]);
    cluster.deliver(isRead); // b adopts term 5, knows no leader, drops the read
    expect(cluster.readies.filter((r) => r.id === 'b').flatMap((r) => r.ready.droppedReads)).toEqual([3]);
    expect(readStatesOf(cluster, 'b')).toEqual([]);
  });

  it('a follower that starts following another leader drops the reads it sent to the old one', () => {
    const cluster = clusterLedByA();
    cluster.core('b').readIndex(5);
    cluster.settle();
    cluster.drop();
    cluster.core('b').step({ type: 'Heartbeat', from: 'c', to: 'b', term: 2, commit: 1, round: 1 });
    cluster.settle();
    expect(cluster.readies.filter((r) => r.id === 'b').flatMap((r) => r.ready.droppedReads)).toEqual([5]);
  });

  it('a lost request is sent again, then dropped after its last attempt', () => {
    const cluster = clusterLedByA();
    cluster.core('b').readIndex(2);
    cluster.settle();
    const sent = (): number => ofType(cluster.pending, 'ReadIndexRequest').length;
    expect(sent()).toBe(1);
    cluster.drop();
    cluster.tick(['b'], T / 2);
    expect(sent()).toBe(1); // the second attempt
    cluster.drop();
    cluster.tick(['b'], T / 2);
    expect(sent()).toBe(1); // the third
    cluster.drop();
    cluster.tick(['b'], T / 2);
    expect(sent()).toBe(0);
    expect(cluster.readies.filter((r) => r.id === 'b').flatMap((r) => r.ready.droppedReads)).toEqual([2]);
  });

  it('an answer from a node the read was not sent to is ignored', () => {
    const cluster = clusterLedByA();
    cluster.core('b').readIndex(6);
    cluster.settle();
    cluster.core('b').step({ type: 'ReadIndexResponse', from: 'c', to: 'b', term: 1, requestId: 6, ok: true, index: 99 });
    cluster.settle();
    expect(readStatesOf(cluster, 'b')).toEqual([]);
    cluster.deliverAll();
    expect(readStatesOf(cluster, 'b')).toEqual([{ requestId: 6, index: 1 }]);
  });
});

// ------------------------------------------------------------- leases §6.4.1

describe('§6.4.1 lease reads', () => {
  /** a leads a, b, c with check-quorum; its last heartbeat round was acknowledged by everyone. */
  function leaseHolder(config: Omit<CoreConfigInput, 'id'> = {}): ScriptedCluster {
    const cluster = clusterLedByA(VOTERS, { checkQuorum: true, ...config });
    cluster.run(T);
    return cluster;
  }

  it('§6.4.1 lease read: valid right after a quorum-acknowledged round, and served without a round trip', () => {
    const cluster = leaseHolder();
    expect(cluster.core('a').status().leaseValid).toBe(true);
    expect(cluster.pending).toEqual([]);
    cluster.core('a').readIndex(5, { lease: true });
    cluster.settle();
    expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 5, index: 1 }]);
    expect(ofType(cluster.pending, 'Heartbeat')).toEqual([]);
  });

  for (const leaseDriftTicks of [1, 3]) {
    it(`§6.4.1 lease read: invalid after electionTimeoutTicks - leaseDriftTicks ticks without acks (drift ${leaseDriftTicks})`, () => {
      const cluster = leaseHolder({ leaseDriftTicks });
      const a = cluster.core('a');
      const validFor = T - leaseDriftTicks - 1;
      for (let k = 1; k <= validFor; k++) {
        a.tick();
        cluster.settle();
        cluster.drop();
        expect(a.status().leaseValid).toBe(true);
      }
      a.tick();
      cluster.settle();
      cluster.drop();
      expect(a.role).toBe('leader');
      expect(a.status().leaseValid).toBe(false);
      // A lease read now falls back to a heartbeat round.
      a.readIndex(9, { lease: true });
      cluster.settle();
      expect(readStatesOf(cluster, 'a')).toEqual([]);
      expect(ofType(cluster.pending, 'Heartbeat').map((m) => m.to)).toEqual(['b', 'c']);
      cluster.deliverAll();
      expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 9, index: 1 }]);
      expect(a.status().leaseValid).toBe(true);
    });
  }

  it('§6.4.1 without check-quorum there is no lease: a lease read takes a round trip', () => {
    const cluster = clusterLedByA(VOTERS, PLAIN);
    cluster.run(T);
    expect(cluster.core('a').status().leaseValid).toBe(false);
    cluster.core('a').readIndex(5, { lease: true });
    cluster.settle();
    expect(readStatesOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll();
    expect(readStatesOf(cluster, 'a')).toEqual([{ requestId: 5, index: 1 }]);
  });
});

// ------------------------------------------------- leadership transfer §3.10

describe('§3.10 leadership transfer', () => {
  /** Default config: pre-vote and check-quorum on. */
  const steady = (): ScriptedCluster => {
    const cluster = clusterLedByA(VOTERS, {});
    cluster.run(T);
    return cluster;
  };

  it('§3.10 transfer: the leader sends TimeoutNow to an up-to-date target, which campaigns at once without pre-vote and wins', () => {
    const cluster = steady();
    expect(cluster.core('a').transferLeadership('b')).toEqual({ ok: true });
    cluster.settle();
    expect(ofType(cluster.pending, 'TimeoutNow')).toEqual([{ type: 'TimeoutNow', from: 'a', to: 'b', term: 1 }]);
    cluster.deliver((m) => m.type === 'TimeoutNow');
    const b = cluster.core('b');
    expect(b.role).toBe('candidate'); // not pre-candidate
    expect(b.status().term).toBe(2);
    const requests = ofType(cluster.pending, 'RequestVote');
    expect(requests.map((m) => [m.to, m.term, m.preVote, m.transfer])).toEqual([
      ['a', 2, false, true],
      ['c', 2, false, true],
    ]);
    cluster.deliverAll(); // c heard from a a moment ago, yet votes: the request says transfer
    expect(b.role).toBe('leader');
    expect(cluster.core('a').status()).toMatchObject({ role: 'follower', term: 2, leaderId: 'b' });
    expect(cluster.core('c').status()).toMatchObject({ term: 2, leaderId: 'b' });
  });

  it('§3.10 transfer: a lagging target is first brought up to date, then gets TimeoutNow', () => {
    const cluster = steady();
    for (let i = 0; i < 3; i++) {
      cluster.core('a').propose(data(i));
      cluster.settle();
      cluster.deliverAll(not(involves('c')));
      cluster.drop();
    }
    expect(cluster.core('c').status().lastIndex).toBe(1);
    cluster.core('a').transferLeadership('c');
    cluster.settle();
    expect(ofType(cluster.pending, 'TimeoutNow')).toEqual([]);
    cluster.run(T);
    const c = cluster.core('c');
    expect(c.role).toBe('leader');
    expect(c.status().term).toBe(2);
    expect(cluster.logTerms('c').slice(0, 4)).toEqual([1, 1, 1, 1]);
  });

  it('§3.10 transfer: proposals, reads and membership changes are refused during the transfer', () => {
    const cluster = steady();
    const a = cluster.core('a');
    cluster.drop();
    a.transferLeadership('b');
    const refused = { ok: false, reason: 'transfer-in-progress', leaderId: 'a' };
    expect(a.propose(data(1))).toEqual(refused);
    expect(a.readIndex(1)).toEqual(refused);
    expect(a.proposeMembership({ type: 'remove', node: 'c' })).toEqual(refused);
    expect(a.transferLeadership('c')).toEqual(refused);
  });

  it('§3.10 a transfer to an unreachable node ends after an election timeout, and the leader serves again', () => {
    const cluster = steady();
    const a = cluster.core('a');
    a.transferLeadership('c');
    cluster.run(T - 1, not(involves('c')));
    expect(a.propose(data(1))).toMatchObject({ ok: false, reason: 'transfer-in-progress' });
    cluster.run(1, not(involves('c')));
    expect(a.role).toBe('leader');
    expect(a.status().term).toBe(1);
    expect(a.propose(data(1))).toMatchObject({ ok: true });
  });

  it('§3.10 transfer: only a leader transfers, only to a voter; to itself it is a no-op', () => {
    const cluster = steady();
    expect(cluster.core('b').transferLeadership('c')).toMatchObject({ ok: false, reason: 'not-leader' });
    expect(cluster.core('a').transferLeadership('z')).toMatchObject({ ok: false, reason: 'invalid-request' });
    expect(cluster.core('a').transferLeadership('a')).toEqual({ ok: true });
    expect(cluster.core('a').propose(data(1))).toMatchObject({ ok: true });
  });
});

// ----------------------------------------------------------- membership §4

describe('§4 membership changes', () => {
  const NO_AUTO: Omit<CoreConfigInput, 'id'> = { ...PLAIN, autoPromoteLearners: false };

  /** a leads a, b, c; d is added as a learner and has caught up. */
  function withLearnerD(config: Omit<CoreConfigInput, 'id'> = NO_AUTO): ScriptedCluster {
    const cluster = clusterLedByA(VOTERS, config);
    expect(cluster.core('a').proposeMembership({ type: 'add-learner', node: 'd' })).toEqual({ ok: true, index: 2, term: 1 });
    cluster.addNode('d');
    cluster.settle();
    cluster.deliverAll();
    return cluster;
  }

  it('§4.2.1 add-learner: a learner gets the log but does not vote', () => {
    const cluster = withLearnerD();
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(cluster.membership(id)).toEqual({ voters: VOTERS, learners: ['d'] });
      expect(cluster.core(id).status().commitIndex).toBe(2);
    }
    expect(cluster.logTerms('d')).toEqual(cluster.logTerms('a'));
    expect(cluster.core('a').status().progress['d']).toMatchObject({ learner: true, matchIndex: 2 });
    // It never campaigns, and nobody asks it for a vote.
    cluster.run(5 * T, involves('d'));
    expect(cluster.core('d').role).toBe('follower');
    expect(cluster.core('d').status().term).toBe(1);
    cluster.crash('a');
    cluster.drop();
    cluster.elect('b', ['b', 'c', 'd']);
    const askedD = cluster.readies.some(({ ready }) => ready.messages.some((m) => m.type === 'RequestVote' && m.to === 'd'));
    expect(askedD).toBe(false);
  });

  it('§4.2.1 add-learner: a learner does not count toward commitment', () => {
    const cluster = withLearnerD();
    cluster.core('a').propose(data(1));
    cluster.settle();
    cluster.deliverAll(involves('d'));
    cluster.drop();
    expect(cluster.core('d').status().lastIndex).toBe(3);
    expect(cluster.core('a').status().commitIndex).toBe(2); // a and d hold 3, but d has no vote
  });

  it('§4.2.1 a learner is promoted to voter automatically once it has caught up', () => {
    const cluster = withLearnerD({ ...PLAIN, autoPromoteLearners: true });
    cluster.run(2);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(cluster.membership(id)).toEqual({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    }
    const promote = cluster.core('a').entryAt(3);
    expect(promote).toMatchObject({ kind: 'config', membership: { voters: ['a', 'b', 'c', 'd'], learners: [] } });
    expect(cluster.core('a').status().commitIndex).toBe(3);
  });

  it('§4.2.1 a learner that holds nothing yet is not promoted', () => {
    const cluster = clusterLedByA(VOTERS, PLAIN);
    cluster.core('a').proposeMembership({ type: 'add-learner', node: 'd' });
    cluster.settle();
    cluster.deliverAll(not(involves('d'))); // d does not exist yet: nothing reaches it
    cluster.drop();
    cluster.tick(['a'], 5);
    cluster.drop();
    expect(cluster.membership('a')).toEqual({ voters: VOTERS, learners: ['d'] });
  });

  it('§4.1 remove: a removed voter no longer counts toward the quorum', () => {
    const cluster = clusterLedByA();
    cluster.core('a').proposeMembership({ type: 'remove', node: 'c' });
    cluster.settle();
    cluster.deliverAll();
    expect(cluster.membership('a')).toEqual({ voters: ['a', 'b'], learners: [] });
    expect(cluster.core('a').status().progress['c']).toBeUndefined();
    cluster.core('a').propose(data(1));
    cluster.settle();
    expect(ofType(cluster.pending, 'AppendEntries').map((m) => m.to)).toEqual(['b']); // c gets nothing
    cluster.drop();
    expect(cluster.core('a').status().commitIndex).toBe(2); // index 3 waits for b: a alone is not a majority of [a, b]
    cluster.tick(['a'], 5);
    cluster.deliverAll(involves('b'));
    expect(cluster.core('a').status().commitIndex).toBe(3); // a and b are all it needs now
  });

  it('§4.1 remove: a leader that removes itself steps down once the change commits', () => {
    const cluster = clusterLedByA();
    expect(cluster.core('a').proposeMembership({ type: 'remove', node: 'a' })).toMatchObject({ ok: true, index: 2 });
    cluster.settle();
    expect(cluster.core('a').role).toBe('leader'); // it still leads while the change is uncommitted...
    cluster.deliverAll();
    expect(cluster.core('a').role).toBe('follower'); // ...and steps down once it commits
    expect(cluster.membership('b')).toEqual({ voters: ['b', 'c'], learners: [] });
    cluster.run(3 * T, not(involves('a')));
    expect(['b', 'c'].filter((id) => cluster.core(id).role === 'leader')).toHaveLength(1);
  });

  it('§4.1 one change at a time: a second change is refused while one is uncommitted', () => {
    const cluster = clusterLedByA();
    const a = cluster.core('a');
    expect(a.proposeMembership({ type: 'add-learner', node: 'd' })).toMatchObject({ ok: true });
    expect(a.proposeMembership({ type: 'add-learner', node: 'e' })).toEqual({
      ok: false,
      reason: 'membership-change-pending',
      leaderId: 'a',
    });
    cluster.settle();
    cluster.deliverAll(not(involves('d')));
    cluster.drop();
    expect(a.proposeMembership({ type: 'add-learner', node: 'e' })).toMatchObject({ ok: true });
  });

  it('§4.1 a new leader refuses a membership change before it has committed an entry of its term', () => {
    const cluster = new ScriptedCluster(VOTERS, PLAIN);
    cluster.elect('a', VOTERS);
    const a = cluster.core('a');
    expect(a.proposeMembership({ type: 'add-learner', node: 'd' })).toMatchObject({
      ok: false,
      reason: 'membership-change-pending',
    });
    cluster.deliverAll();
    expect(a.proposeMembership({ type: 'add-learner', node: 'd' })).toMatchObject({ ok: true });
  });

  it('§4.1 an impossible change is refused with invalid-membership-change', () => {
    const cluster = clusterLedByA();
    const a = cluster.core('a');
    expect(a.proposeMembership({ type: 'add-learner', node: 'b' })).toMatchObject({ ok: false, reason: 'invalid-membership-change' });
    expect(a.proposeMembership({ type: 'promote', node: 'b' })).toMatchObject({ ok: false, reason: 'invalid-membership-change' });
    expect(a.proposeMembership({ type: 'remove', node: 'z' })).toMatchObject({ ok: false, reason: 'invalid-membership-change' });
    expect(a.status().lastIndex).toBe(1);
  });

  it('§4.1 a node uses the latest configuration in its log, committed or not, and drops it with a truncated entry', () => {
    const b = loneCore('b', VOTERS, PLAIN, { term: 3, entries: entriesWithTerms([1]) });
    const withD = { voters: VOTERS, learners: ['d'] };
    const append = (entries: AppendEntries['entries'], term: number): AppendEntries => ({
      type: 'AppendEntries',
      from: 'a',
      to: 'b',
      term,
      prevLogIndex: 1,
      prevLogTerm: 1,
      entries,
      leaderCommit: 0,
    });
    b.step(append([{ index: 2, term: 3, kind: 'config', membership: withD }], 3));
    drain(b);
    expect(b.status()).toMatchObject({ commitIndex: 0, membership: withD });
    b.step(append(entriesWithTerms([4], 2), 4)); // a new leader overwrites index 2
    drain(b);
    expect(b.status().membership).toEqual({ voters: VOTERS, learners: [] });
  });
});

// ------------------------------------------------------ write acknowledgements

describe('write acknowledgements per replication mode', () => {
  it('quorum: a write is acknowledged when it commits, not before', () => {
    const cluster = clusterLedByA();
    const { index } = cluster.core('a').propose(data(1), { mode: 'quorum' }) as { index: number };
    cluster.settle();
    expect(acksOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll(involves('b'));
    expect(acksOf(cluster, 'a')).toEqual([{ index, term: 1, ok: true, degraded: false }]);
  });

  it('async: a write is acknowledged in the first Ready, the one that carries it to disk', () => {
    const cluster = clusterLedByA();
    const before = cluster.readies.length;
    const { index } = cluster.core('a').propose(data(1), { mode: 'async' }) as { index: number };
    cluster.settle();
    const first = cluster.readies.slice(before).find((r) => r.id === 'a');
    expect(first?.ready.entries.map((e) => e.index)).toEqual([index]);
    expect(first?.ready.acks).toEqual([{ index, term: 1, ok: true, degraded: false }]);
    expect(cluster.core('a').status().commitIndex).toBeLessThan(index);
  });

  it('sync: a write is acknowledged only once every voter holds it', () => {
    const cluster = clusterLedByA();
    const { index } = cluster.core('a').propose(data(1), { mode: 'sync' }) as { index: number };
    cluster.settle();
    cluster.deliverAll(involves('b'));
    expect(cluster.core('a').status().commitIndex).toBe(index); // committed by a majority...
    expect(acksOf(cluster, 'a')).toEqual([]); // ...but c does not hold it yet
    cluster.deliverAll(involves('c'));
    expect(acksOf(cluster, 'a')).toEqual([{ index, term: 1, ok: true, degraded: false }]);
  });

  it("sync: a write that not every voter holds fails with 'sync-timeout' after timeoutTicks", () => {
    const cluster = clusterLedByA();
    const { index } = cluster.core('a').propose(data(1), { mode: 'sync', timeoutTicks: 5 }) as { index: number };
    cluster.settle();
    cluster.run(4, not(involves('c')));
    expect(acksOf(cluster, 'a')).toEqual([]);
    cluster.run(1, not(involves('c')));
    expect(acksOf(cluster, 'a')).toEqual([{ index, term: 1, ok: false, reason: 'sync-timeout' }]);
    expect(cluster.core('a').status().commitIndex).toBe(index); // the outcome was unknown: it did commit
  });

  it('semi-sync: a write is acknowledged once minReplicas followers hold it', () => {
    const cluster = clusterLedByA(FIVE);
    const { index } = cluster.core('a').propose(data(1), { mode: 'semi-sync', minReplicas: 2 }) as { index: number };
    cluster.settle();
    cluster.deliverAll(involves('b'));
    expect(acksOf(cluster, 'a')).toEqual([]);
    cluster.deliverAll(involves('c'));
    expect(acksOf(cluster, 'a')).toEqual([{ index, term: 1, ok: true, degraded: false }]);
  });

  it('semi-sync: with too few replicas, the write falls back to the leader disk with degraded:true after timeoutTicks', () => {
    const cluster = clusterLedByA();
    const { index } = cluster.core('a').propose(data(1), { mode: 'semi-sync', minReplicas: 1, timeoutTicks: 3 }) as {
      index: number;
    };
    cluster.settle();
    cluster.run(2, () => false);
    expect(acksOf(cluster, 'a')).toEqual([]);
    cluster.run(1, () => false);
    expect(acksOf(cluster, 'a')).toEqual([{ index, term: 1, ok: true, degraded: true }]);
  });

  it('leadership lost: every pending write fails with leadership-lost (outcome unknown)', () => {
    const cluster = clusterLedByA();
    const a = cluster.core('a');
    const first = a.propose(data(1), { mode: 'quorum' }) as { index: number };
    const second = a.propose(data(2), { mode: 'sync' }) as { index: number };
    cluster.settle();
    cluster.drop();
    a.step({ type: 'Heartbeat', from: 'b', to: 'a', term: 2, commit: 0, round: 1 });
    cluster.settle();
    expect(acksOf(cluster, 'a')).toEqual([
      { index: first.index, term: 1, ok: false, reason: 'leadership-lost' },
      { index: second.index, term: 1, ok: false, reason: 'leadership-lost' },
    ]);
  });
});

// ---------------------------------------------------------------- bad input

describe('bad input', () => {
  it('propose on a follower returns not-leader with the leader it knows', () => {
    const cluster = clusterLedByA();
    expect(cluster.core('b').propose(data(1))).toEqual({ ok: false, reason: 'not-leader', leaderId: 'a' });
    const stranger = loneCore('x', VOTERS, PLAIN);
    expect(stranger.propose(data(1))).toEqual({ ok: false, reason: 'not-leader', leaderId: null });
  });

  it('an entry larger than maxEntryBytes is refused, and one of exactly that size is not', () => {
    const cluster = clusterLedByA(VOTERS, { ...PLAIN, maxEntryBytes: 8 });
    const a = cluster.core('a');
    expect(a.propose(new Uint8Array(9))).toEqual({ ok: false, reason: 'entry-too-large', leaderId: 'a' });
    expect(a.status().lastIndex).toBe(1);
    expect(a.propose(new Uint8Array(8))).toMatchObject({ ok: true, index: 2 });
  });

  it('writes beyond maxPendingWrites are refused with too-many-pending', () => {
    const cluster = clusterLedByA(VOTERS, { ...PLAIN, maxPendingWrites: 2 });
    const a = cluster.core('a');
    expect(a.propose(data(1))).toMatchObject({ ok: true });
    expect(a.propose(data(2))).toMatchObject({ ok: true });
    expect(a.propose(data(3))).toEqual({ ok: false, reason: 'too-many-pending', leaderId: 'a' });
    cluster.settle();
    cluster.deliverAll();
    expect(a.propose(data(3))).toMatchObject({ ok: true });
  });

  it('reads beyond maxPendingReads are refused with too-many-pending', () => {
    const cluster = clusterLedByA(VOTERS, { ...PLAIN, maxPendingReads: 2 });
    const a = cluster.core('a');
    expect(a.readIndex(1)).toEqual({ ok: true });
    expect(a.readIndex(2)).toEqual({ ok: true });
    expect(a.readIndex(3)).toEqual({ ok: false, reason: 'too-many-pending', leaderId: 'a' });
    cluster.settle();
    cluster.deliverAll();
    expect(readStatesOf(cluster, 'a').map((r) => r.requestId)).toEqual([1, 2]);
    expect(a.readIndex(3)).toEqual({ ok: true });
  });

  it('an invalid config throws RangeError with a readable message', () => {
    const persisted = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [], bootstrap: { voters: VOTERS, learners: [] } };
    expect(() => new RaftCore({ id: 'a', electionTimeoutTicks: 0 }, persisted)).toThrow(RangeError);
    expect(() => new RaftCore({ id: 'a', electionTimeoutTicks: 0 }, persisted)).toThrow('electionTimeoutTicks must be a positive integer, got 0');
    expect(() => new RaftCore({ id: 'a', electionTimeoutTicks: 5, heartbeatIntervalTicks: 5 }, persisted)).toThrow(
      'heartbeatIntervalTicks (5) must be below electionTimeoutTicks (5)',
    );
    expect(() => new RaftCore({ id: '' }, persisted)).toThrow('id must be a non-empty string');
  });

  it('ready() twice without advance() throws InvariantError', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    core.ready();
    expect(() => core.ready()).toThrow(InvariantError);
  });

  it('driving the core between ready() and advance(), or advancing a stale Ready, throws InvariantError', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    const ready = core.ready();
    expect(() => core.tick()).toThrow(InvariantError);
    expect(() => core.propose(data(1))).toThrow(InvariantError);
    core.advance(ready);
    expect(() => core.advance(ready)).toThrow(InvariantError);
    const next = core.ready();
    expect(() => core.advance({ ...next })).toThrow(InvariantError);
  });

  it('invalid write options reaching the core throw InvariantError (the runtime validates them first)', () => {
    const cluster = clusterLedByA();
    expect(() => cluster.core('a').propose(data(1), { mode: 'semi-sync', minReplicas: -1 })).toThrow(InvariantError);
  });

  it('compacting beyond the applied index throws InvariantError', () => {
    const cluster = clusterLedByA();
    cluster.core('a').propose(data(1));
    expect(() => cluster.core('a').compact(2, data(0))).toThrow(InvariantError);
  });
});
