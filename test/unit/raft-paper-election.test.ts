// The election rules of the Raft paper (§5.1, §5.2, §5.4.1) and of Ongaro's
// thesis (pre-vote §9.6, check-quorum §6.2, leader stickiness §4.2.3), one
// test per rule, in the manner of etcd-io/raft's raft_paper_test.go: a lone
// core fed hand-made messages where one node's behaviour is the rule, a
// scripted cluster where the rule is about several nodes.

import { describe, expect, it } from 'vitest';
import type {
  AppendEntries,
  AppendEntriesResponse,
  CoreConfigInput,
  Heartbeat,
  Message,
  NodeId,
  RaftCore,
  RequestVote,
  RequestVoteResponse,
} from '../../src/core/index.js';
import { ScriptedCluster, drain, entriesWithTerms, loneCore } from '../support/scripted-cluster.js';

const VOTERS = ['a', 'b', 'c'];
const T = 10; // electionTimeoutTicks (the default)
/** Neither pre-vote nor check-quorum: for rules that do not involve them. */
const PLAIN: Omit<CoreConfigInput, 'id'> = { preVote: false, checkQuorum: false };

// ------------------------------------------------------------------ messages

function append(from: NodeId, to: NodeId, term: number, fields: Partial<AppendEntries> = {}): AppendEntries {
  return { type: 'AppendEntries', from, to, term, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, ...fields };
}

function heartbeat(from: NodeId, to: NodeId, term: number, round = 1): Heartbeat {
  return { type: 'Heartbeat', from, to, term, commit: 0, round };
}

function voteRequest(from: NodeId, to: NodeId, term: number, fields: Partial<RequestVote> = {}): RequestVote {
  return { type: 'RequestVote', from, to, term, preVote: false, transfer: false, lastLogIndex: 0, lastLogTerm: 0, ...fields };
}

function voteResponse(from: NodeId, to: NodeId, term: number, granted: boolean, preVote = false): RequestVoteResponse {
  return { type: 'RequestVoteResponse', from, to, term, preVote, granted };
}

function ofType<K extends Message['type']>(messages: readonly Message[], type: K): Extract<Message, { type: K }>[] {
  return messages.filter((message): message is Extract<Message, { type: K }> => message.type === type);
}

/** Tick until the role changes; the number of ticks it took. */
function ticksUntilRoleChanges(core: RaftCore, max = 10 * T): number {
  const role = core.role;
  for (let ticks = 1; ticks <= max; ticks++) {
    core.tick();
    if (core.role !== role) return ticks;
  }
  throw new Error(`${core.id} stayed ${role} for ${max} ticks`);
}

/** A lone core (without pre-vote) made leader of `voters` by granted votes. */
function loneLeader(voters: readonly NodeId[], config: Omit<CoreConfigInput, 'id'> = PLAIN): RaftCore {
  const core = loneCore(voters[0] as NodeId, voters, config);
  ticksUntilRoleChanges(core);
  expect(core.role).toBe('candidate');
  drain(core);
  for (const voter of voters.slice(1)) core.step(voteResponse(voter, core.id, core.status().term, true));
  expect(core.role).toBe('leader');
  return core;
}

// ---------------------------------------------------------------------- §5.1

describe('§5.1 terms', () => {
  it('§5.1 a follower that sees a higher term adopts it, clears its vote, and persists both before answering', () => {
    const core = loneCore('a', VOTERS, PLAIN, { term: 2, vote: 'c' });
    core.step(heartbeat('b', 'a', 5));
    expect(core.role).toBe('follower');
    expect(core.status()).toMatchObject({ term: 5, vote: null, leaderId: 'b' });
    const ready = drain(core);
    expect(ready.hardState).toEqual({ term: 5, vote: null, commit: 0 });
    expect(ofType(ready.messages, 'HeartbeatResponse')).toEqual([expect.objectContaining({ to: 'b', term: 5 })]);
  });

  it('§5.1 a candidate that sees a higher term becomes follower and adopts it', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    ticksUntilRoleChanges(core);
    expect(core.role).toBe('candidate');
    expect(core.status().term).toBe(1);
    core.step(append('b', 'a', 4));
    expect(core.role).toBe('follower');
    expect(core.status()).toMatchObject({ term: 4, vote: null, leaderId: 'b' });
  });

  it('§5.1 a leader that sees a higher term becomes follower and adopts it', () => {
    const core = loneLeader(VOTERS);
    drain(core);
    const response: AppendEntriesResponse = {
      type: 'AppendEntriesResponse',
      from: 'c',
      to: 'a',
      term: 7,
      success: false,
      matchIndex: 0,
      rejectedIndex: 0,
      hintIndex: 0,
      hintTerm: 0,
    };
    core.step(response);
    expect(core.role).toBe('follower');
    expect(core.status()).toMatchObject({ term: 7, vote: null, leaderId: null });
  });

  it('§5.1 a request with a stale term is rejected with the current term, and changes nothing', () => {
    const core = loneCore('a', VOTERS, PLAIN, { term: 3, entries: entriesWithTerms([1, 3]) });
    core.step(heartbeat('b', 'a', 3));
    drain(core);
    core.step(append('c', 'a', 2, { prevLogIndex: 2, prevLogTerm: 3, entries: entriesWithTerms([2], 3) }));
    const ready = drain(core);
    expect(ofType(ready.messages, 'AppendEntriesResponse')).toEqual([expect.objectContaining({ to: 'c', term: 3, success: false })]);
    expect(core.status()).toMatchObject({ term: 3, leaderId: 'b', lastIndex: 2 });
    expect(ready.entries).toEqual([]);
  });
});

// ---------------------------------------------------------------------- §5.2

describe('§5.2 leader election', () => {
  it('§5.2 a follower that hears nothing for an election timeout starts an election', () => {
    const core = loneCore('a', VOTERS, PLAIN, { term: 2, entries: entriesWithTerms([1, 1, 2]) });
    const ticks = ticksUntilRoleChanges(core);
    expect(ticks).toBeGreaterThanOrEqual(T);
    expect(ticks).toBeLessThan(2 * T);
    expect(core.role).toBe('candidate');
    expect(core.status()).toMatchObject({ term: 3, vote: 'a' });
    const ready = drain(core);
    // The vote for itself is on disk before any request leaves.
    expect(ready.hardState).toEqual({ term: 3, vote: 'a', commit: 0 });
    expect(ofType(ready.messages, 'RequestVote').map((m) => [m.to, m.term, m.lastLogIndex, m.lastLogTerm, m.preVote])).toEqual([
      ['b', 3, 3, 2, false],
      ['c', 3, 3, 2, false],
    ]);
  });

  it('§5.2 a follower that keeps hearing from a leader never starts an election', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    for (let tick = 0; tick < 20 * T; tick++) {
      if (tick % (T - 1) === 0) core.step(heartbeat('b', 'a', 1, tick));
      core.tick();
      expect(core.role).toBe('follower');
    }
    expect(core.status().term).toBe(1);
  });

  it('§5.2 election timeouts are randomized in [electionTimeoutTicks, 2 * electionTimeoutTicks)', () => {
    const timeouts = Array.from({ length: 30 }, (_, i) => ticksUntilRoleChanges(loneCore('a', VOTERS, { ...PLAIN, seed: i + 1 })));
    for (const ticks of timeouts) {
      expect(ticks).toBeGreaterThanOrEqual(T);
      expect(ticks).toBeLessThan(2 * T);
    }
    expect(new Set(timeouts).size).toBeGreaterThanOrEqual(5);
  });

  it('§5.2 electionJitterTicks narrows the spread: waits fall in [electionTimeoutTicks, electionTimeoutTicks + jitter)', () => {
    const timeouts = Array.from({ length: 30 }, (_, i) => ticksUntilRoleChanges(loneCore('a', VOTERS, { ...PLAIN, seed: i + 1, electionJitterTicks: 3 })));
    for (const ticks of timeouts) {
      expect(ticks).toBeGreaterThanOrEqual(T);
      expect(ticks).toBeLessThan(T + 3);
    }
    expect(new Set(timeouts).size).toBe(3);
  });

  it('§5.2 a candidate that wins a majority becomes leader and sends heartbeats', () => {
    const voters = ['a', 'b', 'c', 'd', 'e'];
    const core = loneCore('a', voters, PLAIN);
    const silenceTicks = ticksUntilRoleChanges(core);
    drain(core);
    core.step(voteResponse('b', 'a', 1, true));
    core.step(voteResponse('c', 'a', 1, false));
    core.step(voteResponse('d', 'a', 1, false));
    expect(core.role).toBe('candidate'); // 2 of 5: a rejection is not a vote
    core.step(voteResponse('e', 'a', 1, true));
    expect(core.role).toBe('leader'); // 3 of 5
    const ready = drain(core);
    // The leader says why it leads: the campaign it won began when its election timer ran out.
    expect(ready.softState).toEqual({ role: 'leader', leaderId: 'a', cause: { kind: 'election-timeout', silenceTicks } });
    // It announces itself at once with its no-op (§8), then heartbeats every interval.
    const appends = ofType(ready.messages, 'AppendEntries');
    expect(appends.map((m) => m.to)).toEqual(['b', 'c', 'd', 'e']);
    for (const m of appends) expect(m.entries).toEqual([{ index: 1, term: 1, kind: 'noop' }]);
    core.tick();
    const heartbeats = ofType(drain(core).messages, 'Heartbeat');
    expect(heartbeats.map((m) => [m.to, m.term])).toEqual([
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['e', 1],
    ]);
  });

  it('§5.2 a candidate that hears from a leader of its own term becomes follower', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    ticksUntilRoleChanges(core);
    drain(core);
    core.step(append('b', 'a', 1));
    expect(core.role).toBe('follower');
    expect(core.status()).toMatchObject({ term: 1, leaderId: 'b', vote: 'a' });
  });

  it('§5.2 a candidate whose election neither wins nor loses times out and starts a new one in a higher term', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    ticksUntilRoleChanges(core);
    drain(core);
    core.step(voteResponse('b', 'a', 1, false));
    expect(core.role).toBe('candidate');
    let ticks = 0;
    while (core.status().term === 1) {
      core.tick();
      ticks++;
      expect(ticks).toBeLessThan(2 * T);
    }
    expect(ticks).toBeGreaterThanOrEqual(T);
    expect(core.role).toBe('candidate');
    expect(core.status()).toMatchObject({ term: 2, vote: 'a' });
    expect(ofType(drain(core).messages, 'RequestVote').map((m) => m.term)).toEqual([2, 2]);
  });

  it('§5.2 each node votes at most once per term', () => {
    const core = loneCore('a', VOTERS, PLAIN);
    core.step(voteRequest('b', 'a', 1));
    core.step(voteRequest('c', 'a', 1));
    core.step(voteRequest('b', 'a', 1)); // a retransmission gets the same answer
    const ready = drain(core);
    expect(ready.hardState).toEqual({ term: 1, vote: 'b', commit: 0 });
    expect(ofType(ready.messages, 'RequestVoteResponse').map((m) => [m.to, m.granted])).toEqual([
      ['b', true],
      ['c', false],
      ['b', true],
    ]);
  });

  it('§5.2 the vote survives a restart: a node that voted and crashed does not vote again in that term', () => {
    const core = loneCore('a', VOTERS, PLAIN, { term: 1, vote: 'b' });
    core.step(voteRequest('c', 'a', 1));
    expect(ofType(drain(core).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'c', granted: false })]);
  });

  it('§5.2 the vote-once rule can fail: with the planted bug vote-twice the same requests get two grants', () => {
    const core = loneCore('a', VOTERS, { ...PLAIN, plantedBug: 'vote-twice' });
    core.step(voteRequest('b', 'a', 1));
    core.step(voteRequest('c', 'a', 1));
    expect(ofType(drain(core).messages, 'RequestVoteResponse').map((m) => [m.to, m.granted])).toEqual([
      ['b', true],
      ['c', true],
    ]);
  });

  it('§5.2 in a cluster, the first node to time out wins, and everyone agrees on it', () => {
    const cluster = new ScriptedCluster(['a', 'b', 'c', 'd', 'e'], PLAIN);
    cluster.run(2 * T);
    const leaders = [...cluster.nodes.values()].filter((node) => node.core?.role === 'leader');
    expect(leaders).toHaveLength(1);
    const leader = (leaders[0] as (typeof leaders)[number]).id;
    for (const id of cluster.ids) {
      expect(cluster.core(id).status()).toMatchObject({ term: 1, leaderId: leader, commitIndex: 1 });
    }
  });
});

// -------------------------------------------------------------------- §5.4.1

describe('§5.4.1 election restriction', () => {
  // The voter's log: terms [1, 1, 2], current term 2. The candidate asks in term 3.
  const cases: { lastLogIndex: number; lastLogTerm: number; granted: boolean; why: string }[] = [
    { lastLogIndex: 5, lastLogTerm: 1, granted: false, why: 'an older last term loses, however long the log' },
    { lastLogIndex: 2, lastLogTerm: 2, granted: false, why: 'the same last term and a shorter log loses' },
    { lastLogIndex: 3, lastLogTerm: 2, granted: true, why: 'the same last term and the same length wins' },
    { lastLogIndex: 4, lastLogTerm: 2, granted: true, why: 'the same last term and a longer log wins' },
    { lastLogIndex: 1, lastLogTerm: 3, granted: true, why: 'a newer last term wins, however short the log' },
  ];
  for (const { lastLogIndex, lastLogTerm, granted, why } of cases) {
    it(`§5.4.1 a voter refuses a candidate whose log is less up to date: ${why}`, () => {
      const core = loneCore('a', VOTERS, PLAIN, { term: 2, entries: entriesWithTerms([1, 1, 2]) });
      core.step(voteRequest('b', 'a', 3, { lastLogIndex, lastLogTerm }));
      expect(ofType(drain(core).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'b', granted })]);
      expect(core.status().vote).toBe(granted ? 'b' : null);
    });
  }
});

// ------------------------------------------------------------- pre-vote §9.6

describe('§9.6 pre-vote', () => {
  const PRE_VOTE: Omit<CoreConfigInput, 'id'> = { preVote: true, checkQuorum: false };

  it('§9.6 a pre-candidate asks "would you vote for me at term+1" without changing its term or vote', () => {
    const core = loneCore('a', VOTERS, PRE_VOTE, { term: 4 });
    ticksUntilRoleChanges(core);
    expect(core.role).toBe('pre-candidate');
    expect(core.status()).toMatchObject({ term: 4, vote: null });
    const ready = drain(core);
    expect(ready.hardState).toBeUndefined();
    expect(ofType(ready.messages, 'RequestVote').map((m) => [m.to, m.term, m.preVote])).toEqual([
      ['b', 5, true],
      ['c', 5, true],
    ]);
  });

  it('§9.6 a pre-candidate becomes candidate (and only then bumps its term) after a majority of pre-votes', () => {
    const core = loneCore('a', VOTERS, PRE_VOTE, { term: 4 });
    ticksUntilRoleChanges(core);
    drain(core);
    core.step(voteResponse('b', 'a', 5, true, true));
    expect(core.role).toBe('candidate');
    expect(core.status()).toMatchObject({ term: 5, vote: 'a' });
    expect(ofType(drain(core).messages, 'RequestVote').map((m) => [m.to, m.term, m.preVote])).toEqual([
      ['b', 5, false],
      ['c', 5, false],
    ]);
  });

  it('§9.6 a pre-candidate rejected by a majority goes back to follower in its old term', () => {
    const core = loneCore('a', VOTERS, PRE_VOTE, { term: 4 });
    ticksUntilRoleChanges(core);
    drain(core);
    core.step(voteResponse('b', 'a', 4, false, true));
    core.step(voteResponse('c', 'a', 4, false, true));
    expect(core.role).toBe('follower');
    expect(core.status().term).toBe(4);
  });

  it('§9.6 answering a pre-vote changes neither the term nor the vote of the voter', () => {
    const core = loneCore('b', VOTERS, PRE_VOTE, { term: 4, vote: 'c' });
    core.step(voteRequest('a', 'b', 5, { preVote: true }));
    const ready = drain(core);
    expect(ofType(ready.messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'a', term: 5, preVote: true, granted: true })]);
    expect(core.status()).toMatchObject({ term: 4, vote: 'c' });
    expect(ready.hardState).toBeUndefined();
  });

  it('§9.6 crossing pre-votes: a pre-candidate refuses one whose claim is no better (same log, lower id) and asks again', () => {
    const b = loneCore('b', VOTERS, PRE_VOTE, { term: 4 });
    ticksUntilRoleChanges(b);
    expect(b.role).toBe('pre-candidate');
    drain(b);
    b.step(voteRequest('a', 'b', 5, { preVote: true }));
    const ready = drain(b);
    expect(ofType(ready.messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'a', preVote: true, granted: false })]);
    // Asked again at once: a refusal collected earlier must not hold its campaign for a whole timeout.
    expect(ofType(ready.messages, 'RequestVote').map((m) => [m.to, m.term, m.preVote])).toEqual([
      ['a', 5, true],
      ['c', 5, true],
    ]);
    expect(b.status()).toMatchObject({ term: 4, vote: null });
  });

  it('§9.6 crossing pre-votes: the better claim is granted by the pre-candidate it outranks', () => {
    const a = loneCore('a', VOTERS, PRE_VOTE, { term: 4 });
    ticksUntilRoleChanges(a);
    drain(a);
    a.step(voteRequest('b', 'a', 5, { preVote: true }));
    expect(ofType(drain(a).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'b', preVote: true, granted: true })]);
  });

  it('§9.6 crossing pre-votes: a newer log outranks a higher id', () => {
    const c = loneCore('c', VOTERS, PRE_VOTE, { term: 4, entries: entriesWithTerms([1]) });
    ticksUntilRoleChanges(c);
    drain(c);
    c.step(voteRequest('a', 'c', 5, { preVote: true, lastLogIndex: 2, lastLogTerm: 1 }));
    expect(ofType(drain(c).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ to: 'a', preVote: true, granted: true })]);
  });

  it('§9.6 nodes that time out in the same tick elect a leader without a split vote', () => {
    // No jitter: every wait is exactly T, so all three pre-vote in the same tick and their requests cross.
    const cluster = new ScriptedCluster(VOTERS, { preVote: true, checkQuorum: true, electionJitterTicks: 1 });
    cluster.run(2 * T);
    expect(VOTERS.filter((id) => cluster.core(id).role === 'leader')).toEqual(['c']);
    expect(cluster.core('c').status().term).toBe(1);
    cluster.crash('c');
    cluster.run(3 * T);
    expect(['a', 'b'].filter((id) => cluster.core(id).role === 'leader')).toEqual(['b']);
    expect(cluster.core('b').status().term).toBe(2);
  });

  /** a leads a, b, c; then c is cut off for `ticks`, then everyone is connected again for 3T ticks. */
  function partitionAndRejoin(preVote: boolean): ScriptedCluster {
    const cluster = new ScriptedCluster(VOTERS, { preVote, checkQuorum: true });
    cluster.passStartupQuiet();
    cluster.elect('a', VOTERS);
    cluster.run(T);
    expect(cluster.core('a').status().term).toBe(1);
    cluster.run(10 * T, (m) => m.from !== 'c' && m.to !== 'c');
    return cluster;
  }

  it("§9.6 pre-vote: a partitioned node rejoining does not bump the cluster's term", () => {
    const cluster = partitionAndRejoin(true);
    expect(cluster.core('c').status().term).toBe(1); // it campaigned, but only in pre-votes
    expect(cluster.core('c').role).toBe('pre-candidate');
    cluster.run(3 * T);
    for (const id of VOTERS) expect(cluster.core(id).status()).toMatchObject({ term: 1, leaderId: 'a' });
    expect(cluster.core('a').role).toBe('leader');
  });

  it('§9.6 without pre-vote the same rejoining node forces the cluster into a new term (what pre-vote prevents)', () => {
    const cluster = partitionAndRejoin(false);
    expect(cluster.core('c').status().term).toBeGreaterThan(1);
    cluster.run(3 * T);
    expect(cluster.core('a').status().term).toBeGreaterThan(1);
  });
});

// -------------------------------------------------------- check-quorum §6.2

describe('§6.2 check-quorum', () => {
  function steadyLeader(checkQuorum: boolean): ScriptedCluster {
    const cluster = new ScriptedCluster(VOTERS, { checkQuorum });
    cluster.passStartupQuiet();
    cluster.elect('a', VOTERS);
    cluster.run(T);
    expect(cluster.core('a').role).toBe('leader');
    return cluster;
  }

  /** Tick only the leader, with every message it sends lost; the ticks until it is no longer leader. */
  function isolateLeader(cluster: ScriptedCluster, max: number): number | null {
    const leader = cluster.core('a');
    for (let ticks = 1; ticks <= max; ticks++) {
      leader.tick();
      cluster.settle();
      cluster.drop();
      if (leader.role !== 'leader') return ticks;
    }
    return null;
  }

  it('§6.2 check-quorum: a leader that hears from no majority for an election timeout steps down', () => {
    const cluster = steadyLeader(true);
    const ticks = isolateLeader(cluster, 10 * T);
    expect(ticks).not.toBeNull();
    // It heard from everyone just before the cut, so the window that ends at the cut passes;
    // the next whole window without a majority fails.
    expect(ticks).toBeLessThanOrEqual(2 * T);
    expect(cluster.core('a').role).toBe('follower');
    // It steps down by itself, in its own term, and stops serving lease reads.
    // (Its leaderId should also go back to null; see the report: it stays 'a'.)
    expect(cluster.core('a').status()).toMatchObject({ term: 1, leaseValid: false });
    expect(cluster.core('a').propose(new Uint8Array([1]))).toMatchObject({ ok: false, reason: 'not-leader' });
  });

  it('§6.2 check-quorum: a leader that keeps hearing from a majority stays leader', () => {
    const cluster = steadyLeader(true);
    cluster.run(10 * T, (m) => m.from !== 'c' && m.to !== 'c'); // c is gone, b still answers
    expect(cluster.core('a').role).toBe('leader');
    expect(cluster.core('a').status().term).toBe(1);
  });

  it('§6.2 a stalled leader catching up many ticks at once is not deposed by its own stall when a majority answered meanwhile', () => {
    const cluster = steadyLeader(true);
    const leader = cluster.core('a');
    // Its heartbeat goes out and is answered while its loop is busy: the answers wait in its inbox.
    leader.tick(3 * T);
    cluster.settle();
    cluster.deliver((m) => m.from === 'a');
    cluster.settle();
    // The driver steps what arrived during the stall, then the time that passed, in one call.
    cluster.deliverAll();
    leader.tick(5 * T);
    cluster.settle();
    expect(leader.role).toBe('leader');
    // Time still moved by all of it: the lease granted before the stall is gone.
    expect(leader.status().leaseValid).toBe(false);
  });

  it('§6.2 a stalled leader that heard from no majority during its stall steps down in one catch-up', () => {
    const cluster = steadyLeader(true);
    const leader = cluster.core('a');
    leader.tick(T); // the window that ends here passes: it heard from everyone before
    cluster.settle();
    cluster.drop();
    leader.tick(5 * T); // nothing arrived in all that time
    cluster.settle();
    expect(leader.role).toBe('follower');
  });

  it('tick refuses a count that is not a positive integer', () => {
    const cluster = steadyLeader(true);
    expect(() => cluster.core('a').tick(0)).toThrow(/positive integer/);
    expect(() => cluster.core('a').tick(1.5)).toThrow(/positive integer/);
  });

  it('§6.2 without check-quorum an isolated leader never steps down by itself (what check-quorum prevents)', () => {
    const cluster = steadyLeader(false);
    expect(isolateLeader(cluster, 10 * T)).toBeNull();
  });
});

// ---------------------------------------------------- leader stickiness §4.2.3

describe('§4.2.3 leader stickiness', () => {
  const STICKY: Omit<CoreConfigInput, 'id'> = { preVote: false, checkQuorum: true };

  /** b, past its startup quiet period, has just heard a heartbeat from leader a in term 1. */
  function followerOfA(): RaftCore {
    const core = loneCore('b', VOTERS, STICKY);
    for (let i = 0; i < T; i++) core.tick();
    core.step(heartbeat('a', 'b', 1));
    drain(core);
    expect(core.status()).toMatchObject({ role: 'follower', term: 1, leaderId: 'a' });
    return core;
  }

  it('§4.2.3 a follower that heard from a leader within the election timeout ignores RequestVote', () => {
    const core = followerOfA();
    core.step(voteRequest('c', 'b', 2, { lastLogIndex: 5, lastLogTerm: 1 }));
    const ready = drain(core);
    expect(ready.messages).toEqual([]);
    expect(core.status()).toMatchObject({ term: 1, vote: null, leaderId: 'a' });
  });

  it('§4.2.3 once an election timeout passes without the leader, the follower votes again', () => {
    const core = followerOfA();
    for (let i = 0; i < T; i++) core.tick();
    expect(core.role).toBe('follower');
    core.step(voteRequest('c', 'b', 2, { lastLogIndex: 5, lastLogTerm: 1 }));
    expect(ofType(drain(core).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ granted: true, term: 2 })]);
    expect(core.status()).toMatchObject({ term: 2, vote: 'c' });
  });

  it('§4.2.3 a RequestVote marked as a leadership transfer overrides stickiness', () => {
    const core = followerOfA();
    core.step(voteRequest('c', 'b', 2, { lastLogIndex: 5, lastLogTerm: 1, transfer: true }));
    expect(ofType(drain(core).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ granted: true, term: 2 })]);
    expect(core.status()).toMatchObject({ term: 2, vote: 'c' });
  });

  it('§4.2.3 a node that started less than an election timeout ago ignores RequestVote (it may have backed a lease before it crashed)', () => {
    const core = loneCore('b', VOTERS, STICKY);
    for (let i = 0; i < T - 1; i++) core.tick();
    core.step(voteRequest('c', 'b', 1));
    expect(drain(core).messages).toEqual([]);
    expect(core.status()).toMatchObject({ term: 0, vote: null });
    core.tick();
    core.step(voteRequest('c', 'b', 1));
    expect(ofType(drain(core).messages, 'RequestVoteResponse')).toEqual([expect.objectContaining({ granted: true })]);
  });

  it('§4.2.3 a sticky follower also ignores pre-votes', () => {
    const core = followerOfA();
    core.step(voteRequest('c', 'b', 2, { preVote: true, lastLogIndex: 5, lastLogTerm: 1 }));
    expect(drain(core).messages).toEqual([]);
  });
});
